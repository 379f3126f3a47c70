package dev.rewind.example.orders.domain;

import dev.rewind.annotation.Event;

/**
 * An item was added to an order.
 *
 * @param orderId the order
 * @param sku the product
 * @param quantity how many, 1 or more
 * @param unitPriceCents the price of one, in cents of the order's currency
 */
@Event(name = "ItemAdded", version = 1)
public record ItemAdded(String orderId, String sku, int quantity, long unitPriceCents) implements OrderEvent {

    /** @return {@code quantity * unitPriceCents} */
    public long lineTotalCents() {
        return Math.multiplyExact(quantity, unitPriceCents);
    }
}
