package dev.rewind.projection;

import java.util.Objects;

/**
 * What {@code Projections.verify} found for one runner: the events it counted as applied up to its
 * position, against the events the store holds up to that position (less those parked or skipped with
 * a recorded decision). Both sides are a count and an order-independent hash of the event ids, so a
 * skipped event, an event applied twice, or an event of another store shows.
 *
 * @param name the runner
 * @param position the last position it handled (-1 before the first)
 * @param expectedEvents the events it should have applied: positions 0..position, less parked and skipped
 * @param appliedEvents the events it counted as applied
 * @param expectedHash the hash of the expected events' ids
 * @param appliedHash the hash of the applied events' ids
 * @param problem null when both agree, else what is wrong, in words
 */
public record ProjectionVerification(String name, long position, long expectedEvents, long appliedEvents,
                                     long expectedHash, long appliedHash, String problem) {

    /**
     * Checks that nothing is missing.
     *
     * @param name the runner
     * @param position the last position it handled (-1 before the first)
     * @param expectedEvents the events it should have applied: positions 0..position, less parked and skipped
     * @param appliedEvents the events it counted as applied
     * @param expectedHash the hash of the expected events' ids
     * @param appliedHash the hash of the applied events' ids
     * @param problem null when both agree, else what is wrong, in words
     */
    public ProjectionVerification {
        Objects.requireNonNull(name, "name");
    }

    /** @return whether the runner applied exactly the events it should have */
    public boolean ok() {
        return problem == null;
    }
}
