package dev.rewind.example.orders.cli;

import dev.rewind.Rewind;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code skip}: gives up on one parked event that failed: it is never applied by this instance of the
 * projection (a rebuild tries it again), the decision is recorded with time and reason, and the events
 * of its stream waiting behind it are applied. Opens the store for writing (never creating one).
 */
@Command(name = "skip", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Skip one parked event that failed, recording the decision; prints what stays parked and the "
                + "decisions.")
final class SkipCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "NAME", description = "A projection or processor name (see parked).")
    String name;

    @Option(names = "--position", required = true, paramLabel = "N", converter = Values.NonNegative.class,
            description = "The global position of the parked event that failed.")
    long position;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded with the decision).")
    String reason;

    @Override
    public Integer call() {
        try (Rewind rewind = store.openExistingForWriting()) {
            Names.require(rewind, name);
            rewind.projections().skipParked(name, position, reason);
            Json.print(spec.commandLine().getOut(), ParkedCommand.describe(rewind.projections().parked(name),
                    rewind.projections().decisions(name)));
        }
        return 0;
    }
}
