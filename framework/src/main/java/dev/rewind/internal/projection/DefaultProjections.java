package dev.rewind.internal.projection;

import dev.rewind.EventListener;
import dev.rewind.ProjectionStatus;
import dev.rewind.Projections;
import dev.rewind.StoredEvent;
import dev.rewind.Subscription;
import dev.rewind.annotation.EventProcessor;
import dev.rewind.internal.DefaultEventStore;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.ReplayContext;
import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ProjectionVerification;
import dev.rewind.projection.ReadPoint;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.InstanceMembership;
import dev.rewind.spi.projection.ProjectionLeases;
import dev.rewind.spi.projection.ProjectionStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection runtime behind {@link Projections}: one {@link Runner} per projection, event processor
 * and subscription. Synchronous runners share one subscriber to the store, which looks the event's class
 * up once and hands it to each; asynchronous runners each have a worker thread woken when the store's
 * head moves. Temporal queries and verification read the store into fresh instances.
 */
public final class DefaultProjections implements Projections, EventListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultProjections.class);
    /** Processors and subscriptions without settings of their own: asynchronous, a checkpoint every second. */
    private static final ProjectionSettings RUNNER_DEFAULTS = ProjectionSettings.async()
            .snapshotEvery(1_000, Duration.ofSeconds(1));

    private final DefaultEventStore store;
    private final EventIndex index;
    private final Runner.Env env;
    private final Map<String, ProjectionSettings> settingsByName;
    private final Map<String, Runner> runners = new ConcurrentHashMap<>();
    private final Map<String, Runner> projections = new LinkedHashMap<>();
    private final Map<Class<?>, Runner> byClass = new LinkedHashMap<>();
    private final Runner[] syncRunners;
    private final List<Runner> asyncRunners = new CopyOnWriteArrayList<>();
    /** Whether the store wakes asynchronous runners when its head moves (guarded by this). */
    private boolean listening;
    private final Subscription subscription;
    private final AtomicInteger anonymous = new AtomicInteger();
    private Thread checkpointer;
    private Thread heartbeat;
    private volatile boolean closed;
    /** Set once every runner closed: the heartbeat renews leases while closing runners drain and save. */
    private volatile boolean runnersClosed;

    /**
     * Restores every runner (snapshot and checkpoint), subscribes the synchronous ones to the store and
     * catches them up on this thread, then starts the asynchronous ones and any rebuild a changed version
     * asks for.
     *
     * @param store the store
     * @param index the event index
     * @param types the validated projection types (names unique)
     * @param processors the event processors: their types and registered instances
     * @param projectionStore where checkpoints are kept
     * @param defaults the settings of projections named in no {@code settingsByName}
     * @param settingsByName settings by runner name
     * @throws IllegalStateException when a name is used twice, or a processor is given synchronous settings
     */
    public DefaultProjections(DefaultEventStore store, EventIndex index, List<ProjectionType> types,
                              Map<ProjectionType, Object> processors, ProjectionStore projectionStore,
                              ProjectionSettings defaults, Map<String, ProjectionSettings> settingsByName) {
        this(store, index, types, processors, projectionStore, defaults, settingsByName, "local", Duration.ofSeconds(5));
    }

    /**
     * As {@link #DefaultProjections(DefaultEventStore, EventIndex, List, Map, ProjectionStore, ProjectionSettings, Map)},
     * with the ownership of owned runners (docs/adr/0015-projection-ownership.md): when the projection store
     * offers {@link ProjectionLeases} (and is writable), each owned runner and every event processor runs only
     * while this instance holds its lease.
     *
     * @param store the store
     * @param index the event index
     * @param types the validated projection types (names unique)
     * @param processors the event processors: their types and registered instances
     * @param projectionStore where checkpoints are kept
     * @param defaults the settings of projections named in no {@code settingsByName}
     * @param settingsByName settings by runner name
     * @param instanceId this instance's id, as the owner of leases
     * @param leaseDuration how long a lease lasts unless renewed (renewed every third of it)
     */
    public DefaultProjections(DefaultEventStore store, EventIndex index, List<ProjectionType> types,
                              Map<ProjectionType, Object> processors, ProjectionStore projectionStore,
                              ProjectionSettings defaults, Map<String, ProjectionSettings> settingsByName,
                              String instanceId, Duration leaseDuration) {
        this.store = store;
        this.index = index;
        ProjectionLeases leases = projectionStore instanceof ProjectionLeases l && !projectionStore.isReadOnly() ? l : null;
        // owned runners spread over the live instances only where the store also keeps a membership
        Membership membership = leases != null && projectionStore instanceof InstanceMembership m
                ? new Membership(m, instanceId, leaseDuration) : null;
        this.env = new Runner.Env(store, index, projectionStore, store.clock(), leases, instanceId, leaseDuration,
                membership);
        this.settingsByName = Map.copyOf(settingsByName);
        List<Runner> sync = new ArrayList<>();
        List<Runner> all = new ArrayList<>();
        for (ProjectionType t : types) {
            ProjectionSettings s = settingsByName.getOrDefault(t.name(), defaults);
            Runner r = new Runner(Target.projection(t), s, env, true, codecFor(t, s));
            projections.put(t.name(), r);
            byClass.put(t.javaClass(), r);
            all.add(r);
        }
        for (Map.Entry<ProjectionType, Object> p : processors.entrySet()) {
            ProjectionType t = p.getKey();
            if (projections.containsKey(t.name())) {
                throw new IllegalStateException("the name '" + t.name() + "' is used by the projection "
                        + projections.get(t.name()).target().type().javaClass().getName() + " and the event processor "
                        + t.javaClass().getName() + ": give each a unique name");
            }
            ProjectionSettings s = settingsByName.getOrDefault(t.name(), RUNNER_DEFAULTS);
            if (!s.isAsync()) {
                throw new IllegalStateException("event processor '" + t.name() + "' is given synchronous settings: a"
                        + " processor always runs on a thread of its own; give it ProjectionSettings.async()");
            }
            boolean fromBeginning = t.javaClass().getAnnotation(EventProcessor.class).fromBeginning();
            all.add(new Runner(Target.processor(t, p.getValue(), fromBeginning ? -1 : Long.MAX_VALUE), s, env, true, null));
        }
        List<Runner> startupRebuilds = new ArrayList<>();
        try {
            for (Runner r : all) {
                runners.put(r.name(), r);
                if (r.restore()) {
                    startupRebuilds.add(r);
                }
                (r.isAsync() ? asyncRunners : sync).add(r);
            }
            this.syncRunners = sync.toArray(new Runner[0]);
            if (!asyncRunners.isEmpty()) {
                listenForHeadMoves();
            }
            this.subscription = syncRunners.length == 0 ? () -> { } : store.subscribe(this);
            catchUpSync();
            startupRebuilds.forEach(Runner::startRebuild);
            for (Runner r : syncRunners) {
                r.caughtUpAtStart();
            }
            joinMembership();
            for (Runner r : asyncRunners) {
                r.start(DefaultProjections::threadName);
            }
            startCheckpointer();
            startHeartbeat();
        } catch (RuntimeException | Error e) {
            closeRunners();
            throw e;
        }
    }

    private static String threadName(Runner r) {
        return "rewind-" + r.kindName() + "-" + r.name();
    }

    /** Inspects a projection's class for snapshots when its settings want them; warns once, at start-up, when it cannot. */
    private static SnapshotCodec codecFor(ProjectionType t, ProjectionSettings s) {
        if (!s.snapshots() && !s.keepsHistory() || t.usesConnection()) {
            return null; // a table projection's state is its tables: no snapshot (docs/adr/0016-table-projections.md)
        }
        SnapshotCodec.Inspection inspection = SnapshotCodec.inspect(t.javaClass(), t::newInstance);
        if (inspection.codec() == null) {
            LOG.warn("projection '{}' ({}) cannot be snapshotted: {}. It runs without snapshots: replayed from position 0"
                    + " at every start{}. {}", t.name(), t.javaClass().getName(), inspection.why(),
                    s.keepsHistory() ? ", and temporal queries replay from position 0" : "", SnapshotSupport.FIX);
        }
        return inspection.codec();
    }

    /** Feeds all synchronous runners from one replay of the store, each from where it is. */
    private void catchUpSync() {
        if (syncRunners.length == 0) {
            return;
        }
        long from = Long.MAX_VALUE;
        for (Runner r : syncRunners) {
            from = Math.min(from, r.position() + 1);
        }
        try {
            store.replay(from, Long.MAX_VALUE, this);
        } catch (RuntimeException unreadable) {
            for (Runner r : syncRunners) { // each goes as far as it can and records where it stopped
                r.catchUp(Long.MAX_VALUE);
            }
        }
    }

    /**
     * Joins the membership with the owned runners' names, before their workers start: they follow the
     * placement it reads (docs/adr/0018-spreading-owned-runners.md). An instance without owned runners
     * does not join (nothing could be placed on it).
     */
    private void joinMembership() {
        Membership m = env.membership();
        if (m == null) {
            return;
        }
        Set<String> owned = new TreeSet<>();
        for (Runner r : asyncRunners) {
            if (r.owned()) {
                owned.add(r.name());
            }
        }
        if (!owned.isEmpty()) {
            m.join(owned);
        }
    }

    /**
     * One thread renews the membership and the leases of all owned runners, apart from their workers, so
     * that a long batch does not cost the lease, while a paused process (which stops this thread too) does.
     * Both are renewed a third of a lease apart, so when the process dies its membership and its leases
     * all expire within one lease of its last breath, and each runner is placed and taken elsewhere at the
     * next poll after that.
     */
    private void startHeartbeat() {
        List<Runner> owned = new ArrayList<>();
        long period = Long.MAX_VALUE;
        for (Runner r : asyncRunners) {
            if (r.owned()) {
                owned.add(r);
                period = Math.min(period, r.heartbeatNanos() / 3);
            }
        }
        if (owned.isEmpty()) {
            return;
        }
        long every = Math.max(1, period);
        Membership membership = env.membership();
        heartbeat = new Thread(() -> {
            while (!runnersClosed) {
                if (membership != null) {
                    try {
                        membership.heartbeat();
                    } catch (RuntimeException e) {
                        LOG.warn("instance '{}': its membership heartbeat failed: {}", membership.instanceId(), e.toString());
                    }
                }
                for (Runner r : owned) {
                    try {
                        r.heartbeat();
                    } catch (RuntimeException e) {
                        LOG.warn("{} '{}': its lease heartbeat failed: {}", r.kindName(), r.name(), e.toString());
                    }
                }
                LockSupport.parkNanos(this, every);
            }
        }, "rewind-leases");
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    private void startCheckpointer() {
        List<Runner> saving = new ArrayList<>();
        for (Runner r : syncRunners) {
            if (r.saves()) {
                saving.add(r);
            }
        }
        if (saving.isEmpty()) {
            return;
        }
        checkpointer = new Thread(() -> {
            while (!closed) {
                for (Runner r : saving) {
                    try {
                        r.checkpointTick();
                    } catch (RuntimeException e) {
                        LOG.warn("projection '{}': its checkpoint could not be taken: {}", r.name(), e.toString());
                    }
                }
                LockSupport.parkNanos(200_000_000L); // never interrupted: it may be writing
            }
        }, "rewind-checkpointer");
        checkpointer.setDaemon(true);
        checkpointer.start();
    }

    /**
     * Makes the store wake asynchronous runners when its head moves, from the first one on: a subscription
     * opened on a runtime that started with none is woken by appends too, instead of finding them at its
     * idle poll (100 ms).
     */
    private synchronized void listenForHeadMoves() {
        if (!listening) {
            store.onHeadMoved(this::signalAll);
            listening = true;
        }
    }

    private void signalAll() {
        for (Runner r : asyncRunners) {
            r.signal();
        }
    }

    @Override
    public void on(StoredEvent<?> event) {
        int i = index.of(event.payload().getClass());
        for (Runner r : syncRunners) {
            r.onLiveEvent(i, event);
        }
    }

    // ---------------------------------------------------------------- names and lookups

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(projections.keySet());
    }

    private Runner projection(String name) {
        Runner r = projections.get(Objects.requireNonNull(name, "name"));
        if (r == null) {
            throw new IllegalArgumentException("no projection named '" + name + "'; the registered ones are "
                    + projections.keySet());
        }
        return r;
    }

    private Runner runner(String name) {
        Runner r = runners.get(Objects.requireNonNull(name, "name"));
        if (r == null) {
            throw new IllegalArgumentException("no projection, processor or subscription named '" + name
                    + "'; the runners are " + new TreeSet<>(runners.keySet()));
        }
        return r;
    }

    private Runner projection(Class<?> projectionClass) {
        Runner r = byClass.get(Objects.requireNonNull(projectionClass, "projection"));
        if (r == null) {
            List<String> known = new ArrayList<>();
            byClass.keySet().forEach(c -> known.add(c.getName()));
            throw new IllegalArgumentException(projectionClass.getName() + " is not a registered projection class;"
                    + " the registered ones are " + known);
        }
        return r;
    }

    // ---------------------------------------------------------------- state and queries

    @Override
    @SuppressWarnings("unchecked")
    public <T> T state(String name) {
        Runner r = projection(name);
        return (T) r.read(r.target()::state, -1, Duration.ZERO);
    }

    @Override
    public <T> T state(String name, Class<T> type) {
        Objects.requireNonNull(type, "type");
        Object state = state(name);
        if (state != null && !type.isInstance(state)) {
            throw new IllegalArgumentException("the state of projection '" + name + "' is a " + state.getClass().getName()
                    + " (its @QueryState method returns " + projection(name).target().type().stateType().getName()
                    + "), not a " + type.getName());
        }
        return type.cast(state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T state(String name, ReadPoint at) {
        Runner r = projection(name);
        Objects.requireNonNull(at, "at");
        if (at.isPast()) {
            return (T) r.target().state(pastInstance(r, toExclusive(at)));
        }
        return (T) r.read(r.target()::state, at.kind() == ReadPoint.Kind.AT_LEAST ? at.position() : -1, at.timeout());
    }

    @Override
    public <P, R> R query(Class<P> projection, Function<? super P, ? extends R> query) {
        return query(projection, ReadPoint.now(), query);
    }

    @Override
    public <P, R> R query(Class<P> projection, ReadPoint at, Function<? super P, ? extends R> query) {
        Runner r = projection(projection);
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(query, "query");
        if (at.isPast()) {
            return query.apply(projection.cast(pastInstance(r, toExclusive(at))));
        }
        return r.read(instance -> query.apply(projection.cast(instance)),
                at.kind() == ReadPoint.Kind.AT_LEAST ? at.position() : -1, at.timeout());
    }

    @Override
    public <T> T stateAt(String name, Instant at) {
        Objects.requireNonNull(at, "at");
        return state(name, ReadPoint.at(at));
    }

    @Override
    public <T> T stateAtPosition(String name, long position) {
        if (position < -1) {
            throw new IllegalArgumentException("position must be -1 (the empty state) or more, was " + position);
        }
        return state(name, ReadPoint.atPosition(position));
    }

    private long toExclusive(ReadPoint at) {
        if (at.kind() == ReadPoint.Kind.AT_INSTANT) {
            return store.firstPositionAfter(at.instant());
        }
        return at.position() == Long.MAX_VALUE ? Long.MAX_VALUE : at.position() + 1;
    }

    /**
     * A fresh instance holding the state after the events before {@code toExclusive}: from the nearest
     * kept state at or before that point that is valid for it (same version, taken from this store), plus
     * the tail; from position 0 when there is none. Events skipped by a recorded decision stay skipped.
     */
    private Object pastInstance(Runner r, long toExclusive) {
        String name = r.name();
        if (r.transactional()) {
            throw new IllegalArgumentException("projection '" + name + "' keeps its view in tables (a handler takes a"
                    + " java.sql.Connection): it has no past states in memory; query its tables, or ask for its current"
                    + " state");
        }
        Target target = r.target();
        long end = Math.min(toExclusive, store.nextPosition());
        Object instance = null;
        long from = 0;
        SnapshotCodec codec = r.codec();
        if (codec != null) {
            int tried = 0;
            for (Candidate candidate : candidates(r, end)) {
                Checkpoint base = candidate.load(r, env.projectionStore());
                if (base == null) {
                    continue;
                }
                Object restored = target.newInstance();
                try {
                    // a past state is read by key: its maps decode an entry when asked (docs/adr/0017-keyed-past-states.md)
                    codec.readPast(base.snapshot(), restored, "the past state of projection '" + name + "' at position "
                            + base.position());
                    instance = restored;
                    from = base.position() + 1;
                    break;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("projection '{}': its past state at position {} cannot be read back ({}); another one, or"
                            + " position 0, is used", name, base.position(), e.getMessage());
                }
                if (++tried >= 3) {
                    break;
                }
            }
        }
        if (instance == null) {
            instance = target.newInstance();
        }
        if (from >= end) {
            return instance;
        }
        Set<Long> skipped = new HashSet<>(r.skippedPositions());
        Object into = instance;
        long[] previous = target.usesReplaying() ? ReplayContext.enter(Long.MAX_VALUE) : null;
        try {
            store.replay(from, end, e -> {
                if (!skipped.isEmpty() && skipped.contains(e.globalPosition())) {
                    return;
                }
                int i = index.of(e.payload().getClass());
                if (target.handles(i)) {
                    try {
                        target.apply(into, i, e);
                    } catch (Throwable t) {
                        throw new IllegalStateException("projection '" + name + "' failed on the event at global position "
                                + e.globalPosition() + " (" + e.type() + " " + e.eventId() + ") while computing a past state: "
                                + t, t);
                    }
                }
            });
        } finally {
            if (target.usesReplaying()) {
                ReplayContext.restore(previous);
            }
        }
        return instance;
    }

    /**
     * A kept state that may serve a temporal query, read only when its turn comes (a past state of a large
     * projection is megabytes: the nearest valid one is usually the only one read).
     *
     * @param position its position
     * @param main the saved checkpoint, or null for a past state to load
     */
    private record Candidate(long position, Checkpoint main) {
        /** @return the state, or null when it is unusable (damaged, or not of this store's history: logged) */
        Checkpoint load(Runner r, ProjectionStore ps) {
            Checkpoint c = main;
            if (c == null) {
                try {
                    c = ps.loadHistory(r.name(), position).orElse(null);
                } catch (RuntimeException damaged) {
                    LOG.warn("projection '{}': its past state at position {} is unusable ({})", r.name(), position,
                            damaged.getMessage());
                    return null;
                }
            }
            return c != null && c.hasSnapshot() && c.eventId() != null && c.eventId().equals(r.idAt(c.position())) ? c : null;
        }
    }

    /**
     * @return the kept states that may serve a point before {@code end}, nearest first: past states and the saved
     *     checkpoint of the projection's current version, with no parked event (each is loaded and checked to be of
     *     this store's history by {@link Candidate#load})
     */
    private List<Candidate> candidates(Runner r, long end) {
        List<Candidate> out = new ArrayList<>();
        ProjectionStore ps = env.projectionStore();
        String version = r.target().version();
        TreeMap<Long, Boolean> positions = new TreeMap<>();
        if (r.settings().keepsHistory()) {
            for (HistoryEntry h : ps.history(r.name())) {
                if (h.position() < end && h.version().equals(version)) {
                    positions.put(h.position(), Boolean.TRUE);
                }
            }
        }
        Optional<Checkpoint> saved = r.savedCheckpointBefore(end, version);
        Checkpoint main = saved.filter(c -> c.hasSnapshot() && c.parked().isEmpty() && c.version().equals(version)
                && c.position() >= 0 && c.position() < end).orElse(null);
        if (main != null) {
            positions.put(main.position(), Boolean.FALSE);
        }
        for (Map.Entry<Long, Boolean> p : positions.descendingMap().entrySet()) {
            out.add(new Candidate(p.getKey(), p.getValue() ? null : main));
        }
        return out;
    }

    // ---------------------------------------------------------------- rebuild, status, parked, verify

    @Override
    public void rebuild(String name) {
        try {
            startRebuild(name).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rebuilding projection '" + name + "'", e);
        }
    }

    @Override
    public CompletableFuture<ProjectionStatus> startRebuild(String name) {
        Runner r = runners.get(Objects.requireNonNull(name, "name"));
        if (r == null) {
            projection(name); // the error naming the projections
        }
        return r.startRebuild();
    }

    @Override
    public ProjectionStatus status(String name) {
        return runner(name).status();
    }

    @Override
    public List<ProjectionStatus> statuses() {
        List<ProjectionStatus> out = new ArrayList<>();
        for (String name : new TreeSet<>(runners.keySet())) {
            Runner r = runners.get(name);
            if (r != null) {
                out.add(r.status());
            }
        }
        return out;
    }

    @Override
    public List<ParkedEvent> parked(String name) {
        return runner(name).parked();
    }

    @Override
    public List<ParkedEvent> retryParked(String name, String streamId, String reason) {
        return runner(name).retryParked(Objects.requireNonNull(streamId, "streamId"), reason);
    }

    @Override
    public List<ParkedEvent> skipParked(String name, long position, String reason) {
        return runner(name).skipParked(position, reason);
    }

    @Override
    public List<Decision> decisions(String name) {
        return runner(name).decisions();
    }

    @Override
    public ProjectionVerification verify(String name) {
        Runner r = runner(name);
        Runner.Tally t = r.tally();
        Set<Long> excluded = new HashSet<>(t.excluded());
        long[] expected = new long[2];
        if (t.position() > t.origin()) {
            store.storage().read(t.origin() + 1, t.position() + 1, e -> {
                if (excluded.isEmpty() || !excluded.contains(e.globalPosition())) {
                    expected[0]++;
                    expected[1] += EventHash.of(e.eventId());
                }
            });
        }
        String problem = null;
        long diff = t.applied() - expected[0];
        String span = "positions " + (t.origin() + 1) + " to " + t.position()
                + (excluded.isEmpty() ? "" : " less " + excluded.size() + " parked or skipped");
        if (diff < 0) {
            problem = r.kindName() + " '" + name + "' counted " + t.applied() + " events applied where the store holds "
                    + expected[0] + " at " + span + ": " + (-diff) + " skipped";
        } else if (diff > 0) {
            problem = r.kindName() + " '" + name + "' counted " + t.applied() + " events applied where the store holds "
                    + expected[0] + " at " + span + ": " + diff + " repeated";
        } else if (t.hash() != expected[1]) {
            problem = r.kindName() + " '" + name + "' counted as many events as the store holds at " + span
                    + ", but not the same ones: at least one was skipped and another repeated, or applied from another store";
        }
        return new ProjectionVerification(name, t.position(), expected[0], t.applied(), expected[1], t.hash(), problem);
    }

    // ---------------------------------------------------------------- subscriptions

    @Override
    public Subscription subscribe(String name, long fromPosition, EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (fromPosition < 0) {
            throw new IllegalArgumentException("fromPosition must be 0 or more, was " + fromPosition);
        }
        if (closed) {
            throw new IllegalStateException("the projection runtime is closed");
        }
        if (fromPosition > store.nextPosition()) {
            throw new IllegalArgumentException("fromPosition " + fromPosition + " is beyond the store's next position "
                    + store.nextPosition() + ": a subscription starts at a stored event or at the next one");
        }
        boolean durable = name != null;
        if (durable && name.isBlank()) {
            throw new IllegalArgumentException("a subscription's name must not be blank (null for one that keeps no"
                    + " checkpoint)");
        }
        String key = durable ? name : "subscription-" + anonymous.incrementAndGet();
        ProjectionSettings s = durable ? settingsByName.getOrDefault(name, RUNNER_DEFAULTS) : RUNNER_DEFAULTS;
        if (!s.isAsync()) {
            throw new IllegalArgumentException("subscription '" + key + "' is given synchronous settings: a subscription"
                    + " runs on a thread of its own; give it ProjectionSettings.async()");
        }
        Runner r = new Runner(Target.subscription(key, listener, fromPosition - 1), s, env, durable, null);
        if (runners.putIfAbsent(key, r) != null) {
            throw new IllegalArgumentException("the name '" + key + "' is already used by a projection, processor or open"
                    + " subscription: subscribe with another name, or close the other subscription first");
        }
        try {
            r.restore();
            listenForHeadMoves();
            asyncRunners.add(r);
            r.start(DefaultProjections::threadName);
        } catch (RuntimeException | Error e) {
            runners.remove(key, r);
            asyncRunners.remove(r);
            throw e;
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                r.close();
                asyncRunners.remove(r);
                runners.remove(key, r);
            }
        };
    }

    @Override
    public Subscription subscribe(String name, Instant from, EventListener listener) {
        return subscribe(name, store.firstPositionAtOrAfter(Objects.requireNonNull(from, "from")), listener);
    }

    // ---------------------------------------------------------------- shutdown

    /** Stops every worker (each saves its checkpoint), saves the synchronous ones', and unsubscribes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscription.close();
        closeRunners();
    }

    private void closeRunners() {
        closed = true;
        Membership m = env.membership();
        if (m != null) {
            m.leave(); // first: the others place its runners elsewhere, and take each as soon as it is released
        }
        Thread c = checkpointer;
        if (c != null) {
            LockSupport.unpark(c); // an interrupt would close the file it is writing
            try {
                c.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Runner> all = new ArrayList<>(runners.values());
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Runner r : all) {
            closing.add(CompletableFuture.runAsync(r::close, runnable -> {
                Thread t = new Thread(runnable, "rewind-close-" + r.name());
                t.setDaemon(true);
                t.start();
            }));
        }
        for (CompletableFuture<Void> f : closing) {
            try {
                f.join();
            } catch (CompletionException e) {
                LOG.warn("closing a runner failed: {}", e.getCause().toString());
            }
        }
        runnersClosed = true;
        Thread h = heartbeat;
        if (h != null) {
            LockSupport.unpark(h);
        }
    }
}
