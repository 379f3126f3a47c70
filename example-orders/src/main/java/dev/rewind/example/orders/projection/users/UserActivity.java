package dev.rewind.example.orders.projection.users;

import java.time.Instant;

/**
 * What one user did.
 *
 * @param ordersPlaced orders placed
 * @param itemsAdded items added to them (the sum of the quantities)
 * @param ordersPaid orders paid
 * @param ordersShipped orders shipped
 * @param ordersCancelled orders cancelled
 * @param lastActiveAt when the store recorded the user's latest event
 */
public record UserActivity(int ordersPlaced, int itemsAdded, int ordersPaid, int ordersShipped,
                           int ordersCancelled, Instant lastActiveAt) {

    static UserActivity none() {
        return new UserActivity(0, 0, 0, 0, 0, null);
    }

    UserActivity placed(Instant at) {
        return new UserActivity(ordersPlaced + 1, itemsAdded, ordersPaid, ordersShipped, ordersCancelled, at);
    }

    UserActivity added(int quantity, Instant at) {
        return new UserActivity(ordersPlaced, itemsAdded + quantity, ordersPaid, ordersShipped, ordersCancelled, at);
    }

    UserActivity paid(Instant at) {
        return new UserActivity(ordersPlaced, itemsAdded, ordersPaid + 1, ordersShipped, ordersCancelled, at);
    }

    UserActivity shipped(Instant at) {
        return new UserActivity(ordersPlaced, itemsAdded, ordersPaid, ordersShipped + 1, ordersCancelled, at);
    }

    UserActivity cancelled(Instant at) {
        return new UserActivity(ordersPlaced, itemsAdded, ordersPaid, ordersShipped, ordersCancelled + 1, at);
    }
}
