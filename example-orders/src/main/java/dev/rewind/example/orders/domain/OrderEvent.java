package dev.rewind.example.orders.domain;

/**
 * Every event of an order's life. A handler that takes an {@code OrderEvent} receives all of them.
 */
public sealed interface OrderEvent permits OrderPlaced, ItemAdded, OrderPaid, OrderCancelled, OrderShipped {

    /** @return the order the event belongs to */
    String orderId();

    /**
     * @param orderId an order id
     * @return the stream the order's events live in: {@code order-<id>}
     */
    static String streamOf(String orderId) {
        return "order-" + orderId;
    }
}
