package dev.rewind.example.orders.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.example.orders.demo.ScriptedClock;
import dev.rewind.example.orders.domain.ItemAdded;
import dev.rewind.example.orders.domain.OrderCancelled;
import dev.rewind.example.orders.domain.OrderEvent;
import dev.rewind.example.orders.domain.OrderPaid;
import dev.rewind.example.orders.domain.OrderPlaced;
import dev.rewind.example.orders.domain.OrderShipped;
import dev.rewind.example.orders.projection.revenue.RevenueProjection;
import dev.rewind.example.orders.projection.totals.OrderTotal;
import dev.rewind.example.orders.projection.totals.OrderTotalsProjection;
import dev.rewind.example.orders.projection.totals.OrderTotal.Status;
import dev.rewind.example.orders.projection.users.UserActivity;
import dev.rewind.projection.ReadPoint;
import dev.rewind.storage.memory.InMemoryStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The three projections, found by scanning the app's package, fed through a real store. */
class OrderProjectionsTest {
    private static final Instant T0 = Instant.parse("2024-06-01T10:00:00Z");
    private final ScriptedClock clock = new ScriptedClock(T0);
    private Rewind rewind;
    private int minute;

    @BeforeEach
    void start() {
        rewind = OrdersApp.rewind().storage(new InMemoryStorage()).clock(clock).build();
    }

    @AfterEach
    void stop() {
        rewind.close();
    }

    /** order_totals and revenue_by_currency are asynchronous: read them once they include every event appended. */
    private <T> T stateOf(String name) {
        return rewind.projections().state(name, ReadPoint.atLeast(rewind.store().nextPosition() - 1));
    }

    private void happen(OrderEvent event) {
        clock.set(T0.plusSeconds(60L * minute++));
        rewind.store().append(OrderEvent.streamOf(event.orderId()), ExpectedVersion.any(), List.of(event));
    }

    @Test
    void scanning_finds_the_three_projections_and_no_registration_code_names_them() throws IOException {
        assertThat(rewind.projections().names())
                .containsExactlyInAnyOrder("order_totals", "user_activity", "revenue_by_currency");

        // Surefire runs in the module directory: no main source but the class itself mentions it.
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            sources = files.filter(f -> f.toString().endsWith(".java")).toList();
        }
        for (String projection : List.of("OrderTotalsProjection", "UserActivityProjection", "RevenueProjection")) {
            List<String> naming = new ArrayList<>();
            for (Path f : sources) {
                if (!f.getFileName().toString().equals(projection + ".java") && Files.readString(f).contains(projection)) {
                    naming.add(f.toString());
                }
            }
            assertThat(naming).as("main sources naming %s", projection).isEmpty();
        }
    }

    @Test
    void order_totals_sums_the_lines_and_follows_the_status() {
        happen(new OrderPlaced("1", "ann", "EUR"));
        happen(new ItemAdded("1", "A", 2, 250));
        happen(new ItemAdded("1", "B", 1, 1_000));
        happen(new OrderPlaced("2", "ann", "USD"));
        happen(new ItemAdded("2", "C", 3, 100));
        happen(new OrderPaid("1", 1_500, "EUR", "card"));
        happen(new OrderShipped("1", "DHL"));
        happen(new OrderCancelled("2", "too slow"));

        Map<String, OrderTotal> totals = stateOf("order_totals");
        assertThat(totals).containsExactly(
                Map.entry("1", new OrderTotal("ann", "EUR", 3, 1_500, Status.SHIPPED)),
                Map.entry("2", new OrderTotal("ann", "USD", 3, 300, Status.CANCELLED)));
    }

    @Test
    void revenue_counts_payments_per_currency_and_refunds_cancelled_paid_orders() {
        happen(new OrderPlaced("1", "ann", "EUR"));
        happen(new OrderPaid("1", 1_500, "EUR", "card"));
        happen(new OrderPlaced("2", "bob", "USD"));
        happen(new OrderPaid("2", 700, "USD", "paypal"));
        happen(new OrderPlaced("3", "bob", "USD"));
        happen(new OrderPaid("3", 200, "USD", "card"));
        happen(new OrderCancelled("2", "duplicate"));
        happen(new OrderPlaced("4", "bob", "USD"));
        happen(new OrderCancelled("4", "never paid, nothing to refund"));

        Map<String, Long> revenue = stateOf("revenue_by_currency");
        assertThat(revenue).containsExactly(Map.entry("EUR", 1_500L), Map.entry("USD", 200L));
    }

    @Test
    void user_activity_counts_per_user_and_remembers_when_they_were_last_active() {
        happen(new OrderPlaced("1", "ann", "EUR"));
        happen(new ItemAdded("1", "A", 2, 250));
        happen(new OrderPlaced("2", "bob", "EUR"));
        happen(new OrderPaid("1", 500, "EUR", "card"));
        happen(new OrderCancelled("2", "no"));

        Map<String, UserActivity> users = rewind.projections().state("user_activity");
        assertThat(users).containsExactly(
                Map.entry("ann", new UserActivity(1, 2, 1, 0, 0, T0.plusSeconds(180))),
                Map.entry("bob", new UserActivity(1, 0, 0, 0, 1, T0.plusSeconds(240))));
    }

    @Test
    void events_of_orders_never_placed_are_ignored() {
        happen(new ItemAdded("9", "A", 1, 100));
        happen(new OrderPaid("9", 100, "EUR", "card"));

        assertThat(this.<Map<String, OrderTotal>>stateOf("order_totals")).isEmpty();
        assertThat(rewind.projections().<Map<String, UserActivity>>state("user_activity")).isEmpty();
        assertThat(this.<Map<String, Long>>stateOf("revenue_by_currency")).containsExactly(Map.entry("EUR", 100L));
    }

    @Test
    void the_state_as_of_an_instant_between_two_events_holds_only_the_earlier_ones() {
        happen(new OrderPlaced("1", "ann", "EUR"));
        happen(new ItemAdded("1", "A", 2, 250));
        happen(new OrderPaid("1", 500, "EUR", "card"));

        Map<String, OrderTotal> then = rewind.projections().stateAt("order_totals", T0.plusSeconds(90));
        assertThat(then).containsExactly(Map.entry("1", new OrderTotal("ann", "EUR", 2, 500, Status.PLACED)));
        assertThat(this.<Map<String, OrderTotal>>stateOf("order_totals").get("1").status()).isEqualTo(Status.PAID);
    }

    @Test
    void typed_queries_read_one_order_or_one_currency_without_copying_the_views() {
        happen(new OrderPlaced("1", "ann", "EUR"));
        happen(new ItemAdded("1", "A", 2, 250));
        happen(new OrderPaid("1", 500, "EUR", "card"));
        ReadPoint all = ReadPoint.atLeast(rewind.store().nextPosition() - 1);

        Optional<OrderTotal> one = rewind.projections().query(OrderTotalsProjection.class, all, v -> v.order("1"));
        Optional<OrderTotal> none = rewind.projections().query(OrderTotalsProjection.class, all, v -> v.order("2"));
        long euros = rewind.projections().query(RevenueProjection.class, all, v -> v.revenue("EUR"));
        Status then = rewind.projections().query(OrderTotalsProjection.class, ReadPoint.atPosition(1),
                v -> v.order("1").orElseThrow().status());

        assertThat(one).contains(new OrderTotal("ann", "EUR", 2, 500, Status.PAID));
        assertThat(none).isEmpty();
        assertThat(euros).isEqualTo(500L);
        assertThat(then).isEqualTo(Status.PLACED);
    }
}
