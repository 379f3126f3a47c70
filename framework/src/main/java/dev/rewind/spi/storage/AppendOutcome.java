package dev.rewind.spi.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link EventStorage#append} did. A batch is stored whole, at consecutive stream versions and
 * consecutive global positions, under one instant, so these numbers describe every event of it; for
 * an exact retry they are those of the batch stored before (whose events are the ones given again).
 *
 * @param firstVersion the stream version of the batch's first event
 * @param firstPosition the global position of the batch's first event
 * @param recordedAt the instant recorded for all of them
 * @param alreadyAppended true when the batch was an exact retry and nothing was written
 */
public record AppendOutcome(long firstVersion, long firstPosition, Instant recordedAt, boolean alreadyAppended) {
    /**
     * Checks the numbers.
     *
     * @param firstVersion the stream version of the batch's first event
     * @param firstPosition the global position of the batch's first event
     * @param recordedAt the instant recorded for all of them
     * @param alreadyAppended true when the batch was an exact retry and nothing was written
     */
    public AppendOutcome {
        if (firstVersion < 0 || firstPosition < 0) {
            throw new IllegalArgumentException("versions and positions start at 0: " + firstVersion + ", "
                    + firstPosition);
        }
        Objects.requireNonNull(recordedAt, "recordedAt");
    }
}
