package dev.rewind;

import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.projection.ProjectionVerification;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.StaleProjectionException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The query side and its runtime: the registered projections (their live state, typed queries, their
 * state at any point in time, rebuilds), the event processors, and subscriptions that lose nothing.
 *
 * <p>Each projection, processor and subscription is a <em>runner</em>: it receives every stored event
 * once, in global order, either on the appending thread (synchronous, the default for projections) or
 * on a thread of its own (asynchronous: catch-up, then live), as its
 * {@link dev.rewind.projection.ProjectionSettings} say. A handler that throws gets the runner's
 * {@link dev.rewind.projection.FailurePolicy}: retried, then stopped at that event (the default) or
 * parked. The operations that take a name ({@link #status}, {@link #parked}, {@link #retryParked},
 * {@link #skipParked}, {@link #decisions}, {@link #verify}) accept the name of any runner.
 */
public interface Projections {

    /** @return the names of the registered projections */
    Set<String> names();

    /**
     * @param name a projection name
     * @param <T> the state type (what its {@code @QueryState} method returns)
     * @return its live state: for a synchronous projection, reflecting every event stored before the call
     *     (even while live delivery of the latest events is still under way on another thread); for an
     *     asynchronous one, what it has applied so far (ask {@link ReadPoint#atLeast} for more)
     * @throws IllegalArgumentException naming the projection when it is unknown
     */
    <T> T state(String name);

    /**
     * @param name a projection name
     * @param type the state type its {@code @QueryState} method returns (or a supertype)
     * @param <T> the state type
     * @return its live state, as {@link #state(String)}
     * @throws IllegalArgumentException naming both types when the state is not a {@code type}
     */
    <T> T state(String name, Class<T> type);

    /**
     * @param name a projection name
     * @param at now, at least a position, or a past instant or position
     * @param <T> the state type
     * @return its state at that point
     * @throws StaleProjectionException when {@link ReadPoint#atLeast} is not reached in time
     */
    <T> T state(String name, ReadPoint at);

    /**
     * A typed query on the live instance of the projection of class {@code projection}, under its read
     * lock: an asynchronous update waits until it returns, so the query sees one consistent state without
     * any copy. Return values, not views of the projection's collections.
     *
     * <pre>{@code
     * Optional<OrderTotal> t = rewind.projections().query(OrderTotalsProjection.class, v -> v.order("1001"));
     * }</pre>
     *
     * @param projection a registered {@code @Projection} class
     * @param query what to read from it
     * @param <P> the projection class
     * @param <R> the answer
     * @return the answer
     * @throws IllegalArgumentException naming the class when no projection has it
     */
    <P, R> R query(Class<P> projection, Function<? super P, ? extends R> query);

    /**
     * A typed query at a point: the live instance ({@link ReadPoint#now()}, {@link ReadPoint#atLeast}), or
     * a fresh instance holding a past state ({@link ReadPoint#at}, {@link ReadPoint#atPosition}).
     *
     * @param projection a registered {@code @Projection} class
     * @param at where in the history
     * @param query what to read from it
     * @param <P> the projection class
     * @param <R> the answer
     * @return the answer
     * @throws StaleProjectionException when {@link ReadPoint#atLeast} is not reached in time
     */
    <P, R> R query(Class<P> projection, ReadPoint at, Function<? super P, ? extends R> query);

    /**
     * The state as of an instant: computed from the events recorded at or before {@code at} into a
     * fresh instance, without touching the live one, starting from the nearest past state kept at or
     * before that point when the projection keeps any (see
     * {@link dev.rewind.projection.ProjectionSettings#history}).
     *
     * @param name a projection name
     * @param at an instant (inclusive)
     * @param <T> the state type
     * @return the state then (the empty state before the first event)
     */
    <T> T stateAt(String name, Instant at);

    /**
     * The state as of a global position: computed from the events at positions {@code 0..position}
     * (inclusive) into a fresh instance, from the nearest past state kept at or before it.
     *
     * @param name a projection name
     * @param position a global position (inclusive); -1 for the empty state
     * @param <T> the state type
     * @return the state then
     */
    <T> T stateAtPosition(String name, long position);

    /**
     * Rebuilds a projection from position 0 into a fresh instance, blue/green: the current instance keeps
     * answering queries until the fresh one has caught up, then the fresh one replaces it atomically.
     * Returns once it has. A failed projection starts again (and fails again at the same event if its
     * handler still throws).
     *
     * @param name a projection name
     * @throws IllegalArgumentException for a processor (side effects are never replayed) or a subscription
     */
    void rebuild(String name);

    /**
     * Starts {@link #rebuild(String)} in the background.
     *
     * @param name a projection name
     * @return completes with the status right after the switch (or exceptionally with why the fresh
     *     instance could not replace the current one); a rebuild already under way is joined
     */
    CompletableFuture<ProjectionStatus> startRebuild(String name);

    /**
     * @param name a runner name
     * @return its health: position, lag, rate, state, parked events, last error
     */
    ProjectionStatus status(String name);

    /** @return the status of every runner: projections, processors and open subscriptions, by name */
    List<ProjectionStatus> statuses();

    /**
     * @param name a runner name
     * @return its parked events, in global order: those that failed, and those waiting behind them
     */
    List<ParkedEvent> parked(String name);

    /**
     * Tries the parked events of a stream again, in order: the failed one, then those waiting behind it,
     * until one fails again (it stays parked with its new error, and so do those behind it). Each
     * attempt is recorded as a {@link Decision}.
     *
     * @param name a runner name
     * @param streamId a stream with parked events
     * @param reason why (recorded)
     * @return the stream's events still parked afterwards (empty when all were applied)
     * @throws IllegalArgumentException when the stream has no parked event
     */
    List<ParkedEvent> retryParked(String name, String streamId, String reason);

    /**
     * Skips a parked event that failed: it is never applied by this instance, the decision is recorded,
     * and the events of its stream waiting behind it are tried next.
     *
     * @param name a runner name
     * @param position the global position of a parked event that failed (not one waiting behind another)
     * @param reason why (recorded)
     * @return the stream's events still parked afterwards
     * @throws IllegalArgumentException when no parked event that failed is at that position
     */
    List<ParkedEvent> skipParked(String name, long position, String reason);

    /**
     * @param name a runner name
     * @return every recorded decision about its events, oldest first
     */
    List<Decision> decisions(String name);

    /**
     * Compares what a runner counted as applied (a count and a hash of event ids, kept with its
     * checkpoint) with what the store holds up to the runner's position, so that a skipped or repeated
     * event shows.
     *
     * @param name a runner name
     * @return what it found
     */
    ProjectionVerification verify(String name);

    /**
     * Subscribes from a position: the listener receives every event from {@code fromPosition} on, in
     * global order, catching up first and then live, on a thread of the runtime. A named subscription is
     * durable: its checkpoint is kept, and subscribing again with the same name resumes after the last
     * event it handled ({@code fromPosition} only counts the first time). A listener that throws gets the
     * failure policy of the settings given for that name (or the defaults), never a silent loss.
     *
     * @param name a unique name (durable), or null for a subscription that keeps no checkpoint
     * @param fromPosition the first position to deliver, 0 or more
     * @param listener the listener
     * @return closing it stops delivery and saves the checkpoint
     */
    Subscription subscribe(String name, long fromPosition, EventListener listener);

    /**
     * Subscribes from an instant: as {@link #subscribe(String, long, EventListener)} from the first event
     * recorded at or after {@code from}.
     *
     * @param name a unique name (durable), or null
     * @param from an instant
     * @param listener the listener
     * @return closing it stops delivery and saves the checkpoint
     */
    Subscription subscribe(String name, Instant from, EventListener listener);
}
