package dev.rewind.benchmarks;

import java.util.Map;

/** One framework under test. */
public interface Side {
    /**
     * Prepares a phase in this JVM (seeding what is not measured) and returns its iteration, or
     * {@code null} when this side has nothing comparable.
     *
     * @param phase the phase
     * @param n the number of events
     * @return one iteration, run warm-up + measured times
     * @throws Exception when preparing fails
     */
    Iteration prepare(Phase phase, int n) throws Exception;

    /** @return figures measured along the way (seeding rates, limits) worth reporting, by name */
    Map<String, Double> extras();
}
