package dev.rewind;

/**
 * What an append expects of its stream: optimistic concurrency.
 *
 * <p>{@link #any()} skips the check, {@link #noStream()} requires the stream to hold no event yet,
 * {@link #exactly(long)} requires the stream's last event to have that version (so
 * {@code exactly(0)} means the stream holds exactly one event). A mismatch throws a
 * {@link ConcurrencyConflictException}.
 */
public final class ExpectedVersion {
    private static final long ANY = -2;
    private static final long NO_STREAM = -1;
    private static final ExpectedVersion ANY_VERSION = new ExpectedVersion(ANY);
    private static final ExpectedVersion NO_STREAM_VERSION = new ExpectedVersion(NO_STREAM);

    private final long value;

    private ExpectedVersion(long value) {
        this.value = value;
    }

    /** @return no check at all */
    public static ExpectedVersion any() {
        return ANY_VERSION;
    }

    /** @return the stream must not exist yet */
    public static ExpectedVersion noStream() {
        return NO_STREAM_VERSION;
    }

    /**
     * @param lastVersion the version of the stream's last event, 0 or more
     * @return the stream's last event must have exactly this version
     */
    public static ExpectedVersion exactly(long lastVersion) {
        if (lastVersion < 0) {
            throw new IllegalArgumentException("expected version must be 0 or more, was " + lastVersion
                    + " (use ExpectedVersion.noStream() for a stream that does not exist yet)");
        }
        return new ExpectedVersion(lastVersion);
    }

    /**
     * The expected version for a stream whose current last version is {@code lastVersion}
     * (-1 for a stream with no event).
     *
     * @param lastVersion the last version read, or -1 when the stream was empty
     * @return {@link #noStream()} for -1, otherwise {@link #exactly(long)}
     */
    public static ExpectedVersion afterVersion(long lastVersion) {
        return lastVersion < 0 ? noStream() : exactly(lastVersion);
    }

    /** @return true for {@link #any()} */
    public boolean isAny() {
        return value == ANY;
    }

    /**
     * @param currentLastVersion the stream's last version, -1 when it holds no event
     * @return whether an append with this expectation may proceed
     */
    public boolean matches(long currentLastVersion) {
        return value == ANY || value == currentLastVersion;
    }

    /** @return -1 for "no stream", n for "exactly n"; undefined for any */
    public long lastVersion() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpectedVersion other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        if (value == ANY) {
            return "any";
        }
        return value == NO_STREAM ? "no stream" : "version " + value;
    }

    /**
     * Describes a stream's last version the way {@link #toString()} does ("no stream" for -1).
     *
     * @param lastVersion the stream's last version or -1
     * @return a readable description
     */
    public static String describe(long lastVersion) {
        return lastVersion < 0 ? "no stream" : "version " + lastVersion;
    }
}
