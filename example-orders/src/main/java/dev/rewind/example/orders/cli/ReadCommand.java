package dev.rewind.example.orders.cli;

import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code read}: a stream from a version, or the whole store from a global position. */
@Command(name = "read", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Print a stream's events, or all events from a global position, one JSON object per line.")
final class ReadCommand implements Callable<Integer> {
    private static final int PAGE = 1024;

    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;

    @Parameters(index = "0", arity = "0..1", paramLabel = "STREAM", description = "A stream; without it, every stream.")
    String stream;

    @Option(names = "--from", paramLabel = "N", defaultValue = "0", converter = Values.NonNegative.class,
            description = "The first stream version (with STREAM) or global position (without), inclusive; default 0.")
    long from;

    @Option(names = "--limit", paramLabel = "N", converter = Values.NonNegative.class,
            description = "Print at most N events (0 or more).")
    Long limit;

    @Override
    public Integer call() {
        long max = limit == null ? Long.MAX_VALUE : limit;
        PrintWriter out = spec.commandLine().getOut();
        try (Rewind rewind = store.openReadOnly()) {
            if (stream != null) {
                rewind.store().readStream(stream, from).stream().limit(max).forEach(e -> EventsOut.print(out, e));
            } else {
                long position = from;
                long printed = 0;
                while (printed < max) {
                    List<StoredEvent<?>> page = rewind.store().readAll(position, (int) Math.min(PAGE, max - printed));
                    if (page.isEmpty()) {
                        break;
                    }
                    EventsOut.print(out, page);
                    printed += page.size();
                    position = page.get(page.size() - 1).globalPosition() + 1;
                }
            }
        }
        out.flush();
        return 0;
    }
}
