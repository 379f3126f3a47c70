package dev.rewind.internal.projection;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * How a projection's state becomes a snapshot and back: the JSON of its fields (any visibility, never
 * through getters), written by Jackson, and read back into a <em>fresh instance</em> made by the
 * projection's own constructor. Reading fills the containers that constructor made (a {@code TreeMap}
 * stays a {@code TreeMap}, a {@code final} field keeps its collection) and fills nested application
 * objects in place; everything else (records, JDK values, the elements of collections) is bound by
 * Jackson. No class name is ever read from the data.
 *
 * <p>Whether a class can be snapshotted is decided at start-up ({@link #inspect}): each field's type
 * must be one Jackson can read back without being told the concrete class, and an empty instance must
 * survive the round trip. The first snapshot of a run is checked the same way on real data
 * ({@link #roundTrips}).
 *
 * <p>A projection with eligible maps (a field declared {@code Map<String|UUID|Long|Integer, V>} holding a
 * {@code HashMap}) is written in the keyed format of {@link KeyedSnapshot}: each such map in a section a past
 * state reads by key ({@link #readPast}, docs/adr/0017-keyed-past-states.md). Plain JSON snapshots, written
 * before it or for projections without such maps, are read as before.
 */
final class SnapshotCodec {
    private static final ObjectMapper MAPPER = mapper().build();
    /** Writes the keyed format: as {@link #MAPPER}, with eligible maps lifted out (docs/adr/0017-keyed-past-states.md). */
    private static final ObjectMapper KEYED = mapper().addModule(KeyedSnapshot.module()).build();

    private static JsonMapper.Builder mapper() {
        return JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    private static final Set<Class<?>> VALUES = Set.of(String.class, Boolean.class, Character.class, Byte.class,
            Short.class, Integer.class, Long.class, Float.class, Double.class, java.math.BigDecimal.class,
            java.math.BigInteger.class, java.util.UUID.class, java.util.concurrent.atomic.AtomicBoolean.class,
            java.util.concurrent.atomic.AtomicInteger.class, java.util.concurrent.atomic.AtomicLong.class);

    /** The fields of a class that go into its JSON, by name, per class. */
    private static final Map<Class<?>, Map<String, Field>> FIELDS = new ConcurrentHashMap<>();

    private final Class<?> type;
    /**
     * Where the eligible maps are (field names joined by '.', through the objects filled in place): written in
     * the keyed format. Empty: the snapshot is plain JSON.
     */
    private final Set<String> keyedPaths;

    private SnapshotCodec(Class<?> type, Set<String> keyedPaths) {
        this.type = type;
        this.keyedPaths = Set.copyOf(keyedPaths);
    }

    /**
     * What {@link #inspect} decided.
     *
     * @param codec the codec, or null when the class cannot be snapshotted
     * @param why why not (names the field and its type), or null
     */
    record Inspection(SnapshotCodec codec, String why) {
    }

    /**
     * @param type a projection class
     * @param factory makes fresh instances
     * @return a codec, or why the class cannot be snapshotted
     */
    static Inspection inspect(Class<?> type, Supplier<Object> factory) {
        String why = unreadable(type);
        if (why != null) {
            return new Inspection(null, why);
        }
        SnapshotCodec codec;
        try {
            codec = new SnapshotCodec(type, keyedPaths(factory.get()));
            String mismatch = codec.roundTrips(codec.write(factory.get()), factory);
            if (mismatch != null) {
                return new Inspection(null, mismatch);
            }
        } catch (RuntimeException e) {
            return new Inspection(null, "its empty state does not survive JSON and back: " + e.getMessage());
        }
        return new Inspection(codec, null);
    }

    /** @return the paths of the eligible maps of a fresh instance: its own fields and those of the objects filled in place */
    private static Set<String> keyedPaths(Object fresh) {
        Set<String> out = new HashSet<>();
        collectKeyedPaths(fresh, "", out, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        return out;
    }

    private static void collectKeyedPaths(Object o, String prefix, Set<String> out, Set<Object> seen) {
        if (!seen.add(o)) {
            return;
        }
        for (Field f : fieldsOf(o.getClass()).values()) {
            if (KeyedSnapshot.KeyKind.of(f) != null) {
                out.add(prefix + f.getName());
                continue;
            }
            Object v;
            try {
                v = f.get(o);
            } catch (IllegalAccessException e) {
                continue;
            }
            if (v != null && walkable(v.getClass())) {
                collectKeyedPaths(v, prefix + f.getName() + ".", out, seen);
            }
        }
    }

    /**
     * @param instance an instance of the class
     * @return its fields as JSON, or in the keyed format when it has eligible maps holding a {@code HashMap}
     * @throws IllegalStateException naming the class when Jackson cannot write it
     */
    byte[] write(Object instance) {
        try {
            if (keyedPaths.isEmpty()) {
                return MAPPER.writeValueAsBytes(instance);
            }
            KeyedSnapshot.Writing writing = new KeyedSnapshot.Writing(keyedPaths, KEYED.getFactory());
            KeyedSnapshot.Output rest = new KeyedSnapshot.Output(256);
            try (JsonGenerator g = KEYED.getFactory().createGenerator(rest)) {
                writing.main(g);
                KEYED.writer().withAttribute(KeyedSnapshot.attribute(), writing).writeValue(g, instance);
            }
            return writing.finish(rest);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot write the state of " + type.getName() + " as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Fills a fresh instance with a snapshot, every map decoded (the live instance: its handlers must not pay
     * for laziness).
     *
     * @param snapshot what {@link #write} produced (or plain JSON, as written before the keyed format)
     * @param fresh an instance just made by the class's constructor
     * @throws IOException when the snapshot does not fit the class, or is damaged
     */
    void read(byte[] snapshot, Object fresh) throws IOException {
        read(snapshot, fresh, false, "the snapshot of " + type.getName());
    }

    /**
     * Fills a fresh instance with a past state for a temporal query: the maps of a keyed snapshot become
     * {@link PastMap}s that decode an entry when it is asked for; the rest is read as by {@link #read}.
     *
     * @param snapshot what {@link #write} produced (or plain JSON)
     * @param fresh an instance just made by the class's constructor
     * @param where names the past state in errors (the projection and the position)
     * @throws IOException when the snapshot does not fit the class, or its layout is damaged
     */
    void readPast(byte[] snapshot, Object fresh, String where) throws IOException {
        read(snapshot, fresh, true, where);
    }

    private void read(byte[] snapshot, Object fresh, boolean past, String where) throws IOException {
        Restore restore = null;
        JsonParser p;
        if (KeyedSnapshot.isKeyed(snapshot)) {
            KeyedSnapshot.Parsed parsed = KeyedSnapshot.parse(snapshot, where);
            restore = new Restore(parsed, past);
            p = MAPPER.createParser(snapshot, parsed.restOffset(), parsed.restLength());
        } else {
            p = MAPPER.createParser(snapshot);
        }
        try (p) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a snapshot of " + type.getName() + " is a JSON object, found " + p.currentToken());
            }
            readInto(p, fresh, restore);
            if (p.nextToken() != null) {
                throw new IOException("unexpected data after the snapshot of " + type.getName());
            }
            if (restore != null) {
                restore.allUsed();
            }
        } catch (IllegalAccessException e) {
            throw new IOException("cannot set a field of " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** The sections of a keyed snapshot being read, and whether for a past state (lazy maps) or the live one. */
    private static final class Restore {
        private final KeyedSnapshot.Parsed parsed;
        private final boolean past;
        private final boolean[] used;

        Restore(KeyedSnapshot.Parsed parsed, boolean past) {
            this.parsed = parsed;
            this.past = past;
            this.used = new boolean[parsed.sections().size()];
        }

        KeyedSnapshot.Section take(int number, String field) throws IOException {
            if (number < 0 || number >= used.length || used[number]) {
                throw new IOException("field '" + field + "' refers to map section " + number + ", which "
                        + (number >= 0 && number < used.length ? "another field took" : "the snapshot does not have ("
                        + used.length + " sections)"));
            }
            used[number] = true;
            return parsed.sections().get(number);
        }

        void allUsed() throws IOException {
            for (int i = 0; i < used.length; i++) {
                if (!used[i]) {
                    throw new IOException("map section " + i + " of the snapshot belongs to no field");
                }
            }
        }
    }

    /**
     * @param json a snapshot just written
     * @param factory makes fresh instances
     * @return null when reading it back into a fresh instance and writing that gives the same JSON, else
     *     what differs
     */
    String roundTrips(byte[] json, Supplier<Object> factory) {
        Object copy = factory.get();
        try {
            read(json, copy);
        } catch (IOException | RuntimeException e) {
            return "its state, written as JSON, cannot be read back: " + e.getMessage();
        }
        byte[] again = write(copy);
        if (Arrays.equals(json, again)) {
            return null;
        }
        String written;
        String readBack;
        try {
            written = canonical(tree(json));
            readBack = canonical(tree(again));
        } catch (IOException e) {
            return "its state read back from JSON is not the state written (" + e.getMessage() + ")";
        }
        if (written.equals(readBack)) {
            return null;
        }
        if (!KeyedSnapshot.isKeyed(json) && !KeyedSnapshot.isKeyed(again)) {
            int at = Arrays.mismatch(json, again);
            return "its state read back from JSON is not the state written (they differ at byte " + at + ": "
                    + excerpt(json, at) + " was written, " + excerpt(again, at) + " read back)";
        }
        byte[] a = written.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] b = readBack.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = Arrays.mismatch(a, b);
        return "its state read back from JSON is not the state written (their JSON, members sorted, differs at byte " + at
                + ": " + excerpt(a, at) + " was written, " + excerpt(b, at) + " read back)";
    }

    /**
     * The snapshot as one JSON tree: a keyed snapshot's sections put back where their numbers stand. Compared
     * with object members and array elements sorted ({@link #canonical}), two snapshots differ only in order:
     * of object members (a HashMap iterates in an order that depends on its history, how far its table grew,
     * so the live instance and a fresh one filled from its JSON may write the same entries in another order)
     * or of array elements (a HashSet does the same). A list keeps its order through JSON, so comparing arrays
     * as multisets only forgives what a set did.
     */
    private JsonNode tree(byte[] snapshot) throws IOException {
        if (!KeyedSnapshot.isKeyed(snapshot)) {
            return MAPPER.readTree(snapshot);
        }
        KeyedSnapshot.Parsed parsed = KeyedSnapshot.parse(snapshot, "the snapshot of " + type.getName());
        JsonNode root = MAPPER.readTree(MAPPER.createParser(snapshot, parsed.restOffset(), parsed.restLength()));
        for (String path : keyedPaths) {
            String[] names = path.split("\\.");
            JsonNode parent = root;
            for (int i = 0; i < names.length - 1 && parent != null; i++) {
                parent = parent.get(names[i]);
            }
            JsonNode number = parent == null ? null : parent.get(names[names.length - 1]);
            if (parent instanceof com.fasterxml.jackson.databind.node.ObjectNode o && number != null && number.isInt()) {
                int s = number.intValue();
                if (s < 0 || s >= parsed.sections().size()) {
                    throw new IOException("field '" + path + "' refers to a map section the snapshot does not have");
                }
                try (JsonParser p = parsed.sections().get(s).parser(MAPPER.getFactory())) {
                    o.set(names[names.length - 1], MAPPER.readTree(p));
                }
            }
        }
        return root;
    }

    /** @return the node as text with members sorted by name and array elements sorted by their own text */
    private static String canonical(JsonNode node) {
        if (node.isObject()) {
            Map<String, String> members = new java.util.TreeMap<>();
            node.properties().forEach(e -> members.put(e.getKey(), canonical(e.getValue())));
            StringBuilder out = new StringBuilder("{");
            members.forEach((k, v) -> out.append(TextNode.valueOf(k)).append(':').append(v).append(','));
            return out.append('}').toString();
        }
        if (node.isArray()) {
            List<String> elements = new ArrayList<>(node.size());
            node.forEach(e -> elements.add(canonical(e)));
            java.util.Collections.sort(elements);
            return "[" + String.join(",", elements) + "]";
        }
        return node.toString();
    }

    private static String excerpt(byte[] json, int at) {
        int from = Math.max(0, at - 20);
        int to = Math.min(json.length, at + 20);
        return "'" + new String(json, from, to - from, java.nio.charset.StandardCharsets.UTF_8) + "'";
    }

    private static void readInto(JsonParser p, Object target, Restore restore) throws IOException, IllegalAccessException {
        Map<String, Field> fields = fieldsOf(target.getClass());
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            Field f = fields.get(name);
            if (f == null) {
                throw new IOException("the snapshot has a field '" + name + "' that " + target.getClass().getName()
                        + " does not have");
            }
            Object current = f.get(target);
            JavaType javaType = MAPPER.getTypeFactory().constructType(f.getGenericType());
            if (value == JsonToken.VALUE_NUMBER_INT && restore != null && KeyedSnapshot.KeyKind.of(f) != null) {
                KeyedSnapshot.Section section = restore.take(p.getIntValue(), name);
                if (restore.past) {
                    f.set(target, new PastMap<>(section, MAPPER, javaType));
                    continue;
                }
                Map<?, ?> read;
                try (JsonParser sp = section.parser(MAPPER.getFactory())) {
                    read = MAPPER.readValue(sp, javaType);
                    if (sp.nextToken() != null) {
                        throw new IOException(section.where() + " has data after its entries");
                    }
                }
                if (read.size() != section.count()) {
                    throw new IOException(section.where() + " holds " + read.size() + " entries where its table says "
                            + section.count());
                }
                if (current instanceof Map<?, ?> map) {
                    fill(map, read, f, target);
                } else {
                    f.set(target, read);
                }
            } else if (value == JsonToken.START_OBJECT && current instanceof Map<?, ?> map) {
                fill(map, (Map<?, ?>) MAPPER.readValue(p, javaType), f, target);
            } else if (value == JsonToken.START_ARRAY && current instanceof Collection<?> collection) {
                fill(collection, (Collection<?>) MAPPER.readValue(p, javaType), f, target);
            } else if (value == JsonToken.START_OBJECT && current != null && walkable(current.getClass())) {
                readInto(p, current, restore);
            } else {
                f.set(target, MAPPER.readValue(p, javaType));
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("a snapshot field of " + target.getClass().getName() + " is not a JSON object member");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void fill(Map existing, Map read, Field f, Object target) throws IllegalAccessException {
        try {
            existing.clear();
            existing.putAll(read);
        } catch (UnsupportedOperationException immutable) {
            f.set(target, read); // an immutable initial value the handlers replace: replace it too
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void fill(Collection existing, Collection read, Field f, Object target) throws IllegalAccessException {
        try {
            existing.clear();
            existing.addAll(read);
        } catch (UnsupportedOperationException immutable) {
            f.set(target, read);
        }
    }

    /** An application class (not a record, enum or JDK type) whose fields are filled in place. */
    private static boolean walkable(Class<?> c) {
        return !isJdk(c) && !c.isRecord() && !c.isEnum() && !c.isArray() && !c.isInterface();
    }

    private static Map<String, Field> fieldsOf(Class<?> c) {
        return FIELDS.computeIfAbsent(c, k -> {
            Map<String, Field> out = new LinkedHashMap<>();
            for (Class<?> k2 = k; k2 != null && !isJdk(k2); k2 = k2.getSuperclass()) {
                for (Field f : k2.getDeclaredFields()) {
                    int mod = f.getModifiers();
                    if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || f.isSynthetic()) {
                        continue;
                    }
                    f.setAccessible(true);
                    out.putIfAbsent(f.getName(), f);
                }
            }
            return out;
        });
    }

    /**
     * @return null when every field of the class (and of the application classes its fields hold) has a
     *     type Jackson reads back without a class name in the data, else which field does not and why
     */
    private static String unreadable(Class<?> root) {
        Set<Class<?>> seen = new HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (!seen.add(c)) {
                continue;
            }
            Set<String> names = new HashSet<>();
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    String why = check(rc.getGenericType(), todo);
                    if (why != null) {
                        return "component '" + rc.getName() + "' of " + c.getName() + " has the type "
                                + rc.getGenericType().getTypeName() + ", " + why;
                    }
                }
                continue;
            }
            for (Class<?> k = c; k != null && !isJdk(k); k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    int mod = f.getModifiers();
                    if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || f.isSynthetic()) {
                        continue;
                    }
                    if (!names.add(f.getName())) {
                        return "field '" + f.getName() + "' of " + k.getName() + " hides a field of the same name in "
                                + c.getName() + ", and JSON has one member per name";
                    }
                    String why = check(f.getGenericType(), todo);
                    if (why != null) {
                        return "field '" + f.getName() + "' of " + k.getName() + " has the type "
                                + f.getGenericType().getTypeName() + ", " + why;
                    }
                }
            }
        }
        return null;
    }

    private static String check(Type t, Deque<Class<?>> todo) {
        if (t instanceof ParameterizedType p) {
            String why = check(p.getRawType(), todo);
            if (why != null) {
                return why;
            }
            for (Type a : p.getActualTypeArguments()) {
                why = check(a, todo);
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        if (t instanceof GenericArrayType g) {
            return check(g.getGenericComponentType(), todo);
        }
        if (t instanceof WildcardType w) {
            return w.getUpperBounds().length == 1 ? check(w.getUpperBounds()[0], todo)
                    : "a wildcard Jackson cannot bind";
        }
        if (!(t instanceof Class<?> c)) {
            return "a type variable: JSON does not say which class to make";
        }
        if (c.isArray()) {
            return check(c.getComponentType(), todo);
        }
        if (c.isPrimitive() || c.isEnum() || VALUES.contains(c) || c.getName().startsWith("java.time.")) {
            return null;
        }
        if (Map.class.isAssignableFrom(c) || Collection.class.isAssignableFrom(c)) {
            return c.getName().startsWith("java.util.") ? null
                    : "a collection class Jackson may not know how to fill";
        }
        if (isJdk(c)) {
            return "a JDK type that is not a plain value, a java.time value or a java.util collection";
        }
        if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
            return "an interface or abstract class: JSON does not say which class to make";
        }
        todo.add(c);
        return null;
    }

    private static boolean isJdk(Class<?> c) {
        String n = c.getName();
        return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.");
    }
}
