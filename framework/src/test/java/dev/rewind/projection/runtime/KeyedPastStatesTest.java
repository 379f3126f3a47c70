package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Rewind;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.internal.projection.DefaultProjections;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.storage.memory.InMemoryStorage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Temporal queries by key on a projection whose state grows with history (a balance per account): the
 * past state is read by key from its keyed snapshot, the tail applied to it, and every answer equals a
 * replay from position 0; a damaged past state is logged and another one (or position 0) used.
 */
class KeyedPastStatesTest {
    private static final int EVENTS = 600;
    private static final int EVERY = 50;

    @RegisterExtension
    final LogCapture runtimeLog = new LogCapture(DefaultProjections.class);

    /** How many events {@link Balances} instances handled, all together (a temporal query shows its tail). */
    static final java.util.concurrent.atomic.AtomicLong HANDLED = new java.util.concurrent.atomic.AtomicLong();

    /** A balance per account (accounts keep coming), closed by an event of 0. */
    @Projection("balances")
    public static class Balances {
        private final Map<String, Long> byAccount = new HashMap<>();
        private long applied;

        @EventHandler
        void on(Added e) {
            HANDLED.incrementAndGet();
            applied++;
            if (e.by() == 0) {
                byAccount.remove(e.counter());
            } else {
                byAccount.merge(e.counter(), e.by(), Long::sum);
            }
        }

        /** @param account an account @return its balance, null when it has none */
        public Long balance(String account) {
            return byAccount.get(account);
        }

        /** @return how many accounts are open */
        public int open() {
            return byAccount.size();
        }

        /** @return the simple name of the map's class (a past state's is read by key) */
        public String mapClass() {
            return byAccount.getClass().getSimpleName();
        }

        /** @return how many events it applied */
        public long applied() {
            return applied;
        }

        @QueryState
        public Map<String, Long> state() {
            return Map.copyOf(byAccount);
        }
    }

