package dev.rewind.example.orders.cli;

import dev.rewind.Rewind;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code events}: the events recorded in a time range. */
@Command(name = "events", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Print the events recorded in [--from, --to), one JSON object per line. "
        + "--from after --to prints nothing.")
final class EventsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Option(names = "--from", paramLabel = "INSTANT", defaultValue = "1970-01-01T00:00:00Z",
            description = "Inclusive, ISO-8601 such as 2024-05-01T14:00:00Z (default: the epoch).")
    Instant from;

    @Option(names = "--to", paramLabel = "INSTANT", defaultValue = "9999-12-31T23:59:59Z",
            description = "Exclusive, ISO-8601 (default: the far future).")
    Instant to;

    @Override
    public Integer call() {
        try (Rewind rewind = store.openReadOnly()) {
            EventsOut.print(spec.commandLine().getOut(), rewind.store().readByTime(from, to));
        }
        return 0;
    }
}
