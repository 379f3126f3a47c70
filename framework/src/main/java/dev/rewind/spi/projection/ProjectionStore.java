package dev.rewind.spi.projection;

import java.util.List;
import java.util.Optional;

/**
 * Where the projection runtime keeps what outlives a process, per runner name: the {@link Checkpoint}
 * (position, count and hash of what was applied, parked events, decisions, and a snapshot of the state)
 * and past states for temporal queries. Rewind ships one in memory and one in files under the file
 * store's directory; a backend offers its own by implementing
 * {@link dev.rewind.spi.storage.ProjectionStoreHost} on its {@code EventStorage}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #save} replaces a runner's checkpoint atomically and durably: after a crash, {@link #load}
 *       returns the previous checkpoint or the new one, whole.</li>
 *   <li>Past states are immutable once saved; {@link #history} lists them by ascending position.</li>
 *   <li>Stored data that fails a check is never returned as if sound: {@link #load} and
 *       {@link #loadHistory} throw a {@link dev.rewind.CorruptStoreException} naming where.</li>
 *   <li>A read-only store ({@link #isReadOnly()}) refuses every write and never creates or changes
 *       anything; the runtime then keeps its checkpoints in memory.</li>
 *   <li>Thread-safe. Runners have unique names; one runner writes under its name at a time.</li>
 * </ul>
 */
public interface ProjectionStore {

    /**
     * @param name a runner
     * @return its last saved checkpoint, or empty
     * @throws dev.rewind.CorruptStoreException when it is stored but damaged
     */
    Optional<Checkpoint> load(String name);

    /**
     * The runner's last saved checkpoint as a temporal query chooses among it and the past states: its
     * position, version and snapshot size, without its snapshot. A temporal query before the checkpoint (the
     * usual case: it is near the head) then never reads the checkpoint whole, which for a large state is most
     * of the query's time. Only a hint: a checkpoint that is chosen is read with {@link #load} and checked.
     * The default reads it whole; a store that can read less should.
     *
     * @param name a runner
     * @return its position, version and snapshot size, or empty when none is saved
     * @throws dev.rewind.CorruptStoreException when it is stored but damaged
     */
    default Optional<HistoryEntry> checkpointEntry(String name) {
        return load(name).map(c -> new HistoryEntry(c.position(), c.version(),
                c.snapshot() == null ? 0 : c.snapshot().length));
    }

    /**
     * Replaces the runner's checkpoint, atomically and durably.
     *
     * @param checkpoint the checkpoint
     */
    void save(Checkpoint checkpoint);

    /**
     * Replaces the runner's checkpoint like {@link #save(Checkpoint)}, but only while {@code lease} is
     * still held: the check and the write are one atomic step, so a writer whose lease expired or was
     * taken over changes nothing. Offered by the stores that implement {@link ProjectionLeases}.
     *
     * @param checkpoint the checkpoint (its name is the lease's)
     * @param lease the lease its writer holds
     * @throws LeaseLostException when the lease is no longer held; nothing was written
     * @throws UnsupportedOperationException when this store has no leases (the default)
     */
    default void save(Checkpoint checkpoint, Lease lease) {
        throw new UnsupportedOperationException(getClass().getName() + " has no leases (it does not implement"
                + " ProjectionLeases): save checkpoint '" + checkpoint.name() + "' without a lease");
    }

    /**
     * Keeps a past state (a checkpoint without parked events or decisions). A state already kept at that
     * position is replaced.
     *
     * @param pastState the state after {@code pastState.position()}
     */
    void saveHistory(Checkpoint pastState);

    /**
     * @param name a runner
     * @return its past states, by ascending position
     */
    List<HistoryEntry> history(String name);

    /**
     * @param name a runner
     * @param position a position listed by {@link #history}
     * @return that past state, or empty when it is no longer kept
     * @throws dev.rewind.CorruptStoreException when it is stored but damaged
     */
    Optional<Checkpoint> loadHistory(String name, long position);

    /**
     * @param name a runner
     * @param position a position listed by {@link #history}
     */
    void deleteHistory(String name, long position);

    /**
     * Removes everything kept under a name: its checkpoint and its past states.
     *
     * @param name a runner
     */
    void delete(String name);

    /** @return whether writes are refused (a store opened read-only) */
    boolean isReadOnly();
}
