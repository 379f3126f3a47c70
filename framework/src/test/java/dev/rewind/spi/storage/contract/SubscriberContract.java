package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractContext.awaitSize;
import static dev.rewind.spi.storage.contract.ContractFixtures.Added;
import static dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.StoredEvent;
import dev.rewind.Subscription;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Subscribers: told of every event stored after they subscribed, in global order, whatever they do
 * during delivery (append, subscribe, unsubscribe, wait for another thread, throw). Delivery may run
 * on the storage's own thread: the tests wait for it (up to {@link ContractContext#DELIVERY_WAIT}).
 */
public interface SubscriberContract extends ContractContext {
    @Test
    default void a_subscriber_is_told_of_every_event_stored_after_it_subscribed_in_global_order() {
        store().append("before", ExpectedVersion.noStream(), List.of(new Placed("before", 1)));
        List<StoredEvent<?>> seen = new CopyOnWriteArrayList<>();
        store().subscribe(seen::add);

        store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1), new Added("a", "x", 1)));
        store().append("b", ExpectedVersion.noStream(), List.of(new Placed("b", 1)));

        awaitSize(seen, 3);
        assertThat(seen).extracting(StoredEvent::globalPosition).containsExactly(1L, 2L, 3L);
        assertThat(seen).isEqualTo(store().readAll(1, 10));
    }

    @Test
    default void an_unsubscribed_listener_is_told_of_nothing_more() {
        List<Long> target = new CopyOnWriteArrayList<>();
        List<Long> control = new CopyOnWriteArrayList<>();
        Subscription subscription = store().subscribe(e -> target.add(e.globalPosition()));
        store().subscribe(e -> control.add(e.globalPosition()));
        store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1)));
        awaitSize(control, 1);

        subscription.close();
        subscription.close(); // idempotent
        store().append("a", ExpectedVersion.exactly(0), List.of(new Added("a", "x", 1)));
        awaitSize(control, 2);

        assertThat(target).containsExactly(0L);
    }

    @Test
    default void a_subscriber_that_appends_during_delivery_sees_every_event_in_order_and_so_does_every_other_subscriber() {
        List<String> trace = new CopyOnWriteArrayList<>();
        List<Long> other = new CopyOnWriteArrayList<>();
        store().subscribe(e -> {
            trace.add("begin " + e.globalPosition());
            if (e.payload() instanceof Placed p && p.quantity() < 3) {
                AppendResult r = store().append(e.streamId(), ExpectedVersion.exactly(e.streamVersion()),
                        List.of(new Placed(p.id(), p.quantity() + 1)));
                trace.add("appended " + r.firstPosition());
            }
            trace.add("end " + e.globalPosition());
        });
        store().subscribe(e -> other.add(e.globalPosition()));

        store().append("o", ExpectedVersion.noStream(), List.of(new Placed("o", 1)));

        awaitSize(other, 3);
        assertThat(trace).containsExactly("begin 0", "appended 1", "end 0", "begin 1", "appended 2", "end 1", "begin 2", "end 2");
        assertThat(other).containsExactly(0L, 1L, 2L);
        assertThat(store().readStream("o", 0)).extracting(e -> ((Placed) e.payload()).quantity()).containsExactly(1, 2, 3);
    }

    @Test
    default void a_subscriber_that_waits_for_an_append_made_by_another_thread_does_not_deadlock() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            List<Long> seen = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            store().subscribe(e -> {
                seen.add(e.globalPosition());
                if (e.globalPosition() == 0) {
                    try {
                        other.submit(() -> store().append("b", ExpectedVersion.noStream(), List.of(new Placed("b", 1))))
                                .get(DELIVERY_WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (Exception ex) {
                        failure.set(ex);
                    }
                }
            });

            store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1)));

            awaitSize(seen, 2);
            assertThat(failure.get()).isNull();
            assertThat(seen).containsExactly(0L, 1L);
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    default void a_subscriber_added_during_delivery_is_told_of_the_events_that_follow() {
        List<Long> late = new CopyOnWriteArrayList<>();
        List<Long> control = new CopyOnWriteArrayList<>();
        AtomicBoolean subscribed = new AtomicBoolean();
        AtomicLong before = new AtomicLong(-1);
        AtomicLong after = new AtomicLong(-1);
        store().subscribe(e -> {
            if (subscribed.compareAndSet(false, true)) {
                // where delivery stands against the appends depends on the storage (a database's notifications
                // may deliver event 0 after event 1 was stored): the new subscriber is told of every event
                // stored from the moment it subscribed, no more and no less
                before.set(store().nextPosition());
                store().subscribe(x -> late.add(x.globalPosition()));
                after.set(store().nextPosition());
            }
        });
        store().subscribe(e -> control.add(e.globalPosition()));

        store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1)));
        store().append("a", ExpectedVersion.exactly(0), List.of(new Added("a", "x", 1)));
        store().append("a", ExpectedVersion.exactly(1), List.of(new Added("a", "y", 2)));

        awaitSize(control, 3);
        assertThat(control).containsExactly(0L, 1L, 2L);
        assertThat(before.get()).as("subscribed while event 0 was delivered").isBetween(1L, 3L);
        awaitSize(late, (int) (3 - after.get()));
        if (late.isEmpty()) {
            assertThat(after.get()).as("told of nothing only when every event was stored before it subscribed").isEqualTo(3);
        } else {
            assertThat(late).as("told of every event from where it subscribed (between %s and %s) to the last", before, after)
                    .endsWith(2L);
            assertThat(late.get(0)).isBetween(before.get(), after.get());
            for (int i = 1; i < late.size(); i++) {
                assertThat(late.get(i)).as("in order, none missing").isEqualTo(late.get(i - 1) + 1);
            }
        }
    }

    @Test
    default void a_subscriber_may_unsubscribe_itself_and_others_during_delivery() {
        List<Long> self = new CopyOnWriteArrayList<>();
        List<Long> victim = new CopyOnWriteArrayList<>();
        List<Long> control = new CopyOnWriteArrayList<>();
        AtomicReference<Subscription> selfSubscription = new AtomicReference<>();
        AtomicReference<Subscription> victimSubscription = new AtomicReference<>();
        selfSubscription.set(store().subscribe(e -> {
            self.add(e.globalPosition());
            selfSubscription.get().close();
            victimSubscription.get().close();
        }));
        victimSubscription.set(store().subscribe(e -> victim.add(e.globalPosition())));
        store().subscribe(e -> control.add(e.globalPosition()));

        store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1)));
        store().append("a", ExpectedVersion.exactly(0), List.of(new Added("a", "x", 1)));

        awaitSize(control, 2);
        assertThat(control).containsExactly(0L, 1L);
        assertThat(self).containsExactly(0L);
        assertThat(victim).as("an event already being delivered may still arrive, nothing later").isSubsetOf(0L);
    }

    @Test
    default void a_subscriber_that_throws_neither_fails_the_append_nor_stops_the_others() {
        AtomicInteger calls = new AtomicInteger();
        List<Long> others = new CopyOnWriteArrayList<>();
        store().subscribe(e -> {
            calls.incrementAndGet();
            throw new IllegalStateException("subscriber failure staged by the contract test");
        });
        store().subscribe(e -> others.add(e.globalPosition()));

        AppendResult first = store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1)));
        AppendResult second = store().append("a", ExpectedVersion.exactly(0), List.of(new Added("a", "x", 1)));

        awaitSize(others, 2);
        assertThat(first.lastStreamVersion()).isZero();
        assertThat(second.lastStreamVersion()).isEqualTo(1);
        assertThat(others).containsExactly(0L, 1L);
        assertThat(calls).hasValue(2);
        assertThat(store().nextPosition()).isEqualTo(2);
    }
}
