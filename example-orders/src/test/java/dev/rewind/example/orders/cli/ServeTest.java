package dev.rewind.example.orders.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rewind.Rewind;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.example.orders.projection.totals.OrderTotal;
import dev.rewind.example.tables.OrderTotalsTable;
import dev.rewind.projection.ReadPoint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}: one instance of the app placing orders and printing its status; two of them on one
 * PostgreSQL store sharing the owned table view, the survivor taking it over.
 */
class ServeTest {
    @TempDir
    Path tmp;

    @Test
    void on_files_it_places_the_orders_asked_for_and_prints_a_status_line_that_includes_them() {
        Cli.Run run = Cli.run("serve", "--data", tmp.resolve("store").toString(), "--instance", "solo",
                "--orders-per-second", "200", "--orders", "10", "--seconds", "3", "--every", "500");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> lines = run.lines();
        JsonNode last = lines.get(lines.size() - 1);
        assertThat(last.get("instance").asText()).isEqualTo("solo");
        assertThat(last.get("orders_placed").asLong()).isEqualTo(10);
        assertThat(last.get("head").asLong()).isEqualTo(29); // three events per order
        assertThat(last.get("projections").has("order_totals")).isTrue();
        assertThat(last.get("projections").has("order_totals_table")).isFalse(); // a PostgreSQL view only
        assertThat(lines).noneMatch(l -> l.has("took_over")); // nothing is owned on a file store
    }

    @Test
    void two_instances_on_postgres_keep_one_table_view_written_once_and_the_survivor_takes_it_over() throws Exception {
        DemoOnPostgresTest.server();
        String schema = DemoOnPostgresTest.SCHEMA + "_serve";
        try (Connection c = DriverManager.getConnection(DemoOnPostgresTest.URL, DemoOnPostgresTest.USER,
                DemoOnPostgresTest.PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
        String store = DemoOnPostgresTest.storeUrl(schema);

        // a places up to 40 orders and leaves after 2 s (a loaded machine places fewer: the check counts what a placed);
        // b serves 5 s: whichever owned the table view first, b holds it at the end
        CompletableFuture<Cli.Run> a = CompletableFuture.supplyAsync(() -> Cli.run("serve", "--store", store,
                "--instance", "a", "--orders-per-second", "40", "--orders", "40", "--seconds", "2", "--every", "250",
                "--lease", "1000"));
        CompletableFuture<Cli.Run> b = CompletableFuture.supplyAsync(() -> Cli.run("serve", "--store", store,
                "--instance", "b", "--seconds", "5", "--every", "250", "--lease", "1000"));
        Cli.Run ra = a.get();
        Cli.Run rb = b.get();
        assertThat(ra.exitCode()).as(ra.err()).isZero();
        assertThat(rb.exitCode()).as(rb.err()).isZero();

        List<JsonNode> bLines = rb.lines();
        JsonNode bLast = bLines.get(bLines.size() - 1);
        assertThat(bLast.get("projections").get("order_totals_table").get("owner").asText()).isEqualTo("b");
        assertThat(bLast.get("projections").get("order_totals_table").get("owned_here").asBoolean()).isTrue();
        boolean aOwnedIt = ra.lines().stream().anyMatch(l -> "order_totals_table".equals(l.path("took_over").asText()));
        if (aOwnedIt) { // then b took it over from a once a was gone, and said so
            assertThat(bLines).anyMatch(l -> "order_totals_table".equals(l.path("took_over").asText())
                    && "a".equals(l.path("from").asText()));
        }

        // the table equals order_totals computed from the store, each event's effect once (an INSERT per order would
        // fail on its primary key if an OrderPlaced were applied twice)
        try (Rewind check = OrdersApp.withTables(OrdersApp.rewind()).storage(store).instanceId("check")
                .leaseDuration(Duration.ofMillis(1000)).build()) {
            long head = check.store().nextPosition() - 1;
            List<JsonNode> aLines = ra.lines();
            long placed = aLines.get(aLines.size() - 1).get("orders_placed").asLong();
            assertThat(placed).isPositive();
            assertThat(head).isEqualTo(placed * 3 - 1);
            check.projections().state("order_totals_table", ReadPoint.atLeast(head).within(Duration.ofSeconds(30)));
            Map<String, OrderTotal> expected = check.projections().state("order_totals", ReadPoint.atLeast(head));
            try (Connection c = DriverManager.getConnection(DemoOnPostgresTest.URL, DemoOnPostgresTest.USER,
                    DemoOnPostgresTest.PASSWORD)) {
                JsonNode table = Json.MAPPER.valueToTree(OrderTotalsTable.read(c, schema));
                JsonNode inMemory = Json.MAPPER.valueToTree(expected);
                assertThat(table).isEqualTo(inMemory);
            }
            assertThat(check.projections().verify("order_totals_table").ok()).isTrue();

            // a read-only status (another process, as an operator would run it) names the owner of the owned processor
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // bounded poll: the lease is taken by its worker
            while (!check.projections().status("shipping_notifications").ownedHere()) {
                assertThat(System.nanoTime()).as("the check instance owns the notifications within 30 s").isLessThan(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            }
            Cli.Run status = Cli.run("status", "--store", store, "shipping_notifications");
            assertThat(status.exitCode()).as(status.err()).isZero();
            JsonNode notifications = status.json().get("shipping_notifications");
            assertThat(notifications.get("owner").asText()).isEqualTo("check");
            assertThat(notifications.get("owned_here").asBoolean()).isFalse();
        }
    }
}
