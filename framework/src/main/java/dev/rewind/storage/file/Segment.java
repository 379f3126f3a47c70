package dev.rewind.storage.file;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** One segment file: named by the global position of its first record. */
final class Segment {
    static final String SUFFIX = ".seg";

    final Path path;
    final long base;
    private final boolean writable;
    /** Replaced when a thread interrupted during I/O made the JDK close it (see {@link #io}). */
    volatile FileChannel channel;
    private volatile boolean released;
    /** Bytes that are acknowledged and readable; written only by the committing thread. */
    volatile long readableEnd;
    /** Bytes written so far (the committing thread's own). */
    long writeEnd;
    /** The sealed segment's bytes, mapped at the first read that asks for them (see {@link #copyMapped}). */
    private final MappedFile.Lazy mapping;

    Segment(Path path, long base, FileChannel channel, boolean writable, long size) {
        this.path = path;
        this.base = base;
        this.channel = channel;
        this.writable = writable;
        this.readableEnd = size;
        this.writeEnd = size;
        this.mapping = new MappedFile.Lazy(() -> MappedFile.map(path, this.channel, readableEnd, MappedFile.CHUNK));
    }

    static String fileName(long base) {
        return String.format(Locale.ROOT, "%020d%s", base, SUFFIX);
    }

    /** @return the base position a segment file name stands for, or -1 when it is no segment's name */
    static long parseBase(String fileName) {
        if (!fileName.endsWith(SUFFIX) || fileName.length() != 20 + SUFFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(0, 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    String name() {
        return path.getFileName().toString();
    }

    void close() throws IOException {
        released = true;
        mapping.close();
        channel.close();
    }

    /**
     * Copies bytes {@code [start, start + len)} of a sealed segment (appends have moved on to a later one, so
     * its bytes never change again) into {@code buf} from its mapping, made at the first such read. The
     * segment being appended to is not mapped: the readers that follow the appends (asynchronous runners
     * filling a hole) read its newest bytes, which a mapping would have to be made again for as it grows.
     *
     * @return false when the bytes cannot be read from a mapping: the caller reads them with a positional read
     * @throws InternalError a fault inside the mapping (the file was cut short under the open store)
     */
    boolean copyMapped(byte[] buf, long start, int len) {
        MappedFile m = mapping.get();
        return m != null && m.read(start, len, (map, at) -> {
            map.get(at, buf, 0, len);
            return Boolean.TRUE;
        }) != null;
    }

    /** One I/O operation on the segment's channel. */
    interface Io<T> {
        T run(FileChannel channel) throws IOException;
    }

    /**
     * Runs an I/O operation so that an interrupted thread cannot break the storage: a {@link FileChannel}
     * is closed by the JDK when a thread using it is interrupted, for every thread. Here the channel is
     * then reopened and the operation run again (it must be repeatable: positional reads, writes at a
     * given offset, force), and the thread's interrupt status is restored at the end.
     */
    <T> T io(Io<T> operation) throws IOException {
        boolean interrupted = false;
        try {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = channel;
                try {
                    return operation.run(ch);
                } catch (ClosedChannelException e) {
                    if (e instanceof ClosedByInterruptException) {
                        interrupted = true;
                        Thread.interrupted(); // retry with the status clear, restore it below
                    }
                    if (released || attempt >= 10) {
                        throw e;
                    }
                    reopen(ch);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void reopen(FileChannel failed) throws IOException {
        if (channel == failed && !failed.isOpen() && !released) {
            OpenOption[] options = writable
                    ? new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE}
                    : new OpenOption[] {StandardOpenOption.READ};
            channel = FileChannel.open(path, options);
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
