package dev.rewind.spi.projection;

import java.time.Duration;
import java.util.Optional;

/**
 * Optional capability of a {@link ProjectionStore} shared by several processes (a database): leases
 * that let one instance at a time own a runner, with a fencing token that the store checks on every
 * {@link ProjectionStore#save(Checkpoint, Lease) fenced save}. The runtime runs a runner placed
 * {@code OWNED} (and every event processor) only while it holds the runner's lease; with a store
 * without this capability (in memory, files: one process) every runner runs as before.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>The store alone decides expiry, by one clock (a database's {@code now()}), so the holders'
 *       clocks do not matter.</li>
 *   <li>At most one unexpired lease per name. Every grant to a new holder has a greater token than
 *       every earlier one for that name; tokens never go back (not even after a release).</li>
 *   <li>A renewal never revives an expired lease: once expired, the holder must {@link #acquire} again
 *       (a new token).</li>
 *   <li>Each operation is atomic: two instances acquiring at once get one lease between them.</li>
 *   <li>Thread-safe.</li>
 * </ul>
 * See {@code docs/adr/0015-projection-ownership.md}.
 */
public interface ProjectionLeases {

    /**
     * Takes the runner's lease when no one holds it, it expired, or {@code owner} holds it already
     * (a restarted instance with a fixed id); every grant has a new, greater token.
     *
     * @param name the runner
     * @param owner this instance's id
     * @param duration how long the grant lasts unless renewed
     * @return the lease, or empty when another instance holds an unexpired one
     */
    Optional<Lease> acquire(String name, String owner, Duration duration);

    /**
     * Extends a held lease by its duration, counted from now by the store's clock.
     *
     * @param lease the lease held
     * @throws LeaseLostException when it expired or another instance took it
     */
    void renew(Lease lease);

    /**
     * Gives the lease up (it expires now; its token stays, so later holders' tokens are greater). Does
     * nothing when it is no longer held.
     *
     * @param lease the lease held
     */
    void release(Lease lease);

    /**
     * @param name a runner
     * @return its current, unexpired lease (who holds it and with which token), or empty
     */
    Optional<Lease> holder(String name);

    /**
     * Who was granted the lease last, whether it still holds it or not (expired, released): for the
     * message of the instance that takes it next. The default knows only a current holder.
     *
     * @param name a runner
     * @return the instance id of the last holder, or empty when it was never granted (or is not known)
     */
    default Optional<String> lastHolder(String name) {
        return holder(name).map(Lease::owner);
    }
}
