package dev.rewind.storage.internal;

import dev.rewind.spi.EventStorage;
import dev.rewind.spi.StorageProvider;
import dev.rewind.storage.file.FileStorage;
import java.nio.file.Path;

/** Not API. {@code file:DIR} opens the embedded file log in DIR (created if absent), with fsync on. */
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
