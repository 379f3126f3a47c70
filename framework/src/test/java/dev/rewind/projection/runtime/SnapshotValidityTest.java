package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.rewind.ExpectedVersion;
import dev.rewind.Polls;
import dev.rewind.LogCapture;
import dev.rewind.NewEvent;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.internal.projection.DefaultProjections;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.Opaque;
import dev.rewind.projection.runtime.Fixtures.Totals;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.projection.Decision;
import dev.rewind.spi.projection.ProjectionStore;
import java.time.Duration;
import java.util.Optional;
import dev.rewind.spi.projection.contract.ForwardingProjectionStore;
import dev.rewind.storage.memory.InMemoryProjectionStore;
import dev.rewind.storage.memory.InMemoryStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot is restored only when it is valid: of the projection's version, sound, readable into the
 * class, and taken from this store's history. Otherwise the projection is rebuilt, with the reason
 * logged, and its state is never wrong.
 */
class SnapshotValidityTest {
    private static final ProjectionSettings SNAPSHOTS = ProjectionSettings.async();

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture runnerLog = new LogCapture(runnerClass(), Level.INFO);
    @RegisterExtension
    final LogCapture runtimeLog = new LogCapture(DefaultProjections.class);

    private static Class<?> runnerClass() {
        try {
            return Class.forName("dev.rewind.internal.projection.Runner");
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static Rewind.Builder builder() {
        return Rewind.builder().discoverPlugins(false).eventTypes(Fixtures.EVENTS).projection(Totals.class)
                .projectionSettings("totals", SNAPSHOTS);
    }

    private static long append(Rewind rewind, int n) {
        long last = -1;
        for (int i = 0; i < n; i++) {
            last = rewind.store().append("s" + (i % 3), ExpectedVersion.any(), List.of(new Added("c", 1))).lastPosition();
        }
        return last;
    }

    private static Map<String, Long> stateAtLeast(Rewind rewind, long position) {
        return rewind.projections().state("totals", ReadPoint.atLeast(position));
    }

    @Test
    void a_snapshot_of_another_version_is_not_restored_the_projection_is_rebuilt_and_the_old_one_kept_until_the_switch()
            throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        try (Rewind first = builder().storage(storage).build()) {
            stateAtLeast(first, append(first, 30));
        }
        Checkpoint saved = storage.projectionStore().load("totals").orElseThrow();
        String older = saved.version().replace("v1;", "v0;"); // same fields, another declared version
        storage.projectionStore().save(new Checkpoint(saved.name(), older, saved.origin(), saved.position(),
                saved.eventId(), saved.applied(), saved.hash(), saved.highWater(), saved.parked(), saved.skipped(),
                saved.decisions(), saved.snapshot(), saved.savedAt()));

        try (Rewind second = builder().storage(storage).build()) {
            Map<String, Long> served = second.projections().state("totals");
            assertThat(served).as("the old state serves while the new one is built").containsEntry("c", 30L);
            second.projections().startRebuild("totals").exceptionally(t -> null).get(10, TimeUnit.SECONDS);
            Polls.until(() -> second.projections().status("totals").state() == ProjectionStatus.State.LIVE,
                    Duration.ofSeconds(10), "the projection to go live");

            assertThat(stateAtLeast(second, append(second, 1))).containsEntry("c", 31L);
            assertThat(second.projections().query(Totals.class, Totals::applied)).as("rebuilt from position 0").isEqualTo(31);
            assertThat(runnerLog.messages(Level.INFO)).anyMatch(m -> m.contains("projection 'totals' is now version v1;")
                    && m.contains("its saved state is version v0;") && m.contains("rebuilt from position 0 in the background"));
        }
        assertThat(storage.projectionStore().load("totals").orElseThrow().version()).isEqualTo(saved.version());
    }

    @Test
    void a_damaged_snapshot_file_is_logged_and_the_projection_rebuilt_never_restored_wrong() throws Exception {
        try (Rewind first = builder().storage(FileStorage.open(dir)).build()) {
            stateAtLeast(first, append(first, 20));
        }
        Path file;
        try (Stream<Path> files = Files.list(dir.resolve("projections"))) {
            file = files.filter(p -> p.toString().endsWith(".ckpt")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 10] ^= 0x01;
        Files.write(file, bytes);

        try (Rewind second = builder().storage(FileStorage.open(dir)).build()) {
            assertThat(stateAtLeast(second, 19)).containsEntry("c", 20L);
            assertThat(second.projections().query(Totals.class, Totals::applied)).isEqualTo(20);
            assertThat(second.projections().verify("totals").ok()).isTrue();
        }
        assertThat(runnerLog.messages(Level.WARN)).anyMatch(m -> m.startsWith("projection 'totals': the checkpoint file "
                + file + " of 'totals' is damaged: checksum mismatch; it is rebuilt from position 0"));
    }

    @Test
    void a_sound_snapshot_that_does_not_fit_the_class_is_logged_and_the_projection_rebuilt() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        try (Rewind first = builder().storage(storage).build()) {
            stateAtLeast(first, append(first, 5));
        }
        Checkpoint saved = storage.projectionStore().load("totals").orElseThrow();
        storage.projectionStore().save(new Checkpoint(saved.name(), saved.version(), saved.origin(), saved.position(),
                saved.eventId(), saved.applied(), saved.hash(), saved.highWater(), saved.parked(), saved.skipped(),
                saved.decisions(), "{\"sums\":{\"c\":\"five\"}}".getBytes(StandardCharsets.UTF_8), saved.savedAt()));

        try (Rewind second = builder().storage(storage).build()) {
            assertThat(stateAtLeast(second, 4)).containsEntry("c", 5L);
        }
        assertThat(runnerLog.messages(Level.WARN)).anyMatch(m -> m.startsWith(
                "projection 'totals': its snapshot at position 4 cannot be read back (")
                && m.endsWith("); it is rebuilt from position 0"));
    }

    @Test
    void a_snapshot_newer_than_the_store_is_detected_a_store_restored_from_an_older_backup() throws Exception {
        InMemoryProjectionStore projections = new InMemoryProjectionStore();
        InMemoryStorage live = new InMemoryStorage();
        InMemoryStorage backup = new InMemoryStorage();
        try (Rewind app = builder().storage(live).projectionStore(projections).build();
             Rewind copy = Rewind.builder().discoverPlugins(false).eventTypes(Fixtures.EVENTS).storage(backup).build()) {
            long last = append(app, 12);
            stateAtLeast(app, last);
            for (StoredEvent<?> e : app.store().readAll(0, 8)) { // the backup was taken after 8 events
                copy.store().append(e.streamId(), ExpectedVersion.any(),
                        List.of(new NewEvent(e.eventId(), e.payload(), e.metadata())));
            }
        }

        try (Rewind restored = builder().storage(backup).projectionStore(projections).build()) {
            assertThat(stateAtLeast(restored, 7)).as("the state of the 8 events this store holds").containsEntry("c", 8L);
            assertThat(restored.projections().verify("totals").ok()).isTrue();
        }
        assertThat(runnerLog.messages(Level.ERROR)).containsExactly("projection 'totals': its checkpoint was taken after"
                + " position 11 but the store ends at position 7: the store is older than the checkpoint (restored from an"
                + " older backup?). Its snapshot holds events this store does not; it is rebuilt from position 0");
    }

    @Test
    void a_checkpoint_saved_by_another_instance_just_before_it_is_loaded_is_not_taken_for_one_of_a_newer_store() {
        InMemoryStorage storage = new InMemoryStorage();
        InMemoryProjectionStore shared = new InMemoryProjectionStore();
        try (Rewind owner = builder().storage(storage).projectionStore(shared).build()) {
            stateAtLeast(owner, append(owner, 10));
        }
        // Another instance appends 5 events and saves its checkpoint after them just as this one starts: between
        // the moment this one could have read the store's head and the moment it loads the checkpoint.
        ProjectionStore racing = new ForwardingProjectionStore(shared) {
            private boolean raced;

            @Override
            public Optional<Checkpoint> load(String name) {
                if (!raced) {
                    raced = true;
                    try (Rewind other = builder().storage(storage).projectionStore(shared).build()) {
                        stateAtLeast(other, append(other, 5));
                    }
                }
                return super.load(name);
            }
        };
        try (Rewind starting = builder().storage(storage).projectionStore(racing).build()) {
            assertThat(stateAtLeast(starting, 14)).containsEntry("c", 15L);
            assertThat(starting.projections().decisions("totals")).noneMatch(d -> d.kind() == Decision.Kind.CHECKPOINT_RESET);
            assertThat(starting.projections().status("totals").lastPosition()).isEqualTo(14);
        }
        assertThat(runnerLog.messages(Level.ERROR)).as("no checkpoint taken for one of another store").isEmpty();
    }

    @Test
    void a_file_store_restored_from_an_older_backup_beside_newer_projection_files_is_detected() throws Exception {
        Path live = dir.resolve("live");
        Path backup = dir.resolve("backup");
        try (Rewind app = builder().storage(FileStorage.open(live)).build()) {
            stateAtLeast(app, append(app, 8));
        }
        Files.createDirectories(backup);
        try (Stream<Path> files = Files.list(live)) { // the event log's backup: its files, not projections/
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, backup.resolve(f.getFileName()));
                }
            }
        }
        try (Rewind app = builder().storage(FileStorage.open(live)).build()) {
            stateAtLeast(app, append(app, 4));
        }
        Files.createDirectories(backup.resolve("projections")); // the projections' files survived the loss
        try (Stream<Path> files = Files.list(live.resolve("projections"))) {
            for (Path f : files.toList()) {
                Files.copy(f, backup.resolve("projections").resolve(f.getFileName()));
            }
        }

        try (Rewind restored = builder().storage(FileStorage.open(backup)).build()) {
            assertThat(stateAtLeast(restored, 7)).as("the 8 events the restored log holds, not 12").containsEntry("c", 8L);
            assertThat(restored.projections().verify("totals").ok()).isTrue();
        }
        assertThat(runnerLog.messages(Level.ERROR)).singleElement().satisfies(m -> assertThat(m)
                .contains("its checkpoint was taken after position 11 but the store ends at position 7")
                .contains("restored from an older backup?"));
    }

    @Test
    void a_checkpoint_of_another_store_is_detected_by_the_id_at_its_position() throws Exception {
        InMemoryProjectionStore projections = new InMemoryProjectionStore();
        try (Rewind app = builder().storage(new InMemoryStorage()).projectionStore(projections).build()) {
            stateAtLeast(app, append(app, 5));
        }
        InMemoryStorage another = new InMemoryStorage();
        try (Rewind filler = Rewind.builder().discoverPlugins(false).eventTypes(Fixtures.EVENTS).storage(another).build()) {
            append(filler, 9);
        }
        try (Rewind other = builder().storage(another).projectionStore(projections).build()) {
            assertThat(stateAtLeast(other, 8)).containsEntry("c", 9L);
        }
        assertThat(runnerLog.messages(Level.ERROR)).singleElement().satisfies(m ->
                assertThat(m).contains("but this store holds").contains("the checkpoint belongs to another store"));
    }

    @Test
    void a_projection_that_cannot_be_snapshotted_says_so_at_start_up_naming_the_class_and_the_fix_and_runs_without() {
        InMemoryStorage storage = new InMemoryStorage();
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Fixtures.EVENTS)
                .projection(Opaque.class).projectionSettings("opaque", ProjectionSettings.async()).build()) {
            long last = append(rewind, 3);
            assertThat(rewind.projections().<Long>state("opaque", ReadPoint.atLeast(last))).isEqualTo(3L);
        }
        assertThat(runtimeLog.messages(Level.WARN)).singleElement().satisfies(m -> assertThat(m)
                .startsWith("projection 'opaque' (" + Opaque.class.getName() + ") cannot be snapshotted: field 'last' of "
                        + Opaque.class.getName() + " has the type java.lang.Object, a JDK type")
                .contains("It runs without snapshots: replayed from position 0 at every start")
                .contains("Fix: give that state a type Jackson reads back"));
        assertThat(storage.projectionStore().load("opaque")).hasValueSatisfying(c -> assertThat(c.hasSnapshot()).isFalse());
        try (Rewind again = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Fixtures.EVENTS)
                .projection(Opaque.class).projectionSettings("opaque", ProjectionSettings.async()).build()) {
            assertThat(again.projections().<Long>state("opaque", ReadPoint.atLeast(2))).isEqualTo(3L);
        }
    }

    /**
     * A map and a set whose iteration order depends on their history (their tables grew, then emptied): as
     * a HashMap's and a HashSet's do. The set's JSON is an array, whose order the check used to hold against it.
     */
    @dev.rewind.annotation.Projection("shuffled")
    public static class Shuffled {
        private final Map<String, Long> byKey = new java.util.HashMap<>();
        private final java.util.Set<String> present = new java.util.HashSet<>();

        @dev.rewind.annotation.EventHandler
        void on(Added e) {
            if (e.by() < 0) {
                byKey.remove(e.counter());
                present.remove(e.counter());
            } else {
                byKey.put(e.counter(), e.by());
                present.add(e.counter());
            }
        }

        /** @return the values by key, of the keys the set holds too (so that a set lost on restore shows) */
        @dev.rewind.annotation.QueryState
        public Map<String, Long> state() {
            Map<String, Long> out = new java.util.HashMap<>(byKey);
            out.keySet().retainAll(present);
            return Map.copyOf(out);
        }
    }

    /** Three of 40 keys that a HashMap grown to 40 entries iterates in another order than a fresh one. */
    private static List<String> keysInAnotherOrder() {
        List<String> all = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "k" + i).toList();
        for (int a = 0; a < 40; a++) {
            for (int b = a + 1; b < 40; b++) {
                List<String> kept = List.of(all.get(a), all.get(b));
                Map<String, Long> grown = new java.util.HashMap<>();
                all.forEach(k -> grown.put(k, 1L));
                all.stream().filter(k -> !kept.contains(k)).forEach(grown::remove);
                Map<String, Long> fresh = new java.util.HashMap<>();
                kept.forEach(k -> fresh.put(k, 1L));
                if (!List.copyOf(grown.keySet()).equals(List.copyOf(fresh.keySet()))) {
                    return kept;
                }
            }
        }
        throw new AssertionError("no two keys change their order: the test needs others");
    }

    @Test
    void a_map_and_a_set_whose_order_depends_on_their_history_are_snapshotted_and_restored() {
        List<String> kept = keysInAnotherOrder();
        InMemoryStorage storage = new InMemoryStorage();
        // the first snapshot, the one checked by reading it back, is taken at shutdown: after the map grew and shrank
        ProjectionSettings atShutdown = ProjectionSettings.async().snapshotEvery(1_000, java.time.Duration.ZERO);
        long last = -1;
        try (Rewind first = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Fixtures.EVENTS)
                .projection(Shuffled.class).projectionSettings("shuffled", atShutdown).build()) {
            for (int i = 0; i < 40; i++) {
                first.store().append("s", ExpectedVersion.any(), List.of(new Added("k" + i, i)));
            }
            for (int i = 0; i < 40; i++) {
                if (!kept.contains("k" + i)) {
                    last = first.store().append("s", ExpectedVersion.any(), List.of(new Added("k" + i, -1))).lastPosition();
                }
            }
            assertThat(first.projections().<Map<String, Long>>state("shuffled", ReadPoint.atLeast(last))).hasSize(2);
        }
        assertThat(runnerLog.messages()).as("the snapshot's check does not depend on the map's and the set's history")
                .noneMatch(m -> m.contains("cannot be snapshotted"));
        assertThat(storage.projectionStore().load("shuffled").orElseThrow().hasSnapshot()).isTrue();

        try (Rewind second = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Fixtures.EVENTS)
                .projection(Shuffled.class).projectionSettings("shuffled", atShutdown).build()) {
            Map<String, Long> restored = second.projections().state("shuffled", ReadPoint.atLeast(last));
            assertThat(restored.keySet()).containsExactlyInAnyOrderElementsOf(kept);
        }
    }
}
