package dev.rewind;

/** An append's expected version did not match the stream: someone else appended first. Nothing was written. */
public class ConcurrencyConflictException extends EventStoreException {
    private static final long serialVersionUID = 1L;
    /** The stream appended to. */
    private final String streamId;
    private final transient ExpectedVersion expected;
    /** The version of the stream's last event when the append was refused. */
    private final long actualLastVersion;

    /**
     * @param streamId the stream
     * @param expected what the append expected
     * @param actualLastVersion the stream's actual last version, -1 when it holds no event
     */
    public ConcurrencyConflictException(String streamId, ExpectedVersion expected, long actualLastVersion) {
        super("concurrency conflict on stream '" + streamId + "': expected " + expected
                + ", but " + (actualLastVersion < 0 ? "the stream does not exist yet"
                        : "the stream is at version " + actualLastVersion));
        this.streamId = streamId;
        this.expected = expected;
        this.actualLastVersion = actualLastVersion;
    }

    /** @return the stream */
    public String streamId() {
        return streamId;
    }

    /** @return what the append expected */
    public ExpectedVersion expected() {
        return expected;
    }

    /** @return the stream's actual last version, -1 when it holds no event */
    public long actualLastVersion() {
        return actualLastVersion;
    }
}
