package dev.rewind.storage.postgres;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.StorageProvider;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code jdbc:postgresql://host:port/db?user=..&password=..}: opens a {@link PostgresStorage}, so
 * {@code Rewind.builder().storage(url)} chooses PostgreSQL by configuration. {@code user} and
 * {@code password} are taken from the URL's parameters (and left in it: the driver reads them too);
 * a {@code rewindSchema} parameter chooses the schema (default {@code rewind}). Registered in
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
        PostgresStorage.Builder builder = PostgresStorage.builder(withoutParameter(url, "rewindSchema"));
        String user = parameter(url, "user");
        if (user != null) {
            builder.user(user);
        }
        String password = parameter(url, "password");
        if (password != null) {
            builder.password(password);
        }
        String schema = parameter(url, "rewindSchema");
        if (schema != null) {
            builder.schema(schema);
        }
        return builder.build();
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
