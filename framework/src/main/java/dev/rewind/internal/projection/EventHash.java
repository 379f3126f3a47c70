package dev.rewind.internal.projection;

import java.util.UUID;

/**
 * The hash a runner keeps of the events it applied: the sum of a 64-bit mix of each event id. A sum does
 * not depend on the order, so an event parked and applied later still counts the same; a skipped event,
 * one applied twice or one from another store changes it (with the count beside it, a skipped one and a
 * repeated one cannot cancel out unless their mixes collide). It guards against mistakes, not attackers.
 */
final class EventHash {
    private EventHash() {
    }

    static long of(UUID id) {
        long h = id.getMostSignificantBits() * 0x9E3779B97F4A7C15L + id.getLeastSignificantBits();
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
