package dev.rewind.storage.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.EventIds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdIndexTest {
    private static final int N = 20_000;

    /** Fills an index with the ids in the given order, at positions 0..n-1, as the storage does. */
    private static IdIndex fill(Columns idOf, List<UUID> ids) {
        IdIndex index = new IdIndex();
        for (int p = 0; p < ids.size(); p++) {
            assertThat(idOf.get(index, ids.get(p))).as("id %s before it is added", p).isEqualTo(-1);
            idOf.msb[p] = ids.get(p).getMostSignificantBits();
            idOf.lsb[p] = ids.get(p).getLeastSignificantBits();
            index.add(ids.get(p), p);
        }
        return index;
    }

    /** The storage's two id columns. */
    private record Columns(long[] msb, long[] lsb) {
        Columns(int n) {
            this(new long[n], new long[n]);
        }

        int get(IdIndex index, UUID id) {
            return index.get(id, msb, lsb);
        }
    }

    private static void assertFindsAll(IdIndex index, Columns idOf, List<UUID> ids) {
        for (int p = 0; p < ids.size(); p++) {
            assertThat(idOf.get(index, ids.get(p))).isEqualTo(p);
        }
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            assertThat(idOf.get(index, new UUID(random.nextLong(), random.nextLong()))).isEqualTo(-1);
            UUID fresh = EventIds.next(); // greater than everything, and one between the stored ones
            assertThat(idOf.get(index, fresh)).isEqualTo(-1);
        }
    }

    @Test
    void idsMadeByRewindAreAppendedInOrderAndFound() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            ids.add(EventIds.next());
        }
        Columns idOf = new Columns(N);
        IdIndex index = fill(idOf, ids);
        assertThat(index.outOfOrder()).isZero();
        assertFindsAll(index, idOf, ids);
    }

    @Test
    void idsInAnyOrderAreFoundIncludingOnesWhoseTopBitIsSet() {
        Random random = new Random(42);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            ids.add(i % 3 == 0 ? UUID.randomUUID() : new UUID(random.nextLong(), random.nextLong()));
        }
        ids.add(new UUID(-1L, -1L)); // the greatest id, compared unsigned
        ids.add(new UUID(0L, 0L));
        ids.add(new UUID(Long.MIN_VALUE, 0L));
        Columns idOf = new Columns(ids.size());
        IdIndex index = fill(idOf, ids);
        assertThat(index.outOfOrder()).isPositive();
        assertFindsAll(index, idOf, ids);
    }

    @Test
    void mostlyOrderedIdsWithSomeOutOfPlaceAreAllFound() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            ids.add(EventIds.next());
        }
        Random random = new Random(3);
        for (int i = 0; i < N; i += 50) { // as concurrent appenders would leave them: neighbours swapped
            Collections.swap(ids, i, Math.min(N - 1, i + 1 + random.nextInt(20)));
        }
        Columns idOf = new Columns(N);
        IdIndex index = fill(idOf, ids);
        assertThat(index.outOfOrder()).isBetween(1, N / 2); // an id moved ahead sends the ones it passed to the table
        assertFindsAll(index, idOf, ids);
    }
}
