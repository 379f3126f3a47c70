package dev.rewind;

/**
 * The health of a live projection.
 *
 * @param name the projection
 * @param lastPosition the global position of the last event it applied, -1 before the first
 * @param failedAt the global position of the event it failed on, or -1 when running
 * @param error the failure's description, or null when running
 */
public record ProjectionStatus(String name, long lastPosition, long failedAt, String error) {
    /** @return whether the projection stopped at a failed event */
    public boolean failed() {
        return failedAt >= 0;
    }
}
