package dev.rewind.storage.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Locale;

/** One segment file: named by the global position of its first record. */
final class Segment {
    static final String SUFFIX = ".seg";

    final Path path;
    final long base;
    final FileChannel channel;
    /** Bytes that are acknowledged and readable; written only by the committing thread. */
    volatile long readableEnd;
    /** Bytes written so far (the committing thread's own). */
    long writeEnd;

    Segment(Path path, long base, FileChannel channel, long size) {
        this.path = path;
        this.base = base;
        this.channel = channel;
        this.readableEnd = size;
        this.writeEnd = size;
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
        channel.close();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
