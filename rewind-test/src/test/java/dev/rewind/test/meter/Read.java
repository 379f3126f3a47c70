package dev.rewind.test.meter;

import dev.rewind.annotation.TargetAggregateId;

/**
 * Reads a meter.
 *
 * @param meterId the meter
 * @param amount the reading
 */
public record Read(@TargetAggregateId String meterId, long amount) {
}
