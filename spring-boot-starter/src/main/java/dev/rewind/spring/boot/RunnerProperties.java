package dev.rewind.spring.boot;

import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ProjectionSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * The {@code rewind.projections.*} properties: how the projection runtime runs projections (each one a
 * field of {@link ProjectionSettings}). Those under {@code rewind.projections.defaults} are the
 * defaults of every projection; {@code rewind.projections.named.NAME.*} changes one projection, event
 * processor or subscription, anything it leaves unset coming from the defaults. Anything unset in both
 * keeps the value of {@link ProjectionSettings#sync()} or {@link ProjectionSettings#async()}, as the
 * mode says.
 *
 * <pre>
 * rewind.projections.defaults.mode=async
 * rewind.projections.defaults.snapshot-every-events=50000
 * rewind.projections.named.order_totals.failure.max-attempts=5
 * rewind.projections.named.order_totals.failure.then=park
 * </pre>
 */
public class RunnerProperties {

    /** The settings of every projection (and of processors and subscriptions named nowhere). */
    @NestedConfigurationProperty
    private final Settings defaults = new Settings();

    /** Settings of single projections, processors or subscriptions, by name; unset fields come from the defaults. */
    private Map<String, Settings> named = new LinkedHashMap<>();

    /** @return the defaults */
    public Settings getDefaults() {
        return defaults;
    }

    /** @return the settings by name */
    public Map<String, Settings> getNamed() {
        return named;
    }

    /** @param named the settings by name */
    public void setNamed(Map<String, Settings> named) {
        this.named = named == null ? new LinkedHashMap<>() : new LinkedHashMap<>(named);
    }

    /** @return the defaults, for {@code Rewind.Builder.projectionDefaults} */
    public ProjectionSettings resolveDefaults() {
        return resolve(new Settings());
    }

    /**
     * @param one the settings of one name
     * @return them over the defaults, for {@code Rewind.Builder.projectionSettings}
     */
    public ProjectionSettings resolve(Settings one) {
        ProjectionSettings.Mode mode = pick(one.mode, defaults.getMode());
        ProjectionSettings s = mode == ProjectionSettings.Mode.ASYNC ? ProjectionSettings.async() : ProjectionSettings.sync();
        s = s.batchSize(pick(one.batchSize, defaults.getBatchSize(), s.batchSize()));
        s = s.linger(pick(one.linger, defaults.getLinger(), s.linger()));
        s = s.placement(pick(one.placement, defaults.getPlacement(), s.placement()));
        s = s.snapshotEvery(pick(one.snapshotEveryEvents, defaults.getSnapshotEveryEvents(), s.snapshotEveryEvents()),
                pick(one.snapshotEveryTime, defaults.getSnapshotEveryTime(), s.snapshotEveryTime()));
        DataSize bytes = pick(one.historyMaxBytes, defaults.getHistoryMaxBytes(), null);
        s = s.history(pick(one.historyEveryEvents, defaults.getHistoryEveryEvents(), s.historyEveryEvents()),
                pick(one.historyMaxCount, defaults.getHistoryMaxCount(), s.historyMaxCount()),
                bytes == null ? s.historyMaxBytes() : bytes.toBytes());
        s = s.historyEvery(pick(one.historyEveryTime, defaults.getHistoryEveryTime(), s.historyEveryTime()));
        Failure f = one.failure;
        Failure d = defaults.getFailure();
        FailurePolicy p = s.failurePolicy();
        return s.failurePolicy(new FailurePolicy(pick(f.maxAttempts, d.maxAttempts, p.maxAttempts()),
                pick(f.firstDelay, d.firstDelay, p.firstDelay()), pick(f.maxDelay, d.maxDelay, p.maxDelay()),
                pick(f.then, d.then, p.then())));
    }

    private static <T> T pick(T one, T defaults) {
        return one != null ? one : defaults;
    }

    private static <T> T pick(T one, T defaults, T preset) {
        return one != null ? one : defaults != null ? defaults : preset;
    }

    /** One set of runner settings; an unset (null) field is inherited. */
    public static class Settings {
        /**
         * SYNC: fed on the thread that appends, before append returns. ASYNC: fed on a thread of the runtime,
         * in batches; appends never wait for it. Unset: SYNC for projections (processors and subscriptions
         * named nowhere run ASYNC).
         */
        private ProjectionSettings.Mode mode;

        /**
         * REPLICATED: every instance runs its own copy. OWNED: on a store with leases (PostgreSQL), one
         * instance at a time processes it and the others stand by (asynchronous runners only). Unset:
         * REPLICATED.
         */
        private ProjectionSettings.Placement placement;

        /** How many events an asynchronous runner applies under one lock (queries wait at most one batch). Unset: 512. */
        private Integer batchSize;

        /**
         * How long a live asynchronous runner that finds only a few events, or its next one still being
         * appended by this process, waits for more (0s: it wakes for every append); a query waiting for a
         * position ends the wait. Unset: 2ms.
         */
        private Duration linger;

        /**
         * Save the checkpoint and a snapshot of the state after this many events (0: never). Unset: 0 for
         * SYNC, 50000 for ASYNC.
         */
        private Long snapshotEveryEvents;

        /** ... or when this much time has passed since the last save (0s: no time trigger). Unset: 0s for SYNC, 30s for ASYNC. */
        private Duration snapshotEveryTime;

        /** Keep a past state every this many events, for temporal queries (0: none). Unset: 0. */
        private Long historyEveryEvents;

        /** ... or whenever this much recorded time has passed since the last one (0s: no time trigger). Unset: 0s. */
        private Duration historyEveryTime;

        /** Keep at most this many past states (the runtime thins them out evenly). Unset: 100. */
        private Integer historyMaxCount;

        /** Keep at most this much space of past states. Unset: 1GB. */
        private DataSize historyMaxBytes;

        /** What happens when a handler throws. */
        @NestedConfigurationProperty
        private final Failure failure = new Failure();

        /** @return the mode, or null when inherited */
        public ProjectionSettings.Mode getMode() {
            return mode;
        }

        /** @param mode the mode */
        public void setMode(ProjectionSettings.Mode mode) {
            this.mode = mode;
        }

        /** @return the batch size, or null when inherited */
        public Integer getBatchSize() {
            return batchSize;
        }

        /** @param batchSize the batch size */
        public void setBatchSize(Integer batchSize) {
            this.batchSize = batchSize;
        }

        /** @return the placement, or null when inherited */
        public ProjectionSettings.Placement getPlacement() {
            return placement;
        }

        /** @param placement the placement */
        public void setPlacement(ProjectionSettings.Placement placement) {
            this.placement = placement;
        }

        /** @return the linger, or null when inherited */
        public Duration getLinger() {
            return linger;
        }

        /** @param linger the linger */
        public void setLinger(Duration linger) {
            this.linger = linger;
        }

        /** @return the snapshot interval in events, or null when inherited */
        public Long getSnapshotEveryEvents() {
            return snapshotEveryEvents;
        }

        /** @param snapshotEveryEvents the snapshot interval in events */
        public void setSnapshotEveryEvents(Long snapshotEveryEvents) {
            this.snapshotEveryEvents = snapshotEveryEvents;
        }

        /** @return the snapshot interval in time, or null when inherited */
        public Duration getSnapshotEveryTime() {
            return snapshotEveryTime;
        }

        /** @param snapshotEveryTime the snapshot interval in time */
        public void setSnapshotEveryTime(Duration snapshotEveryTime) {
            this.snapshotEveryTime = snapshotEveryTime;
        }

        /** @return the history interval in events, or null when inherited */
        public Long getHistoryEveryEvents() {
            return historyEveryEvents;
        }

        /** @param historyEveryEvents the history interval in events */
        public void setHistoryEveryEvents(Long historyEveryEvents) {
            this.historyEveryEvents = historyEveryEvents;
        }

        /** @return the history interval in recorded time, or null when inherited */
        public Duration getHistoryEveryTime() {
            return historyEveryTime;
        }

        /** @param historyEveryTime the history interval in recorded time */
        public void setHistoryEveryTime(Duration historyEveryTime) {
            this.historyEveryTime = historyEveryTime;
        }

        /** @return how many past states are kept at most, or null when inherited */
        public Integer getHistoryMaxCount() {
            return historyMaxCount;
        }

        /** @param historyMaxCount how many past states are kept at most */
        public void setHistoryMaxCount(Integer historyMaxCount) {
            this.historyMaxCount = historyMaxCount;
        }

        /** @return the space past states take at most, or null when inherited */
        public DataSize getHistoryMaxBytes() {
            return historyMaxBytes;
        }

        /** @param historyMaxBytes the space past states take at most */
        public void setHistoryMaxBytes(DataSize historyMaxBytes) {
            this.historyMaxBytes = historyMaxBytes;
        }

        /** @return the failure policy's settings */
        public Failure getFailure() {
            return failure;
        }
    }

    /** The failure policy ({@link FailurePolicy}); an unset field is inherited. */
    public static class Failure {
        /** How many times an event is tried in all. Unset: 1 (no retry). */
        private Integer maxAttempts;

        /** The wait before the second attempt, doubled before each next one (only for ASYNC). Unset: 0s. */
        private Duration firstDelay;

        /** The longest wait between two attempts. Unset: 0s. */
        private Duration maxDelay;

        /**
         * What happens to an event that failed every attempt: STOP (the runner stops there, its status says
         * FAILED) or PARK (the event waits for a decision, later events of its stream behind it). Unset: STOP.
         */
        private FailurePolicy.Then then;

        /** @return the attempts, or null when inherited */
        public Integer getMaxAttempts() {
            return maxAttempts;
        }

        /** @param maxAttempts the attempts */
        public void setMaxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        /** @return the first delay, or null when inherited */
        public Duration getFirstDelay() {
            return firstDelay;
        }

        /** @param firstDelay the first delay */
        public void setFirstDelay(Duration firstDelay) {
            this.firstDelay = firstDelay;
        }

        /** @return the longest delay, or null when inherited */
        public Duration getMaxDelay() {
            return maxDelay;
        }

        /** @param maxDelay the longest delay */
        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        /** @return what follows the last attempt, or null when inherited */
        public FailurePolicy.Then getThen() {
            return then;
        }

        /** @param then what follows the last attempt */
        public void setThen(FailurePolicy.Then then) {
            this.then = then;
        }
    }
}
