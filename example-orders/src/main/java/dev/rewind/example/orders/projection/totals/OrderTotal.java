package dev.rewind.example.orders.projection.totals;

/**
 * One order as {@code order_totals} sees it.
 *
 * @param userId who placed it
 * @param currency the currency of its prices
 * @param items how many items it holds (the sum of the quantities)
 * @param totalCents the sum of its lines, in cents
 * @param status where it is in its life
 */
public record OrderTotal(String userId, String currency, int items, long totalCents, Status status) {

    /** The stages of an order's life. */
    public enum Status {
        /** Placed, not paid yet: items may still be added. */
        PLACED,
        /** Paid. */
        PAID,
        /** Paid and shipped. */
        SHIPPED,
        /** Cancelled (refunded if it had been paid). */
        CANCELLED
    }

    OrderTotal withItems(int quantity, long lineCents) {
        return new OrderTotal(userId, currency, items + quantity, totalCents + lineCents, status);
    }

    OrderTotal withStatus(Status newStatus) {
        return new OrderTotal(userId, currency, items, totalCents, newStatus);
    }
}
