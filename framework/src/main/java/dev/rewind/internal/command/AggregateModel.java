package dev.rewind.internal.command;

import dev.rewind.EventStoreException;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.EventSourcingHandler;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link Aggregate} class, inspected once: how to create it, which {@link EventSourcingHandler}
 * applies each event class, its stream prefix and its snapshot tag.
 *
 * @param <A> the aggregate class
 */
public final class AggregateModel<A> {
    private static final MethodHandle NO_HANDLER = null;

    private final Class<A> type;
    private final String streamPrefix;
    private final MethodHandle constructor;
    private final List<SourcingHandler> handlers;
    private final String stateVersion;
    private final ConcurrentHashMap<Class<?>, Optional<MethodHandle>> byEventClass = new ConcurrentHashMap<>();

    private record SourcingHandler(Class<?> eventType, Method method, MethodHandle handle) {
    }

    private AggregateModel(Class<A> type, Aggregate annotation, MethodHandle constructor,
                           List<SourcingHandler> handlers) {
        this.type = type;
        this.streamPrefix = annotation.streamPrefix();
        this.constructor = constructor;
        this.handlers = List.copyOf(handlers);
        this.stateVersion = StateVersion.of(type, annotation.snapshotVersion());
    }

    /**
     * Inspects and validates an aggregate class.
     *
     * @param type a class annotated {@link Aggregate}
     * @param <A> the class
     * @return its model
     * @throws IllegalArgumentException naming the class or method and the fix when it is not valid
     */
    public static <A> AggregateModel<A> inspect(Class<A> type) {
        Aggregate annotation = type.getAnnotation(Aggregate.class);
        if (annotation == null) {
            throw new IllegalArgumentException(type.getName() + " is not annotated @Aggregate: annotate the class"
                    + " whose state its stream rebuilds, or register a service with commandHandlers(...)");
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("@Aggregate " + type.getName() + " is abstract: the gateway"
                    + " creates instances of it, so it must be a concrete class");
        }
        Constructor<A> ctor;
        try {
            ctor = type.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("@Aggregate " + type.getName() + " has no no-argument constructor:"
                    + " add one (it may be private); the gateway creates a fresh instance for every command", e);
        }
        return new AggregateModel<>(type, annotation, Handles.generic(ctor), sourcingHandlers(type));
    }

    private static List<SourcingHandler> sourcingHandlers(Class<?> type) {
        List<SourcingHandler> found = new ArrayList<>();
        for (Method m : Inspection.annotatedMethods(type, EventSourcingHandler.class)) {
            if (m.getParameterCount() != 1) {
                throw new IllegalArgumentException("@EventSourcingHandler method " + m.toGenericString()
                        + " must take exactly one parameter, the event");
            }
            Class<?> eventType = m.getParameterTypes()[0];
            for (SourcingHandler h : found) {
                if (h.eventType() == eventType) {
                    throw new IllegalArgumentException("two @EventSourcingHandler methods apply "
                            + eventType.getName() + " in " + type.getName() + ": " + h.method().toGenericString()
                            + " and " + m.toGenericString() + "; keep one");
                }
            }
            found.add(new SourcingHandler(eventType, m, Handles.generic(m)));
        }
        return found;
    }

    /** @return the aggregate class */
    public Class<A> type() {
        return type;
    }

    /**
     * @param targetId the command's target aggregate id
     * @return the stream id: the prefix followed by the id
     */
    public String streamId(String targetId) {
        return streamPrefix + targetId;
    }

    /** @return the tag a snapshot must carry to be read into this class */
    public String stateVersion() {
        return stateVersion;
    }

    /** @return a fresh instance, the state before any event */
    public A newInstance() {
        try {
            return type.cast((Object) constructor.invokeExact());
        } catch (Throwable t) {
            throw new EventStoreException("cannot create @Aggregate " + type.getName()
                    + ": its no-argument constructor threw " + t, t);
        }
    }

    /**
     * Applies one event to the aggregate through the most specific {@link EventSourcingHandler};
     * events with no handler are skipped.
     *
     * @param aggregate the aggregate
     * @param payload the event payload
     */
    public void apply(A aggregate, Object payload) {
        MethodHandle h = byEventClass.computeIfAbsent(payload.getClass(), this::mostSpecific).orElse(NO_HANDLER);
        if (h == null) {
            return;
        }
        try {
            Object ignored = (Object) h.invokeExact((Object) aggregate, payload);
        } catch (Throwable t) {
            throw Handles.rethrow(t);
        }
    }

    private Optional<MethodHandle> mostSpecific(Class<?> eventClass) {
        SourcingHandler best = null;
        for (SourcingHandler h : handlers) {
            if (h.eventType().isAssignableFrom(eventClass)
                    && (best == null || best.eventType().isAssignableFrom(h.eventType()))) {
                best = h;
            }
        }
        return best == null ? Optional.empty() : Optional.of(best.handle());
    }

    /**
     * Checks that every {@link EventSourcingHandler} receives a registered event type (or a supertype of one).
     *
     * @param eventClasses the registered event record classes
     * @throws IllegalArgumentException naming the method and the fix otherwise
     */
    public void checkSourcedTypes(java.util.Collection<Class<?>> eventClasses) {
        for (SourcingHandler h : handlers) {
            if (eventClasses.stream().noneMatch(h.eventType()::isAssignableFrom)) {
                throw new IllegalArgumentException("@EventSourcingHandler method " + h.method().toGenericString()
                        + " takes " + h.eventType().getName() + ", which is not a registered event type nor a"
                        + " supertype of one: annotate the record @Event and register or scan it");
            }
        }
    }

    /** @return the parameter types of the {@link EventSourcingHandler}s (event records or their supertypes) */
    public List<Class<?>> sourcedEventTypes() {
        return handlers.stream().<Class<?>>map(SourcingHandler::eventType).toList();
    }

    @Override
    public String toString() {
        return "@Aggregate " + type.getName();
    }
}
