package dev.rewind.spi.projection;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Optional capability of a {@link ProjectionStore} that offers {@link ProjectionLeases}: which instances
 * are alive, and which owned runners each runs. The runtime places each owned runner on one of the live
 * instances that run it, the same way on every instance, so that owned runners spread over the instances
 * and move to one that joins (see {@code docs/adr/0018-spreading-owned-runners.md}). A store with leases
 * but without this capability gets today's placement: the first instance to ask takes every free lease.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>A member is alive until the duration given at its last {@link #join} ran out, by the store's one
 *       clock (a database's {@code now()}, as for leases), or until it {@link #leave left}.</li>
 *   <li>Every call lists the members alive at that moment; all callers see one membership.</li>
 *   <li>Thread-safe.</li>
 * </ul>
 */
public interface InstanceMembership {

    /**
     * Registers the instance, or renews its registration (the runtime calls it again every third of
     * {@code duration} on its heartbeat thread), and lists the live members.
     *
     * @param instanceId this instance's id
     * @param runners the names of the owned runners it runs
     * @param duration how long it counts as alive unless it joins again
     * @return the live members, this one included, in no particular order
     */
    List<InstanceMember> join(String instanceId, Set<String> runners, Duration duration);

    /**
     * @return the live members, in no particular order
     */
    List<InstanceMember> members();

    /**
     * Removes the instance from the members at once (at close, before its runners give their leases
     * up). Does nothing when it is not a member.
     *
     * @param instanceId this instance's id
     */
    void leave(String instanceId);
}
