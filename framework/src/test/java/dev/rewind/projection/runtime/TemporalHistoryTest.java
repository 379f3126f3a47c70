package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.Counting;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.storage.memory.InMemoryStorage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Temporal queries from past states: the answer equals a replay from position 0 at every point, only
 * the tail after the nearest kept state is applied, a state is used only when it is valid for the
 * point (its version, this store's event at its position), and retention keeps the bound.
 */
class TemporalHistoryTest {
    private static final int EVENTS = 200;
    private final InMemoryStorage storage = new InMemoryStorage();
    private final ProcessorsAndSubscriptionsTest.MutableClock clock =
            new ProcessorsAndSubscriptionsTest.MutableClock(Instant.parse("2024-05-01T00:00:00Z"));

    private Rewind start(ProjectionSettings settings) {
        return Rewind.builder().discoverPlugins(false).storage(storage).clock(clock).eventTypes(Fixtures.EVENTS)
                .projection(Counting.class).projectionSettings("counting", settings).build();
    }

    private long fill(Rewind rewind) {
        long last = -1;
        for (int i = 0; i < EVENTS; i++) {
            clock.set(Instant.parse("2024-05-01T00:00:00Z").plusSeconds(i));
            last = rewind.store().append("s" + (i % 5), ExpectedVersion.any(), List.of(new Added("c" + (i % 4), i)))
                    .lastPosition();
        }
        return last;
    }

    @Test
    void a_past_state_starts_from_the_nearest_kept_state_and_equals_a_replay_from_zero() {
        ProjectionSettings withHistory = ProjectionSettings.async().history(20, 100, 1L << 20);
        Map<Long, Map<String, Long>> fromZero = new java.util.HashMap<>();
        try (Rewind plain = Rewind.builder().discoverPlugins(false).storage(new InMemoryStorage()).clock(clock)
                .eventTypes(Fixtures.EVENTS).projection(Counting.class).build();
             Rewind rewind = start(withHistory)) {
            fill(plain);
            long last = fill(rewind);
            rewind.projections().state("counting", ReadPoint.atLeast(last));
            for (long p : new long[] {-1, 0, 19, 20, 21, 99, 100, 137, 199}) {
                fromZero.put(p, plain.projections().stateAtPosition("counting", p));
            }

            assertThat(storage.projectionStore().history("counting")).extracting(HistoryEntry::position)
                    .contains(19L, 39L, 99L, 179L);
            for (long p : fromZero.keySet()) {
                long before = Fixtures.COUNTED.get();
                Map<String, Long> answer = rewind.projections().stateAtPosition("counting", p);
                long applied = Fixtures.COUNTED.get() - before;
                assertThat(answer).as("as of position %s", p).isEqualTo(fromZero.get(p));
                assertThat(applied).as("events applied to answer as of position %s", p).isLessThanOrEqualTo(20);
            }
            Instant at = Instant.parse("2024-05-01T00:00:00Z").plusSeconds(150);
            assertThat(rewind.projections().<Map<String, Long>>stateAt("counting", at))
                    .isEqualTo(plain.projections().<Map<String, Long>>stateAt("counting", at));
            assertThat(rewind.projections().query(Counting.class, ReadPoint.at(at), Counting::total))
                    .isEqualTo(plain.projections().query(Counting.class, ReadPoint.at(at), Counting::total));
        }
    }

    @Test
    void a_kept_state_of_another_version_or_another_store_is_never_used() {
        try (Rewind rewind = start(ProjectionSettings.async().history(50, 100, 1L << 20))) {
            long last = fill(rewind);
            rewind.projections().state("counting", ReadPoint.atLeast(last));
            Map<String, Long> truth = rewind.projections().stateAtPosition("counting", 120);
            Checkpoint at99 = storage.projectionStore().loadHistory("counting", 99).orElseThrow();
            byte[] wrong = "{\"sums\":{\"c0\":999999}}".getBytes(StandardCharsets.UTF_8);
            storage.projectionStore().saveHistory(new Checkpoint("counting", "v0;shape=x;handlers=y", -1, 110,
                    at99.eventId(), 0, 0, 110, List.of(), List.of(), List.of(), wrong, at99.savedAt()));
            storage.projectionStore().saveHistory(new Checkpoint("counting", at99.version(), -1, 115, at99.eventId(),
                    0, 0, 115, List.of(), List.of(), List.of(), wrong, at99.savedAt()));

            assertThat(rewind.projections().<Map<String, Long>>stateAtPosition("counting", 120))
                    .as("neither the state of version v0 nor the one whose event at 115 is not this store's").isEqualTo(truth);
        }
    }

    @Test
    void retention_keeps_at_most_the_bound_spread_over_the_history() {
        try (Rewind rewind = start(ProjectionSettings.async().history(10, 5, 1L << 20).historyEvery(Duration.ofHours(1)))) {
            long last = fill(rewind);
            rewind.projections().state("counting", ReadPoint.atLeast(last));
            // the state is queryable once the batch is applied; its past state is written, and the oldest thinned
            // out, just after, outside the runner's lock: wait (bounded) for that to settle
            List<Long> kept = List.of();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            do {
                if (!kept.isEmpty()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
                }
                kept = storage.projectionStore().history("counting").stream().map(HistoryEntry::position).toList();
            } while ((kept.size() > 5 || kept.isEmpty() || kept.get(kept.size() - 1) < 190L) && System.nanoTime() < deadline);

            assertThat(kept).hasSizeLessThanOrEqualTo(5);
            assertThat(kept.get(0)).as("early history keeps a state").isLessThan(60L);
            assertThat(kept.get(kept.size() - 1)).as("the newest is kept").isGreaterThanOrEqualTo(190L);
        }
    }
}
