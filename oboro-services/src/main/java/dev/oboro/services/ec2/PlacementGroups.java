package dev.oboro.services.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.CreatePlacementGroupRequest;
import software.amazon.awssdk.services.ec2.model.CreatePlacementGroupResponse;
import software.amazon.awssdk.services.ec2.model.DeletePlacementGroupRequest;
import software.amazon.awssdk.services.ec2.model.DeletePlacementGroupResponse;
import software.amazon.awssdk.services.ec2.model.DescribePlacementGroupsRequest;
import software.amazon.awssdk.services.ec2.model.DescribePlacementGroupsResponse;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.PlacementGroup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Placement groups and the rules RunInstances and StartInstances meet in them.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/placement-strategies.html
 *
 * <ul>
 *   <li>cluster: one Availability Zone; types whose {@code PlacementGroupInfo.SupportedStrategies}
 *       lacks {@code cluster} (T2, T3, M3 ...) are refused as AWS refuses them.</li>
 *   <li>spread (rack level): at most seven running instances per zone; host level is for Outposts only.</li>
 *   <li>partition: one to seven partitions; {@code PartitionNumber} places an instance, else
 *       instances are spread over the partitions evenly.</li>
 * </ul>
 *
 * <p>Cluster capacity: AWS advises launching a cluster group's instances in one request, because a
 * later addition can fail with {@code InsufficientInstanceCapacity}, and the remedy is to stop every
 * instance of the group and start them again. The fault {@code ec2.cluster-capacity} makes a
 * group's hardware full: additions fail until each instance that was running has been stopped.
 */
final class PlacementGroups implements Ec2State.Placer, Ec2State.InstanceListener {
    static final int SPREAD_PER_ZONE = 7;
    static final int MAX_PARTITIONS = 7;

    /**
     * A placement group. {@code awaitingStop} lists, while the group's hardware is full (capacity
     * fault), the instances that must still be stopped before it may grow again; null when not full.
     */
    record Pg(String name, String groupId, String strategy, String spreadLevel, Integer partitionCount, Instant createTime,
              List<String> awaitingStop) {
        Pg withAwaitingStop(List<String> ids) {
            return new Pg(name, groupId, strategy, spreadLevel, partitionCount, createTime, ids);
        }
    }

    private final Ec2State st;
    private final Table<Pg> groups;
    private final Filters<Pg> filters;

    PlacementGroups(Ec2State st) {
        this.st = st;
        this.groups = st.oboro.store().table("ec2.placementgroups", Pg.class);
        this.filters = new Filters<>(Map.<String, Function<Pg, Collection<String>>>of(
                "group-name", g -> List.of(g.name()),
                "group-arn", g -> List.of(arn(FilterScope.get(), g)),
                "state", g -> List.of("available"),
                "strategy", g -> List.of(g.strategy()),
                "spread-level", g -> Vpcs.opt(g.spreadLevel()),
                "tag:", g -> st.tags.pairs(FilterScope.get(), g.groupId()),
                "tag-key", g -> st.tags.keys(FilterScope.get(), g.groupId()),
                "tag-value", g -> st.tags.values(FilterScope.get(), g.groupId())));
        st.placer = this;
        st.instanceListeners.add(this);
        st.oboro.gateway().admin().registerFault("ec2.cluster-capacity", this::capacityFault);
    }

    private static String arn(Scope s, Pg g) {
        return "arn:aws:ec2:" + s.region() + ":" + s.account() + ":placement-group/" + g.name();
    }

    // ------------------------------------------------------------------ API

