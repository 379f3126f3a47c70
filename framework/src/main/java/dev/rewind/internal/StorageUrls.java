package dev.rewind.internal;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.StorageProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Not API. Finds the {@link StorageProvider} of a storage URL, once, at start-up. */
public final class StorageUrls {
    private StorageUrls() {
    }

    /**
     * @param url a storage URL
     * @param loader where to look for providers
     * @return the opened storage
     * @throws IllegalArgumentException naming the URL and the known schemes when no provider takes it
     */
    public static EventStorage open(String url, ClassLoader loader) {
        List<StorageProvider> providers = new ArrayList<>();
        ServiceLoader.load(StorageProvider.class, loader).forEach(providers::add);
        StorageProvider best = null;
        for (StorageProvider p : providers) {
            if (url.startsWith(p.scheme()) && (best == null || p.scheme().length() > best.scheme().length())) {
                best = p;
            }
        }
        if (best == null) {
            TreeSet<String> schemes = new TreeSet<>();
            providers.forEach(p -> schemes.add(p.scheme()));
            throw new IllegalArgumentException("no storage for the URL '" + url + "': known schemes are " + schemes
                    + " (a storage module on the class path adds its own, e.g. rewind-postgres for jdbc:postgresql:)");
        }
        return best.open(url);
    }
}
