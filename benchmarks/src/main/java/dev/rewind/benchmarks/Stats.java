package dev.rewind.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Median and spread of measured iterations.
 *
 * @param median the median
 * @param min the smallest
 * @param max the largest
 */
public record Stats(double median, double min, double max) {
    /**
     * @param values at least one figure
     * @return their median, min and max
     */
    public static Stats of(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int m = sorted.size() / 2;
        double median = sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
        return new Stats(median, sorted.get(0), sorted.get(sorted.size() - 1));
    }
}
