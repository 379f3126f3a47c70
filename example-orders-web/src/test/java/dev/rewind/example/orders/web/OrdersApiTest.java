package dev.rewind.example.orders.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rewind.EventStore;
import dev.rewind.example.orders.web.RunningApp.Response;
import dev.rewind.storage.file.FileStorage;
import java.io.ByteArrayInputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;

/**
 * The HTTP API against the running app, on a real port, over a file store in a temporary directory
 * with the demo story played into it (so the 2024 instants of the CLI demo are there to query; orders
 * these tests place are stamped with today's time, after them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrdersApiTest {
    private Path tmp;
    private RunningApp app;
    private EventStore store;

    /**
     * The application's own storage bean (which wins over rewind.storage): the file store, contestable.
     * Not a {@code @Configuration}: the app's component scan would then add it to every test's app.
     */
    static class StorageConfig {
        @Bean
        ContestedStorage contestedStorage(@Value("${test.store-dir}") String dir) {
            return new ContestedStorage(FileStorage.open(Path.of(dir)));
        }
    }

    @BeforeAll
    void start(@TempDir Path dir) {
        tmp = dir;
        app = RunningApp.start(List.of(StorageConfig.class), "test.store-dir=" + tmp.resolve("store"), "orders.demo=true");
        store = app.bean(EventStore.class);
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private static List<String> types(JsonNode events) {
        return StreamSupport.stream(events.spliterator(), false).map(e -> e.get("type").asText()).toList();
    }

    private Response place(String id, String user) {
        return app.post("/api/orders", "{\"orderId\":\"" + id + "\",\"userId\":\"" + user + "\",\"currency\":\"EUR\"}");
    }

    // ------------------------------------------------------------------ commands

    @Test
    void an_order_goes_through_its_life_each_command_answering_201_with_the_events_stored() {
        Response placed = place("w-1", "carol");
        assertThat(placed.status()).isEqualTo(201);
        assertThat(placed.raw().headers().firstValue("Location")).contains("/api/streams/order-w-1/events");
        JsonNode event = placed.json().get("events").get(0);
        assertThat(event.get("type").asText()).isEqualTo("OrderPlaced");
        assertThat(event.get("streamId").asText()).isEqualTo("order-w-1");
        assertThat(event.get("streamVersion").asLong()).isZero();
        assertThat(event.get("payload").get("userId").asText()).isEqualTo("carol");
        assertThat(event.get("globalPosition").asLong()).isEqualTo(store.nextPosition() - 1);

        Response item = app.post("/api/orders/w-1/items", "{\"sku\":\"PEN-1\",\"quantity\":3,\"unitPriceCents\":250}");
        assertThat(item.status()).isEqualTo(201);
        assertThat(item.json().get("events").get(0).get("payload").get("quantity").asInt()).isEqualTo(3);
        assertThat(app.post("/api/orders/w-1/payment", "{\"amountCents\":750,\"paymentMethod\":\"card\"}").status())
                .isEqualTo(201);
        Response shipped = app.post("/api/orders/w-1/shipment", "{\"carrier\":\"UPS\"}");
        assertThat(shipped.status()).isEqualTo(201);
        assertThat(shipped.json().get("events").get(0).get("metadata").get("causationId").asText())
                .isEqualTo(shipped.json().get("commandId").asText());

        JsonNode stream = app.get("/api/streams/order-w-1/events").json();
        assertThat(types(stream.get("events"))).containsExactly("OrderPlaced", "ItemAdded", "OrderPaid", "OrderShipped");
        // order_totals is asynchronous: read it once it has applied the shipment (read-your-writes)
        long shippedAt = shipped.json().get("events").get(0).get("globalPosition").asLong();
        JsonNode totals = app.get("/api/projections/order_totals?minPosition=" + shippedAt).json().get("state").get("w-1");
        assertThat(totals.get("status").asText()).isEqualTo("SHIPPED");
        assertThat(totals.get("totalCents").asLong()).isEqualTo(750);

        Response cancelled = app.post("/api/orders/w-2/cancellation", "{\"reason\":\"never placed\"}");
        assertThat(cancelled.status()).isEqualTo(422);
    }

    @Test
    void a_refused_command_is_422_with_the_rules_message_and_stores_nothing() {
        place("w-3", "dan");
        app.post("/api/orders/w-3/items", "{\"sku\":\"MUG\",\"quantity\":2,\"unitPriceCents\":900}");
        long before = store.nextPosition();

        Response wrongAmount = app.post("/api/orders/w-3/payment", "{\"amountCents\":100,\"paymentMethod\":\"card\"}");
        assertThat(wrongAmount.status()).isEqualTo(422);
        assertThat(wrongAmount.detail()).isEqualTo("order w-3 totals 1800 cents EUR, the payment was 100");
        assertThat(wrongAmount.json().get("rule").asText()).isEqualTo("WRONG_AMOUNT");
        assertThat(wrongAmount.raw().headers().firstValue("Content-Type")).contains("application/problem+json");

        Response notPlaced = app.post("/api/orders/w-404/shipment", "{\"carrier\":\"UPS\"}");
        assertThat(notPlaced.status()).isEqualTo(422);
        assertThat(notPlaced.detail()).isEqualTo("order w-404 does not exist: cannot ship it");

        Response twice = place("w-3", "dan");
        assertThat(twice.status()).isEqualTo(422);
        assertThat(twice.json().get("rule").asText()).isEqualTo("ALREADY_PLACED");

        assertThat(store.nextPosition()).isEqualTo(before);
    }

    @Test
    void a_request_sent_again_with_its_idempotency_key_returns_the_first_result_and_appends_nothing() {
        place("w-4", "erin");
        Response first = app.post("/api/orders/w-4/items", "{\"sku\":\"CUP\",\"quantity\":1,\"unitPriceCents\":500}",
                "Idempotency-Key", "add-cup-w-4");
        long after = store.nextPosition();
        Response again = app.post("/api/orders/w-4/items", "{\"sku\":\"CUP\",\"quantity\":1,\"unitPriceCents\":500}",
                "Idempotency-Key", "add-cup-w-4");

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("alreadyProcessed").asBoolean()).isTrue();
        assertThat(again.json().get("events")).isEqualTo(first.json().get("events"));
        assertThat(store.nextPosition()).isEqualTo(after);
    }

    @Test
    void a_concurrency_conflict_that_outlasts_the_retries_is_409_and_stores_nothing() {
        place("w-5", "fay");
        app.bean(ContestedStorage.class).contest("order-w-5");
        long before = store.nextPosition();

        Response r = app.post("/api/orders/w-5/items", "{\"sku\":\"HAT\",\"quantity\":1,\"unitPriceCents\":1200}");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.detail()).contains("order-w-5").contains("gave up after 3 attempts");
        assertThat(store.nextPosition()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ queries

    @Test
    void a_projection_now_as_of_an_instant_and_as_of_a_position() {
        JsonNode at3pm = app.get("/api/projections/order_totals?at=2024-05-01T15:00:00Z").json();
        assertThat(at3pm.get("asOf").asText()).isEqualTo("2024-05-01T15:00:00Z");
        assertThat(at3pm.get("eventsIncluded").asLong()).isEqualTo(6);
        assertThat(at3pm.get("state").get("1001").get("status").asText()).isEqualTo("PAID");
        assertThat(at3pm.get("state").get("1002").get("status").asText()).isEqualTo("PAID");

        JsonNode revenueAt5 = app.get("/api/projections/revenue_by_currency?position=5").json();
        assertThat(revenueAt5.get("position").asLong()).isEqualTo(5);
        assertThat(revenueAt5.get("state").get("EUR").asLong()).isEqualTo(3000);
        assertThat(revenueAt5.get("state").get("USD").asLong()).isEqualTo(4500);

        JsonNode before = app.get("/api/projections/order_totals?position=-1").json();
        assertThat(before.get("state").size()).isZero();

        // the demo's 8 events are at positions 0..7; the asynchronous projection may still be on its way there
        JsonNode now = app.get("/api/projections/order_totals?minPosition=7").json();
        assertThat(now.get("state").get("1002").get("status").asText()).isEqualTo("CANCELLED");
        assertThat(now.get("eventsIncluded").asLong()).isGreaterThanOrEqualTo(8);

        JsonNode users = app.get("/api/projections/user_activity?at=2024-05-01T15:00:00Z").json().get("state");
        assertThat(users.get("alice").get("lastActiveAt").asText()).isEqualTo("2024-05-01T14:30:00Z");

        JsonNode listed = app.get("/api/projections").json();
        assertThat(StreamSupport.stream(listed.spliterator(), false).map(p -> p.get("name").asText()))
                .containsExactly("order_totals", "revenue_by_currency", "user_activity");
        assertThat(listed.get(0).get("failedAt").asLong()).isEqualTo(-1);
    }

    @Test
    void events_by_stream_by_position_and_by_time_range() {
        JsonNode page = app.get("/api/events?from=2&limit=3").json();
        assertThat(StreamSupport.stream(page.get("events").spliterator(), false)
                .map(e -> e.get("globalPosition").asLong())).containsExactly(2L, 3L, 4L);
        assertThat(page.get("next").asLong()).isEqualTo(5);

        // [14:30, 15:30): the two payments; the shipment at 15:30 is after the exclusive end
        JsonNode range = app.get("/api/events?start=2024-05-01T14:30:00Z&end=2024-05-01T15:30:00Z").json();
        assertThat(types(range.get("events"))).containsExactly("OrderPaid", "OrderPaid");
        assertThat(range.get("next").isNull()).isTrue();
        JsonNode firstOnly = app.get("/api/events?start=2024-05-01T14:30:00Z&end=2024-05-01T15:30:00Z&limit=1").json();
        assertThat(firstOnly.get("events")).hasSize(1);
        assertThat(firstOnly.get("next").asLong()).isEqualTo(5);

        JsonNode stream = app.get("/api/streams/order-1002/events?from=2").json();
        assertThat(types(stream.get("events"))).containsExactly("OrderPaid", "OrderCancelled");
        JsonNode cancelled = stream.get("events").get(1);
        assertThat(cancelled.get("recordedAt").asText()).isEqualTo("2024-05-01T16:00:00Z");
        assertThat(cancelled.get("payload").get("reason").asText()).isEqualTo("found it cheaper elsewhere");
        assertThat(cancelled.get("metadata").get("correlationId").asText()).isEqualTo("demo");

        assertThat(app.get("/api/streams/order-none/events").json().get("events")).isEmpty();
    }

    // ------------------------------------------------------------------ bad input

    /** One bad request: its status, a phrase its message must hold, and that nothing was stored. */
    private void refused(Response r, int status, String phrase) {
        assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
        assertThat(r.detail()).as("the problem's detail").contains(phrase);
    }

    @Test
    void bad_input_is_a_4xx_with_a_message_and_nothing_is_stored() {
        place("w-6", "gus");
        long before = store.nextPosition();
        String items = "/api/orders/w-6/items";

        refused(app.get("/api/projections/nope"), 404, "unknown projection 'nope'");
        refused(app.get("/api/projections/order_totals?at=yesterday"), 400, "'at' must be an ISO-8601 instant");
        refused(app.get("/api/projections/order_totals?at=2024-05-01T15:00:00Z&position=3"), 400, "not both");
        refused(app.get("/api/projections/order_totals?position=abc"), 400, "'position' must be a whole number, was 'abc'");
        refused(app.get("/api/projections/order_totals?position=-2"), 400, "'position' must be -1");
        refused(app.get("/api/projections/order_totals?position=2&minPosition=3"), 400, "not both");
        refused(app.get("/api/projections/order_totals?minPosition=-1"), 400, "'minPosition' must be 0 or more");
        refused(app.get("/api/events?start=2024-05-01T14:30:00Z"), 400, "needs both 'start'");
        refused(app.get("/api/events?start=noon&end=2024-05-01T15:00:00Z"), 400, "'start' must be an ISO-8601 instant");
        refused(app.get("/api/events?from=-1"), 400, "'from' must be 0 or more");
        refused(app.get("/api/events?limit=0"), 400, "'limit' must be 1 to 10000");

        refused(app.post(items, "{\"sku\":\"A\",\"quantity\":1"), 400, "malformed JSON");
        refused(app.post(items, "not json"), 400, "malformed JSON");
        refused(app.post(items, "{\"sku\":\"A\",\"quantity\":1,\"unitPriceCents\":5,\"discount\":50}"), 400,
                "unknown field 'discount'; the fields are quantity, sku, unitPriceCents");
        refused(app.post(items, "{\"sku\":\"A\",\"quantity\":1}"), 400, "missing field 'unitPriceCents'");
        refused(app.post(items, "{\"sku\":null,\"quantity\":1,\"unitPriceCents\":5}"), 400, "field 'sku' must not be null");
        refused(app.post(items, "{\"sku\":\" \",\"quantity\":1,\"unitPriceCents\":5}"), 400, "'sku' must not be blank");
        refused(app.post(items, "{\"sku\":\"A\",\"quantity\":2.5,\"unitPriceCents\":5}"), 400, "field 'quantity'");
        refused(app.post(items, "{\"sku\":\"A\",\"quantity\":\"2\",\"unitPriceCents\":5}"), 400, "field 'quantity'");
        refused(app.post(items, "{\"sku\":\"A\",\"quantity\":1,\"unitPriceCents\":5} {}"), 400, "something after the JSON object");
        refused(app.post(items, "[]"), 400, "the request body was refused");
        refused(app.post(items, "{\"sku\":\"A\",\"quantity\":1,\"unitPriceCents\":5}", "Idempotency-Key", " "), 400,
                "Idempotency-Key must be");
        refused(app.send(HttpRequest.newBuilder(app.base.resolve(items)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("sku=A"))), 415, "text/plain");

        String big = "{\"sku\":\"" + "x".repeat(40_000) + "\",\"quantity\":1,\"unitPriceCents\":5}";
        refused(app.post(items, big), 413, "larger than the 16384 bytes accepted");
        // the same body without a length (chunked): refused while it is read
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        refused(app.send(HttpRequest.newBuilder(app.base.resolve(items)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))), 413,
                "larger than the 16384 bytes accepted");

        assertThat(store.nextPosition()).as("events stored by the refused requests").isEqualTo(before);
        assertThat(app.get("/api/streams/order-w-6/events").json().get("events")).hasSize(1);
    }

    // ------------------------------------------------------------------ safety and storage

    @Test
    void it_listens_on_the_loopback_address_only() throws Exception {
        assertThat(app.property("server.address")).isEqualTo("127.0.0.1");
        int port = app.base.getPort();
        Optional<InetAddress> external = nonLoopbackAddress();
        if (external.isPresent()) {
            try (Socket s = new Socket()) {
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                        s.connect(new InetSocketAddress(external.get(), port), 2_000)))
                        .as("a connection to " + external.get() + ":" + port).isNotNull();
            }
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            assertThat(s.isConnected()).isTrue();
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        List<InetAddress> found = new ArrayList<>();
        for (NetworkInterface n : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (n.isUp() && !n.isLoopback()) {
                n.getInetAddresses().asIterator().forEachRemaining(a -> {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        found.add(a);
                    }
                });
            }
        }
        return found.stream().findFirst();
    }

    @Test
    void the_applications_storage_bean_wins_over_rewind_storage() {
        // application.properties says file:orders-web-data; the test's storage bean is used instead
        assertThat(app.property("rewind.storage")).isEqualTo("file:orders-web-data");
        assertThat(Files.exists(tmp.resolve("store"))).isTrue();
        assertThat(app.bean(ContestedStorage.class).nextPosition()).isEqualTo(store.nextPosition()).isPositive();
    }

    // ------------------------------------------------------------------ actuator

    @Test
    void health_metrics_and_the_projections_endpoint_are_served_on_the_apps_port() {
        Response placed = place("m-1", "dora");
        assertThat(placed.status()).isEqualTo(201);

        Response health = app.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        JsonNode rewind = health.json().get("components").get("rewind");
        assertThat(rewind.get("status").asText()).isEqualTo("UP");
        assertThat(rewind.get("details").get("store").asText()).isEqualTo("open");
        assertThat(rewind.get("details").get("projections").get("order_totals").get("kind").asText())
                .isEqualTo("projection");

        JsonNode appends = app.get("/actuator/metrics/rewind.appends").json();
        assertThat(appends.get("baseUnit").asText()).isEqualTo("seconds");
        assertThat(StreamSupport.stream(appends.get("measurements").spliterator(), false)
                .filter(m -> m.get("statistic").asText().equals("COUNT")).findFirst().orElseThrow()
                .get("value").asDouble()).as("the demo's appends and the order just placed").isGreaterThanOrEqualTo(1);
        JsonNode lag = app.get("/actuator/metrics/rewind.projection.lag.events?tag=projection:order_totals").json();
        assertThat(lag.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(0);
        JsonNode stored = app.get("/actuator/metrics/rewind.events.stored").json();
        assertThat(stored.get("measurements").get(0).get("value").asDouble()).isEqualTo(store.nextPosition());

        JsonNode listed = app.get("/actuator/rewindprojections").json();
        assertThat(StreamSupport.stream(listed.get("projections").spliterator(), false).map(p -> p.get("name").asText()))
                .contains("order_totals", "revenue_by_currency", "user_activity");
        JsonNode one = app.get("/actuator/rewindprojections/order_totals").json();
        assertThat(one.get("mode").asText()).as("set by rewind.projections.named.order_totals.mode").isEqualTo("ASYNC");
        assertThat(app.get("/actuator/rewindprojections/nope").status()).isEqualTo(404);
    }
}
