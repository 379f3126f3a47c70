package dev.rewind.storage.internal;

import dev.rewind.spi.EventStorage;
import dev.rewind.spi.StorageProvider;
import dev.rewind.storage.memory.InMemoryStorage;

/** Not API. {@code memory:} opens a new, empty {@link InMemoryStorage}. */
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
