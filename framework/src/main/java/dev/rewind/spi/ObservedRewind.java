package dev.rewind.spi;

import dev.rewind.ProjectionStatus;
import dev.rewind.spi.storage.StorageMeter;
import java.util.List;

/**
 * What a {@link RewindObserver} reads when it wants a figure (the pull side of observation). Every
 * method is safe to call from any thread, also after the Rewind is closed (then it reports a closed,
 * empty runtime rather than failing).
 */
public interface ObservedRewind {

    /** @return whether the Rewind is open (not closed yet) */
    boolean isOpen();

    /** @return how many events the store holds: its next global position */
    long eventsStored();

    /**
     * @return the status of every projection, event processor and open subscription (position, lag in
     *     events and seconds, rate, parked count, failure); empty once closed
     */
    List<ProjectionStatus> statuses();

    /**
     * @return the figures the storage offers (see {@link dev.rewind.spi.storage.MeteredStorage}), fixed
     *     for the Rewind's life; empty when it offers none
     */
    List<StorageMeter> storageMeters();
}
