package dev.rewind.internal.command;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tag that ties a snapshot to the shape of the class that wrote it: class name, the declared
 * snapshot version, and a hash of the fields (name and generic type) of the aggregate and of the
 * application classes its fields hold (records, nested state classes), JDK types excepted. A field added,
 * removed, renamed or retyped anywhere in the state changes the tag, so an old snapshot is ignored
 * rather than mis-read.
 */
public final class StateVersion {
    private StateVersion() {
    }

    /**
     * @param aggregate a state class
     * @param declaredVersion its declared version
     * @return the tag: class name, declared version, shape hash
     */
    public static String of(Class<?> aggregate, int declaredVersion) {
        return aggregate.getName() + "#v" + declaredVersion + "#" + shape(aggregate);
    }

    /**
     * @param aggregate a state class
     * @return a hash of the names and generic types of its fields and of the application classes they hold
     */
    public static String shape(Class<?> aggregate) {
        Set<String> lines = new TreeSet<>();
        Set<Class<?>> seen = new HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>();
        todo.add(aggregate);
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (!seen.add(c) || isJdk(c) || c.isPrimitive() || c.isEnum() && describeEnum(c, lines)) {
                continue;
            }
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    lines.add(c.getName() + "(" + rc.getName() + ":" + rc.getGenericType().getTypeName() + ")");
                    collect(rc.getGenericType(), todo);
                }
                continue;
            }
            for (Class<?> k = c; k != null && !isJdk(k); k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    int mod = f.getModifiers();
                    if (!Modifier.isStatic(mod) && !Modifier.isTransient(mod) && !f.isSynthetic()) {
                        lines.add(k.getName() + "." + f.getName() + ":" + f.getGenericType().getTypeName());
                        collect(f.getGenericType(), todo);
                    }
                }
            }
        }
        return sha256(String.join("\n", lines));
    }

    private static boolean describeEnum(Class<?> c, Set<String> lines) {
        StringBuilder constants = new StringBuilder();
        for (Object constant : c.getEnumConstants()) {
            constants.append(constant).append(',');
        }
        lines.add(c.getName() + "{" + constants + "}");
        return true;
    }

    private static void collect(Type t, Deque<Class<?>> todo) {
        if (t instanceof Class<?> c) {
            todo.add(c.isArray() ? c.getComponentType() : c);
        } else if (t instanceof ParameterizedType p) {
            collect(p.getRawType(), todo);
            for (Type a : p.getActualTypeArguments()) {
                collect(a, todo);
            }
        } else if (t instanceof GenericArrayType g) {
            collect(g.getGenericComponentType(), todo);
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                collect(b, todo);
            }
        }
    }

    private static boolean isJdk(Class<?> c) {
        String n = c.getName();
        return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.");
    }

    private static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
