package dev.rewind.internal.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.CorruptStoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The keyed snapshot format: every eligible map round-trips (each key type, null values, empty maps,
 * values that are records or objects of the application), in a full restore and in a past state read by
 * key; JSON snapshots written before it still load; damaged layouts are refused with the place named; and
 * the past state's lazy map behaves as a HashMap under any sequence of operations.
 */
class KeyedSnapshotTest {

    record Item(String name, int quantity) {
    }

    /** A mutable value: a handler may change it in place. */
    static class Box {
        List<String> tags = new ArrayList<>();
        int count;

        @Override
        public boolean equals(Object o) {
            return o instanceof Box b && b.count == count && b.tags.equals(tags);
        }

        @Override
        public int hashCode() {
            return count * 31 + tags.hashCode();
        }
    }

    /** Held by {@link AllKinds} and filled in place: its map is lifted too. */
    static class Inner {
        final Map<String, Long> totals = new HashMap<>();
    }

    /** One of each eligible map, and maps that are not lifted. */
    static class AllKinds {
        final Map<String, Long> byName = new HashMap<>();
        final Map<UUID, String> byId = new HashMap<>();
        final Map<Long, Item> byNumber = new HashMap<>();
        final Map<Integer, Box> byInt = new HashMap<>();
        final Map<String, Long> empty = new HashMap<>();
        Map<String, String> nulls = new HashMap<>();
        final Map<String, Long> sorted = new TreeMap<>();
        final Map<String, Long> ordered = new LinkedHashMap<>();
        final Inner inner = new Inner();
        long count;
    }

    /** One map of String to Long, for the model test and damage. */
    static class Totals {
        final Map<String, Long> totals = new HashMap<>();
    }

    /** One map of String to a mutable object. */
    static class Boxes {
        final Map<String, Box> boxes = new HashMap<>();
    }

