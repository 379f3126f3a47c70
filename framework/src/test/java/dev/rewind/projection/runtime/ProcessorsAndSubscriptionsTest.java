package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.EventListener;
import dev.rewind.ExpectedVersion;
import dev.rewind.Polls;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.Subscription;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.Notifier;
import dev.rewind.projection.runtime.Fixtures.Replays;
import dev.rewind.storage.memory.InMemoryStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Event processors (asynchronous, checkpointed, at least once, never replayed), subscriptions from a
 * position or an instant (durable when named, with the failure policy), and {@code @Replaying}.
 */
class ProcessorsAndSubscriptionsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final InMemoryStorage storage = new InMemoryStorage();

    @AfterEach
    void clear() {
        Fixtures.FAILURES.clear();
    }

    private Rewind.Builder builder() {
        return Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Fixtures.EVENTS);
    }

    private static AppendResult add(Rewind rewind, String counter) {
        return rewind.store().append("c-" + counter, ExpectedVersion.any(), List.of(new Added(counter, 1)));
    }

    @Test
    void a_processor_handles_each_event_with_its_id_as_idempotency_key_resumes_after_a_restart_and_is_never_rebuilt() {
        List<UUID> outbox = new CopyOnWriteArrayList<>();
        List<UUID> appended = new ArrayList<>();
        try (Rewind rewind = builder().eventProcessors(new Notifier(outbox)).build()) {
            for (int i = 0; i < 5; i++) {
                appended.add(add(rewind, "a").events().get(0).eventId());
            }
            Polls.until(() -> outbox.size() == 5, WAIT, "five notifications");
            assertThatThrownBy(() -> rewind.projections().rebuild("notifier"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("processor 'notifier' cannot be rebuilt: only projections are (a processor's side effects"
                            + " are never replayed)");
            assertThat(rewind.projections().status("notifier").kind()).isEqualTo(ProjectionStatus.Kind.PROCESSOR);
        }
        try (Rewind again = builder().eventProcessors(new Notifier(outbox)).build()) {
            appended.add(add(again, "a").events().get(0).eventId());
            Polls.until(() -> outbox.size() == 6, WAIT, "the sixth notification");
            assertThat(outbox).as("each event once: the checkpoint survived the restart").isEqualTo(appended);
            assertThat(again.projections().verify("notifier").ok()).isTrue();
        }
    }

    @Test
    void a_new_processor_starts_after_the_events_already_stored() {
        List<UUID> outbox = new CopyOnWriteArrayList<>();
        try (Rewind before = builder().build()) {
            add(before, "old");
        }
        try (Rewind rewind = builder().eventProcessors(new Notifier(outbox)).build()) {
            UUID fresh = add(rewind, "new").events().get(0).eventId();
            Polls.until(() -> outbox.size() == 1, WAIT, "one notification");
            assertThat(outbox).containsExactly(fresh);
            assertThat(rewind.projections().verify("notifier").ok()).isTrue();
        }
    }

    @Test
    void a_failing_processor_parks_and_a_retry_sends_in_order() {
        List<UUID> outbox = new CopyOnWriteArrayList<>();
        try (Rewind rewind = builder().eventProcessors(new Notifier(outbox))
                .projectionSettings("notifier", ProjectionSettings.async()
                        .failurePolicy(FailurePolicy.retry(2, Duration.ofMillis(1), Duration.ofMillis(1)).thenPark()))
                .build()) {
            Fixtures.FAILURES.put("mail-down", Integer.MAX_VALUE);
            UUID first = add(rewind, "mail-down").events().get(0).eventId();
            UUID second = add(rewind, "mail-down").events().get(0).eventId();
            UUID other = add(rewind, "fine").events().get(0).eventId();
            Polls.until(() -> outbox.contains(other), WAIT, "the other stream's notification");
            assertThat(rewind.projections().parked("notifier")).extracting(ParkedEvent::eventId).containsExactly(first, second);

            Fixtures.FAILURES.clear();
            rewind.projections().retryParked("notifier", "c-mail-down", "mail server back");

            assertThat(outbox).containsExactly(other, first, second);
        }
    }

    @Test
    void scanning_never_starts_a_processor_only_a_registered_instance_runs() {
        try (Rewind rewind = builder().scanPackages("dev.rewind.projection.runtime.unregistered").build()) {
            assertThat(rewind.projections().statuses()).extracting(ProjectionStatus::name).doesNotContain("lonely");
        }
        assertThatThrownBy(() -> builder().eventProcessors(new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("java.lang.Object is not annotated @EventProcessor");
        assertThatThrownBy(() -> builder().eventProcessors(Notifier.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("an event processor is an instance, not a class");
    }

    @Test
    void a_subscription_from_a_position_catches_up_then_goes_live_and_a_named_one_resumes() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        try (Rewind rewind = builder().build()) {
            for (int i = 0; i < 3; i++) {
                add(rewind, "a");
            }
            Subscription s = rewind.projections().subscribe("export", 1, e -> seen.add(e.globalPosition()));
            add(rewind, "a");
            Polls.until(() -> seen.size() == 3, WAIT, "positions 1 to 3");
            s.close();
            add(rewind, "a"); // position 4, while nobody listens
            assertThat(rewind.projections().statuses()).extracting(ProjectionStatus::name).doesNotContain("export");

            Subscription again = rewind.projections().subscribe("export", 0, e -> seen.add(e.globalPosition()));
            try {
                Polls.until(() -> seen.size() == 4, WAIT, "position 4");
                assertThat(seen).as("resumed after its checkpoint, not from 0").containsExactly(1L, 2L, 3L, 4L);
                assertThat(rewind.projections().verify("export").ok()).isTrue();
            } finally {
                again.close();
            }
        }
    }

    @Test
    void a_subscription_from_an_instant_starts_at_the_first_event_recorded_then() {
        MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
        List<Long> seen = new CopyOnWriteArrayList<>();
        try (Rewind rewind = builder().clock(clock).build()) {
            add(rewind, "a");
            clock.set(Instant.parse("2024-05-01T11:00:00Z"));
            add(rewind, "a");
            add(rewind, "a");
            Subscription s = rewind.projections().subscribe(null, Instant.parse("2024-05-01T11:00:00Z"),
                    e -> seen.add(e.globalPosition()));
            try {
                Polls.until(() -> seen.size() == 2, WAIT, "two events");
                assertThat(seen).containsExactly(1L, 2L);
            } finally {
                s.close();
            }
        }
    }

    @Test
    void a_throwing_subscriber_gets_the_failure_policy_and_never_loses_the_event() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        int[] failures = {2};
        EventListener flaky = e -> {
            if (e.globalPosition() == 1 && failures[0]-- > 0) {
                throw new IllegalStateException("downstream unavailable");
            }
            seen.add(e.globalPosition());
        };
        try (Rewind rewind = builder().projectionSettings("flaky", ProjectionSettings.async()
                .failurePolicy(FailurePolicy.retry(5, Duration.ofMillis(1), Duration.ofMillis(2)))).build()) {
            for (int i = 0; i < 3; i++) {
                add(rewind, "a");
            }
            Subscription s = rewind.projections().subscribe("flaky", 0, flaky);
            try {
                Polls.until(() -> seen.size() == 3, WAIT, "three events");
                assertThat(seen).containsExactly(0L, 1L, 2L);
            } finally {
                s.close();
            }
        }
    }

    @Test
    void a_handler_is_told_whether_it_replays() {
        try (Rewind first = builder().projection(Replays.class).build()) {
            add(first, "a");
        }
        try (Rewind rewind = builder().projection(Replays.class).build()) {
            add(rewind, "a");
            assertThat(rewind.projections().<List<String>>state("replays"))
                    .as("stored before start-up: a replay; appended since: live").containsExactly("0:replay", "1:live");
            rewind.projections().rebuild("replays");
            assertThat(rewind.projections().<List<String>>state("replays")).containsExactly("0:replay", "1:replay");
            assertThat(rewind.projections().<List<String>>state("replays", ReadPoint.atPosition(0)))
                    .containsExactly("0:replay");
        }
    }

    /** A clock set by hand. */
    static final class MutableClock extends java.time.Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
