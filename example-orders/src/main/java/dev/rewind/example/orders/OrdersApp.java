package dev.rewind.example.orders;

import dev.rewind.Rewind;
import dev.rewind.example.orders.domain.ItemAdded;
import dev.rewind.example.orders.domain.OrderCancelled;
import dev.rewind.example.orders.domain.OrderPaid;
import dev.rewind.example.orders.domain.OrderPlaced;
import dev.rewind.example.orders.domain.OrderShipped;
import dev.rewind.example.orders.upcasting.OrderPaidV1ToV2;
import dev.rewind.example.orders.upcasting.OrderPaidV2ToV3;

/**
 * How the orders app configures Rewind: it names its base package, and scanning finds the events,
 * projections and upcasters under it.
 */
public final class OrdersApp {
    /** The package scanned for events, projections and upcasters. */
    public static final String BASE_PACKAGE = "dev.rewind.example.orders";

    private OrdersApp() {
    }

    /** @return a builder configured with the app's components; the caller adds the storage and clock */
    public static Rewind.Builder rewind() {
        // TODO(scan): replace with .scanPackages(BASE_PACKAGE) once scanning lands.
        return Rewind.builder()
                .eventTypes(OrderPlaced.class, ItemAdded.class, OrderPaid.class, OrderCancelled.class, OrderShipped.class)
                .upcaster("OrderPaid", 1, new OrderPaidV1ToV2())
                .upcaster("OrderPaid", 2, new OrderPaidV2ToV3());
    }
}
