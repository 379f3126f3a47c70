package dev.rewind.internal.projection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The spacing of snapshot saves: a due save waits 19 times as long as the last one took. */
class SaveSpacingTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aSaveThatTookNoTimeOrHadNoSnapshotDoesNotHoldTheNextOneBack() {
        long savedAt = 1_000 * MS;
        assertThat(Runner.spacedOut(savedAt, savedAt, 0)).isTrue();
        assertThat(Runner.spacedOut(savedAt + 1, savedAt, 0)).isTrue();
    }

    @Test
    void aSlowSaveHoldsTheNextOneBackNineteenTimesItsDuration() {
        long savedAt = 5_000 * MS;
        long took = 40 * MS; // so the next may start 760 ms after it ended: 40 of every 800 ms saving, 5%
        assertThat(Runner.spacedOut(savedAt + 759 * MS, savedAt, took)).isFalse();
        assertThat(Runner.spacedOut(savedAt + 760 * MS, savedAt, took)).isTrue();
        assertThat(Runner.spacedOut(savedAt + 10_000 * MS, savedAt, took)).isTrue();
    }

    @Test
    void nanoTimeThatWrapsAroundStillCountsTheTimeBetween() {
        long savedAt = Long.MAX_VALUE - 100 * MS; // System.nanoTime() may be near the end of its range
        long took = 10 * MS;
        assertThat(Runner.spacedOut(savedAt + 189 * MS, savedAt, took)).isFalse();
        assertThat(Runner.spacedOut(savedAt + 190 * MS, savedAt, took)).isTrue(); // past Long.MAX_VALUE
    }
}
