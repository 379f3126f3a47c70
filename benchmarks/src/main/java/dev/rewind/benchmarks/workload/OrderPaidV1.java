package dev.rewind.benchmarks.workload;

import org.axonframework.serialization.Revision;

/**
 * {@link OrderPaid} as it was stored at schema version 1, before {@code currency} existed. Only used
 * to write old records for the upcast phases; it is never read back as this class.
 *
 * @param orderId the order
 * @param amountCents the amount
 */
@Revision("1")
public record OrderPaidV1(String orderId, long amountCents) {
}
