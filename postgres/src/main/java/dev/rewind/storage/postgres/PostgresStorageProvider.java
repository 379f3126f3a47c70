package dev.rewind.storage.postgres;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.StorageProvider;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code jdbc:postgresql://host:port/db?user=..&password=..}: opens a {@link PostgresStorage}, so
 * {@code Rewind.builder().storage(url)} chooses PostgreSQL by configuration. {@code user} and
 * {@code password} are taken from the URL's parameters (and left in it: the driver reads them too);
 * a {@code rewindSchema} parameter chooses the schema (default {@code rewind}), and
 * {@code rewindReadOnly=true} opens it read-only ({@link PostgresStorage.Builder#readOnly()}: nothing is
 * created, migrated or written, which is what a command that only reads wants). Registered in
 * {@code META-INF/services/dev.rewind.spi.storage.StorageProvider}.
 */
public final class PostgresStorageProvider implements StorageProvider {
    /** Instantiated by {@link java.util.ServiceLoader}. */
    public PostgresStorageProvider() {
    }

    @Override
    public String scheme() {
        return "jdbc:postgresql:";
    }

    @Override
    public EventStorage open(String url) {
        PostgresStorage.Builder builder = PostgresStorage.builder(driverUrl(url));
        String user = parameter(url, "user");
        if (user != null) {
            builder.user(user);
        }
        String password = parameter(url, "password");
        if (password != null) {
            builder.password(password);
        }
        builder.schema(schema(url));
        String readOnly = parameter(url, "rewindReadOnly");
        if (readOnly != null) {
            if (!readOnly.equals("true") && !readOnly.equals("false")) {
                throw new IllegalArgumentException("rewindReadOnly in a PostgreSQL storage URL must be true or false,"
                        + " was '" + readOnly + "'");
            }
            if (readOnly.equals("true")) {
                builder.readOnly();
            }
        }
        return builder.build();
    }

    /**
     * For an application that keeps its own tables next to the store (table projections): the schema a
     * storage URL names.
     *
     * @param url a {@code jdbc:postgresql:} storage URL
     * @return its {@code rewindSchema} parameter, or {@code rewind}
     */
    public static String schema(String url) {
        String schema = parameter(url, "rewindSchema");
        return schema == null ? PostgresSettings.DEFAULT_SCHEMA : schema;
    }

    /**
     * @param url a {@code jdbc:postgresql:} storage URL
     * @return the URL for the JDBC driver: without Rewind's own parameters ({@code user} and {@code password}
     *     stay, the driver reads them)
     */
    public static String driverUrl(String url) {
        return withoutParameter(withoutParameter(url, "rewindSchema"), "rewindReadOnly");
    }

    static String parameter(String url, String name) {
        int q = url.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    static String withoutParameter(String url, String name) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        StringBuilder kept = new StringBuilder();
        for (String pair : url.substring(q + 1).split("&")) {
            if (!pair.startsWith(name + "=") && !pair.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : "&").append(pair);
            }
        }
        return kept.length() == 0 ? url.substring(0, q) : url.substring(0, q + 1) + kept;
    }
}
