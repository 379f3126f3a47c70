package dev.rewind.internal.projection;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.introspect.AnnotatedField;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The keyed snapshot format (docs/adr/0017-keyed-past-states.md): the projection's JSON with each eligible
 * map lifted out into a section that a past state reads by key without decoding the rest.
 *
 * <p>An eligible map is a field declared {@code Map<K, V>} (the interface) with K a String, UUID, Long or
 * Integer, holding a {@code HashMap} (whose order means nothing, so the section's order loses nothing),
 * on the root object or on an application object the codec fills in place. Layout, big-endian:
 * <pre>
 *   magic 00 'R' 'K' '1'
 *   int restLength, rest: the JSON of the projection, each lifted map written as its section's number
 *   int sections, then per section:
 *     byte key kind, int count n, byte bucket bits b (2^b buckets)
 *     int[2^b + 1] first entry of each bucket (the last one is n)
 *     int[n + 1] offset of each entry in the section's JSON (the last one is the JSON's length)
 *     int jsonLength, JSON: {"key":value,...} with the entries ordered by bucket
 * </pre>
 * A key's bucket is the spread {@code hashCode} of its text (what Jackson writes as the member name: the
 * String, or {@code toString()} of the UUID or number), masked by the bucket count. The buckets are
 * ordered with a counting sort (no key is compared while writing). The section's JSON is a plain JSON
 * object, so restoring a live instance reads it with Jackson as before; a past state looks a key up in its
 * bucket and decodes that one value.
 */
final class KeyedSnapshot {
    /** The first bytes of a keyed snapshot; a JSON snapshot starts with '{'. */
    static final byte[] MAGIC = {0, 'R', 'K', '1'};
    private static final String ATTRIBUTE = KeyedSnapshot.class.getName();
    private static final int MAX_BUCKET_BITS = 30;

    private KeyedSnapshot() {
    }

    /** How a key is written as the text of a JSON member, and read back. */
    enum KeyKind {
        STRING(String.class), UUID(java.util.UUID.class), LONG(Long.class), INTEGER(Integer.class);

        private final Class<?> type;

        KeyKind(Class<?> type) {
            this.type = type;
        }

        /** @return the key's text, or null when the key is not of this kind (a HashMap would not find it either) */
        String text(Object key) {
            if (!type.isInstance(key)) {
                return null;
            }
            return this == STRING ? (String) key : key.toString();
        }

        Object parse(String text) {
            return switch (this) {
                case STRING -> text;
                case UUID -> java.util.UUID.fromString(text);
                case LONG -> Long.valueOf(text);
                case INTEGER -> Integer.valueOf(text);
            };
        }

        /** @return the kind of an eligible field's keys, or null when the field is not {@code Map<K, V>} with such a K */
        static KeyKind of(Field f) {
            if (f.getType() != Map.class || !(f.getGenericType() instanceof ParameterizedType p)) {
                return null;
            }
            Type k = p.getActualTypeArguments()[0];
            for (KeyKind kind : values()) {
                if (kind.type == k) {
                    return kind;
                }
            }
            return null;
        }
    }

    /** @return whether the bytes are a keyed snapshot (else they are JSON) */
    static boolean isKeyed(byte[] bytes) {
        return bytes.length >= MAGIC.length && bytes[0] == MAGIC[0] && bytes[1] == MAGIC[1] && bytes[2] == MAGIC[2]
                && bytes[3] == MAGIC[3];
    }

    /** @return the Jackson module that lifts eligible maps out of the JSON while a {@link Writing} is attached */
    static SimpleModule module() {
        SimpleModule m = new SimpleModule("rewind-keyed-snapshot");
        m.setSerializerModifier(new BeanSerializerModifier() {
            @Override
            public List<BeanPropertyWriter> changeProperties(SerializationConfig config, BeanDescription desc,
                                                             List<BeanPropertyWriter> props) {
                List<BeanPropertyWriter> out = new ArrayList<>(props.size());
                for (BeanPropertyWriter w : props) {
                    KeyKind kind = w.getMember() instanceof AnnotatedField af ? KeyKind.of(af.getAnnotated()) : null;
                    out.add(kind == null ? w : new Lifting(w, kind));
                }
                return out;
            }
        });
        return m;
    }

    /** @return the attribute under which a {@link Writing} is given to Jackson */
    static String attribute() {
        return ATTRIBUTE;
    }

    /**
     * A map property that, while a write in the keyed format is under way and it sits on one of the codec's
     * paths, writes its section's number instead of the map and the map into the section.
     */
    private static final class Lifting extends BeanPropertyWriter {
        private static final long serialVersionUID = 1L;
        private final KeyKind kind;

        Lifting(BeanPropertyWriter base, KeyKind kind) {
            super(base);
            this.kind = kind;
        }

