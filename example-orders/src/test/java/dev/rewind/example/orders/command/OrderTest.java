package dev.rewind.example.orders.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.RawEvent;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.example.orders.domain.ItemAdded;
import dev.rewind.example.orders.domain.OrderCancelled;
import dev.rewind.example.orders.domain.OrderPaid;
import dev.rewind.example.orders.domain.OrderPlaced;
import dev.rewind.example.orders.domain.OrderShipped;
import dev.rewind.test.AggregateFixture;
import org.junit.jupiter.api.Test;

/** The order's rules, each as given (its past events) / when (a command) / then (new events or a refusal). */
class OrderTest {
    private final AggregateFixture<Order> orders = AggregateFixture.of(Order.class);

    private static final OrderPlaced PLACED = new OrderPlaced("42", "ada", "EUR");
    private static final ItemAdded BOOKS = new ItemAdded("42", "BOOK-42", 2, 1_500);
    private static final OrderPaid PAID = new OrderPaid("42", 3_000, "EUR", "card");

    @Test
    void placing_an_order() {
        orders.givenNoPriorActivity()
                .when(new PlaceOrder("42", "ada", "EUR"))
                .then(PLACED);
    }

    @Test
    void an_order_is_placed_once() {
        orders.given(PLACED)
                .when(new PlaceOrder("42", "bob", "USD"))
                .thenFails(OrderRuleViolation.class, "order 42 is already placed");
    }

    @Test
    void adding_items_to_a_placed_order() {
        orders.given(PLACED)
                .when(new AddItem("42", "BOOK-42", 2, 1_500))
                .then(BOOKS)
                .thenState(o -> assertThat(o).extracting("totalCents", "items").containsExactly(3_000L, 2));
    }

    @Test
    void nothing_happens_to_an_order_that_was_never_placed() {
        orders.givenNoPriorActivity()
                .when(new AddItem("42", "BOOK-42", 1, 100))
                .thenFails(OrderRuleViolation.class, "order 42 does not exist: cannot add an item to it");
    }

    @Test
    void an_item_needs_a_quantity_and_a_price_that_make_sense() {
        orders.given(PLACED)
                .when(new AddItem("42", "BOOK-42", 0, 100))
                .thenFails(OrderRuleViolation.class, "order 42 cannot take 0 x BOOK-42 at 100 cents: "
                        + "the quantity must be 1 or more and the price 0 or more");
    }

    @Test
    void paying_exactly_the_total_in_the_order_currency() {
        orders.given(PLACED, BOOKS)
                .when(new PayOrder("42", 3_000, "card"))
                .then(PAID);
    }

    @Test
    void the_amount_paid_must_equal_the_total() {
        orders.given(PLACED, BOOKS)
                .when(new PayOrder("42", 2_999, "card"))
                .thenFails(OrderRuleViolation.class, "order 42 totals 3000 cents EUR, the payment was 2999");
    }

    @Test
    void no_paying_twice() {
        orders.given(PLACED, BOOKS, PAID)
                .when(new PayOrder("42", 3_000, "card"))
                .thenFails(OrderRuleViolation.class, "order 42 is already paid");
    }

    @Test
    void an_empty_order_cannot_be_paid() {
        orders.given(PLACED)
                .when(new PayOrder("42", 0, "card"))
                .thenFails(OrderRuleViolation.class, "order 42 has no items: there is nothing to pay");
    }

    @Test
    void no_items_after_payment() {
        orders.given(PLACED, BOOKS, PAID)
                .when(new AddItem("42", "MUG-7", 1, 900))
                .thenFails(OrderRuleViolation.class, "order 42 is paid: no item can be added any more");
    }

    @Test
    void shipping_a_paid_order() {
        orders.given(PLACED, BOOKS, PAID)
                .when(new ShipOrder("42", "DHL"))
                .then(new OrderShipped("42", "DHL"));
    }

    @Test
    void an_unpaid_order_is_not_shipped() {
        orders.given(PLACED, BOOKS)
                .when(new ShipOrder("42", "DHL"))
                .thenFails(OrderRuleViolation.class, "order 42 is not paid: only a paid order is shipped");
    }

    @Test
    void no_shipping_a_cancelled_order() {
        orders.given(PLACED, BOOKS, PAID, new OrderCancelled("42", "too late"))
                .when(new ShipOrder("42", "DHL"))
                .thenFails(OrderRuleViolation.class, "order 42 is cancelled: cannot ship it");
    }

    @Test
    void no_shipping_twice() {
        orders.given(PLACED, BOOKS, PAID, new OrderShipped("42", "DHL"))
                .when(new ShipOrder("42", "UPS"))
                .thenFails(OrderRuleViolation.class, "order 42 is shipped: cannot ship it");
    }

    @Test
    void cancelling_a_paid_order_that_has_not_been_shipped() {
        orders.given(PLACED, BOOKS, PAID)
                .when(new CancelOrder("42", "found it cheaper"))
                .then(new OrderCancelled("42", "found it cheaper"));
    }

    @Test
    void a_shipped_order_cannot_be_cancelled() {
        orders.given(PLACED, BOOKS, PAID, new OrderShipped("42", "DHL"))
                .when(new CancelOrder("42", "changed my mind"))
                .thenFails(OrderRuleViolation.class, "order 42 is shipped: cannot cancel it");
    }

    @Test
    void a_cancelled_order_is_not_paid_nor_cancelled_again() {
        orders.given(PLACED, BOOKS, new OrderCancelled("42", "oops"))
                .when(new PayOrder("42", 3_000, "card"))
                .thenFails(OrderRuleViolation.class, "order 42 is cancelled: cannot pay it");
        orders.given(PLACED, BOOKS, new OrderCancelled("42", "oops"))
                .when(new CancelOrder("42", "again"))
                .thenFails(OrderRuleViolation.class, "order 42 is cancelled: cannot cancel it");
    }

    @Test
    void a_payment_stored_by_release_1_counts_as_paid_after_upcasting() {
        AggregateFixture<Order> withUpcasters = AggregateFixture.of(Order.class).scanPackages(OrdersApp.BASE_PACKAGE);
        withUpcasters.given(new OrderPlaced("42", "ada", "USD"), new ItemAdded("42", "BOOK-42", 2, 1_250),
                        RawEvent.of("OrderPaid", 1, "{\"orderId\":\"42\",\"amount\":\"25.00\"}"))
                .when(new PayOrder("42", 2_500, "card"))
                .thenFails(OrderRuleViolation.class, "order 42 is already paid");
    }
}
