package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Polls;
import dev.rewind.Rewind;
import dev.rewind.Subscription;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.Totals;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.storage.memory.InMemoryStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The switch from catch-up to live under 8 concurrent writers: an asynchronous projection started on a
 * store that already holds events, and a subscription from position 0 made while the writers write,
 * each see every event once, in global order (so every stream in its order): no gap and no duplicate.
 * In memory, and on the durable file store, where the runners at the head wait for the appends' next
 * fsync to begin instead of being woken by each append.
 */
class CatchUpToLiveTest {
    private static final int WRITERS = 8;
    private static final int PER_WRITER = 1_500;
    /** Each durable append waits for an fsync: fewer of them keep the test short and still meet the switch. */
    private static final int PER_WRITER_DURABLE = 300;
    private static final int STORED_BEFORE = 3_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "file"})
    void no_gap_and_no_duplicate_at_the_switch_with_eight_writers(String kind) throws Exception {
        InMemoryStorage memory = new InMemoryStorage();
        // a Rewind closes its storage: the file store is opened again for the second one, as after a restart
        Supplier<EventStorage> storage = "file".equals(kind) ? () -> FileStorage.open(dir) : () -> memory;
        int perWriter = "file".equals(kind) ? PER_WRITER_DURABLE : PER_WRITER;
        try (Rewind seed = Rewind.builder().discoverPlugins(false).storage(storage.get()).eventTypes(Fixtures.EVENTS)
                .build()) {
            for (int i = 0; i < STORED_BEFORE / 10; i++) { // ten to an append: each durable one waits for an fsync
                seed.store().append("before-" + (i % 50), ExpectedVersion.any(),
                        Collections.nCopies(10, new Added("x", 1)));
            }
        }
        List<Long> subscribed = new CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).storage(storage.get()).eventTypes(Fixtures.EVENTS)
                .projection(Totals.class).projectionSettings("totals", ProjectionSettings.async().batchSize(64)).build()) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perWriter; i++) {
                        rewind.store().append("w" + id + "-" + (i % 20), ExpectedVersion.any(),
                                List.of(new Added("w" + id, 1), new Added("w" + id, 1)));
                    }
                });
                t.start();
                writers.add(t);
            }
            go.countDown();
            long underWay = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (rewind.store().nextPosition() == STORED_BEFORE && System.nanoTime() < underWay) {
                Thread.yield(); // subscribe once the writers are under way, so catch-up meets live appends
            }
            Subscription s = rewind.projections().subscribe(null, 0, e -> subscribed.add(e.globalPosition()));
            try {
                for (Thread t : writers) {
                    t.join(TimeUnit.SECONDS.toMillis(60));
                }
                long head = rewind.store().nextPosition();
                assertThat(head).isEqualTo(STORED_BEFORE + WRITERS * perWriter * 2L);

                Map<String, List<Long>> versions = rewind.projections().query(Totals.class, ReadPoint.atLeast(head - 1),
                        Totals::versions);
                Polls.until(() -> subscribed.size() >= head, Duration.ofSeconds(30),
                        "the subscription to be given every position below " + head);

                assertThat(subscribed).as("the subscription saw every position once, in order")
                        .containsExactlyElementsOf(LongStream.range(0, head).boxed().toList());
                long applied = 0;
                for (Map.Entry<String, List<Long>> stream : versions.entrySet()) {
                    List<Long> v = stream.getValue();
                    assertThat(v).as("stream %s in its order, each version once", stream.getKey())
                            .containsExactlyElementsOf(LongStream.range(0, v.size()).boxed().toList());
                    assertThat((long) v.size()).isEqualTo(rewind.store().lastVersion(stream.getKey()) + 1);
                    applied += v.size();
                }
                assertThat(applied).isEqualTo(head);
                assertThat(rewind.projections().verify("totals").ok()).isTrue();
            } finally {
                s.close();
            }
        }
    }
}
