package dev.rewind.projection.runtime;

import dev.rewind.StoredEvent;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.EventProcessor;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.annotation.Replaying;
import dev.rewind.annotation.StreamId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Events, projections and a processor for the runtime's tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A counter moved by {@code by}. */
    @Event(name = "Added")
    public record Added(String counter, long by) {
    }

    /** A marker with no effect on the totals. */
    @Event(name = "Noted")
    public record Noted(String text) {
    }

    /** The event types. */
    public static final Class<?>[] EVENTS = {Added.class, Noted.class};

    /**
     * How many more times a handler throws for a counter (tests set it; the counter's events fail
     * meanwhile). Shared by the failing projection and the failing processor.
     */
    public static final Map<String, Integer> FAILURES = new ConcurrentHashMap<>();

    static void maybeFail(String counter) {
        Integer left = FAILURES.computeIfPresent(counter, (k, v) -> v - 1);
        if (left != null) {
            if (left <= 0) {
                FAILURES.remove(counter);
            }
            if (left >= 0) {
                throw new IllegalStateException("staged failure for counter " + counter);
            }
        }
    }

    /** The sum per counter, and every stream's versions in the order applied (order and duplicates show). */
    @Projection("totals")
    public static class Totals {
        private final Map<String, Long> sums = new TreeMap<>();
        private final Map<String, List<Long>> versions = new TreeMap<>();
        private long applied;

        @EventHandler
        void on(Added e, StoredEvent<?> envelope) {
            sums.merge(e.counter(), e.by(), Long::sum);
            versions.computeIfAbsent(envelope.streamId(), k -> new ArrayList<>()).add(envelope.streamVersion());
            applied++;
        }

        @EventHandler
        void on(Noted e) {
            applied++;
        }

        /** @param counter a counter @return its sum, 0 when it never moved */
        public long of(String counter) {
            return sums.getOrDefault(counter, 0L);
        }

        /** @return the versions applied per stream, copied */
        public Map<String, List<Long>> versions() {
            Map<String, List<Long>> copy = new TreeMap<>();
            versions.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return copy;
        }

        /** @return how many events it applied */
        public long applied() {
            return applied;
        }

        @QueryState
        public Map<String, Long> state() {
            return Map.copyOf(sums);
        }
    }

    /** Like {@link Totals}, but its handler fails as {@link #FAILURES} says. */
    @Projection("fragile_totals")
    public static class FragileTotals {
        private final Map<String, List<Long>> applied = new TreeMap<>();

        @EventHandler
        void on(Added e, @StreamId String stream, StoredEvent<?> envelope) {
            maybeFail(e.counter());
            applied.computeIfAbsent(stream, k -> new ArrayList<>()).add(envelope.streamVersion());
        }

        @QueryState
        public Map<String, List<Long>> state() {
            Map<String, List<Long>> copy = new TreeMap<>();
            applied.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return copy;
        }
    }

    /** Records what it is told and whether it was replaying. */
    @Projection("replays")
    public static class Replays {
        private final List<String> seen = new ArrayList<>();

        @EventHandler
        void on(Added e, @Replaying boolean replaying, StoredEvent<?> envelope) {
            seen.add(envelope.globalPosition() + (replaying ? ":replay" : ":live"));
        }

        @QueryState
        public List<String> state() {
            return List.copyOf(seen);
        }
    }

    /** How many events {@link Counting} instances applied, all instances together (temporal queries show their tail). */
    public static final java.util.concurrent.atomic.AtomicLong COUNTED = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A sum per counter that counts its handler calls in {@link #COUNTED} and, when {@link #SLOW_REPLAY} is
     * set, takes a millisecond per replayed event (a rebuild then takes long enough to query during it).
     */
    @Projection("counting")
    public static class Counting {
        private final Map<String, Long> sums = new TreeMap<>();
        private final transient String instance = UUID.randomUUID().toString();

        @EventHandler
        void on(Added e, @Replaying boolean replaying) {
            COUNTED.incrementAndGet();
            if (replaying && SLOW_REPLAY) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            sums.merge(e.counter(), e.by(), Long::sum);
        }

        /** @return which instance this is (a rebuild makes a new one) */
        public String instance() {
            return instance;
        }

        /** @return the sum of every counter */
        public long total() {
            long t = 0;
            for (long v : sums.values()) {
                t += v;
            }
            return t;
        }

        @QueryState
        public Map<String, Long> state() {
            return Map.copyOf(sums);
        }
    }

    /** Set by a test to make {@link Counting} slow while it replays. */
    public static volatile boolean SLOW_REPLAY;

    /** A projection whose state Jackson cannot read back: it holds an {@code Object}. */
    @Projection("opaque")
    public static class Opaque {
        private Object last = "nothing yet";
        private long count;

        @EventHandler
        void on(Added e) {
            last = e;
            count++;
        }

        @QueryState
        public long state() {
            return count;
        }
    }

    /** The side effects a processor had: the event ids (the idempotency keys) it was given, in order. */
    public static final List<UUID> SENT = new CopyOnWriteArrayList<>();

    /** Sends one "notification" per event of a counter, through {@link #SENT}; fails as {@link #FAILURES} says. */
    @EventProcessor("notifier")
    public static class Notifier {
        private final List<UUID> outbox;

        public Notifier(List<UUID> outbox) {
            this.outbox = outbox;
        }

        @EventHandler
        void on(Added e, StoredEvent<?> envelope) {
            maybeFail(e.counter());
            outbox.add(envelope.eventId());
        }
    }
}
