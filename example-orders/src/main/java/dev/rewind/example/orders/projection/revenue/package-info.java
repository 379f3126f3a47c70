/**
 * The {@code revenue_by_currency} projection: one class, found by scanning; nothing else names it.
 */
package dev.rewind.example.orders.projection.revenue;
