package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Rewind;
import dev.rewind.internal.DefaultEventStore;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.contract.ContractFixtures;
import dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a caller is told when the connection breaks around an append, with the network cut at exact
 * points by a proxy: after the commit (the batch may have been written: retry with the same ids, and
 * the retry finds it), before anything was sent (nothing was written), and right after the answer
 * (the append returns its result; delivery to subscribers catches up once the database is back).
 */
class CommitOutcomeTest extends FreshSchemaTest {
    @RegisterExtension
    final LogCapture logged = new LogCapture(DefaultEventStore.class);
    private CuttingProxy proxy;

    CommitOutcomeTest() {
        super(TestDatabase.schema("commit_outcome"));
    }

    @BeforeEach
    void proxy() throws Exception {
        proxy = new CuttingProxy();
    }

    @AfterEach
    void closeProxy() throws Exception {
        proxy.close();
    }

    private PostgresStorage throughProxy(int poolSize) {
        return throughProxy(poolSize, Duration.ofMillis(200));
    }

    private PostgresStorage throughProxy(int poolSize, Duration pollInterval) {
        return PostgresStorage.builder(proxy.url()).user(TestDatabase.USER).password(TestDatabase.PASSWORD)
                .schema(schema).poolSize(poolSize).pollInterval(pollInterval)
                .connectionTimeout(Duration.ofSeconds(1)).build();
    }

    @Test
    void an_answer_lost_after_the_commit_says_the_batch_may_have_been_written_and_a_retry_finds_it() {
        try (PostgresStorage remote = throughProxy(2)) {
            remote.append("order-1", ExpectedVersion.noStream(), TestRecords.batch(1, "first"), Clock.systemUTC());
            List<SerializedEvent> batch = TestRecords.batch(3, "lost answer");
            proxy.loseAnswerTo("rewind_append_group");

            assertThatThrownBy(() -> remote.append("order-1", ExpectedVersion.exactly(0), batch, Clock.systemUTC()))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageStartingWith("PostgreSQL storage unavailable while appending 3 events to stream"
                            + " 'order-1' (SQLState 08")
                    .hasMessageEndingWith("): the connection broke after the batch was sent, so the batch may have"
                            + " been written: retry with the same event ids (a batch that was written comes back as"
                            + " alreadyAppended, and nothing is written twice)")
                    .satisfies(e -> assertThat(((StorageUnavailableException) e).mayHaveBeenWritten()).isTrue());
            assertThat(storage.positionOf(batch.get(0).eventId())).as("committed before the answer was lost")
                    .isEqualTo(1);

            AppendOutcome retried = remote.append("order-1", ExpectedVersion.exactly(0), batch, Clock.systemUTC());

            assertThat(retried.alreadyAppended()).isTrue();
            assertThat(retried.firstPosition()).isEqualTo(1);
            assertThat(retried.firstVersion()).isEqualTo(1);
            assertThat(storage.nextPosition()).isEqualTo(4);
        }
    }

    @Test
    void an_append_that_gets_no_connection_says_nothing_was_written() {
        try (PostgresStorage remote = throughProxy(1)) {
            remote.append("order-1", ExpectedVersion.noStream(), TestRecords.batch(1, "first"), Clock.systemUTC());
            proxy.down();
            assertThatThrownBy(remote::nextPosition).isInstanceOf(StorageUnavailableException.class); // the pool drops its connection
            List<SerializedEvent> batch = TestRecords.batch(2, "no connection");

            assertThatThrownBy(() -> remote.append("order-1", ExpectedVersion.exactly(0), batch, Clock.systemUTC()))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageStartingWith("PostgreSQL storage unavailable while appending 2 events to stream"
                            + " 'order-1' (")
                    .hasMessageEndingWith("): nothing of the batch was written; retry once the database is back")
                    .satisfies(e -> assertThat(((StorageUnavailableException) e).mayHaveBeenWritten()).isFalse());
            assertThat(storage.positionOf(batch.get(0).eventId())).isEqualTo(-1);

            proxy.up();
            assertThat(remote.append("order-1", ExpectedVersion.exactly(0), batch, Clock.systemUTC()).firstPosition())
                    .isEqualTo(1);
        }
    }

    @Test
    void an_append_returns_its_result_when_the_database_goes_away_right_after_the_commit() throws Exception {
        List<Long> seen = new CopyOnWriteArrayList<>();
        // No periodic poll: the reader's store learns of what it did not append only when told.
        PostgresStorage remote = throughProxy(2, Duration.ofHours(1));
        CountDownLatch listening = new CountDownLatch(1);
        remote.onAppended(next -> listening.countDown()); // told once the listener is up and has read the head
        assertThat(listening.await(30, TimeUnit.SECONDS)).as("the listener's first look at the head").isTrue();
        try (Rewind reader = ContractFixtures.builder().storage(remote).build()) {
            reader.store().subscribe(e -> seen.add(e.globalPosition()));
            // Written behind the store's back (no notification): the reader's store must read it from the
            // table before it can deliver its own append.
            try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + PostgresSettings.quote(schema) + ".rewind_events (" + Rows.COLUMNS
                        + ", batch_first, batch_size) VALUES (0, 'elsewhere', 0, gen_random_uuid(), 'Placed', 1, now(),"
                        + " 0, convert_to('{\"id\":\"0\",\"quantity\":1}', 'UTF8'), NULL, NULL, '{}', 0, 1)");
            }
            proxy.downAfterAnswerTo("rewind_append_group");

            AppendResult result = reader.store().append("order-1", ExpectedVersion.noStream(), List.of(new Placed("1", 2)));

            assertThat(result.alreadyAppended()).isFalse();
            assertThat(result.events()).singleElement().satisfies(e -> assertThat(e.globalPosition()).isEqualTo(1));
            assertThat(storage.positionOf(result.events().get(0).eventId())).isEqualTo(1);
            assertThat(logged.events()).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).startsWith("appended 1 events to stream 'order-1' at global"
                        + " positions 1..1, but delivering them to subscribers failed (")
                        .endsWith("); they are delivered with the next append or notification");
            });

            proxy.up();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(seen).as("delivered once the database is back (the listener reconnects and reads the next"
                    + " position)").containsExactly(0L, 1L);
        }
    }
}
