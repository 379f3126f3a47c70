package dev.rewind.example.orders.command;

import dev.rewind.annotation.TargetAggregateId;

/**
 * Ship a paid order.
 *
 * @param orderId the order
 * @param carrier who carries it
 */
public record ShipOrder(@TargetAggregateId String orderId, String carrier) {
}
