package dev.rewind.example.orders.cli;

import dev.rewind.EventStore;
import dev.rewind.StoredEvent;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Every event of a store in global order, read lazily in pages of 1024 events: the first page from
 * position 0, each next one from just after the last event seen, until a page comes back empty.
 */
final class AllEvents implements Iterable<StoredEvent<?>> {
    private static final int PAGE = 1024;

    private final EventStore store;

    private AllEvents(EventStore store) {
        this.store = store;
    }

    /**
     * @param store a store
     * @return its events in global order, read a page at a time as the iteration goes
     */
    static AllEvents of(EventStore store) {
        return new AllEvents(store);
    }

    @Override
    public Iterator<StoredEvent<?>> iterator() {
        return new Iterator<>() {
            private List<StoredEvent<?>> page = List.of();
            private int index;
            private long position;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (index < page.size()) {
                    return true;
                }
                if (done) {
                    return false;
                }
                page = store.readAll(position, PAGE);
                index = 0;
                done = page.isEmpty();
                return !done;
            }

            @Override
            public StoredEvent<?> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                StoredEvent<?> e = page.get(index++);
                position = e.globalPosition() + 1;
                return e;
            }
        };
    }
}
