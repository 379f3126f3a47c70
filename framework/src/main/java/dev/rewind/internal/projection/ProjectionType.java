package dev.rewind.internal.projection;

import dev.rewind.annotation.CreateTables;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.EventProcessor;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.annotation.Replaying;
import dev.rewind.internal.Members;
import dev.rewind.internal.command.StateVersion;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.HandlerInspector;
import dev.rewind.internal.dispatch.Handlers;
import dev.rewind.internal.dispatch.Invoker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeSet;
import dev.rewind.spi.InstanceFactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A validated {@link Projection} (or {@link EventProcessor}) class: its name, how to create a fresh
 * instance, how to read its state, its dispatch table (invoker by event index, null where it has no
 * handler), and the version its snapshots carry. Built once at start-up.
 *
 * @param name the projection name
 * @param javaClass the class
 * @param constructor {@code ()Object}, null for a processor
 * @param queryState {@code (Object)Object}, null for a processor
 * @param table invokers of type {@code (Object, StoredEvent)void} by event index
 * @param version {@code v<declared>;shape=<hash of the fields>;handlers=<hash of the handler signatures>}
 * @param usesReplaying whether a handler takes an {@code @Replaying boolean}
 * @param usesConnection whether a handler takes a {@code java.sql.Connection}: the projection keeps its view
 *     in tables, written in the transaction of its checkpoint (docs/adr/0016-table-projections.md)
 * @param createTables its {@link CreateTables} method as {@code (Object, Connection)void}, or null when it
 *     declares none (then Rewind neither creates its tables nor rebuilds them)
 */
