package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Groups, made deterministic: the test holds the store's lock from another session, so the first append
 * waits for it inside the server while the next ones queue behind it; when the test lets go, those go
 * as one group. Each batch of a group is settled as if the batches had been appended one after
 * another, and keeps its own outcome.
 */
class GroupAppendTest extends FreshSchemaTest {
    private ExecutorService threads;
    private Connection holder;

    GroupAppendTest() {
        super(TestDatabase.schema("group_append"));
    }

    @BeforeEach
    void threads() {
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() throws SQLException {
        if (holder != null) {
            holder.close();
        }
        threads.shutdownNow();
    }

    @Test
    void a_group_settles_each_batch_as_if_they_were_appended_one_after_another() throws Exception {
        Future<AppendOutcome> first = queueBehindTheLock("first", ExpectedVersion.noStream(), TestRecords.batch(1, "first"));
        List<SerializedEvent> t = TestRecords.batch(1, "t");
        List<SerializedEvent> s = TestRecords.batch(2, "s");
        Future<AppendOutcome> s1 = queue(1, "s", ExpectedVersion.noStream(), s);
        Future<AppendOutcome> s2 = queue(2, "s", ExpectedVersion.exactly(1), TestRecords.batch(1, "s2"));
        Future<AppendOutcome> stale = queue(3, "s", ExpectedVersion.exactly(1), TestRecords.batch(1, "stale"));
        Future<AppendOutcome> t1 = queue(4, "t", ExpectedVersion.noStream(), t);
        List<SerializedEvent> sharing = List.of(TestRecords.batch(1, "u").get(0), s.get(1));
        Future<AppendOutcome> duplicate = queue(5, "u", ExpectedVersion.any(), sharing);
        Future<AppendOutcome> again = queue(6, "t", ExpectedVersion.noStream(), t);
        long groupsBefore = storage.appender().groups();

        holder.commit();

        assertThat(first.get(30, TimeUnit.SECONDS).firstPosition()).isZero();
        AppendOutcome out1 = s1.get(30, TimeUnit.SECONDS);
        AppendOutcome out2 = s2.get(30, TimeUnit.SECONDS);
        AppendOutcome outT = t1.get(30, TimeUnit.SECONDS);
        assertThat(storage.appender().groups() - groupsBefore).as("the waiting append's group, then one more")
                .isEqualTo(2);
        assertThat(out1).extracting(AppendOutcome::firstVersion, AppendOutcome::firstPosition).containsExactly(0L, 1L);
        assertThat(out2).as("the second batch of 's' in the group expects the first one's end")
                .extracting(AppendOutcome::firstVersion, AppendOutcome::firstPosition).containsExactly(2L, 3L);
        assertThat(outT).extracting(AppendOutcome::firstVersion, AppendOutcome::firstPosition).containsExactly(0L, 4L);
        assertThat(out2.recordedAt()).as("one instant per group").isEqualTo(out1.recordedAt()).isEqualTo(outT.recordedAt());
        assertThatThrownBy(() -> unwrap(stale))
                .isInstanceOf(ConcurrencyConflictException.class)
                .hasMessage("concurrency conflict on stream 's': expected version 1, but the stream is at version 2");
        assertThatThrownBy(() -> unwrap(duplicate))
                .isInstanceOf(DuplicateEventIdException.class)
                .hasMessage("duplicate event id " + s.get(1).eventId() + ": already stored at global position 2"
                        + " (stream 's' version 1); nothing of this batch was written");
        assertThat(again.get(30, TimeUnit.SECONDS)).as("the same batch twice in one group: the second is an exact retry")
                .isEqualTo(new AppendOutcome(0, 4, outT.recordedAt(), true));
        assertThat(storage.nextPosition()).isEqualTo(5);
        assertThat(storage.lastVersion("s")).isEqualTo(2);
        assertThat(storage.positionOf(sharing.get(0).eventId())).isEqualTo(-1);
    }

    @Test
    void a_batch_the_server_refuses_fails_alone_and_the_rest_of_its_group_is_written() throws Exception {
        List<SerializedEvent> stored = TestRecords.batch(2, "stored");
        AppendOutcome original = storage.append("x", ExpectedVersion.noStream(), stored, Clock.systemUTC());
        Future<AppendOutcome> first = queueBehindTheLock("first", ExpectedVersion.noStream(), TestRecords.batch(1, "first"));
        Future<AppendOutcome> good = queue(1, "s", ExpectedVersion.noStream(), TestRecords.batch(2, "good"));
        Future<AppendOutcome> bad = queue(2, "no\u0000nul", ExpectedVersion.any(), TestRecords.batch(1, "bad"));
        Future<AppendOutcome> conflict = queue(3, "d", ExpectedVersion.exactly(5), TestRecords.batch(1, "conflict"));
        Future<AppendOutcome> next = queue(4, "s", ExpectedVersion.exactly(1), TestRecords.batch(1, "next"));
        Future<AppendOutcome> retry = queue(5, "x", ExpectedVersion.noStream(), stored);

        holder.commit();

        assertThat(first.get(30, TimeUnit.SECONDS).firstPosition()).isEqualTo(2);
        assertThat(good.get(30, TimeUnit.SECONDS)).extracting(AppendOutcome::firstVersion, AppendOutcome::firstPosition)
                .containsExactly(0L, 3L);
        assertThatThrownBy(() -> unwrap(bad))
                .isExactlyInstanceOf(EventStoreException.class)
                .hasMessageStartingWith("PostgreSQL storage failed while appending 1 event to stream 'no\u0000nul'"
                        + " (SQLState 22021: ")
                .hasMessageEndingWith("); nothing of the batch was written");
        assertThatThrownBy(() -> unwrap(conflict)).isInstanceOf(ConcurrencyConflictException.class)
                .hasMessage("concurrency conflict on stream 'd': expected version 5, but the stream does not exist yet");
        assertThat(next.get(30, TimeUnit.SECONDS)).extracting(AppendOutcome::firstVersion, AppendOutcome::firstPosition)
                .containsExactly(2L, 5L);
        assertThat(retry.get(30, TimeUnit.SECONDS)).isEqualTo(new AppendOutcome(0, 0, original.recordedAt(), true));
        assertThat(storage.nextPosition()).isEqualTo(6);
    }

    /**
     * Holds the store's lock from another session and starts an append that waits for it inside the
     * server: the appends queued next go as one group once {@link #holder} commits.
     */
    private Future<AppendOutcome> queueBehindTheLock(String stream, ExpectedVersion expected,
                                                     List<SerializedEvent> batch) throws Exception {
        holder = TestDatabase.connect();
        holder.setAutoCommit(false);
        try (PreparedStatement lock = holder.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, storage.lockKey());
            lock.execute();
        }
        Future<AppendOutcome> f = threads.submit(() -> storage.append(stream, expected, batch, Clock.systemUTC()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = TestDatabase.connect(); PreparedStatement q = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE '%rewind_append_group%' AND query LIKE ?")) {
            q.setString(1, "%" + schema + "%");
            while (true) {
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 1) {
                        return f;
                    }
                }
                assertThat(System.nanoTime()).as("an append waiting for the store's lock within 30 s").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    /** Starts an append and returns once it is the {@code n}-th batch queued behind the waiting one. */
    private Future<AppendOutcome> queue(int n, String stream, ExpectedVersion expected, List<SerializedEvent> batch)
            throws InterruptedException {
        Future<AppendOutcome> f = threads.submit(() -> storage.append(stream, expected, batch, Clock.systemUTC()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (storage.appender().queued() < n) {
            assertThat(System.nanoTime()).as("batch %d queued within 30 s", n).isLessThan(deadline);
            Thread.sleep(1);
        }
        return f;
    }

    private static AppendOutcome unwrap(Future<AppendOutcome> f) throws Throwable {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }
}
