/**
 * The {@code user_activity} projection: one class, found by scanning; nothing else names it.
 */
package dev.rewind.example.orders.projection.users;
