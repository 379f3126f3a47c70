package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An append in flight when its client dies. PostgreSQL does not look at a client's socket while the
 * client's statement waits for a lock, so a server process whose client was killed meanwhile would take
 * the lock later and commit the batch after the client was gone. Rewind's append asks the server to
 * check its client every {@value Appender#CLIENT_CHECK_MILLIS} ms while it runs
 * ({@code client_connection_check_interval}, PostgreSQL 14+): the server process notices the dead client
 * while it waits and rolls the batch back (docs/adr/0010-postgres-appends.md).
 */
class DeadClientTest extends FreshSchemaTest {
    DeadClientTest() {
        super(TestDatabase.schema("dead_client"));
    }

    @Test
    void an_append_whose_client_dies_while_it_waits_for_the_lock_is_rolled_back_and_never_committed() throws Exception {
        long seed = new SecureRandom().nextLong() & Long.MAX_VALUE;
        String application = "i16-dead-client-" + seed;
        try (Connection holder = TestDatabase.connect();
             ChildJvm client = new ChildJvm("the client", ProofPrograms.AppendOnce.class, schema,
                     Long.toString(seed), application)) {
            client.await("READY", 60); // its store is open: the migration at start-up takes the lock too
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, storage.lockKey());
                lock.execute();
            }
            client.send("GO");
            int pid = awaitBackend(application, "wait_event_type = 'Lock' AND query LIKE '%rewind_append_group%'");
            client.kill();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (alive(pid)) {
                assertThat(System.nanoTime()).as("server process %d ended within 15 s of its client's death, while"
                        + " the store's lock was still held", pid).isLessThan(deadline);
                Thread.sleep(50);
            }
            holder.commit();
        }

        for (int k = 0; k < 3; k++) {
            assertThat(storage.positionOf(ProofPrograms.id(seed, 0, 0, 0, k))).as("event %d of the dead client's batch", k)
                    .isEqualTo(-1);
        }
        assertThat(storage.nextPosition()).isZero();
    }

    /** @return the pid of the one server process of {@code application} matching {@code where}, once there is one */
    private static int awaitBackend(String application, String where) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = TestDatabase.connect(); PreparedStatement q = c.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = ? AND " + where)) {
            q.setString(1, application);
            while (true) {
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        return rs.getInt(1);
                    }
                }
                assertThat(System.nanoTime()).as("a server process of %s where %s, within 30 s", application, where)
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    private static boolean alive(int pid) throws SQLException {
        try (Connection c = TestDatabase.connect();
             PreparedStatement q = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
            q.setInt(1, pid);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }
}
