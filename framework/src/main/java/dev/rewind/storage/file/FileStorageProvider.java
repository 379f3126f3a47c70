package dev.rewind.storage.file;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.StorageProvider;
import java.nio.file.Path;

/** The provider of {@code file:DIR}: it opens the embedded file log in DIR (created if absent), with fsync on. */
public final class FileStorageProvider implements StorageProvider {
    /** Instantiated by {@link java.util.ServiceLoader}. */
    public FileStorageProvider() {
    }

    @Override
    public String scheme() {
        return "file:";
    }

    @Override
    public EventStorage open(String url) {
        String dir = url.substring("file:".length());
        if (dir.startsWith("//")) {
            dir = dir.substring(2); // file:///abs/path
        }
        if (dir.isBlank()) {
            throw new IllegalArgumentException("the URL '" + url + "' names no directory: write file:DIR, e.g. file:data");
        }
        return FileStorage.open(Path.of(dir));
    }
}
