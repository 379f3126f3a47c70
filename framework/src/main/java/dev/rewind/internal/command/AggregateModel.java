package dev.rewind.internal.command;

import dev.rewind.EventStoreException;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.EventSourcingHandler;
import dev.rewind.internal.Members;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.HandlerInspector;
import dev.rewind.internal.dispatch.Invoker;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;

/**
 * An {@link Aggregate} class, inspected once: how to create it, its {@link EventSourcingHandler}s as a
 * dispatch table (the same as a projection's: one invoker per event index, null where it has no
 * handler), its stream prefix and its snapshot tag.
 *
 * @param <A> the aggregate class
 */
final class AggregateModel<A> {
    private final Class<A> type;
    private final String streamPrefix;
    private final MethodHandle constructor;
    private final EventIndex index;
    private final Invoker[] table;
    private final String stateVersion;

    private AggregateModel(Class<A> type, Aggregate annotation, MethodHandle constructor, EventIndex index,
                           Invoker[] table) {
        this.type = type;
        this.streamPrefix = annotation.streamPrefix();
        this.constructor = constructor;
        this.index = index;
        this.table = table;
        this.stateVersion = StateVersion.of(type, annotation.snapshotVersion());
    }

    /**
     * Inspects and validates an aggregate class.
     *
     * @param type a class annotated {@link Aggregate}
     * @param inspector validates and binds its {@link EventSourcingHandler}s
     * @param index the event index
     * @param <A> the class
     * @return its model
     * @throws IllegalStateException naming the class or method and the fix when it is not valid
     */
    static <A> AggregateModel<A> inspect(Class<A> type, HandlerInspector inspector, EventIndex index) {
        Aggregate annotation = type.getAnnotation(Aggregate.class);
        if (annotation == null) {
            throw new IllegalStateException(type.getName() + " is not annotated @Aggregate: annotate the class"
                    + " whose state its stream rebuilds, or register a service with commandHandlers(...)");
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalStateException("@Aggregate " + type.getName() + " is abstract: the gateway"
                    + " creates instances of it, so it must be a concrete class");
        }
        Constructor<A> ctor = Members.noArgConstructor(type);
        if (ctor == null) {
            throw new IllegalStateException("@Aggregate " + type.getName() + " has no no-argument constructor:"
                    + " add one (it may be private); the gateway creates a fresh instance for every command");
        }
        MethodHandle constructor;
        try {
            constructor = Members.constructor(ctor);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("@Aggregate " + type.getName() + " cannot be instantiated by Rewind ("
                    + e.getMessage() + "): open its package to Rewind", e);
        }
        Invoker[] table = inspector.inspect(type, EventSourcingHandler.class).table(index);
        return new AggregateModel<>(type, annotation, constructor, index, table);
    }

    /** @return the aggregate class */
    Class<A> type() {
        return type;
    }

    /**
     * @param targetId the command's target aggregate id
     * @return the stream id: the prefix followed by the id
     */
    String streamId(String targetId) {
        return streamPrefix + targetId;
    }

    /** @return the tag a snapshot must carry to be read into this class */
    String stateVersion() {
        return stateVersion;
    }

    /** @return a fresh instance, the state before any event */
    A newInstance() {
        try {
            return type.cast((Object) constructor.invokeExact());
        } catch (Throwable t) {
            throw new EventStoreException("cannot create @Aggregate " + type.getName()
                    + ": its no-argument constructor threw " + t, t);
        }
    }

    /**
     * Applies one event to the aggregate through the most specific {@link EventSourcingHandler};
     * events with no handler are skipped. Whatever the handler throws reaches the caller unchanged.
     *
     * @param aggregate the aggregate
     * @param event the stored event
     */
    void apply(A aggregate, StoredEvent<?> event) {
        int i = index.of(event.payload().getClass());
        Invoker handler = i < 0 ? null : table[i];
        if (handler == null) {
            return;
        }
        try {
            handler.invoke(aggregate, event);
        } catch (Throwable t) {
            throw Members.rethrow(t);
        }
    }

    @Override
    public String toString() {
        return "@Aggregate " + type.getName();
    }
}
