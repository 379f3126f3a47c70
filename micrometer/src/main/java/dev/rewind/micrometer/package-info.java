/**
 * Rewind's metrics in Micrometer: {@link dev.rewind.micrometer.RewindMetrics} is an observer of a
 * {@link dev.rewind.Rewind} and a {@code MeterBinder}; the Spring Boot starter registers it when
 * Micrometer is on the class path.
 */
package dev.rewind.micrometer;
