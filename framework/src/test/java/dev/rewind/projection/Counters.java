package dev.rewind.projection;

import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import java.util.Map;
import java.util.TreeMap;

/** Events and projections of the projection tests. */
final class Counters {
    private Counters() {
    }

    @Event(name = "Incremented")
    record Incremented(String counter, int by) {
    }

    @Event(name = "Reset")
    record Reset(String counter) {
    }

    static final Class<?>[] EVENTS = {Incremented.class, Reset.class};

    /** Current value per counter. */
    @Projection("counters")
    static class Values {
        private final Map<String, Integer> values = new TreeMap<>();

        @EventHandler
        void on(Incremented e) {
            values.merge(e.counter(), e.by(), Integer::sum);
        }

        @EventHandler
        void on(Reset e) {
            values.put(e.counter(), 0);
        }

        @QueryState
        public Map<String, Integer> state() {
            return Map.copyOf(values);
        }
    }

    /** How many events of each kind. */
    @Projection("event_counts")
    static class EventCounts {
        private final Map<String, Integer> counts = new TreeMap<>();

        @EventHandler
        void on(Record e) {
            counts.merge(e.getClass().getSimpleName(), 1, Integer::sum);
        }

        @QueryState
        public Map<String, Integer> state() {
            return Map.copyOf(counts);
        }
    }

    /** Throws on a reset of counter "boom". */
    @Projection("fragile")
    static class Fragile {
        private int applied;

        @EventHandler
        void on(Incremented e) {
            applied++;
        }

        @EventHandler
        void on(Reset e) {
            if (e.counter().equals("boom")) {
                throw new IllegalStateException("cannot reset boom");
            }
            applied++;
        }

        @QueryState
        public int state() {
            return applied;
        }
    }
}