    private static SnapshotCodec codec(Class<?> type) {
        SnapshotCodec.Inspection i = SnapshotCodec.inspect(type, () -> {
            try {
                var c = type.getDeclaredConstructor();
                c.setAccessible(true);
                return c.newInstance();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(i.why()).isNull();
        return i.codec();
    }

    private static AllKinds filled() {
        AllKinds a = new AllKinds();
        for (int i = 0; i < 300; i++) {
            a.byName.put("name-" + i + (i % 7 == 0 ? "\"quoted\\é\u0001" : ""), (long) i * 3 - 100);
            a.byId.put(new UUID(i, -i), "v" + i);
            a.byNumber.put((long) i * 1_000_003L - 5, new Item("item " + i, i));
            Box b = new Box();
            b.count = i;
            b.tags.add("t" + i);
            a.byInt.put(-i, b);
            a.sorted.put("s" + i, (long) i);
            a.ordered.put("o" + (300 - i), (long) i);
            a.inner.totals.put("order-" + i, (long) i * i);
        }
        a.nulls.put("none", null);
        a.nulls.put("some", "x");
        a.count = 42;
        return a;
    }

    private static void assertSame(AllKinds got, AllKinds want) {
        assertThat(got.byName).isEqualTo(want.byName);
        assertThat(got.byId).isEqualTo(want.byId);
        assertThat(got.byNumber).isEqualTo(want.byNumber);
        assertThat(got.byInt).isEqualTo(want.byInt);
        assertThat(got.empty).isEmpty();
        assertThat(got.nulls).isEqualTo(want.nulls);
        assertThat(got.sorted).isInstanceOf(TreeMap.class).isEqualTo(want.sorted);
        assertThat(got.ordered).isInstanceOf(LinkedHashMap.class).containsExactlyEntriesOf(want.ordered);
        assertThat(got.inner.totals).isEqualTo(want.inner.totals);
        assertThat(got.count).isEqualTo(42);
    }

    @Test
    void every_key_kind_null_values_empty_maps_records_and_objects_round_trip_in_a_full_restore_and_by_key() throws Exception {
        SnapshotCodec codec = codec(AllKinds.class);
        AllKinds original = filled();
        byte[] bytes = codec.write(original);
        assertThat(KeyedSnapshot.isKeyed(bytes)).isTrue();
        KeyedSnapshot.Parsed parsed = KeyedSnapshot.parse(bytes, "test");
        assertThat(parsed.sections()).as("the HashMaps, nested one included; not the TreeMap nor the LinkedHashMap")
                .hasSize(7);
        assertThat(codec.roundTrips(bytes, AllKinds::new)).isNull();

        AllKinds live = new AllKinds();
        Map<String, Long> constructorsMap = live.byName;
        codec.read(bytes, live);
        assertSame(live, original);
        assertThat(live.byName).as("the live instance keeps the map its constructor made, filled").isSameAs(constructorsMap);
        assertThat(live.nulls).isInstanceOf(HashMap.class);

        AllKinds past = new AllKinds();
        codec.readPast(bytes, past, "test");
        assertThat(past.byName).isInstanceOf(PastMap.class);
        assertThat(past.inner.totals).isInstanceOf(PastMap.class);
        for (Map.Entry<String, Long> e : original.byName.entrySet()) {
            assertThat(past.byName.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        for (int i = 0; i < 300; i++) {
            assertThat(past.byId.get(new UUID(i, -i))).isEqualTo("v" + i);
            assertThat(past.byNumber.get((long) i * 1_000_003L - 5)).isEqualTo(new Item("item " + i, i));
            assertThat(past.byInt.get(-i)).isEqualTo(original.byInt.get(-i));
            assertThat(past.inner.totals.get("order-" + i)).isEqualTo((long) i * i);
        }
        assertThat(past.byNumber.get(5)).as("an Integer is not a Long key, as in a HashMap").isNull();
        assertThat(past.byName.get("missing")).isNull();
        assertThat(past.nulls.containsKey("none")).isTrue();
        assertThat(past.nulls.get("none")).isNull();
        assertThat(past.nulls.containsKey("other")).isFalse();
        assertThat(past.empty).isEmpty();
        assertThat(past.empty.get("x")).isNull();
        assertSame(past, original);
        assertThat(past.byName.hashCode()).isEqualTo(original.byName.hashCode());
    }

    @Test
    void a_json_snapshot_written_before_the_keyed_format_still_loads() throws Exception {
        SnapshotCodec codec = codec(Totals.class);
        byte[] json = "{\"totals\":{\"a\":1,\"b\":2}}".getBytes(StandardCharsets.UTF_8);
        Totals live = new Totals();
        codec.read(json, live);
        assertThat(live.totals).isInstanceOf(HashMap.class).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 2L));
        Totals past = new Totals();
        codec.readPast(json, past, "test");
        assertThat(past.totals).isInstanceOf(HashMap.class).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 2L));
        assertThat(codec.roundTrips(json, Totals::new)).as("a JSON snapshot and its keyed rewrite hold the same").isNull();
    }

    @Test
    void a_projection_without_eligible_maps_is_written_as_json_as_before() {
        SnapshotCodec codec = codec(Sorted.class);
        Sorted s = new Sorted();
        s.sums.put("a", 1L);
        assertThat(new String(codec.write(s), StandardCharsets.UTF_8)).isEqualTo("{\"sums\":{\"a\":1}}");
    }

    /** A TreeMap declared as such: not eligible. */
    static class Sorted {
        final TreeMap<String, Long> sums = new TreeMap<>();
    }

    private static byte[] totalsBytes(int n) {
        Totals t = new Totals();
        for (int i = 0; i < n; i++) {
            t.totals.put("k" + i, (long) i);
        }
        return codec(Totals.class).write(t);
    }

    /** Where the first (only) section's bucket table starts: after the magic, the JSON, the count, kind, n and bits. */
    private static int bucketTable(byte[] b) {
        int rest = ByteBuffer.wrap(b).getInt(4);
        return 4 + 4 + rest + 4 + 1 + 4 + 1;
    }

    @Test
    void a_damaged_layout_is_refused_naming_the_past_state_and_what_is_wrong() {
        SnapshotCodec codec = codec(Totals.class);
        byte[] good = totalsBytes(100);
        int table = bucketTable(good);
        int buckets = 32; // about n / 2 to n / 4
        int offsets = table + 4 * (buckets + 1) + 4 * 100;

        byte[] badBucket = good.clone();
        ByteBuffer.wrap(badBucket).putInt(table + 4 * 10, 1_000);
        assertThatThrownBy(() -> codec.readPast(badBucket, new Totals(), "the past state of 'x' at position 9"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("the past state of 'x' at position 9, map section 0 is damaged: a bucket table");

        // an entry's offsets are checked when a look-up reads it: the entries beside the damage refuse, the others answer
        byte[] badOffset = good.clone();
        ByteBuffer.wrap(badOffset).putInt(offsets + 4 * 3, ByteBuffer.wrap(good).getInt(offsets + 4 * 3) + 1);
        Totals past = new Totals();
        assertThatCode(() -> codec.readPast(badOffset, past, "p")).doesNotThrowAnyException();
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String key = "k" + i;
            try {
                assertThat(past.totals.get(key)).isEqualTo((long) i);
            } catch (CorruptStoreException e) {
                assertThat(e).hasMessageMatching("p, map section 0 is damaged: entry [23] is not where its offset says");
                refused.add(key);
            }
        }
        assertThat(refused).as("the keys whose buckets hold entry 2 or 3").isNotEmpty().hasSizeLessThan(100);
        Totals whole = new Totals(); // a full restore reads the JSON, not the offsets: the values are right
        assertThatCode(() -> codec.read(badOffset, whole)).doesNotThrowAnyException();
        assertThat(whole.totals).hasSize(100).containsEntry("k3", 3L);

        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 7);
        assertThatThrownBy(() -> codec.read(truncated, new Totals())).isInstanceOf(IOException.class)
                .hasMessageContaining("is damaged");

        byte[] badKind = good.clone();
        badKind[table - 6] = 9;
        assertThatThrownBy(() -> codec.read(badKind, new Totals())).isInstanceOf(IOException.class)
                .hasMessageContaining("an unknown key kind 9");

        byte[] badNumber = good.clone();
        int placeholder = new String(good, 8, ByteBuffer.wrap(good).getInt(4), StandardCharsets.UTF_8).indexOf('0') + 8;
        badNumber[placeholder] = '7';
        assertThatThrownBy(() -> codec.readPast(badNumber, new Totals(), "p")).isInstanceOf(IOException.class)
                .hasMessage("field 'totals' refers to map section 7, which the snapshot does not have (1 sections)");
    }

    @Test
    void a_damaged_value_is_an_error_naming_the_key_never_a_wrong_value() throws Exception {
        SnapshotCodec codec = codec(Totals.class);
        byte[] bytes = totalsBytes(10);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"k7\":") + 5;
        bytes[at] = 'x';
        Totals past = new Totals();
        codec.readPast(bytes, past, "the past state of 'x' at position 9");
        assertThat(past.totals.get("k6")).isEqualTo(6L);
        assertThatThrownBy(() -> past.totals.get("k7")).isInstanceOf(CorruptStoreException.class)
                .hasMessageStartingWith("the past state of 'x' at position 9, map section 0 is damaged: the value of key 'k7'"
                        + " cannot be read");
        assertThat(past.totals.size()).as("the size needs no value").isEqualTo(10);
        assertThatThrownBy(past.totals::entrySet).isInstanceOf(CorruptStoreException.class);
        assertThatThrownBy(() -> codec.read(bytes, new Totals())).isInstanceOf(IOException.class);
    }

