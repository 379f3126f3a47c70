package dev.rewind.projection;

import dev.rewind.AppendResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Where in the history a query reads a projection: now, as of an instant or a position (a past state,
 * computed into a fresh instance), or now but only once the projection has applied at least a given
 * position (read-your-writes on an asynchronous projection).
 *
 * <pre>{@code
 * AppendResult r = rewind.store().append(...);
 * Map<String, Long> after = rewind.projections().state("revenue_by_currency", ReadPoint.atLeast(r));
 * OrderTotal t = rewind.projections().query(OrderTotals.class, ReadPoint.at(instant), v -> v.order("1001"));
 * }</pre>
 *
 * @param kind which point
 * @param instant the instant of {@link Kind#AT_INSTANT}, else null
 * @param position the position of {@link Kind#AT_POSITION} (inclusive, -1 for the empty state) or
 *     {@link Kind#AT_LEAST}, else -1
 * @param timeout how long {@link Kind#AT_LEAST} waits at most
 */
public record ReadPoint(Kind kind, Instant instant, long position, Duration timeout) {
    /** How long {@link #atLeast(long)} waits unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final ReadPoint NOW = new ReadPoint(Kind.NOW, null, -1, Duration.ZERO);

    /** The kinds of point. */
    public enum Kind {
        /**
         * The live state: for a synchronous projection every event stored before the query; for an
         * asynchronous one what it has applied so far.
         */
        NOW,
        /** The live state once the projection has applied at least {@link #position()}, waiting up to {@link #timeout()}. */
        AT_LEAST,
        /** The state as of an instant: every event recorded at or before it. */
        AT_INSTANT,
        /** The state as of a global position: every event at or before it. */
        AT_POSITION
    }

    /**
     * Checks the values, naming the one that is wrong.
     *
     * @param kind which point
     * @param instant the instant of {@link Kind#AT_INSTANT}, else null
     * @param position the position of {@link Kind#AT_POSITION} (inclusive, -1 for the empty state) or {@link Kind#AT_LEAST}, else -1
     * @param timeout how long {@link Kind#AT_LEAST} waits at most
     */
    public ReadPoint {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(timeout, "timeout");
        if (kind == Kind.AT_INSTANT) {
            Objects.requireNonNull(instant, "instant");
        }
        if (position < -1) {
            throw new IllegalArgumentException("ReadPoint: position must be -1 (the empty state) or more, was " + position);
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("ReadPoint: timeout must be zero or more, was " + timeout);
        }
    }

    /** @return the live state */
    public static ReadPoint now() {
        return NOW;
    }

    /**
     * @param instant an instant (inclusive)
     * @return the state as of that instant
     */
    public static ReadPoint at(Instant instant) {
        return new ReadPoint(Kind.AT_INSTANT, Objects.requireNonNull(instant, "instant"), -1, Duration.ZERO);
    }

    /**
     * @param position a global position (inclusive); -1 for the empty state
     * @return the state as of that position
     */
    public static ReadPoint atPosition(long position) {
        return new ReadPoint(Kind.AT_POSITION, null, position, Duration.ZERO);
    }

    /**
     * @param position a global position
     * @return the live state once the projection has applied at least that position (waiting up to
     *     {@link #DEFAULT_TIMEOUT}; see {@link #within})
     */
    public static ReadPoint atLeast(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("ReadPoint.atLeast: position must be 0 or more, was " + position);
        }
        return new ReadPoint(Kind.AT_LEAST, null, position, DEFAULT_TIMEOUT);
    }

    /**
     * @param appended what an append returned
     * @return the live state once the projection has applied that append's last event
     */
    public static ReadPoint atLeast(AppendResult appended) {
        return atLeast(Objects.requireNonNull(appended, "appended").lastPosition());
    }

    /**
     * @param timeout how long {@link Kind#AT_LEAST} waits at most before the query fails with a
     *     {@link StaleProjectionException}
     * @return this point with that timeout
     */
    public ReadPoint within(Duration timeout) {
        return new ReadPoint(kind, instant, position, timeout);
    }

    /** @return whether the point is in the past (answered from a fresh instance, never the live one) */
    public boolean isPast() {
        return kind == Kind.AT_INSTANT || kind == Kind.AT_POSITION;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NOW -> "now";
            case AT_LEAST -> "at least position " + position + " (within " + timeout + ")";
            case AT_INSTANT -> "as of " + instant;
            case AT_POSITION -> "as of position " + position;
        };
    }
}
