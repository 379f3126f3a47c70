package dev.rewind.example.orders.cli;

import dev.rewind.Rewind;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code state}: a projection's state now, as of an instant, or as of a global position. */
@Command(name = "state", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Print a projection's state: now, --at an instant, or --position N.")
final class StateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "PROJECTION", description = "A projection name (see the projections command).")
    String projection;

    @ArgGroup(exclusive = true)
    When when;

    static final class When {
        @Option(names = "--at", paramLabel = "INSTANT",
                description = "The state as of this instant (events recorded at or before it), ISO-8601.")
        Instant at;

        @Option(names = "--position", paramLabel = "N", converter = Values.PositionOrNone.class,
                description = "The state as of this global position (inclusive); -1 for the empty state.")
        Long position;
    }

    @Override
    public Integer call() {
        try (Rewind rewind = store.openReadOnly()) {
            if (!rewind.projections().names().contains(projection)) {
                throw new CliException("no projection '" + projection + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(rewind.projections().names())) + ")");
            }
            Object state;
            if (when != null && when.at != null) {
                state = rewind.projections().stateAt(projection, when.at);
            } else if (when != null && when.position != null) {
                state = rewind.projections().stateAtPosition(projection, when.position);
            } else if (rewind.projections().status(projection).failed()) {
                state = rewind.projections().state(projection); // stopped: as far as it got
            } else {
                state = rewind.projections().state(projection, StoreOptions.everythingStored(rewind));
            }
            Json.print(spec.commandLine().getOut(), state);
        }
        return 0;
    }
}
