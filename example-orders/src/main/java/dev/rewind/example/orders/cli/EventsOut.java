package dev.rewind.example.orders.cli;

import dev.rewind.StoredEvent;
import java.io.PrintWriter;
import java.util.Collection;

/** Prints events one JSON object per line, so that the output pipes into {@code jq}. */
final class EventsOut {
    private EventsOut() {
    }

    static void print(PrintWriter out, StoredEvent<?> event) {
        out.println(Json.line(Json.event(event)));
    }

    static void print(PrintWriter out, Collection<StoredEvent<?>> events) {
        events.forEach(e -> print(out, e));
        out.flush();
    }
}
