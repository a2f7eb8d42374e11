package dev.oboro.services.autoscaling;

import dev.oboro.services.autoscaling.AsgState.Group;
import dev.oboro.services.autoscaling.AsgState.Member;
import software.amazon.awssdk.services.autoscaling.model.InstancesDistribution;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Which instances a scale-in terminates, as
 * <a href="https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-termination-policies.html">AWS
 * applies termination policies</a>: instances protected from scale-in are never chosen; the zone
 * with the most instances gives one first; then the group's policies narrow the choice in order,
 * ending with the default policy (oldest launch template or configuration, then closest to the
 * next billing hour); a tie left at the end is broken by instance id.
 */
final class Termination {
    static final List<String> POLICIES = List.of("Default", "AllocationStrategy", "OldestLaunchTemplate", "OldestLaunchConfiguration",
            "ClosestToNextInstanceHour", "NewestInstance", "OldestInstance");

    private Termination() {
    }

    /** Picks {@code n} instances to terminate from the group's active ones. */
    static List<Member> select(Group g, List<Member> active, int n, Instant now) {
        List<Member> pool = new ArrayList<>(active);
        List<Member> chosen = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            List<Member> candidates = pool.stream().filter(m -> !m.protectedFromScaleIn()).toList();
            if (candidates.isEmpty()) break;
            Member victim = one(g, pool, candidates, now);
            chosen.add(victim);
            pool.remove(victim);
        }
        return chosen;
    }

    private static Member one(Group g, List<Member> all, List<Member> candidates, Instant now) {
        List<Member> c = new ArrayList<>(candidates);
        List<String> policies = new ArrayList<>(g.g().terminationPolicies());
        if (policies.isEmpty()) policies.add("Default");
        // with a mixed instances policy, the Default and AllocationStrategy policies first keep the
        // on-demand/Spot split the group asks for
        if (g.g().mixedInstancesPolicy() != null && (policies.contains("Default") || policies.contains("AllocationStrategy"))) {
            c = byMarket(g, all, c);
        }
        // zone balance comes before every policy
        Map<String, Integer> perZone = new HashMap<>();
        for (Member m : all) perZone.merge(m.az(), 1, Integer::sum);
        int most = c.stream().mapToInt(m -> perZone.get(m.az())).max().orElse(0);
        c = c.stream().filter(m -> perZone.get(m.az()) == most).toList();
        for (String p : policies) {
            if (c.size() == 1) break;
            c = switch (p) {
                case "OldestInstance" -> keepMin(c, m -> m.launchedAt().toEpochMilli());
                case "NewestInstance" -> keepMin(c, m -> -m.launchedAt().toEpochMilli());
                case "OldestLaunchConfiguration" -> oldestLaunchConfiguration(g, c);
                case "OldestLaunchTemplate" -> oldestLaunchTemplate(g, c);
                case "ClosestToNextInstanceHour" -> closestToHour(c, now);
                case "AllocationStrategy" -> c;
                default -> closestToHour(oldestLaunchTemplate(g, oldestLaunchConfiguration(g, c)), now);
            };
        }
        return c.stream().min(Comparator.comparing(Member::id)).orElseThrow();
    }

    private static List<Member> keepMin(List<Member> c, ToLongFunction<Member> f) {
        long min = c.stream().mapToLong(f).min().orElse(0);
        return c.stream().filter(m -> f.applyAsLong(m) == min).toList();
    }

    /** Instances launched from no or another launch configuration go first. */
    private static List<Member> oldestLaunchConfiguration(Group g, List<Member> c) {
        String current = g.g().launchConfigurationName();
        if (current == null) return c;
        List<Member> old = c.stream().filter(m -> !current.equals(m.launchConfigurationName())).toList();
        return old.isEmpty() ? c : old;
    }

    /** Instances of another template, then of the oldest version of the group's template, go first. */
    private static List<Member> oldestLaunchTemplate(Group g, List<Member> c) {
        LaunchTemplateSpecification current = Reconciler.groupTemplate(g);
        if (current == null) return c;
        List<Member> other = c.stream().filter(m -> m.launchTemplate() == null
                || !Objects.equals(m.launchTemplate().launchTemplateId(), current.launchTemplateId())).toList();
        if (!other.isEmpty()) return other;
        return keepMin(c, m -> versionNumber(m.launchTemplate().version()));
    }

    private static long versionNumber(String v) {
        try {
            return Long.parseLong(v);
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Closest to the next billing hour of its run time. */
    private static List<Member> closestToHour(List<Member> c, Instant now) {
        return keepMin(c, m -> 3600 - Math.floorMod(Duration.between(m.launchedAt(), now).toSeconds(), 3600));
    }

    /** The market (on-demand or Spot) that is above its share under the instances distribution. */
    private static List<Member> byMarket(Group g, List<Member> all, List<Member> c) {
        InstancesDistribution d = g.g().mixedInstancesPolicy().instancesDistribution();
        int base = d == null || d.onDemandBaseCapacity() == null ? 0 : d.onDemandBaseCapacity();
        int pct = d == null || d.onDemandPercentageAboveBaseCapacity() == null ? 100 : d.onDemandPercentageAboveBaseCapacity();
        long onDemand = all.stream().filter(m -> !m.spot()).count();
        int after = all.size() - 1;
        int wantOnDemand = Reconciler.onDemandShare(after, base, pct);
        boolean dropOnDemand = onDemand > wantOnDemand;
        List<Member> kept = c.stream().filter(m -> m.spot() != dropOnDemand).toList();
        return kept.isEmpty() ? c : kept;
    }
}
