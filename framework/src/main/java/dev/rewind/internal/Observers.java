package dev.rewind.internal;

import dev.rewind.EventStore;
import dev.rewind.ProjectionStatus;
import dev.rewind.Projections;
import dev.rewind.spi.ObservedRewind;
import dev.rewind.spi.RewindObserver;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.MeteredStorage;
import dev.rewind.spi.storage.StorageMeter;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The observers given to the builder, as the one the store calls, and the view they read figures from. */
public final class Observers {
    private static final Logger LOG = LoggerFactory.getLogger(Observers.class);

    private Observers() {
    }

    /**
     * @param observers the builder's observers
     * @return null for none (the append path then skips observation), the observer for one, else one that
     *     calls each in order
     */
    public static RewindObserver combine(List<RewindObserver> observers) {
        if (observers.isEmpty()) {
            return null;
        }
        if (observers.size() == 1) {
            return observers.get(0);
        }
        List<RewindObserver> all = List.copyOf(observers);
        return new RewindObserver() {
            @Override
            public void started(ObservedRewind rewind) {
                all.forEach(o -> o.started(rewind));
            }

            @Override
            public void appended(int events, long nanos) {
                for (RewindObserver o : all) {
                    o.appended(events, nanos);
                }
            }

            @Override
            public void closed() {
                all.forEach(RewindObserver::closed);
            }

            @Override
            public String toString() {
                return all.toString();
            }
        };
    }

    /**
     * @param open whether the Rewind is open
     * @param store the event store
     * @param projections the runtime
     * @param storage the storage, asked once for its meters
     * @return the view observers read
     */
    public static ObservedRewind view(BooleanSupplier open, EventStore store, Projections projections,
                                      EventStorage storage) {
        List<StorageMeter> meters = storage instanceof MeteredStorage m ? List.copyOf(m.meters()) : List.of();
        return new ObservedRewind() {
            @Override
            public boolean isOpen() {
                return open.getAsBoolean();
            }

            @Override
            public long eventsStored() {
                if (!open.getAsBoolean()) {
                    return 0;
                }
                try {
                    return store.nextPosition();
                } catch (RuntimeException e) { // closed in between, or a database away: a scrape must not fail
                    LOG.debug("events stored cannot be read: {}", e.toString());
                    return 0;
                }
            }

            @Override
            public List<ProjectionStatus> statuses() {
                if (!open.getAsBoolean()) {
                    return List.of();
                }
                try {
                    return projections.statuses();
                } catch (RuntimeException e) {
                    LOG.debug("projection statuses cannot be read: {}", e.toString());
                    return List.of();
                }
            }

            @Override
            public List<StorageMeter> storageMeters() {
                return meters;
            }
        };
    }
}