        @Override
        public void serializeAsField(Object bean, JsonGenerator gen, SerializerProvider prov) throws Exception {
            if (prov.getAttribute(ATTRIBUTE) instanceof Writing w && w.main == gen) {
                Object value = get(bean);
                if (value != null && value.getClass() == HashMap.class && w.lifts(gen.getOutputContext(), getName())) {
                    gen.writeFieldName(getName());
                    gen.writeNumber(w.section((Map<?, ?>) value, kind, getType().getContentType(), this, prov));
                    return;
                }
            }
            super.serializeAsField(bean, gen, prov);
        }
    }

    /** One write in the keyed format: the paths to lift, the main generator, and the sections written so far. */
    static final class Writing {
        private final Set<String> paths;
        private final JsonFactory factory;
        private JsonGenerator main;
        private final List<byte[]> sections = new ArrayList<>();
        private final List<Integer> sectionLengths = new ArrayList<>();
        private int sectionBytes;

        Writing(Set<String> paths, JsonFactory factory) {
            this.paths = paths;
            this.factory = factory;
        }

        /** @param main the generator of the projection's JSON (a map inside a section's value is never lifted) */
        void main(JsonGenerator main) {
            this.main = main;
        }

        /** Whether the property about to be written in that object context is at one of the paths. */
        boolean lifts(JsonStreamContext object, String name) {
            StringBuilder path = new StringBuilder(name);
            for (JsonStreamContext c = object.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
                if (!c.inObject() || c.getCurrentName() == null) {
                    return false;
                }
                path.insert(0, '.').insert(0, c.getCurrentName());
            }
            return object.inObject() && paths.contains(path.toString());
        }

        @SuppressWarnings("unchecked")
        int section(Map<?, ?> map, KeyKind kind, JavaType valueType, BeanPropertyWriter property, SerializerProvider prov)
                throws IOException {
            int n = map.size();
            int bits = n <= 1 ? 0 : Math.min(MAX_BUCKET_BITS, 31 - Integer.numberOfLeadingZeros(n));
            int buckets = 1 << bits;
            int mask = buckets - 1;
            String[] texts = new String[n];
            Object[] values = new Object[n];
            int[] bucketOf = new int[n];
            int[] first = new int[buckets + 1];
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (i == n) {
                    throw new IllegalStateException("a map changed while it was written");
                }
                String text = kind.text(e.getKey());
                if (text == null) {
                    throw new IllegalStateException("a map of " + kind.type.getSimpleName() + " keys holds the key "
                            + e.getKey() + (e.getKey() == null ? "" : " (a " + e.getKey().getClass().getName() + ")")
                            + ", which JSON cannot hold");
                }
                int b = spread(text.hashCode()) & mask;
                texts[i] = text;
                values[i] = e.getValue();
                bucketOf[i] = b;
                first[b + 1]++;
                i++;
            }
            if (i != n) {
                throw new IllegalStateException("a map changed while it was written");
            }
            for (int b = 0; b < buckets; b++) {
                first[b + 1] += first[b];
            }
            int[] order = new int[n];
            int[] next = new int[buckets];
            System.arraycopy(first, 0, next, 0, buckets);
            for (int k = 0; k < n; k++) {
                order[next[bucketOf[k]]++] = k;
            }
            Output json = new Output(Math.max(64, n * 16));
            int[] offsets = new int[n + 1];
            boolean finalType = valueType.isFinal() || valueType.isPrimitive();
            JsonSerializer<Object> fixed = finalType ? prov.findContentValueSerializer(valueType, property) : null;
            Class<?> lastClass = null;
            JsonSerializer<Object> last = null;
            try (JsonGenerator g = factory.createGenerator(json)) {
                g.writeStartObject();
                for (int k = 0; k < n; k++) {
                    int e = order[k];
                    offsets[k] = json.size() + g.getOutputBuffered() + (k == 0 ? 0 : 1); // after the comma
                    g.writeFieldName(texts[e]);
                    Object v = values[e];
                    if (v == null) {
                        prov.defaultSerializeNull(g);
                    } else if (fixed != null) {
                        fixed.serialize(v, g, prov);
                    } else {
                        if (v.getClass() != lastClass) {
                            lastClass = v.getClass();
                            last = prov.findContentValueSerializer(prov.constructSpecializedType(valueType, lastClass), property);
                        }
                        last.serialize(v, g, prov);
                    }
                }
                g.writeEndObject();
            }
            offsets[n] = json.size();
            int length = 1 + 4 + 1 + 4 * (buckets + 1) + 4 * (n + 1) + 4 + json.size();
            ByteBuffer out = ByteBuffer.allocate(length);
            out.put((byte) kind.ordinal()).putInt(n).put((byte) bits);
            for (int f : first) {
                out.putInt(f);
            }
            for (int o : offsets) {
                out.putInt(o);
            }
            out.putInt(json.size()).put(json.array(), 0, json.size());
            sections.add(out.array());
            sectionLengths.add(length);
            sectionBytes += length;
            return sections.size() - 1;
        }

