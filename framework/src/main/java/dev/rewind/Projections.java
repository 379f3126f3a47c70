package dev.rewind;

import java.time.Instant;
import java.util.Set;

/**
 * The query side: the registered projections, their live state and their state at any point in time.
 *
 * <p>Live projections receive every stored event once, in global order. A projection whose handler
 * throws is marked failed at that event (its state stays queryable, the error visible in
 * {@link #status(String)}); the others and the store go on.
 */
public interface Projections {

    /** @return the names of the registered projections */
    Set<String> names();

    /**
     * @param name a projection name
     * @param <T> the state type (what its {@code @QueryState} method returns)
     * @return its live state, reflecting every event stored before the call (even while live delivery
     *     of the latest events is still under way on another thread)
     * @throws IllegalArgumentException naming the projection when it is unknown
     */
    <T> T state(String name);

    /**
     * The state as of an instant: computed from the events recorded at or before {@code at} into a
     * fresh instance, without touching the live one.
     *
     * @param name a projection name
     * @param at an instant (inclusive)
     * @param <T> the state type
     * @return the state then (the empty state before the first event)
     */
    <T> T stateAt(String name, Instant at);

    /**
     * The state as of a global position: computed from the events at positions {@code 0..position}
     * (inclusive) into a fresh instance.
     *
     * @param name a projection name
     * @param position a global position (inclusive); -1 for the empty state
     * @param <T> the state type
     * @return the state then
     */
    <T> T stateAtPosition(String name, long position);

    /**
     * Rebuilds a projection from position 0 into a fresh instance, which replaces the live one; a failed
     * projection starts again (and fails again at the same event if its handler still throws).
     *
     * @param name a projection name
     */
    void rebuild(String name);

    /**
     * @param name a projection name
     * @return its health: running, or failed at a position with an error
     */
    ProjectionStatus status(String name);
}