    @Test
    void a_mutable_value_changed_in_place_stays_changed_as_in_the_live_map() throws Exception {
        SnapshotCodec codec = codec(Boxes.class);
        Boxes b = new Boxes();
        b.boxes.put("a", new Box());
        Boxes past = new Boxes();
        codec.readPast(codec.write(b), past, "test");
        past.boxes.get("a").count++;
        past.boxes.get("a").tags.add("seen");
        assertThat(past.boxes.get("a").count).isEqualTo(1);
        assertThat(past.boxes.values()).singleElement().satisfies(x -> assertThat(x.tags).containsExactly("seen"));
    }

    /**
     * The lazy map against a HashMap, under seeded random sequences of the operations handlers use: the
     * same answers, and the same contents at the end (checked through iteration, which decodes everything).
     */
    @Test
    void the_past_map_answers_as_a_hash_map_under_random_operations() throws Exception {
        long seed = Long.getLong("rewind.test.seed", System.nanoTime());
        SnapshotCodec codec = codec(Totals.class);
        Random random = new Random(seed);
        for (int trial = 0; trial < 200; trial++) {
            String where = "seed " + seed + " (replay with -Drewind.test.seed=" + seed + "), trial " + trial;
            int universe = 1 + random.nextInt(trial % 10 == 0 ? 3 : 400);
            Totals start = new Totals();
            int initial = random.nextInt(universe + 1);
            for (int i = 0; i < initial; i++) {
                start.totals.put("k" + random.nextInt(universe), random.nextInt(5) == 0 ? null : (long) random.nextInt(100));
            }
            HashMap<String, Long> model = new HashMap<>(start.totals);
            Totals past = new Totals();
            codec.readPast(codec.write(start), past, where);
            Map<String, Long> lazy = past.totals;
            int ops = 1 + random.nextInt(300);
            for (int op = 0; op < ops; op++) {
                String at = where + ", op " + op;
                Object key = random.nextInt(40) == 0 ? (Object) 3 : "k" + random.nextInt(universe + 2);
                String k = key instanceof String s ? s : "k0";
                Long v = random.nextInt(6) == 0 ? null : (long) random.nextInt(100);
                switch (random.nextInt(random.nextInt(50) == 0 ? 14 : 12)) {
                    case 0 -> assertThat(lazy.get(key)).as(at).isEqualTo(model.get(key));
                    case 1 -> assertThat(lazy.containsKey(key)).as(at).isEqualTo(model.containsKey(key));
                    case 2 -> assertThat(lazy.put(k, v)).as(at).isEqualTo(model.put(k, v));
                    case 3 -> assertThat(lazy.remove(key)).as(at).isEqualTo(model.remove(key));
                    case 4 -> {
                        Long by = v == null ? 1L : v;
                        assertThat(lazy.merge(k, by, Long::sum)).as(at).isEqualTo(model.merge(k, by, Long::sum));
                    }
                    case 5 -> assertThat(lazy.compute(k, (x, old) -> old == null ? v : (old % 3 == 0 ? null : old + 1)))
                            .as(at).isEqualTo(model.compute(k, (x, old) -> old == null ? v : (old % 3 == 0 ? null : old + 1)));
                    case 6 -> assertThat(lazy.computeIfAbsent(k, x -> v)).as(at).isEqualTo(model.computeIfAbsent(k, x -> v));
                    case 7 -> assertThat(lazy.putIfAbsent(k, v)).as(at).isEqualTo(model.putIfAbsent(k, v));
                    case 8 -> assertThat(lazy.getOrDefault(key, -1L)).as(at).isEqualTo(model.getOrDefault(key, -1L));
                    case 9 -> assertThat(lazy.size()).as(at).isEqualTo(model.size());
                    case 10 -> assertThat(lazy.isEmpty()).as(at).isEqualTo(model.isEmpty());
                    case 11 -> assertThat(lazy.computeIfPresent(k, (x, old) -> old % 2 == 0 ? null : old * 2)).as(at)
                            .isEqualTo(model.computeIfPresent(k, (x, old) -> old % 2 == 0 ? null : old * 2));
                    case 12 -> assertThat(lazy.equals(model) && model.equals(lazy)).as(at).isTrue();
                    default -> {
                        lazy.entrySet().removeIf(e -> e.getKey().hashCode() % 5 == 0);
                        model.entrySet().removeIf(e -> e.getKey().hashCode() % 5 == 0);
                    }
                }
            }
            assertThat(lazy.size()).as(where).isEqualTo(model.size());
            assertThat(new HashMap<>(lazy)).as(where).isEqualTo(model);
            assertThat(lazy).as(where).isEqualTo(model);
            assertThat(lazy.hashCode()).as(where).isEqualTo(model.hashCode());
        }
    }
}
