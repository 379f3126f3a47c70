package dev.rewind.example.orders.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end, through its entry point, against the values worked out by hand. */
class DemoTest {
    @TempDir
    Path tmp;

    /*
     * The scenario, by hand:
     *   14:00 1001 placed by alice, EUR      14:05 1001 + 2 x BOOK-42 at 15.00 = 30.00
     *   14:10 1002 placed by bob, USD        14:20 1002 + 1 x LAMP-3 at 45.00 = 45.00
     *   14:30 1001 paid 30.00 EUR, card      14:45 1002 paid 45.00 USD, paypal
     *   15:30 1001 shipped                   16:00 1002 cancelled: its 45.00 USD refunded
     * As of 15:00 (six events), both orders are paid, neither shipped nor cancelled.
     */
    static final String EXPECTED = """
            {
              "events_stored": 8,
              "projections": {
                "order_totals": {
                  "1001": {"userId": "alice", "currency": "EUR", "items": 2, "totalCents": 3000, "status": "SHIPPED"},
                  "1002": {"userId": "bob", "currency": "USD", "items": 1, "totalCents": 4500, "status": "CANCELLED"}
                },
                "user_activity": {
                  "alice": {"ordersPlaced": 1, "itemsAdded": 2, "ordersPaid": 1, "ordersShipped": 1,
                            "ordersCancelled": 0, "lastActiveAt": "2024-05-01T15:30:00Z"},
                  "bob": {"ordersPlaced": 1, "itemsAdded": 1, "ordersPaid": 1, "ordersShipped": 0,
                          "ordersCancelled": 1, "lastActiveAt": "2024-05-01T16:00:00Z"}
                },
                "revenue_by_currency": {"EUR": 3000, "USD": 0}
              },
              "temporal_query": {
                "as_of": "2024-05-01T15:00:00Z",
                "events_included": 6,
                "order_totals": {
                  "1001": {"userId": "alice", "currency": "EUR", "items": 2, "totalCents": 3000, "status": "PAID"},
                  "1002": {"userId": "bob", "currency": "USD", "items": 1, "totalCents": 4500, "status": "PAID"}
                }
              }
            }
            """;

    @Test
    void prints_the_eight_events_the_projections_and_the_state_as_of_15_00() throws Exception {
        Cli.Run run = Cli.run("demo", "--data", tmp.resolve("store").toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.json()).isEqualTo(Json.MAPPER.readTree(EXPECTED));
        JsonNode temporal = run.json().get("temporal_query").get("order_totals");
        assertThat(temporal).isNotEqualTo(run.json().get("projections").get("order_totals"));
    }

    @Test
    void running_it_again_with_reset_prints_the_same_document_and_stores_the_same_events() {
        Path store = tmp.resolve("store");
        Cli.Run first = Cli.run("demo", "--data", store.toString());
        String firstEvents = Cli.run("read", "--data", store.toString()).out();
        Cli.Run second = Cli.run("demo", "--data", store.toString(), "--reset");

        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(Cli.run("read", "--data", store.toString()).out()).isEqualTo(firstEvents);
    }

    @Test
    void the_events_come_from_commands_and_carry_their_ids() {
        Path store = tmp.resolve("store");
        Cli.run("demo", "--data", store.toString());

        JsonNode paid = Cli.run("read", "--data", store.toString(), "--from", "4", "--limit", "1").lines().get(0);

        assertThat(paid.get("type").asText()).isEqualTo("OrderPaid");
        assertThat(paid.get("metadata").toString()).isEqualTo("{\"correlationId\":\"demo\",\"causationId\":\"demo-5\"}");
    }

    @Test
    void refuses_a_store_directory_that_is_not_empty_without_reset() {
        Path store = tmp.resolve("store");
        Cli.run("demo", "--data", store.toString());

        Cli.Run again = Cli.run("demo", "--data", store.toString());

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).isEqualTo("error: " + store.toAbsolutePath() + " holds a Rewind store: give --reset to "
                + "remove it, or name an empty or absent directory\n");
    }

    @Test
    void never_wipes_a_directory_that_holds_no_store() throws Exception {
        Path notAStore = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(notAStore.resolve("holiday.jpg"), "precious");

        Cli.Run run = Cli.run("demo", "--data", notAStore.toString(), "--reset");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: ").contains(notAStore.toAbsolutePath().toString())
                .contains("holiday.jpg").contains("nothing was deleted");
        assertThat(notAStore.resolve("holiday.jpg")).hasContent("precious");
    }

    @Test
    void accepts_an_empty_directory() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));

        Cli.Run run = Cli.run("demo", "--data", empty.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.json().get("events_stored").asInt()).isEqualTo(8);
    }
}