    CreatePlacementGroupResponse createPlacementGroup(Call call, CreatePlacementGroupRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreatePlacementGroup");
        Scope s = st.scope(call);
        String name = req.groupName();
        if (name == null || name.isEmpty()) throw Ec2Errors.missingParameter("groupName");
        if (name.length() > 255) {
            throw Ec2Errors.invalidParameterValue("Value (" + name + ") for parameter groupName is invalid. Name is too long (max 255 characters)");
        }
        String strategy = req.strategyAsString();
        if (strategy == null) throw Ec2Errors.missingParameter("strategy");
        if (!List.of("cluster", "spread", "partition").contains(strategy)) {
            throw Ec2Errors.invalidParameterValue("Value (" + strategy + ") for parameter strategy is invalid. Valid values: cluster, spread, partition");
        }
        Integer partitions = req.partitionCount();
        if (partitions != null && !strategy.equals("partition")) {
            throw Ec2Errors.invalidParameterCombination("The parameter partitionCount can only be used with the partition strategy.");
        }
        if (strategy.equals("partition")) {
            if (partitions == null) partitions = 2;
            if (partitions < 1 || partitions > MAX_PARTITIONS) {
                throw Ec2Errors.invalidParameterValue("Value (" + partitions + ") for parameter partitionCount is invalid. Partition count must be between 1 and "
                        + MAX_PARTITIONS + ".");
            }
        }
        String level = req.spreadLevelAsString();
        if (level != null && !strategy.equals("spread")) {
            throw Ec2Errors.invalidParameterCombination("The parameter spreadLevel can only be used with the spread strategy.");
        }
        if (strategy.equals("spread")) {
            if (level == null) level = "rack";
            if (level.equals("host")) {
                // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/placement-groups-outpost.html
                throw Ec2Errors.invalidParameterValue("Host level spread placement groups are only supported on AWS Outposts.");
            }
            if (!level.equals("rack")) throw Ec2Errors.invalidParameterValue("Value (" + level + ") for parameter spreadLevel is invalid. Valid values: host, rack");
        }
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("placement-group"));
        Pg g = new Pg(name, Ids.ec2("pg"), strategy, level, partitions, call.now(), null);
        if (!groups.putIfAbsent(s, name, g)) {
            throw new AwsException("InvalidPlacementGroup.Duplicate", "The placement group '" + name + "' already exists.", 400);
        }
        st.tags.apply(s, req.tagSpecifications(), "placement-group", g.groupId());
        return CreatePlacementGroupResponse.builder().placementGroup(toSdk(s, g)).build();
    }

    DescribePlacementGroupsResponse describePlacementGroups(Call call, DescribePlacementGroupsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribePlacementGroups");
        Scope s = st.scope(call);
        List<Pg> all = new ArrayList<>();
        if (req.hasGroupNames() && !req.groupNames().isEmpty()) {
            for (String n : req.groupNames()) all.add(named(s, n));
        } else if (req.hasGroupIds() && !req.groupIds().isEmpty()) {
            for (String id : req.groupIds()) {
                all.add(groups.values(s).stream().filter(g -> g.groupId().equals(id)).findFirst().orElseThrow(() ->
                        new AwsException("InvalidPlacementGroup.Unknown", "The Placement Group '" + id + "' is unknown", 400)));
            }
        } else {
            all.addAll(groups.values(s));
        }
        List<Pg> matched = FilterScope.in(s, () -> filters.apply(req.filters(), all));
        return DescribePlacementGroupsResponse.builder().placementGroups(matched.stream().map(g -> toSdk(s, g)).toList()).build();
    }

    DeletePlacementGroupResponse deletePlacementGroup(Call call, DeletePlacementGroupRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeletePlacementGroup");
        Scope s = st.scope(call);
        if (req.groupName() == null) throw Ec2Errors.missingParameter("groupName");
        Pg g = named(s, req.groupName());
        if (!members(s, g.name()).isEmpty()) {
            throw new AwsException("InvalidPlacementGroup.InUse", "The placement group '" + g.name() + "' is in use and may not be deleted.", 400);
        }
        groups.remove(s, g.name());
        st.tags.remove(s, g.groupId());
        return DeletePlacementGroupResponse.builder().build();
    }

    private Pg named(Scope s, String name) {
        Pg g = groups.get(s, name);
        if (g == null) throw new AwsException("InvalidPlacementGroup.Unknown", "The Placement Group '" + name + "' is unknown", 400);
        return g;
    }

    private PlacementGroup toSdk(Scope s, Pg g) {
        return PlacementGroup.builder().groupName(g.name()).groupId(g.groupId()).strategy(g.strategy()).state("available")
                .partitionCount(g.partitionCount()).spreadLevel(g.spreadLevel()).groupArn(arn(s, g))
                .tags(st.tags.sdk(s, g.groupId())).build();
    }

    /** The instances of a group that are not terminated. */
    private List<Instances.Inst> members(Scope s, String group) {
        List<Instances.Inst> out = new ArrayList<>();
        for (Instances.Inst i : st.instances.values(s)) {
            if (group.equals(i.launch().placementGroup()) && !i.state().equals("terminated")) out.add(i);
        }
        return out;
    }

    private static boolean live(Instances.Inst i) {
        return i.state().equals("pending") || i.state().equals("running");
    }

    // ------------------------------------------------------------------ placement rules

    private Pg resolve(Scope s, Placement p) {
        if (p == null) return null;
        if (p.groupName() != null && !p.groupName().isEmpty()) return named(s, p.groupName());
        if (p.groupId() != null && !p.groupId().isEmpty()) {
            return groups.values(s).stream().filter(g -> g.groupId().equals(p.groupId())).findFirst().orElseThrow(() ->
                    new AwsException("InvalidPlacementGroup.Unknown", "The Placement Group '" + p.groupId() + "' is unknown", 400));
        }
        return null;
    }

    @Override
    public String preferredZone(Scope s, Placement p) {
        Pg g = p == null || (p.groupName() == null && p.groupId() == null) ? null : resolve(s, p);
        if (g == null || !g.strategy().equals("cluster")) return null;
        return members(s, g.name()).stream().map(Instances.Inst::az).findFirst().orElse(null);
    }

    @Override
    public Ec2State.Placed place(Scope s, Placement p, String type, String zone, int count) {
        Pg g = resolve(s, p);
        if (g == null) {
            if (p.partitionNumber() != null) {
                throw Ec2Errors.invalidParameterCombination("The parameter partitionNumber can only be used with a partition placement group.");
            }
            return null;
        }
        if ("host".equals(p.tenancyAsString())) {
            throw Ec2Errors.invalidParameterCombination("Dedicated Hosts cannot be launched in placement groups.");
        }
        checkType(g, type);
        List<Instances.Inst> members = members(s, g.name());
        List<Integer> partitions = new ArrayList<>();
        switch (g.strategy()) {
            case "cluster" -> {
                String groupZone = members.stream().map(Instances.Inst::az).findFirst().orElse(null);
                if (groupZone != null && !groupZone.equals(zone)) {
                    throw Ec2Errors.invalidParameterValue("The placement group '" + g.name() + "' is in the Availability Zone " + groupZone
                            + ". Instances in a cluster placement group must be launched in the same Availability Zone.");
                }
                if (g.awaitingStop() != null && members.stream().anyMatch(PlacementGroups::live)) throw insufficient(type, zone);
                for (int k = 0; k < count; k++) partitions.add(null);
            }
            case "spread" -> {
                long inZone = members.stream().filter(i -> live(i) && i.az().equals(zone)).count();
                if (inZone + count > SPREAD_PER_ZONE) throw spreadFull(g, zone, count, inZone);
                for (int k = 0; k < count; k++) partitions.add(null);
            }
            default -> {
                Integer wanted = p.partitionNumber();
                if (wanted != null && (wanted < 1 || wanted > g.partitionCount())) {
                    throw Ec2Errors.invalidParameterValue("Value (" + wanted + ") for parameter partitionNumber is invalid. The placement group '"
                            + g.name() + "' has " + g.partitionCount() + " partitions.");
                }
                int[] used = new int[g.partitionCount() + 1];
                for (Instances.Inst i : members) {
                    Integer n = i.launch().partitionNumber();
                    if (n != null && n <= g.partitionCount()) used[n]++;
                }
                for (int k = 0; k < count; k++) {
                    int chosen = wanted != null ? wanted : 1;
                    if (wanted == null) {
                        for (int n = 2; n <= g.partitionCount(); n++) if (used[n] < used[chosen]) chosen = n;
                    }
                    used[chosen]++;
                    partitions.add(chosen);
                }
            }
        }
        return new Ec2State.Placed(g.name(), partitions);
    }

    private void checkType(Pg g, String type) {
        InstanceTypeInfo info = st.catalog.types().infos().get(type);
        List<String> supported = info == null || info.placementGroupInfo() == null ? List.of()
                : info.placementGroupInfo().supportedStrategiesAsStrings();
        if (!supported.contains(g.strategy())) {
            // AWS's wording, as the Auto Scaling troubleshooting guide quotes it
            throw Ec2Errors.invalidParameterCombination("Placement groups may not be used with instances of type '" + type + "'.");
        }
    }

    @Override
    public void checkStart(Scope s, List<Instances.Inst> starting) {
        Map<String, List<Instances.Inst>> byGroup = new TreeMap<>();
        for (Instances.Inst i : starting) {
            if (i.launch().placementGroup() != null) byGroup.computeIfAbsent(i.launch().placementGroup(), k -> new ArrayList<>()).add(i);
        }
        byGroup.forEach((name, list) -> {
            Pg g = groups.get(s, name);
            if (g == null) return;
            checkType(g, list.get(0).instanceType());
            for (Instances.Inst i : list) checkType(g, i.instanceType());
            List<Instances.Inst> members = members(s, name);
            if (g.strategy().equals("cluster") && g.awaitingStop() != null && members.stream().anyMatch(PlacementGroups::live)) {
                throw insufficient(list.get(0).instanceType(), list.get(0).az());
            }
            if (g.strategy().equals("spread")) {
                Map<String, Long> adding = new TreeMap<>();
                for (Instances.Inst i : list) adding.merge(i.az(), 1L, Long::sum);
                adding.forEach((zone, n) -> {
                    long inZone = members.stream().filter(i -> live(i) && i.az().equals(zone)).count();
                    if (inZone + n > SPREAD_PER_ZONE) throw spreadFull(g, zone, n.intValue(), inZone);
                });
            }
        });
    }

    /** https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/troubleshooting-launch.html#troubleshooting-launch-capacity */
    private static AwsException insufficient(String type, String zone) {
        return new AwsException("InsufficientInstanceCapacity", "We currently do not have sufficient " + type
                + " capacity in the Availability Zone you requested (" + zone + "). Our system will be working on provisioning additional capacity.", 500);
    }

    private static AwsException spreadFull(Pg g, String zone, int adding, long inZone) {
        return Ec2Errors.invalidParameterValue("The spread placement group '" + g.name() + "' can hold at most " + SPREAD_PER_ZONE
                + " running instances per Availability Zone; " + zone + " has " + inZone + " and " + adding + " more were requested.");
    }

    // ------------------------------------------------------------------ cluster capacity fault

    /**
     * {@code POST /_oboro/faults/ec2.cluster-capacity {"account":..., "region":..., "groupName":...}}:
     * the group's hardware is full until every instance now pending or running has been stopped.
     */
    private JsonNode capacityFault(JsonNode body) {
        String account = body.path("account").asText(st.oboro.identities().defaultAccount());
        String region = body.path("region").asText(st.oboro.config().defaultRegion());
        String name = body.path("groupName").asText(null);
        if (name == null) throw new IllegalArgumentException("expected {\"account\":..., \"region\":..., \"groupName\":...}");
        Scope s = new Scope(account, region);
        Pg g = groups.get(s, name);
        if (g == null) throw new IllegalArgumentException("no placement group " + name + " in " + s);
        if (!g.strategy().equals("cluster")) throw new IllegalArgumentException("placement group " + name + " is not a cluster group");
        List<String> live = members(s, name).stream().filter(PlacementGroups::live).map(Instances.Inst::id).toList();
        Pg after = groups.update(s, name, old -> old == null ? null : old.withAwaitingStop(live));
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("groupName", name);
        n.put("capacity", "insufficient");
        var a = n.putArray("instancesToStop");
        if (after != null) after.awaitingStop().forEach(a::add);
        return n;
    }

    /** An instance of a full group that stops (or goes) no longer holds the group's hardware. */
    @Override
    public void changed(Scope s, Instances.Inst before, Instances.Inst after) {
        Instances.Inst i = before != null ? before : after;
        if (i == null || i.launch().placementGroup() == null) return;
        boolean left = after == null || after.state().equals("stopped") || after.state().equals("terminated")
                || after.state().equals("shutting-down");
        if (!left) return;
        Pg g = groups.get(s, i.launch().placementGroup());
        if (g == null || g.awaitingStop() == null || !g.awaitingStop().contains(i.id())) return;
        groups.update(s, g.name(), old -> {
            if (old == null || old.awaitingStop() == null) return old;
            Set<String> rest = new HashSet<>(old.awaitingStop());
            rest.remove(i.id());
            return old.withAwaitingStop(rest.isEmpty() ? null : List.copyOf(rest));
        });
    }
}
