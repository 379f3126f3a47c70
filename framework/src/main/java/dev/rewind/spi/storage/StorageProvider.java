package dev.rewind.spi.storage;

/**
 * Opens an {@link EventStorage} from a URL, so that the storage is chosen by configuration
 * ({@code Rewind.builder().storage("file:data")}) rather than by code. Found by
 * {@link java.util.ServiceLoader} in {@code META-INF/services/dev.rewind.spi.storage.StorageProvider};
 * implementations need a public no-argument constructor.
 *
 * <p>Built in: {@code memory:} (in memory) and {@code file:DIR} (the embedded file log). The
 * {@code rewind-postgres} module adds {@code jdbc:postgresql:...} (user and password as the URL's
 * {@code user} and {@code password} parameters).
 */
public interface StorageProvider {
    /** @return the URL prefix this provider opens, for example {@code "file:"} */
    String scheme();

    /**
     * @param url a URL that starts with {@link #scheme()}
     * @return the opened storage
     * @throws IllegalArgumentException naming the URL when it is malformed
     */
    EventStorage open(String url);
}
