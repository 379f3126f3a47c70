package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.rewind.EventStore;
import dev.rewind.LogCapture;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ProjectionVerification;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.Counting;
import dev.rewind.projection.runtime.Fixtures.Totals;
import dev.rewind.storage.file.FileStorage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM runs projections (asynchronous with frequent snapshots and past states, synchronous with
 * snapshots) over a file store while three threads append, and is killed with SIGKILL after a random
 * number of acknowledged appends (never after a bare sleep), at least 20 times on the same store. After
 * each kill the store is opened again: every projection, restored from whatever checkpoint survived,
 * must equal the state computed from the whole store, and {@code verify} must find no skipped or
 * repeated event. Set {@code -Drewind.test.seed=N} to replay a run; the seed is printed and named in
 * every assertion.
 */
class ProjectionCrashTest {
    private static final int ROUNDS = 20;

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture runnerLog = new LogCapture(runner());

    private static Class<?> runner() {
        try {
            return Class.forName("dev.rewind.internal.projection.Runner");
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    static Rewind.Builder app(Path dir) {
        return Rewind.builder().discoverPlugins(false).storage(FileStorage.open(dir)).eventTypes(Fixtures.EVENTS)
                .projection(Totals.class).projection(Counting.class)
                .projectionSettings("totals", ProjectionSettings.async().batchSize(16)
                        .snapshotEvery(37, Duration.ofMillis(20)).history(25, 10, 1L << 20))
                .projectionSettings("counting", ProjectionSettings.sync().snapshotEvery(23, Duration.ofMillis(30)));
    }

    @Test
    void every_projection_equals_a_full_rebuild_and_verifies_after_each_sigkill() throws Exception {
        long seed = Long.getLong("rewind.test.seed", System.nanoTime());
        System.out.println("ProjectionCrashTest seed " + seed + " (replay with -Drewind.test.seed=" + seed + ")");
        Random random = new Random(seed);
        long acknowledged = -1;
        int restoredFromSnapshot = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String where = "round " + round + " of seed " + seed;
            int acksBeforeKill = 1 + random.nextInt(round % 3 == 0 ? 300 : 60);
            try (Child child = new Child(CrashingApp.class, dir.toString(), Long.toString(random.nextLong()))) {
                String ready = child.lines.poll(60, TimeUnit.SECONDS);
                assertThat(ready).as("%s: the child's first line", where).startsWith("READY ");
                int acks = 0;
                String line;
                while (acks < acksBeforeKill && (line = child.lines.poll(60, TimeUnit.SECONDS)) != null
                        && !line.equals("EOF")) {
                    if (line.startsWith("ACK ")) {
                        acks++;
                        acknowledged = Math.max(acknowledged, Long.parseLong(line.substring(4)));
                    }
                }
                assertThat(acks).as("%s: acknowledgements before the kill", where).isEqualTo(acksBeforeKill);
                child.kill();
            }
            try (FileStorage look = FileStorage.openReadOnly(dir)) {
                if (look.projectionStore().load("totals").filter(c -> c.hasSnapshot()).isPresent()) {
                    restoredFromSnapshot++;
                }
            }
            try (Rewind rewind = app(dir).build()) {
                long head = rewind.store().nextPosition();
                assertThat(head - 1).as("%s: every acknowledged append is stored", where).isGreaterThanOrEqualTo(acknowledged);
                Expected expected = Expected.of(rewind.store());
                Map<String, Long> totals = rewind.projections().state("totals", ReadPoint.atLeast(head - 1)
                        .within(Duration.ofSeconds(60)));
                assertThat(totals).as("%s: totals", where).isEqualTo(expected.sums);
                assertThat(rewind.projections().query(Totals.class, Totals::versions))
                        .as("%s: every stream in order, each event once", where).isEqualTo(expected.versions);
                assertThat(rewind.projections().<Map<String, Long>>state("counting"))
                        .as("%s: counting", where).isEqualTo(expected.sums);
                for (String name : List.of("totals", "counting")) {
                    ProjectionVerification v = rewind.projections().verify(name);
                    assertThat(v.problem()).as("%s: verify %s", where, name).isNull();
                    assertThat(v.appliedEvents()).as("%s: %s applied", where, name).isEqualTo(head);
                }
                long mid = head / 2;
                assertThat(rewind.projections().<Map<String, Long>>stateAtPosition("totals", mid))
                        .as("%s: totals as of position %s", where, mid).isEqualTo(Expected.of(rewind.store(), mid).sums);
            }
        }
        assertThat(restoredFromSnapshot).as("seed %s: rounds that started from a snapshot", seed)
                .isGreaterThanOrEqualTo(ROUNDS / 2);
        assertThat(runnerLog.messages(Level.WARN)).as("seed %s: no snapshot was unusable", seed).isEmpty();
        assertThat(runnerLog.messages(Level.ERROR)).as("seed %s: no checkpoint was taken from another history", seed)
                .isEmpty();
        FileStorage.deleteStore(dir); // whatever a kill left in projections/ is recognised as the store's
        try (var left = Files.list(dir)) {
            assertThat(left).as("seed %s: the store's files, all removed", seed).isEmpty();
        }
    }

    /** What the projections must hold: computed from the store with no projection code. */
    record Expected(Map<String, Long> sums, Map<String, List<Long>> versions) {
        static Expected of(EventStore store) {
            return of(store, store.nextPosition() - 1);
        }

        static Expected of(EventStore store, long upTo) {
            Map<String, Long> sums = new TreeMap<>();
            Map<String, List<Long>> versions = new TreeMap<>();
            store.replay(0, upTo + 1, e -> {
                if (e.payload() instanceof Added a) {
                    sums.merge(a.counter(), a.by(), Long::sum);
                    versions.computeIfAbsent(e.streamId(), k -> new ArrayList<>()).add(e.streamVersion());
                }
            });
            return new Expected(sums, versions);
        }
    }

    /** The program the child runs: the projections above, and three appending threads printing "ACK position". */
    static final class CrashingApp {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            long seed = Long.parseLong(args[1]);
            PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                    StandardCharsets.UTF_8);
            Rewind rewind = app(dir).build();
            out.println("READY " + rewind.store().nextPosition());
            out.flush();
            for (int t = 0; t < 3; t++) {
                Random random = new Random(seed + t);
                int thread = t;
                new Thread(() -> {
                    while (true) {
                        List<Added> batch = new ArrayList<>();
                        int size = 1 + random.nextInt(5);
                        for (int k = 0; k < size; k++) {
                            batch.add(new Added("c" + random.nextInt(7), 1 + random.nextInt(100)));
                        }
                        long last = rewind.store().append("t" + thread + "-" + random.nextInt(9), ExpectedVersion.any(),
                                batch).lastPosition();
                        synchronized (out) {
                            out.println("ACK " + last);
                            out.flush();
                        }
                    }
                }).start();
            }
        }
    }

    /** A child JVM with its stdout lines in a queue. */
    static final class Child implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Child(Class<?> main, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=none",
                    "-cp", System.getProperty("java.class.path"), main.getName()));
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the child was killed
                }
                lines.add("EOF");
            }, "child-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux), then waits. */
        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the killed child", e);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                kill();
            }
        }
    }
}
