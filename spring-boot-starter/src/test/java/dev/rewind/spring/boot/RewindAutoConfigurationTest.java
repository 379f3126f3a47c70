package dev.rewind.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Projections;
import dev.rewind.Rewind;
import dev.rewind.command.CommandGateway;
import dev.rewind.command.CommandResult;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spring.boot.other.Counted;
import dev.rewind.spring.boot.sample.Noted;
import dev.rewind.spring.boot.sample.SampleApp;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.spring.boot.injected.Loudspeaker;
import dev.rewind.spring.boot.injected.ShoutedNotes;
import dev.rewind.spring.boot.service.StampTicket;
import dev.rewind.spring.boot.service.Stamped;
import dev.rewind.spring.boot.service.StampingService;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.storage.memory.InMemoryStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * The auto-configuration in a real Spring context (Spring Boot's {@link ApplicationContextRunner}): what
 * the properties change, what the application's own beans replace, and that the context's shutdown
 * closes the store.
 */
class RewindAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RewindAutoConfiguration.class))
            .withUserConfiguration(SampleApp.class)
            .withPropertyValues("rewind.storage=memory:");

    @Test
    void rewind_its_store_projections_and_command_gateway_are_beans_and_the_application_package_is_scanned() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Rewind.class).hasSingleBean(EventStore.class)
                    .hasSingleBean(Projections.class).hasSingleBean(CommandGateway.class);
            Rewind rewind = context.getBean(Rewind.class);
            assertThat(context.getBean(EventStore.class)).isSameAs(rewind.store());
            assertThat(context.getBean(Projections.class)).isSameAs(rewind.projections());
            assertThat(context.getBean(CommandGateway.class)).isSameAs(rewind.commands());

            // found by scanning SampleApp's package, which nothing configured
            rewind.store().append("notes", ExpectedVersion.noStream(), List.of(new Noted("first")));
            List<String> notes = context.getBean(Projections.class).state("notes");
            assertThat(notes).containsExactly("first");
            assertThat(rewind.projections().names()).doesNotContain("counter");
        });
    }

    @Test
    void scan_packages_replaces_the_application_package() {
        runner.withPropertyValues("rewind.scan-packages=dev.rewind.spring.boot.other").run(context -> {
            assertThat(context).hasNotFailed();
            Rewind rewind = context.getBean(Rewind.class);
            assertThat(rewind.projections().names()).contains("counter").doesNotContain("notes");
            rewind.store().append("c", ExpectedVersion.any(), List.of(new Counted(2), new Counted(3)));
            assertThat(rewind.projections().<Long>state("counter")).isEqualTo(5L);
        });
    }

    @Test
    void plugins_on_the_class_path_are_loaded_unless_discovery_is_off() {
        runner.run(context -> assertThat(context.getBean(Projections.class).names()).contains("plugin_event_count"));
        runner.withPropertyValues("rewind.discover-plugins=false").run(context ->
                assertThat(context.getBean(Projections.class).names())
                        .contains("notes").doesNotContain("plugin_event_count"));
    }

    @Test
    void the_storage_url_is_opened_and_the_store_is_closed_with_the_context(@TempDir Path tmp) {
        Path dir = tmp.resolve("store");
        runner.withPropertyValues("rewind.storage=file:" + dir).run(context -> {
            assertThat(context).hasNotFailed();
            context.getBean(EventStore.class).append("notes", ExpectedVersion.noStream(), List.of(new Noted("kept")));
            // the writer holds the directory's lock while the context runs
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> FileStorage.openReadOnly(dir).close()))
                    .as("a reader while the context's writer is open").isNotNull();
        });
        // closed by the context: the lock is free and the event is there
        try (FileStorage reopened = FileStorage.openReadOnly(dir)) {
            assertThat(reopened.nextPosition()).isEqualTo(1);
        }
    }

    @Test
    void the_applications_own_storage_bean_wins_over_the_url() {
        runner.withUserConfiguration(OwnStorage.class).withPropertyValues("rewind.storage=file:never-created")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    context.getBean(EventStore.class).append("notes", ExpectedVersion.noStream(),
                            List.of(new Noted("in the bean's storage")));
                    assertThat(context.getBean(InMemoryStorage.class).nextPosition()).isEqualTo(1);
                    assertThat(Path.of("never-created")).doesNotExist();
                });
    }

    @Test
    void the_applications_own_rewind_bean_wins_and_the_other_beans_are_its() {
        runner.withUserConfiguration(OwnRewind.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Rewind.class);
            Rewind own = context.getBean(Rewind.class);
            assertThat(own.projections().names()).containsExactly("counter"); // built by OwnRewind, not by us
            assertThat(context.getBean(EventStore.class)).isSameAs(own.store());
            assertThat(context.getBean(Projections.class)).isSameAs(own.projections());
            assertThat(context.getBean(CommandGateway.class)).isSameAs(own.commands());
        });
    }

    @Test
    void customizers_run_in_order_after_the_properties() {
        Instant fixed = Instant.parse("2024-05-01T15:00:00Z");
        runner.withUserConfiguration(Customizers.class).run(context -> {
            EventStore store = context.getBean(EventStore.class);
            store.append("notes", ExpectedVersion.noStream(), List.of(new Noted("at three")));
            assertThat(store.readStream("notes", 0).get(0).recordedAt()).isEqualTo(fixed);
        });
    }

    @Test
    void a_command_handler_service_is_the_applications_bean_or_created_by_spring_with_its_dependencies() {
        String scan = "rewind.scan-packages=dev.rewind.spring.boot.service";
        runner.withUserConfiguration(Stamping.class).withPropertyValues(scan).run(context -> {
            assertThat(context).hasNotFailed();
            CommandResult r = context.getBean(CommandGateway.class).send(new StampTicket("7"));
            assertThat(r.payloads()).containsExactly(new Stamped("7", "clerk-from-spring"));
        });
        // not a bean, registered nowhere: found by scanning, created by Spring with the clerk injected
        runner.withUserConfiguration(Clerk.class).withPropertyValues(scan).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(StampingService.class);
            CommandResult r = context.getBean(CommandGateway.class).send(new StampTicket("8"));
            assertThat(r.payloads()).containsExactly(new Stamped("8", "clerk-from-spring"));
        });
        // its dependency missing: start-up stops, naming the service
        runner.withPropertyValues(scan).run(context ->
                assertThat(context).hasFailed().getFailure().hasMessageContaining(
                        "command handler service " + StampingService.class.getName() + " cannot be created"));
    }

    @Test
    void a_projection_gets_its_constructor_injected_bean_and_a_rebuild_gets_a_fresh_instance() {
        runner.withUserConfiguration(Speakers.class)
                .withPropertyValues("rewind.scan-packages=dev.rewind.spring.boot.sample,dev.rewind.spring.boot.injected")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Projections projections = context.getBean(Projections.class);
                    Loudspeaker speaker = context.getBean(Loudspeaker.class);
                    long last = context.getBean(EventStore.class).append("notes", ExpectedVersion.noStream(),
                            List.of(new Noted("hello"), new Noted("again"))).lastPosition();
                    assertThat(projections.query(ShoutedNotes.class, ReadPoint.atLeast(last), ShoutedNotes::notes))
                            .containsExactly("HELLO!", "AGAIN!");
                    int before = projections.query(ShoutedNotes.class, ShoutedNotes::instance);

                    projections.rebuild("shouted_notes");

                    int after = projections.query(ShoutedNotes.class, ReadPoint.atLeast(last), ShoutedNotes::instance);
                    assertThat(after).as("a new instance, created by Spring with the same bean").isGreaterThan(before);
                    assertThat(speaker.listeners()).isGreaterThanOrEqualTo(after);
                    assertThat(projections.query(ShoutedNotes.class, ShoutedNotes::notes))
                            .containsExactly("HELLO!", "AGAIN!");
                    assertThat(context).as("a projection is not a bean of the context").doesNotHaveBean(ShoutedNotes.class);
                });
    }

    @Test
    void the_projection_properties_set_how_projections_run() {
        runner.withPropertyValues("rewind.projections.defaults.mode=async",
                        "rewind.projections.defaults.snapshot-every-events=100",
                        "rewind.projections.named.notes.mode=sync",
                        "rewind.projections.named.notes.failure.max-attempts=3",
                        "rewind.projections.named.notes.failure.then=park")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    RewindProperties properties = context.getBean(RewindProperties.class);
                    RunnerProperties runners = properties.getProjections();
                    ProjectionSettings defaults = runners.resolveDefaults();
                    assertThat(defaults.mode()).isEqualTo(ProjectionSettings.Mode.ASYNC);
                    assertThat(defaults.snapshotEveryEvents()).isEqualTo(100);
                    assertThat(defaults.snapshotEveryTime()).as("from async()").isEqualTo(ProjectionSettings.async()
                            .snapshotEveryTime());
                    ProjectionSettings notes = runners.resolve(runners.getNamed().get("notes"));
                    assertThat(notes.mode()).isEqualTo(ProjectionSettings.Mode.SYNC);
                    assertThat(notes.snapshotEveryEvents()).as("inherited from the defaults").isEqualTo(100);
                    assertThat(notes.failurePolicy()).isEqualTo(new FailurePolicy(3, Duration.ZERO, Duration.ZERO,
                            FailurePolicy.Then.PARK));
                    assertThat(context.getBean(Projections.class).status("notes").mode())
                            .isEqualTo(ProjectionSettings.Mode.SYNC);
                });
        runner.withPropertyValues("rewind.projections.defaults.failure.max-attempts=3",
                        "rewind.projections.defaults.failure.max-delay=1s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("a synchronous runner is fed on the appending thread"));
    }

    @Test
    void a_start_up_mistake_fails_the_context_with_the_frameworks_message() {
        runner.withPropertyValues("rewind.storage=nosuch:place").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("nosuch"));
        runner.withPropertyValues("rewind.command-attempts=0").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("command attempts must be 1 or more, was 0"));
    }

    @Configuration(proxyBeanMethods = false)
    static class Stamping {
        @Bean
        String clerk() {
            return "clerk-from-spring";
        }

        @Bean
        StampingService stampingService(String clerk) {
            return new StampingService(clerk);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class Clerk {
        @Bean
        String clerk() {
            return "clerk-from-spring";
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Speakers {
        @Bean
        Loudspeaker loudspeaker() {
            return new Loudspeaker();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStorage {
        @Bean
        InMemoryStorage storage() {
            return new InMemoryStorage();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRewind {
        @Bean
        Rewind ownRewind() {
            return Rewind.builder().storage("memory:").discoverPlugins(false)
                    .scanPackages("dev.rewind.spring.boot.other").build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        @Bean
        @Order(2)
        RewindBuilderCustomizer fixedClock() {
            return b -> b.clock(Clock.fixed(Instant.parse("2024-05-01T15:00:00Z"), ZoneOffset.UTC));
        }

        @Bean
        @Order(1)
        RewindBuilderCustomizer earlierClock() {
            // runs first, so the fixed clock above replaces it
            return b -> b.clock(Clock.fixed(Instant.parse("2000-01-01T00:00:00Z"), ZoneOffset.UTC));
        }
    }
}
