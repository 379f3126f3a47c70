package dev.rewind.example.orders.command;

import dev.rewind.annotation.TargetAggregateId;

/**
 * Cancel an order that has not been shipped (a paid one is refunded).
 *
 * @param orderId the order
 * @param reason why
 */
public record CancelOrder(@TargetAggregateId String orderId, String reason) {
}
