package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The "no skipped events" proof: appenders whose transactions stay open for random times, committing
 * in an order nobody controls, and one reader tailing "everything after the last position I saw".
 */
class TailingReaderTest extends FreshSchemaTest {
    private static final String SCHEMA = TestDatabase.schema("tailing");
    private static final int APPENDERS = 8;
    private static final int BATCHES_PER_APPENDER = 25;
    private static final int BATCH_SIZE = 3;

    TailingReaderTest() {
        super(SCHEMA);
    }

    @Test
    void a_tailing_reader_sees_every_event_exactly_once_in_position_order_while_8_appenders_commit_out_of_order()
            throws Exception {
        int total = APPENDERS * BATCHES_PER_APPENDER * BATCH_SIZE;
        Set<UUID> appended = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(APPENDERS + 1);
        try {
            Future<List<StoredSerializedEvent>> reader = pool.submit(() -> tail(total));
            List<Future<?>> appenders = new ArrayList<>();
            for (int a = 0; a < APPENDERS; a++) {
                int id = a;
                appenders.add(pool.submit(() -> {
                    appendWithSleeps(id, appended);
                    return null;
                }));
            }
            for (Future<?> f : appenders) {
                f.get(2, TimeUnit.MINUTES);
            }
            List<StoredSerializedEvent> seen = reader.get(1, TimeUnit.MINUTES);

            assertThat(seen).hasSize(total);
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i).globalPosition()).as("the %d-th event the reader saw", i).isEqualTo(i);
            }
            Set<UUID> ids = new HashSet<>();
            seen.forEach(r -> ids.add(r.eventId()));
            assertThat(ids).isEqualTo(appended);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Appends through the storage's own two append paths, sleeping between the writes and the commit. */
    private void appendWithSleeps(int appender, Set<UUID> appended) throws Exception {
        try (Connection c = TestDatabase.connect()) {
            c.setSchema(SCHEMA);
            c.setAutoCommit(false);
            for (int b = 0; b < BATCHES_PER_APPENDER; b++) {
                List<SerializedEvent> batch = TestRecords.batch(BATCH_SIZE, "appender-" + appender + "-" + b);
                if (appender % 2 == 0) { // the server-side function, as PostgresStorage.append calls it
                    storage.appender().appendOn(c, "stream-" + appender, ExpectedVersion.any(), batch,
                            Clock.systemUTC().instant());
                } else { // the transaction driven statement by statement from Java (ids already stored)
                    storage.appender().appendInTransaction(c, "stream-" + appender, ExpectedVersion.any(), batch,
                            Clock.systemUTC());
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(0, 8)); // the transaction stays open
                c.commit();
                batch.forEach(r -> appended.add(r.eventId()));
            }
        }
    }

    /** Reads "everything from the next position" until {@code total} events were seen. */
    private List<StoredSerializedEvent> tail(int total) throws InterruptedException {
        List<StoredSerializedEvent> seen = new ArrayList<>();
        long next = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (seen.size() < total && System.nanoTime() < deadline) {
            int before = seen.size();
            storage.read(next, next + 50, seen::add);
            if (seen.size() > before) {
                next = seen.get(seen.size() - 1).globalPosition() + 1;
            } else {
                Thread.sleep(1);
            }
        }
        return seen;
    }
}
