package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Rewind;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.contract.ContractFixtures;
import dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A transaction held open for 10 s on another connection to the database, as README documents it:
 * an ordinary transaction (with a transaction id and an old snapshot) holds up no reader and no
 * append, because positions become visible in position order and a reader needs nothing from other
 * transactions; a session holding the store's append lock holds up appends (not reads), and a WARN
 * names its backend pid, state and query while it does.
 */
class LongTransactionTest extends FreshSchemaTest {
    private static final Duration HELD = Duration.ofSeconds(10);

    @RegisterExtension
    final LogCapture stalls = new LogCapture(StallWatch.class, Level.INFO);

    LongTransactionTest() {
        super(TestDatabase.schema("long_transaction"));
    }

    @Test
    void a_transaction_held_open_for_10_s_elsewhere_holds_up_no_reader_and_no_append() throws Exception {
        Map<Long, Long> appendedAt = new ConcurrentHashMap<>();
        Map<Long, Long> seenAt = new ConcurrentHashMap<>();
        try (Connection other = TestDatabase.connect();
             Rewind reader = ContractFixtures.builder().storage(TestDatabase.builder(schema).build()).build();
             Rewind writer = ContractFixtures.builder().storage(TestDatabase.builder(schema).build()).build()) {
            reader.store().subscribe(e -> seenAt.put(e.globalPosition(), System.nanoTime()));
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                st.execute("SELECT count(*) FROM " + PostgresSettings.quote(schema) + ".rewind_events"); // an old snapshot
                st.execute("SELECT pg_current_xact_id()"); // a transaction id, older than every append's
            }
            long start = System.nanoTime();
            long end = start + HELD.toNanos();
            for (int i = 0; System.nanoTime() < end - 500_000_000L; i++) {
                var result = writer.store().append("order-" + i, ExpectedVersion.noStream(), List.of(new Placed("o", i)));
                appendedAt.put(result.events().get(0).globalPosition(), System.nanoTime());
                LockSupport.parkNanos(200_000_000L); // one append every 200 ms while the transaction is open
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (seenAt.size() < appendedAt.size() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000L);
            }
            holdUntil(end);
            try (Statement st = other.createStatement();
                 ResultSet rs = st.executeQuery("SELECT extract(epoch FROM clock_timestamp() - xact_start) FROM pg_stat_activity"
                         + " WHERE pid = pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getDouble(1)).as("seconds the other transaction was open").isGreaterThanOrEqualTo(10);
            }
            other.rollback();
        }
        assertThat(appendedAt).hasSizeGreaterThan(20);
        List<Long> late = new ArrayList<>();
        appendedAt.forEach((position, at) -> {
            Long seen = seenAt.get(position);
            if (seen == null || seen - at > TimeUnit.SECONDS.toNanos(5)) {
                late.add(position);
            }
        });
        assertThat(late).as("positions not given to the reader within 5 s of their append, while the other"
                + " transaction was open").isEmpty();
        assertThat(stalls.events()).as("nothing reported as stalled").isEmpty();
    }

    @Test
    void a_session_holding_the_stores_lock_for_10_s_holds_up_appends_not_reads_and_a_warning_names_its_pid()
            throws Exception {
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try (PostgresStorage watched = TestDatabase.builder(schema).stallWarning(Duration.ofSeconds(2)).build();
             Connection holder = TestDatabase.connect()) {
            watched.append("before", ExpectedVersion.noStream(), TestRecords.batch(2, "before"), Clock.systemUTC());
            holder.setAutoCommit(false);
            int holderPid;
            try (Statement st = holder.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                holderPid = rs.getInt(1);
            }
            try (PreparedStatement lock = holder.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, watched.lockKey());
                lock.execute();
            }
            long end = System.nanoTime() + HELD.toNanos();
            Future<AppendOutcome> held = threads.submit(() -> watched.append("held", ExpectedVersion.noStream(),
                    TestRecords.batch(1, "held"), Clock.systemUTC()));

            ILoggingEvent warning = awaitLogged(Level.WARN, 8);
            assertThat(warning.getFormattedMessage())
                    .startsWith("PostgreSQL storage (schema '" + schema + "'): appending 1 event to stream 'held'"
                            + " (backend pid ")
                    .contains(" for backend pid " + holderPid + " (state 'idle in transaction', transaction open for ")
                    .contains("query 'SELECT pg_advisory_xact_lock($1)')")
                    .endsWith("; it goes on when that transaction ends (end it with SELECT pg_terminate_backend(pid)"
                            + " if it is stuck)");
            long t0 = System.nanoTime();
            assertThat(watched.nextPosition()).isEqualTo(2);
            assertThat(watched.read(0, Long.MAX_VALUE, e -> { })).isEqualTo(2);
            assertThat(System.nanoTime() - t0).as("reads while appends wait, in ns").isLessThan(TimeUnit.SECONDS.toNanos(2));
            assertThat(held).isNotDone();

            holdUntil(end);
            holder.commit();

            assertThat(held.get(30, TimeUnit.SECONDS).firstPosition()).isEqualTo(2);
            assertThat(awaitLogged(Level.INFO, 10).getFormattedMessage())
                    .startsWith("PostgreSQL storage (schema '" + schema + "'): appending 1 event to stream 'held' went"
                            + " on after waiting ");
        } finally {
            threads.shutdownNow();
        }
    }

    /** Keeps the transaction of the scenario open until {@code end} (the scenario's 10 s, not a wait for something). */
    private static void holdUntil(long end) {
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private ILoggingEvent awaitLogged(Level level, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            for (ILoggingEvent e : stalls.events()) {
                if (e.getLevel() == level) {
                    return e;
                }
            }
            assertThat(System.nanoTime()).as("a %s from the stall watch within %d s", level, seconds).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
