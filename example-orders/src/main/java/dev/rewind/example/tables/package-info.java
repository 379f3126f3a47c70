/**
 * The orders app's views kept in PostgreSQL tables (outside the scanned package: they need the PostgreSQL
 * storage and are registered by {@code OrdersApp.withTables}).
 */
package dev.rewind.example.tables;
