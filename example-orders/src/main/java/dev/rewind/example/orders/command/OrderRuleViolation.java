package dev.rewind.example.orders.command;

/**
 * A command broke one of the order's business rules; nothing was appended. The message names the order
 * and the rule; {@link #rule()} tells which one, for code.
 */
public final class OrderRuleViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The rules an order command can break. */
    public enum Rule {
        /** The order does not exist yet: place it first. */
        NOT_PLACED,
        /** An order is placed once. */
        ALREADY_PLACED,
        /** A quantity below 1 or a negative price. */
        INVALID_ITEM,
        /** Items can be added only before payment. */
        ITEMS_AFTER_PAYMENT,
        /** An order is paid once. */
        ALREADY_PAID,
        /** The amount paid must equal the order's total. */
        WRONG_AMOUNT,
        /** An order with no items cannot be paid. */
        EMPTY_ORDER,
        /** Only a paid order can be shipped. */
        NOT_PAID,
        /** A cancelled order cannot be paid, changed or shipped. */
        CANCELLED,
        /** A shipped order cannot be shipped again or cancelled. */
        ALREADY_SHIPPED
    }

    private final Rule rule;

    /**
     * @param rule the rule broken
     * @param message what was refused and why, naming the order
     */
    public OrderRuleViolation(Rule rule, String message) {
        super(message);
        this.rule = rule;
    }

    /** @return the rule broken */
    public Rule rule() {
        return rule;
    }
}
