package dev.rewind.example.orders;

import dev.rewind.Rewind;
import dev.rewind.example.orders.notification.LoggingNotifier;
import dev.rewind.example.orders.notification.Notifier;
import dev.rewind.example.orders.notification.ShippingNotifications;
import dev.rewind.example.tables.OrderTotalsTable;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ProjectionSettings;
import java.time.Duration;

/**
 * How the orders app configures Rewind: it names its base package, and scanning finds the events,
 * projections and upcasters under it. No code anywhere lists them: a new projection is a new class.
 *
 * <p>What it does configure is how they run: {@code order_totals} and {@code revenue_by_currency} are
 * asynchronous (appends never wait for them; a reader that needs its own write asks for
 * {@code ReadPoint.atLeast}), keep snapshots and past states, and park an event whose handler keeps
 * failing; {@code user_activity} stays synchronous, as the tutorials know projections. The one event
 * processor, {@code shipping_notifications}, is registered with the {@link Notifier} it calls.
 */
public final class OrdersApp {
    /** The package scanned for events, projections and upcasters. */
    public static final String BASE_PACKAGE = "dev.rewind.example.orders";

    /** Retry three times within about a second, then park (never stop a view of the whole shop for one order). */
    static final FailurePolicy RETRY_THEN_PARK = FailurePolicy.retry(3, Duration.ofMillis(100), Duration.ofSeconds(1))
            .thenPark();

    /** The asynchronous projections: a snapshot every 1,000 events or 10 s, a past state every 1,000 events. */
    public static final ProjectionSettings ASYNC_VIEWS = ProjectionSettings.async()
            .snapshotEvery(1_000, Duration.ofSeconds(10))
            .history(1_000, 200, 64L << 20)
            .failurePolicy(RETRY_THEN_PARK);

    /** The notifications: a checkpoint after every event (a crash repeats at most one), quick retries, then park. */
    public static final ProjectionSettings NOTIFICATIONS = ProjectionSettings.async()
            .snapshotEvery(1, Duration.ofSeconds(1))
            .failurePolicy(FailurePolicy.retry(3, Duration.ofMillis(20), Duration.ofMillis(100)).thenPark());

    /**
     * {@code order_totals_table} on PostgreSQL: owned (one instance at a time writes the table, the others
     * take over when it dies), 500 events per transaction.
     */
    public static final ProjectionSettings TABLE_VIEW = ProjectionSettings.async().owned().batchSize(500)
            .failurePolicy(RETRY_THEN_PARK);

    private OrdersApp() {
    }

    /**
     * Adds the views kept in PostgreSQL tables ({@link OrderTotalsTable}); only for the PostgreSQL storage,
     * whose schema holds the table (created by Rewind at start: the projection declares its DDL).
     *
     * @param builder a builder from {@link #rewind(Notifier)}
     * @return the same builder
     */
    public static Rewind.Builder withTables(Rewind.Builder builder) {
        return builder.projection(OrderTotalsTable.class).projectionSettings("order_totals_table", TABLE_VIEW);
    }

    /** @return a builder configured with the app's components, notifications logged; the caller adds the storage and clock */
    public static Rewind.Builder rewind() {
        return rewind(new LoggingNotifier());
    }

    /**
     * @param notifier where shipping notifications go
     * @return a builder configured with the app's components; the caller adds the storage and clock
     */
    public static Rewind.Builder rewind(Notifier notifier) {
        return Rewind.builder().scanPackages(BASE_PACKAGE)
                .projectionSettings("order_totals", ASYNC_VIEWS)
                .projectionSettings("revenue_by_currency", ASYNC_VIEWS)
                .eventProcessors(new ShippingNotifications(notifier))
                .projectionSettings("shipping_notifications", NOTIFICATIONS);
    }
}
