package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.spi.storage.contract.ContractFixtures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two application instances (two storages, two pools) sharing one store. */
class TwoInstancesTest {
    private static final String SCHEMA = TestDatabase.schema("two_instances");
    private static final int STREAMS = 3;
    private static final int WRITERS_PER_INSTANCE = 3;
    private static final int INCREMENTS_PER_WRITER = 20;

    private PostgresStorage first;
    private PostgresStorage second;

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    @BeforeEach
    void open() {
        first = TestDatabase.fresh(SCHEMA);
        second = TestDatabase.builder(SCHEMA).build();
    }

    @AfterEach
    void close() {
        first.close();
        second.close();
    }

    @Test
    void an_append_on_one_instance_conflicts_with_a_stale_expected_version_on_the_other() {
        first.append("order-1", ExpectedVersion.noStream(), TestRecords.batch(1, "a"), Clock.systemUTC());
        second.append("order-1", ExpectedVersion.exactly(0), TestRecords.batch(1, "b"), Clock.systemUTC());

        assertThatThrownBy(() -> first.append("order-1", ExpectedVersion.exactly(0), TestRecords.batch(1, "c"),
                Clock.systemUTC()))
                .isInstanceOf(ConcurrencyConflictException.class)
                .hasMessage("concurrency conflict on stream 'order-1': expected version 0, but the stream is at version 1");
        assertThat(first.readStream("order-1", 0, 10, ReadDirection.FORWARD)).extracting(StoredSerializedEvent::streamVersion).containsExactly(0L, 1L);
    }

    @Test
    void writers_on_two_instances_read_then_append_with_expected_versions_and_no_update_is_lost() throws Exception {
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2 * WRITERS_PER_INSTANCE);
        List<Future<List<Ack>>> writers = new ArrayList<>();
        try {
            for (int w = 0; w < 2 * WRITERS_PER_INSTANCE; w++) {
                PostgresStorage storage = w % 2 == 0 ? first : second;
                int writer = w;
                writers.add(pool.submit(() -> increment(storage, writer, conflicts)));
            }
            List<Ack> acknowledged = new ArrayList<>();
            for (Future<List<Ack>> f : writers) {
                acknowledged.addAll(f.get(2, TimeUnit.MINUTES));
            }

            // Every acknowledged append is stored, exactly where its acknowledgement said.
            long stored = 0;
            for (int s = 0; s < STREAMS; s++) {
                List<StoredSerializedEvent> stream = first.readStream("counter-" + s, 0, Integer.MAX_VALUE, ReadDirection.FORWARD);
                for (int v = 0; v < stream.size(); v++) {
                    assertThat(stream.get(v).streamVersion()).isEqualTo(v);
                }
                stored += stream.size();
            }
            assertThat(stored).isEqualTo(acknowledged.size()).isEqualTo(2L * WRITERS_PER_INSTANCE * INCREMENTS_PER_WRITER);
            for (Ack ack : acknowledged) {
                assertThat(second.positionOf(ack.eventId())).isEqualTo(ack.globalPosition());
            }
            assertThat(first.nextPosition()).isEqualTo(stored);
        } finally {
            pool.shutdownNow();
        }
    }

    /** An acknowledged event and the position its append's outcome gave it. */
    private record Ack(UUID eventId, long globalPosition) {
    }

    /** Read the version, append expecting it; on a conflict read again and retry. */
    private static List<Ack> increment(PostgresStorage storage, int writer, AtomicInteger conflicts) {
        List<Ack> acknowledged = new ArrayList<>();
        for (int i = 0; i < INCREMENTS_PER_WRITER; i++) {
            String stream = "counter-" + (i % STREAMS);
            List<SerializedEvent> batch = TestRecords.batch(1, "writer-" + writer + "-" + i);
            while (true) {
                long version = storage.lastVersion(stream);
                try {
                    AppendOutcome out = storage.append(stream, ExpectedVersion.afterVersion(version), batch,
                            Clock.systemUTC());
                    for (int e = 0; e < batch.size(); e++) {
                        acknowledged.add(new Ack(batch.get(e).eventId(), out.firstPosition() + e));
                    }
                    break;
                } catch (ConcurrencyConflictException e) {
                    conflicts.incrementAndGet();
                }
            }
        }
        return acknowledged;
    }

    @Test
    void a_subscriber_on_one_instance_receives_events_appended_through_the_other() throws Exception {
        BlockingQueue<StoredEvent<?>> received = new LinkedBlockingQueue<>();
        try (Rewind reader = ContractFixtures.builder().storage(first).build();
             Rewind writer = ContractFixtures.builder().storage(second).build()) {
            reader.store().subscribe(received::add);
            writer.store().append("order-7", ExpectedVersion.noStream(), List.of(new ContractFixtures.Placed("order-7", 2)));

            StoredEvent<?> event = received.poll(30, TimeUnit.SECONDS);
            assertThat(event).isNotNull();
            assertThat(event.streamId()).isEqualTo("order-7");
            assertThat(event.payload()).isEqualTo(new ContractFixtures.Placed("order-7", 2));
        }
        first = TestDatabase.builder(SCHEMA).build(); // the Rewinds closed them; @AfterEach closes these
        second = TestDatabase.builder(SCHEMA).build();
    }

    @Test
    void an_event_whose_notification_is_lost_is_still_delivered_by_polling() throws Exception {
        BlockingQueue<Long> heads = new LinkedBlockingQueue<>();
        first.onAppended(heads::add);
        // Written behind the store's back with plain SQL: no pg_notify is sent, as if the notification were lost.
        try (Connection c = TestDatabase.connect(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO " + SCHEMA + ".rewind_events (" + Rows.COLUMNS + ", batch_first, batch_size)"
                        + " VALUES (?, 'order-9', ?, ?, 'Noted', 1, now(), 0, '\\x7b7d'::bytea, NULL, NULL, '{}'::jsonb, 0, 3)")) {
            for (int p = 0; p < 3; p++) {
                insert.setLong(1, p);
                insert.setLong(2, p);
                insert.setObject(3, java.util.UUID.randomUUID());
                insert.executeUpdate();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Long head = 0L;
        while (head < 3 && System.nanoTime() < deadline) {
            Long h = heads.poll(1, TimeUnit.SECONDS);
            head = h == null ? head : Math.max(head, h);
        }
        assertThat(head).isEqualTo(3L);
        assertThat(first.readStream("order-9", 0, 10, ReadDirection.FORWARD)).extracting(r -> new String(r.payload(), java.nio.charset.StandardCharsets.UTF_8))
                .containsExactly("{}", "{}", "{}");
    }
}
