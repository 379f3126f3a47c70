package dev.rewind.spi.storage;

/** Which way {@link EventStorage#readStream} reads a stream. */
public enum ReadDirection {
    /** From a version up: {@code from, from + 1, ...}. */
    FORWARD,
    /** From a version down: {@code from, from - 1, ..., 0}; {@code Long.MAX_VALUE} starts at the last. */
    BACKWARD
}
