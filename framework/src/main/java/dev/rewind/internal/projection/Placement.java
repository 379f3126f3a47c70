package dev.rewind.internal.projection;

import dev.rewind.spi.projection.InstanceMember;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which live instance should own each owned runner (docs/adr/0018-spreading-owned-runners.md): a pure
 * function of the members and the runners each runs, so every instance computes the same placement from
 * the same membership.
 *
 * <p>Rendezvous hashing with bounded loads: each runner ranks the instances that run it by a hash of
 * (runner, instance); of n runners on m instances each gets {@code n / m} and {@code n % m} of them one
 * more (unless only full instances run a runner: then its best-ranked one takes it anyway); the runners
 * with the fewest candidates are placed first, then by name, each on its best-ranked candidate that is
 * not full. Plain rendezvous hashing moves only the runners an
 * instance that joins or leaves wins or had, but leaves 4 runners on 2 instances 3-1 or 4-0 more often
 * than 2-2; the bound makes the spread even at the price of a few more moves when the membership
 * changes (still at most one per runner per change: the result depends on the membership only).
 *
 * <p>Each runner also has a fallback order: the others that run it, best-ranked first. When its lease
 * stays free because the assigned instance does not take it, they try in that order (one grace period
 * apart), so that the one that takes it is the one that would get it if the assigned one left.
 */
public final class Placement {
    private static final Placement EMPTY = new Placement(Map.of());
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** Per runner: the instance it is placed on first, then the fallbacks in order. */
    private final Map<String, List<String>> ranked;

    private Placement(Map<String, List<String>> ranked) {
        this.ranked = ranked;
    }

    /** @return the placement of nothing on no one */
    public static Placement empty() {
        return EMPTY;
    }

    /**
     * Places the runners of the members on them.
     *
     * @param members the live members (a member listed twice counts once, with the runners of both entries)
     * @return the placement
     */
    public static Placement of(Collection<InstanceMember> members) {
        Map<String, TreeSet<String>> runnersOf = new TreeMap<>();
        for (InstanceMember m : members) {
            runnersOf.computeIfAbsent(m.instanceId(), id -> new TreeSet<>()).addAll(m.runners());
        }
        Map<String, List<String>> candidates = new TreeMap<>();
        int busy = 0;
        for (Map.Entry<String, TreeSet<String>> m : runnersOf.entrySet()) {
            if (!m.getValue().isEmpty()) {
                busy++;
            }
            for (String runner : m.getValue()) {
                candidates.computeIfAbsent(runner, r -> new ArrayList<>()).add(m.getKey());
            }
        }
        if (candidates.isEmpty()) {
            return EMPTY;
        }
        // n runners on m instances: each gets q = n / m, and n % m of them one more
        int q = candidates.size() / busy;
        int extra = candidates.size() % busy;
        int atCeiling = 0;
        for (Map.Entry<String, List<String>> c : candidates.entrySet()) {
            String runner = c.getKey();
            c.getValue().sort(Comparator.comparingLong((String id) -> score(runner, id)).reversed()
                    .thenComparing(Comparator.naturalOrder()));
        }
        List<String> order = new ArrayList<>(candidates.keySet());
        order.sort(Comparator.comparingInt((String r) -> candidates.get(r).size()).thenComparing(Comparator.naturalOrder()));
        Map<String, Integer> load = new HashMap<>();
        Map<String, List<String>> ranked = new HashMap<>();
        for (String runner : order) {
            List<String> byScore = candidates.get(runner);
            String chosen = byScore.get(0); // every candidate full: the best one takes it anyway
            for (String id : byScore) {
                int l = load.getOrDefault(id, 0);
                if (l < q || l == q && atCeiling < extra) {
                    chosen = id;
                    break;
                }
            }
            if (load.merge(chosen, 1, Integer::sum) == q + 1) {
                atCeiling++;
            }
            List<String> list = new ArrayList<>(byScore.size());
            list.add(chosen);
            for (String id : byScore) {
                if (!id.equals(chosen)) {
                    list.add(id);
                }
            }
            ranked.put(runner, List.copyOf(list));
        }
        return new Placement(Map.copyOf(ranked));
    }

    /**
     * @param runner an owned runner's name
     * @return the instance it is placed on, or null when no live member runs it
     */
    public String assignee(String runner) {
        List<String> r = ranked.get(runner);
        return r == null ? null : r.get(0);
    }

    /**
     * @param runner an owned runner's name
     * @param instanceId an instance
     * @return 0 when the runner is placed on that instance, its place in the fallback order (1 is the
     *     first fallback), or -1 when the instance is not a live member running it
     */
    public int rank(String runner, String instanceId) {
        List<String> r = ranked.get(runner);
        return r == null ? -1 : r.indexOf(instanceId);
    }

    /**
     * @param runner an owned runner's name
     * @return how many live members run it
     */
    public int candidates(String runner) {
        List<String> r = ranked.get(runner);
        return r == null ? 0 : r.size();
    }

    /** @return per runner, the instance it is placed on (sorted by runner) */
    public Map<String, String> assignments() {
        Map<String, String> out = new TreeMap<>();
        ranked.forEach((runner, ids) -> out.put(runner, ids.get(0)));
        return out;
    }

    /**
     * A stable 64-bit hash of a (runner, instance) pair: FNV-1a over their UTF-8 bytes with a separator,
     * then the SplitMix64 finaliser for the high bits. Fixed here rather than {@code String.hashCode} or
     * anything else a JVM may change, because instances of different releases must agree on it.
     */
    static long score(String runner, String instanceId) {
        long h = FNV_OFFSET;
        h = fnv(h, runner.getBytes(StandardCharsets.UTF_8));
        h = (h ^ 0xff) * FNV_PRIME; // 0xff never occurs in UTF-8: ("ab", "c") and ("a", "bc") differ
        h = fnv(h, instanceId.getBytes(StandardCharsets.UTF_8));
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    private static long fnv(long h, byte[] bytes) {
        for (byte b : bytes) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Placement p && ranked.equals(p.ranked);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ranked);
    }

    @Override
    public String toString() {
        return assignments().toString();
    }
}
