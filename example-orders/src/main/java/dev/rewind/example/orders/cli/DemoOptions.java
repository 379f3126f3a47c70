package dev.rewind.example.orders.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the demo writes: a store directory or a PostgreSQL schema. The options of {@code demo}, and
 * of the command line without a subcommand, which runs the demo.
 */
final class DemoOptions {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Where to write the store; it must be empty or absent unless --reset is given "
                    + "(default: ./demo-data, reset at every run).")
    Path data;

    @Option(names = "--reset", description = "Remove the store in --data DIR first (only a directory holding "
            + "nothing but a Rewind store's files), or drop --pg-schema first.")
    boolean reset;

    @Option(names = "--outbox", paramLabel = "DIR",
            description = "Where shipping notifications are written (DIR/notifications.jsonl); without it they are"
                    + " only logged.")
    Path outbox;

    @Mixin
    PostgresOptions postgres;
}
