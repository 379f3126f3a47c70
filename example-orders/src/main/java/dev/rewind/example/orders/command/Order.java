package dev.rewind.example.orders.command;

import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.example.orders.command.OrderRuleViolation.Rule;
import dev.rewind.example.orders.domain.ItemAdded;
import dev.rewind.example.orders.domain.OrderCancelled;
import dev.rewind.example.orders.domain.OrderPaid;
import dev.rewind.example.orders.domain.OrderPlaced;
import dev.rewind.example.orders.domain.OrderShipped;

/**
 * The order aggregate: its state is rebuilt from its own stream ({@code order-<id>}) by the
 * {@link EventSourcingHandler}s, and its {@link CommandHandler}s check a command against that state and
 * return the event it produces, or throw an {@link OrderRuleViolation}.
 *
 * <p>The rules: an order is placed once; items are added only before payment; it is paid once, with
 * exactly its total, and not when empty; only a paid order is shipped, once; a cancelled order is
 * never paid, changed or shipped; a shipped order is not cancelled.
 *
 * <p>The state holds only what the rules need (not the items themselves): that is all a command side
 * has to remember. The fields are plain values, so a snapshot of them is simple JSON.
 */
@Aggregate(streamPrefix = "order-")
public class Order {
    private String orderId;
    private String currency;
    private long totalCents;
    private int items;
    private boolean paid;
    private boolean shipped;
    private boolean cancelled;

    /** The command gateway creates a fresh instance and replays the stream into it. */
    Order() {
    }

    @CommandHandler
    OrderPlaced handle(PlaceOrder c) {
        if (orderId != null) {
            throw violation(Rule.ALREADY_PLACED, c.orderId(), "is already placed");
        }
        return new OrderPlaced(c.orderId(), c.userId(), c.currency());
    }

    @CommandHandler
    ItemAdded handle(AddItem c) {
        requireOpen(c.orderId(), "add an item to");
        if (paid) {
            throw violation(Rule.ITEMS_AFTER_PAYMENT, c.orderId(), "is paid: no item can be added any more");
        }
        if (c.quantity() < 1 || c.unitPriceCents() < 0) {
            throw violation(Rule.INVALID_ITEM, c.orderId(), "cannot take " + c.quantity() + " x " + c.sku()
                    + " at " + c.unitPriceCents() + " cents: the quantity must be 1 or more and the price 0 or more");
        }
        return new ItemAdded(c.orderId(), c.sku(), c.quantity(), c.unitPriceCents());
    }

    @CommandHandler
    OrderPaid handle(PayOrder c) {
        requireOpen(c.orderId(), "pay");
        if (paid) {
            throw violation(Rule.ALREADY_PAID, c.orderId(), "is already paid");
        }
        if (items == 0) {
            throw violation(Rule.EMPTY_ORDER, c.orderId(), "has no items: there is nothing to pay");
        }
        if (c.amountCents() != totalCents) {
            throw violation(Rule.WRONG_AMOUNT, c.orderId(), "totals " + totalCents + " cents " + currency
                    + ", the payment was " + c.amountCents());
        }
        return new OrderPaid(c.orderId(), c.amountCents(), currency, c.paymentMethod());
    }

    @CommandHandler
    OrderShipped handle(ShipOrder c) {
        requireOpen(c.orderId(), "ship");
        if (!paid) {
            throw violation(Rule.NOT_PAID, c.orderId(), "is not paid: only a paid order is shipped");
        }
        return new OrderShipped(c.orderId(), c.carrier());
    }

    @CommandHandler
    OrderCancelled handle(CancelOrder c) {
        requireOpen(c.orderId(), "cancel");
        return new OrderCancelled(c.orderId(), c.reason());
    }

    /** Placed, not cancelled, not shipped: the only state in which an order changes. */
    private void requireOpen(String id, String action) {
        if (orderId == null) {
            throw violation(Rule.NOT_PLACED, id, "does not exist: cannot " + action + " it");
        }
        if (cancelled) {
            throw violation(Rule.CANCELLED, id, "is cancelled: cannot " + action + " it");
        }
        if (shipped) {
            throw violation(Rule.ALREADY_SHIPPED, id, "is shipped: cannot " + action + " it");
        }
    }

    private static OrderRuleViolation violation(Rule rule, String orderId, String what) {
        return new OrderRuleViolation(rule, "order " + orderId + " " + what);
    }

    @EventSourcingHandler
    void on(OrderPlaced e) {
        orderId = e.orderId();
        currency = e.currency();
    }

    @EventSourcingHandler
    void on(ItemAdded e) {
        items += e.quantity();
        totalCents += e.lineTotalCents();
    }

    @EventSourcingHandler
    void on(OrderPaid e) {
        paid = true;
    }

    @EventSourcingHandler
    void on(OrderShipped e) {
        shipped = true;
    }

    @EventSourcingHandler
    void on(OrderCancelled e) {
        cancelled = true;
    }
}
