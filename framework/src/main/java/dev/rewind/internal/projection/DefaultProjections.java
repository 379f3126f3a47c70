package dev.rewind.internal.projection;

import dev.rewind.EventListener;
import dev.rewind.EventStore;
import dev.rewind.ProjectionStatus;
import dev.rewind.Projections;
import dev.rewind.StoredEvent;
import dev.rewind.Subscription;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.Invoker;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link Projections}: one subscriber to the store that looks the event's class up once and hands
 * it to every live projection; temporal queries and rebuilds replay the store into fresh instances.
 */
public final class DefaultProjections implements Projections, EventListener, AutoCloseable {
    private final EventStore store;
    private final EventIndex index;
    private final Map<String, ProjectionRunner> byName = new LinkedHashMap<>();
    private final ProjectionRunner[] runners;
    private final Subscription subscription;

    /**
     * Subscribes to the store, then catches every projection up from position 0, so that no event stored
     * in between is missed or applied twice.
     *
     * @param store the store
     * @param index the event index
     * @param types the validated projection types (names unique)
     */
    public DefaultProjections(EventStore store, EventIndex index, List<ProjectionType> types) {
        this.store = store;
        this.index = index;
        for (ProjectionType t : types) {
            byName.put(t.name(), new ProjectionRunner(t, store, index));
        }
        this.runners = byName.values().toArray(new ProjectionRunner[0]);
        this.subscription = runners.length == 0 ? () -> { } : store.subscribe(this);
        catchUpAll();
    }

    /** Feeds all projections from one replay of the store, each from where it is. */
    private void catchUpAll() {
        if (runners.length == 0) {
            return;
        }
        try {
            store.replay(0, Long.MAX_VALUE, this);
        } catch (RuntimeException unreadable) {
            for (ProjectionRunner r : runners) { // each goes as far as it can and records where it stopped
                r.catchUp(Long.MAX_VALUE);
            }
        }
    }

    @Override
    public void on(StoredEvent<?> event) {
        int i = index.of(event.payload().getClass());
        for (ProjectionRunner r : runners) {
            r.onEvent(i, event);
        }
    }

    @Override
    public Set<String> names() {
        return java.util.Collections.unmodifiableSet(byName.keySet());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T state(String name) {
        ProjectionRunner runner = runner(name);
        // Read-your-writes: live delivery may still be under way on another thread (a second appender,
        // or a storage's watcher of other instances); apply what is stored before answering. The
        // runner skips those events when delivery reaches them, so each is applied once.
        runner.catchUp(store.nextPosition());
        return (T) runner.state();
    }

    @Override
    public <T> T stateAt(String name, Instant at) {
        Objects.requireNonNull(at, "at");
        return stateBefore(name, store.firstPositionAfter(at));
    }

    @Override
    public <T> T stateAtPosition(String name, long position) {
        if (position < -1) {
            throw new IllegalArgumentException("position must be -1 (the empty state) or more, was " + position);
        }
        return stateBefore(name, position == Long.MAX_VALUE ? position : position + 1);
    }

    @SuppressWarnings("unchecked")
    private <T> T stateBefore(String name, long toExclusive) {
        ProjectionType type = runner(name).type();
        Object instance = type.newInstance();
        Invoker[] table = type.table();
        store.replay(0, toExclusive, e -> {
            int i = index.of(e.payload().getClass());
            Invoker h = i >= 0 ? table[i] : null;
            if (h != null) {
                try {
                    h.invoke(instance, e);
                } catch (Throwable t) {
                    throw new IllegalStateException("projection '" + name + "' failed on the event at global position "
                            + e.globalPosition() + " (" + e.type() + " " + e.eventId() + ") while computing a past state: " + t, t);
                }
            }
        });
        return (T) type.state(instance);
    }

    @Override
    public void rebuild(String name) {
        runner(name).rebuild();
    }

    @Override
    public ProjectionStatus status(String name) {
        return runner(name).status();
    }

    private ProjectionRunner runner(String name) {
        ProjectionRunner r = byName.get(Objects.requireNonNull(name, "name"));
        if (r == null) {
            throw new IllegalArgumentException("no projection named '" + name + "'; the registered ones are " + byName.keySet());
        }
        return r;
    }

    /** Unsubscribes from the store. */
    @Override
    public void close() {
        subscription.close();
    }
}
