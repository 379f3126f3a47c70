package dev.rewind.example.orders.command;

import dev.rewind.annotation.TargetAggregateId;

/**
 * Pay an order: the amount must be its total, in its currency.
 *
 * @param orderId the order
 * @param amountCents the amount paid, in cents
 * @param paymentMethod how, for example {@code "card"}
 */
public record PayOrder(@TargetAggregateId String orderId, long amountCents, String paymentMethod) {
}