    private static Rewind.Builder builder(InMemoryStorage storage) {
        return Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Fixtures.EVENTS).projection(Balances.class);
    }

    /** The same seeded workload into each store: accounts opened as it goes, some closed, most moved. */
    private static long fill(Random random, Rewind... stores) {
        long last = -1;
        for (int i = 0; i < EVENTS; i++) {
            String account = "acct-" + random.nextInt(1 + i / 2);
            long by = random.nextInt(10) == 0 ? 0 : (1 + random.nextInt(1_000)) * (random.nextBoolean() ? 1 : -1);
            for (Rewind r : stores) {
                last = r.store().append("s" + (i % 7), ExpectedVersion.any(), List.of(new Added(account, by))).lastPosition();
            }
        }
        return last;
    }

    @Test
    void a_query_by_key_at_any_point_equals_a_replay_from_position_0() {
        long seed = Long.getLong("rewind.test.seed", System.nanoTime());
        String where = "seed " + seed + " (replay with -Drewind.test.seed=" + seed + ")";
        Random random = new Random(seed);
        InMemoryStorage storage = new InMemoryStorage();
        try (Rewind plain = builder(new InMemoryStorage()).build();
             Rewind kept = builder(storage).projectionSettings("balances",
                     ProjectionSettings.async().history(EVERY, 100, 1L << 24)).build()) {
            long last = fill(random, plain, kept);
            kept.projections().state("balances", ReadPoint.atLeast(last).within(java.time.Duration.ofSeconds(30)));
            awaitPastState(storage, EVENTS - 1);

            List<Long> points = new ArrayList<>(List.of(-1L, 0L, (long) EVERY - 1, (long) EVERY, 2L * EVERY - 1,
                    (long) EVENTS / 2 - 1, (long) EVENTS - 1));
            for (int i = 0; i < 8; i++) {
                points.add((long) random.nextInt(EVENTS)); // mostly between past states: a tail is applied
            }
            for (long p : points) {
                ReadPoint at = ReadPoint.atPosition(p);
                String as = where + ", as of position " + p;
                for (int a = 0; a < 12; a++) {
                    String account = "acct-" + random.nextInt(EVENTS / 2 + 5);
                    assertThat(kept.projections().<Balances, Long>query(Balances.class, at, v -> v.balance(account)))
                            .as("%s, %s", as, account)
                            .isEqualTo(plain.projections().query(Balances.class, at, v -> v.balance(account)));
                }
                assertThat(kept.projections().query(Balances.class, at, Balances::open)).as(as)
                        .isEqualTo(plain.projections().query(Balances.class, at, Balances::open));
                assertThat(kept.projections().<Map<String, Long>>stateAtPosition("balances", p)).as(as)
                        .isEqualTo(plain.projections().<Map<String, Long>>stateAtPosition("balances", p));
                if (p >= EVERY - 1) {
                    assertThat(kept.projections().query(Balances.class, at, Balances::mapClass))
                            .as("%s: the past state is read by key", as).isEqualTo("PastMap");
                    long before = HANDLED.get();
                    assertThat(kept.projections().<Balances, Long>query(Balances.class, at, Balances::applied)).as(as).isEqualTo(p + 1);
                    assertThat(HANDLED.get() - before).as("%s: only the tail after the nearest past state", as)
                            .isLessThan(EVERY);
                }
            }
        }
    }

    private static void awaitPastState(InMemoryStorage storage, long position) {
        // the past state is written just after the batch, outside the runner's lock: wait (bounded) for it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (storage.projectionStore().history("balances").stream().noneMatch(h -> h.position() == position)) {
            assertThat(System.nanoTime()).as("the past state at %s is kept", position).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
    }

    @Test
    void a_past_state_kept_as_json_before_the_keyed_format_still_serves() throws Exception {
        Random random = new Random(11);
        InMemoryStorage storage = new InMemoryStorage();
        try (Rewind plain = builder(new InMemoryStorage()).build();
             Rewind kept = builder(storage).projectionSettings("balances",
                     ProjectionSettings.async().history(EVERY, 100, 1L << 24)).build()) {
            long last = fill(random, plain, kept);
            kept.projections().state("balances", ReadPoint.atLeast(last).within(java.time.Duration.ofSeconds(30)));
            awaitPastState(storage, EVENTS - 1);
            long old = 3L * EVERY - 1;
            Checkpoint c = storage.projectionStore().loadHistory("balances", old).orElseThrow();
            Map<String, Object> fields = new java.util.TreeMap<>();
            fields.put("applied", old + 1);
            fields.put("byAccount", plain.projections().<Map<String, Long>>stateAtPosition("balances", old));
            byte[] json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(fields);
            storage.projectionStore().saveHistory(new Checkpoint(c.name(), c.version(), c.origin(), c.position(),
                    c.eventId(), c.applied(), c.hash(), c.highWater(), c.parked(), c.skipped(), c.decisions(), json,
                    c.savedAt()));

            ReadPoint at = ReadPoint.atPosition(old + 4);
            long before = HANDLED.get();
            assertThat(kept.projections().<Balances, Long>query(Balances.class, at, Balances::applied)).isEqualTo(old + 5);
            assertThat(HANDLED.get() - before).as("from the JSON past state, and its tail of 4").isEqualTo(4);
            assertThat(kept.projections().query(Balances.class, at, Balances::mapClass)).isEqualTo("HashMap");
            assertThat(kept.projections().<Map<String, Long>>stateAtPosition("balances", old + 4))
                    .isEqualTo(plain.projections().<Map<String, Long>>stateAtPosition("balances", old + 4));
        }
        assertThat(runtimeLog.messages()).isEmpty();
    }

    @Test
    void a_damaged_keyed_past_state_is_logged_and_an_earlier_one_used_never_a_wrong_answer() {
        Random random = new Random(7);
        InMemoryStorage storage = new InMemoryStorage();
        try (Rewind plain = builder(new InMemoryStorage()).build();
             Rewind kept = builder(storage).projectionSettings("balances",
                     ProjectionSettings.async().history(EVERY, 100, 1L << 24)).build()) {
            long last = fill(random, plain, kept);
            kept.projections().state("balances", ReadPoint.atLeast(last).within(java.time.Duration.ofSeconds(30)));
            awaitPastState(storage, EVENTS - 1);
            long damaged = 5L * EVERY - 1;
            assertThat(storage.projectionStore().history("balances")).extracting(HistoryEntry::position).contains(damaged);
            Checkpoint c = storage.projectionStore().loadHistory("balances", damaged).orElseThrow();
            byte[] bytes = c.snapshot().clone();
            assertThat(bytes[0]).as("a keyed snapshot").isEqualTo((byte) 0);
            int rest = ByteBuffer.wrap(bytes).getInt(4);
            ByteBuffer.wrap(bytes).putInt(4 + 4 + rest + 4 + 1 + 4 + 1 + 4, Integer.MAX_VALUE); // its bucket table
            storage.projectionStore().saveHistory(new Checkpoint(c.name(), c.version(), c.origin(), c.position(),
                    c.eventId(), c.applied(), c.hash(), c.highWater(), c.parked(), c.skipped(), c.decisions(), bytes,
                    c.savedAt()));

            long p = damaged + 3;
            ReadPoint at = ReadPoint.atPosition(p);
            for (int a = 0; a < 20; a++) {
                String account = "acct-" + a;
                assertThat(kept.projections().<Balances, Long>query(Balances.class, at, v -> v.balance(account))).as(account)
                        .isEqualTo(plain.projections().query(Balances.class, at, v -> v.balance(account)));
            }
            long before = HANDLED.get();
            assertThat(kept.projections().<Balances, Long>query(Balances.class, at, Balances::applied)).isEqualTo(p + 1);
            assertThat(HANDLED.get() - before).as("from the past state before the damaged one").isGreaterThan(3)
                    .isLessThanOrEqualTo(EVERY + 3);
        }
        assertThat(runtimeLog.messages()).anyMatch(m -> m.startsWith("projection 'balances': its past state at position "
                + (5 * EVERY - 1) + " cannot be read back (the past state of projection 'balances' at position "
                + (5 * EVERY - 1) + ", map section 0 is damaged: a bucket table out of order at bucket 1)"));
    }
}
