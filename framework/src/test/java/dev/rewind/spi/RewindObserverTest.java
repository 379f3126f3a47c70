package dev.rewind.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.ProjectionStatus;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.projection.runtime.Fixtures;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.Counting;
import dev.rewind.spi.storage.StorageMeter;
import dev.rewind.storage.file.FileStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The observer SPI: appends are pushed with their size and time, the rest is read from the view handed
 * over at start (events stored, projection statuses, the file store's meters), and closing is told.
 */
class RewindObserverTest {
    @TempDir
    Path dir;

    /** Records what it is told. */
    private static final class Recording implements RewindObserver {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Long> nanos = new CopyOnWriteArrayList<>();
        volatile ObservedRewind view;

        @Override
        public void started(ObservedRewind rewind) {
            view = rewind;
            calls.add("started");
        }

        @Override
        public void appended(int events, long took) {
            calls.add("appended " + events);
            nanos.add(took);
        }

        @Override
        public void closed() {
            calls.add("closed");
        }
    }

    @Test
    void appends_are_pushed_and_the_figures_are_read_from_the_view() {
        Recording first = new Recording();
        Recording second = new Recording();
        Rewind rewind = Rewind.builder().discoverPlugins(false).storage(FileStorage.open(dir))
                .eventTypes(Fixtures.EVENTS).projection(Counting.class).observer(first).observer(second).build();
        try (rewind) {
            rewind.store().append("a", ExpectedVersion.noStream(), List.of(new Added("c", 1), new Added("c", 2)));
            rewind.store().appendRaw("b", ExpectedVersion.noStream(),
                    List.of(RawEvent.of("Added", 1, "{\"counter\":\"d\",\"by\":3}")));

            assertThat(first.calls).containsExactly("started", "appended 2", "appended 1");
            assertThat(second.calls).as("every observer is told").isEqualTo(first.calls);
            assertThat(first.nanos).allMatch(n -> n > 0);

            ObservedRewind view = first.view;
            assertThat(view.isOpen()).isTrue();
            assertThat(view.eventsStored()).isEqualTo(3);
            assertThat(view.statuses()).extracting(ProjectionStatus::name, ProjectionStatus::lag)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("counting", 0L));
            Map<String, StorageMeter> meters = view.storageMeters().stream()
                    .collect(Collectors.toMap(StorageMeter::name, Function.identity()));
            assertThat(meters).containsOnlyKeys("rewind.file.fsync", "rewind.file.group.size", "rewind.file.appends");
            assertThat(meters.get("rewind.file.fsync").value().getAsDouble()).as("fsyncs").isGreaterThanOrEqualTo(1);
            assertThat(meters.get("rewind.file.fsync").totalNanos().getAsDouble()).isPositive();
            assertThat(meters.get("rewind.file.appends").value().getAsDouble()).isEqualTo(2);
            assertThat(meters.get("rewind.file.group.size").value().getAsDouble()).isPositive();
        }
        assertThat(first.calls).endsWith("closed");
        assertThat(first.view.isOpen()).isFalse();
        assertThat(first.view.statuses()).as("a closed Rewind reports nothing, without failing").isEmpty();
        assertThat(first.view.eventsStored()).isZero();
    }

    @Test
    void a_meter_name_must_follow_the_conventions() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StorageMeter.gauge("Rewind-Pool", null, "x", () -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Rewind-Pool'");
    }

    @Test
    void an_observer_that_throws_does_not_fail_the_append() {
        RewindObserver failing = new RewindObserver() {
            @Override
            public void appended(int events, long nanos) {
                throw new IllegalStateException("the registry is gone");
            }
        };
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).storage(FileStorage.open(dir))
                .eventTypes(Fixtures.EVENTS).observer(failing).build()) {
            long last = rewind.store().append("a", ExpectedVersion.noStream(), List.of(new Added("c", 1))).lastPosition();
            assertThat(last).isZero();
            assertThat(rewind.store().nextPosition()).isEqualTo(1);
        }
    }
}
