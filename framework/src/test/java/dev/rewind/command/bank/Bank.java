package dev.rewind.command.bank;

import dev.rewind.EventStore;
import dev.rewind.Rewind;
import dev.rewind.command.CommandGateway;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.SnapshotStorage;

/**
 * Test wiring: a store on a given storage and a gateway for {@link Account} and {@link FeeService}.
 *
 * @param rewind the started Rewind (owns the storage)
 * @param store its store
 * @param gateway the command gateway
 */
public record Bank(Rewind rewind, EventStore store, CommandGateway gateway) {

    /** The event types of the test domain. */
    public static final Class<?>[] EVENTS = {AccountOpened.class, MoneyDeposited.class, MoneyWithdrawn.class,
        FeeCharged.class};

    /**
     * @param storage the storage
     * @param snapshots snapshot storage or null
     * @param snapshotEvery snapshot interval
     * @param attempts max attempts
     * @param extraServices more command handler services
     * @return the wiring
     */
    public static Bank on(EventStorage storage, SnapshotStorage snapshots, int snapshotEvery, int attempts,
                          Object... extraServices) {
        Rewind.Builder builder = Rewind.builder().storage(storage).eventTypes(EVENTS).aggregate(Account.class)
                .commandHandlers(new FeeService(5)).commandHandlers(extraServices).commandAttempts(attempts);
        if (snapshots != null) {
            builder.snapshots(snapshots, snapshotEvery);
        }
        Rewind rewind = builder.build();
        return new Bank(rewind, rewind.store(), rewind.commands());
    }
}
