package dev.rewind.internal.projection;

import dev.rewind.CorruptStoreException;
import dev.rewind.ProjectionStatus;
import dev.rewind.StoredEvent;
import dev.rewind.internal.DefaultEventStore;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.ReplayContext;
import dev.rewind.projection.Decision;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.StaleProjectionException;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.Lease;
import dev.rewind.spi.projection.LeaseLostException;
import dev.rewind.spi.projection.ProjectionLeases;
import dev.rewind.spi.projection.ProjectionStore;
import dev.rewind.spi.projection.TransactionalProjectionStore;
import dev.rewind.spi.projection.TransactionalProjectionStore.TableSet;
import dev.rewind.internal.dispatch.TransactionContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import dev.rewind.storage.kernel.Progress;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one projection, event processor or subscription: feeds its live {@link Lineage} every stored
 * event once, in global order, applying the failure policy; saves checkpoints and past states; answers
 * queries under a read lock; rebuilds blue/green.
 *
 * <p>A synchronous runner is fed by the store's delivery, on the appending thread. An asynchronous one
 * has a worker thread that reads by position, from its checkpoint to the head, in batches: catch-up
 * and live are the same loop, so there is no switch at which an event could be missed or applied twice.
 * Whatever the thread, an event is applied under the runner's write lock; queries take its read lock.
 *
 * <p>An owned asynchronous runner ({@link Ownership}, docs/adr/0015-projection-ownership.md) processes only
 * while this instance holds its lease: its worker tries to acquire it every {@code lease / 3}, serving the
 * last shared snapshot meanwhile; on acquiring it reloads the checkpoint the previous owner saved; every
 * checkpoint it saves is fenced by the lease; when the lease is lost it steps down at once.
 *
 * <p>A table projection (a handler takes a {@code java.sql.Connection}; docs/adr/0016-table-projections.md)
 * applies each batch in one transaction of a {@link TransactionalProjectionStore}, its checkpoint saved in
 * that transaction: it keeps no snapshot, is always owned where the store has leases, and its lineage is
 * put back whenever the transaction does not commit, so that memory never runs ahead of the tables.
 */
final class Runner {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
    private static final int HANDLED = 0;
    private static final int STOPPED = 1;
    private static final int WAIT = 2;
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The smallest batch of a table projection's rebuild (one transaction each). */
    static final int REBUILD_BATCH = 1000;
    /** How long closing waits for an asynchronous runner to handle what was stored before it saves and stops. */
    static final Duration DRAIN = Duration.ofSeconds(5);

    /**
     * What a runner needs from the runtime.
     *
     * @param leases the projection store's leases, or null when it has none (or is read-only): nothing is owned
     * @param instanceId this instance's id, as lease owner
     * @param leaseDuration how long a lease lasts unless renewed
     * @param membership the instances sharing the store, over which owned runners spread; null when the store
     *     keeps no membership (then an owned runner takes its lease whenever it is free)
     */
    record Env(DefaultEventStore store, EventIndex index, ProjectionStore projectionStore, Clock clock,
               ProjectionLeases leases, String instanceId, Duration leaseDuration, Membership membership) {
        Env(DefaultEventStore store, EventIndex index, ProjectionStore projectionStore, Clock clock) {
            this(store, index, projectionStore, clock, null, "local", Duration.ofSeconds(5), null);
        }
    }

    private final Target target;
    private final ProjectionSettings settings;
    private final Env env;
    private final String name;
    /** Whether checkpoints are saved (and loaded). */
    private final boolean persistent;
    /** Whether a checkpoint is looked for at start (also on a read-only store, which saves nothing). */
    private final boolean loads;
    /** The store's transactions, for a table projection (handlers take a Connection); null otherwise. */
    private final TransactionalProjectionStore tx;
    /**
     * Whether the table projection declares its DDL ({@code @CreateTables}): its tables are then created at
     * start and rebuilt blue/green in a table set of their own, and every batch names its table set.
     */
    private final boolean managesTables;
    /** A version change of a table projection asks for a blue/green rebuild, started by the owner's worker. */
    private volatile boolean tableRebuildDue;
    /** A table projection's transaction failed without a known outcome: reload the checkpoint first. Worker only. */
    private boolean txReload;
    /** When a table projection tries again after a transaction that failed in the database. Worker only. */
    private long txRetryAtNanos;
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile Lineage live;
    private volatile SnapshotCodec codec;
    private boolean snapshotChecked;

    private volatile long savedPosition = -1;
    private volatile long savedAtNanos = System.nanoTime();
    /** How long the last save with a snapshot took, from capturing the state to its file being durable. */
    private volatile long saveTookNanos;
    /** The spacing of saves, in multiples of the last one's duration: at most 1/(1 + 19) = 5% of the time saving. */
    static final int SAVE_SPACING = 19;
    private volatile boolean stopped;
    private volatile String stopReason;
    private volatile boolean reachedHead;
    private final Object progress = new Object();
    private volatile int waiters;

    private volatile Rebuild rebuild;
    private volatile String lastRebuildError;

    private Thread worker;
    private volatile boolean sleeping;
    private volatile boolean stopping;
    /** At close: the head to drain to (-1 while open), and until when. */
    private volatile long drainTo = -1;
    private volatile long drainDeadline;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();

    /** The lease of an owned runner, or null: it runs wherever it is started, as before ownership. */
    private final Ownership ownership;
    /** On a read-only store with leases, for an owned runner: where to look up its owner for status; else null. */
    private final ProjectionLeases ownerLookup;
    /** When an owned runner that does not hold its lease tries again. Worker thread only. */
    private long nextAttemptNanos = System.nanoTime();
    /** Whether this instance held the lease before. Worker thread only. */
    private boolean everOwned;
    /** When this instance last took the lease (for status). */
    private volatile Instant ownedSince;
    /** Whether the last attempt to reach the leases failed (logged once per streak). Worker thread only. */
    private boolean leasesUnreachable;
    /** When an owner whose hand-over could not save its checkpoint tries again. Worker thread only. */
    private long nextHandOverNanos = System.nanoTime();
    /** Whether a deferred hand-over was logged (once per streak). Worker thread only. */
    private boolean handOverDeferred;
    /** Whether the last attempt to read the store failed (logged once per streak). Worker thread only. */
    private boolean storeUnreachable;

    private long rateNanos = System.nanoTime();
    private long ratePosition = Long.MIN_VALUE;
    private double rate;

    /**
     * @param target what it feeds
     * @param settings how
     * @param env the store and the projection store
     * @param durable whether it keeps a checkpoint at all (false for a subscription without a name)
     * @param codec how its state is snapshotted, or null when it is not
     */
    Runner(Target target, ProjectionSettings settings, Env env, boolean durable, SnapshotCodec codec) {
        this.target = target;
        this.name = target.name();
        this.settings = settings;
        this.env = env;
        this.tx = transactional(target, settings, env.projectionStore());
        this.managesTables = tx != null && target.type().declaresTables();
        boolean wantsCheckpoints = durable && (!target.isProjection() || settings.snapshots() || tx != null);
        this.loads = wantsCheckpoints;
        this.persistent = wantsCheckpoints && !env.projectionStore().isReadOnly();
        this.codec = tx != null ? null : codec; // a table projection's state is its tables: no snapshot
        // a table projection is always owned: two instances writing its tables would each apply every event
        boolean wantsOwner = settings.isAsync()
                && (settings.isOwned() || target.kind() == ProjectionStatus.Kind.PROCESSOR || tx != null);
        // a read-only instance (a CLI that only reads) never owns, but says who does
        this.ownerLookup = wantsOwner && env.projectionStore().isReadOnly()
                && env.projectionStore() instanceof ProjectionLeases l ? l : null;
        if (wantsOwner && env.leases() != null && persistent) {
            this.ownership = new Ownership(env.leases(), name, env.instanceId(), env.leaseDuration(), env.membership());
        } else {
            this.ownership = null;
            if (settings.isOwned() && env.leases() != null && !persistent) {
                LOG.warn("projection '{}' is placed OWNED but saves no checkpoint (no snapshot interval): another instance"
                        + " could not take over where it stopped, so every instance runs it (REPLICATED)", name);
            }
        }
    }

    /**
     * @return the store's transactions when the target's handlers take a Connection, else null
     * @throws IllegalStateException when such a target is synchronous or its store has no transactions
     */
    private static TransactionalProjectionStore transactional(Target target, ProjectionSettings settings,
                                                              ProjectionStore store) {
        ProjectionType type = target.type();
        if (type == null || !type.usesConnection()) {
            return null;
        }
        String what = (target.isProjection() ? "projection '" : "event processor '") + target.name() + "' ("
                + type.javaClass().getName() + ") takes a java.sql.Connection in '" + type.connectionHandler()
                + "': it keeps its view in tables written in the transaction that saves its checkpoint, one per batch";
        if (!settings.isAsync()) {
            throw new IllegalStateException(what + ", so it must be asynchronous, not SYNC: give it"
                    + " ProjectionSettings.async() (Rewind.builder().projectionSettings(\"" + target.name()
                    + "\", ProjectionSettings.async()))");
        }
        if (!(store instanceof TransactionalProjectionStore t)) {
            throw new IllegalStateException(what + ", which needs a projection store that runs batches in database"
                    + " transactions (TransactionalProjectionStore: the PostgreSQL storage's); this one is "
                    + store.getClass().getName() + ": use the PostgreSQL storage, or remove the Connection parameter");
        }
        return t;
    }

    /** @return whether its handlers write tables in the transaction of its checkpoint */
    boolean transactional() {
        return tx != null;
    }

    /** @return whether it runs only while this instance holds its lease */
    boolean owned() {
        return ownership != null;
    }

