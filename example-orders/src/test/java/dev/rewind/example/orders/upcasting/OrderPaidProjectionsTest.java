package dev.rewind.example.orders.upcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.projection.ReadPoint;
import dev.rewind.example.orders.domain.ItemAdded;
import dev.rewind.example.orders.domain.OrderCancelled;
import dev.rewind.example.orders.domain.OrderEvent;
import dev.rewind.example.orders.domain.OrderPaid;
import dev.rewind.example.orders.domain.OrderPlaced;
import dev.rewind.example.orders.domain.OrderShipped;
import dev.rewind.storage.memory.InMemoryStorage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Events stored by releases 1 and 2 give the projections exactly what the same story written today gives. */
class OrderPaidProjectionsTest {

    /** The fixtures' story, as today's code appends it (every payment by card: see OrderPaidV2ToV3). */
    private static final List<OrderEvent> NATIVE_V3 = List.of(
            new OrderPlaced("r1-a", "carol", "USD"),
            new ItemAdded("r1-a", "BOOK-42", 2, 1250),
            new OrderPaid("r1-a", 2500, "USD", "card"),
            new OrderShipped("r1-a", "UPS"),
            new OrderPlaced("r1-b", "dave", "USD"),
            new ItemAdded("r1-b", "MUG-7", 1, 999),
            new OrderPaid("r1-b", 999, "USD", "card"),
            new OrderCancelled("r1-b", "changed my mind"),
            new OrderPlaced("r2-a", "carol", "EUR"),
            new ItemAdded("r2-a", "LAMP-3", 3, 700),
            new OrderPaid("r2-a", 2100, "EUR", "card"),
            new OrderPlaced("r2-b", "dave", "USD"),
            new ItemAdded("r2-b", "DESK-1", 1, 5000),
            new OrderPaid("r2-b", 5000, "USD", "card"));

    /** Both views once they include every event stored (they are asynchronous). */
    private static Map<String, Object> projections(Rewind rewind) {
        ReadPoint all = ReadPoint.atLeast(rewind.store().nextPosition() - 1);
        return Map.of(
                "order_totals", rewind.projections().state("order_totals", all),
                "revenue_by_currency", rewind.projections().state("revenue_by_currency", all));
    }

    @Test
    void old_events_and_native_v3_events_give_the_same_totals() {
        Map<String, Object> fromOldReleases;
        try (Rewind rewind = OrdersApp.rewind().storage(new InMemoryStorage()).build()) {
            StoredFixtures.load(rewind.store(), "release-1-events.json");
            StoredFixtures.load(rewind.store(), "release-2-events.json");
            fromOldReleases = projections(rewind);
        }
        Map<String, Object> fromToday;
        try (Rewind rewind = OrdersApp.rewind().storage(new InMemoryStorage()).build()) {
            for (OrderEvent e : NATIVE_V3) {
                rewind.store().append(OrderEvent.streamOf(e.orderId()), ExpectedVersion.any(), List.of(e));
            }
            fromToday = projections(rewind);
        }

        assertThat(fromOldReleases).isEqualTo(fromToday);
        // and by hand: 25.00 + 9.99 - 9.99 (refunded) + 50.00 dollars; 21.00 euros
        assertThat(fromOldReleases.get("revenue_by_currency")).isEqualTo(Map.of("USD", 7500L, "EUR", 2100L));
    }
}
