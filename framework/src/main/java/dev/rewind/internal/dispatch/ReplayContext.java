package dev.rewind.internal.dispatch;

/**
 * Not API. What an {@code @Replaying boolean} handler parameter answers: the projection runtime says, on
 * the thread that applies events, up to which position the events are replays. Set only around runners
 * whose handlers ask, so that the others pay nothing. Outside the runtime (an aggregate loading its
 * stream) every event is a replay.
 */
public final class ReplayContext {
    private static final ThreadLocal<long[]> REPLAY_UNTIL = new ThreadLocal<>();

    private ReplayContext() {
    }

    /**
     * @param replayUntil events at or before this position are replays (-1: none, {@code Long.MAX_VALUE}: all)
     * @return the previous value, for {@link #restore}
     */
    public static long[] enter(long replayUntil) {
        long[] previous = REPLAY_UNTIL.get();
        REPLAY_UNTIL.set(new long[] {replayUntil});
        return previous;
    }

    /** @param previous what {@link #enter} returned */
    public static void restore(long[] previous) {
        if (previous == null) {
            REPLAY_UNTIL.remove();
        } else {
            REPLAY_UNTIL.set(previous);
        }
    }

    /**
     * @param position an event's global position
     * @return whether applying it is a replay
     */
    public static boolean replaying(long position) {
        long[] until = REPLAY_UNTIL.get();
        return until == null || position <= until[0];
    }
}
