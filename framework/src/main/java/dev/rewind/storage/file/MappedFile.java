package dev.rewind.storage.file;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only memory mappings of a file's first {@link #size} bytes, bytes that never change while it is
 * open (an index file; the acknowledged part of a segment), so that a small read costs no system call
 * (docs/adr/0020-index-files-read-through-mappings.md). The mappings are released by {@link #close} as
 * soon as no read is inside one, not when a collection finds their buffers: a deleted file's disk space
 * comes back when the store lets go of it.
 */
final class MappedFile {
    /** The size of one mapping: a multiple of the 4 KiB blocks of index files, below what a buffer can span. */
    static final int CHUNK = 1 << 30;
    private static final int CLOSED = 1 << 30;
    private static final Logger LOG = LoggerFactory.getLogger(MappedFile.class);
    /** Unmaps a mapping now; null where this JVM offers no way (files are then read with positional reads). */
    private static final MethodHandle UNMAP = unmapper();

    /** The bytes mapped: {@code [0, size)}. */
    final long size;
    private final int chunk;
    private final MappedByteBuffer[] maps;
    /** Reads inside a mapping now, plus {@link #CLOSED} once closed: the last one out unmaps. */
    private final AtomicInteger users = new AtomicInteger();

    private MappedFile(long size, int chunk, MappedByteBuffer[] maps) {
        this.size = size;
        this.chunk = chunk;
        this.maps = maps;
    }

    /**
     * Maps {@code [0, size)} of a file.
     *
     * @param chunk the size of one mapping (tests make it small, to have reads across two)
     * @return the mappings, or null where none can be made (the caller reads with positional reads)
     */
    static MappedFile map(Path path, FileChannel channel, long size, int chunk) {
        if (UNMAP == null || size <= 0) {
            return null;
        }
        MappedByteBuffer[] maps = new MappedByteBuffer[(int) ((size + chunk - 1) / chunk)];
        try {
            for (int i = 0; i < maps.length; i++) {
                long from = (long) i * chunk;
                maps[i] = channel.map(FileChannel.MapMode.READ_ONLY, from, Math.min(chunk, size - from));
            }
            return new MappedFile(size, chunk, maps);
        } catch (IOException | RuntimeException e) {
            // out of address space or of mappings: positional reads, as before mappings
            LOG.debug("Reading {} without a mapping ({})", path, e.toString());
            for (MappedByteBuffer m : maps) {
                if (m != null) {
                    unmap(m);
                }
            }
            return null;
        }
    }

    /**
     * A file's mapping, made at the first read that asks for it (tried once: where it cannot be made, reads stay
     * positional) and released by {@link #close}, after which none is made. Index files and segments hold
     * one each.
     */
    static final class Lazy {
        private final Supplier<MappedFile> map;
        private volatile MappedFile mapped;
        /** Whether a mapping was tried or the holder closed: no mapping is made from then on. */
        private volatile boolean settled;

        /** @param map makes the mapping (null where none can be made) */
        Lazy(Supplier<MappedFile> map) {
            this.map = map;
        }

        /** @return the mapping, made now if it was never tried; null where there is none */
        MappedFile get() {
            MappedFile m = mapped;
            return m != null || settled ? m : mapOnce();
        }

        /** @return the mapping if one was made and is not closed, without making one */
        MappedFile current() {
            return mapped;
        }

        private synchronized MappedFile mapOnce() {
            if (!settled) {
                mapped = map.get();
                settled = true;
            }
            return mapped;
        }

        /** Releases the mapping (now, or when the last read inside it ends) and makes no other. */
        synchronized void close() {
            settled = true;
            MappedFile m = mapped;
            mapped = null;
            if (m != null) {
                m.close();
            }
        }
    }

    /** A read of bytes inside one mapping; it must not keep the buffer (the mapping may be released after it). */
    interface Access<T> {
        /**
         * @param map the mapping (absolute reads only: it is shared)
         * @param index where the bytes asked for begin in it
         */
        T read(MappedByteBuffer map, int index);
    }

    /**
     * Runs {@code access} on the mapping that holds {@code [at, at + len)}.
     *
     * @return what it returned, or null when no single mapping holds the range or the file was closed
     * @throws InternalError the JVM's answer to a fault inside a mapping (the file was cut short under it)
     */
    <T> T read(long at, int len, Access<T> access) {
        int m = (int) (at / chunk);
        if (at < 0 || at + len > size || at + len > (long) (m + 1) * chunk || !enter()) {
            return null;
        }
        try {
            return access.read(maps[m], (int) (at - (long) m * chunk));
        } finally {
            leave();
        }
    }

    private boolean enter() {
        int u;
        do {
            u = users.get();
            if ((u & CLOSED) != 0) {
                return false;
            }
        } while (!users.compareAndSet(u, u + 1));
        return true;
    }

    private void leave() {
        if (users.decrementAndGet() == CLOSED) {
            unmapAll();
        }
    }

    /** Releases the mappings now, or when the last read inside one of them ends; later reads get null. */
    void close() {
        if (users.getAndUpdate(u -> u | CLOSED) == 0) {
            unmapAll();
        }
    }

    private void unmapAll() {
        for (MappedByteBuffer m : maps) {
            unmap(m);
        }
    }

    private static void unmap(MappedByteBuffer m) {
        try {
            UNMAP.invokeExact((ByteBuffer) m);
        } catch (Throwable e) {
            LOG.debug("A mapping stays until it is collected ({})", e.toString());
        }
    }

    private static MethodHandle unmapper() {
        try {
            // jdk.unsupported's Unsafe.invokeCleaner: before the foreign memory API (final in Java 22) the one way
            // to end a mapping when its file is let go of rather than when a collection finds its buffer
            Class<?> unsafe = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = unsafe.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafe, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(f.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LoggerFactory.getLogger(MappedFile.class).debug("Files are read without mappings: {}", e.toString());
            return null;
        }
    }
}
