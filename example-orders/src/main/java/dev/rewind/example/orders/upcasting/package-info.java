/**
 * The migration of stored {@code OrderPaid} events, one step per class: v1 -> v2 -> v3. Stored bytes are
 * never rewritten; every read of an old event goes through these steps before it is bound to
 * {@link dev.rewind.example.orders.domain.OrderPaid}. Found by scanning, like the projections.
 */
package dev.rewind.example.orders.upcasting;
