package dev.rewind.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Event;
import dev.rewind.storage.file.FileStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a runner at the head is given: the events still held from their append as they are, and only
 * what the ring lacks read and decoded from the store (a payload read from the file log is a new object,
 * one from the ring the very object appended).
 */
class RecentOrReadTest {
    @Event(name = "Noted", version = 1)
    record Noted(String text) {
    }

    @TempDir
    Path dir;

    @Test
    void a_hole_in_the_ring_is_read_alone_and_the_events_after_it_still_come_from_the_ring() {
        FileStorage storage = FileStorage.open(dir);
        // two Rewinds on one storage: the second's appends stand for another process's, never in the first's ring
        Rewind here = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Noted.class).build();
        Rewind elsewhere = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Noted.class).build();
        try {
            DefaultEventStore store = (DefaultEventStore) here.store();
            store.onHeadMoved(() -> { }); // keeps the ring, as an asynchronous runner does
            Noted a = new Noted("a");
            Noted b = new Noted("b");
            Noted c = new Noted("c");
            Noted d = new Noted("d");
            Noted e = new Noted("e");
            store.append("s1", ExpectedVersion.any(), List.of(a, b));
            elsewhere.store().append("s2", ExpectedVersion.any(), List.of(c));
            store.append("s1", ExpectedVersion.any(), List.of(d, e));

            List<StoredEvent<?>> got = new ArrayList<>();
            store.recentOrRead(0, 5, got::add);

            assertThat(got).extracting(StoredEvent::globalPosition).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(got.get(0).payload()).isSameAs(a);
            assertThat(got.get(1).payload()).isSameAs(b);
            assertThat(got.get(2).payload()).as("read from the log").isEqualTo(c).isNotSameAs(c);
            assertThat(got.get(3).payload()).as("after the hole, from the ring again").isSameAs(d);
            assertThat(got.get(4).payload()).isSameAs(e);
        } finally {
            elsewhere.close();
            here.close();
        }
    }
}
