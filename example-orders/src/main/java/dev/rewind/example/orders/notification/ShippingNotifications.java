package dev.rewind.example.orders.notification;

import dev.rewind.StoredEvent;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.EventProcessor;
import dev.rewind.example.orders.domain.OrderShipped;

/**
 * {@code shipping_notifications}: tells the customer when an order ships. An event processor, not a
 * projection: it runs on a thread of its own, keeps a checkpoint, calls the {@link Notifier} at least
 * once per {@code OrderShipped} with the event id as idempotency key, and is never replayed (rebuilding
 * a projection sends nothing). When the notifier fails, the failure policy set in {@code OrdersApp}
 * retries, then parks the event: {@code rewind-orders parked shipping_notifications} lists it, {@code
 * retry} sends it once the notifier works again.
 */
@EventProcessor("shipping_notifications")
public class ShippingNotifications {
    private final Notifier notifier;

    /** @param notifier where notifications go */
    public ShippingNotifications(Notifier notifier) {
        this.notifier = notifier;
    }

    @EventHandler
    void on(OrderShipped e, StoredEvent<?> envelope) {
        notifier.orderShipped(e.orderId(), e.carrier(), envelope.eventId());
    }
}
