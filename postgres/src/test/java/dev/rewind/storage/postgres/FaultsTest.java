package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** Connections killed mid-batch and a server restarted under load. */
class FaultsTest extends FreshSchemaTest {
    private static final String SCHEMA = TestDatabase.schema("faults");

    FaultsTest() {
        super(SCHEMA);
    }

    @Test
    void a_connection_killed_mid_batch_writes_nothing_fails_retryably_and_the_retry_succeeds_exactly_once() {
        storage.append("order-1", ExpectedVersion.noStream(), TestRecords.batch(1, "before"), Clock.systemUTC());
        List<SerializedEvent> batch = TestRecords.batch(5, "killed");
        storage.beforeCommit = FaultsTest::terminateOwnBackend; // the batch is written, the commit never happens

        assertThatThrownBy(() -> storage.append("order-1", ExpectedVersion.exactly(0), batch, Clock.systemUTC()))
                .isInstanceOf(StorageUnavailableException.class)
                .hasMessageStartingWith("PostgreSQL storage unavailable while appending 5 events to stream 'order-1'"
                        + " (SQLState ")
                .hasMessageEndingWith("): the connection broke after the batch was sent, so the batch may have been"
                        + " written: retry with the same event ids (a batch that was written comes back as"
                        + " alreadyAppended, and nothing is written twice)")
                .satisfies(e -> assertThat(((StorageUnavailableException) e).mayHaveBeenWritten()).isTrue());
        assertThat(storage.nextPosition()).isEqualTo(1);
        assertThat(storage.lastVersion("order-1")).isZero();
        for (SerializedEvent r : batch) {
            assertThat(storage.positionOf(r.eventId())).isEqualTo(-1);
        }

        storage.beforeCommit = null;
        AppendOutcome retried = storage.append("order-1", ExpectedVersion.exactly(0), batch, Clock.systemUTC());
        AppendOutcome again = storage.append("order-1", ExpectedVersion.exactly(0), batch, Clock.systemUTC());

        assertThat(retried.alreadyAppended()).isFalse();
        assertThat(retried.firstPosition()).isEqualTo(1);
        assertThat(batch).extracting(r -> storage.positionOf(r.eventId())).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(again.alreadyAppended()).isTrue();
        assertThat(again).as("the original numbers").isEqualTo(new AppendOutcome(retried.firstVersion(),
                retried.firstPosition(), retried.recordedAt(), true));
        assertThat(storage.nextPosition()).isEqualTo(6);
    }

    /** Ends this connection's server process from another session, as an operator or a crash would. */
    private static void terminateOwnBackend(Connection c) throws java.sql.SQLException {
        int pid;
        try (PreparedStatement q = c.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = q.executeQuery()) {
            rs.next();
            pid = rs.getInt(1);
        }
        try (Connection other = TestDatabase.connect();
             PreparedStatement kill = other.prepareStatement("SELECT pg_terminate_backend(?, 10000)")) {
            kill.setInt(1, pid);
            try (ResultSet rs = kill.executeQuery()) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("pg_terminate_backend(%d)", pid).isTrue();
            }
        }
    }

    /** Restarting the server disturbs every other user of it: only in CI, or when asked. */
    static boolean restartAllowed() {
        return "true".equalsIgnoreCase(System.getenv("CI"))
                || "true".equalsIgnoreCase(System.getenv("REWIND_PG_RESTART_TEST"));
    }

    @Test
    @EnabledIf("restartAllowed")
    void appenders_survive_a_server_restart_and_nothing_acknowledged_is_lost() throws Exception {
        int writers = 4;
        Map<UUID, Long> acknowledged = new ConcurrentHashMap<>();
        Set<String> errors = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch warmedUp = new CountDownLatch(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                int writer = w;
                results.add(pool.submit(() -> appendUntilStopped(writer, acknowledged, errors, stop, warmedUp)));
            }
            assertThat(warmedUp.await(60, TimeUnit.SECONDS)).isTrue();
            restartServer();
            long countAfterRestart = acknowledged.size();
            // Keep going until every writer has appended again after the restart (bounded).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledged.size() < countAfterRestart + 40 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            stop.set(true);
            for (Future<Integer> f : results) {
                assertThat(f.get(2, TimeUnit.MINUTES)).as("appends that failed for good").isZero();
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        assertThat(acknowledged.size()).isGreaterThan(40);
        assertThat(errors).allSatisfy(e -> assertThat(e).startsWith("StorageUnavailableException: PostgreSQL storage"
                + " unavailable while "));
        for (Map.Entry<UUID, Long> ack : acknowledged.entrySet()) {
            assertThat(storage.positionOf(ack.getKey())).as("acknowledged event %s", ack.getKey())
                    .isEqualTo(ack.getValue());
        }
        assertThat(storage.nextPosition()).isEqualTo(acknowledged.size());
        System.out.printf("restart test: %d appends acknowledged, distinct errors seen: %s%n", acknowledged.size(), errors);
    }

    /** Appends 2-event batches; a batch that fails is retried with the same ids (for up to 60 s). */
    private int appendUntilStopped(int writer, Map<UUID, Long> acknowledged, Set<String> errors, AtomicBoolean stop,
                                   CountDownLatch warmedUp) throws InterruptedException {
        int lostForGood = 0;
        for (int i = 0; !stop.get(); i++) {
            List<SerializedEvent> batch = TestRecords.batch(2, "writer-" + writer + "-" + i);
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    AppendOutcome out = storage.append("writer-" + writer, ExpectedVersion.any(), batch, Clock.systemUTC());
                    for (int e = 0; e < batch.size(); e++) {
                        acknowledged.put(batch.get(e).eventId(), out.firstPosition() + e);
                    }
                    break;
                } catch (RuntimeException e) {
                    errors.add(e.getClass().getSimpleName() + ": " + e.getMessage().replaceAll("\\(.*", ""));
                    if (System.nanoTime() > giveUp) {
                        lostForGood++;
                        break;
                    }
                    Thread.sleep(100);
                }
            }
            if (i == 5) {
                warmedUp.countDown();
            }
        }
        return lostForGood;
    }

    private static void restartServer() throws IOException, InterruptedException {
        String[] cluster = localCluster();
        Process p = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", cluster[0], cluster[1], "restart",
                "-m", "fast").inheritIO().start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("pg_ctlcluster restart finished").isTrue();
        assertThat(p.exitValue()).as("pg_ctlcluster restart exit code").isZero();
    }

    /** @return version and name of the local cluster on port 5432, from pg_lsclusters */
    private static String[] localCluster() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pg_lsclusters", "-h").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[2].equals("5432")) {
                return new String[] {f[0], f[1]};
            }
        }
        throw new IllegalStateException("no PostgreSQL cluster on port 5432 in pg_lsclusters: " + out);
    }
}
