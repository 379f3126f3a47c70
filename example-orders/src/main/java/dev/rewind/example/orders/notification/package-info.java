/**
 * Side effects: the {@code shipping_notifications} event processor and the {@code Notifier} it calls.
 */
package dev.rewind.example.orders.notification;
