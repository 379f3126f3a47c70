package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Polls;
import dev.rewind.Rewind;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.storage.postgres.OwnedProjectionTest.Counted;
import dev.rewind.storage.postgres.OwnedProjectionTest.Sums;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection killed mid-batch (the server restarted under load is part of {@link TailingProofTest}); an
 * asynchronous projection whose database cannot be reached for a while.
 */
class FaultsTest extends FreshSchemaTest {
    private static final String SCHEMA = TestDatabase.schema("faults");

    /** The projection runtime's log (its runner class is internal: named, not referenced). */
    @RegisterExtension
    final LogCapture runtime = new LogCapture(runnerClass());

    private static Class<?> runnerClass() {
        try {
            return Class.forName("dev.rewind.internal.projection.Runner");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

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

    @Test
    void an_asynchronous_projection_outlives_a_database_it_cannot_reach_and_catches_up_once_it_can() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(); PostgresStorage cut = throughProxy(proxy);
             Rewind rewind = sumsOn(cut); Rewind writer = writerOn(TestDatabase.builder(SCHEMA).build())) {
            AppendResult first = add(writer, 2);
            rewind.projections().state("owned_sums", ReadPoint.atLeast(first.lastPosition()).within(Duration.ofSeconds(10)));

            proxy.down(); // every connection cut, new ones refused: the worker's next read of the head fails
            Polls.until(() -> runtime.messages().stream().anyMatch(m -> m.contains("'owned_sums'")
                            && (m.contains("cannot read the store's head") || m.contains("stopped unexpectedly"))),
                    Duration.ofSeconds(10), "the worker to find the database out of reach");
            proxy.up();

            AppendResult more = add(writer, 3);
            Map<String, Long> sums = rewind.projections().state("owned_sums",
                    ReadPoint.atLeast(more.lastPosition()).within(Duration.ofSeconds(10)));
            assertThat(sums).as("the worker went on once the database was back").containsEntry("x", 5L);
            assertThat(runtime.messages()).noneMatch(m -> m.contains("stopped unexpectedly"));
        }
    }

    @Test
    void an_asynchronous_projection_whose_read_of_events_loses_its_connection_reads_them_again() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(); PostgresStorage cut = throughProxy(proxy);
             Rewind rewind = sumsOn(cut); Rewind writer = writerOn(TestDatabase.builder(SCHEMA).build())) {
            AppendResult first = add(writer, 2);
            rewind.projections().state("owned_sums", ReadPoint.atLeast(first.lastPosition()).within(Duration.ofSeconds(10)));

            // the worker reads events appended by another instance from the table: that read's answer is lost
            proxy.loseAnswerTo("WHERE global_position >= $1 ORDER BY global_position");
            AppendResult more = add(writer, 3);
            Map<String, Long> sums = rewind.projections().state("owned_sums",
                    ReadPoint.atLeast(more.lastPosition()).within(Duration.ofSeconds(10)));
            assertThat(sums).as("the events were read again, not taken for unreadable").containsEntry("x", 5L);
            assertThat(runtime.messages()).anyMatch(m -> m.contains("'owned_sums': cannot read the events after position"));
            assertThat(runtime.messages()).noneMatch(m -> m.contains("cannot read the event at global position"));
        }
    }

    /** @return a storage whose connections pass through the proxy, and wait half a second at most for one */
    private static PostgresStorage throughProxy(CuttingProxy proxy) {
        return PostgresStorage.builder(proxy.url()).user(TestDatabase.USER).password(TestDatabase.PASSWORD)
                .schema(SCHEMA).poolSize(2).pollInterval(Duration.ofMillis(200)).connectionTimeout(Duration.ofMillis(500))
                .build();
    }

    /** @return an instance with one asynchronous in-memory projection, the sums per counter */
    private static Rewind sumsOn(PostgresStorage storage) {
        return Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Counted.class).projection(Sums.class)
                .projectionSettings("owned_sums", ProjectionSettings.async()).build();
    }

    /** @return an instance with no projection, to append as another instance would */
    private static Rewind writerOn(PostgresStorage storage) {
        return Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Counted.class).build();
    }

    private static AppendResult add(Rewind writer, long by) {
        return writer.store().append("counter-x", ExpectedVersion.any(), List.of(new Counted("x", by)));
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
