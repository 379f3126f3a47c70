package dev.rewind.internal.projection;

import dev.rewind.spi.projection.InstanceMember;
import dev.rewind.spi.projection.InstanceMembership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's membership among the instances sharing a store (docs/adr/0018-spreading-owned-runners.md):
 * it joins with the names of its owned runners before their workers start, the runtime's heartbeat thread
 * renews it every {@code duration / 3} (beside the leases, on the store's clock), and it leaves first
 * thing at close. Each renewal lists the live members; from them every instance computes the same
 * {@link Placement}, which its owned runners follow.
 *
 * <p>The view is numbered: the generation goes up whenever the members (or the runners they run) change,
 * so that an owner hands a runner over at most once per change, never because the same membership was
 * read again. A read sent before the installed one never replaces it.
 */
final class Membership {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    /**
     * The membership as last read.
     *
     * @param members the live members, sorted by id
     * @param placement where each owned runner goes
     * @param generation goes up with every change of {@code members}
     * @param sentNanos when the read that produced it was sent (monotonic)
     */
    record View(List<InstanceMember> members, Placement placement, long generation, long sentNanos) {
        /** @return the members' ids, sorted */
        List<String> ids() {
            List<String> ids = new ArrayList<>(members.size());
            members.forEach(m -> ids.add(m.instanceId()));
            return ids;
        }
    }

    private final InstanceMembership store;
    private final String instanceId;
    private final Duration duration;
    private volatile Set<String> runners = Set.of();
    private volatile View view;
    private volatile long joinedNanos;
    private volatile boolean joined;
    private volatile boolean left;
    /** Whether the last renewal failed (logged once per streak). Heartbeat thread only. */
    private boolean unreachable;
    /** Held by a renewal and by leaving: a renewal under way when the instance leaves must not add it back. */
    private final Object joining = new Object();

    Membership(InstanceMembership store, String instanceId, Duration duration) {
        this.store = store;
        this.instanceId = instanceId;
        this.duration = duration;
        this.view = new View(List.of(), Placement.empty(), 0, System.nanoTime() - Long.MAX_VALUE / 2);
    }

    String instanceId() {
        return instanceId;
    }

    /**
     * Joins with the given owned runners (start-up, before their workers start). A failure is logged: the
     * heartbeat keeps trying, and meanwhile the runners take only leases left free for a grace period.
     */
    void join(Set<String> ownedRunners) {
        runners = Set.copyOf(ownedRunners);
        joined = true;
        renew(System.nanoTime());
    }

    /** Renews the membership when due (heartbeat thread), and reads the members with it. */
    void heartbeat() {
        long now = System.nanoTime();
        if (joined && !left && now - joinedNanos >= Math.max(1, duration.toNanos() / 3)) {
            renew(now);
        }
    }

    private void renew(long sent) {
        try {
            List<InstanceMember> members;
            synchronized (joining) {
                if (left) {
                    return;
                }
                members = store.join(instanceId, runners, duration);
            }
            joinedNanos = sent;
            install(members, sent);
            if (unreachable) {
                LOG.info("instance '{}' renews its membership again", instanceId);
            }
            unreachable = false;
        } catch (RuntimeException e) {
            if (!unreachable) {
                LOG.warn("instance '{}' cannot renew its membership ({}); the others stop counting it {} ms after its"
                        + " last renewal, and its owned runners follow the last membership it read", instanceId,
                        e.toString(), duration.toMillis());
            }
            unreachable = true;
        }
    }

    /** @return the membership as last read */
    View view() {
        return view;
    }

    /**
     * @return the view, read from the store now (a worker that finds a lease free asks: the instance it was
     *     placed on may have left since the heartbeat last read); the last view once this instance left
     */
    View read() {
        if (left) {
            return view;
        }
        install(store.members(), System.nanoTime());
        return view;
    }

    private synchronized void install(List<InstanceMember> read, long sent) {
        View v = view;
        if (sent - v.sentNanos() <= 0) {
            return; // an older read than the installed one
        }
        List<InstanceMember> members = new ArrayList<>(read);
        members.sort(Comparator.comparing(InstanceMember::instanceId));
        if (members.equals(v.members())) {
            view = new View(v.members(), v.placement(), v.generation(), sent);
            return;
        }
        Placement placement = Placement.of(members);
        View next = new View(List.copyOf(members), placement, v.generation() + 1, sent);
        view = next;
        Set<String> before = new TreeSet<>(v.ids());
        Set<String> now = new TreeSet<>(next.ids());
        Set<String> joinedNow = new TreeSet<>(now);
        joinedNow.removeAll(before);
        Set<String> leftNow = new TreeSet<>(before);
        leftNow.removeAll(now);
        List<String> here = new ArrayList<>();
        placement.assignments().forEach((runner, id) -> {
            if (id.equals(instanceId)) {
                here.add(runner);
            }
        });
        LOG.info("instance '{}': the instances running owned runners are now {} (joined: {}, left: {}); placed here: {}",
                instanceId, now, joinedNow.isEmpty() ? "none" : joinedNow, leftNow.isEmpty() ? "none" : leftNow,
                here.isEmpty() ? "none" : here);
    }

    /** Leaves (first thing at close): the others place this instance's runners elsewhere at once. */
    void leave() {
        synchronized (joining) {
            if (left) {
                return;
            }
            left = true;
        }
        if (!joined) {
            return;
        }
        try {
            store.leave(instanceId);
        } catch (RuntimeException e) {
            LOG.warn("instance '{}' cannot leave the membership ({}); the others stop counting it {} ms after its last"
                    + " renewal", instanceId, e.toString(), duration.toMillis());
        }
    }
}
