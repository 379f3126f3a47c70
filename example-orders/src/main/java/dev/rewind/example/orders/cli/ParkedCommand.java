package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.Rewind;
import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code parked}: the events a projection or processor parked (those that failed, and those of the same
 * stream waiting behind them) and every decision recorded about its events, as saved with its last
 * checkpoint. Read-only.
 */
@Command(name = "parked", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "List a projection's or processor's parked events and the decisions recorded about its events.")
final class ParkedCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "NAME", description = "A projection or processor name (see status).")
    String name;

    @Override
    public Integer call() {
        ObjectNode doc;
        try (Rewind rewind = store.openReadOnly()) {
            Names.require(rewind, name);
            doc = describe(rewind.projections().parked(name), rewind.projections().decisions(name));
        }
        Json.print(spec.commandLine().getOut(), doc);
        return 0;
    }

    static ObjectNode describe(List<ParkedEvent> parked, List<Decision> decisions) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        ArrayNode p = doc.putArray("parked");
        for (ParkedEvent e : parked) {
            ObjectNode n = p.addObject();
            n.put("position", e.position());
            n.put("event_id", e.eventId().toString());
            n.put("stream", e.streamId());
            n.put("type", e.type());
            n.put("parked_at", e.parkedAt().toString());
            if (e.failed()) {
                n.put("attempts", e.attempts());
                n.put("error", e.error());
            } else {
                n.put("behind", e.behind());
            }
        }
        ArrayNode d = doc.putArray("decisions");
        for (Decision x : decisions) {
            ObjectNode n = d.addObject();
            n.put("at", x.at().toString());
            n.put("decision", x.kind().name().toLowerCase(Locale.ROOT));
            n.put("position", x.position());
            if (x.eventId() != null) {
                n.put("event_id", x.eventId().toString());
                n.put("stream", x.streamId());
            }
            n.put("reason", x.reason());
            if (x.detail() != null) {
                n.put("detail", x.detail());
            }
        }
        return doc;
    }
}
