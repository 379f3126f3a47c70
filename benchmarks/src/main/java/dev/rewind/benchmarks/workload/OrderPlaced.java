package dev.rewind.benchmarks.workload;

import dev.rewind.annotation.Event;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * An order was placed (the first event of every order stream).
 *
 * @param orderId the order
 * @param userId who placed it
 * @param currency USD, EUR or GBP
 * @param placedAt when
 */
@Event(name = "OrderPlaced")
@Revision("1")
public record OrderPlaced(String orderId, String userId, String currency, Instant placedAt) {
}
