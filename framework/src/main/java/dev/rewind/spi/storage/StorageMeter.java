package dev.rewind.spi.storage;

import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * One figure a {@link MeteredStorage} offers, read through functions when a binding wants it. Names
 * follow Micrometer's conventions (lower case, dot-separated, starting with {@code rewind.}, base units
 * such as bytes and seconds), so that a binding registers them as they are.
 *
 * @param name the meter's name, for example {@code rewind.file.fsync}
 * @param type how to read it
 * @param baseUnit the unit of {@code value} for a gauge or counter (for example {@code "bytes"}), or null;
 *     a timer's unit is always nanoseconds in {@code totalNanos}
 * @param description what it measures, one sentence
 * @param value a gauge's level, a counter's running total, or a timer's count of timed operations
 * @param totalNanos a timer's total time in nanoseconds; null for the other types
 */
public record StorageMeter(String name, Type type, String baseUnit, String description, DoubleSupplier value,
                           DoubleSupplier totalNanos) {
    private static final Pattern NAME = Pattern.compile("rewind(\\.[a-z][a-z0-9_]*)+");

    /** How a meter is read. */
    public enum Type {
        /** A level that goes up and down, read as it is. */
        GAUGE,
        /** A running total that only grows (since the storage was opened). */
        COUNTER,
        /** A count of timed operations and their total time, both running totals. */
        TIMER
    }

    /**
     * Checks the name and that a timer, and only a timer, has a total time.
     *
     * @param name the meter's name, for example {@code rewind.file.fsync}
     * @param type how to read it
     * @param baseUnit the unit of {@code value} for a gauge or counter, or null
     * @param description what it measures
     * @param value a gauge's level, a counter's running total, or a timer's count
     * @param totalNanos a timer's total time in nanoseconds; null for the other types
     */
    public StorageMeter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(value, "value");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("StorageMeter: '" + name + "' is not a meter name of the form"
                    + " rewind.lower.case.words");
        }
        if ((type == Type.TIMER) != (totalNanos != null)) {
            throw new IllegalArgumentException("StorageMeter " + name + ": a timer, and only a timer, has a total time");
        }
    }

    /**
     * @param name the name
     * @param baseUnit the unit, or null
     * @param description what it measures
     * @param value the level
     * @return a gauge
     */
    public static StorageMeter gauge(String name, String baseUnit, String description, DoubleSupplier value) {
        return new StorageMeter(name, Type.GAUGE, baseUnit, description, value, null);
    }

    /**
     * @param name the name
     * @param baseUnit the unit, or null
     * @param description what it counts
     * @param total the running total
     * @return a counter
     */
    public static StorageMeter counter(String name, String baseUnit, String description, DoubleSupplier total) {
        return new StorageMeter(name, Type.COUNTER, baseUnit, description, total, null);
    }

    /**
     * @param name the name
     * @param description what it times
     * @param count how many operations were timed
     * @param totalNanos their total time in nanoseconds
     * @return a timer
     */
    public static StorageMeter timer(String name, String description, DoubleSupplier count, DoubleSupplier totalNanos) {
        return new StorageMeter(name, Type.TIMER, null, description, count, Objects.requireNonNull(totalNanos, "totalNanos"));
    }
}
