package dev.rewind.command;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.EventStoreException;

/**
 * A command met a concurrency conflict on every attempt: other writers kept appending to its stream
 * between the load and the append. Nothing of this command was appended. Its cause is the last
 * {@link ConcurrencyConflictException}.
 */
public class CommandConflictException extends EventStoreException {
    private static final long serialVersionUID = 1L;
    /** The aggregate's stream. */
    private final String streamId;
    /** How many times the command ran. */
    private final int attempts;

    /**
     * @param commandType the command's simple class name
     * @param streamId the stream
     * @param attempts how many times the handler ran
     * @param last the last conflict
     */
    public CommandConflictException(String commandType, String streamId, int attempts,
                                    ConcurrencyConflictException last) {
        super(commandType + " on stream '" + streamId + "' gave up after " + attempts
                + " attempts, each met a concurrency conflict (last: " + last.getMessage() + ")", last);
        this.streamId = streamId;
        this.attempts = attempts;
    }

    /** @return the stream */
    public String streamId() {
        return streamId;
    }

    /** @return how many times the handler ran */
    public int attempts() {
        return attempts;
    }
}
