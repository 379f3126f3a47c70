package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.Rewind;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.example.orders.demo.OrdersDemo;
import dev.rewind.example.orders.demo.ScriptedClock;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.storage.file.FileStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: plays the demo's scenario into a fresh file store and prints one JSON document: the
 * number of events stored, the three projections, and {@code order_totals} as of 15:00. On PostgreSQL the
 * document also has {@code order_totals_table}: the same view, kept in the table {@code order_totals} by an
 * owned projection and read back with SQL.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Append the demo's 8 events to a fresh store and print the projections "
        + "and a temporal query as one JSON document. The store is kept for the other subcommands. "
        + "The same as running rewind-orders without a subcommand.")
final class DemoCommand implements Callable<Integer> {
    static final Path DEFAULT_DIR = Path.of("demo-data");

    @Spec
    CommandSpec spec;

    @Mixin
    DemoOptions options;

    @Override
    public Integer call() {
        return run(options, spec.commandLine());
    }

    /**
     * Runs the demo: {@code demo}, and the command line without a subcommand.
     *
     * @param options where to write
     * @param commandLine the command that runs it, for its output and its usage errors
     * @return the exit code
     */
    static int run(DemoOptions options, CommandLine commandLine) {
        EventStorage storage;
        if (options.postgres.enabled()) {
            if (options.data != null) {
                throw new ParameterException(commandLine, "give --data DIR or --postgres JDBC_URL, not both");
            }
            storage = options.postgres.openEmpty(options.reset);
        } else {
            Path dir = options.data == null ? DEFAULT_DIR : options.data;
            prepare(dir, options.data == null || options.reset);
            storage = FileStorage.open(dir);
        }
        ScriptedClock clock = new ScriptedClock(OrdersDemo.start());
        String schema = options.postgres.enabled() ? options.postgres.schema() : null;
        ObjectNode doc;
        try (Rewind rewind = start(storage, clock, options)) {
            doc = OrdersDemo.run(rewind, clock, Json.MAPPER);
            if (schema != null) {
                // the same view as order_totals, kept in a table by an owned projection: wait for it, then read it with SQL
                rewind.projections().state("order_totals_table", StoreOptions.everythingStored(rewind));
                doc.set("order_totals_table", Json.MAPPER.valueToTree(TableViews.read(options.postgres, schema)));
            }
        }
        Json.print(commandLine.getOut(), doc);
        return 0;
    }

    private static Rewind start(EventStorage storage, ScriptedClock clock, DemoOptions options) {
        try {
            Rewind.Builder app = OrdersApp.rewind(StoreOptions.notifier(options.outbox));
            if (options.postgres.enabled()) {
                OrdersApp.withTables(app);
            }
            return app.storage(storage).clock(clock).build();
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    /**
     * Makes sure {@code dir} is absent or empty, removing the store in it first when allowed: only the
     * files a Rewind store writes, and nothing at all when it holds anything else.
     */
    private static void prepare(Path dir, boolean reset) {
        if (!Files.exists(dir) || isEmptyDirectory(dir)) {
            return;
        }
        Path shown = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new CliException(shown + " is a file, not a store directory");
        }
        if (!reset) {
            throw new CliException(shown + (FileStorage.isStore(dir)
                    ? " holds a Rewind store: give --reset to remove it, or name an empty or absent directory"
                    : " is not empty and holds no Rewind store: name an empty or absent directory"));
        }
        // Refuses, deleting nothing, when the directory holds anything the store did not write, naming it.
        FileStorage.deleteStore(dir);
    }

    private static boolean isEmptyDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
