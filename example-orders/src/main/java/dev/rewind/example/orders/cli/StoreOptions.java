package dev.rewind.example.orders.cli;

import dev.rewind.Rewind;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.storage.file.FileStorage;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The store a subcommand works on: a file-storage directory, or any store by URL.
 *
 * <p>The directory rule: only {@code demo} and {@code append} create a store, and only in a directory
 * that is absent (its parent must exist) or empty; every other subcommand opens the store read-only,
 * never creating or changing a file, and a directory without a store is an error
 * ({@code no Rewind store in DIR}).
 */
public final class StoreOptions {

    @Option(names = "--store", paramLabel = "URL",
            description = "A store by URL instead of --data: file:DIR, or jdbc:postgresql://HOST/DB?user=U&password=P"
                    + "&rewindSchema=S (the demo's schema on PostgreSQL is rewind_demo).")
    String url;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "demo-data",
            description = "The store directory (default: ${DEFAULT-VALUE}, where the demo writes).")
    Path data;

    /**
     * @return the file store's directory: {@code --data}, or the directory of a {@code --store file:} URL
     * @throws CliException when {@code --store} names a store that is not a file store
     */
    Path fileDirectory() {
        if (url == null) {
            return data;
        }
        if (!isFileUrl()) {
            throw new CliException("this command works on a file store: name it with --data DIR (or --store file:DIR), "
                    + "not --store " + url.replaceAll("password=[^&]*", "password=***"));
        }
        return Path.of(url.substring("file:".length()));
    }

    private boolean isFileUrl() {
        return url == null || url.startsWith("file:");
    }

    /**
     * Opens the store read-only with the orders app's events, upcasters and projections (the projections
     * are rebuilt from position 0, in memory). A file store is never created or changed: a torn tail is
     * read around, not cut.
     *
     * @return the started Rewind; the caller closes it
     * @throws dev.rewind.storage.file.NoStoreException when the directory is absent or holds no store
     */
    Rewind openReadOnly() {
        if (!isFileUrl()) {
            return OrdersApp.rewind().storage(url).build();
        }
        return withApp(openStorageReadOnly());
    }

    /**
     * @return the file storage, opened read-only; the caller closes it (or the Rewind built on it)
     * @throws dev.rewind.storage.file.NoStoreException when the directory is absent or holds no store
     */
    FileStorage openStorageReadOnly() {
        return FileStorage.openReadOnly(fileDirectory());
    }

    /**
     * Opens the store for writing, creating one in an absent directory (whose parent exists) or an empty
     * one; a directory holding anything else is refused.
     *
     * @return the started Rewind; the caller closes it
     * @throws dev.rewind.storage.file.NoStoreException when the directory holds something else, or its parent is missing
     */
    Rewind openForWriting() {
        if (!isFileUrl()) {
            return OrdersApp.rewind().storage(url).build();
        }
        return withApp(FileStorage.open(fileDirectory()));
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
