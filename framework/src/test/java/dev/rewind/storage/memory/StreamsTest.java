package dev.rewind.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamsTest {
    @Test
    void manyStreamsAreFoundByIdAndUnknownOnesAreNot() {
        Streams streams = new Streams();
        for (int i = 0; i < 50_000; i++) {
            assertThat(streams.find("order-" + i)).isEqualTo(-1);
            assertThat(streams.create(new String("order-" + i))).isEqualTo(i);
        }
        for (int i = 0; i < 50_000; i++) {
            int s = streams.find("order-" + i);
            assertThat(s).isEqualTo(i);
            assertThat(streams.id(s)).isEqualTo("order-" + i);
            assertThat(streams.count(s)).isZero();
        }
        assertThat(streams.find("order-50000")).isEqualTo(-1);
        assertThat(streams.find("")).isEqualTo(-1);
    }

    @Test
    void positionsOfInterleavedStreamsReadBackInAnyRangeAcrossChunks() {
        Streams streams = new Streams();
        int a = streams.create("a");
        int b = streams.create("b");
        List<Integer> ofA = new ArrayList<>();
        List<Integer> ofB = new ArrayList<>();
        Random random = new Random(1);
        int position = 0;
        while (ofA.size() < 20_000) { // far past the 4096-position chunks
            int n = 1 + random.nextInt(random.nextBoolean() ? 3 : 700);
            boolean toA = random.nextBoolean();
            streams.add(toA ? a : b, position, n);
            for (int i = 0; i < n; i++) {
                (toA ? ofA : ofB).add(position + i);
            }
            position += n;
        }
        assertThat(streams.count(a)).isEqualTo(ofA.size());
        assertThat(streams.count(b)).isEqualTo(ofB.size());
        assertRanges(streams, a, ofA, random);
        assertRanges(streams, b, ofB, random);
    }

    private static void assertRanges(Streams streams, int s, List<Integer> expected, Random random) {
        int[] all = new int[expected.size()];
        streams.positions(s, 0, expected.size(), all);
        for (int i = 0; i < all.length; i++) {
            assertThat(all[i]).as("version %s", i).isEqualTo(expected.get(i));
        }
        for (int k = 0; k < 200; k++) {
            int from = random.nextInt(expected.size());
            int to = from + random.nextInt(Math.min(5000, expected.size() - from) + 1);
            int[] part = new int[to - from];
            streams.positions(s, from, to, part);
            for (int i = 0; i < part.length; i++) {
                assertThat(part[i]).isEqualTo(expected.get(from + i));
            }
        }
    }
}
