package dev.rewind.example.orders.cli;

import dev.rewind.Rewind;
import java.io.PrintWriter;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code replay}: re-emits the events from one event on. */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Replay, in global order, the event with this id and every later one, one JSON object per line.")
final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Option(names = "--from", required = true, paramLabel = "EVENT_ID", description = "The id of the first event to replay.")
    UUID from;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Rewind rewind = store.openReadOnly()) {
            rewind.store().replayFrom(from, e -> EventsOut.print(out, e));
        }
        out.flush();
        return 0;
    }
}
