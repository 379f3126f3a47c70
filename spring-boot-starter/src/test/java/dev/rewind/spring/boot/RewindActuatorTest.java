package dev.rewind.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.ProjectionStatus;
import dev.rewind.Projections;
import dev.rewind.Rewind;
import dev.rewind.Subscription;
import dev.rewind.micrometer.RewindMetrics;
import dev.rewind.spring.boot.sample.Noted;
import dev.rewind.spring.boot.sample.SampleApp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Metrics, the health indicator and the endpoint, each configured when its classes are on the class path. */
class RewindActuatorTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RewindMetricsAutoConfiguration.class,
                    RewindAutoConfiguration.class, RewindActuatorAutoConfiguration.class))
            .withUserConfiguration(SampleApp.class)
            .withPropertyValues("rewind.storage=memory:");

    @Test
    void with_micrometer_the_rewind_reports_to_the_registry_the_binding_is_bound_to() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RewindMetrics.class);
            // Spring Boot's metrics support binds every MeterBinder bean; here the test does it
            MeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(RewindMetrics.class).bindTo(registry);
            context.getBean(EventStore.class).append("notes", ExpectedVersion.noStream(), List.of(new Noted("a")));

            assertThat(registry.get("rewind.appends").timer().count()).isEqualTo(1);
            assertThat(registry.get("rewind.events.stored").gauge().value()).isEqualTo(1);
            assertThat(registry.get("rewind.projection.lag.events").tag("projection", "notes").gauge().value()).isZero();
        });
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context ->
                assertThat(context).hasNotFailed().doesNotHaveBean(RewindMetrics.class));
    }

    @Test
    void the_health_is_up_with_each_projection_in_its_details_and_down_once_closed() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(RewindHealthIndicator.class);
            Health health = context.getBean(RewindHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("store", "open").containsEntry("maxLagEvents", 10_000L);
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> projections = (Map<String, Map<String, Object>>) health.getDetails()
                    .get("projections");
            assertThat(projections.get("notes")).containsEntry("health", "live").containsEntry("lag", 0L);

            context.getBean(Rewind.class).close();
            assertThat(context.getBean(RewindHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN);
        });
        runner.withPropertyValues("management.health.rewind.enabled=false").run(context ->
                assertThat(context).hasNotFailed().doesNotHaveBean(RewindHealthIndicator.class));
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(context ->
                assertThat(context).hasNotFailed().doesNotHaveBean(RewindHealthIndicator.class)
                        .hasSingleBean(RewindProjectionsEndpoint.class));
    }

    @Test
    void a_runner_lagging_beyond_the_threshold_is_out_of_service_and_a_failed_one_is_down() throws Exception {
        runner.withPropertyValues("rewind.health.max-lag-events=1").run(context -> {
            Projections projections = context.getBean(Projections.class);
            EventStore store = context.getBean(EventStore.class);
            HealthIndicator indicator = context.getBean(RewindHealthIndicator.class);
            CountDownLatch release = new CountDownLatch(1);
            Subscription slow = projections.subscribe("slow", 0, e -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt(); // closing the subscription interrupts it
                }
            });
            try {
                store.append("notes", ExpectedVersion.noStream(), List.of(new Noted("a"), new Noted("b"), new Noted("c")));
                // the subscription holds its first event until released: 2 or 3 events behind, over the threshold
                assertThat(projections.status("slow").lag()).isGreaterThan(1);
                assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            } finally {
                release.countDown();
                slow.close();
            }

            Subscription failing = projections.subscribe("failing", 0, e -> {
                throw new IllegalStateException("cannot handle " + e.eventId());
            });
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                // bounded poll: the subscription fails on its own thread
                while (projections.status("failing").state() != ProjectionStatus.State.FAILED
                        && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                Health health = indicator.health();
                assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> details = (Map<String, Map<String, Object>>) health.getDetails()
                        .get("projections");
                assertThat(details.get("failing")).containsEntry("health", "failed").containsEntry("failedAt", 0L);
                assertThat((String) details.get("failing").get("error")).contains("cannot handle");
            } finally {
                failing.close();
            }
        });
    }

    @Test
    void the_endpoint_lists_every_projection_and_answers_for_one() {
        runner.run(context -> {
            RewindProjectionsEndpoint endpoint = context.getBean(RewindProjectionsEndpoint.class);
            context.getBean(EventStore.class).append("notes", ExpectedVersion.noStream(), List.of(new Noted("a")));

            RewindProjectionsEndpoint.ProjectionsDescriptor all = endpoint.projections();
            assertThat(all.eventsStored()).isEqualTo(1);
            assertThat(all.projections()).extracting(ProjectionStatus::name).contains("notes");
            assertThat(endpoint.projection("notes").lastPosition()).isZero();
            assertThat(endpoint.projection("no_such_thing")).isNull();
        });
    }
}
