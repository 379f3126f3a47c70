package dev.rewind.internal.dispatch;

import dev.rewind.StoredEvent;
import dev.rewind.annotation.Aggregate;
import dev.rewind.annotation.CommandHandler;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.TargetAggregateId;
import dev.rewind.internal.Members;
import java.lang.annotation.Annotation;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where handler methods are found and validated, at start-up: {@code @EventHandler}
 * (projections), {@code @EventSourcingHandler} (aggregates) and {@code @CommandHandler} (aggregates and
 * services). The annotation counts directly or as a meta-annotation at any depth; a method overridden in
 * a subclass counts once; a bad method stops start-up with an {@link IllegalStateException} naming the
 * annotation, the method ({@link Method#toGenericString()}) and the fix.
 *
 * <p>Event handlers ({@link #inspect}) are bound to an {@link Invoker}: a class generated for a handler
 * that takes only the event, or a {@link MethodHandle} of type {@code (Object target, StoredEvent event)void}
 * whose further arguments the {@link ParameterResolvers} give, through handles composed here. Either way
 * there is no reflection and no argument array per event. A handler whose first parameter is a
 * supertype (for example a sealed interface) handles every registered event class assignable to it;
 * where several handlers match one class the most specific parameter type wins.
 *
 * <p>Command handlers ({@link #commandHandlers}) are validated here and bound by the command side.
 */
public final class HandlerInspector {
    private static final Logger LOG = LoggerFactory.getLogger(HandlerInspector.class);
    private static final MethodHandle PAYLOAD;
    private static final MethodHandle APPLY;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PAYLOAD = lookup.findVirtual(StoredEvent.class, "payload", MethodType.methodType(Object.class));
            APPLY = lookup.findVirtual(Function.class, "apply", MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final List<Class<?>> eventClasses;
    private final Set<Class<?>> registered;
    private final ParameterResolvers resolvers;
    private final Map<Key, Handlers> cache = new HashMap<>();

    private record Key(Class<?> type, Class<? extends Annotation> annotation) {
    }

    /**
     * @param eventClasses the registered event classes
     * @param resolvers the parameter resolvers
     */
    public HandlerInspector(List<Class<?>> eventClasses, ParameterResolvers resolvers) {
        this.eventClasses = List.copyOf(eventClasses);
        this.registered = Set.copyOf(eventClasses);
        this.resolvers = resolvers;
    }

    /**
     * Inspects the event handlers of {@code type} (once; later calls return the cached result).
     *
     * @param type the class to inspect
     * @param annotation the event handler annotation: {@code EventHandler.class} for a projection,
     *     {@code EventSourcingHandler.class} for an aggregate
     * @return its handlers
     * @throws IllegalStateException naming the annotation, the method and the fix for a bad handler
     */
    public synchronized Handlers inspect(Class<?> type, Class<? extends Annotation> annotation) {
        Key key = new Key(type, annotation);
        Handlers found = cache.get(key);
        if (found == null) {
            found = doInspect(type, annotation);
            cache.put(key, found);
        }
        return found;
    }

    private Handlers doInspect(Class<?> type, Class<? extends Annotation> annotation) {
        String at = "@" + annotation.getSimpleName();
        List<Method> methods = handlerMethods(type, annotation);
        Map<Class<?>, Method> byParameter = new LinkedHashMap<>();
        Map<Method, Invoker> invokers = new HashMap<>();
        for (Method m : methods) {
            Class<?> eventParam = validate(m, at);
            Method other = byParameter.putIfAbsent(eventParam, m);
            if (other != null) {
                throw new IllegalStateException(at + " methods '" + other.toGenericString() + "' and '"
                        + m.toGenericString() + "' both handle " + eventParam.getName()
                        + ": keep one " + at + " method per event type in " + type.getName());
            }
            invokers.put(m, bind(m, at));
        }
        Map<Class<?>, Invoker> byEventClass = new HashMap<>();
        for (Class<?> eventClass : eventClasses) {
            Method best = mostSpecific(eventClass, byParameter, at);
            if (best != null) {
                byEventClass.put(eventClass, invokers.get(best));
            }
        }
        return new Handlers(type, List.copyOf(methods), Map.copyOf(byEventClass));
    }

    /** The annotated methods of the class and its superclasses, each an instance method. */
    private static List<Method> handlerMethods(Class<?> type, Class<? extends Annotation> annotation) {
        List<Method> methods = Annotations.annotatedMethods(type, annotation);
        for (Method m : methods) {
            if (Modifier.isStatic(m.getModifiers())) {
                throw new IllegalStateException("@" + annotation.getSimpleName() + " method '" + m.toGenericString()
                        + "' is static: make it an instance method");
            }
        }
        return methods;
    }

    private Class<?> validate(Method m, String at) {
        String method = m.toGenericString();
        if (m.getParameterCount() == 0) {
            throw new IllegalStateException(at + " method '" + method
                    + "' has no parameter: declare the event as its first parameter (an @Event record, or a supertype of several)");
        }
        Class<?> first = m.getParameterTypes()[0];
        if (eventClasses.stream().noneMatch(first::isAssignableFrom)) {
            String why = first.isAnnotationPresent(Event.class)
                    ? "is an @Event record that is not registered: scan its package or register it"
                    : "is not a registered event type: make the first parameter an @Event record (or a supertype of registered @Event records)";
            throw new IllegalStateException(at + " method '" + method + "': its first parameter type "
                    + first.getName() + " " + why);
        }
        Parameter[] params = m.getParameters();
        for (int i = 1; i < params.length; i++) {
            if (resolvers.resolve(params[i]) == null) {
                throw new IllegalStateException("Unable to resolve parameter " + i + " ("
                        + params[i].getType().getSimpleName() + ") in " + at + " method '" + method
                        + "': declare it as StoredEvent, Metadata, Instant or @StreamId String, or register a ParameterResolver for it");
            }
        }
        return first;
    }

    private static Method mostSpecific(Class<?> eventClass, Map<Class<?>, Method> byParameter, String at) {
        Method best = null;
        for (Map.Entry<Class<?>, Method> e : byParameter.entrySet()) {
            if (!e.getKey().isAssignableFrom(eventClass)) {
                continue;
            }
            if (best == null || best.getParameterTypes()[0].isAssignableFrom(e.getKey())) {
                best = e.getValue();
            } else if (!e.getKey().isAssignableFrom(best.getParameterTypes()[0])) {
                throw new IllegalStateException(at + " methods '" + best.toGenericString() + "' and '"
                        + e.getValue().toGenericString() + "' both match " + eventClass.getName()
                        + " and neither parameter type is more specific: add one " + at + " method for "
                        + eventClass.getSimpleName());
            }
        }
        return best;
    }

    private Invoker bind(Method m, String at) {
        MethodHandle mh;
        try {
            mh = Members.method(m);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(at + " method '" + m.toGenericString()
                    + "' is not accessible to Rewind (" + e.getMessage() + "): make it public or open its package", e);
        }
        if (m.getParameterCount() == 1) {
            Invoker.PayloadHandler generated = generated(m);
            if (generated != null) {
                return Invoker.of(generated);
            }
        }
        return Invoker.of(composed(m, mh));
    }

    /**
     * A class generated for a one-parameter handler, or null where the JVM does not let Rewind define
     * one next to the handler's class (a named module that does not open its package): then the
     * composed handle serves.
     */
    private static Invoker.PayloadHandler generated(Method m) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(m.getDeclaringClass(), MethodHandles.lookup());
            MethodHandle target = lookup.unreflect(m);
            MethodType erased = MethodType.methodType(void.class, Object.class, Object.class);
            CallSite site = LambdaMetafactory.metafactory(lookup, "handle",
                    MethodType.methodType(Invoker.PayloadHandler.class), erased, target,
                    MethodType.methodType(void.class, m.getDeclaringClass(), m.getParameterTypes()[0]));
            return (Invoker.PayloadHandler) site.getTarget().invoke();
        } catch (Throwable e) {
            LOG.debug("handler {} is called through a method handle: {}", m, e.toString());
            return null;
        }
    }

    private MethodHandle composed(Method m, MethodHandle mh) {
        Class<?>[] types = m.getParameterTypes();
        MethodType erased = MethodType.methodType(void.class, Object.class).appendParameterTypes(types);
        mh = mh.asType(erased);
        MethodHandle[] filters = new MethodHandle[types.length];
        filters[0] = PAYLOAD.asType(MethodType.methodType(types[0], StoredEvent.class));
        Parameter[] params = m.getParameters();
        for (int i = 1; i < types.length; i++) {
            Function<StoredEvent<?>, Object> f = resolvers.resolve(params[i]);
            filters[i] = APPLY.bindTo(f).asType(MethodType.methodType(types[i], StoredEvent.class));
        }
        mh = MethodHandles.filterArguments(mh, 1, filters);
        int[] reorder = new int[types.length + 1];
        Arrays.fill(reorder, 1);
        reorder[0] = 0;
        return MethodHandles.permuteArguments(mh,
                MethodType.methodType(void.class, Object.class, StoredEvent.class), reorder);
    }

    /**
     * A validated {@code @CommandHandler} method.
     *
     * @param method the method
     * @param commandType its first parameter: a record
     * @param target the command's one {@link TargetAggregateId} component
     * @param aggregateType the aggregate it decides on: the declaring class, or a service method's second parameter
     */
    public record CommandMethod(Method method, Class<?> commandType, RecordComponent target, Class<?> aggregateType) {
    }

    /**
     * Finds and validates the {@code @CommandHandler} methods of an aggregate ({@code handle(Command)}) or
     * of a service ({@code handle(Command, Aggregate)}).
     *
     * @param type the aggregate class, or the service's class
     * @param onService whether {@code type} is a service
     * @return its command handlers; a service has at least one
     * @throws IllegalStateException naming the method and the fix for a bad handler
     */
    public List<CommandMethod> commandHandlers(Class<?> type, boolean onService) {
        List<Method> methods = handlerMethods(type, CommandHandler.class);
        if (onService && methods.isEmpty()) {
            throw new IllegalStateException("service " + type.getName() + " has no @CommandHandler method");
        }
        List<CommandMethod> out = new ArrayList<>(methods.size());
        for (Method m : methods) {
            Class<?> aggregate = type;
            if (!onService && m.getParameterCount() != 1) {
                throw new IllegalStateException("@CommandHandler method " + m.toGenericString() + " on @Aggregate "
                        + type.getName() + " must take the command as its only parameter");
            }
            if (onService) {
                if (m.getParameterCount() != 2) {
                    throw new IllegalStateException("@CommandHandler method " + m.toGenericString() + " on service "
                            + type.getName() + " must take two parameters: the command, then the @Aggregate it decides on");
                }
                aggregate = m.getParameterTypes()[1];
                if (!aggregate.isAnnotationPresent(Aggregate.class)) {
                    throw new IllegalStateException("@CommandHandler method " + m.toGenericString()
                            + ": its second parameter " + aggregate.getName()
                            + " is not annotated @Aggregate (the gateway loads that aggregate and passes it)");
                }
            }
            Class<?> command = m.getParameterTypes()[0];
            RecordComponent target = targetOf(command, m);
            checkReturnType(m);
            out.add(new CommandMethod(m, command, target, aggregate));
        }
        return out;
    }

    private static RecordComponent targetOf(Class<?> command, Method method) {
        if (!command.isRecord()) {
            throw new IllegalStateException("@CommandHandler method " + method.toGenericString() + " takes "
                    + command.getName() + ", which is not a record: declare commands as records with one"
                    + " @TargetAggregateId component");
        }
        List<RecordComponent> marked = new ArrayList<>();
        for (RecordComponent rc : command.getRecordComponents()) {
            if (rc.isAnnotationPresent(TargetAggregateId.class)) {
                marked.add(rc);
            }
        }
        if (marked.size() != 1) {
            throw new IllegalStateException(marked.isEmpty()
                    ? "command " + command.getName() + " has no @TargetAggregateId component: annotate the one"
                    + " that names the aggregate, e.g. record " + command.getSimpleName() + "(@TargetAggregateId String id, ...)"
                    : "command " + command.getName() + " has " + marked.size() + " @TargetAggregateId components ("
                    + String.join(", ", marked.stream().map(RecordComponent::getName).toList())
                    + "): exactly one names the aggregate");
        }
        return marked.get(0);
    }

    /**
     * A declared return type that is a record, or a collection of one, must be a registered event type:
     * otherwise the first command would fail at its append, far from the mistake. Other declared types
     * ({@code Object}, an interface) are checked when the events are appended.
     */
    private void checkReturnType(Method m) {
        Class<?> returned = recordReturned(m.getGenericReturnType());
        if (returned == null) {
            return;
        }
        if (!returned.isAnnotationPresent(Event.class)) {
            throw new IllegalStateException("@CommandHandler method '" + m.toGenericString() + "' returns "
                    + returned.getName() + ", a record that is not annotated @Event: annotate the record with"
                    + " @Event(name = \"...\") giving the name its events are stored under (never rely on the class"
                    + " name), and register or scan it");
        }
        if (!registered.contains(returned)) {
            throw new IllegalStateException("@CommandHandler method '" + m.toGenericString() + "' returns "
                    + returned.getName() + ", an @Event record that is not registered: scan its package or register it");
        }
    }

    /** @return the record class a declared return type names, itself or as a collection's element type, else null */
    private static Class<?> recordReturned(Type type) {
        if (type instanceof Class<?> c) {
            return c.isRecord() ? c : null;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw
                && Collection.class.isAssignableFrom(raw) && p.getActualTypeArguments().length == 1) {
            Type element = p.getActualTypeArguments()[0];
            if (element instanceof WildcardType w && w.getUpperBounds().length == 1) {
                element = w.getUpperBounds()[0];
            }
            return element instanceof Class<?> c && c.isRecord() ? c : null;
        }
        return null;
    }
}
