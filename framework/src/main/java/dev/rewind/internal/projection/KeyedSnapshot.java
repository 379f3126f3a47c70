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
import java.io.IOException;
import java.io.OutputStream;
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
 *     byte key kind, int count n, byte bucket bits b (2^b buckets, about n/2 to n/4)
 *     int[2^b + 1] where each bucket starts in the next table (the last one is n)
 *     int[n] the entries, by bucket: their numbers in the JSON's order
 *     int[n + 1] where each entry starts in the section's JSON (the last one is the JSON's length)
 *     int jsonLength, JSON: {"key":value,...} in the map's own order
 * </pre>
 * A key's bucket is the spread {@code hashCode} of the key (String, UUID, Long and Integer define theirs in
 * their specification, so it is the same in every JVM), masked by the bucket count. Entries are written in
 * one pass in the map's order and the bucket table is made with a counting sort of their buckets: no key
 * is compared while writing. The section's JSON is a plain JSON object, so restoring a live instance reads
 * it with Jackson as before; a past state looks a key up in its bucket and decodes that one value.
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
        private final List<Written> sections = new ArrayList<>();
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

        /**
         * Writes a map's section: its entries as one JSON object in the map's own order (one pass, as Jackson
         * would write the map), then the bucket of each entry, sorted by a counting sort into the bucket table.
         *
         * @return the section's number
         */
        int section(Map<?, ?> map, KeyKind kind, JavaType valueType, BeanPropertyWriter property, SerializerProvider prov)
                throws IOException {
            int n = map.size();
            int bits = n <= 3 ? 0 : Math.min(MAX_BUCKET_BITS, 31 - Integer.numberOfLeadingZeros(n / 2));
            int buckets = 1 << bits;
            int mask = buckets - 1;
            int[] bucketOf = new int[n];
            int[] first = new int[buckets + 1];
            int[] offsets = new int[n + 1];
            Output json = new Output(Math.max(64, n * 24));
            boolean finalType = valueType.isFinal() || valueType.isPrimitive();
            JsonSerializer<Object> fixed = finalType ? prov.findContentValueSerializer(valueType, property) : null;
            Class<?> lastClass = null;
            JsonSerializer<Object> last = null;
            int i = 0;
            try (JsonGenerator g = factory.createGenerator(json)) {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    Object key = e.getKey();
                    String text = kind.text(key);
                    if (text == null) {
                        throw new IllegalStateException("a map of " + kind.type.getSimpleName() + " keys holds the key " + key
                                + (key == null ? "" : " (a " + key.getClass().getName() + ")") + ", which JSON cannot hold");
                    }
                    if (i == n) {
                        throw new IllegalStateException("a map changed while it was written");
                    }
                    int b = spread(key.hashCode()) & mask;
                    bucketOf[i] = b;
                    first[b + 1]++;
                    offsets[i] = json.size() + g.getOutputBuffered() + (i == 0 ? 0 : 1); // after the comma
                    g.writeFieldName(text);
                    Object v = e.getValue();
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
                    i++;
                }
                g.writeEndObject();
            }
            if (i != n) {
                throw new IllegalStateException("a map changed while it was written");
            }
            offsets[n] = json.size();
            for (int b = 0; b < buckets; b++) {
                first[b + 1] += first[b];
            }
            int[] next = java.util.Arrays.copyOf(first, buckets);
            int[] byBucket = new int[n];
            for (int e = 0; e < n; e++) {
                byBucket[next[bucketOf[e]]++] = e;
            }
            ByteBuffer index = ByteBuffer.allocate(1 + 4 + 1 + 4 * (buckets + 1) + 4 * n + 4 * (n + 1) + 4);
            index.put((byte) kind.ordinal()).putInt(n).put((byte) bits);
            index.asIntBuffer().put(first).put(byBucket).put(offsets).put(json.size());
            sections.add(new Written(index.array(), json));
            sectionBytes += index.capacity() + json.size();
            return sections.size() - 1;
        }

        /** @return the whole snapshot: magic, the projection's JSON, the sections */
        byte[] finish(Output rest) {
            byte[] out = new byte[MAGIC.length + 4 + rest.size() + 4 + sectionBytes];
            ByteBuffer b = ByteBuffer.wrap(out);
            b.put(MAGIC).putInt(rest.size()).put(rest.array(), 0, rest.size()).putInt(sections.size());
            for (Written w : sections) {
                b.put(w.index).put(w.json.array(), 0, w.json.size());
            }
            return out;
        }
    }

    /** A section as written: its header and index, then its JSON. */
    private record Written(byte[] index, Output json) {
    }

    static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /**
     * A byte array output whose array is read without a copy. Not synchronized (unlike ByteArrayOutputStream,
     * whose {@code size()} would take a lock for every entry written).
     */
    static final class Output extends OutputStream {
        private byte[] buf;
        private int count;

        Output(int size) {
            buf = new byte[size];
        }

        @Override
        public void write(int b) {
            if (count == buf.length) {
                grow(1);
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > buf.length) {
                grow(len);
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void grow(int more) {
            long want = Math.max((long) buf.length * 2, (long) count + more);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a snapshot section cannot exceed 2 GB");
            }
            buf = java.util.Arrays.copyOf(buf, (int) want);
        }

        int size() {
            return count;
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

    /** One lifted map: its bucket table, entries by bucket, entry offsets and JSON, inside the snapshot's bytes. */
    static final class Section {
        private final byte[] bytes;
        private final String where;
        private final KeyKind kind;
        private final int count;
        private final int mask;
        private final int bucketsAt;
        private final int byBucketAt;
        private final int offsetsAt;
        private final int jsonAt;
        private final int jsonLength;

        private Section(byte[] bytes, String where, KeyKind kind, int count, int mask, int bucketsAt, int byBucketAt,
                        int offsetsAt, int jsonAt, int jsonLength) {
            this.bytes = bytes;
            this.where = where;
            this.kind = kind;
            this.count = count;
            this.mask = mask;
            this.bucketsAt = bucketsAt;
            this.byBucketAt = byBucketAt;
            this.offsetsAt = offsetsAt;
            this.jsonAt = jsonAt;
            this.jsonLength = jsonLength;
        }

        /**
         * Reads a section's layout at the buffer's position, checks it (a pass over its tables, without decoding
         * an entry) and moves past it.
         */
        static Section read(byte[] bytes, ByteBuffer in, String where) throws IOException {
            int k = in.get();
            check(k >= 0 && k < KeyKind.values().length, where, "an unknown key kind " + k);
            int count = in.getInt();
            int bits = in.get();
            check(count >= 0 && count <= in.remaining() / 12 && bits >= 0 && bits <= MAX_BUCKET_BITS
                    && (1L << bits) <= Math.max(1, count), where, "a bad entry count " + count + " or bucket bits " + bits);
            int buckets = 1 << bits;
            int bucketsAt = in.position();
            int byBucketAt = bucketsAt + 4 * (buckets + 1);
            int offsetsAt = byBucketAt + 4 * count;
            in.position(offsetsAt + 4 * (count + 1));
            int jsonLength = in.getInt();
            check(jsonLength >= 2 && jsonLength <= in.remaining(), where, "a bad JSON length " + jsonLength);
            int jsonAt = in.position();
            in.position(jsonAt + jsonLength);
            int prev = 0;
            check(intAt(bytes, bucketsAt) == 0, where, "a bucket table that does not start at entry 0");
            for (int b = 1; b <= buckets; b++) {
                int f = intAt(bytes, bucketsAt + 4 * b);
                if (f < prev || f > count) { // the message is made only on failure: this runs for every bucket
                    check(false, where, "a bucket table out of order at bucket " + b);
                }
                prev = f;
            }
            check(prev == count, where, "a bucket table that does not end at its " + count + " entries");
            for (int i = 0; i < count; i++) {
                int e = intAt(bytes, byBucketAt + 4 * i);
                if (e < 0 || e >= count) {
                    check(false, where, "entry " + e + " in its bucket table, of " + count);
                }
            }
            check(bytes[jsonAt] == '{' && bytes[jsonAt + jsonLength - 1] == '}', where, "its entries are not a JSON object");
            check(count > 0 || jsonLength == 2, where, "an empty map with entries in its JSON");
            check(intAt(bytes, offsetsAt + 4 * count) == jsonLength, where, "an offset table that does not end at its JSON's end");
            // Each entry's offsets are checked when a look-up reads it (checkEntry), not here: this pass touched every
            // entry of the JSON, the largest cost of a temporal query by key over a big state; the file's checksum
            // already stands for the bytes, this only guards the layout. A full restore parses the JSON whole.
            return new Section(bytes, where, KeyKind.values()[k], count, buckets - 1, bucketsAt, byBucketAt, offsetsAt,
                    jsonAt, jsonLength);
        }

        int count() {
            return count;
        }

        String where() {
            return where;
        }

        byte[] bytes() {
            return bytes;
        }

        /** @return a parser of the section's JSON object (every entry: a live instance's full restore) */
        JsonParser parser(JsonFactory factory) throws IOException {
            return factory.createParser(bytes, jsonAt, jsonLength);
        }

        /**
         * @param key a key of any class
         * @return the entry holding it, or -1 when the map has no such key
         */
        int find(Object key, JsonFactory factory) {
            String text = kind.text(key);
            if (text == null || count == 0) {
                return -1;
            }
            int b = spread(key.hashCode()) & mask;
            int from = intAt(bytes, bucketsAt + 4 * b);
            int to = intAt(bytes, bucketsAt + 4 * (b + 1));
            byte[] ascii = null;
            for (int k = from; k < to; k++) {
                int e = intAt(bytes, byBucketAt + 4 * k);
                checkEntry(e);
                int at = jsonAt + intAt(bytes, offsetsAt + 4 * e) + 1;
                int limit = jsonAt + intAt(bytes, offsetsAt + 4 * (e + 1)) - 1;
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
                    throw new dev.rewind.CorruptStoreException(where + " is damaged: entry " + e + " is not a key and a value");
                }
                if (ascii == null) {
                    ascii = asciiOrEmpty(text);
                }
                boolean same = !escaped && ascii.length == text.length()
                        ? java.util.Arrays.equals(bytes, at, end, ascii, 0, ascii.length)
                        : text.equals(keyText(at - 1, end + 1, escaped, factory));
                if (same) {
                    return e;
                }
            }
            return -1;
        }

        /** Where the entry's offset and the next one's point must be the start of a key (or the JSON's end). */
        private void checkEntry(int e) {
            int o = intAt(bytes, offsetsAt + 4 * e);
            int next = intAt(bytes, offsetsAt + 4 * (e + 1));
            boolean ok = o > 0 && o < next && o < jsonLength - 1 && bytes[jsonAt + o] == '"'
                    && bytes[jsonAt + o - 1] == (e == 0 ? (byte) '{' : (byte) ',')
                    && (e + 1 == count ? next == jsonLength
                    : next < jsonLength - 1 && bytes[jsonAt + next] == '"' && bytes[jsonAt + next - 1] == ',');
            if (!ok) {
                throw new dev.rewind.CorruptStoreException(where + " is damaged: entry " + e + " is not where its offset says");
            }
        }

        /** @return where the value of that entry starts (after its key) */
        int valueStart(int entry) {
            int at = jsonAt + intAt(bytes, offsetsAt + 4 * entry) + 1;
            while (bytes[at] != '"') { // find() has checked the entry
                at += bytes[at] == '\\' ? 2 : 1;
            }
            return at + 2;
        }

        /** @return where the value of that entry ends (exclusive) */
        int valueEnd(int entry) {
            return jsonAt + intAt(bytes, offsetsAt + 4 * (entry + 1)) - 1;
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
    }

    private static int intAt(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }

    /** @return the text's bytes when it is ASCII (its UTF-8), else an empty array (compared as text instead) */
    private static byte[] asciiOrEmpty(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return new byte[0];
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
