package dev.rewind.spi.projection;

import java.util.Objects;
import java.util.Set;

/**
 * A live instance as {@link InstanceMembership} lists it: its id and the owned runners it runs (the names
 * whose leases it could hold). Every instance places owned runners over the same list, so they all agree
 * on who should own what.
 *
 * @param instanceId the instance's id (the owner named on its leases)
 * @param runners the names of the owned runners it runs
 */
public record InstanceMember(String instanceId, Set<String> runners) {
    /**
     * Checks the values and copies the names.
     *
     * @param instanceId the instance's id
     * @param runners the names of the owned runners it runs
     */
    public InstanceMember {
        Objects.requireNonNull(instanceId, "instanceId");
        runners = Set.copyOf(Objects.requireNonNull(runners, () -> "the runners of instance '" + instanceId + "'"));
    }
}
