package dev.rewind.example.orders.domain;

import dev.rewind.annotation.Event;

/**
 * An order left the warehouse.
 *
 * @param orderId the order
 * @param carrier who carries it
 */
@Event(name = "OrderShipped", version = 1)
public record OrderShipped(String orderId, String carrier) implements OrderEvent {
}
