package dev.rewind.spring.boot;

import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Actuator's {@code rewind} health: whether the store is open and how each projection, event processor
 * and subscription is doing.
 *
 * <ul>
 *   <li>{@code DOWN} when the Rewind is closed, or when a runner stopped at a failed event: it applies
 *       nothing more until someone rebuilds it or restarts the application, so its answers grow stale
 *       and will not recover on their own;</li>
 *   <li>{@code OUT_OF_SERVICE} when a runner is more than {@code rewind.health.max-lag-events} events
 *       behind the store: it works and will catch up by itself, but its answers are too old to serve now
 *       (a load balancer that reads this status takes the instance out until it has caught up);</li>
 *   <li>{@code UP} otherwise, catching up within the threshold included. Parked events do not change the
 *       status (the other streams go on), but are counted in the details.</li>
 * </ul>
 *
 * <p>The details list each runner with its verdict ({@code live}, {@code catching up}, {@code lagging},
 * {@code failed}, {@code rebuilding} or {@code stopped}), state, lag in events and seconds, and parked
 * count; a failed one also its position and error.
 */
public class RewindHealthIndicator implements HealthIndicator {
    private final Rewind rewind;
    private final long maxLagEvents;

    /**
     * @param rewind the application's Rewind
     * @param maxLagEvents the lag, in events, above which a runner makes the status OUT_OF_SERVICE
     */
    public RewindHealthIndicator(Rewind rewind, long maxLagEvents) {
        this.rewind = rewind;
        this.maxLagEvents = maxLagEvents;
    }

    @Override
    public Health health() {
        if (!rewind.isOpen()) {
            return Health.down().withDetail("store", "closed").build();
        }
        List<ProjectionStatus> statuses = rewind.projections().statuses();
        Status status = Status.UP;
        Map<String, Object> runners = new LinkedHashMap<>();
        for (ProjectionStatus s : statuses) {
            String verdict;
            if (s.state() == ProjectionStatus.State.FAILED || s.failed()) {
                verdict = "failed";
                status = Status.DOWN;
            } else if (s.state() == ProjectionStatus.State.STANDBY) {
                verdict = "standby"; // another instance owns and processes it: this copy's lag is not a fault
            } else if (s.lag() > maxLagEvents) {
                verdict = "lagging";
                if (status != Status.DOWN) {
                    status = Status.OUT_OF_SERVICE;
                }
            } else {
                verdict = s.state().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("health", verdict);
            d.put("kind", s.kind().name().toLowerCase(Locale.ROOT));
            d.put("state", s.state().name());
            d.put("lag", s.lag());
            d.put("lagSeconds", s.lagSeconds());
            d.put("parked", s.parked());
            if (s.owner() != null) {
                d.put("owner", s.owner());
                d.put("ownedHere", s.ownedHere());
                if (s.ownedSince() != null) {
                    d.put("ownedSince", s.ownedSince().toString());
                }
                if (s.takenOverFrom() != null) {
                    d.put("takenOverFrom", s.takenOverFrom());
                }
            }
            if (s.failed()) {
                d.put("failedAt", s.failedAt());
                d.put("error", String.valueOf(s.error()));
            }
            runners.put(s.name(), d);
        }
        return Health.status(status).withDetail("store", "open")
                .withDetail("eventsStored", rewind.store().nextPosition())
                .withDetail("maxLagEvents", maxLagEvents)
                .withDetail("projections", runners).build();
    }
}
