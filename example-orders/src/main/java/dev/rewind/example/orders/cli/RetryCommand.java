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
 * {@code retry}: applies a stream's parked events again, in order, until one fails again; records the
 * decision (time and reason) with the checkpoint. Opens the store for writing (it never creates one), so
 * it runs the app as a writer does: asynchronous projections and the notifications catch up too.
 */
@Command(name = "retry", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Retry the parked events of one stream, in order, recording the decision; prints what stays "
                + "parked and the decisions.")
final class RetryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "NAME", description = "A projection or processor name (see parked).")
    String name;

    @Option(names = "--stream", required = true, paramLabel = "STREAM", description = "The stream whose parked events to retry.")
    String stream;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded with the decision).")
    String reason;

    @Override
    public Integer call() {
        try (Rewind rewind = store.openExistingForWriting()) {
            Names.require(rewind, name);
            rewind.projections().retryParked(name, stream, reason);
            Json.print(spec.commandLine().getOut(), ParkedCommand.describe(rewind.projections().parked(name),
                    rewind.projections().decisions(name)));
        }
        return 0;
    }
}
