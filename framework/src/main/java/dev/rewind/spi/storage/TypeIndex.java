package dev.rewind.spi.storage;

import java.util.List;

/**
 * Optional capability of an {@link EventStorage} that indexes events by type; without it, reads by
 * type scan the log.
 */
public interface TypeIndex {
    /**
     * @param type a logical type name
     * @param fromPosition the first global position (inclusive)
     * @param maxCount how many at most
     * @return events of that type, in global order
     */
    List<StoredSerializedEvent> readByType(String type, long fromPosition, int maxCount);
}
