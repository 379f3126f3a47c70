package dev.rewind.storage.memory;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.StorageProvider;

/** The provider of {@code memory:}: it opens a new, empty {@link InMemoryStorage}. */
public final class MemoryStorageProvider implements StorageProvider {
    /** Instantiated by {@link java.util.ServiceLoader}. */
    public MemoryStorageProvider() {
    }

    @Override
    public String scheme() {
        return "memory:";
    }

    @Override
    public EventStorage open(String url) {
        if (!url.equals("memory:")) {
            throw new IllegalArgumentException("the URL '" + url + "' is not valid: the in-memory storage takes no "
                    + "options, write just 'memory:'");
        }
        return new InMemoryStorage();
    }
}
