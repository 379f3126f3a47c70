package dev.rewind.micrometer;

import dev.rewind.ProjectionStatus;
import dev.rewind.spi.ObservedRewind;
import dev.rewind.spi.RewindObserver;
import dev.rewind.spi.storage.StorageMeter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Rewind's figures as Micrometer meters: an observer to give to the builder, and a {@link MeterBinder} to
 * bind to one or more registries, in either order.
 *
 * <pre>{@code
 * RewindMetrics metrics = new RewindMetrics();
 * try (Rewind rewind = Rewind.builder().observer(metrics).build()) {
 *     metrics.bindTo(registry);
 *     ...
 * }
 * }</pre>
 *
 * <p>The meters (names and units after Micrometer's conventions; a registry renders them in its own style,
 * {@code rewind_appends_seconds_count} in Prometheus):
 * <ul>
 *   <li>{@code rewind.appends}: a timer of successful appends (count and latency, serialisation, storage
 *       and synchronous projections included);</li>
 *   <li>{@code rewind.append.events}: a distribution summary of the events per append;</li>
 *   <li>{@code rewind.events.stored}: a gauge of the events in the store;</li>
 *   <li>per projection, event processor and subscription, tagged {@code projection} (its name) and
 *       {@code kind}: {@code rewind.projection.lag.events}, {@code rewind.projection.lag.seconds},
 *       {@code rewind.projection.position} (the last position handled), {@code rewind.projection.rate}
 *       (events per second), {@code rewind.projection.parked} and {@code rewind.projection.failed} (1 when
 *       it stopped at a failed event, else 0), all gauges;</li>
 *   <li>the storage's own meters, as it names them: {@code rewind.file.fsync} (timer),
 *       {@code rewind.file.group.size} and {@code rewind.file.appends} for the file store,
 *       {@code rewind.postgres.*} for PostgreSQL.</li>
 * </ul>
 *
 * <p>Only appends are pushed, on the appending thread (a timer and a summary record, no allocation of
 * Rewind's); the gauges are read when the registry is scraped. Projection statuses are read at most once
 * once per scrape, whatever the number of gauges, and a runner that appears later (a new subscription) gets its
 * gauges at the next reading. When the Rewind closes, its meters are removed from the registries.
 */
public final class RewindMetrics implements RewindObserver, MeterBinder {
    /**
     * Statuses are read once for all gauges within this window (one scrape reads many gauges in a few
     * milliseconds), unless events were stored meanwhile.
     */
    private static final long STATUS_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Tags tags;
    /** Per registry: what is pushed to it and what was registered in it. Copy-on-write: read on every append. */
    private volatile Bound[] bound = new Bound[0];
    private ObservedRewind rewind;
    private volatile Statuses statuses = new Statuses(0, -1, Map.of());

    /** Meters with no extra tags. */
    public RewindMetrics() {
        this(Tags.empty());
    }

    /** @param tags added to every meter (for example the application or the store's name) */
    public RewindMetrics(Iterable<Tag> tags) {
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /** What is bound to one registry. */
    private static final class Bound {
        final MeterRegistry registry;
        final Timer appends;
        final DistributionSummary events;
        final List<Meter> gauges = new ArrayList<>();
        final Set<String> runners = new HashSet<>();

        Bound(MeterRegistry registry, Timer appends, DistributionSummary events) {
            this.registry = registry;
            this.appends = appends;
            this.events = events;
        }
    }

    /** The statuses read at one instant, by name, and the store's head then. */
    private record Statuses(long readAt, long head, Map<String, ProjectionStatus> byName) {
    }

    /**
     * Registers the meters in a registry; may be called before or after the Rewind starts.
     *
     * @param registry the registry
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        for (Bound b : bound) {
            if (b.registry == registry) {
                return;
            }
        }
        Bound b = new Bound(registry,
                Timer.builder("rewind.appends").description("appends to the event store that succeeded")
                        .tags(tags).register(registry),
                DistributionSummary.builder("rewind.append.events").description("events per append")
                        .baseUnit("events").tags(tags).register(registry));
        Bound[] more = java.util.Arrays.copyOf(bound, bound.length + 1);
        more[bound.length] = b;
        if (rewind != null) {
            registerGauges(b);
        }
        bound = more;
    }

    @Override
    public synchronized void started(ObservedRewind rewind) {
        this.rewind = rewind;
        for (Bound b : bound) {
            registerGauges(b);
        }
    }

    @Override
    public void appended(int events, long nanos) {
        for (Bound b : bound) {
            b.appends.record(nanos, TimeUnit.NANOSECONDS);
            b.events.record(events);
        }
    }

    /** Removes what was registered for the Rewind: its figures are gone with it. */
    @Override
    public synchronized void closed() {
        for (Bound b : bound) {
            b.gauges.forEach(b.registry::remove);
            b.gauges.clear();
            b.runners.clear();
        }
        rewind = null;
    }

    private void registerGauges(Bound b) {
        ObservedRewind r = rewind;
        b.gauges.add(Gauge.builder("rewind.events.stored", r, ObservedRewind::eventsStored)
                .description("events in the store").baseUnit("events").tags(tags).strongReference(true)
                .register(b.registry));
        for (StorageMeter m : r.storageMeters()) {
            b.gauges.add(storageMeter(m, b.registry));
        }
        registerRunners(b, statuses(true).byName().values());
    }

    private Meter storageMeter(StorageMeter m, MeterRegistry registry) {
        return switch (m.type()) {
            case GAUGE -> Gauge.builder(m.name(), m.value(), s -> s.getAsDouble()).description(m.description())
                    .baseUnit(m.baseUnit()).tags(tags).strongReference(true).register(registry);
            case COUNTER -> FunctionCounter.builder(m.name(), m.value(), s -> s.getAsDouble())
                    .description(m.description()).baseUnit(m.baseUnit()).tags(tags).register(registry);
            case TIMER -> FunctionTimer.builder(m.name(), m, s -> (long) s.value().getAsDouble(),
                            s -> s.totalNanos().getAsDouble(), TimeUnit.NANOSECONDS)
                    .description(m.description()).tags(tags).register(registry);
        };
    }

    /** Registers the gauges of runners not seen yet in that registry. */
    private void registerRunners(Bound b, Iterable<ProjectionStatus> seen) {
        for (ProjectionStatus s : seen) {
            if (!b.runners.add(s.name())) {
                continue;
            }
            Tags t = tags.and("projection", s.name(), "kind", s.kind().name().toLowerCase(java.util.Locale.ROOT));
            String name = s.name();
            b.gauges.add(runnerGauge(b, "rewind.projection.lag.events", "events", "stored events it has not handled yet",
                    t, name, ProjectionStatus::lag));
            b.gauges.add(runnerGauge(b, "rewind.projection.lag.seconds", "seconds",
                    "how long ago the oldest event it has not handled yet was recorded", t, name,
                    ProjectionStatus::lagSeconds));
            b.gauges.add(runnerGauge(b, "rewind.projection.position", null,
                    "global position of the last event it handled", t, name, ProjectionStatus::lastPosition));
            b.gauges.add(runnerGauge(b, "rewind.projection.rate", "events", "events handled per second, lately",
                    t, name, ProjectionStatus::rate));
            b.gauges.add(runnerGauge(b, "rewind.projection.parked", "events", "events parked, waiting for a decision",
                    t, name, ProjectionStatus::parked));
            b.gauges.add(runnerGauge(b, "rewind.projection.failed", null,
                    "1 when it stopped at an event whose handler failed, else 0", t, name, st -> st.failed() ? 1 : 0));
        }
    }

    private Gauge runnerGauge(Bound b, String meter, String unit, String description, Tags t, String name,
                              ToDoubleFunction<ProjectionStatus> value) {
        return Gauge.builder(meter, this, m -> {
                    ProjectionStatus s = m.statuses(false).byName().get(name);
                    return s == null ? Double.NaN : value.applyAsDouble(s); // gone (closed subscription): no value
                }).description(description).baseUnit(unit).tags(t).strongReference(true).register(b.registry);
    }

    /**
     * The statuses, read again when older than {@link #STATUS_TTL_NANOS}, when events were stored since
     * (or when {@code fresh}); runners seen for the first time get their gauges here.
     */
    private Statuses statuses(boolean fresh) {
        Statuses s = statuses;
        long now = System.nanoTime();
        ObservedRewind r;
        synchronized (this) {
            r = rewind;
        }
        long head = r == null ? -1 : r.eventsStored();
        if (!fresh && s.readAt() != 0 && now - s.readAt() < STATUS_TTL_NANOS && head == s.head()) {
            return s;
        }
        Map<String, ProjectionStatus> byName = new HashMap<>();
        if (r != null) {
            for (ProjectionStatus st : r.statuses()) {
                byName.put(st.name(), st);
            }
        }
        Statuses read = new Statuses(now, head, Map.copyOf(byName));
        statuses = read;
        if (!fresh && r != null) {
            synchronized (this) {
                for (Bound b : bound) {
                    registerRunners(b, read.byName().values());
                }
            }
        }
        return read;
    }
}
