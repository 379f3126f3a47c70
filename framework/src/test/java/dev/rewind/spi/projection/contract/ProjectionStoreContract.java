package dev.rewind.spi.projection.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.ProjectionStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link ProjectionStore} contract, whatever keeps the data: a checkpoint comes back whole and equal
 * (every field, the snapshot's bytes, the instant to the nanosecond), is replaced whole, is kept per name;
 * past states are listed by ascending position, replaced at the same position and deleted one by one;
 * {@code delete} removes a name's checkpoint and past states and nothing of another name's.
 *
 * <p>A store runs it by implementing {@link #projectionStore()} (an empty, writable store for each test),
 * as the storage contract's parts do ({@code dev.rewind.spi.storage.contract}). What only one store can
 * show (its files or tables, damage made by hand, read-only opens) stays in that store's own tests.
 */
public interface ProjectionStoreContract {
    /** When every fixture was saved: nanoseconds included, which a store must keep. */
    Instant SAVED_AT = Instant.parse("2024-05-01T15:00:00.123456789Z");

    /** @return the store under test: empty and writable at the start of each test, the same one during it */
    ProjectionStore projectionStore();

    /**
     * @param name a runner
     * @param position its position (0 or more)
     * @param snapshot the state's bytes, or null
     * @return a checkpoint with one parked event, one skipped position and one decision
     */
    static Checkpoint checkpoint(String name, long position, byte[] snapshot) {
        ParkedEvent parked = new ParkedEvent(3, new UUID(3, 3), "s-1", "Added", SAVED_AT, 3, "boom", -1);
        Decision decision = new Decision(SAVED_AT, Decision.Kind.PARKED, 3, new UUID(3, 3), "s-1", "boom", null);
        return new Checkpoint(name, "v1;shape=ab;handlers=cd", -1, position, new UUID(1, position), position, 42L,
                position, List.of(parked), List.of(2L), List.of(decision), snapshot, SAVED_AT);
    }

    @Test
    default void a_name_never_saved_has_no_checkpoint_and_no_past_states() {
        assertThat(projectionStore().load("totals")).isEmpty();
        assertThat(projectionStore().history("totals")).isEmpty();
        assertThat(projectionStore().loadHistory("totals", 5)).isEmpty();
        assertThat(projectionStore().isReadOnly()).isFalse();
    }

    @Test
    default void a_saved_checkpoint_comes_back_equal_and_a_later_save_replaces_it_whole() {
        Checkpoint first = checkpoint("totals", 5, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        projectionStore().save(first);
        assertThat(projectionStore().load("totals")).contains(first);

        Checkpoint second = checkpoint("totals", 9, null);
        projectionStore().save(second);
        assertThat(projectionStore().load("totals")).contains(second);
        assertThat(projectionStore().load("other name")).isEmpty();
    }

    @Test
    default void the_checkpoint_entry_gives_its_position_version_and_snapshot_size_and_follows_each_save() {
        assertThat(projectionStore().checkpointEntry("totals")).isEmpty();
        projectionStore().save(checkpoint("totals", 5, new byte[7]));
        projectionStore().saveHistory(checkpoint("totals", 9, new byte[3])); // a past state is not the checkpoint
        assertThat(projectionStore().checkpointEntry("totals"))
                .contains(new HistoryEntry(5, checkpoint("totals", 5, null).version(), 7));
        projectionStore().save(checkpoint("totals", 8, null));
        assertThat(projectionStore().checkpointEntry("totals"))
                .contains(new HistoryEntry(8, checkpoint("totals", 8, null).version(), 0));
        assertThat(projectionStore().checkpointEntry("other")).isEmpty();
    }

    @Test
    default void every_field_round_trips_including_an_empty_checkpoint_and_several_parked_events_and_decisions() {
        Checkpoint empty = new Checkpoint("fresh", "", -1, -1, null, 0, 0, -1, List.of(), List.of(), List.of(), null,
                Instant.EPOCH);
        projectionStore().save(empty);
        assertThat(projectionStore().load("fresh")).contains(empty);

        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        Checkpoint full = new Checkpoint("processor", "v7", 99, 250, b, 140, -7_123_456_789L, 300,
                List.of(new ParkedEvent(120, a, "order-1", "OrderPlaced", SAVED_AT, 5, "NullPointerException: x", 3),
                        new ParkedEvent(121, b, "order-1", "ItemAdded", SAVED_AT.plusNanos(1), 0, "behind 120", 1)),
                List.of(110L, 111L, 200L),
                List.of(new Decision(SAVED_AT, Decision.Kind.PARKED, 120, a, "order-1", "failed 5 times", "stack"),
                        new Decision(SAVED_AT.plusSeconds(60), Decision.Kind.SKIPPED, 110, b, "order-2",
                                "skipped by ops: ticket #12 (ü, \"quoted\")", null)),
                new byte[] {0, 1, 2, (byte) 0xff, '{', '}'}, SAVED_AT);
        projectionStore().save(full);
        assertThat(projectionStore().load("processor")).contains(full);
    }

    @Test
    default void names_are_kept_apart_whatever_characters_they_hold() {
        List<String> names = List.of("a name with / and ü", "a name with / and u", "UPPER", "upper", "x'; --",
                "order_totals#blue");
        for (int i = 0; i < names.size(); i++) {
            projectionStore().save(checkpoint(names.get(i), i, new byte[i]));
        }
        for (int i = 0; i < names.size(); i++) {
            assertThat(projectionStore().load(names.get(i))).as(names.get(i))
                    .contains(checkpoint(names.get(i), i, new byte[i]));
        }
    }

    @Test
    default void past_states_are_listed_by_ascending_position_replaced_at_the_same_position_and_deleted_one_by_one() {
        projectionStore().saveHistory(checkpoint("totals", 100, new byte[10]));
        projectionStore().saveHistory(checkpoint("totals", 50, new byte[20]));
        projectionStore().saveHistory(checkpoint("totals", 7, null));
        projectionStore().saveHistory(checkpoint("other", 60, new byte[1]));
        assertThat(projectionStore().history("totals")).extracting(HistoryEntry::position, HistoryEntry::bytes)
                .containsExactly(tuple(7L, 0L), tuple(50L, 20L), tuple(100L, 10L));
        assertThat(projectionStore().history("totals")).extracting(HistoryEntry::version)
                .containsOnly("v1;shape=ab;handlers=cd");

        Checkpoint at50 = checkpoint("totals", 50, new byte[] {5});
        projectionStore().saveHistory(at50);
        assertThat(projectionStore().loadHistory("totals", 50)).contains(at50);
        assertThat(projectionStore().loadHistory("totals", 51)).isEmpty();
        assertThat(projectionStore().history("totals")).extracting(HistoryEntry::position, HistoryEntry::bytes)
                .containsExactly(tuple(7L, 0L), tuple(50L, 1L), tuple(100L, 10L));

        projectionStore().deleteHistory("totals", 50);
        projectionStore().deleteHistory("totals", 51); // not kept: nothing to do
        assertThat(projectionStore().history("totals")).extracting(HistoryEntry::position).containsExactly(7L, 100L);
        assertThat(projectionStore().loadHistory("totals", 50)).isEmpty();
        assertThat(projectionStore().history("other")).extracting(HistoryEntry::position).containsExactly(60L);
    }

    @Test
    default void past_states_and_the_checkpoint_are_kept_apart() {
        Checkpoint current = checkpoint("totals", 100, new byte[] {1});
        projectionStore().save(current);
        projectionStore().saveHistory(checkpoint("totals", 100, new byte[] {2, 2}));
        assertThat(projectionStore().load("totals")).contains(current);
        assertThat(projectionStore().loadHistory("totals", 100))
                .hasValueSatisfying(c -> assertThat(c.snapshot()).containsExactly(2, 2));
    }

    @Test
    default void delete_removes_the_checkpoint_and_past_states_of_one_name_only() {
        projectionStore().save(checkpoint("totals", 5, null));
        projectionStore().saveHistory(checkpoint("totals", 5, new byte[3]));
        Checkpoint kept = checkpoint("kept", 8, new byte[4]);
        projectionStore().save(kept);
        projectionStore().saveHistory(kept);

        projectionStore().delete("totals");
        projectionStore().delete("never saved");

        assertThat(projectionStore().load("totals")).isEmpty();
        assertThat(projectionStore().history("totals")).isEmpty();
        assertThat(projectionStore().load("kept")).contains(kept);
        assertThat(projectionStore().loadHistory("kept", 8)).contains(kept);

        projectionStore().save(checkpoint("totals", 1, null));
        assertThat(projectionStore().load("totals")).hasValueSatisfying(c -> assertThat(c.position()).isEqualTo(1));
    }

    @Test
    default void runners_saving_at_the_same_time_each_find_their_own_last_checkpoint() throws Exception {
        int runners = 4;
        int saves = 25;
        ExecutorService threads = Executors.newFixedThreadPool(runners);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int r = 0; r < runners; r++) {
                String name = "runner-" + r;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < saves; i++) {
                        projectionStore().save(checkpoint(name, i, (name + ":" + i).getBytes(StandardCharsets.UTF_8)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        for (int r = 0; r < runners; r++) {
            String name = "runner-" + r;
            assertThat(projectionStore().load(name)).contains(
                    checkpoint(name, saves - 1, (name + ":" + (saves - 1)).getBytes(StandardCharsets.UTF_8)));
        }
    }
}
