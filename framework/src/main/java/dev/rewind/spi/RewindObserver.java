package dev.rewind.spi;

/**
 * Watches a running {@link dev.rewind.Rewind} for metrics, without the core knowing any metrics library:
 * a binding (such as {@code rewind-micrometer}) implements it and is given to
 * {@code Rewind.builder().observer(observer)}.
 *
 * <p>Two ways of reporting, chosen by cost. <b>Pushed</b>: only what happens on an append, the one
 * figure that cannot be read back later ({@link #appended}). It is called on the appending thread, so it
 * must be quick; what it throws is logged, never passed to the appender (whose events are stored).
 * <b>Pulled</b>: everything that is a level or a running total (events stored, each projection's
 * position and lag, parked and failed counts, a storage's figures) is read by the binding when it wants
 * it, from the {@link ObservedRewind} handed to {@link #started}: a scrape reads it, the runtime never
 * computes it for nobody.
 *
 * <p>When no observer is set, the append path has no call and no allocation for observation: one test of
 * a final field decides it.
 */
public interface RewindObserver {

    /**
     * Called once, when {@code build()} has started the runtime: where the pulled figures are read.
     *
     * @param rewind the running Rewind, seen through the figures it offers
     */
    default void started(ObservedRewind rewind) {
    }

    /**
     * A batch was appended through the event store (directly or by a command), successfully, including an
     * idempotent retry that stored nothing new. Called on the appending thread after the storage
     * acknowledged the batch and the synchronous projections applied it.
     *
     * @param events how many events the batch had
     * @param nanos how long {@code append} took, serialisation, storage and synchronous projections included
     */
    default void appended(int events, long nanos) {
    }

    /** Called once, when the Rewind is closed: pulled figures are no longer available after it. */
    default void closed() {
    }
}
