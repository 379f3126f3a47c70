/**
 * The {@code order_totals} projection: one class, found by scanning; nothing else names it.
 */
package dev.rewind.example.orders.projection.totals;
