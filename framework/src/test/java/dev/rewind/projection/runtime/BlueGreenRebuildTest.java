package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.Counting;
import dev.rewind.storage.memory.InMemoryStorage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Blue/green rebuilds: while a fresh instance is built in the background, queries answer from the old
 * one, which keeps receiving new events; the switch is atomic; no query ever sees an empty or partial
 * state; appends made during the rebuild are in the new instance too.
 */
class BlueGreenRebuildTest {
    private static final int STORED = 400;

    @AfterEach
    void fast() {
        Fixtures.SLOW_REPLAY = false;
    }

    @ParameterizedTest
    @EnumSource(ProjectionSettings.Mode.class)
    void queries_during_a_rebuild_answer_from_the_old_instance_then_from_the_new_one_never_empty(
            ProjectionSettings.Mode mode) throws Exception {
        ProjectionSettings settings = mode == ProjectionSettings.Mode.SYNC ? ProjectionSettings.sync()
                : ProjectionSettings.async();
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).storage(new InMemoryStorage())
                .eventTypes(Fixtures.EVENTS).projection(Counting.class).projectionSettings("counting", settings).build()) {
            long last = 0;
            for (int i = 0; i < STORED; i++) {
                last = rewind.store().append("s" + (i % 7), ExpectedVersion.any(), List.of(new Added("c" + (i % 3), 1)))
                        .lastPosition();
            }
            String before = rewind.projections().query(Counting.class, ReadPoint.atLeast(last), Counting::instance);
            Fixtures.SLOW_REPLAY = true;

            CompletableFuture<ProjectionStatus> rebuild = rewind.projections().startRebuild("counting");
            assertThat(rewind.projections().startRebuild("counting")).as("a second call joins the first").isSameAs(rebuild);
            Set<String> instances = new LinkedHashSet<>();
            List<Long> totals = new ArrayList<>();
            boolean sawRebuilding = false;
            int appendedDuring = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!rebuild.isDone() && System.nanoTime() < deadline) {
                sawRebuilding |= rewind.projections().status("counting").state() == ProjectionStatus.State.REBUILDING;
                if (appendedDuring < 20) {
                    rewind.store().append("during", ExpectedVersion.any(), List.of(new Added("d", 1)));
                    appendedDuring++;
                }
                long[] total = new long[1];
                String instance = rewind.projections().query(Counting.class, v -> {
                    total[0] = v.total();
                    return v.instance();
                });
                instances.add(instance);
                totals.add(total[0]);
                try {
                    rebuild.get(5, TimeUnit.MILLISECONDS); // the next query comes when it is done or 5 ms on
                } catch (TimeoutException stillRunning) {
                    // query again meanwhile
                }
            }
            ProjectionStatus after = rebuild.get(30, TimeUnit.SECONDS);
            Fixtures.SLOW_REPLAY = false;
            String now = rewind.projections().query(Counting.class, ReadPoint.atLeast(after.lastPosition()),
                    Counting::instance);
            long finalTotal = rewind.projections().query(Counting.class, Counting::total);

            assertThat(sawRebuilding).as("the status said REBUILDING during the rebuild").isTrue();
            assertThat(totals).as("answers during the rebuild").isNotEmpty().allMatch(t -> t >= STORED);
            for (int i = 1; i < totals.size(); i++) {
                assertThat(totals.get(i)).as("answers never go back").isGreaterThanOrEqualTo(totals.get(i - 1));
            }
            assertThat(instances).as("the old instance, then at most the new one").startsWith(before)
                    .isSubsetOf(before, now);
            assertThat(now).isNotEqualTo(before);
            assertThat(finalTotal).isEqualTo(STORED + appendedDuring);
            assertThat(rewind.projections().verify("counting").ok()).isTrue();
        }
    }
}
