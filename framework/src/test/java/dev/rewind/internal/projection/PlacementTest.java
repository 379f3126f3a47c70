package dev.rewind.internal.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.spi.projection.InstanceMember;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The placement of owned runners over live instances (docs/adr/0018-spreading-owned-runners.md) as a pure
 * function: the same on every instance whatever order the members are read in, even, each runner on an
 * instance that runs it, a fallback order over the others, and what moves when an instance joins or
 * leaves. The randomised cases run fixed seeds and name the seed and the members when they fail.
 */
class PlacementTest {
    private static final Set<String> FOUR = Set.of("order_totals", "customer_view", "mailer", "audit_log");

    private static InstanceMember member(String id, Set<String> runners) {
        return new InstanceMember(id, runners);
    }

    private static List<InstanceMember> members(Set<String> runners, String... ids) {
        List<InstanceMember> out = new ArrayList<>();
        for (String id : ids) {
            out.add(member(id, runners));
        }
        return out;
    }

    private static Map<String, Integer> loads(Placement p) {
        Map<String, Integer> loads = new HashMap<>();
        p.assignments().values().forEach(id -> loads.merge(id, 1, Integer::sum));
        return loads;
    }

    @Test
    void four_runners_on_two_instances_two_each_and_on_three_two_one_one() {
        Placement two = Placement.of(members(FOUR, "instance-a", "instance-b"));
        assertThat(two.assignments()).containsOnlyKeys(FOUR);
        assertThat(loads(two)).containsOnlyKeys("instance-a", "instance-b").containsValues(2, 2);

        Placement three = Placement.of(members(FOUR, "instance-a", "instance-b", "instance-c"));
        assertThat(new ArrayList<>(loads(three).values())).containsExactlyInAnyOrder(2, 1, 1);
        assertThat(loads(three)).containsOnlyKeys("instance-a", "instance-b", "instance-c");
    }

    @Test
    void the_hash_and_the_placement_are_fixed_across_releases() {
        // instances of different releases must agree: a change here is a change of the placement protocol
        assertThat(Placement.score("owned_sums", "instance-a")).isEqualTo(-1918460523218971120L);
        assertThat(Placement.score("ab", "c")).isNotEqualTo(Placement.score("a", "bc"));
        assertThat(Placement.of(members(FOUR, "instance-a", "instance-b")).assignments())
                .isEqualTo(Map.of("audit_log", "instance-a", "customer_view", "instance-b", "mailer", "instance-a",
                        "order_totals", "instance-b"));
        // instance-c joins: it takes one runner of instance-b's, nothing else moves
        assertThat(Placement.of(members(FOUR, "instance-a", "instance-b", "instance-c")).assignments())
                .isEqualTo(Map.of("audit_log", "instance-a", "customer_view", "instance-b", "mailer", "instance-a",
                        "order_totals", "instance-c"));
        assertThat(Placement.of(members(Set.of("owned_sums"), "instance-a", "instance-b")).assignee("owned_sums"))
                .isEqualTo("instance-b");
    }

