package dev.rewind.example.orders.cli;

import dev.rewind.Rewind;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.storage.file.FileStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The store a subcommand works on: a file-storage directory, or any store by URL. */
public final class StoreOptions {

    @Option(names = "--store", paramLabel = "URL",
            description = "A store by URL instead of --data: file:DIR, or jdbc:postgresql://HOST/DB?user=U&password=P"
                    + "&rewindSchema=S (the demo's schema on PostgreSQL is rewind_demo).")
    String url;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "demo-data",
            description = "The store directory (default: ${DEFAULT-VALUE}, where the demo writes).")
    Path data;

    /** @return the directory, absolute, for messages */
    Path directory() {
        return fileDirectory().toAbsolutePath().normalize();
    }

    /**
     * @return the file store's directory: {@code --data}, or the directory of a {@code --store file:} URL
     * @throws CliException when {@code --store} names a store that is not a file store
     */
    Path fileDirectory() {
        if (url == null) {
            return data;
        }
        if (!url.startsWith("file:")) {
            throw new CliException("this command works on a file store: name it with --data DIR (or --store file:DIR), "
                    + "not --store " + url.replaceAll("password=[^&]*", "password=***"));
        }
        return Path.of(url.substring("file:".length()));
    }

    /**
     * Opens the store with the orders app's events, upcasters and projections (the projections are
     * rebuilt from position 0).
     *
     * @return the started Rewind; the caller closes it
     * @throws CliException when the directory does not exist: reading commands never create a store
     */
    Rewind open() {
        if (url != null) {
            return OrdersApp.rewind().storage(url).build();
        }
        return withApp(openStorage());
    }

    /**
     * @return the file storage, opened; the caller closes it (or the Rewind built on it)
     * @throws CliException when the directory does not exist
     */
    FileStorage openStorage() {
        Path data = fileDirectory();
        if (!Files.isDirectory(data)) {
            throw new CliException("no store at " + directory() + " (run the demo first, or name a store with --data DIR)");
        }
        return FileStorage.open(data);
    }

    /**
     * Opens the store, creating an empty one when the directory does not exist (for {@code append}).
     *
     * @return the started Rewind; the caller closes it
     */
    Rewind openOrCreate() {
        if (url != null) {
            return OrdersApp.rewind().storage(url).build();
        }
        return withApp(FileStorage.open(data));
    }

    static Rewind withApp(FileStorage storage) {
        try {
            return OrdersApp.rewind().storage(storage).build();
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }
}
