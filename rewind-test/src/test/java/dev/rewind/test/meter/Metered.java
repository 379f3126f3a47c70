package dev.rewind.test.meter;

import dev.rewind.annotation.Event;

/**
 * A reading, at schema version 2: version 1 had no unit.
 *
 * @param meterId the meter
 * @param amount how much
 * @param unit of what
 */
@Event(name = "Metered", version = 2)
public record Metered(String meterId, long amount, String unit) {
}
