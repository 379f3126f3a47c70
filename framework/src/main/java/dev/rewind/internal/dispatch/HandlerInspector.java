package dev.rewind.internal.dispatch;

import dev.rewind.StoredEvent;
import dev.rewind.annotation.Event;
import dev.rewind.internal.Annotations;
import java.lang.annotation.Annotation;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inspects a class once for methods carrying a handler annotation (directly or as a meta-annotation),
 * validates them against the registered event types and the parameter resolvers, and binds each to
 * an {@link Invoker}: a class generated for a handler that takes only the event, or a
 * {@link MethodHandle} of type {@code (Object target, StoredEvent event)void} whose further arguments
 * are extracted by handles composed here. Either way there is no reflection and no argument array.
 *
 * <p>A handler whose first parameter is a supertype (for example a sealed interface) handles every
 * registered event class assignable to it; where several handlers match one class the most specific
 * parameter type wins.
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
        this.resolvers = resolvers;
    }

    /**
     * Inspects {@code type} (once; later calls return the cached result).
     *
     * @param type the class to inspect
     * @param annotation the handler annotation, for example {@code EventHandler.class}
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

    /** Declared methods of the class and its superclasses (an override hides the overridden), in a stable order. */
    private static List<Method> handlerMethods(Class<?> type, Class<? extends Annotation> annotation) {
        List<Method> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Method m : Annotations.declaredMethods(type)) {
            String signature = m.getName() + Arrays.toString(m.getParameterTypes());
            if (seen.add(signature) && Annotations.isAnnotated(m, annotation)) {
                out.add(m);
            }
        }
        return out;
    }

    private Class<?> validate(Method m, String at) {
        String method = m.toGenericString();
        if (Modifier.isStatic(m.getModifiers())) {
            throw new IllegalStateException(at + " method '" + method
                    + "' is static: make it an instance method");
        }
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
            m.setAccessible(true);
            mh = MethodHandles.lookup().unreflect(m);
        } catch (IllegalAccessException | RuntimeException e) {
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
}
