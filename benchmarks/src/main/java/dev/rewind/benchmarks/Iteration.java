package dev.rewind.benchmarks;

/** One iteration of a phase on one side: sets itself up, measures, verifies, and returns the figure. */
@FunctionalInterface
public interface Iteration {
    /**
     * @return the figure in the phase's unit (events/s, ms or bytes/event)
     * @throws Exception when the run or its verification fails: the whole run fails
     */
    double run() throws Exception;

    /**
     * @return a limit for the same figure measured by the last {@link #run()} in the same JVM right beside
     *     it (the durable phases: bare group commit of the same bytes on the same disk, after it; with
     *     asynchronous projections: the same writers with none attached, before or after it), or NaN when
     *     the phase has none
     */
    default double limit() {
        return Double.NaN;
    }
}
