package dev.rewind.example.orders.cli;

import dev.rewind.Rewind;
import dev.rewind.example.orders.OrdersApp;
import dev.rewind.example.orders.notification.LoggingNotifier;
import dev.rewind.example.orders.notification.Notifier;
import dev.rewind.example.orders.notification.OutboxNotifier;
import dev.rewind.projection.ReadPoint;
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

    @Option(names = "--outbox", paramLabel = "DIR",
            description = "Where shipping notifications are written (DIR/notifications.jsonl; they fail while DIR is"
                    + " missing); without it they are only logged. Only a command that opens the store for writing"
                    + " runs the notifications.")
    Path outbox;

    /** @return the notifier the shipping notifications go to: the outbox, or the log */
    Notifier notifier() {
        return notifier(outbox);
    }

    static Notifier notifier(Path outbox) {
        return outbox == null ? new LoggingNotifier() : new OutboxNotifier(outbox);
    }

    /**
     * @param rewind a started Rewind
     * @return the point that includes every event stored now: the asynchronous projections are waited for
     */
    static ReadPoint everythingStored(Rewind rewind) {
        long next = rewind.store().nextPosition();
        return next == 0 ? ReadPoint.now() : ReadPoint.atLeast(next - 1).within(java.time.Duration.ofMinutes(5));
    }
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

    static boolean isPostgres(String url) {
        return url != null && url.startsWith("jdbc:postgresql:");
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
            // read-only on PostgreSQL too: no checkpoint saved, no lease taken, no notification sent by a command that reads
            String readOnly = isPostgres(url) ? url + (url.contains("?") ? "&" : "?") + "rewindReadOnly=true" : url;
            return OrdersApp.rewind(notifier()).storage(readOnly).build();
        }
        return withApp(openStorageReadOnly(), notifier());
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
        return openForWriting(null, null);
    }

    /**
     * As {@link #openForWriting()}, for one instance of several sharing a store.
     *
     * @param instanceId this instance's id (null: generated)
     * @param lease how long an owned projection's lease lasts (null: the default, 3 s)
     * @return the started Rewind; the caller closes it
     */
    Rewind openForWriting(String instanceId, java.time.Duration lease) {
        Rewind.Builder app = OrdersApp.rewind(notifier());
        if (instanceId != null) {
            app.instanceId(instanceId);
        }
        if (lease != null) {
            app.leaseDuration(lease);
        }
        if (isPostgres(url)) {
            return OrdersApp.withTables(app).storage(url).build();
        }
        if (!isFileUrl()) {
            return app.storage(url).build();
        }
        return build(app, FileStorage.open(fileDirectory()));
    }

    /**
     * Opens an existing store for writing, to record a decision about its projections: never creates one.
     *
     * @return the started Rewind; the caller closes it
     * @throws dev.rewind.storage.file.NoStoreException when the directory holds no store
     */
    Rewind openExistingForWriting() {
        if (isFileUrl() && !FileStorage.isStore(fileDirectory())) {
            FileStorage.openReadOnly(fileDirectory()).close(); // throws the directory rule's own error
        }
        return openForWriting();
    }

    static Rewind withApp(FileStorage storage) {
        return withApp(storage, new LoggingNotifier());
    }

    static Rewind withApp(FileStorage storage, Notifier notifier) {
        return build(OrdersApp.rewind(notifier), storage);
    }

    private static Rewind build(Rewind.Builder app, FileStorage storage) {
        try {
            return app.storage(storage).build();
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }
}
