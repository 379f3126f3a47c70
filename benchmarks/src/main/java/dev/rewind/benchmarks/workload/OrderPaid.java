package dev.rewind.benchmarks.workload;

import dev.rewind.annotation.Event;
import org.axonframework.serialization.Revision;

/**
 * An order was paid: schema version 2, which added {@code currency}.
 *
 * @param orderId the order
 * @param amountCents the sum of quantity times unit price over its items
 * @param currency USD, EUR or GBP
 */
@Event(name = "OrderPaid", version = 2)
@Revision("2")
public record OrderPaid(String orderId, long amountCents, String currency) {
}
