package dev.rewind.example.orders.notification;

import java.util.UUID;

/**
 * Tells customers what happened to their orders: the outside system a side-effect handler calls (a mail
 * service, in a real shop). It may be called more than once for one event (after a crash, or a retry):
 * the idempotency key is the same each time, so a repeat is recognised rather than sent twice.
 */
public interface Notifier {
    /**
     * @param orderId the order that shipped
     * @param carrier who carries it
     * @param idempotencyKey the id of the {@code OrderShipped} event: one notification per key
     */
    void orderShipped(String orderId, String carrier, UUID idempotencyKey);
}