public record ProjectionType(String name, Class<?> javaClass, MethodHandle constructor, MethodHandle queryState,
                             Invoker[] table, String version, boolean usesReplaying, boolean usesConnection,
                             MethodHandle createTables) {

    /**
     * Validates a projection class and builds its type.
     *
     * @param cls a class annotated {@link Projection}
     * @param inspector the handler inspector
     * @param index the event index
     * @return the type
     * @throws IllegalStateException naming the annotation, the member and the fix
     */
    public static ProjectionType of(Class<?> cls, HandlerInspector inspector, EventIndex index) {
        return of(cls, inspector, index, null);
    }

    /**
     * Validates a projection class and builds its type, its instances made by a factory.
     *
     * @param cls a class annotated {@link Projection}
     * @param inspector the handler inspector
     * @param index the event index
     * @param factory the application's instance factory, or null (or the default) for the class's own
     *     no-argument constructor, checked here
     * @return the type
     * @throws IllegalStateException naming the annotation, the member and the fix
     */
    public static ProjectionType of(Class<?> cls, HandlerInspector inspector, EventIndex index, InstanceFactory factory) {
        Projection p = cls.getAnnotation(Projection.class);
        if (p == null) {
            throw new IllegalStateException("@Projection is missing on " + cls.getName()
                    + ": annotate the class with @Projection(\"name\")");
        }
        if (p.value().isBlank()) {
            throw new IllegalStateException("@Projection on " + cls.getName() + " has a blank name: give it a unique name");
        }
        MethodHandle constructor = factory == null || factory instanceof InstanceFactory.NoArgConstructor
                ? constructor(cls) : byFactory(cls, factory);
        MethodHandle query = queryState(cls);
        Handlers handlers = inspector.inspect(cls, EventHandler.class);
        return new ProjectionType(p.value(), cls, constructor, query, handlers.table(index),
                "v" + p.version() + ";shape=" + StateVersion.shape(cls) + ";handlers=" + signatures(handlers),
                usesReplaying(handlers), usesConnection(handlers), createTables(cls, usesConnection(handlers)));
    }

    /**
     * Validates an event processor's class and builds its type (no constructor: processors are registered
     * as instances).
     *
     * @param cls a class annotated {@link EventProcessor}
     * @param inspector the handler inspector
     * @param index the event index
     * @return the type
     * @throws IllegalStateException naming the annotation, the member and the fix
     */
    public static ProjectionType processor(Class<?> cls, HandlerInspector inspector, EventIndex index) {
        EventProcessor p = cls.getAnnotation(EventProcessor.class);
        if (p == null) {
            throw new IllegalStateException("@EventProcessor is missing on " + cls.getName()
                    + ": annotate the class with @EventProcessor(\"name\")");
        }
        if (p.value().isBlank()) {
            throw new IllegalStateException("@EventProcessor on " + cls.getName() + " has a blank name: give it a unique name");
        }
        Handlers handlers = inspector.inspect(cls, EventHandler.class);
        if (handlers.methods().isEmpty()) {
            throw new IllegalStateException("@EventProcessor class " + cls.getName()
                    + " has no @EventHandler method: add one per event it reacts to");
        }
        return new ProjectionType(p.value(), cls, null, null, handlers.table(index), "processor", usesReplaying(handlers),
                usesConnection(handlers), createTables(cls, usesConnection(handlers)));
    }

    /** @return the declared return type of the {@code @QueryState} method (Object for a processor) */
    public Class<?> stateType() {
        return isProcessor() ? Object.class : queryStateMethod(javaClass).getReturnType();
    }

    /** @return whether this is an event processor's type */
    public boolean isProcessor() {
        return constructor == null;
    }

    private static boolean usesReplaying(Handlers handlers) {
        for (java.lang.reflect.Method m : handlers.methods()) {
            for (java.lang.reflect.Parameter param : m.getParameters()) {
                if (param.isAnnotationPresent(Replaying.class)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean usesConnection(Handlers handlers) {
        for (java.lang.reflect.Method m : handlers.methods()) {
            for (Class<?> type : m.getParameterTypes()) {
                if (type == java.sql.Connection.class) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return the first handler that takes a {@code java.sql.Connection}, for messages (null when none) */
    public String connectionHandler() {
        for (Class<?> c = javaClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (Arrays.asList(m.getParameterTypes()).contains(java.sql.Connection.class)
                        && !m.isAnnotationPresent(CreateTables.class)) {
                    return m.toGenericString();
                }
            }
        }
        return null;
    }

    /** @return whether it declares its tables' DDL ({@link CreateTables}) */
    public boolean declaresTables() {
        return createTables != null;
    }

    /**
     * Runs its {@link CreateTables} method.
     *
     * @param instance the instance to call it on (ignored when the method is static)
     * @param connection where to create the tables
     * @throws Exception what the method threw
     */
    public void createTables(Object instance, java.sql.Connection connection) throws Exception {
        try {
            createTables.invokeExact(instance, connection);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Finds and checks the {@link CreateTables} method: at most one, taking only a {@code java.sql.Connection},
     * returning nothing, on a class whose handlers take a Connection.
     */
    private static MethodHandle createTables(Class<?> cls, boolean usesConnection) {
        List<Method> found = new ArrayList<>();
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
            Method[] declared = c.getDeclaredMethods();
            Arrays.sort(declared, Comparator.comparing(Method::toGenericString));
            for (Method m : declared) {
                if (m.isAnnotationPresent(CreateTables.class) && !m.isBridge()) {
                    found.add(m);
                }
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() > 1) {
            throw new IllegalStateException("class " + cls.getName() + " has " + found.size() + " @CreateTables methods ('"
                    + found.get(0).toGenericString() + "' and '" + found.get(1).toGenericString() + "'): keep exactly one");
        }
        Method m = found.get(0);
        if (!usesConnection) {
            throw new IllegalStateException("@CreateTables method '" + m.toGenericString() + "' is on a class whose handlers"
                    + " take no java.sql.Connection: only a table projection has tables for Rewind to create; add a"
                    + " Connection parameter to its handlers, or remove @CreateTables");
        }
        if (m.getParameterCount() != 1 || m.getParameterTypes()[0] != java.sql.Connection.class
                || m.getReturnType() != void.class) {
            throw new IllegalStateException("@CreateTables method '" + m.toGenericString() + "' must take exactly one"
                    + " java.sql.Connection and return void");
        }
        try {
            MethodHandle h = Members.method(m);
            MethodType type = MethodType.methodType(void.class, Object.class, java.sql.Connection.class);
            return Modifier.isStatic(m.getModifiers())
                    ? MethodHandles.dropArguments(h, 0, Object.class).asType(type) : h.asType(type);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("@CreateTables method '" + m.toGenericString() + "' is not accessible to Rewind ("
                    + e.getMessage() + "): make it public", e);
        }
    }

    /** A hash of the handlers' signatures: a handler added, removed or retyped changes what the state means. */
    private static String signatures(Handlers handlers) {
        TreeSet<String> lines = new TreeSet<>();
        handlers.methods().forEach(m -> lines.add(m.toGenericString()));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * @param other another version tag
     * @return whether a state written under {@code other} has this version's fields (only its meaning may differ)
     */
    public boolean sameShape(String other) {
        return shapeOf(version).equals(shapeOf(other));
    }

    private static String shapeOf(String version) {
        for (String part : version.split(";")) {
            if (part.startsWith("shape=")) {
                return part;
            }
        }
        return version;
    }

    /** @return a fresh instance */
    public Object newInstance() {
        try {
            return constructor.invokeExact();
        } catch (VirtualMachineError | FactoryFailure e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot create projection '" + name + "': the constructor of "
                    + javaClass.getName() + " threw " + t, t);
        }
    }

    /**
     * @param instance an instance
     * @return its state
     */
    public Object state(Object instance) {
        try {
            return queryState.invokeExact(instance);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("@QueryState of projection '" + name + "' failed: " + t, t);
        }
    }

    /** What an application's factory did wrong, already worded: {@link #newInstance} passes it on as it is. */
    private static final class FactoryFailure extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        FactoryFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A handle of type {@code ()Object} that asks the factory, so that {@link #newInstance} calls it as it
     * calls a constructor. Only what any factory needs is checked here (a concrete, static class): the
     * constructor is the factory's business.
     */
    private static MethodHandle byFactory(Class<?> cls, InstanceFactory factory) {
        String fix = ": make it a concrete, static (top-level or nested static) class";
        if (cls.isInterface() || Modifier.isAbstract(cls.getModifiers())) {
            throw new IllegalStateException("@Projection class " + cls.getName() + " is abstract" + fix);
        }
        if (cls.isMemberClass() && !Modifier.isStatic(cls.getModifiers()) || cls.isLocalClass() || cls.isAnonymousClass()) {
            throw new IllegalStateException("@Projection class " + cls.getName()
                    + " is an inner class, which needs an enclosing instance" + fix);
        }
        try {
            MethodHandle create = MethodHandles.lookup().findStatic(ProjectionType.class, "create",
                    MethodType.methodType(Object.class, InstanceFactory.class, Class.class));
            return MethodHandles.insertArguments(create, 0, factory, cls);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ProjectionType.create is missing", e);
        }
    }

    /** Called through {@link #byFactory}'s handle, at each fresh instance. */
    private static Object create(InstanceFactory factory, Class<?> cls) {
        String name = cls.getAnnotation(Projection.class).value();
        Object instance;
        try {
            instance = factory.create(cls);
        } catch (RuntimeException e) {
            throw new FactoryFailure("cannot create projection '" + name + "': the instance factory (" + factory
                    + ") failed to create " + cls.getName() + ": " + e, e);
        }
        if (!cls.isInstance(instance)) {
            throw new FactoryFailure("cannot create projection '" + name + "': the instance factory (" + factory
                    + ") returned " + (instance == null ? "null" : "an instance of " + instance.getClass().getName())
                    + " for " + cls.getName() + ": it must return a new instance of that class", null);
        }
        return instance;
    }

    private static MethodHandle constructor(Class<?> cls) {
        String fix = ": make it a concrete, static (top-level or nested static) class with a public or package-private no-argument constructor";
        if (cls.isInterface() || Modifier.isAbstract(cls.getModifiers())) {
            throw new IllegalStateException("@Projection class " + cls.getName() + " is abstract" + fix);
        }
        if (cls.isMemberClass() && !Modifier.isStatic(cls.getModifiers()) || cls.isLocalClass() || cls.isAnonymousClass()) {
            throw new IllegalStateException("@Projection class " + cls.getName()
                    + " is an inner class, which needs an enclosing instance" + fix);
        }
        Constructor<?> c = Members.noArgConstructor(cls);
        if (c == null) {
            throw new IllegalStateException("@Projection class " + cls.getName() + " has no no-argument constructor" + fix);
        }
        if (Modifier.isPrivate(c.getModifiers())) {
            throw new IllegalStateException("@Projection class " + cls.getName() + " has only a private no-argument constructor '"
                    + c.toGenericString() + "'" + fix);
        }
        try {
            return Members.constructor(c);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("@Projection class " + cls.getName() + " cannot be instantiated by Rewind ("
                    + e.getMessage() + ")" + fix, e);
        }
    }

    private static MethodHandle queryState(Class<?> cls) {
        Method m = queryStateMethod(cls);
        try {
            return Members.method(m).asType(MethodType.methodType(Object.class, Object.class));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("@QueryState method '" + m.toGenericString() + "' is not accessible to Rewind ("
                    + e.getMessage() + "): make it public", e);
        }
    }

    private static Method queryStateMethod(Class<?> cls) {
        List<Method> found = new ArrayList<>();
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
            Method[] declared = c.getDeclaredMethods();
            Arrays.sort(declared, Comparator.comparing(Method::toGenericString));
            for (Method m : declared) {
                if (m.isAnnotationPresent(QueryState.class) && !m.isBridge()) {
                    found.add(m);
                }
            }
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("@Projection class " + cls.getName()
                    + " has no @QueryState method: add one no-argument method annotated @QueryState that returns the state");
        }
        if (found.size() > 1) {
            throw new IllegalStateException("@Projection class " + cls.getName() + " has " + found.size()
                    + " @QueryState methods ('" + found.get(0).toGenericString() + "' and '" + found.get(1).toGenericString()
                    + "'): keep exactly one");
        }
        Method m = found.get(0);
        if (m.getParameterCount() != 0 || m.getReturnType() == void.class || Modifier.isStatic(m.getModifiers())) {
            throw new IllegalStateException("@QueryState method '" + m.toGenericString()
                    + "' must be an instance method with no parameter that returns the state");
        }
        return m;
    }
}
