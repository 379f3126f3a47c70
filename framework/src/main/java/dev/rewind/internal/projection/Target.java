package dev.rewind.internal.projection;

import dev.rewind.EventListener;
import dev.rewind.ProjectionStatus;
import dev.rewind.StoredEvent;
import dev.rewind.internal.dispatch.Invoker;
import java.util.function.Supplier;

/**
 * What a runner feeds: a projection (fresh instances, a state to query, snapshots), an event processor
 * (the one registered instance), or a subscription's listener. Applying an event is one array read and
 * one call for the first two, a call of the listener for the last.
 */
final class Target {
    private final String name;
    private final ProjectionStatus.Kind kind;
    private final ProjectionType type;
    private final Object processor;
    private final EventListener listener;
    private final Invoker[] table;
    private final String version;
    private final boolean usesReplaying;
    private final long startPosition;

    private Target(String name, ProjectionStatus.Kind kind, ProjectionType type, Object processor, EventListener listener,
                   String version, boolean usesReplaying, long startPosition) {
        this.name = name;
        this.kind = kind;
        this.type = type;
        this.processor = processor;
        this.listener = listener;
        this.table = type == null ? null : type.table();
        this.version = version;
        this.usesReplaying = usesReplaying;
        this.startPosition = startPosition;
    }

    static Target projection(ProjectionType type) {
        return new Target(type.name(), ProjectionStatus.Kind.PROJECTION, type, null, null, type.version(),
                type.usesReplaying(), -1);
    }

    /**
     * @param fromPosition where it starts when it has no checkpoint: -1 for position 0, else the position
     *     before the first event it handles
     */
    static Target processor(ProjectionType type, Object instance, long fromPosition) {
        return new Target(type.name(), ProjectionStatus.Kind.PROCESSOR, type, instance, null, "processor",
                type.usesReplaying(), fromPosition);
    }

    static Target subscription(String name, EventListener listener, long fromPosition) {
        return new Target(name, ProjectionStatus.Kind.SUBSCRIPTION, null, null, listener, "subscription", false,
                fromPosition);
    }

    String name() {
        return name;
    }

    ProjectionStatus.Kind kind() {
        return kind;
    }

    boolean isProjection() {
        return kind == ProjectionStatus.Kind.PROJECTION;
    }

    /** @return the projection type, or null for a subscription */
    ProjectionType type() {
        return type;
    }

    String version() {
        return version;
    }

    boolean usesReplaying() {
        return usesReplaying;
    }

    /** @return the position before the first event a runner without a checkpoint handles */
    long startPosition() {
        return startPosition;
    }

    /** @return what events are applied to: a fresh projection instance, the processor, or the listener */
    Object newInstance() {
        return switch (kind) {
            case PROJECTION -> type.newInstance();
            case PROCESSOR -> processor;
            case SUBSCRIPTION -> listener;
        };
    }

    Supplier<Object> factory() {
        return type::newInstance;
    }

    /** @return whether applying the event at that index does anything (a listener takes every event) */
    boolean handles(int eventIndex) {
        return table == null || eventIndex >= 0 && table[eventIndex] != null;
    }

    void apply(Object instance, int eventIndex, StoredEvent<?> event) throws Throwable {
        if (table == null) {
            ((EventListener) instance).on(event);
        } else {
            table[eventIndex].invoke(instance, event);
        }
    }

    Object state(Object instance) {
        return type.state(instance);
    }
}
