package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code status}: the projection runtime's figures for every projection and processor (or one): kind,
 * mode, state, position, the store's head, lag in events and seconds, rate, parked events, checkpoint,
 * and where and why it stopped. The store is opened read-only: this run's asynchronous projections
 * start from their checkpoints, so the figures are those of a fresh start, taken once they caught up.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Print the runtime status of every projection and processor (or of one), as one JSON object.")
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "A projection or processor name.")
    String name;

    @Override
    public Integer call() {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        try (Rewind rewind = store.openReadOnly()) {
            Names.require(rewind, name);
            for (String n : rewind.projections().names()) {
                if (!rewind.projections().status(n).failed()) {
                    rewind.projections().state(n, StoreOptions.everythingStored(rewind));
                }
            }
            for (ProjectionStatus s : rewind.projections().statuses()) {
                if (name == null || name.equals(s.name())) {
                    doc.set(s.name(), describe(s));
                }
            }
        }
        Json.print(spec.commandLine().getOut(), doc);
        return 0;
    }

    static ObjectNode describe(ProjectionStatus s) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("kind", s.kind().name().toLowerCase(Locale.ROOT));
        n.put("mode", s.mode().name().toLowerCase(Locale.ROOT));
        n.put("state", s.state().name().toLowerCase(Locale.ROOT));
        n.put("last_position", s.lastPosition());
        n.put("head", s.head());
        n.put("lag_events", s.lag());
        n.put("lag_seconds", s.lagSeconds());
        n.put("rate_per_second", s.rate());
        n.put("parked", s.parked());
        n.put("checkpoint", s.checkpoint());
        if (s.owner() != null) {
            n.put("owner", s.owner()); // an owned runner: which instance processes it, and whether it is this one
            n.put("owned_here", s.ownedHere());
            if (s.ownedSince() != null) { // held here: since when, and from whom it was taken over
                n.put("owned_since", s.ownedSince().toString());
                n.put("taken_over_from", s.takenOverFrom());
            }
        }
        if (s.failed()) {
            n.put("failed_at", s.failedAt());
        }
        if (s.error() != null) {
            n.put("error", s.error());
        }
        return n;
    }
}
