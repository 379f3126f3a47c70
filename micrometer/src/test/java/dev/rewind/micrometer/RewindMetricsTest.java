package dev.rewind.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.runtime.Fixtures;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.Counting;
import dev.rewind.projection.runtime.Fixtures.FragileTotals;
import dev.rewind.storage.file.FileStorage;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Micrometer binding on a real file store, read through a SimpleMeterRegistry. */
class RewindMetricsTest {
    @TempDir
    Path dir;

    @AfterEach
    void reset() {
        Fixtures.FAILURES.clear();
    }

    private static double gauge(SimpleMeterRegistry registry, String name, String projection) {
        return registry.get(name).tag("projection", projection).gauge().value();
    }

    @Test
    void appends_events_stored_projection_lag_and_the_file_store_figures_become_meters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RewindMetrics metrics = new RewindMetrics(Tags.of("app", "test"));
        metrics.bindTo(registry); // before the start: the gauges come when it starts
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).storage(FileStorage.open(dir))
                .eventTypes(Fixtures.EVENTS).projection(Counting.class).observer(metrics).build()) {
            rewind.store().append("a", ExpectedVersion.noStream(), List.of(new Added("c", 1), new Added("c", 2)));
            rewind.store().append("a", ExpectedVersion.exactly(1), List.of(new Added("c", 3)));

            assertThat(registry.get("rewind.appends").tag("app", "test").timer().count()).isEqualTo(2);
            assertThat(registry.get("rewind.appends").timer().totalTime(TimeUnit.NANOSECONDS)).isPositive();
            assertThat(registry.get("rewind.append.events").summary().totalAmount()).isEqualTo(3);
            assertThat(registry.get("rewind.append.events").summary().max()).isEqualTo(2);
            assertThat(registry.get("rewind.events.stored").gauge().value()).isEqualTo(3);
            assertThat(gauge(registry, "rewind.projection.lag.events", "counting")).isZero();
            assertThat(gauge(registry, "rewind.projection.lag.seconds", "counting")).isZero();
            assertThat(gauge(registry, "rewind.projection.position", "counting")).isEqualTo(2);
            assertThat(gauge(registry, "rewind.projection.parked", "counting")).isZero();
            assertThat(gauge(registry, "rewind.projection.failed", "counting")).isZero();
            assertThat(registry.get("rewind.projection.lag.events").tag("kind", "projection").gauge()).isNotNull();

            FunctionTimer fsync = registry.get("rewind.file.fsync").functionTimer();
            assertThat(fsync.count()).as("fsyncs").isGreaterThanOrEqualTo(1);
            assertThat(fsync.totalTime(TimeUnit.NANOSECONDS)).isPositive();
            assertThat(registry.get("rewind.file.group.size").gauge().value()).isPositive();
            assertThat(registry.get("rewind.file.appends").functionCounter().count()).isEqualTo(2);

            SimpleMeterRegistry late = new SimpleMeterRegistry();
            metrics.bindTo(late); // after the start: registered at once
            assertThat(late.get("rewind.events.stored").gauge().value()).isEqualTo(3);
        }
        assertThat(registry.getMeters()).extracting(m -> m.getId().getName())
                .as("the figures of a closed Rewind are removed; the append totals stay")
                .containsOnly("rewind.appends", "rewind.append.events");
    }

    @Test
    void parked_events_and_a_lagging_asynchronous_projection_show_in_their_gauges() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RewindMetrics metrics = new RewindMetrics();
        metrics.bindTo(registry);
        Fixtures.FAILURES.put("bad", 1_000);
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).storage(FileStorage.open(dir))
                .eventTypes(Fixtures.EVENTS).projection(FragileTotals.class).observer(metrics)
                .projectionSettings("fragile_totals", ProjectionSettings.async()
                        .failurePolicy(FailurePolicy.stop().thenPark()))
                .build()) {
            long last = rewind.store().append("x", ExpectedVersion.noStream(),
                    List.of(new Added("bad", 1), new Added("bad", 2))).lastPosition();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // bounded poll: the runner parks on its own thread
            while (gauge(registry, "rewind.projection.parked", "fragile_totals") < 2 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(gauge(registry, "rewind.projection.parked", "fragile_totals")).isEqualTo(2);
            assertThat(gauge(registry, "rewind.projection.position", "fragile_totals")).isEqualTo(last);
            assertThat(gauge(registry, "rewind.projection.lag.events", "fragile_totals")).isZero();
        }
    }

    @Test
    void a_subscription_made_after_the_start_gets_its_gauges_at_the_next_reading() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RewindMetrics metrics = new RewindMetrics();
        metrics.bindTo(registry);
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).storage(FileStorage.open(dir))
                .eventTypes(Fixtures.EVENTS).projection(Counting.class).observer(metrics).build()) {
            rewind.projections().subscribe("audit", 0, e -> { });
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (registry.find("rewind.projection.lag.events").tag("projection", "audit").gauge() == null
                    && System.nanoTime() < deadline) {
                registry.get("rewind.projection.lag.events").tag("projection", "counting").gauge().value();
                TimeUnit.MILLISECONDS.sleep(50);
            }
            Meter audit = registry.find("rewind.projection.lag.events").tag("projection", "audit").gauge();
            assertThat(audit).isNotNull();
            assertThat(audit.getId().getTag("kind")).isEqualTo("subscription");
        }
    }
}
