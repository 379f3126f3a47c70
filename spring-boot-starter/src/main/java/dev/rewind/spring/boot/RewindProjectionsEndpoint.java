package dev.rewind.spring.boot;

import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import java.util.List;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * Actuator endpoint {@code rewindprojections} ({@code /actuator/rewindprojections} once exposed): every
 * projection, event processor and subscription with its status (state, position, lag in events and
 * seconds, rate, parked count, failure), and {@code /actuator/rewindprojections/{name}} for one. The id
 * has no dash, because Spring Boot warns about an endpoint id that has one.
 */
@Endpoint(id = "rewindprojections")
public class RewindProjectionsEndpoint {
    private final Rewind rewind;

    /** @param rewind the application's Rewind */
    public RewindProjectionsEndpoint(Rewind rewind) {
        this.rewind = rewind;
    }

    /**
     * The answer of the endpoint.
     *
     * @param eventsStored how many events the store holds
     * @param projections the status of each runner, by name order of the runtime
     */
    public record ProjectionsDescriptor(long eventsStored, List<ProjectionStatus> projections) {
    }

    /** @return every runner's status */
    @ReadOperation
    public ProjectionsDescriptor projections() {
        return new ProjectionsDescriptor(rewind.store().nextPosition(), rewind.projections().statuses());
    }

    /**
     * @param name a projection, processor or subscription name
     * @return its status, or null (404) when there is none of that name
     */
    @ReadOperation
    public ProjectionStatus projection(@Selector String name) {
        return rewind.projections().statuses().stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }
}
