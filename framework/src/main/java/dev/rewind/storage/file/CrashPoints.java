package dev.rewind.storage.file;

import java.util.function.Consumer;

/**
 * Named points in the background index work (checkpoints and merges) where a crash test stops a child
 * JVM before killing it, so that a SIGKILL lands at each of them and not only where chance puts it. In
 * production the hook does nothing.
 */
final class CrashPoints {
    /** Called with the point's name; a test's child process blocks in it. */
    static volatile Consumer<String> hook = point -> { };

    private CrashPoints() {
    }

    static void reached(String point) {
        hook.accept(point);
    }
}
