package dev.rewind.example.orders.domain;

import dev.rewind.annotation.Event;

/**
 * An order was paid.
 *
 * <p>Schema history (stored events of every version are read as this record, through the upcasters in
 * {@code dev.rewind.example.orders.upcasting}):
 * <ul>
 *   <li>v1 (release 1, a shop that sold in US dollars only): {@code {"orderId", "amount"}}, the
 *       amount a decimal string in dollars such as {@code "39.90"}, no currency;</li>
 *   <li>v2 (release 2): {@code {"orderId", "amountCents", "currency"}};</li>
 *   <li>v3 (now): v2 plus {@code paymentMethod}.</li>
 * </ul>
 *
 * @param orderId the order
 * @param amountCents the amount paid, in cents of {@code currency}
 * @param currency ISO 4217 code
 * @param paymentMethod how it was paid, for example {@code "card"} or {@code "paypal"}
 */
@Event(name = "OrderPaid", version = 3)
public record OrderPaid(String orderId, long amountCents, String currency, String paymentMethod)
        implements OrderEvent {
}
