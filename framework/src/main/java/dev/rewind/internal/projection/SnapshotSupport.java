package dev.rewind.internal.projection;

/** What the runtime says when a projection cannot be snapshotted: the fix, in one place. */
final class SnapshotSupport {
    static final String FIX = "Fix: give that state a type Jackson reads back from JSON without being told the class (a"
            + " record, an enum, a String or number, a java.time value, a java.util collection or map of those, or a class"
            + " of yours made of them with a no-argument constructor), mark a derived field transient, or say"
            + " ProjectionSettings...noSnapshots() to run it without snapshots on purpose";

    private SnapshotSupport() {
    }
}
