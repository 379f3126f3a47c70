package dev.rewind.projection;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event a runner could not apply and keeps for a decision ({@link FailurePolicy.Then#PARK}), or a
 * later event of the same stream waiting behind one (so that the order within a stream holds).
 *
 * @param position its global position
 * @param eventId its id
 * @param streamId its stream
 * @param type its type name
 * @param parkedAt when it was parked
 * @param attempts how many times it was tried (0 for an event waiting behind another)
 * @param error the last error (null for an event waiting behind another)
 * @param behind the position of the failed event of the same stream it waits behind, or -1 when it failed itself
 */
public record ParkedEvent(long position, UUID eventId, String streamId, String type, Instant parkedAt, int attempts,
                          String error, long behind) {

    /**
     * Checks that nothing is missing.
     *
     * @param position its global position
     * @param eventId its id
     * @param streamId its stream
     * @param type its type name
     * @param parkedAt when it was parked
     * @param attempts how many times it was tried (0 for an event waiting behind another)
     * @param error the last error (null for an event waiting behind another)
     * @param behind the position of the failed event of the same stream it waits behind, or -1 when it failed itself
     */
    public ParkedEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(parkedAt, "parkedAt");
    }

    /** @return whether it failed itself (rather than waiting behind an earlier event of its stream) */
    public boolean failed() {
        return behind < 0;
    }
}