    @Test
    void every_instance_computes_the_same_placement_whatever_order_it_reads_the_members_in() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            List<InstanceMember> members = randomMembers(random);
            Placement first = Placement.of(members);
            List<InstanceMember> shuffled = new ArrayList<>(members);
            Collections.shuffle(shuffled, random);
            assertThat(Placement.of(shuffled)).as("seed %d, members %s", seed, members).isEqualTo(first);
        }
    }

    @Test
    void each_runner_goes_to_an_instance_that_runs_it_with_the_others_that_run_it_as_fallbacks() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            List<InstanceMember> members = randomMembers(random);
            Placement p = Placement.of(members);
            Map<String, Set<String>> runBy = new HashMap<>();
            for (InstanceMember m : members) {
                m.runners().forEach(r -> runBy.computeIfAbsent(r, k -> new TreeSet<>()).add(m.instanceId()));
            }
            assertThat(p.assignments().keySet()).as("seed %d, members %s", seed, members).isEqualTo(runBy.keySet());
            for (Map.Entry<String, Set<String>> e : runBy.entrySet()) {
                String runner = e.getKey();
                assertThat(e.getValue()).as("seed %d: %s", seed, runner).contains(p.assignee(runner));
                assertThat(p.candidates(runner)).isEqualTo(e.getValue().size());
                List<Integer> ranks = new ArrayList<>();
                for (String id : e.getValue()) {
                    ranks.add(p.rank(runner, id));
                }
                // each instance that runs it has one place: 0 (placed there), then 1, 2, ...
                assertThat(ranks).as("seed %d, runner %s, members %s", seed, runner, members)
                        .containsExactlyInAnyOrderElementsOf(range(e.getValue().size()));
            }
            assertThat(p.rank("not-run-anywhere", members.get(0).instanceId())).isEqualTo(-1);
            assertThat(p.assignee("not-run-anywhere")).isNull();
        }
    }

    @Test
    void instances_that_run_the_same_runners_each_get_the_floor_or_the_ceiling_of_their_share() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            Set<String> runners = new TreeSet<>();
            int n = 1 + random.nextInt(30);
            while (runners.size() < n) {
                runners.add("runner-" + random.nextInt(1_000_000));
            }
            int m = 1 + random.nextInt(8);
            List<InstanceMember> members = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                members.add(member("host-" + random.nextInt(1_000_000) + "-" + i, runners));
            }
            Map<String, Integer> loads = loads(Placement.of(members));
            int floor = n / m;
            int ceiling = (n + m - 1) / m;
            for (InstanceMember member : members) {
                assertThat(loads.getOrDefault(member.instanceId(), 0)).as("seed %d: %d runners on %d instances", seed, n, m)
                        .isBetween(floor, ceiling);
            }
        }
    }

    @Test
    void a_runner_only_one_instance_runs_stays_there_and_the_others_fill_the_rest() {
        List<InstanceMember> members = List.of(member("a", Set.of("x", "y", "z", "w")), member("b", Set.of("x")));
        Placement p = Placement.of(members);
        // the constrained runners are placed first, so b gets the one it can run
        assertThat(p.assignments()).isEqualTo(Map.of("x", "b", "y", "a", "z", "a", "w", "a"));
        assertThat(p.rank("x", "a")).isEqualTo(1);
        assertThat(p.rank("y", "b")).isEqualTo(-1);
    }

    @Test
    void an_instance_that_joins_gets_its_share_and_one_that_leaves_gives_all_of_it_up() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            Set<String> runners = new TreeSet<>();
            int n = 1 + random.nextInt(20);
            while (runners.size() < n) {
                runners.add("runner-" + random.nextInt(1_000_000));
            }
            int m = 1 + random.nextInt(5);
            List<InstanceMember> before = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                before.add(member("host-" + random.nextInt(1_000_000) + "-" + i, runners));
            }
            InstanceMember joining = member("joining-" + seed, runners);
            List<InstanceMember> after = new ArrayList<>(before);
            after.add(joining);
            Placement was = Placement.of(before);
            Placement is = Placement.of(after);
            int share = n / (m + 1);
            assertThat(loads(is).getOrDefault(joining.instanceId(), 0)).as("seed %d: %d runners, %d + 1 instances", seed, n, m)
                    .isBetween(share, share + 1);
            // leaving again gives back exactly the placement before the join: nothing stays moved
            assertThat(Placement.of(before)).as("seed %d", seed).isEqualTo(was);
            for (String runner : runners) {
                assertThat(is.assignee(runner)).as("seed %d: %s", seed, runner).isNotNull();
            }
        }
    }

    @Test
    void nothing_to_place_places_nothing() {
        assertThat(Placement.of(List.of()).assignments()).isEmpty();
        assertThat(Placement.of(List.of(member("idle", Set.of()))).assignments()).isEmpty();
        assertThat(Placement.empty().rank("x", "a")).isEqualTo(-1);
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    /** 1 to 6 instances, each running a random subset of 1 to 12 runners. */
    private static List<InstanceMember> randomMembers(Random random) {
        int n = 1 + random.nextInt(12);
        List<String> runners = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            runners.add("runner-" + i);
        }
        int m = 1 + random.nextInt(6);
        List<InstanceMember> members = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            Set<String> some = new TreeSet<>();
            for (String r : runners) {
                if (random.nextInt(3) > 0) {
                    some.add(r);
                }
            }
            members.add(member("instance-" + i + "-" + random.nextInt(1000), some));
        }
        return members;
    }
}
