package dev.rewind.spi.projection;

import java.time.Duration;
import java.util.Objects;

/**
 * A lease on one owned runner, as granted by {@link ProjectionLeases#acquire}: who holds it, its fencing
 * token, and for how long each grant or renewal lasts. The expiry itself is kept and judged by the store
 * (a database: by its own clock), never by the holder's wall clock.
 *
 * @param name the runner
 * @param owner the instance id of the holder
 * @param token the fencing token: greater for every later holder of the same name, so a write that
 *     carries it can be refused once someone else took the lease
 * @param duration how long a grant or a renewal lasts
 */
public record Lease(String name, String owner, long token, Duration duration) {
    /**
     * Checks the values, naming the one that is wrong.
     *
     * @param name the runner
     * @param owner the instance id of the holder
     * @param token the fencing token
     * @param duration how long a grant or a renewal lasts
     */
    public Lease {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("the lease of '" + name + "': duration must be positive, was " + duration);
        }
    }
}
