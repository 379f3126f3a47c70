package dev.rewind.example.orders.domain;

import dev.rewind.annotation.Event;

/**
 * A user placed an order; its prices are in {@code currency}.
 *
 * @param orderId the new order
 * @param userId who placed it
 * @param currency ISO 4217 code of every price and payment of the order, for example {@code "EUR"}
 */
@Event(name = "OrderPlaced", version = 1)
public record OrderPlaced(String orderId, String userId, String currency) implements OrderEvent {
}
