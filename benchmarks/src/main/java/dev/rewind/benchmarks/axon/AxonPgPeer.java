package dev.rewind.benchmarks.axon;

import com.zaxxer.hikari.HikariDataSource;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.Peer;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import java.util.List;
import java.util.Locale;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;

/**
 * Axon's second JVM in the two-instance PostgreSQL phase (see {@link Peer}): arguments
 * {@code SCHEMA WRITERS MILLIS PREFIX}; on {@code GO}, publishes whole orders from {@code WRITERS}
 * threads for {@code MILLIS} ms into the table the first instance created, then prints
 * {@code DONE <events> <events/s>}.
 */
public final class AxonPgPeer {
    private AxonPgPeer() {
    }

    /**
     * @param args schema, writers, milliseconds, stream prefix
     * @throws Exception when publishing fails (the phase then fails)
     */
    public static void main(String[] args) throws Exception {
        int writers = Integer.parseInt(args[1]);
        long millis = Long.parseLong(args[2]);
        List<Order> orders = Workload.orders(100_000);
        try (HikariDataSource ds = AxonPostgres.dataSource(args[0], writers + 1)) {
            EmbeddedEventStore store = EmbeddedEventStore.builder().storageEngine(AxonPostgres.engine(ds)).build();
            System.out.println("READY");
            System.out.flush();
            if (!"GO".equals(Peer.readCommand())) {
                throw new IllegalStateException("expected GO");
            }
            Measure.Writers done = Measure.timedWriters(writers, millis, orders, args[3],
                    (stream, o) -> store.publish(AxonPostgres.messages(stream, o)));
            store.shutDown();
            System.out.printf(Locale.ROOT, "DONE %d %.1f%n", done.events(), done.rate());
            System.out.flush();
        }
        System.exit(0);
    }
}
