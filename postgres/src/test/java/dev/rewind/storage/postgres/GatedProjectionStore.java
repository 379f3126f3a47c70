package dev.rewind.storage.postgres;

import dev.rewind.EventStoreException;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.Lease;
import dev.rewind.spi.projection.LeaseLostException;
import dev.rewind.spi.projection.ProjectionLeases;
import dev.rewind.spi.projection.TransactionalProjectionStore;
import dev.rewind.spi.projection.contract.ForwardingProjectionStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The PostgreSQL projection store of one instance, with what a test needs to stage a stalled or cut-off
 * owner: its renewals held back ({@link #renewPaused}: as when the whole process is paused, for 30 s at
 * most) or every lease operation failing ({@link #unreachable}: as when its connection is gone), and
 * its fenced writes recorded (the tokens it saved under, the writes and renewals refused, the batches committed while
 * {@link #paused} says so). Everything else goes to PostgreSQL unchanged.
 */
final class GatedProjectionStore extends ForwardingProjectionStore implements ProjectionLeases, TransactionalProjectionStore {
    final PostgresProjectionStore real;
    final AtomicBoolean renewPaused = new AtomicBoolean();
    final AtomicBoolean unreachable = new AtomicBoolean();
    /** The lease tokens of the fenced saves that went through. */
    final List<Long> saved = new CopyOnWriteArrayList<>();
    /** The renewals refused or failed. */
    final List<RuntimeException> renewRefused = new CopyOnWriteArrayList<>();
    /** The fenced saves and batches refused. */
    final List<RuntimeException> refused = new CopyOnWriteArrayList<>();
    /** Batches committed while {@link #paused} was true. */
    final AtomicInteger committedAfterPause = new AtomicInteger();
    /** Whether the test has paused this instance's worker. */
    volatile BooleanSupplier paused = () -> false;

    GatedProjectionStore(PostgresProjectionStore real) {
        super(real);
        this.real = real;
    }

    @Override
    public Optional<Lease> acquire(String name, String owner, Duration duration) {
        cut();
        return real.acquire(name, owner, duration);
    }

    @Override
    public void renew(Lease lease) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (renewPaused.get() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000_000L); // held, as in a pause (bounded)
        }
        cut();
        try {
            real.renew(lease);
        } catch (RuntimeException e) {
            renewRefused.add(e);
            throw e;
        }
    }

    @Override
    public void release(Lease lease) {
        real.release(lease);
    }

    @Override
    public Optional<Lease> holder(String name) {
        cut();
        return real.holder(name);
    }

    private void cut() {
        if (unreachable.get()) {
            throw new EventStoreException("simulated: the connection to PostgreSQL was terminated");
        }
    }

    @Override
    public Checkpoint inTransaction(String name, Lease lease, Work work) {
        try {
            Checkpoint cp = real.inTransaction(name, lease, work);
            if (cp != null && paused.getAsBoolean()) {
                committedAfterPause.incrementAndGet();
            }
            return cp;
        } catch (LeaseLostException e) {
            refused.add(e);
            throw e;
        }
    }

    @Override
    public Checkpoint inTransaction(String projection, TableSet tables, Lease lease, Work work) {
        try {
            return real.inTransaction(projection, tables, lease, work);
        } catch (LeaseLostException e) {
            refused.add(e);
            throw e;
        }
    }

    @Override
    public void createTables(String projection, TableSet tables, Ddl ddl) {
        real.createTables(projection, tables, ddl);
    }

    @Override
    public Checkpoint switchTables(String projection, Lease lease, Work work) {
        try {
            return real.switchTables(projection, lease, work);
        } catch (LeaseLostException e) {
            refused.add(e);
            throw e;
        }
    }

    @Override
    public void dropNextTables(String projection) {
        real.dropNextTables(projection);
    }

    @Override
    public void save(Checkpoint checkpoint, Lease lease) {
        try {
            real.save(checkpoint, lease);
            saved.add(lease.token());
        } catch (RuntimeException e) {
            refused.add(e);
            throw e;
        }
    }
}
