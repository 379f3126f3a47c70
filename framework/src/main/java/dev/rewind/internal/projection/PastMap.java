package dev.rewind.internal.projection;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.rewind.CorruptStoreException;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A map of a past state read by key from a keyed snapshot's section (docs/adr/0017-keyed-past-states.md):
 * {@code get} and {@code containsKey} decode only the entry asked for; what the tail's handlers put or
 * remove goes to an overlay and to tombstones over the section. Anything that needs every entry (iteration,
 * {@code containsValue}, {@code equals}) decodes the whole section once and from then on is a plain
 * {@code HashMap}.
 *
 * <p>A value of a mutable type is kept once decoded, so that a handler that changes the object it got (as
 * it would in the live map) finds it changed at the next {@code get}. Made for one temporal query: not safe
 * for concurrent changes (neither is the {@code HashMap} it stands for).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class PastMap<K, V> extends AbstractMap<K, V> {
    private final KeyedSnapshot.Section base;
    private final ObjectMapper mapper;
    private final ObjectReader values;
    private final JavaType mapType;
    private final boolean keepDecoded;
    private final HashMap<K, V> overlay = new HashMap<>();
    /** Keys of the section that are no longer in the map (and not in the overlay). */
    private final Set<Object> removed = new HashSet<>();
    /** How many keys of the overlay the section does not hold. */
    private int added;
    /** Every entry, once something needed them all; then the only state. */
    private HashMap<K, V> all;

    /**
     * @param base the section
     * @param mapper reads the values
     * @param mapType the field's type, {@code Map<K, V>}
     */
    PastMap(KeyedSnapshot.Section base, ObjectMapper mapper, JavaType mapType) {
        this.base = base;
        this.mapper = mapper;
        this.values = mapper.readerFor(mapType.getContentType());
        this.mapType = mapType;
        this.keepDecoded = !KeyedSnapshot.immutable(mapType.getContentType());
    }

    private V decode(int entry, Object key) {
        int start = base.valueStart(entry);
        int end = base.valueEnd(entry);
        try (JsonParser p = mapper.createParser(base.bytes(), start, end - start)) {
            p.nextToken();
            V v = values.readValue(p);
            if (p.nextToken() != null) {
                throw new IOException("data after the value");
            }
            return v;
        } catch (IOException | RuntimeException e) {
            throw new CorruptStoreException(base.where() + " is damaged: the value of key '" + key + "' cannot be read ("
                    + e.getMessage() + ")", e);
        }
    }

    @Override
    public V get(Object key) {
        if (all != null) {
            return all.get(key);
        }
        V v = overlay.get(key);
        if (v != null || overlay.containsKey(key)) {
            return v;
        }
        if (!removed.isEmpty() && removed.contains(key)) {
            return null;
        }
        int entry = base.find(key, mapper.getFactory());
        if (entry < 0) {
            return null;
        }
        v = decode(entry, key);
        if (keepDecoded) {
            @SuppressWarnings("unchecked")
            K k = (K) key; // found in the section: of the key type
            overlay.put(k, v);
        }
        return v;
    }

    @Override
    public boolean containsKey(Object key) {
        if (all != null) {
            return all.containsKey(key);
        }
        if (overlay.containsKey(key)) {
            return true;
        }
        if (!removed.isEmpty() && removed.contains(key)) {
            return false;
        }
        return base.find(key, mapper.getFactory()) >= 0;
    }

    @Override
    public V put(K key, V value) {
        if (all != null) {
            return all.put(key, value);
        }
        if (overlay.containsKey(key)) {
            return overlay.put(key, value);
        }
        int entry = base.find(key, mapper.getFactory());
        V old = null;
        if (entry < 0) {
            added++;
        } else if (!removed.remove(key)) {
            old = decode(entry, key);
        }
        overlay.put(key, value);
        return old;
    }

    @Override
    public V remove(Object key) {
        if (all != null) {
            return all.remove(key);
        }
        if (overlay.containsKey(key)) {
            V old = overlay.remove(key);
            if (base.find(key, mapper.getFactory()) >= 0) {
                removed.add(key);
            } else {
                added--;
            }
            return old;
        }
        if (!removed.isEmpty() && removed.contains(key)) {
            return null;
        }
        int entry = base.find(key, mapper.getFactory());
        if (entry < 0) {
            return null;
        }
        removed.add(key);
        return decode(entry, key);
    }

    @Override
    public int size() {
        return all != null ? all.size() : base.count() - removed.size() + added;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public void clear() {
        all = new HashMap<>();
        overlay.clear();
        removed.clear();
    }

    @Override
    public boolean containsValue(Object value) {
        return all().containsValue(value);
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return all().entrySet();
    }

    @Override
    public Set<K> keySet() {
        return all().keySet();
    }

    @Override
    public Collection<V> values() {
        return all().values();
    }

    /** @return every entry: the section decoded once (with one parser), less the tombstones, plus the overlay */
    private HashMap<K, V> all() {
        if (all != null) {
            return all;
        }
        HashMap<K, V> out = new HashMap<>(Math.max(16, (int) (size() / 0.75f) + 1));
        try (JsonParser p = base.parser(mapper.getFactory())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            Map<K, V> decoded = mapper.readValue(p, mapType);
            if (decoded.size() != base.count()) {
                throw new IOException("it holds " + decoded.size() + " entries where its table says " + base.count());
            }
            out.putAll(decoded);
        } catch (IOException | RuntimeException e) {
            throw new CorruptStoreException(base.where() + " is damaged: its entries cannot be read (" + e.getMessage() + ")", e);
        }
        out.keySet().removeAll(removed);
        out.putAll(overlay);
        all = out;
        overlay.clear();
        removed.clear();
        return out;
    }
}
