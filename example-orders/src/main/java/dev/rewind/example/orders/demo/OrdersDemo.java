package dev.rewind.example.orders.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.Rewind;
import dev.rewind.command.CommandMessage;
import dev.rewind.example.orders.command.AddItem;
import dev.rewind.example.orders.command.CancelOrder;
import dev.rewind.example.orders.command.PayOrder;
import dev.rewind.example.orders.command.PlaceOrder;
import dev.rewind.example.orders.command.ShipOrder;
import dev.rewind.projection.ReadPoint;
import java.time.Instant;
import java.util.List;

/**
 * The demo's scenario: two orders, eight commands sent through the command side (the {@code Order}
 * aggregate checks each against its rules and appends one event), one afternoon; then the
 * projections, which only the query side reads, now and as of 15:00, when both orders were paid and
 * neither was shipped or cancelled yet.
 */
public final class OrdersDemo {
    /** The instant of the temporal query: after the sixth event, before the seventh. */
    public static final Instant AS_OF = Instant.parse("2024-05-01T15:00:00Z");
    /** The projections the demo prints, in order. */
    public static final List<String> PROJECTIONS = List.of("order_totals", "user_activity", "revenue_by_currency");

    /** One step of the scenario: at this instant, this command was sent. */
    private record Step(String at, Object command) {
    }

    private static final List<Step> SCENARIO = List.of(
            new Step("2024-05-01T14:00:00Z", new PlaceOrder("1001", "alice", "EUR")),
            new Step("2024-05-01T14:05:00Z", new AddItem("1001", "BOOK-42", 2, 1_500)),
            new Step("2024-05-01T14:10:00Z", new PlaceOrder("1002", "bob", "USD")),
            new Step("2024-05-01T14:20:00Z", new AddItem("1002", "LAMP-3", 1, 4_500)),
            new Step("2024-05-01T14:30:00Z", new PayOrder("1001", 3_000, "card")),
            new Step("2024-05-01T14:45:00Z", new PayOrder("1002", 4_500, "paypal")),
            new Step("2024-05-01T15:30:00Z", new ShipOrder("1001", "DHL")),
            new Step("2024-05-01T16:00:00Z", new CancelOrder("1002", "found it cheaper elsewhere")));

    private OrdersDemo() {
    }

    /** @return the instant the scenario starts at, for the clock */
    public static Instant start() {
        return Instant.parse(SCENARIO.get(0).at());
    }

    /**
     * Plays the scenario into an empty store and describes the result.
     *
     * @param rewind a started Rewind over an empty store, with the orders app's components
     * @param clock the clock its store stamps events with
     * @param json the mapper that builds the document
     * @return {@code {"events_stored", "projections": {...}, "temporal_query": {"as_of", ...}}}
     */
    public static ObjectNode run(Rewind rewind, ScriptedClock clock, ObjectMapper json) {
        if (rewind.store().nextPosition() != 0) {
            throw new IllegalStateException("the demo needs an empty store, this one holds "
                    + rewind.store().nextPosition() + " events");
        }
        for (int i = 0; i < SCENARIO.size(); i++) {
            Step step = SCENARIO.get(i);
            clock.set(Instant.parse(step.at()));
            // A fixed command id: the events' ids derive from it, so they are the same at every run.
            rewind.commands().send(CommandMessage.of(step.command()).withId("demo-" + (i + 1))
                    .withCorrelationId("demo"));
        }
        return describe(rewind, json);
    }

    private static ObjectNode describe(Rewind rewind, ObjectMapper json) {
        ObjectNode doc = json.createObjectNode();
        long stored = rewind.store().nextPosition();
        doc.put("events_stored", stored);
        ObjectNode projections = doc.putObject("projections");
        for (String name : PROJECTIONS) {
            // order_totals and revenue_by_currency are asynchronous: ask for every event stored, not "so far"
            projections.set(name, json.valueToTree(rewind.projections().state(name, ReadPoint.atLeast(stored - 1))));
        }
        ObjectNode temporal = doc.putObject("temporal_query");
        temporal.put("as_of", AS_OF.toString());
        temporal.put("events_included", rewind.store().firstPositionAfter(AS_OF));
        temporal.set("order_totals", json.valueToTree(rewind.projections().stateAt("order_totals", AS_OF)));
        return doc;
    }
}
