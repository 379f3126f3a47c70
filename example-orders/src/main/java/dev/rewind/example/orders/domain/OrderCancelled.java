package dev.rewind.example.orders.domain;

import dev.rewind.annotation.Event;

/**
 * An order was cancelled; if it had been paid, the payment is refunded.
 *
 * @param orderId the order
 * @param reason why, in the user's words
 */
@Event(name = "OrderCancelled", version = 1)
public record OrderCancelled(String orderId, String reason) implements OrderEvent {
}
