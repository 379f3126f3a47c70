package dev.rewind.spi.storage;

import java.util.List;

/**
 * An optional capability of an {@link EventStorage}: figures about the backend (a file store's group
 * commits and fsyncs, a PostgreSQL pool), read by a metrics binding when it wants them. Reading one must
 * be cheap and must not take a lock an append waits for.
 */
public interface MeteredStorage {

    /**
     * @return the storage's figures; the list is fixed at open (a binding registers each once), the values
     *     are read through each meter's functions
     */
    List<StorageMeter> meters();
}
