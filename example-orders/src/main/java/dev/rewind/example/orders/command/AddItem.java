package dev.rewind.example.orders.command;

import dev.rewind.annotation.TargetAggregateId;

/**
 * Add an item to an order that is not paid yet.
 *
 * @param orderId the order
 * @param sku the product
 * @param quantity how many, 1 or more
 * @param unitPriceCents the price of one in cents, 0 or more
 */
public record AddItem(@TargetAggregateId String orderId, String sku, int quantity, long unitPriceCents) {
}
