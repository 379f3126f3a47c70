package dev.rewind.command.bank;

import dev.rewind.EventStore;
import dev.rewind.Rewind;
import dev.rewind.internal.command.AggregateLoader;
import dev.rewind.internal.command.CommandHandlers;
import dev.rewind.internal.command.DefaultCommandGateway;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.SnapshotStorage;

/**
 * Test wiring: a store on a given storage and a gateway for {@link Account} and {@link FeeService}.
 *
 * @param rewind the started Rewind (owns the storage)
 * @param store its store
 * @param gateway the command gateway
 */
public record Bank(Rewind rewind, EventStore store, DefaultCommandGateway gateway) {

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
        Rewind rewind = Rewind.builder().storage(storage).eventTypes(EVENTS).build();
        EventStore store = rewind.store();
        CommandHandlers.Builder handlers = CommandHandlers.builder().aggregate(Account.class).service(new FeeService(5));
        for (Object s : extraServices) {
            handlers.service(s);
        }
        DefaultCommandGateway gateway = new DefaultCommandGateway(store, handlers.build(),
                new AggregateLoader(store, snapshots, snapshotEvery), attempts);
        return new Bank(rewind, store, gateway);
    }
}
