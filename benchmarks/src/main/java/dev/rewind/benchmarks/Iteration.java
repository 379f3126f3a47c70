package dev.rewind.benchmarks;

/** One iteration of a phase on one side: sets itself up, measures, verifies, and returns the figure. */
@FunctionalInterface
public interface Iteration {
    /**
     * @return the figure in the phase's unit (events/s, ms or bytes/event)
     * @throws Exception when the run or its verification fails: the whole run fails
     */
    double run() throws Exception;
}