        /** @return the whole snapshot: magic, the projection's JSON, the sections */
        byte[] finish(Output rest) {
            ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + rest.size() + 4 + sectionBytes);
            out.put(MAGIC).putInt(rest.size()).put(rest.array(), 0, rest.size()).putInt(sections.size());
            for (byte[] s : sections) {
                out.put(s);
            }
            return out.array();
        }
    }

    static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /** A byte array output whose array is read without a copy. */
    static final class Output extends ByteArrayOutputStream {
        Output(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * A keyed snapshot taken apart (its layout checked, nothing decoded).
     *
     * @param bytes the snapshot
     * @param restOffset where the projection's JSON starts
     * @param restLength its length
     * @param sections the lifted maps, by number
     */
    record Parsed(byte[] bytes, int restOffset, int restLength, List<Section> sections) {
    }

    /**
     * @param bytes a keyed snapshot ({@link #isKeyed})
     * @param where names the snapshot in errors
     * @return its parts
     * @throws IOException naming what is wrong and where, when the layout is damaged
     */
    static Parsed parse(byte[] bytes, String where) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            in.position(MAGIC.length);
            int restLength = in.getInt();
            check(restLength >= 2 && restLength <= in.remaining() - 4, where, "a bad JSON length " + restLength);
            int restOffset = in.position();
            in.position(restOffset + restLength);
            int count = in.getInt();
            check(count >= 0 && count <= in.remaining(), where, "a bad section count " + count);
            List<Section> sections = new ArrayList<>(count);
            for (int s = 0; s < count; s++) {
                sections.add(Section.read(bytes, in, where + ", map section " + s));
            }
            check(!in.hasRemaining(), where, in.remaining() + " bytes after its last section");
            return new Parsed(bytes, restOffset, restLength, List.copyOf(sections));
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException(where + " is damaged: it ends inside its layout", e);
        }
    }

    private static void check(boolean ok, String where, String what) throws IOException {
        if (!ok) {
            throw new IOException(where + " is damaged: " + what);
        }
    }

    /** One lifted map: its bucket table, entry offsets and JSON, inside the snapshot's bytes. */
    static final class Section {
        private final byte[] bytes;
        private final String where;
        private final KeyKind kind;
        private final int count;
        private final int mask;
        private final int bucketsAt;
        private final int offsetsAt;
        private final int jsonAt;
        private final int jsonLength;

        private Section(byte[] bytes, String where, KeyKind kind, int count, int mask, int bucketsAt, int offsetsAt,
                        int jsonAt, int jsonLength) {
            this.bytes = bytes;
            this.where = where;
            this.kind = kind;
            this.count = count;
            this.mask = mask;
            this.bucketsAt = bucketsAt;
            this.offsetsAt = offsetsAt;
            this.jsonAt = jsonAt;
            this.jsonLength = jsonLength;
        }

        /** Reads a section's layout at the buffer's position, checks it (O(entries), no decoding) and moves past it. */
        static Section read(byte[] bytes, ByteBuffer in, String where) throws IOException {
            int k = in.get();
            check(k >= 0 && k < KeyKind.values().length, where, "an unknown key kind " + k);
            int count = in.getInt();
            int bits = in.get();
            check(count >= 0 && count <= in.remaining() / 8 && bits >= 0 && bits <= MAX_BUCKET_BITS
                    && (1L << bits) <= Math.max(1, count), where, "a bad entry count " + count + " or bucket bits " + bits);
            int buckets = 1 << bits;
            int bucketsAt = in.position();
            int prev = 0;
            check(in.getInt() == 0, where, "a bucket table that does not start at entry 0");
            for (int b = 1; b <= buckets; b++) {
                int f = in.getInt();
                check(f >= prev && f <= count, where, "a bucket table out of order at bucket " + b);
                prev = f;
            }
            check(prev == count, where, "a bucket table that does not end at its " + count + " entries");
            int offsetsAt = in.position();
            in.position(offsetsAt + 4 * (count + 1));
            int jsonLength = in.getInt();
            check(jsonLength >= 2 && jsonLength <= in.remaining(), where, "a bad JSON length " + jsonLength);
            int jsonAt = in.position();
            in.position(jsonAt + jsonLength);
            check(bytes[jsonAt] == '{' && bytes[jsonAt + jsonLength - 1] == '}', where, "its entries are not a JSON object");
            int before = 0;
            for (int i = 0; i <= count; i++) {
                int o = ByteBuffer.wrap(bytes).getInt(offsetsAt + 4 * i);
                boolean ok = i == count ? o == jsonLength && o > before
                        : o > before && o < jsonLength - 1 && bytes[jsonAt + o] == '"'
                        && bytes[jsonAt + o - 1] == (i == 0 ? (byte) '{' : (byte) ',');
                check(ok, where, "entry " + i + " is not where its offset says");
                before = o;
            }
            check(count > 0 || jsonLength == 2, where, "an empty map with entries in its JSON");
            return new Section(bytes, where, KeyKind.values()[k], count, buckets - 1, bucketsAt, offsetsAt, jsonAt, jsonLength);
        }

        int count() {
            return count;
        }

        KeyKind kind() {
            return kind;
        }

        String where() {
            return where;
        }

        /** @return a parser of the section's JSON object (every entry: a live instance's full restore) */
        JsonParser parser(JsonFactory factory) throws IOException {
            return factory.createParser(bytes, jsonAt, jsonLength);
        }

        private int intAt(int at) {
            return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                    | (bytes[at + 3] & 0xff);
        }

        /**
         * @param key a key of any class
         * @return where the entry's value starts in the bytes, or -1 when the map has no such key
         */
        int find(Object key, JsonFactory factory) {
            String text = kind.text(key);
            if (text == null || count == 0) {
                return -1;
            }
            int b = spread(text.hashCode()) & mask;
            int from = intAt(bucketsAt + 4 * b);
            int to = intAt(bucketsAt + 4 * (b + 1));
            byte[] ascii = asciiOrNull(text);
            for (int i = from; i < to; i++) {
                int at = jsonAt + intAt(offsetsAt + 4 * i) + 1;
                int limit = jsonAt + intAt(offsetsAt + 4 * (i + 1)) - 1;
                int end = at;
                boolean escaped = false;
                while (end < limit && bytes[end] != '"') {
                    if (bytes[end] == '\\') {
                        escaped = true;
                        end++;
                    }
                    end++;
                }
                if (end + 2 >= limit || bytes[end] != '"' || bytes[end + 1] != ':') {
                    throw new dev.rewind.CorruptStoreException(where + " is damaged: entry " + i + " is not a key and a value");
                }
                boolean same;
                if (!escaped && ascii != null) {
                    same = java.util.Arrays.equals(bytes, at, end, ascii, 0, ascii.length);
                } else {
                    same = text.equals(keyText(at - 1, end + 1, escaped, factory));
                }
                if (same) {
                    return end + 2;
                }
            }
            return -1;
        }

        private String keyText(int from, int to, boolean escaped, JsonFactory factory) {
            if (!escaped) {
                return new String(bytes, from + 1, to - from - 2, StandardCharsets.UTF_8);
            }
            try (JsonParser p = factory.createParser(bytes, from, to - from)) {
                p.nextToken();
                return p.getText();
            } catch (IOException e) {
                throw new dev.rewind.CorruptStoreException(where + " is damaged: an unreadable key at byte " + from, e);
            }
        }

        /** @return the end (exclusive) of the value of the entry whose value starts there */
        int valueEnd(int valueStart) {
            int lo = 0;
            int hi = count - 1; // the entry holding valueStart: the last whose offset is before it
            int rel = valueStart - jsonAt;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (intAt(offsetsAt + 4 * mid) < rel) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return jsonAt + intAt(offsetsAt + 4 * (lo + 1)) - 1;
        }

        byte[] bytes() {
            return bytes;
        }

        /** @return the keys and values in the order written, each value as a parser-ready range (for tests) */
        List<String> keysInOrder(JsonFactory factory) throws IOException {
            List<String> out = new ArrayList<>(count);
            try (JsonParser p = parser(factory)) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    out.add(p.currentName());
                    p.nextToken();
                    p.skipChildren();
                }
            }
            return out;
        }
    }

    private static byte[] asciiOrNull(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return null;
            }
            out[i] = (byte) c;
        }
        return out;
    }

    /** Whether values of that type never change once made: a past map then need not keep what it decoded. */
    static boolean immutable(JavaType t) {
        Class<?> c = t.getRawClass();
        if (c.isPrimitive() || c.isEnum() || c == String.class || c == Boolean.class || c == Character.class
                || Number.class.isAssignableFrom(c) && c.getName().startsWith("java.lang.")
                || c == java.math.BigDecimal.class || c == java.math.BigInteger.class || c == UUID.class
                || c.getName().startsWith("java.time.") && Modifier.isFinal(c.getModifiers())) {
            return true;
        }
        if (c.isRecord()) {
            for (java.lang.reflect.RecordComponent rc : c.getRecordComponents()) {
                if (!immutable(com.fasterxml.jackson.databind.type.TypeFactory.defaultInstance().constructType(rc.getType()))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
