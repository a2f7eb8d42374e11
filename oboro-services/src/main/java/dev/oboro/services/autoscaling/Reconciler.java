package dev.oboro.services.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Scope;
import dev.oboro.core.time.Scheduler;
import dev.oboro.services.autoscaling.AsgState.Group;
import dev.oboro.services.autoscaling.AsgState.HookWait;
import dev.oboro.services.autoscaling.AsgState.Member;
import dev.oboro.services.autoscaling.AsgState.Refresh;
import dev.oboro.wire.AwsException;
import dev.oboro.wire.JsonCodec;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefresh;
import software.amazon.awssdk.services.autoscaling.model.InstancesDistribution;
import software.amazon.awssdk.services.autoscaling.model.LaunchConfiguration;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateOverrides;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.autoscaling.model.LifecycleHook;
import software.amazon.awssdk.services.autoscaling.model.MixedInstancesPolicy;
import software.amazon.awssdk.services.autoscaling.model.TagDescription;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps each group's promise on Oboro's clock. One sweep per account and region looks at EC2 once
 * (the group instances that are not running: one filtered DescribeInstances through EC2's own
 * handler) and then, per group: moves instances through their lifecycle states and lifecycle
 * hooks, replaces unhealthy ones, launches or terminates to meet desired capacity across zones,
 * rebalances zones and advances an instance refresh. Every step is a scaling activity.
 *
 * <p>A sweep runs every {@link #INTERVAL} while the scope has groups (within a long clock jump, only
 * in its last {@link #REPLAY}), at the group's own deadlines, and at once after any change (a handler
 * calls {@link #kick}). Nothing about the timers is persisted: the deadlines are in the
 * records, and {@link #armAll} arms one sweep per scope when the service loads.
 */
final class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /**
     * How much of a long clock jump the regular sweeps replay: a sweep every 10 s through 90 days
     * would be 777,600 sweeps; only the last hour is swept regularly, as EC2's metrics replay it.
     */
    static final Duration REPLAY = Duration.ofHours(1);
    static final String GROUP_TAG = "aws:autoscaling:groupName";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NOT_RUNNING = List.of("pending", "stopping", "stopped", "shutting-down", "terminated");

    private final AsgState st;
    private final Map<Scope, Scheduler.Task> tasks = new ConcurrentHashMap<>();
    /** Runs between the per-group steps: scheduled actions, policy repeats, refreshes (set by the provider). */
    private Scaling scaling;

    Reconciler(AsgState st) {
        this.st = st;
    }

    void bind(Scaling scaling) {
        this.scaling = scaling;
    }

    // ------------------------------------------------------------------ timers

    void armAll() {
        tasks.values().forEach(Scheduler.Task::cancel);
        tasks.clear();
        for (Scope s : st.groups.scopes()) kick(s);
    }

    /** Runs a sweep of the scope now (after the current task). */
    void kick(Scope s) {
        arm(s, st.oboro.clock().instant());
    }

    private synchronized void arm(Scope s, Instant at) {
        Scheduler.Task t = tasks.get(s);
        if (t != null && !t.dueAt().isAfter(at)) return;
        if (t != null) t.cancel();
        tasks.put(s, st.oboro.scheduler().schedule(at, () -> run(s)));
    }

    private void run(Scope s) {
        synchronized (this) {
            tasks.remove(s);
        }
        Instant next = null;
        try {
            next = sweep(s);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "auto scaling sweep of " + s + " failed", e);
        }
        if (!st.groups.entries(s).isEmpty()) {
            Instant now = st.oboro.clock().instant();
            Instant regular = now.plus(INTERVAL);
            // in a long clock jump, the regular sweeps skip to its last part (deadlines and changes still wake it)
            Instant catchUp = st.oboro.scheduler().horizon().minus(REPLAY);
            if (regular.isBefore(catchUp)) regular = catchUp;
            arm(s, next != null && next.isBefore(regular) ? (next.isAfter(now) ? next : now.plusMillis(1)) : regular);
        }
    }

    // ------------------------------------------------------------------ the sweep

    /** One pass over a scope's groups; returns the earliest deadline it knows of (or null). */
    Instant sweep(Scope s) {
        Call svc = st.serviceCall(s);
        Instant now = st.oboro.clock().instant();
        scaling.beforeSweep(s, now);
        Instant next;
        synchronized (st.lock(s)) {
            Map<String, String> ec2 = new HashMap<>();
            Set<String> gone = new HashSet<>();
            Map<String, List<Member>> byGroup = new HashMap<>();
            for (Member m : st.members.values(s)) byGroup.computeIfAbsent(m.group(), k -> new ArrayList<>()).add(m);
            Set<String> impaired = new HashSet<>();
            if (!byGroup.isEmpty()) {
                view(svc, st.members.entries(s).keySet(), ec2, gone);
                impaired = impaired(svc, st.members.entries(s).keySet(), ec2, gone);
            }
            next = null;
            for (Group g : List.copyOf(st.groups.values(s))) {
                Instant d = reconcile(s, svc, g, byGroup.getOrDefault(g.name(), List.of()), ec2, gone, impaired, now);
                if (d != null && (next == null || d.isBefore(next))) next = d;
            }
        }
        Instant d = scaling.afterSweep(s, now);
        if (d != null && (next == null || d.isBefore(next))) next = d;
        return next;
    }

    /**
     * EC2's view of the group instances that are not running: one DescribeInstances of the
     * members' ids (looked up by id inside EC2) filtered to the states that are not running, so
     * only those are described. Ids EC2 no longer knows (an hour after termination) are gone.
     */
    private void view(Call svc, Collection<String> memberIds, Map<String, String> ec2, Set<String> gone) {
        List<String> ids = new ArrayList<>(memberIds);
        for (int attempt = 0; attempt < 5 && !ids.isEmpty(); attempt++) {
            try {
                DescribeInstancesResponse r = st.oboro.services().call(svc, "ec2", DescribeInstancesRequest.builder().instanceIds(ids)
                        .filters(Filter.builder().name("instance-state-name").values(NOT_RUNNING).build()).build());
                for (Reservation res : r.reservations()) {
                    for (var i : res.instances()) ec2.put(i.instanceId(), i.state().nameAsString());
                }
                return;
            } catch (AwsException e) {
                if (!e.code().equals("InvalidInstanceID.NotFound")) throw e;
                // "The instance ID 'i-1' does not exist" / "The instance IDs 'i-1, i-2' do not exist"
                String msg = e.getMessage();
                int a = msg.indexOf('\'');
                int b = msg.lastIndexOf('\'');
                if (a < 0 || b <= a) throw e;
                for (String id : msg.substring(a + 1, b).split(",\\s*")) {
                    gone.add(id);
                    ids.remove(id);
                }
            }
        }
    }

    /**
     * The running members whose EC2 status checks (system or instance) have failed: one
     * DescribeInstanceStatus of the running members per sweep, through EC2's own handler.
     */
    private Set<String> impaired(Call svc, Collection<String> memberIds, Map<String, String> ec2, Set<String> gone) {
        List<String> running = new ArrayList<>();
        for (String id : memberIds) if (!gone.contains(id) && !ec2.containsKey(id)) running.add(id);
        Set<String> out = new HashSet<>();
        if (running.isEmpty()) return out;
        try {
            DescribeInstanceStatusResponse r = st.oboro.services().call(svc, "ec2",
                    DescribeInstanceStatusRequest.builder().instanceIds(running).build());
            for (InstanceStatus i : r.instanceStatuses()) {
                boolean system = i.systemStatus() != null && "impaired".equals(i.systemStatus().statusAsString());
                boolean instance = i.instanceStatus() != null && "impaired".equals(i.instanceStatus().statusAsString());
                if (system || instance) out.add(i.instanceId());
            }
        } catch (AwsException e) {
            // an instance that vanished between the two calls: the next sweep sees it gone
        }
        return out;
    }

    private Instant reconcile(Scope s, Call svc, Group g, List<Member> ms, Map<String, String> ec2, Set<String> goneIds,
                              Set<String> impaired, Instant now) {
        Instant next = null;
        String name = g.name();
        boolean deleting = "Delete in progress".equals(g.g().status());
        // 1. lifecycle of each instance
        for (Member m : ms) {
            String state = ec2.get(m.id());
            boolean gone = goneIds.contains(m.id());
            boolean down = gone || (state != null && !state.equals("pending"));
            boolean running = !gone && state == null;
            switch (m.state()) {
                case "Pending" -> {
                    if (running) toInService(s, m, now);
                }
                case "Pending:Proceed" -> {
                    if (running) toInService(s, m, now);
                }
                case "Pending:Wait", "Terminating:Wait" -> {
                    Instant d = hookDeadline(s, m, now);
                    if (d != null && (next == null || d.isBefore(next))) next = d;
                }
                case "Terminating" -> startTerminating(s, svc, st.members.get(s, m.id()), now);
                case "Terminating:Proceed" -> {
                    if (gone || "terminated".equals(state)) finishTermination(s, m, now);
                }
                case "EnteringStandby" -> st.members.put(s, m.id(), m.withState("Standby"));
                case "Detaching" -> {
                    st.members.remove(s, m.id());
                    st.updateActivity(s, m.activityKey(), "Successful", 100, null, now);
                }
                default -> {
                }
            }
            // 2. health
            Member cur = st.members.get(s, m.id());
            if (cur == null || !cur.active() || g.suspended("HealthCheck") && !"Unhealthy".equals(cur.health())) continue;
            String cause = null;
            if ("Unhealthy".equals(cur.health())) {
                cause = cur.healthCause();
            } else if (down) {
                cause = "an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.";
                cur = cur.withHealth("Unhealthy", cause);
                st.members.put(s, cur.id(), cur);
            } else if (impaired.contains(cur.id()) && "InService".equals(cur.state()) && pastGrace(g, cur, now)) {
                cause = "an instance was taken out of service in response to an EC2 instance status checks failure.";
                cur = cur.withHealth("Unhealthy", cause);
                st.members.put(s, cur.id(), cur);
            }
            if (cause != null && !g.suspended("ReplaceUnhealthy")) {
                beginTermination(s, svc, g, cur, AsgState.at(now) + " " + cause, now);
            }
        }
        // the group's instances as they are now (only these can have changed)
        List<Member> current = new ArrayList<>();
        for (Member m : ms) {
            Member c = st.members.get(s, m.id());
            if (c != null) current.add(c);
        }
        if (deleting) {
            if (current.isEmpty()) scaling.deleteGroupNow(s, name);
            return next;
        }
        g = st.groups.get(s, name);
        // 3. capacity
        List<Member> active = current.stream().filter(m -> m.active() && !"Unhealthy".equals(m.health())).toList();
        int desired = g.desired();
        if (active.size() < desired && !g.suspended("Launch") && (g.retryAt() == null || !now.isBefore(g.retryAt()))) {
            String from = Integer.toString(active.size());
            String cause = AsgState.at(now) + " an instance was started in response to a difference between desired and actual capacity, increasing the capacity from "
                    + from + " to " + desired + ".";
            if (g.pendingCause() != null) cause = g.pendingCause() + "  " + cause;
            launch(s, svc, g, desired - active.size(), active, cause, now);
        } else if (active.size() > desired && !g.suspended("Terminate")) {
            List<Member> victims = Termination.select(g, active, active.size() - desired, now);
            for (Member v : victims) {
                String cause = AsgState.at(now) + " an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from "
                        + active.size() + " to " + desired + ".  " + AsgState.at(now) + " instance " + v.id() + " was selected for termination.";
                if (g.pendingCause() != null) cause = g.pendingCause() + "  " + cause;
                beginTermination(s, svc, g, v, cause, now);
            }
        } else if (active.size() == desired && !g.suspended("AZRebalance") && !g.suspended("Launch") && !g.suspended("Terminate")
                && active.stream().allMatch(m -> m.state().equals("InService"))) {
            // zone rebalancing launches first; the scale-in that follows takes from the fullest zone
            Map<String, Integer> perZone = zoneCounts(g, active);
            int min = perZone.values().stream().mapToInt(i -> i).min().orElse(0);
            int max = perZone.values().stream().mapToInt(i -> i).max().orElse(0);
            if (max - min > 1) {
                launch(s, svc, g, 1, active, AsgState.at(now) + " an instance was launched to aid in balancing the group's zones.", now);
            }
        }
        if (g.pendingCause() != null) {
            st.groups.update(s, name, x -> x == null ? null : x.withCause(null));
        }
        return next;
    }

    /** Health checks start once the group's grace period after launch has passed. */
    private static boolean pastGrace(Group g, Member m, Instant now) {
        Integer grace = g.g().healthCheckGracePeriod();
        return m.launchedAt() == null || grace == null || !now.isBefore(m.launchedAt().plusSeconds(grace));
    }

    // ------------------------------------------------------------------ launching

    /** Where the group's instances come from: a launch template, a mixed instances policy or a launch configuration. */
    record Source(LaunchTemplateSpecification template, MixedInstancesPolicy mixed, String launchConfiguration) {
    }

    static LaunchTemplateSpecification groupTemplate(Group g) {
        AutoScalingGroup a = g.g();
        if (a.launchTemplate() != null) return a.launchTemplate();
        if (a.mixedInstancesPolicy() != null && a.mixedInstancesPolicy().launchTemplate() != null) {
            return a.mixedInstancesPolicy().launchTemplate().launchTemplateSpecification();
        }
        return null;
    }

    private Source source(Scope s, Group g) {
        Refresh r = scaling.activeRefresh(s, g.name());
        if (r != null && r.r().desiredConfiguration() != null) {
            var dc = r.r().desiredConfiguration();
            if (dc.launchTemplate() != null) return new Source(dc.launchTemplate(), null, null);
            if (dc.mixedInstancesPolicy() != null) return new Source(null, dc.mixedInstancesPolicy(), null);
        }
        return new Source(g.g().launchTemplate(), g.g().mixedInstancesPolicy(), g.g().launchConfigurationName());
    }

    static Map<String, Integer> zoneCounts(Group g, List<Member> active) {
        Map<String, Integer> perZone = new TreeMap<>();
        for (String z : g.g().availabilityZones()) perZone.put(z, 0);
        for (Member m : active) perZone.merge(m.az(), 1, Integer::sum);
        return perZone;
    }

    /** On-demand instances wanted among {@code total} under a distribution's base and percentage. */
    static int onDemandShare(int total, int base, int pct) {
        if (total <= base) return total;
        return base + (int) Math.ceil((total - base) * pct / 100.0);
    }

    /**
     * Launches {@code n} instances through EC2's RunInstances, one call per zone, into the zones
     * with the fewest instances; each instance gets its launch activity.
     */
    void launch(Scope s, Call svc, Group g, int n, List<Member> active, String cause, Instant now) {
        Map<String, Integer> perZone = zoneCounts(g, active);
        Map<String, Integer> plan = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            String z = perZone.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
            perZone.merge(z, 1, Integer::sum);
            plan.merge(z, 1, Integer::sum);
        }
        Map<String, String> subnets = subnetsByZone(svc, g);
        Source src = source(s, g);
        int onDemand = (int) active.stream().filter(m -> !m.spot()).count();
        int spot = active.size() - onDemand;
        List<LifecycleHook> launchHooks = st.hooks.values(s).stream().filter(h -> h.autoScalingGroupName().equals(g.name())
                && "autoscaling:EC2_INSTANCE_LAUNCHING".equals(h.lifecycleTransition())).toList();
        for (Map.Entry<String, Integer> e : plan.entrySet()) {
            String zone = e.getKey();
            // split the zone's count by market when a mixed instances policy asks for Spot
            List<Boolean> markets = new ArrayList<>();
            for (int k = 0; k < e.getValue(); k++) {
                boolean isSpot = false;
                if (src.mixed() != null) {
                    InstancesDistribution d = src.mixed().instancesDistribution();
                    int base = d == null || d.onDemandBaseCapacity() == null ? 0 : d.onDemandBaseCapacity();
                    int pct = d == null || d.onDemandPercentageAboveBaseCapacity() == null ? 100 : d.onDemandPercentageAboveBaseCapacity();
                    isSpot = onDemand >= onDemandShare(onDemand + spot + 1, base, pct);
                }
                if (isSpot) spot++;
                else onDemand++;
                markets.add(isSpot);
            }
            long spots = markets.stream().filter(b -> b).count();
            if (markets.size() - spots > 0) runIn(s, svc, g, src, zone, subnets.get(zone), (int) (markets.size() - spots), false, spot, launchHooks, cause, now);
            if (spots > 0) runIn(s, svc, g, src, zone, subnets.get(zone), (int) spots, true, spot, launchHooks, cause, now);
        }
    }

    private void runIn(Scope s, Call svc, Group g, Source src, String zone, String subnet, int count, boolean spot, int spotIndex,
                       List<LifecycleHook> launchHooks, String cause, Instant now) {
        RunInstancesRequest.Builder b = RunInstancesRequest.builder().minCount(count).maxCount(count);
        LaunchTemplateSpecification lt = src.template();
        String instanceType = null;
        String weight = null;
        if (src.mixed() != null) {
            var mlt = src.mixed().launchTemplate();
            lt = mlt.launchTemplateSpecification();
            List<LaunchTemplateOverrides> overrides = mlt.overrides();
            if (!overrides.isEmpty()) {
                InstancesDistribution d = src.mixed().instancesDistribution();
                int pools = d == null || d.spotInstancePools() == null ? 2 : d.spotInstancePools();
                // on-demand: prioritized (the first override); Spot: spread over the first pools
                LaunchTemplateOverrides o = spot ? overrides.get(Math.floorMod(spotIndex, Math.min(pools, overrides.size()))) : overrides.get(0);
                instanceType = o.instanceType();
                weight = o.weightedCapacity();
                if (o.launchTemplateSpecification() != null) lt = o.launchTemplateSpecification();
            }
        }
        if (lt != null) {
            b.launchTemplate(software.amazon.awssdk.services.ec2.model.LaunchTemplateSpecification.builder()
                    .launchTemplateId(lt.launchTemplateId()).launchTemplateName(lt.launchTemplateName())
                    .version(lt.version() == null ? "$Default" : lt.version()).build());
            if (instanceType != null) b.instanceType(instanceType);
            if (subnet != null) b.subnetId(subnet);
            else b.placement(p -> p.availabilityZone(zone));
        } else {
            LaunchConfiguration lc = st.launchConfigurations.get(s, src.launchConfiguration());
            if (lc == null) throw AsgState.validation("Launch configuration name not found - Launch configuration "
                    + src.launchConfiguration() + " not found");
            fromLaunchConfiguration(b, lc, zone, subnet);
        }
        if (spot) b.instanceMarketOptions(m -> m.marketType("spot"));
        List<Tag> tags = new ArrayList<>();
        for (TagDescription t : g.g().tags()) {
            if (Boolean.TRUE.equals(t.propagateAtLaunch())) tags.add(Tag.builder().key(t.key()).value(t.value()).build());
        }
        if (!tags.isEmpty()) b.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build());
        RunInstancesResponse r;
        try {
            r = st.oboro.services().call(svc, "ec2", b.build());
        } catch (AwsException e) {
            // AWS records the failed launch and tries again later
            String details = subnet == null ? "{\"Availability Zone\":\"" + zone + "\"}"
                    : "{\"Subnet ID\":\"" + subnet + "\",\"Availability Zone\":\"" + zone + "\"}";
            st.startActivity(s, g, "Launching a new EC2 instance.  Status Reason: " + e.getMessage(), cause, "Failed", 100, details,
                    e.getMessage() + ". Launching EC2 instance failed.", now);
            st.groups.update(s, g.name(), x -> x == null ? null : x.withRetry(now.plusSeconds(60)));
            return;
        }
        List<String> ids = r.instances().stream().map(software.amazon.awssdk.services.ec2.model.Instance::instanceId).toList();
        st.oboro.services().call(svc, "ec2", CreateTagsRequest.builder().resources(ids)
                .tags(Tag.builder().key(GROUP_TAG).value(g.name()).build()).build());
        LaunchTemplateSpecification recorded = lt == null ? null : resolvedSpec(svc, lt);
        boolean protect = Boolean.TRUE.equals(g.g().newInstancesProtectedFromScaleIn());
        for (var i : r.instances()) {
            List<HookWait> waits = new ArrayList<>();
            for (LifecycleHook h : launchHooks) waits.add(new HookWait(h.lifecycleHookName(), now.plusSeconds(h.heartbeatTimeout()), null));
            Member m = new Member(i.instanceId(), g.name(), i.placement().availabilityZone(), i.subnetId(), waits.isEmpty() ? "Pending" : "Pending:Wait",
                    "Healthy", null, protect, i.instanceTypeAsString(), i.imageId(), recorded, lt == null ? src.launchConfiguration() : null, now, null,
                    null, waits, waits.isEmpty() ? null : Ids.uuid(), spot, weight);
            String key = st.startActivity(s, g, "Launching a new EC2 instance: " + i.instanceId(), cause,
                    waits.isEmpty() ? "InProgress" : "MidLifecycleAction", waits.isEmpty() ? 50 : 30, AsgState.details(m), null, now);
            st.members.put(s, m.id(), m.withActivity(key));
        }
    }

    /** The template as the group's instances show it: id, name and the version asked for. */
    private LaunchTemplateSpecification resolvedSpec(Call svc, LaunchTemplateSpecification lt) {
        if (lt.launchTemplateId() != null && lt.launchTemplateName() != null) return lt;
        try {
            var r = st.oboro.services().<software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplatesResponse>call(svc, "ec2",
                    software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplatesRequest.builder()
                            .launchTemplateIds(lt.launchTemplateId() == null ? null : List.of(lt.launchTemplateId()))
                            .launchTemplateNames(lt.launchTemplateName() == null ? null : List.of(lt.launchTemplateName())).build());
            var t = r.launchTemplates().get(0);
            return LaunchTemplateSpecification.builder().launchTemplateId(t.launchTemplateId()).launchTemplateName(t.launchTemplateName())
                    .version(lt.version() == null ? "$Default" : lt.version()).build();
        } catch (AwsException e) {
            return lt;
        }
    }

    /** RunInstances parameters from a launch configuration (its block devices read through the member-name codec). */
    private static void fromLaunchConfiguration(RunInstancesRequest.Builder b, LaunchConfiguration lc, String zone, String subnet) {
        b.imageId(lc.imageId()).instanceType(lc.instanceType()).keyName(lc.keyName()).userData(lc.userData())
                .kernelId(lc.kernelId()).ramdiskId(lc.ramdiskId()).ebsOptimized(lc.ebsOptimized());
        List<String> ids = lc.securityGroups().stream().filter(x -> x.startsWith("sg-")).toList();
        List<String> names = lc.securityGroups().stream().filter(x -> !x.startsWith("sg-")).toList();
        if (lc.iamInstanceProfile() != null) {
            b.iamInstanceProfile(lc.iamInstanceProfile().startsWith("arn:") ? IamInstanceProfileSpecification.builder().arn(lc.iamInstanceProfile()).build()
                    : IamInstanceProfileSpecification.builder().name(lc.iamInstanceProfile()).build());
        }
        if (lc.instanceMonitoring() != null) b.monitoring(m -> m.enabled(lc.instanceMonitoring().enabled()));
        if (!lc.blockDeviceMappings().isEmpty()) {
            List<BlockDeviceMapping> bdms = new ArrayList<>();
            for (var m : lc.blockDeviceMappings()) bdms.add(convert(m, BlockDeviceMapping.class));
            b.blockDeviceMappings(bdms);
        }
        if (lc.metadataOptions() != null) {
            b.metadataOptions(convert(lc.metadataOptions(), software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest.class));
        }
        if (lc.placementTenancy() != null) b.placement(p -> p.tenancy(lc.placementTenancy()));
        if (lc.associatePublicIpAddress() != null && subnet != null) {
            b.networkInterfaces(InstanceNetworkInterfaceSpecification.builder().deviceIndex(0).subnetId(subnet)
                    .associatePublicIpAddress(lc.associatePublicIpAddress()).groups(ids.isEmpty() ? null : ids).build());
            return;
        }
        if (!ids.isEmpty()) b.securityGroupIds(ids);
        if (!names.isEmpty()) b.securityGroups(names);
        if (subnet != null) b.subnetId(subnet);
        else b.placement(p -> p.availabilityZone(zone).tenancy(lc.placementTenancy()));
    }

    /** One SDK shape into another with the same member names (Auto Scaling's and EC2's block devices). */
    static <T> T convert(SdkPojo from, Class<T> to) {
        try {
            JsonNode n = JSON.readTree(JsonCodec.MEMBERS.write(from, f -> true));
            return JsonCodec.MEMBERS.read(to, n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> subnetsByZone(Call svc, Group g) {
        Map<String, String> out = new HashMap<>();
        String ids = g.g().vpcZoneIdentifier();
        if (ids == null || ids.isBlank()) return out;
        List<String> list = List.of(ids.split("\\s*,\\s*"));
        DescribeSubnetsResponse r = st.oboro.services().call(svc, "ec2", DescribeSubnetsRequest.builder().subnetIds(list).build());
        for (String id : list) {
            for (Subnet sn : r.subnets()) if (sn.subnetId().equals(id)) out.putIfAbsent(sn.availabilityZone(), id);
        }
        return out;
    }

    // ------------------------------------------------------------------ lifecycle

    private void toInService(Scope s, Member m, Instant now) {
        st.members.put(s, m.id(), m.inService(now));
        st.updateActivity(s, m.activityKey(), "Successful", 100, null, now);
    }

    /** Applies timed-out lifecycle hooks' default results; returns the next hook deadline. */
    private Instant hookDeadline(Scope s, Member m, Instant now) {
        Instant next = null;
        List<HookWait> waits = new ArrayList<>();
        for (HookWait w : m.hooks()) {
            if (w.result() == null && !now.isBefore(w.deadline())) {
                LifecycleHook h = st.hooks.get(s, AsgState.key(m.group(), w.hook()));
                waits.add(new HookWait(w.hook(), w.deadline(), h == null || h.defaultResult() == null ? "ABANDON" : h.defaultResult()));
            } else {
                waits.add(w);
                if (w.result() == null && (next == null || w.deadline().isBefore(next))) next = w.deadline();
            }
        }
        Member cur = m.withHooks(waits, m.token());
        st.members.put(s, m.id(), cur);
        completeIfDone(s, cur, now);
        return next;
    }

    /** Once every hook an instance waits on has a result: on it goes (or, abandoned at launch, out). */
    void completeIfDone(Scope s, Member m, Instant now) {
        if (m.hooks().stream().anyMatch(w -> w.result() == null)) return;
        boolean abandon = m.hooks().stream().anyMatch(w -> "ABANDON".equals(w.result()));
        if (m.state().equals("Pending:Wait")) {
            if (abandon) {
                Group g = st.groups.get(s, m.group());
                st.updateActivity(s, m.activityKey(), "Cancelled", 100, "Instance failed to complete user's Lifecycle Action: Lifecycle Action with token "
                        + m.token() + " was abandoned: Lifecycle Action Completed with ABANDON Result", now);
                Member t = m.withHooks(List.of(), null).withState("Terminating:Proceed");
                st.members.put(s, m.id(), t);
                terminateInEc2(s, st.serviceCall(s), List.of(m.id()));
                if (g != null) st.members.put(s, m.id(), t);
            } else {
                st.members.put(s, m.id(), m.withHooks(List.of(), null).withState("Pending:Proceed"));
            }
        } else if (m.state().equals("Terminating:Wait")) {
            st.members.put(s, m.id(), m.withHooks(List.of(), null).withState("Terminating:Proceed"));
            st.updateActivity(s, m.activityKey(), "InProgress", 50, null, now);
            terminateInEc2(s, st.serviceCall(s), List.of(m.id()));
        }
    }

    /** Takes an instance out of service: a termination activity, then its terminating hooks or EC2. */
    void beginTermination(Scope s, Call svc, Group g, Member m, String cause, Instant now) {
        if (m.terminating()) return;
        if (m.state().startsWith("Pending")) st.updateActivity(s, m.activityKey(), "Cancelled", 100, null, now);
        String key = st.startActivity(s, g, "Terminating EC2 instance: " + m.id(), cause, "InProgress", 0, AsgState.details(m), null, now);
        Member t = m.withActivity(key).withHooks(List.of(), null).withState("Terminating");
        st.members.put(s, m.id(), t);
        startTerminating(s, svc, t, now);
    }

    private void startTerminating(Scope s, Call svc, Member m, Instant now) {
        if (m == null || !m.state().equals("Terminating")) return;
        Group g = st.groups.get(s, m.group());
        boolean forced = g != null && "Delete in progress".equals(g.g().status());
        List<HookWait> waits = new ArrayList<>();
        if (!forced) {
            for (LifecycleHook h : st.hooks.values(s)) {
                if (h.autoScalingGroupName().equals(m.group()) && "autoscaling:EC2_INSTANCE_TERMINATING".equals(h.lifecycleTransition())) {
                    waits.add(new HookWait(h.lifecycleHookName(), now.plusSeconds(h.heartbeatTimeout()), null));
                }
            }
        }
        if (!waits.isEmpty()) {
            st.members.put(s, m.id(), m.withHooks(waits, Ids.uuid()).withState("Terminating:Wait"));
            st.updateActivity(s, m.activityKey(), "MidLifecycleAction", 50, null, now);
            return;
        }
        st.members.put(s, m.id(), m.withState("Terminating:Proceed"));
        st.updateActivity(s, m.activityKey(), "InProgress", 50, null, now);
        terminateInEc2(s, svc, List.of(m.id()));
    }

    void terminateInEc2(Scope s, Call svc, Collection<String> ids) {
        for (String id : ids) {
            try {
                st.oboro.services().call(svc, "ec2", TerminateInstancesRequest.builder().instanceIds(id).build());
            } catch (AwsException e) {
                if (!e.code().equals("InvalidInstanceID.NotFound")) {
                    LOG.fine(() -> "terminating " + id + ": " + e.getMessage());
                }
            }
        }
    }

    private void finishTermination(Scope s, Member m, Instant now) {
        st.members.remove(s, m.id());
        st.updateActivity(s, m.activityKey(), "Successful", 100, null, now);
    }

    /** Recent datapoint values of an alarm's StateReasonData (for step and target tracking policies). */
    static double[] datapoints(String reasonData) {
        if (reasonData == null) return new double[0];
        try {
            JsonNode n = JSON.readTree(reasonData).path("recentDatapoints");
            double[] out = new double[n.size()];
            for (int i = 0; i < n.size(); i++) out[i] = n.get(i).asDouble();
            return out;
        } catch (IOException e) {
            return new double[0];
        }
    }

    static Double threshold(String reasonData) {
        if (reasonData == null) return null;
        try {
            JsonNode n = JSON.readTree(reasonData).path("threshold");
            return n.isNumber() ? n.asDouble() : null;
        } catch (IOException e) {
            return null;
        }
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