    /**
     * Renews the lease when due (the runtime's heartbeat thread); wakes the worker when it was lost, so
     * that it steps down at once.
     */
    void heartbeat() {
        if (ownership != null && ownership.heartbeat()) {
            Thread w = worker;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** @return how often the heartbeat must look at this runner, or {@code Long.MAX_VALUE} when not owned */
    long heartbeatNanos() {
        return ownership == null ? Long.MAX_VALUE : ownership.pollNanos();
    }

    String name() {
        return name;
    }

    Target target() {
        return target;
    }

    ProjectionSettings settings() {
        return settings;
    }

    boolean isAsync() {
        return settings.isAsync();
    }

    /** @return the live lineage's position (a racy read, for where a shared catch-up starts) */
    long position() {
        return live.position;
    }

    /** @return whether the runner saves anything (a synchronous one needs the runtime's checkpointer) */
    boolean saves() {
        return persistent || settings.keepsHistory() && codec != null && !env.projectionStore().isReadOnly();
    }

    // ---------------------------------------------------------------- start

    /**
     * Loads the checkpoint and decides where to start.
     *
     * @return whether a blue/green rebuild must start (the projection's version changed and its old state
     *     still serves meanwhile)
     */
    boolean restore() {
        Checkpoint cp = null;
        CorruptStoreException damaged = null;
        if (loads) {
            try {
                cp = env.projectionStore().load(name).orElse(null);
            } catch (CorruptStoreException e) {
                damaged = e;
            }
        }
        // The head is read after the checkpoint: on a store shared by several instances the owner may save a
        // checkpoint after events appended a moment ago, and a head read before it would take that checkpoint
        // for one of a newer store (seen in the take-over benchmark: a restarted instance stopped its table view).
        long head = env.store().nextPosition();
        if (damaged != null) {
            CorruptStoreException e = damaged;
            if (tx != null) {
                stopTable(head, e.getMessage(), "its checkpoint is damaged");
                return false;
            }
            if (!target.isProjection()) {
                live = fresh(head);
                live.failedAt = live.position + 1;
                live.error = e.getMessage();
                stopped = true;
                stopReason = "its checkpoint is damaged";
                LOG.error("{} '{}' does not run: {}. It cannot know which events it handled; remove the checkpoint"
                        + " file to start it afresh (from the events stored after its start, or from position 0 for"
                        + " one that starts from the beginning)", kindName(), name, e.getMessage());
                return false;
            }
            LOG.warn("projection '{}': {}; it is rebuilt from position 0", name, e.getMessage());
        }
        if (cp == null) {
            live = fresh(head);
            return false;
        }
        String mismatch = mismatch(cp.position(), cp.eventId(), head);
        if (mismatch != null && tx != null) {
            stopTable(head, mismatch, "its checkpoint is not of this store");
            return false;
        }
        if (mismatch != null) {
            return restoreAfterMismatch(cp, mismatch, head);
        }
        savedPosition = cp.position();
        if (managesTables && !cp.version().equals(target.version())) {
            // the old tables keep serving as they are: the new handlers are not run on tables of the old DDL
            LOG.info("{} '{}' is now version {}, its tables were written by version {}: they are rebuilt blue/green in"
                    + " a table set of their own (by the instance that owns it) while the current ones keep serving as of"
                    + " position {}; they are switched once the rebuild has caught up", kindName(), name, target.version(),
                    cp.version(), cp.position());
            live = Lineage.resumed(cp, target.newInstance());
            live.provisional = true;
            live.awaitsRebuild = true;
            tableRebuildDue = true;
            return false;
        }
        if (tx != null && !cp.version().equals(target.version())) {
            LOG.warn("{} '{}' is now version {}, its checkpoint was saved by version {}: its tables are kept and it"
                    + " resumes after position {} (it declares no @CreateTables method, so Rewind cannot rebuild its tables:"
                    + " migrate them, or declare its DDL with @CreateTables)", kindName(), name, target.version(), cp.version(),
                    cp.position());
        }
        if (!target.isProjection() || tx != null) { // a table projection's state is in its tables, not in memory
            live = Lineage.resumed(cp, target.newInstance());
            LOG.debug("{} '{}' resumes after position {}", kindName(), name, cp.position());
            return false;
        }
        if (cp.version().equals(target.version())) {
            if (cp.hasSnapshot() && codec != null) {
                Object instance = target.newInstance();
                try {
                    codec.read(cp.snapshot(), instance);
                    live = Lineage.resumed(cp, instance);
                    LOG.debug("projection '{}' restored its snapshot at position {}", name, cp.position());
                    return false;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("projection '{}': its snapshot at position {} cannot be read back ({}); it is rebuilt from"
                            + " position 0", name, cp.position(), e.getMessage());
                }
            }
            live = fromZeroKeeping(cp, head);
            return false;
        }
        Lineage old = null;
        if (cp.hasSnapshot() && codec != null && target.type().sameShape(cp.version())) {
            Object instance = target.newInstance();
            try {
                codec.read(cp.snapshot(), instance);
                old = Lineage.resumed(cp, instance);
                old.provisional = true;
            } catch (IOException | RuntimeException e) {
                old = null;
            }
        }
        if (old != null) {
            old.awaitsRebuild = true;
            LOG.info("projection '{}' is now version {}, its saved state is version {}: it is rebuilt from position 0 in"
                    + " the background while the saved state serves; the saved state is replaced once the new one is live",
                    name, target.version(), cp.version());
            live = old;
            return true;
        }
        LOG.info("projection '{}' is now version {}, its saved state is version {} (another shape): it is rebuilt from"
                + " position 0; the saved state is kept until the new one is live", name, target.version(), cp.version());
        live = fromZeroKeeping(cp, head);
        live.skipped.clear();
        live.provisional = true;
        return false;
    }

    /**
     * A table projection whose checkpoint cannot be trusted does not run: its tables hold the effects of the
     * events that checkpoint counts, so neither replaying from position 0 nor going on would be right.
     */
    private void stopTable(long head, String problem, String reason) {
        live = fresh(head);
        live.failedAt = live.position + 1;
        live.error = problem;
        stopped = true;
        stopReason = reason;
        LOG.error("{} '{}' does not run: {}. Its tables hold the effects of the events its checkpoint counts, so it can"
                + " neither resume nor start again from position 0 by itself: empty its tables and delete its checkpoint"
                + " to fill them afresh", kindName(), name, problem);
    }

    private boolean restoreAfterMismatch(Checkpoint cp, String mismatch, long head) {
        if (target.isProjection()) {
            LOG.error("projection '{}': {}. Its snapshot holds events this store does not; it is rebuilt from position 0",
                    name, mismatch);
            live = fresh(head);
            live.decisions.addAll(cp.decisions());
            return false;
        }
        long resumeAfter = cp.position() >= head ? head - 1 : -1;
        String what = cp.position() >= head
                ? "every event this store holds was handled before it was restored: resuming after position " + resumeAfter
                : "this store is another one: handling every event of it, from position 0";
        LOG.error("{} '{}': {}. {}", kindName(), name, mismatch, what);
        live = new Lineage(target.newInstance(), resumeAfter, -1, -1);
        if (resumeAfter >= 0) {
            live.lastId = idAt(resumeAfter);
        }
        live.decisions.addAll(cp.decisions());
        live.decisions.add(new Decision(env.clock().instant(), Decision.Kind.CHECKPOINT_RESET, resumeAfter, null, null,
                mismatch + "; " + what, null));
        return false;
    }

    /** @return why a checkpoint after {@code position} (event {@code id}) is not of this store, or null */
    private String mismatch(long position, UUID id, long head) {
        if (position < 0) {
            return null;
        }
        if (position >= head) {
            return "its checkpoint was taken after position " + position + " but the store "
                    + (head == 0 ? "holds no event" : "ends at position " + (head - 1))
                    + ": the store is older than the checkpoint (restored from an older backup?)";
        }
        UUID stored = idAt(position);
        if (!id.equals(stored)) {
            return "its checkpoint was taken after event " + id + " at position " + position + ", but this store holds "
                    + stored + " there: the checkpoint belongs to another store";
        }
        return null;
    }

    /** @return the id of the event at a position (read without decoding the payload) */
    UUID idAt(long position) {
        UUID[] id = new UUID[1];
        env.store().storage().read(position, position + 1, r -> id[0] = r.eventId());
        return id[0];
    }

    private Lineage fresh(long head) {
        return switch (target.kind()) {
            case PROJECTION -> new Lineage(target.newInstance(), -1, head - 1, -1);
            case PROCESSOR, SUBSCRIPTION -> {
                long start = Math.min(target.startPosition(), head - 1); // a processor "from now" asks for the head
                Lineage l = new Lineage(target.newInstance(), start, -1, -1);
                if (start >= 0) {
                    l.lastId = idAt(start);
                }
                yield l;
            }
        };
    }

    /** A projection of the same version without a usable snapshot: from position 0, its decisions kept. */
    private Lineage fromZeroKeeping(Checkpoint cp, long head) {
        Lineage l = new Lineage(target.newInstance(), -1, Math.max(cp.highWater(), head - 1), cp.highWater());
        l.skipped.addAll(cp.skipped());
        l.decisions.addAll(cp.decisions());
        return l;
    }

    // ---------------------------------------------------------------- applying

    /**
     * Handles one event on a lineage: skip (a recorded decision), park behind its stream's failed event,
     * or apply with the failure policy.
     *
     * @param mayWait whether a wait between attempts is left to the caller (an asynchronous worker, which
     *     then waits without the lock); otherwise it sleeps here (a rebuild's own thread)
     */
    private int handle(Lineage l, StoredEvent<?> e, int index, boolean mayWait) {
        long pos = e.globalPosition();
        if (pos <= l.position) {
            return HANDLED;
        }
        if (l.failedAt >= 0) {
            return STOPPED;
        }
        if (l.retryPosition >= 0 || !l.skipped.isEmpty() || !l.failedByStream.isEmpty() || target.usesReplaying()) {
            return handleWithCare(l, e, index, mayWait);
        }
        // the common case, kept small so that the JIT inlines it into the loops that feed a runner
        if (target.handles(index)) {
            try {
                target.apply(l.instance, index, e);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable t) {
                return failed(l, e, index, t, 1, mayWait);
            }
        }
        applied(l, e);
        return HANDLED;
    }

    /**
     * Settles an event no handler runs for: skipped by a recorded decision, parked behind an earlier event
     * of its stream, or of a type the target does not handle.
     *
     * @return whether it is settled (the caller returns HANDLED), false when the handlers must run
     */
    private boolean settledWithoutHandlers(Lineage l, StoredEvent<?> e, int index) {
        long pos = e.globalPosition();
        if (!l.skipped.isEmpty() && l.skipped.contains(pos)) {
            advance(l, e);
            return true;
        }
        if (!l.failedByStream.isEmpty()) {
            Long blocker = l.failedByStream.get(e.streamId());
            if (blocker != null) {
                l.parked.put(pos, new ParkedEvent(pos, e.eventId(), e.streamId(), e.type(), env.clock().instant(), 0,
                        null, blocker));
                advance(l, e);
                return true;
            }
        }
        if (!target.handles(index)) {
            applied(l, e);
            return true;
        }
        return false;
    }

    /** A decision applies to the event, a retry is under way, or the handlers ask whether they replay. */
    private int handleWithCare(Lineage l, StoredEvent<?> e, int index, boolean mayWait) {
        long pos = e.globalPosition();
        if (settledWithoutHandlers(l, e, index)) {
            return HANDLED;
        }
        int attempt = (l.retryPosition == pos ? l.retryAttempt : 0) + 1;
        Throwable t = invoke(l, e, index);
        if (t == null) {
            l.retryPosition = -1;
            applied(l, e);
            return HANDLED;
        }
        return failed(l, e, index, t, attempt, mayWait);
    }

    /** The failure policy, from the attempt that just failed on. */
    private int failed(Lineage l, StoredEvent<?> e, int index, Throwable first, int failedAttempt, boolean mayWait) {
        long pos = e.globalPosition();
        FailurePolicy policy = settings.failurePolicy();
        Throwable t = first;
        int attempt = failedAttempt;
        while (true) {
            if (attempt >= policy.maxAttempts()) {
                l.retryPosition = -1;
                return giveUp(l, e, t, attempt);
            }
            Duration delay = policy.delayAfter(attempt);
            LOG.warn("{} '{}' failed on the event at global position {} ({} in stream '{}'), attempt {} of {}; trying again"
                    + " in {} ms: {}", kindName(), name, pos, e.type(), e.streamId(), attempt, policy.maxAttempts(),
                    delay.toMillis(), t.toString());
            if (!delay.isZero()) {
                if (mayWait) {
                    l.retryPosition = pos;
                    l.retryAttempt = attempt;
                    l.retryAtNanos = System.nanoTime() + delay.toNanos();
                    return WAIT;
                }
                sleep(delay);
            }
            attempt++;
            t = invoke(l, e, index);
            if (t == null) {
                l.retryPosition = -1;
                applied(l, e);
                return HANDLED;
            }
        }
    }

    private Throwable invoke(Lineage l, StoredEvent<?> e, int index) {
        long[] previous = target.usesReplaying() ? ReplayContext.enter(l.replayUntil) : null;
        try {
            target.apply(l.instance, index, e);
            return null;
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            return t;
        } finally {
            if (target.usesReplaying()) {
                ReplayContext.restore(previous);
            }
        }
    }

    private int giveUp(Lineage l, StoredEvent<?> e, Throwable t, int attempts) {
        long pos = e.globalPosition();
        l.error = t.toString();
        if (settings.failurePolicy().then() == FailurePolicy.Then.STOP) {
            l.failedAt = pos;
            LOG.error("{} '{}' failed on the event at global position {} ({} {} in stream '{}'); it stops there and applies"
                    + " no further event until it is {}; its state stays queryable", kindName(), name, pos, e.type(),
                    e.eventId(), e.streamId(), target.isProjection() ? "rebuilt" : "restarted", t);
            return STOPPED;
        }
        l.parked.put(pos, new ParkedEvent(pos, e.eventId(), e.streamId(), e.type(), env.clock().instant(), attempts,
                t.toString(), -1));
        l.failedByStream.put(e.streamId(), pos);
        l.decisions.add(new Decision(env.clock().instant(), Decision.Kind.PARKED, pos, e.eventId(), e.streamId(),
                t.toString(), null));
        LOG.warn("{} '{}' parked the event at global position {} ({} {} in stream '{}') after {} attempts; later events"
                + " of that stream wait behind it, the other streams go on", kindName(), name, pos, e.type(), e.eventId(),
                e.streamId(), attempts, t);
        advance(l, e);
        return HANDLED;
    }

    private static void advance(Lineage l, StoredEvent<?> e) {
        l.position = e.globalPosition();
        l.lastId = e.eventId();
        l.lastRecordedAt = e.recordedAt();
    }

    private static void applied(Lineage l, StoredEvent<?> e) {
        l.applied++;
        l.hash += EventHash.of(e.eventId());
        advance(l, e);
        if (e.globalPosition() > l.highWater) {
            l.highWater = e.globalPosition();
        }
    }

    /**
     * Feeds a lineage no one else touches (a rebuild) from the store, up to {@code toExclusive}, keeping
     * past states as it goes.
     */
    private void feedPrivate(Lineage l, long toExclusive) {
        if (l.failedAt >= 0 || l.position + 1 >= toExclusive) {
            return;
        }
        boolean history = historyOn();
        try {
            env.store().replay(l.position + 1, toExclusive, e -> {
                if (l.failedAt < 0) {
                    handle(l, e, env.index().of(e.payload().getClass()), false);
                    if (history && l.parked.isEmpty() && historyDue(l)) {
                        keepHistory(takeHistory(l));
                    }
                }
            });
        } catch (RuntimeException unreadable) {
            unreadable(l, unreadable);
        }
    }

    private void unreadable(Lineage l, RuntimeException e) {
        if (l.failedAt < 0) {
            l.failedAt = l.position + 1;
            l.error = e.toString();
            LOG.error("{} '{}' cannot read the event at global position {}; it stops there and applies no further event"
                    + " until it is {}; its state stays queryable", kindName(), name, l.failedAt,
                    target.isProjection() ? "rebuilt" : "restarted", e);
        }
    }

    // ---------------------------------------------------------------- synchronous feeding

    /** A live event, on the appending thread (synchronous runners). */
    void onLiveEvent(int index, StoredEvent<?> event) {
        lock.writeLock().lock();
        try {
            Lineage l = live;
            long pos = event.globalPosition();
            if (pos <= l.position || l.failedAt >= 0) {
                return;
            }
            if (pos > l.position + 1) {
                catchUpLocked(l, pos);
            }
            if (l.failedAt < 0 && pos == l.position + 1) {
                handle(l, event, index, false);
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (waiters != 0) {
            notifyProgress();
        }
    }

    /** Applies every stored event after the live position, up to {@code toExclusive} (synchronous runners). */
    void catchUp(long toExclusive) {
        lock.writeLock().lock();
        try {
            catchUpLocked(live, toExclusive);
        } finally {
            lock.writeLock().unlock();
        }
        if (waiters != 0) {
            notifyProgress();
        }
    }

    private void catchUpLocked(Lineage l, long toExclusive) {
        if (l.failedAt >= 0 || l.position + 1 >= toExclusive) {
            return;
        }
        try {
            env.store().replay(l.position + 1, toExclusive, e -> {
                if (l.failedAt < 0) {
                    handle(l, e, env.index().of(e.payload().getClass()), false);
                }
            });
        } catch (RuntimeException unreadable) {
            unreadable(l, unreadable);
        }
    }

    /** Called once the start-up catch-up of a synchronous runner is done. */
    void caughtUpAtStart() {
        reachedHead();
    }

    private void reachedHead() {
        reachedHead = true;
        Lineage l = live;
        if (l.provisional && !l.awaitsRebuild) {
            lock.writeLock().lock();
            try {
                l.provisional = false;
            } finally {
                lock.writeLock().unlock();
            }
            save(true);
            dropOtherVersions();
        }
    }

    /** Once a new version is live, the past states of the old one are of no use (they are never restored). */
    private void dropOtherVersions() {
        ProjectionStore store = env.projectionStore();
        if (!target.isProjection() || store.isReadOnly() || ownership != null && ownership.lease() == null) {
            return;
        }
        try {
            for (HistoryEntry h : store.history(name)) {
                if (!h.version().equals(target.version())) {
                    store.deleteHistory(name, h.position());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("projection '{}': cannot drop the past states of its previous version ({})", name, e.toString());
        }
    }

    // ---------------------------------------------------------------- asynchronous feeding

    /** Starts the worker thread of an asynchronous runner (a processor on a read-only store does not run). */
    void start(Function<Runner, String> threadName) {
        if (!isAsync() || stopped) {
            return;
        }
        if (target.kind() == ProjectionStatus.Kind.PROCESSOR && env.projectionStore().isReadOnly()) {
            stopped = true;
            stopReason = "the store is open read-only: a processor that cannot record what it did does not run";
            return;
        }
        if (tx != null && env.projectionStore().isReadOnly()) {
            stopped = true;
            stopReason = "the store is open read-only: a table projection that cannot commit its rows does not run";
            return;
        }
        if (managesTables && !tableRebuildDue) {
            createLiveTables();
        }
        if (ownership == null && persistent && savedPosition < 0 && live.position >= 0) {
            save(true); // where a new processor or subscription starts must survive a crash before its first event
        }
        worker = new Thread(this::work, threadName.apply(this));
        worker.setDaemon(true);
        worker.start();
    }

    /** Wakes the worker when it sleeps (the store's head moved, or a command waits). */
    void signal() {
        if (sleeping) {
            Thread w = worker;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Whether the last round lingered: the next applies what it finds. Worker thread only. */
    private boolean lingered;

    private void work() {
        List<StoredEvent<?>> batch = new ArrayList<>(settings.batchSize());
        try {
            while (!stopping) {
                runCommands();
                Lineage l = live;
                if (drainTo >= 0 && (l.position + 1 >= drainTo || l.failedAt >= 0 || tx != null && l.awaitsRebuild
                        || System.nanoTime() - drainDeadline > 0)) {
                    break; // closing: what was stored at close is handled (or the time is up)
                }
                if (ownership != null && !owning()) {
                    if (drainTo >= 0) {
                        break; // closing without the lease: the owner drains, not this instance
                    }
                    // not "sleeping": appends must not wake a standby (each wake would be a lease query)
                    LockSupport.parkNanos(this, Math.max(1, nextAttemptNanos - System.nanoTime()));
                    continue;
                }
                if (ownership != null && drainTo < 0 && handOver()) {
                    continue; // placed elsewhere now: waits as a standby
                }
                if (txReload) {
                    // a second apart: a database that is down, or a handler that swallowed an SQL error (its
                    // transaction can then never commit), must not make the worker hammer the server
                    long wait = txRetryAtNanos - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    } else if (!reloadCheckpoint()) {
                        txRetryAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    }
                    continue;
                }
                if (tx != null && l.awaitsRebuild) {
                    awaitTableRebuild();
                    continue;
                }
                // a table projection commits the events before a failed one first: it waits only at that event
                if (l.retryPosition >= 0 && l.failedAt < 0 && (tx == null || l.retryPosition == l.position + 1)) {
                    long wait = l.retryAtNanos - System.nanoTime();
                    if (wait > 0) {
                        waitForWork(wait);
                        continue;
                    }
                }
                long head = headOrUnknown();
                if (head < 0) {
                    LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1)); // a second apart, as after a failed batch
                    continue;
                }
                if (l.failedAt >= 0 || l.position + 1 >= head) {
                    if (l.failedAt < 0) {
                        reachedHead();
                    }
                    maybeSave(false);
                    waitForWork(IDLE_WAIT_NANOS);
                    continue;
                }
                if (shouldLinger(head - (l.position + 1), l.position + 1)) {
                    lingered = true;
                    LockSupport.parkNanos(this, settings.linger().toNanos()); // a waiting query unparks it
                    continue;
                }
                lingered = false;
                long to = Math.min(head, l.position + 1 + settings.batchSize());
                if (tx != null && l.retryPosition > l.position + 1) {
                    to = Math.min(to, l.retryPosition); // the events before the failed one, in a transaction of their own
                }
                batch.clear();
                RuntimeException unreadable = null;
                try {
                    env.store().recentOrRead(l.position + 1, to, batch::add);
                } catch (RuntimeException e) {
                    unreadable = e;
                }
                if (unreadable != null && databaseUnreachable(unreadable)) {
                    // not an event that cannot be read (that stops the runner until it is rebuilt): the database
                    // ended the read's connection or cannot be reached for now, so the next round reads it again
                    storeUnreachable("the events after position " + l.position, unreadable);
                    LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1)); // a second apart, as after a failed batch
                    continue;
                }
                if (tx != null) {
                    applyInTransaction(l, batch, unreadable);
                } else {
                    applyBatch(l, batch, unreadable);
                }
                if (waiters != 0) {
                    notifyProgress();
                }
                maybeSave(false);
                maybeHistory();
            }
        } catch (Throwable t) {
            LOG.error("the worker of {} '{}' stopped unexpectedly", kindName(), name, t);
            stopped = true;
            stopReason = "its worker stopped: " + t;
        } finally {
            save(false);
            if (ownership != null) {
                try {
                    ownership.release(); // after the last save: the next owner resumes from it at its next poll
                } catch (RuntimeException e) {
                    LOG.warn("{} '{}': cannot release its lease ({}); another instance takes over when it expires",
                            kindName(), name, e.toString());
                }
            }
        }
    }

    /**
     * Whether this instance holds the lease now: steps down when it was lost, and tries to take it when
     * an attempt is due (serving the shared snapshot meanwhile). Worker thread only.
     */
    private boolean owning() {
        String loss = ownership.takeLoss();
        if (loss != null) {
            LOG.warn("{} '{}': instance '{}' steps down, it stops processing at position {}: {}. Owner now: {}. It waits"
                    + " and takes over when the lease is free", kindName(), name, ownership.instanceId(), live.position,
                    loss, ownerName(ownership.lastOwner()));
        }
        if (ownership.holds()) {
            return true;
        }
        long now = System.nanoTime();
        if (now - nextAttemptNanos < 0) {
            return false;
        }
        nextAttemptNanos = now + ownership.pollNanos();
        try {
            Ownership.Turn turn = ownership.turn();
            if (turn != Ownership.Turn.WAIT && ownership.tryAcquire()) {
                leasesUnreachable = false;
                takeOver(ownership.takenFrom(), turn);
                return ownership.holds();
            }
            leasesUnreachable = false;
            refreshFromShared();
        } catch (RuntimeException e) {
            if (!leasesUnreachable) {
                LOG.warn("{} '{}': instance '{}' cannot reach its lease ({}); it does not process it until it can",
                        kindName(), name, ownership.instanceId(), e.toString());
            }
            leasesUnreachable = true;
        }
        return false;
    }

    /**
     * Hands the runner over when the membership changed and placed it on another instance: saves the
     * checkpoint (fenced) after the batch just applied, then releases the lease, so that the instance it
     * is placed on takes it at its next poll and resumes exactly there. A rebuild or a catch-up from
     * scratch is finished first, and a table projection whose last transaction has an unknown outcome
     * reloads its checkpoint first (saving its older position would make the next owner write rows again);
     * when the save fails, the lease is kept and the hand-over tried again a poll later (releasing then
     * would make the next owner apply events a second time). Worker thread only.
     *
     * @return whether it was handed over
     */
    private boolean handOver() {
        long now = System.nanoTime();
        if (now - nextHandOverNanos < 0) {
            return false;
        }
        String to = ownership.handOverTo();
        if (to == null || rebuild != null || live.provisional || txReload) {
            return false;
        }
        save(true);
        Lease lease = ownership.lease();
        if (lease == null) {
            return false; // the save found the lease lost: the worker steps down at its next round
        }
        Lineage l = live;
        if (savedPosition != l.position) {
            nextHandOverNanos = now + ownership.pollNanos();
            if (!handOverDeferred) {
                LOG.warn("{} '{}': instance '{}' keeps it for now instead of handing it over to instance '{}': its"
                        + " checkpoint at position {} could not be saved; it tries again every {} ms", kindName(), name,
                        ownership.instanceId(), to, l.position, TimeUnit.NANOSECONDS.toMillis(ownership.pollNanos()));
            }
            handOverDeferred = true;
            return false;
        }
        handOverDeferred = false;
        try {
            ownership.release();
        } catch (RuntimeException e) {
            LOG.warn("{} '{}': instance '{}' cannot release its lease to hand it over ({}); instance '{}' takes over when"
                    + " it expires", kindName(), name, ownership.instanceId(), e.toString(), to);
        }
        nextAttemptNanos = System.nanoTime() + ownership.pollNanos();
        LOG.info("{} '{}': instance '{}' hands it over to instance '{}' after position {} (lease token {} released):"
                + " the instances running it are now {}", kindName(), name, ownership.instanceId(), to, l.position,
                lease.token(), ownership.members());
        return true;
    }

    private static String ownerName(String owner) {
        return owner == null ? "none known (the lease is free, expired, or could not be read)" : "instance '" + owner + "'";
    }

    /** Just acquired: resume from the checkpoint the previous owner saved, not from this instance's copy. */
    private void takeOver(String previousOwner, Ownership.Turn turn) {
        boolean rebuildNeeded = false;
        // At the first grant with no checkpoint saved by anyone, the lineage restored at start stands: a
        // processor "from now" starts where this instance started, not where it got the lease (events
        // appended in between would be missed).
        if (everOwned || env.projectionStore().load(name).isPresent()) {
            lock.writeLock().lock();
            try {
                savedPosition = -1;
                reachedHead = false;
                rebuildNeeded = restore();
            } finally {
                lock.writeLock().unlock();
            }
        }
        everOwned = true;
        ownedSince = env.clock().instant();
        Lease lease = ownership.lease();
        String why = "";
        if (turn == Ownership.Turn.FALLBACK) {
            String placed = ownership.placedOn();
            why = placed == null ? "; no live instance that runs it is placed to own it, and its lease stayed free"
                    : "; it is placed on instance '" + placed + "', which left its lease free for more than the grace"
                    + " period (" + ownership.grace().toMillis() + " ms for each instance before this one)";
        } else if (ownership.placedOn() != null) {
            why = "; placed here among the instances " + ownership.members();
        }
        if (previousOwner != null && !previousOwner.equals(ownership.instanceId())) {
            LOG.info("{} '{}': instance '{}' takes over from instance '{}' (lease token {}), resuming after position {}{}",
                    kindName(), name, ownership.instanceId(), previousOwner, lease == null ? "-" : lease.token(),
                    live.position, why);
        } else {
            LOG.info("{} '{}': instance '{}' owns it (lease token {}), resuming after position {}{}", kindName(), name,
                    ownership.instanceId(), lease == null ? "-" : lease.token(), live.position, why);
        }
        if (rebuildNeeded) {
            startRebuild();
        }
        if (persistent && savedPosition < 0 && live.position >= 0) {
            save(true); // where a new processor starts must survive a crash before its first event
        }
    }

    /**
     * A standby serves the owner's last saved snapshot: when the shared checkpoint moved past this copy,
     * it is loaded in its place. Processors and table projections have no state here to serve: they take
     * the checkpoint's progress only. A damaged or other-version checkpoint is left to the owner.
     */
    private void refreshFromShared() {
        SnapshotCodec c = codec; // who holds the lease was read by the attempt that led here
        // a processor or a view kept in tables has no state here to serve, only its progress: status shows the
        // owner's position and lag instead of where this instance last stood (acquiring reloads it anyway)
        boolean progressOnly = !target.isProjection() || tx != null;
        if (rebuild != null || !progressOnly && c == null) {
            return;
        }
        Checkpoint cp;
        try {
            cp = env.projectionStore().load(name).orElse(null);
        } catch (CorruptStoreException e) {
            return;
        }
        Lineage l = live;
        if (cp == null || cp.position() <= l.position || !cp.version().equals(target.version())) {
            return;
        }
        Object instance = l.instance;
        if (!progressOnly) {
            if (!cp.hasSnapshot()) {
                return;
            }
            instance = target.newInstance();
            try {
                c.read(cp.snapshot(), instance);
            } catch (IOException | RuntimeException e) {
                LOG.debug("projection '{}': the shared snapshot at position {} cannot be read back ({})", name,
                        cp.position(), e.toString());
                return;
            }
        }
        lock.writeLock().lock();
        try {
            live = Lineage.resumed(cp, instance);
            savedPosition = cp.position();
        } finally {
            lock.writeLock().unlock();
        }
        notifyProgress();
    }

    /**
     * Whether to wait once for more events before applying the few there are: live, not closing, nobody
     * waiting for a position, no command queued, and not just done so (at most one linger per batch).
     * It also lingers when the next event is still on its way from an appender of this process, whatever
     * the number available: a runner woken by the first appender of a group found the group's first
     * events missing from the ring and waited for them there, waking every few microseconds just when the
     * appenders needed the cores to return and append again. One linger lets the whole group arrive and be
     * applied in one batch.
     */
    private boolean shouldLinger(long available, long next) {
        return !lingered && !settings.linger().isZero() && reachedHead && drainTo < 0 && waiters == 0
                && commands.isEmpty() && live.retryPosition < 0
                && (available < settings.batchSize() / 4 || env.store().coming(next));
    }

    // ---------------------------------------------------------------- table projections

    /** A handler of a table projection threw: the batch's transaction is rolled back. */
    private static final class HandlerFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient StoredEvent<?> event;

        HandlerFailed(StoredEvent<?> event, Throwable cause) {
            super(cause.toString(), cause, false, false);
            this.event = event;
        }
    }

    /** A change of a copy of the lineage made inside a table projection's transaction. */
    @FunctionalInterface
    private interface InTransaction<T> {
        T apply(Connection c, Lineage copy) throws SQLException;
    }

    /**
     * Runs a change and its handlers' writes in one transaction that also saves the checkpoint. The change
     * is made to a copy of the lineage, which becomes the live one's content (under the write lock) only once
     * the transaction committed: no query waits for the database, none sees an uncommitted batch, and a
     * batch that does not commit leaves the live lineage as it was. The worker is the only writer of a table
     * projection's lineage (commands run on it), so the copy is taken without the lock.
     *
     * @return what the change returned
     */
    @SuppressWarnings("unchecked")
    private <T> T transact(Lineage l, Lease lease, InTransaction<T> change) {
        Lineage copy = l.copy();
        Object[] result = new Object[1];
        TransactionalProjectionStore.Work work = c -> {
            Connection previous = TransactionContext.enter(c);
            try {
                result[0] = change.apply(c, copy);
            } finally {
                TransactionContext.restore(previous);
            }
            return capture(copy, true, false);
        };
        Checkpoint saved = managesTables ? tx.inTransaction(name, TableSet.LIVE, lease, work)
                : tx.inTransaction(name, lease, work);
        lock.writeLock().lock();
        try {
            if (live == l) {
                l.takeFrom(copy);
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (saved != null) {
            savedPosition = saved.position();
            savedAtNanos = System.nanoTime();
        }
        return (T) result[0];
    }

    /**
     * Applies a batch of a table projection in one transaction with its checkpoint. A handler that throws
     * rolls the whole batch back; the failure policy then counts that as one attempt at that event, and
     * the next rounds commit the events before it on their own, then try it again (or give up on it) in a
     * transaction of its own. Worker thread only.
     */
    private void applyInTransaction(Lineage l, List<StoredEvent<?>> batch, RuntimeException unreadable) {
        Lease lease = null;
        if (ownership != null && (lease = ownership.lease()) == null) {
            return; // the heartbeat lost the lease: the worker steps down next
        }
        if (live != l) {
            return;
        }
        long from = l.position;
        try {
            transact(l, lease, (c, b) -> {
                for (StoredEvent<?> e : batch) {
                    if (ownership != null && ownership.lease() == null) {
                        break; // lost meanwhile: the fenced save refuses the commit
                    }
                    if (handleInTransaction(b, e, env.index().of(e.payload().getClass())) != HANDLED) {
                        break;
                    }
                }
                if (unreadable != null && b.failedAt < 0 && b.retryPosition < 0) {
                    unreadable(b, unreadable);
                }
                return null;
            });
        } catch (HandlerFailed f) {
            if (databaseUnreachable(f.getCause())) {
                // The database ended the batch's connection under the handler (pg_terminate_backend, a restart,
                // the idle timeout that ends a stalled owner's transaction): not the handler's failure. Counted
                // as one, it would use up the failure policy's attempts and stop the projection for good while
                // this instance keeps its lease, so that no instance processes it any more.
                notCommitted(from, f.getCause());
                return;
            }
            lock.writeLock().lock();
            try {
                failedInTransaction(l, f.event, f.getCause());
            } finally {
                lock.writeLock().unlock();
            }
        } catch (LeaseLostException e) {
            ownership.lost(lease, e); // the worker steps down and logs it; the next owner resumes from the tables
        } catch (RuntimeException e) {
            notCommitted(from, e);
        }
    }

    /** A batch did not commit for a reason of the database's: reload the checkpoint in a second and try again. */
    private void notCommitted(long from, Throwable why) {
        txReload = true; // the commit may have happened: the checkpoint in the database says
        txRetryAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        LOG.warn("{} '{}': its batch after position {} did not commit ({}); in a second it reloads its checkpoint"
                + " and tries again", kindName(), name, from, why.toString());
    }

    /**
     * Whether a failure is the database connection's, not the data's nor a handler's: an SQLException (in the
     * cause chain) of SQLState class 08 (connection exception, also a pool that cannot get a connection), 57P
     * (the server ended the session: administrator command, shutdown) or 25P03 (PostgreSQL's
     * idle-in-transaction timeout).
     */
    private static boolean databaseUnreachable(Throwable t) {
        int depth = 0;
        for (Throwable x = t; x != null && depth++ < 16; x = x.getCause()) {
            if (x instanceof SQLException e && e.getSQLState() != null) {
                String state = e.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.equals("25P03")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Handles one event of a table projection's batch; a handler's failure aborts the batch (HandlerFailed). */
    private int handleInTransaction(Lineage l, StoredEvent<?> e, int index) {
        long pos = e.globalPosition();
        if (pos <= l.position) {
            return HANDLED;
        }
        if (l.failedAt >= 0) {
            return STOPPED;
        }
        if (settledWithoutHandlers(l, e, index)) {
            return HANDLED;
        }
        if (l.retryPosition == pos) {
            if (l.retryExhausted) {
                Throwable t = l.retryFailure;
                int attempts = l.retryAttempt;
                clearRetry(l);
                return giveUp(l, e, t, attempts);
            }
            if (System.nanoTime() - l.retryAtNanos < 0) {
                return WAIT;
            }
        }
        Throwable t = invoke(l, e, index);
        if (t != null) {
            throw new HandlerFailed(e, t);
        }
        if (l.retryPosition == pos) {
            clearRetry(l);
        }
        applied(l, e);
        return HANDLED;
    }

    private static void clearRetry(Lineage l) {
        l.retryPosition = -1;
        l.retryFailure = null;
        l.retryExhausted = false;
    }

    /** The batch was rolled back (the lineage is as before it): one attempt at that event is used. */
    private void failedInTransaction(Lineage l, StoredEvent<?> e, Throwable t) {
        long pos = e.globalPosition();
        FailurePolicy policy = settings.failurePolicy();
        int attempt = (l.retryPosition == pos ? l.retryAttempt : 0) + 1;
        l.retryPosition = pos;
        l.retryAttempt = attempt;
        l.retryFailure = t;
        if (attempt >= policy.maxAttempts()) {
            l.retryExhausted = true; // the next round gives up on it (park or stop) without calling the handler
            l.retryAtNanos = System.nanoTime();
            return;
        }
        Duration delay = policy.delayAfter(attempt);
        LOG.warn("{} '{}' failed on the event at global position {} ({} in stream '{}'), attempt {} of {}; its batch was"
                + " rolled back (no row and no checkpoint of it committed); trying again in {} ms: {}", kindName(), name,
                pos, e.type(), e.streamId(), attempt, policy.maxAttempts(), delay.toMillis(), t.toString());
        l.retryAtNanos = System.nanoTime() + delay.toNanos();
    }

    /**
     * After a transaction whose outcome is unknown: the checkpoint in the database is the truth (it commits
     * with the rows), so the lineage is loaded from it. Worker thread only.
     *
     * @return whether it could be loaded
     */
    private boolean reloadCheckpoint() {
        lock.writeLock().lock();
        try {
            savedPosition = -1;
            restore();
            txReload = false;
            return true;
        } catch (RuntimeException e) {
            LOG.debug("{} '{}': cannot reload its checkpoint yet ({})", kindName(), name, e.toString());
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void applyBatch(Lineage l, List<StoredEvent<?>> batch, RuntimeException unreadable) {
        boolean history = historyOn();
        List<Checkpoint> past = null;
        lock.writeLock().lock();
        try {
            if (live != l) {
                return; // a rebuild replaced it meanwhile: the next round reads from the new lineage's position
            }
            for (StoredEvent<?> e : batch) {
                if (ownership != null && ownership.lease() == null) {
                    break; // the heartbeat lost the lease: stop at once, the worker steps down next
                }
                if (handle(l, e, env.index().of(e.payload().getClass()), true) != HANDLED) {
                    break;
                }
                if (history && l.parked.isEmpty() && historyDue(l)) {
                    past = past == null ? new ArrayList<>() : past;
                    past.add(takeHistory(l));
                }
            }
            if (unreadable != null && l.failedAt < 0 && l.retryPosition < 0) {
                unreadable(l, unreadable);
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (past != null) {
            past.forEach(this::keepHistory); // written without the lock: queries go on meanwhile
        }
    }

    private boolean historyOn() {
        return settings.keepsHistory() && codec != null && !env.projectionStore().isReadOnly();
    }

    /** Captures a past state at the lineage's position (the caller holds the lock or owns the lineage). */
    private Checkpoint takeHistory(Lineage l) {
        l.positionAtLastHistory = l.position;
        l.recordedAtLastHistory = l.lastRecordedAt;
        return capture(l, false, true);
    }

    private void waitForWork(long nanos) {
        sleeping = true;
        try {
            Lineage l = live;
            if (stopping || !commands.isEmpty() || drainTo >= 0 && l.retryPosition < 0
                    || l.failedAt < 0 && l.retryPosition < 0 && headOrUnknown() > l.position + 1) {
                return;
            }
            LockSupport.parkNanos(this, nanos);
        } finally {
            sleeping = false;
        }
    }

    /**
     * The store's head, or -1 when it cannot be read now. A database that restarts, or ends the connection
     * the read ran on (pg_terminate_backend), must not end the worker: a worker ended by the store's exception
     * never runs again (an owned one would release its lease and never take it back) until the application
     * restarts. Worker thread only.
     */
    private long headOrUnknown() {
        try {
            long head = env.store().nextPosition();
            storeUnreachable = false;
            return head;
        } catch (RuntimeException e) {
            storeUnreachable("the store's head", e);
            return -1;
        }
    }

    /** Says (once per streak) that the store cannot be read now; the worker waits and tries again. */
    private void storeUnreachable(String what, RuntimeException e) {
        if (!storeUnreachable) {
            LOG.warn("{} '{}': cannot read {} ({}); it waits and tries again", kindName(), name, what, e.toString());
        }
        storeUnreachable = true;
    }

    private void runCommands() {
        for (Runnable c; (c = commands.poll()) != null; ) {
            c.run();
        }
    }

    /**
     * Runs an operation where the lineage is changed: on the worker of an asynchronous runner (so that it
     * never races a batch), on the caller's thread for a synchronous one.
     */
    private <T> T onFeedingThread(Supplier<T> operation) {
        Thread w = worker;
        if (w == null || !w.isAlive() || Thread.currentThread() == w) {
            return operation.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        commands.add(() -> {
            try {
                result.complete(operation.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        signal();
        LockSupport.unpark(w);
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(kindName() + " '" + name + "' did not run the operation within 60 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + kindName() + " '" + name + "'", e);
        }
    }

    /**
     * Stops the worker once it has handled what is stored now (for at most {@link #DRAIN}; it saves a
     * checkpoint on its way out), or saves one for a synchronous runner.
     */
    void close() {
        Rebuild r = rebuild;
        if (r != null) {
            r.cancelled = true;
        }
        Thread w = worker;
        if (w != null) {
            drainDeadline = System.nanoTime() + DRAIN.toNanos();
            drainTo = env.store().nextPosition();
            LockSupport.unpark(w);
            try {
                w.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (w.isAlive()) {
                stopping = true;
                LockSupport.unpark(w);
                LOG.warn("the worker of {} '{}' did not stop within 30 s; its last checkpoint stays as it was", kindName(),
                        name);
            }
        } else {
            save(false);
        }
        stopping = true;
        stopped = true;
        if (stopReason == null) {
            stopReason = "closed";
        }
    }

    // ---------------------------------------------------------------- checkpoints and past states

    /** Saves the checkpoint when one is due (or {@code force}d); called by the thread that feeds. */
    void maybeSave(boolean force) {
        if (!persistent) {
            return;
        }
        Lineage l = live;
        if (l.provisional || l.position == savedPosition) {
            return;
        }
        long sinceEvents = l.position - savedPosition;
        boolean dueEvents = settings.snapshotEveryEvents() > 0 && sinceEvents >= settings.snapshotEveryEvents();
        boolean dueTime = !settings.snapshotEveryTime().isZero()
                && System.nanoTime() - savedAtNanos >= settings.snapshotEveryTime().toNanos();
        if (force || (dueEvents || dueTime) && spacedOut(System.nanoTime(), savedAtNanos, saveTookNanos)) {
            save(true);
        }
    }

    /**
     * Whether a save that is due may start: only once {@value #SAVE_SPACING} times as long as the last one
     * took has passed since it ended. A state that grew large, saved every so many events under a fast
     * stream of appends, takes the disk from the event log's own fsyncs, and a snapshot every fraction of a
     * second saves the next start-up almost nothing; spaced this way, saving takes at most about 5% of the
     * time whatever the state's size.
     *
     * @param now {@link System#nanoTime()} now
     * @param savedAt when the last save ended
     * @param took how long it took (0 for none, or for one without a snapshot)
     * @return true when a due save may start now
     */
    static boolean spacedOut(long now, long savedAt, long took) {
        return now - savedAt >= SAVE_SPACING * took;
    }

    /**
     * Saves the checkpoint now (when it changed, or {@code always}), and for the first snapshot of the run
     * checks that it reads back into the same state.
     */
    void save(boolean always) {
        if (!persistent) {
            return;
        }
        if (tx != null) {
            saveInTransaction(always);
            return;
        }
        Lease lease = null;
        if (ownership != null) {
            lease = ownership.lease();
            if (lease == null) {
                return; // not the owner: the owner's checkpoint is the one that counts
            }
        }
        Lineage l = live;
        if (l.provisional || !always && l.position == savedPosition && savedPosition >= 0) {
            return;
        }
        Checkpoint cp;
        long started = System.nanoTime();
        lock.readLock().lock();
        try {
            if (live != l || l.provisional) {
                return;
            }
            cp = capture(l, true, true);
        } finally {
            lock.readLock().unlock();
        }
        cp = checkFirstSnapshot(cp);
        try {
            if (lease != null) {
                env.projectionStore().save(cp, lease);
            } else {
                env.projectionStore().save(cp);
            }
            savedPosition = cp.position();
            savedAtNanos = System.nanoTime();
            saveTookNanos = cp.snapshot() == null ? 0 : savedAtNanos - started;
        } catch (LeaseLostException e) {
            ownership.lost(lease, e); // the worker steps down and logs it
            Thread w = worker;
            if (w != null && w != Thread.currentThread()) {
                LockSupport.unpark(w);
            }
        } catch (RuntimeException e) {
            LOG.warn("{} '{}': cannot save its checkpoint at position {} ({}); the next one is tried at the next interval",
                    kindName(), name, cp.position(), e.toString());
        }
    }

    /**
     * A table projection's checkpoint without any handler's rows (a processor's start, closing): in a
     * transaction of its own, fenced like every other.
     */
    private void saveInTransaction(boolean always) {
        Lease lease = null;
        if (ownership != null && (lease = ownership.lease()) == null) {
            return;
        }
        try {
            Lineage l = live; // no lock: the worker (or the thread that starts it) is the only writer here
            if (stopped && l.failedAt >= 0 && savedPosition < 0 || !always && l.position == savedPosition
                    || l.awaitsRebuild) { // the old version's checkpoint stays until the rebuild's replaces it
                return;
            }
            transact(l, lease, (c, b) -> null);
        } catch (LeaseLostException e) {
            ownership.lost(lease, e);
            Thread w = worker;
            if (w != null && w != Thread.currentThread()) {
                LockSupport.unpark(w);
            }
        } catch (RuntimeException e) {
            LOG.warn("{} '{}': cannot save its checkpoint at position {} ({})", kindName(), name, live.position,
                    e.toString());
        }
    }

    /** For a synchronous runner: the runtime's checkpointer asks whether something is due. */
    void checkpointTick() {
        maybeSave(false);
        maybeHistory();
    }

    private Checkpoint capture(Lineage l, boolean withParked, boolean withSnapshot) {
        return capture(name, l, withParked, withSnapshot);
    }

    private Checkpoint capture(String checkpointName, Lineage l, boolean withParked, boolean withSnapshot) {
        SnapshotCodec c = codec;
        byte[] snapshot = null;
        if (withSnapshot && c != null && target.isProjection()) {
            try {
                snapshot = c.write(l.instance);
            } catch (RuntimeException e) {
                disableSnapshots(e.getMessage());
            }
        }
        return new Checkpoint(checkpointName, target.version(), l.origin, l.position, l.lastId, l.applied, l.hash, l.highWater,
                withParked ? List.copyOf(l.parked.values()) : List.of(), List.copyOf(l.skipped),
                withParked ? List.copyOf(l.decisions) : List.of(), snapshot, env.clock().instant());
    }

    private Checkpoint checkFirstSnapshot(Checkpoint cp) {
        SnapshotCodec c = codec;
        if (snapshotChecked || c == null || !cp.hasSnapshot()) {
            return cp;
        }
        snapshotChecked = true;
        String mismatch = c.roundTrips(cp.snapshot(), target.factory());
        if (mismatch == null) {
            return cp;
        }
        disableSnapshots(mismatch);
        return new Checkpoint(cp.name(), cp.version(), cp.origin(), cp.position(), cp.eventId(), cp.applied(), cp.hash(),
                cp.highWater(), cp.parked(), cp.skipped(), cp.decisions(), null, cp.savedAt());
    }

    private void disableSnapshots(String why) {
        codec = null;
        LOG.warn("projection '{}' ({}) cannot be snapshotted: {}. It runs without snapshots from now on (replayed from"
                + " position 0 at the next start). {}", name, target.type().javaClass().getName(), why,
                SnapshotSupport.FIX);
    }

    /** Keeps a past state when one is due (never with parked events: it would not be the state at its position). */
    void maybeHistory() {
        if (!historyOn()) {
            return;
        }
        Lineage l = live;
        if (!historyDue(l)) {
            return;
        }
        Checkpoint past;
        lock.readLock().lock();
        try {
            if (live != l || !l.parked.isEmpty() || !historyDue(l)) {
                return;
            }
            past = takeHistory(l);
        } finally {
            lock.readLock().unlock();
        }
        keepHistory(past);
    }

    private boolean historyDue(Lineage l) {
        if (l.position < 0 || l.position == l.positionAtLastHistory || l.failedAt >= 0) {
            return false;
        }
        if (settings.historyEveryEvents() > 0 && l.position - l.positionAtLastHistory >= settings.historyEveryEvents()) {
            return true;
        }
        Duration every = settings.historyEveryTime();
        if (every.isZero() || l.lastRecordedAt == null) {
            return false;
        }
        if (l.recordedAtLastHistory == null) {
            l.recordedAtLastHistory = l.lastRecordedAt; // the first event seen starts the clock
            return false;
        }
        return Duration.between(l.recordedAtLastHistory, l.lastRecordedAt).compareTo(every) >= 0;
    }

    private void keepHistory(Checkpoint past) {
        if (!past.hasSnapshot() || ownership != null && ownership.lease() == null) {
            return; // an owned runner writes only while it holds its lease
        }
        try {
            ProjectionStore store = env.projectionStore();
            store.saveHistory(past);
            List<HistoryEntry> kept = store.history(name);
            for (long position : HistoryRetention.toDelete(kept, settings.historyMaxCount(), settings.historyMaxBytes())) {
                store.deleteHistory(name, position);
            }
        } catch (RuntimeException e) {
            LOG.warn("projection '{}': cannot keep its past state at position {} ({})", name, past.position(), e.toString());
        }
    }

    // ---------------------------------------------------------------- queries

    /**
     * Reads the live instance under the read lock, after making sure it includes what the point asks: for
     * a synchronous runner every stored event (read-your-writes), for {@code atLeast} that position.
     */
    <R> R read(Function<Object, R> reader, long atLeast, Duration timeout) {
        if (!isAsync()) {
            catchUp(env.store().nextPosition());
        }
        if (atLeast >= 0) {
            awaitPosition(atLeast, timeout);
        }
        lock.readLock().lock();
        try {
            return reader.apply(live.instance);
        } finally {
            lock.readLock().unlock();
        }
    }

    private void awaitPosition(long position, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            waiters++;
            Thread w = worker;
            if (w != null) {
                LockSupport.unpark(w); // ends a linger: this caller asked for read-your-writes
            }
            try {
                while (true) {
                    Lineage l;
                    lock.readLock().lock(); // a consistent position: the one the last batch left under the lock
                    try {
                        l = live;
                        if (l.position >= position) {
                            return;
                        }
                    } finally {
                        lock.readLock().unlock();
                    }
                    if (l.failedAt >= 0 && l.failedAt <= position) {
                        throw new StaleProjectionException(kindName() + " '" + name + "' cannot reach position " + position
                                + ": it stopped at the event at position " + l.failedAt + " (" + l.error + ")");
                    }
                    if (stopped) {
                        throw new StaleProjectionException(kindName() + " '" + name + "' is at position " + l.position
                                + " and stopped (" + stopReason + "): it will not reach position " + position);
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        ProjectionStatus now = status();
                        throw new StaleProjectionException(kindName() + " '" + name + "' did not reach position " + position
                                + " within " + timeout.toMillis() + " ms: it is at position " + l.position + " ("
                                + now.state() + ", the store's head is " + (env.store().nextPosition() - 1) + ")"
                                + (now.state() == ProjectionStatus.State.STANDBY ? "; it is processed by "
                                + ownerName(now.owner()) + ", this instance serves its last saved snapshot" : ""));
                    }
                    if (!isAsync()) {
                        catchUpOutsideMonitor(left);
                        continue;
                    }
                    progress.wait(Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(left))));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StaleProjectionException("interrupted while waiting for " + kindName() + " '" + name
                        + "' to reach position " + position);
            } finally {
                waiters--;
            }
        }
    }

    /** A synchronous runner asked for a position not stored yet: wait a little for an append, then catch up. */
    private void catchUpOutsideMonitor(long leftNanos) throws InterruptedException {
        progress.wait(Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(leftNanos))));
        catchUp(env.store().nextPosition());
    }

    private void notifyProgress() {
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /** @return the positions a temporal replay must not apply (skipped by a recorded decision) */
    List<Long> skippedPositions() {
        lock.readLock().lock();
        try {
            return List.copyOf(live.skipped);
        } finally {
            lock.readLock().unlock();
        }
    }

    SnapshotCodec codec() {
        return codec;
    }

    // ---------------------------------------------------------------- parked events

    List<ParkedEvent> parked() {
        lock.readLock().lock();
        try {
            return List.copyOf(live.parked.values());
        } finally {
            lock.readLock().unlock();
        }
    }

    List<Decision> decisions() {
        lock.readLock().lock();
        try {
            return List.copyOf(live.decisions);
        } finally {
            lock.readLock().unlock();
        }
    }

    List<ParkedEvent> retryParked(String streamId, String reason) {
        requireReason(reason);
        List<ParkedEvent> remaining = onFeedingThread(() -> {
            lock.writeLock().lock();
            try {
                Lineage l = live;
                Long failed = l.failedByStream.get(streamId);
                if (failed == null) {
                    throw new IllegalArgumentException(kindName() + " '" + name + "' has no parked event in stream '"
                            + streamId + "'" + parkedStreams(l));
                }
                return changeParked(l, (c, b) -> {
                    b.failedByStream.remove(streamId);
                    drainStream(b, streamId, reason, c);
                    return b.parkedOf(streamId);
                });
            } finally {
                lock.writeLock().unlock();
            }
        });
        if (tx == null) {
            save(true); // a table projection committed its checkpoint with the retried events' rows
        }
        return remaining;
    }

    List<ParkedEvent> skipParked(long position, String reason) {
        requireReason(reason);
        List<ParkedEvent> remaining = onFeedingThread(() -> {
            lock.writeLock().lock();
            try {
                Lineage l = live;
                ParkedEvent p = l.parked.get(position);
                if (p == null || !p.failed()) {
                    throw new IllegalArgumentException(kindName() + " '" + name + "' has no parked event that failed at"
                            + " position " + position + (p == null ? "" : " (the event there waits behind position "
                            + p.behind() + ": skip or retry that one)") + parkedStreams(l));
                }
                return changeParked(l, (c, b) -> {
                    b.parked.remove(position);
                    b.skipped.add(position);
                    b.failedByStream.remove(p.streamId());
                    b.decisions.add(new Decision(env.clock().instant(), Decision.Kind.SKIPPED, position, p.eventId(),
                            p.streamId(), reason, null));
                    LOG.warn("{} '{}': the parked event at position {} ({} {} in stream '{}') is skipped by decision: {}",
                            kindName(), name, position, p.type(), p.eventId(), p.streamId(), reason);
                    drainStream(b, p.streamId(), reason, c);
                    return b.parkedOf(p.streamId());
                });
            } finally {
                lock.writeLock().unlock();
            }
        });
        if (tx == null) {
            save(true);
        }
        return remaining;
    }

    private static void requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a decision about a parked event needs a reason (it is recorded)");
        }
    }

    private static String parkedStreams(Lineage l) {
        return l.failedByStream.isEmpty() ? "; it has no parked event"
                : "; streams with parked events: " + new java.util.TreeSet<>(l.failedByStream.keySet());
    }

    /**
     * Applies a stream's parked events in order, one attempt each, until one fails: it becomes the stream's
     * failed event again (with its new error) and the rest wait behind it. Each outcome is recorded.
     */
    private void drainStream(Lineage l, String streamId, String reason, Connection c) {
        List<ParkedEvent> queue = l.parkedOf(streamId);
        for (int i = 0; i < queue.size(); i++) {
            ParkedEvent p = queue.get(i);
            StoredEvent<?> e = eventAt(p.position());
            int index = env.index().of(e.payload().getClass());
            Throwable t = c == null ? invoke(l, e, index) : invokeAtSavepoint(l, e, index, c);
            Instant now = env.clock().instant();
            if (t == null) {
                l.parked.remove(p.position());
                l.applied++;
                l.hash += EventHash.of(e.eventId());
                l.decisions.add(new Decision(now, Decision.Kind.RETRIED, p.position(), p.eventId(), streamId, reason, null));
                continue;
            }
            l.parked.put(p.position(), new ParkedEvent(p.position(), p.eventId(), streamId, p.type(), p.parkedAt(),
                    p.attempts() + 1, t.toString(), -1));
            l.failedByStream.put(streamId, p.position());
            for (int k = i + 1; k < queue.size(); k++) {
                ParkedEvent behind = queue.get(k);
                l.parked.put(behind.position(), new ParkedEvent(behind.position(), behind.eventId(), streamId,
                        behind.type(), behind.parkedAt(), 0, null, p.position()));
            }
            l.decisions.add(new Decision(now, Decision.Kind.RETRY_FAILED, p.position(), p.eventId(), streamId, reason,
                    t.toString()));
            LOG.warn("{} '{}': the parked event at position {} ({} in stream '{}') failed again when retried; it stays"
                    + " parked", kindName(), name, p.position(), p.type(), streamId, t);
            return;
        }
        if (!queue.isEmpty()) {
            LOG.info("{} '{}': the {} parked event(s) of stream '{}' were applied ({})", kindName(), name, queue.size(),
                    streamId, reason);
        }
    }

    /**
     * A change of parked events: for a table projection in one transaction with its checkpoint (the retried
     * events' rows commit with it), only on the instance that owns it.
     */
    private <T> T changeParked(Lineage l, InTransaction<T> change) {
        if (tx == null) {
            try {
                return change.apply(null, l); // not a table projection: the live lineage, under the caller's lock
            } catch (SQLException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        if (l.awaitsRebuild) {
            // its checkpoint and tables are the old version's until the switch: a decision saved now would be lost
            throw new IllegalStateException(kindName() + " '" + name + "' is being rebuilt for version " + target.version()
                    + " and applies nothing until its tables are switched: decide about its parked events after that");
        }
        Lease lease = null;
        if (ownership != null && (lease = ownership.lease()) == null) {
            throw new IllegalStateException(kindName() + " '" + name + "' keeps its view in tables and is processed by "
                    + ownerName(ownership.lastOwner()) + ", not by instance '" + ownership.instanceId()
                    + "': decide about its parked events there");
        }
        try {
            return transact(l, lease, change);
        } catch (LeaseLostException e) {
            ownership.lost(lease, e);
            throw e;
        }
    }

    /**
     * Retries a parked event of a table projection inside the transaction of the retry: a failing handler's
     * writes are undone up to a savepoint (PostgreSQL refuses every statement of a transaction after a failed
     * one), so the other events retried with it still commit.
     */
    private Throwable invokeAtSavepoint(Lineage l, StoredEvent<?> e, int index, Connection c) {
        try {
            Savepoint sp = c.setSavepoint();
            Throwable t = invoke(l, e, index);
            if (t == null) {
                c.releaseSavepoint(sp);
            } else {
                c.rollback(sp);
            }
            return t;
        } catch (SQLException failed) {
            throw new IllegalStateException(kindName() + " '" + name + "': retrying the parked event at position "
                    + e.globalPosition() + " failed in its transaction: " + failed.getMessage(), failed);
        }
    }

    private StoredEvent<?> eventAt(long position) {
        List<StoredEvent<?>> one = env.store().readAll(position, 1);
        if (one.isEmpty()) {
            throw new IllegalStateException("the parked event at position " + position + " is not in the store");
        }
        return one.get(0);
    }

    // ---------------------------------------------------------------- verify

    /** A consistent copy of what verify compares: taken under the read lock. */
    record Tally(long origin, long position, long applied, long hash, List<Long> excluded) {
    }

    Tally tally() {
        lock.readLock().lock();
        try {
            Lineage l = live;
            List<Long> excluded = new ArrayList<>(l.parked.keySet());
            excluded.addAll(l.skipped);
            return new Tally(l.origin, l.position, l.applied, l.hash, excluded);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- rebuild

    /** A rebuild under way. */
    private static final class Rebuild {
        final CompletableFuture<ProjectionStatus> future = new CompletableFuture<>();
        volatile boolean cancelled;
        volatile long position = -1;
    }

    /**
     * Builds a fresh instance in the background from position 0 while the live one keeps serving, then
     * switches atomically once it has caught up.
     */
    CompletableFuture<ProjectionStatus> startRebuild() {
        if (!target.isProjection()) {
            throw new IllegalArgumentException(kindName() + " '" + name + "' cannot be rebuilt: only projections are"
                    + (target.kind() == ProjectionStatus.Kind.PROCESSOR ? " (a processor's side effects are never replayed)"
                    : ""));
        }
        if (tx != null) {
            refuseTableRebuild();
        }
        Rebuild r;
        synchronized (this) {
            if (rebuild != null) {
                return rebuild.future;
            }
            r = new Rebuild();
            rebuild = r;
        }
        Thread t = new Thread(() -> {
            if (tx != null) {
                rebuildTables(r);
            } else {
                rebuild(r);
            }
        }, "rewind-rebuild-" + name);
        t.setDaemon(true);
        t.start();
        return r.future;
    }

    /**
     * @return the fresh lineage a rebuild fills from position 0: it replays in the old one's place up to where
     *     the old one stands (or the high water it had reached), so that the swap skips nothing and repeats nothing
     */
    private Lineage freshLineage() {
        Lineage old = live;
        long replayUntil;
        long highWater;
        lock.readLock().lock();
        try {
            replayUntil = Math.max(old.highWater, old.position);
            highWater = old.highWater;
        } finally {
            lock.readLock().unlock();
        }
        return new Lineage(target.newInstance(), -1, replayUntil, highWater);
    }

    private void rebuild(Rebuild r) {
        try {
            Lineage fresh = freshLineage();
            // a rebuild over a large store takes minutes: the person waiting sees how far it is
            Progress progress = Progress.start("rebuild of projection '" + name + "'", env.store().nextPosition(),
                    "events");
            while (true) {
                if (r.cancelled) {
                    throw new IllegalStateException("the rebuild of projection '" + name + "' was cancelled (closing)");
                }
                long head = env.store().nextPosition();
                long to = Math.min(head, fresh.position + 1 + 65_536);
                long before = fresh.position;
                feedPrivate(fresh, to);
                progress.advance(fresh.position - before);
                r.position = fresh.position;
                if (fresh.failedAt >= 0 || head - 1 - fresh.position <= settings.batchSize()) {
                    break;
                }
            }
            progress.finish();
            Lineage replaced;
            lock.writeLock().lock();
            try {
                if (fresh.failedAt < 0) {
                    feedPrivate(fresh, env.store().nextPosition());
                }
                replaced = live;
                if (fresh.failedAt >= 0 && replaced.failedAt < 0) {
                    throw new IllegalStateException("the rebuild of projection '" + name + "' stopped at the event at"
                            + " position " + fresh.failedAt + " (" + fresh.error + "); the current instance keeps serving");
                }
                fresh.decisions.addAll(0, replaced.decisions);
                live = fresh;
            } finally {
                lock.writeLock().unlock();
            }
            lastRebuildError = null;
            LOG.info("projection '{}' was rebuilt up to position {}; the fresh instance now answers queries", name,
                    fresh.position);
            notifyProgress();
            synchronized (this) {
                rebuild = null;
            }
            save(true);
            dropOtherVersions();
            signal();
            r.future.complete(status());
        } catch (Throwable t) {
            rebuildFailed(r, t);
        }
    }

    /** A rebuild that could not finish: said, logged, and the fresh instance given up (the current one serves on). */
    private void rebuildFailed(Rebuild r, Throwable t) {
        lastRebuildError = t.getMessage();
        LOG.error("projection '{}': {}", name, t.getMessage(), t instanceof IllegalStateException ? null : t);
        synchronized (this) {
            rebuild = null;
        }
        r.future.completeExceptionally(t);
    }

    // ---------------------------------------------------------------- blue/green rebuild of table projections

    /**
     * A table projection is rebuilt by Rewind only when it declares its DDL, on a writable store, and only
     * on the instance that owns it (its batches are fenced by the lease).
     */
    private void refuseTableRebuild() {
        String what = kindName() + " '" + name + "' keeps its view in tables (a handler takes a java.sql.Connection)";
        if (!managesTables) {
            throw new IllegalArgumentException(what + " and declares no @CreateTables method, so Rewind cannot create a"
                    + " fresh table set for a rebuild: declare its DDL in a method annotated @CreateTables (taking a"
                    + " java.sql.Connection), or fill its tables afresh by hand: stop the instances, empty its tables,"
                    + " delete its checkpoint (name '" + name + "') and start again");
        }
        if (env.projectionStore().isReadOnly()) {
            throw new IllegalArgumentException(what + " and cannot be rebuilt on a store opened read-only");
        }
        if (ownership != null && !ownership.holds()) {
            throw new IllegalStateException(what + ": its rebuild runs on the instance that owns it, which is "
                    + ownerName(ownership.lastOwner()) + ", not instance '" + ownership.instanceId()
                    + "': call rebuild there");
        }
    }

    /** Runs the DDL of a table projection on a transaction's connection, guarded as a handler's is. */
    private void runDdl(Connection c) throws Exception {
        Connection previous = TransactionContext.enter(c);
        try {
            target.type().createTables(target.newInstance(), TransactionContext.current());
        } finally {
            TransactionContext.restore(previous);
        }
    }

    /** At start: the live tables, created where missing, before the first batch (and for SQL readers). */
    private void createLiveTables() {
        try {
            tx.createTables(name, TableSet.LIVE, this::runDdl);
        } catch (RuntimeException e) {
            throw new IllegalStateException(kindName() + " '" + name + "': its @CreateTables method ("
                    + target.type().javaClass().getName() + ") failed to create its tables: " + e.getMessage(), e);
        }
    }

    /**
     * The worker of a table projection whose version changed: it applies nothing to the old tables (the
     * new handlers may not fit them), starts the rebuild once it owns the projection, and waits for the
     * switch (a command). Worker thread only.
     */
    private void awaitTableRebuild() {
        if (tableRebuildDue && rebuild == null) {
            tableRebuildDue = false;
            try {
                startRebuild();
            } catch (RuntimeException e) {
                lastRebuildError = e.getMessage();
                LOG.error("{} '{}': its rebuild for version {} cannot start: {}", kindName(), name, target.version(),
                        e.getMessage());
            }
        }
        LockSupport.parkNanos(this, IDLE_WAIT_NANOS); // a command (the switch) unparks it
    }

    /**
     * Rebuilds a table projection blue/green: a fresh table set (the DDL in a schema of its own), filled from
     * position 0 in batches, each in a transaction with a checkpoint of its own, fenced by the lease; the
     * live tables keep serving and the live runner keeps applying meanwhile. Once it is within a batch of the
     * live runner, the worker applies the events up to its own position and switches the table sets and the
     * checkpoints in one transaction. A failure leaves the live tables and checkpoint as they are; the next rebuild drops what
     * this one left.
     */
    private void rebuildTables(Rebuild r) {
        try {
            Lease lease = currentLease();
            Lineage fresh = freshLineage();
            tx.createTables(name, TableSet.NEXT, this::runDdl);
            Progress progress = Progress.start("rebuild of the tables of projection '" + name + "'",
                    env.store().nextPosition(), "events");
            // larger batches than the live runner's (which trades throughput for latency): the rebuild must
            // overtake the live runner while both read the same events, and nobody waits for its rows
            int size = Math.max(settings.batchSize(), REBUILD_BATCH);
            List<StoredEvent<?>> batch = new ArrayList<>(size);
            while (true) {
                if (r.cancelled) {
                    throw new IllegalStateException("the rebuild of projection '" + name + "' was cancelled (closing); its"
                            + " current tables keep serving");
                }
                lease = currentLease();
                long head = env.store().nextPosition();
                long to = Math.min(head, fresh.position + 1 + size);
                long before = fresh.position;
                if (fresh.position + 1 < to) {
                    batch.clear();
                    env.store().recentOrRead(fresh.position + 1, to, batch::add);
                    rebuildBatch(fresh, batch, lease);
                }
                progress.advance(fresh.position - before);
                r.position = fresh.position;
                // within a batch of the live runner (not of the head: under a steady append rate both chase the
                // head, and the switch only has to be no older than what readers see now)
                if (fresh.failedAt >= 0 || live.position - fresh.position <= settings.batchSize()) {
                    break;
                }
            }
            progress.finish();
            Checkpoint switched = onWorker(r, () -> switchTables(fresh));
            LOG.info("projection '{}' was rebuilt into a fresh table set up to position {}; its tables were switched",
                    name, switched.position());
            lastRebuildError = null;
            notifyProgress();
            synchronized (this) {
                rebuild = null;
            }
            signal();
            r.future.complete(status());
        } catch (Throwable t) {
            if (t instanceof LeaseLostException lost && ownership != null) {
                ownership.lost(ownership.lease(), lost);
            }
            rebuildFailed(r, t);
        }
    }

    /** @return the lease the rebuild's writes are fenced by (null when not owned) */
    private Lease currentLease() {
        if (ownership == null) {
            return null;
        }
        Lease lease = ownership.lease();
        if (lease == null) {
            throw new IllegalStateException("the rebuild of projection '" + name + "' stopped: instance '"
                    + ownership.instanceId() + "' no longer owns it (" + ownerName(ownership.lastOwner())
                    + " does); its current tables keep serving, rebuild it on its owner");
        }
        return lease;
    }

    /**
     * One batch of a rebuild into the next table set, in a transaction with the rebuild's checkpoint. When a
     * handler throws, the batch is rolled back and run again with each event at a savepoint of its own, so
     * that the failure policy applies to that event alone.
     */
    private void rebuildBatch(Lineage fresh, List<StoredEvent<?>> batch, Lease lease) {
        String checkpoint = TransactionalProjectionStore.rebuildName(name);
        Lineage copy = fresh.copy();
        try {
            tx.inTransaction(name, TableSet.NEXT, lease, c -> {
                Connection previous = TransactionContext.enter(c);
                try {
                    for (StoredEvent<?> e : batch) {
                        if (handleInTransaction(copy, e, env.index().of(e.payload().getClass())) != HANDLED) {
                            break;
                        }
                    }
                } finally {
                    TransactionContext.restore(previous);
                }
                return capture(checkpoint, copy, true, false);
            });
        } catch (HandlerFailed f) {
            Lineage careful = fresh.copy();
            tx.inTransaction(name, TableSet.NEXT, lease, c -> {
                applyAtSavepoints(careful, batch, c);
                return capture(checkpoint, careful, true, false);
            });
            fresh.takeFrom(careful);
            return;
        }
        fresh.takeFrom(copy);
    }

    /**
     * Applies events with a savepoint per event and the failure policy per event (a rebuild's, on its own
     * thread: its waits are capped at half the lease, as the transaction stays open and the server ends one
     * left idle for a lease).
     */
    private void applyAtSavepoints(Lineage l, List<StoredEvent<?>> events, Connection c) {
        Connection previous = TransactionContext.enter(c);
        try {
            FailurePolicy policy = settings.failurePolicy();
            for (StoredEvent<?> e : events) {
                int index = env.index().of(e.payload().getClass());
                if (e.globalPosition() <= l.position) {
                    continue;
                }
                if (l.failedAt >= 0) {
                    return;
                }
                if (settledWithoutHandlers(l, e, index)) {
                    continue;
                }
                for (int attempt = 1; ; attempt++) {
                    Throwable t = invokeAtSavepoint(l, e, index, c);
                    if (t == null) {
                        applied(l, e);
                        break;
                    }
                    if (attempt >= policy.maxAttempts()) {
                        giveUp(l, e, t, attempt);
                        break;
                    }
                    Duration delay = policy.delayAfter(attempt);
                    Duration cap = env.leaseDuration().dividedBy(2);
                    LOG.warn("{} '{}' (rebuild) failed on the event at global position {}, attempt {} of {}; trying again"
                            + " in {} ms: {}", kindName(), name, e.globalPosition(), attempt, policy.maxAttempts(),
                            Math.min(delay.toMillis(), cap.toMillis()), t.toString());
                    sleep(delay.compareTo(cap) > 0 ? cap : delay);
                }
            }
        } finally {
            TransactionContext.restore(previous);
        }
    }

    /**
     * The switch, on the worker (no batch of the live tables runs meanwhile): in one transaction the events
     * up to the live position are applied to the next table set, the next set replaces the live one and its
     * checkpoint the live checkpoint; then the fresh lineage becomes the live one.
     */
    private Checkpoint switchTables(Lineage fresh) {
        Lease lease = currentLease();
        Lineage replaced = live;
        Lineage copy = fresh.copy();
        // up to the live runner's position, so that readers never see the tables go back; the worker applies
        // what follows to the new tables. Read before the transaction opens: it must not sit idle on reads
        // (the server ends a transaction idle for a lease).
        List<StoredEvent<?>> last = new ArrayList<>();
        if (replaced.position > copy.position) {
            env.store().recentOrRead(copy.position + 1, replaced.position + 1, last::add);
        }
        Checkpoint saved;
        try {
            saved = tx.switchTables(name, lease, c -> {
                applyAtSavepoints(copy, last, c);
                if (copy.failedAt >= 0 && replaced.failedAt < 0) {
                    throw new IllegalStateException("the rebuild of projection '" + name + "' stopped at the event at"
                            + " position " + copy.failedAt + " (" + copy.error + "); its current tables keep serving");
                }
                copy.decisions.addAll(0, replaced.decisions);
                return capture(copy, true, false);
            });
        } catch (LeaseLostException e) {
            throw e;
        } catch (TransactionalProjectionStore.TransactionWorkException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            txReload = true; // the switch may have committed: the checkpoint in the database says which tables serve
            txRetryAtNanos = System.nanoTime();
            throw new IllegalStateException("the switch of projection '" + name + "' to its rebuilt tables failed ("
                    + e.getMessage() + "); the checkpoint in the database tells whether it happened", e);
        }
        fresh.takeFrom(copy);
        lock.writeLock().lock();
        try {
            live = fresh;
            savedPosition = saved.position();
            savedAtNanos = System.nanoTime();
            tableRebuildDue = false;
        } finally {
            lock.writeLock().unlock();
        }
        return saved;
    }

    /**
     * Runs an operation on the worker thread (it is the only writer of the live tables), waiting for it
     * without a time limit but not past a cancelled rebuild or a worker that ended.
     */
    private <T> T onWorker(Rebuild r, Supplier<T> operation) throws Exception {
        Thread w = worker;
        if (w == null || !w.isAlive()) {
            return operation.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        commands.add(() -> {
            try {
                result.complete(operation.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        LockSupport.unpark(w);
        while (true) {
            try {
                return result.get(100, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException notYet) {
                if (!w.isAlive() && !result.isDone()) {
                    throw new IllegalStateException("the rebuild of projection '" + name + "' did not switch: its worker"
                            + " stopped (" + stopReason + "); its current tables keep serving");
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
            }
        }
    }

    /** @return whether a rebuild is under way */
    boolean rebuilding() {
        return rebuild != null;
    }

    // ---------------------------------------------------------------- status

    ProjectionStatus status() {
        Lineage l = live;
        long position;
        long failedAt;
        String error;
        int parked;
        if (lock.readLock().tryLock()) {
            try {
                l = live;
                position = l.position;
                failedAt = l.failedAt;
                error = l.error;
                parked = l.parked.size();
            } finally {
                lock.readLock().unlock();
            }
        } else {
            /*
             * A worker holds the lock for its batch, perhaps for as long as a handler blocks on another
             * system: a health check must answer now, so it reads the progress as last written instead of
             * waiting (a lag that is at most a batch too high, never a hung probe).
             */
            position = l.positionWithoutLock();
            failedAt = l.failedAtWithoutLock();
            error = l.error;
            parked = l.parked.size();
        }
        if (error == null) {
            error = lastRebuildError;
        }
        long head = env.store().nextPosition();
        long lag = Math.max(0, head - 1 - position);
        double lagSeconds = 0;
        if (lag > 0) {
            Instant[] oldest = new Instant[1];
            env.store().storage().read(position + 1, position + 2, r -> oldest[0] = r.recordedAt());
            if (oldest[0] != null) {
                lagSeconds = Math.max(0, Duration.between(oldest[0], env.clock().instant()).toNanos() / 1e9);
            }
        }
        String owner = null;
        boolean ownedHere = false;
        Instant since = null;
        String from = null;
        if (ownership != null) {
            ownedHere = ownership.holds();
            owner = ownedHere ? ownership.instanceId() : ownership.lastOwner();
            if (ownedHere) {
                since = ownedSince;
                from = ownership.takenFrom() == null || ownership.takenFrom().equals(ownership.instanceId()) ? null
                        : ownership.takenFrom();
            }
        } else if (ownerLookup != null) {
            try {
                owner = ownerLookup.holder(name).map(Lease::owner).orElse(null);
            } catch (RuntimeException e) {
                owner = null; // a schema without leases, or the database out of reach: no owner known
            }
        }
        ProjectionStatus.State state;
        if (failedAt >= 0) {
            state = ProjectionStatus.State.FAILED;
        } else if (stopped) {
            state = ProjectionStatus.State.STOPPED;
        } else if (ownership != null && !ownedHere) {
            state = ProjectionStatus.State.STANDBY;
        } else if (rebuild != null || l.provisional) {
            state = ProjectionStatus.State.REBUILDING;
        } else if (lag <= settings.batchSize() && (reachedHead || !isAsync())) {
            state = ProjectionStatus.State.LIVE;
        } else {
            state = ProjectionStatus.State.CATCHING_UP;
        }
        return new ProjectionStatus(name, target.kind(), settings.mode(), state, position, head, lag, lagSeconds,
                rate(position), parked, savedPosition, failedAt, error, owner, ownedHere, since, from);
    }

    private synchronized double rate(long position) {
        long now = System.nanoTime();
        if (ratePosition == Long.MIN_VALUE) {
            ratePosition = position;
            rateNanos = now;
            return 0;
        }
        long elapsed = now - rateNanos;
        if (elapsed >= TimeUnit.SECONDS.toNanos(1)) {
            rate = Math.max(0, position - ratePosition) * 1e9 / elapsed;
            ratePosition = position;
            rateNanos = now;
        }
        return rate;
    }

    String kindName() {
        return switch (target.kind()) {
            case PROJECTION -> "projection";
            case PROCESSOR -> "processor";
            case SUBSCRIPTION -> "subscription";
        };
    }

    /**
     * The saved checkpoint when a temporal query ending before {@code end} may start from it, read from the
     * store, or empty. Its header is read first, so a checkpoint at or after the end, or of another version,
     * is not read whole: it sits near the head, and a large state's checkpoint read on every query into the
     * past was most of the query's time.
     */
    Optional<Checkpoint> savedCheckpointBefore(long end, String version) {
        if (!loads) {
            return Optional.empty();
        }
        try {
            Optional<HistoryEntry> entry = env.projectionStore().checkpointEntry(name);
            if (entry.isEmpty() || entry.get().position() >= end || !entry.get().version().equals(version)) {
                return Optional.empty();
            }
            return env.projectionStore().load(name);
        } catch (CorruptStoreException e) {
            return Optional.empty();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
