package dev.rewind.benchmarks.workload;

import dev.rewind.annotation.Event;
import org.axonframework.serialization.Revision;

/**
 * An item was added to an order.
 *
 * @param orderId the order
 * @param sku the item
 * @param quantity 1 to 5
 * @param unitPriceCents 100 to 10000
 */
@Event(name = "ItemAdded")
@Revision("1")
public record ItemAdded(String orderId, String sku, int quantity, long unitPriceCents) {
}
