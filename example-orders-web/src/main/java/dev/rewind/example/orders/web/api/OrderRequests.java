package dev.rewind.example.orders.web.api;

/**
 * The bodies of the order commands. The JSON is bound strictly (see {@code application.properties}):
 * an unknown, missing or null field, or a value of the wrong kind ({@code "3"} or {@code 2.5} for a
 * whole number), is refused with 400 before a command exists. Blank texts are refused here.
 */
public final class OrderRequests {
    /** Long enough for any id or reason a person types, short enough to keep a mistake small. */
    static final int MAX_TEXT = 500;

    private OrderRequests() {
    }

    static String text(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + field + "' must not be blank");
        }
        if (value.length() > MAX_TEXT) {
            throw new IllegalArgumentException("'" + field + "' is longer than " + MAX_TEXT + " characters");
        }
        return value;
    }

    /**
     * @param orderId the new order's id
     * @param userId who places it
     * @param currency its currency, an ISO 4217 code
     */
    public record Place(String orderId, String userId, String currency) {
        public Place {
            text("orderId", orderId);
            text("userId", userId);
            text("currency", currency);
        }
    }

    /**
     * @param sku the product
     * @param quantity how many
     * @param unitPriceCents the price of one, in cents
     */
    public record AddItem(String sku, int quantity, long unitPriceCents) {
        public AddItem {
            text("sku", sku);
        }
    }

    /**
     * @param amountCents the amount paid, in cents
     * @param paymentMethod how, for example {@code card}
     */
    public record Pay(long amountCents, String paymentMethod) {
        public Pay {
            text("paymentMethod", paymentMethod);
        }
    }

    /** @param carrier who carries it */
    public record Ship(String carrier) {
        public Ship {
            text("carrier", carrier);
        }
    }

    /** @param reason why */
    public record Cancel(String reason) {
        public Cancel {
            text("reason", reason);
        }
    }
}
