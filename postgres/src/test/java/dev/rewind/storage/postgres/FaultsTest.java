package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection killed mid-batch (the server restarted under load is part of {@link TailingProofTest}).
 */
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
}
