package dev.rewind.example.orders.command;

import dev.rewind.annotation.TargetAggregateId;

/**
 * Place a new order.
 *
 * @param orderId the new order's id (its stream is {@code order-<id>})
 * @param userId who places it
 * @param currency the currency of its prices, an ISO 4217 code
 */
public record PlaceOrder(@TargetAggregateId String orderId, String userId, String currency) {
}
