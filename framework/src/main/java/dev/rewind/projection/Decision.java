package dev.rewind.projection;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A recorded decision about one event of a runner: it was parked, retried (with success or not), or
 * skipped by an operator, or the runner's checkpoint was reset. Kept with the runner's checkpoint: no
 * event is ever left unapplied without one.
 *
 * @param at when
 * @param kind what was decided
 * @param position the event's global position (for {@link Kind#CHECKPOINT_RESET}: the position resumed after)
 * @param eventId the event's id, or null for {@link Kind#CHECKPOINT_RESET}
 * @param streamId the event's stream, or null for {@link Kind#CHECKPOINT_RESET}
 * @param reason why: the operator's reason for a retry or a skip, the error for {@link Kind#PARKED}
 * @param detail what came of it: the new error of a retry that failed again, else null
 */
public record Decision(Instant at, Kind kind, long position, UUID eventId, String streamId, String reason,
                       String detail) {

    /** What was decided. */
    public enum Kind {
        /** The failure policy parked the event after its last attempt failed. */
        PARKED,
        /** An operator retried the event and it was applied. */
        RETRIED,
        /** An operator retried the event and it failed again: it stays parked. */
        RETRY_FAILED,
        /** An operator skipped the event: it is never applied by this instance (a rebuild tries it again). */
        SKIPPED,
        /**
         * The runtime moved a processor's checkpoint because it no longer matched the store (a store restored
         * from an older backup, or another store): the reason says from where to where.
         */
        CHECKPOINT_RESET
    }

    /**
     * Checks that nothing is missing.
     *
     * @param at when
     * @param kind what was decided
     * @param position the event's global position (for {@link Kind#CHECKPOINT_RESET}: the position resumed after)
     * @param eventId the event's id, or null for {@link Kind#CHECKPOINT_RESET}
     * @param streamId the event's stream, or null for {@link Kind#CHECKPOINT_RESET}
     * @param reason why: the operator's reason for a retry or a skip, the error for {@link Kind#PARKED}
     * @param detail what came of it: the new error of a retry that failed again, else null
     */
    public Decision {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }
}
