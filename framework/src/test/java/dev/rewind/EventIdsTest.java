package dev.rewind;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class EventIdsTest {
    private static int compareUnsigned(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    @Test
    void idsAreVersion7VariantRfcAndCarryTheTimeInMilliseconds() {
        long before = System.currentTimeMillis();
        UUID id = EventIds.next();
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        long millis = id.getMostSignificantBits() >>> 16;
        assertThat(millis).isGreaterThanOrEqualTo(before).isLessThan(before + 60_000);
    }

    @Test
    void everyIdIsGreaterThanTheOneBeforeEvenWithinOneMillisecond() {
        UUID previous = EventIds.next();
        for (int i = 0; i < 200_000; i++) { // far more than 4096 per millisecond: the counter carries
            UUID id = EventIds.next();
            assertThat(compareUnsigned(id, previous)).as("id %s after %s", id, previous).isPositive();
            assertThat(id.version()).isEqualTo(7);
            previous = id;
        }
    }

    @Test
    void threadsNeverShareAnId() throws InterruptedException {
        ConcurrentLinkedQueue<UUID> all = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                UUID previous = EventIds.next();
                for (int i = 0; i < 50_000; i++) {
                    UUID id = EventIds.next();
                    if (compareUnsigned(id, previous) <= 0) {
                        throw new AssertionError(id + " after " + previous + " in one thread");
                    }
                    all.add(id);
                    previous = id;
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        Set<Long> msbs = new HashSet<>();
        for (UUID id : all) {
            msbs.add(id.getMostSignificantBits());
        }
        assertThat(all).hasSize(200_000);
        assertThat(msbs).as("the timestamp + counter half alone is unique across threads").hasSize(200_000);
    }
}
