package dev.rewind.internal.projection;

import dev.rewind.EventStore;
import dev.rewind.ProjectionStatus;
import dev.rewind.StoredEvent;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.Invoker;
import dev.rewind.storage.kernel.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one live projection instance, in global order, exactly once per event. A handler that throws
 * marks the projection failed at that event: it applies nothing more (it never silently skips an
 * event) until it is rebuilt, and its state stays queryable. All methods lock the runner, so a query
 * never sees a half-applied event.
 */
final class ProjectionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionRunner.class);
    private static final int PROGRESS_EVERY = 1 << 16;

    private final ProjectionType type;
    private final Invoker[] table;
    private final EventStore store;
    private final EventIndex index;
    private Object instance;
    private long position = -1;
    private long failedAt = -1;
    private String error;

    ProjectionRunner(ProjectionType type, EventStore store, EventIndex index) {
        this.type = type;
        this.table = type.table();
        this.store = store;
        this.index = index;
        this.instance = type.newInstance();
    }

    String name() {
        return type.name();
    }

    ProjectionType type() {
        return type;
    }

    /** Applies a live event, first catching up on any position it has not seen yet. */
    synchronized void onEvent(int eventIndex, StoredEvent<?> event) {
        long pos = event.globalPosition();
        if (pos <= position || failedAt >= 0) {
            return;
        }
        if (pos > position + 1) {
            catchUp(pos);
            if (failedAt >= 0) {
                return;
            }
        }
        apply(eventIndex, event);
    }

    /** Applies every stored event after the current position, up to {@code toExclusive}. */
    synchronized void catchUp(long toExclusive) {
        catchUp(toExclusive, null);
    }

    /** The same, telling {@code progress} every {@value #PROGRESS_EVERY} events when it is given. */
    private void catchUp(long toExclusive, Progress progress) {
        try {
            if (progress == null) {
                store.replay(position + 1, toExclusive, e -> {
                    if (failedAt < 0) {
                        apply(index.of(e.payload().getClass()), e);
                    }
                });
            } else {
                long[] seen = {0};
                store.replay(position + 1, toExclusive, e -> {
                    if (failedAt < 0) {
                        apply(index.of(e.payload().getClass()), e);
                    }
                    if (++seen[0] % PROGRESS_EVERY == 0) {
                        progress.advance(PROGRESS_EVERY);
                    }
                });
            }
        } catch (RuntimeException e) { // an event that cannot be read (decoded, upcast): stop before it
            if (failedAt < 0) {
                failedAt = position + 1;
                error = e.toString();
                LOG.error("projection '{}' cannot read the event at global position {}; it stops there and applies no "
                        + "further event until it is rebuilt; its state stays queryable", type.name(), failedAt, e);
            }
        }
    }

    private void apply(int eventIndex, StoredEvent<?> event) {
        Invoker handler = eventIndex >= 0 ? table[eventIndex] : null;
        if (handler != null) {
            try {
                handler.invoke(instance, event);
            } catch (Throwable t) {
                fail(event, t);
                return;
            }
        }
        position = event.globalPosition();
    }

    private void fail(StoredEvent<?> event, Throwable t) {
        failedAt = event.globalPosition();
        error = t.toString();
        LOG.error("projection '{}' failed on the event at global position {} ({} {} in stream '{}'); it stops there "
                        + "and applies no further event until it is rebuilt; its state stays queryable",
                type.name(), event.globalPosition(), event.type(), event.eventId(), event.streamId(), t);
    }

    /**
     * Replaces the live instance by a fresh one fed from position 0 to the head; over a large store the
     * progress shows on stderr (a terminal) or at INFO every few seconds.
     */
    synchronized void rebuild() {
        instance = type.newInstance();
        position = -1;
        failedAt = -1;
        error = null;
        Progress progress = Progress.start("rebuild of projection '" + type.name() + "'", store.nextPosition(),
                "events");
        catchUp(Long.MAX_VALUE, progress);
        progress.finish();
    }

    synchronized Object state() {
        return type.state(instance);
    }

    synchronized ProjectionStatus status() {
        return new ProjectionStatus(type.name(), position, failedAt, error);
    }
}
