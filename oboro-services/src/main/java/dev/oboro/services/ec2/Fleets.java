package dev.oboro.services.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.ActiveInstance;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CancelSpotFleetRequestsError;
import software.amazon.awssdk.services.ec2.model.CancelSpotFleetRequestsErrorItem;
import software.amazon.awssdk.services.ec2.model.CancelSpotFleetRequestsRequest;
import software.amazon.awssdk.services.ec2.model.CancelSpotFleetRequestsResponse;
import software.amazon.awssdk.services.ec2.model.CancelSpotFleetRequestsSuccessItem;
import software.amazon.awssdk.services.ec2.model.CreateFleetError;
import software.amazon.awssdk.services.ec2.model.CreateFleetInstance;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateFleetResponse;
import software.amazon.awssdk.services.ec2.model.DeleteFleetError;
import software.amazon.awssdk.services.ec2.model.DeleteFleetErrorItem;
import software.amazon.awssdk.services.ec2.model.DeleteFleetSuccessItem;
import software.amazon.awssdk.services.ec2.model.DeleteFleetsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteFleetsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeFleetHistoryRequest;
import software.amazon.awssdk.services.ec2.model.DescribeFleetHistoryResponse;
import software.amazon.awssdk.services.ec2.model.DescribeFleetInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeFleetInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeFleetsInstances;
import software.amazon.awssdk.services.ec2.model.DescribeFleetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeFleetsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSpotFleetInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotFleetInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSpotFleetRequestHistoryRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotFleetRequestHistoryResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSpotFleetRequestsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotFleetRequestsResponse;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.EventInformation;
import software.amazon.awssdk.services.ec2.model.FleetData;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateConfig;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateConfigRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateOverrides;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateOverridesRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.HistoryRecord;
import software.amazon.awssdk.services.ec2.model.HistoryRecordEntry;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateAndOverridesResponse;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateConfig;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateOverrides;
import software.amazon.awssdk.services.ec2.model.ModifyFleetRequest;
import software.amazon.awssdk.services.ec2.model.ModifyFleetResponse;
import software.amazon.awssdk.services.ec2.model.ModifySpotFleetRequestRequest;
import software.amazon.awssdk.services.ec2.model.ModifySpotFleetRequestResponse;
import software.amazon.awssdk.services.ec2.model.OnDemandOptions;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.RequestSpotFleetRequest;
import software.amazon.awssdk.services.ec2.model.RequestSpotFleetResponse;
import software.amazon.awssdk.services.ec2.model.ResponseLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.SpotFleetLaunchSpecification;
import software.amazon.awssdk.services.ec2.model.SpotFleetRequestConfig;
import software.amazon.awssdk.services.ec2.model.SpotFleetRequestConfigData;
import software.amazon.awssdk.services.ec2.model.SpotOptions;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TargetCapacitySpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EC2 Fleet ({@code CreateFleet}) and Spot Fleet ({@code RequestSpotFleet}): one engine. A fleet
 * has launch options (a launch template or launch specification, with each override's type,
 * subnet or zone, weight, priority and maximum price), On-Demand and Spot target capacities and
 * allocation strategies, and it launches instances through RunInstances itself.
 *
 * <ul>
 *   <li>{@code instant} launches once, synchronously; {@code request} launches once and does not
 *       replace; {@code maintain} replaces interrupted or terminated instances on the clock.</li>
 *   <li>Spot allocation: lowest-price (over {@code InstancePoolsToUseCount} cheapest pools),
 *       diversified (across all pools), capacity-optimized (the pool with most spare capacity),
 *       price-capacity-optimized (the cheapest of the pools with the most spare capacity);
 *       pools whose Spot price exceeds their maximum price are not used. On-Demand: lowest-price
 *       or prioritized. Prices and capacities: {@link SpotPrices}.</li>
 *   <li>Spot interruption ({@code POST /_oboro/faults/ec2.spot-interruption}): the instance's
 *       metadata shows the instance-action notice, and two minutes later the instance is
 *       terminated (or stopped, per the interruption behaviour) with
 *       {@code Server.SpotInstanceTermination}; the fleet records it and, if it maintains, launches
 *       a replacement.</li>
 * </ul>
 * Launch templates are read through {@code DescribeLaunchTemplateVersions}, as any client would.
 */
final class Fleets implements Ec2State.InstanceListener {
    static final Duration NOTICE = Duration.ofMinutes(2);
    static final Duration KEEP_DELETED = Duration.ofDays(2);

    /** An instance of a fleet. */
    record Member(String instanceId, String lifecycle, String instanceType, double weight, int option, String spotRequestId,
                  Instant launched) {
    }

    record Event(Instant at, String type, String subType, String instanceId, String description) {
    }

    /**
     * A fleet: {@code kind} is {@code ec2} (CreateFleet, {@code fleet-…}) or {@code spot}
     * (RequestSpotFleet, {@code sfr-…}); {@code ec2Request} or {@code spotConfig} is the request as
     * given (targets updated by Modify); {@code goneAt} is when a deleted fleet stops being listed.
     */
    record Fleet(String id, String kind, String type, String state, String activity, int total, int onDemand, int spot,
                 String defaultCapacity, String excessPolicy, CreateFleetRequest ec2Request, SpotFleetRequestConfigData spotConfig,
                 List<Member> members, List<Event> history, Instant createTime, Instant goneAt) {
        Fleet with(String newState, String newActivity, List<Member> m, List<Event> h) {
            return new Fleet(id, kind, type, newState, newActivity, total, onDemand, spot, defaultCapacity, excessPolicy, ec2Request,
                    spotConfig, m, h, createTime, goneAt);
        }

        Fleet withTargets(int t, int od, int sp, String policy) {
            return new Fleet(id, kind, type, state, activity, t, od, sp, defaultCapacity, policy, ec2Request, spotConfig, members, history,
                    createTime, goneAt);
        }

        Fleet gone(Instant at) {
            return new Fleet(id, kind, type, state, activity, total, onDemand, spot, defaultCapacity, excessPolicy, ec2Request, spotConfig,
                    members, history, createTime, at);
        }

        boolean isSpotFleet() {
            return kind.equals("spot");
        }

        boolean deleted() {
            return state.startsWith("deleted") || state.startsWith("cancelled");
        }
    }

    /** A spot instance: its request, its fleet, and a pending interruption notice. */
    record SpotInst(String instanceId, String requestId, String fleetId, Instant interruptAt, String action) {
    }

    /** One way to launch: a launch template or specification with one override applied. */
    private record Option(int index, int spec, String instanceType, String subnetId, String zone, double weight, Double priority, String maxPrice,
                          FleetLaunchTemplateSpecification template, FleetLaunchTemplateOverrides overrides) {
    }

    private final Ec2State st;
    private final SpotPrices prices;
    private final Table<Fleet> fleets;
    private final Table<SpotInst> spots;
    private final Instances instances;

    Fleets(Ec2State st, SpotPrices prices, Instances instances) {
        this.st = st;
        this.instances = instances;
        this.prices = prices;
        this.fleets = st.oboro.store().table("ec2.fleets", Fleet.class);
        this.spots = st.oboro.store().table("ec2.spotinstances", SpotInst.class);
        st.spotLookup = (s, id) -> {
            SpotInst x = spots.get(s, id);
            return x == null ? null : x.requestId();
        };
        st.spotNotice = (s, id) -> {
            SpotInst x = spots.get(s, id);
            if (x == null || x.interruptAt() == null) return null;
            return "{\"action\": \"" + x.action() + "\", \"time\": \"" + x.interruptAt().truncatedTo(ChronoUnit.SECONDS) + "\"}";
        };
        st.instanceViews.add((s, i, sdk) -> {
            SpotInst x = spots.get(s, i.id());
            return x == null ? sdk : sdk.toBuilder().instanceLifecycle("spot").spotInstanceRequestId(x.requestId()).build();
        });
        st.instanceListeners.add(this);
        st.oboro.gateway().admin().registerFault("ec2.spot-interruption", this::interruptionFault);
        for (Scope s : spots.scopes()) for (SpotInst x : spots.values(s)) if (x.interruptAt() != null) armInterruption(s, x);
        for (Scope s : fleets.scopes()) {
            for (Fleet f : fleets.values(s)) {
                if (f.goneAt() != null) armForget(s, f);
                else if (f.type().equals("maintain") && !f.deleted()) schedule(s, f.id());
            }
        }
    }

    // ------------------------------------------------------------------ CreateFleet

    CreateFleetResponse createFleet(Call call, CreateFleetRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateFleet");
        Scope s = st.scope(call);
        if (!req.hasLaunchTemplateConfigs() || req.launchTemplateConfigs().isEmpty()) throw Ec2Errors.missingParameter("LaunchTemplateConfigs");
        var t = req.targetCapacitySpecification();
        if (t == null || t.totalTargetCapacity() == null) throw Ec2Errors.missingParameter("TargetCapacitySpecification.TotalTargetCapacity");
        String type = req.typeAsString() == null ? "maintain" : req.typeAsString();
        if (!List.of("instant", "request", "maintain").contains(type)) throw Ec2Errors.invalidParameterValue("Invalid value '" + type + "' for Type.");
        int od = t.onDemandTargetCapacity() == null ? 0 : t.onDemandTargetCapacity();
        int sp = t.spotTargetCapacity() == null ? 0 : t.spotTargetCapacity();
        if (od + sp > t.totalTargetCapacity()) {
            throw Ec2Errors.invalidParameterValue("The sum of OnDemandTargetCapacity and SpotTargetCapacity must not exceed TotalTargetCapacity.");
        }
        String dflt = t.defaultTargetCapacityTypeAsString();
        if (dflt == null) throw Ec2Errors.missingParameter("TargetCapacitySpecification.DefaultTargetCapacityType");
        if (req.spotOptions() != null && req.spotOptions().allocationStrategyAsString() != null) {
            String a = req.spotOptions().allocationStrategyAsString();
            if (!List.of("lowest-price", "diversified", "capacity-optimized", "capacity-optimized-prioritized", "price-capacity-optimized").contains(a)) {
                throw Ec2Errors.invalidParameterValue("Invalid value '" + a + "' for SpotOptions.AllocationStrategy.");
            }
        }
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("fleet", "instance"));
        String id = "fleet-" + Ids.uuid();
        List<Option> options = ec2Options(req, call);
        Fleet f = new Fleet(id, "ec2", type, "submitted", "pending_fulfillment", t.totalTargetCapacity(), od, sp, dflt,
                req.excessCapacityTerminationPolicyAsString() == null ? "termination" : req.excessCapacityTerminationPolicyAsString(),
                req, null, List.of(), List.of(new Event(call.now(), "fleet-change", "submitted", null, null)), call.now(), null);
        fleets.put(s, id, f);
        for (TagSpecification spec : req.tagSpecifications()) {
            if ("fleet".equals(spec.resourceTypeAsString())) st.tags.set(s, id, tagMap(spec.tags()));
        }
        List<CreateFleetError> errors = new ArrayList<>();
        f = reconcile(s, id, options, errors);
        CreateFleetResponse.Builder b = CreateFleetResponse.builder().fleetId(id);
        if (type.equals("instant")) {
            b.instances(grouped(f, options).entrySet().stream().map(e -> CreateFleetInstance.builder().lifecycle(e.getKey().split("\\|")[0])
                    .instanceType(e.getKey().split("\\|")[1]).launchTemplateAndOverrides(ltAndOverrides(options.get(Integer.parseInt(e.getKey().split("\\|")[2]))))
                    .instanceIds(e.getValue()).build()).toList());
            b.errors(errors);
        }
        return b.build();
    }

    private static Map<String, String> tagMap(List<Tag> tags) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Tag t : tags) m.put(t.key(), t.value());
        return m;
    }

    private static Map<String, List<String>> grouped(Fleet f, List<Option> options) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Member x : f.members()) m.computeIfAbsent(x.lifecycle() + "|" + x.instanceType() + "|" + x.option(), k -> new ArrayList<>()).add(x.instanceId());
        return m;
    }

    private static LaunchTemplateAndOverridesResponse ltAndOverrides(Option o) {
        return LaunchTemplateAndOverridesResponse.builder().launchTemplateSpecification(o.template()).overrides(o.overrides()).build();
    }

    /** The options of an EC2 Fleet: each launch template config with each of its overrides (or none). */
    private List<Option> ec2Options(CreateFleetRequest req, Call call) {
        List<Option> out = new ArrayList<>();
        for (FleetLaunchTemplateConfigRequest c : req.launchTemplateConfigs()) {
            var spec = c.launchTemplateSpecification();
            if (spec == null || (spec.launchTemplateId() == null && spec.launchTemplateName() == null)) {
                throw Ec2Errors.missingParameter("LaunchTemplateConfigs.LaunchTemplateSpecification");
            }
            FleetLaunchTemplateSpecification ts = FleetLaunchTemplateSpecification.builder().launchTemplateId(spec.launchTemplateId())
                    .launchTemplateName(spec.launchTemplateName()).version(spec.version() == null ? "$Default" : spec.version()).build();
            ResponseLaunchTemplateData data = template(call, ts);
            List<FleetLaunchTemplateOverridesRequest> ovs = c.hasOverrides() && !c.overrides().isEmpty() ? c.overrides()
                    : List.of(FleetLaunchTemplateOverridesRequest.builder().build());
            for (FleetLaunchTemplateOverridesRequest o : ovs) {
                String itype = o.instanceTypeAsString() != null ? o.instanceTypeAsString() : data.instanceTypeAsString();
                if (itype == null) throw Ec2Errors.invalidParameterValue("The launch template and its overrides specify no instance type.");
                String zone = o.availabilityZone() != null ? o.availabilityZone() : o.placement() != null ? o.placement().availabilityZone() : null;
                FleetLaunchTemplateOverrides echo = FleetLaunchTemplateOverrides.builder().instanceType(itype).maxPrice(o.maxPrice())
                        .subnetId(o.subnetId()).availabilityZone(zone).weightedCapacity(o.weightedCapacity()).priority(o.priority())
                        .imageId(o.imageId()).build();
                out.add(new Option(out.size(), -1, itype, o.subnetId(), zone, o.weightedCapacity() == null ? 1 : o.weightedCapacity(), o.priority(),
                        o.maxPrice(), ts, echo));
            }
        }
        return out;
    }

    /** A launch template version's data, read as a client would read it. */
    private ResponseLaunchTemplateData template(Call call, FleetLaunchTemplateSpecification ts) {
        try {
            DescribeLaunchTemplateVersionsResponse r = st.oboro.services().call(call.forService("ec2", "DescribeLaunchTemplateVersions"), "ec2",
                    DescribeLaunchTemplateVersionsRequest.builder().launchTemplateId(ts.launchTemplateId()).launchTemplateName(ts.launchTemplateName())
                            .versions(ts.version()).build());
            if (r.launchTemplateVersions().isEmpty()) {
                throw Ec2Errors.invalidParameterValue("The specified launch template version " + ts.version() + " does not exist.");
            }
            return r.launchTemplateVersions().get(0).launchTemplateData();
        } catch (AwsException e) {
            if (e.code().equals("NotImplemented")) {
                throw Ec2Errors.unsupportedOperation("Launch templates are not available in this Oboro yet.");
            }
            throw e;
        }
    }

    /** RunInstances for one instance of an option. */
    private RunInstancesRequest runRequest(Call call, Fleet f, Option o) {
        RunInstancesRequest.Builder b = RunInstancesRequest.builder().minCount(1).maxCount(1);
        List<TagSpecification> tags = new ArrayList<>();
        if (o.spec() >= 0) {
            SpotFleetLaunchSpecification ls = f.spotConfig().launchSpecifications().get(o.spec());
            b.imageId(ls.imageId()).keyName(ls.keyName()).userData(ls.userData()).kernelId(ls.kernelId()).ebsOptimized(ls.ebsOptimized())
                    .iamInstanceProfile(ls.iamInstanceProfile()).blockDeviceMappings(ls.blockDeviceMappings());
            if (ls.hasSecurityGroups()) b.securityGroupIds(ls.securityGroups().stream().map(g -> g.groupId()).filter(x -> x != null).toList());
            if (ls.hasNetworkInterfaces() && !ls.networkInterfaces().isEmpty()) b.networkInterfaces(ls.networkInterfaces());
            if (ls.placement() != null && ls.placement().groupName() != null) b.placement(Placement.builder().groupName(ls.placement().groupName()).build());
            if (ls.monitoring() != null && Boolean.TRUE.equals(ls.monitoring().enabled())) b.monitoring(m -> m.enabled(true));
            for (var ts : ls.tagSpecifications()) tags.add(TagSpecification.builder().resourceType(ts.resourceTypeAsString()).tags(ts.tags()).build());
        } else {
            ResponseLaunchTemplateData d = template(call, o.template());
            b.imageId(d.imageId()).keyName(d.keyName()).userData(d.userData()).ebsOptimized(d.ebsOptimized()).kernelId(d.kernelId())
                    .disableApiTermination(d.disableApiTermination());
            if (d.hasSecurityGroupIds() && !d.securityGroupIds().isEmpty()) b.securityGroupIds(d.securityGroupIds());
            if (d.hasSecurityGroups() && !d.securityGroups().isEmpty()) b.securityGroups(d.securityGroups());
            if (d.iamInstanceProfile() != null) b.iamInstanceProfile(p -> p.arn(d.iamInstanceProfile().arn()).name(d.iamInstanceProfile().name()));
            if (d.placement() != null && d.placement().groupName() != null) b.placement(Placement.builder().groupName(d.placement().groupName()).build());
            if (d.monitoring() != null && Boolean.TRUE.equals(d.monitoring().enabled())) b.monitoring(m -> m.enabled(true));
            if (d.metadataOptions() != null) {
                b.metadataOptions(m -> m.httpTokens(d.metadataOptions().httpTokensAsString()).httpEndpoint(d.metadataOptions().httpEndpointAsString())
                        .httpPutResponseHopLimit(d.metadataOptions().httpPutResponseHopLimit())
                        .instanceMetadataTags(d.metadataOptions().instanceMetadataTagsAsString()));
            }
            List<BlockDeviceMapping> bdms = new ArrayList<>();
            for (var m : d.blockDeviceMappings()) {
                var e = m.ebs();
                bdms.add(BlockDeviceMapping.builder().deviceName(m.deviceName()).noDevice(m.noDevice()).virtualName(m.virtualName())
                        .ebs(e == null ? null : EbsBlockDevice.builder().volumeSize(e.volumeSize()).volumeType(e.volumeTypeAsString()).iops(e.iops())
                                .throughput(e.throughput()).snapshotId(e.snapshotId()).encrypted(e.encrypted()).kmsKeyId(e.kmsKeyId())
                                .deleteOnTermination(e.deleteOnTermination()).build()).build());
            }
            if (!bdms.isEmpty()) b.blockDeviceMappings(bdms);
            for (var ts : d.tagSpecifications()) tags.add(TagSpecification.builder().resourceType(ts.resourceTypeAsString()).tags(ts.tags()).build());
            if (o.overrides() != null && o.overrides().imageId() != null) b.imageId(o.overrides().imageId());
        }
        b.instanceType(o.instanceType());
        if (o.subnetId() != null) b.subnetId(o.subnetId());
        else if (o.zone() != null) b.placement(Placement.builder().availabilityZone(o.zone()).build());
        if (f.ec2Request() != null) {
            for (TagSpecification spec : f.ec2Request().tagSpecifications()) if ("instance".equals(spec.resourceTypeAsString())) tags.add(spec);
        }
        if (!tags.isEmpty()) b.tagSpecifications(mergeTags(tags));
        return b.build();
    }

    private static List<TagSpecification> mergeTags(List<TagSpecification> specs) {
        Map<String, Map<String, String>> byType = new LinkedHashMap<>();
        for (TagSpecification s : specs) {
            Map<String, String> m = byType.computeIfAbsent(s.resourceTypeAsString(), k -> new LinkedHashMap<>());
            for (Tag t : s.tags()) m.put(t.key(), t.value());
        }
        List<TagSpecification> out = new ArrayList<>();
        byType.forEach((type, m) -> out.add(TagSpecification.builder().resourceType(type)
                .tags(m.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList()).build()));
        return out;
    }

    // ------------------------------------------------------------------ RequestSpotFleet

    RequestSpotFleetResponse requestSpotFleet(Call call, RequestSpotFleetRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "RequestSpotFleet");
        Scope s = st.scope(call);
        SpotFleetRequestConfigData c = req.spotFleetRequestConfig();
        if (c == null) throw Ec2Errors.missingParameter("SpotFleetRequestConfig");
        if (c.iamFleetRole() == null) throw Ec2Errors.missingParameter("SpotFleetRequestConfig.IamFleetRole");
        boolean specs = c.hasLaunchSpecifications() && !c.launchSpecifications().isEmpty();
        boolean templates = c.hasLaunchTemplateConfigs() && !c.launchTemplateConfigs().isEmpty();
        if (specs == templates) {
            throw Ec2Errors.invalidParameterCombination("Specify either LaunchSpecifications or LaunchTemplateConfigs, not both and not neither.");
        }
        String type = c.typeAsString() == null ? "maintain" : c.typeAsString();
        if (type.equals("instant")) throw Ec2Errors.invalidParameterValue("Spot Fleet requests of type instant are not supported; use CreateFleet.");
        int total = c.targetCapacity() == null ? 0 : c.targetCapacity();
        int od = c.onDemandTargetCapacity() == null ? 0 : c.onDemandTargetCapacity();
        if (od > total) throw Ec2Errors.invalidParameterValue("OnDemandTargetCapacity cannot exceed TargetCapacity.");
        String id = "sfr-" + Ids.uuid();
        List<Option> options = spotOptions(call, c);
        Fleet f = new Fleet(id, "spot", type, "submitted", "pending_fulfillment", total, od, total - od, "spot",
                c.excessCapacityTerminationPolicyAsString() == null ? "default" : c.excessCapacityTerminationPolicyAsString(), null,
                c.toBuilder().type(type).build(), List.of(), List.of(new Event(call.now(), "fleetRequestChange", "submitted", null, null)), call.now(), null);
        fleets.put(s, id, f);
        for (TagSpecification spec : c.tagSpecifications()) {
            if ("spot-fleet-request".equals(spec.resourceTypeAsString())) st.tags.set(s, id, tagMap(spec.tags()));
        }
        reconcile(s, id, options, new ArrayList<>());
        return RequestSpotFleetResponse.builder().spotFleetRequestId(id).build();
    }

    /** The options of a Spot Fleet: each launch specification (per subnet of its comma list), or each template override. */
    private List<Option> spotOptions(Call call, SpotFleetRequestConfigData c) {
        List<Option> out = new ArrayList<>();
        if (c.hasLaunchSpecifications() && !c.launchSpecifications().isEmpty()) {
            for (int k = 0; k < c.launchSpecifications().size(); k++) {
                SpotFleetLaunchSpecification ls = c.launchSpecifications().get(k);
                if (ls.imageId() == null) throw Ec2Errors.missingParameter("LaunchSpecifications.ImageId");
                if (ls.instanceTypeAsString() == null) throw Ec2Errors.missingParameter("LaunchSpecifications.InstanceType");
                List<String> subnets = ls.subnetId() == null ? java.util.Collections.singletonList(null) : List.of(ls.subnetId().split("\\s*,\\s*"));
                for (String subnet : subnets) {
                    String zone = ls.placement() == null ? null : ls.placement().availabilityZone();
                    FleetLaunchTemplateOverrides echo = FleetLaunchTemplateOverrides.builder().instanceType(ls.instanceTypeAsString())
                            .subnetId(subnet).availabilityZone(zone).build();
                    out.add(new Option(out.size(), k, ls.instanceTypeAsString(), subnet, zone, ls.weightedCapacity() == null ? 1 : ls.weightedCapacity(),
                            null, ls.spotPrice() != null ? ls.spotPrice() : c.spotPrice(), null, echo));
                }
            }
        } else {
            for (LaunchTemplateConfig lc : c.launchTemplateConfigs()) {
                var spec = lc.launchTemplateSpecification();
                FleetLaunchTemplateSpecification ts = FleetLaunchTemplateSpecification.builder().launchTemplateId(spec.launchTemplateId())
                        .launchTemplateName(spec.launchTemplateName()).version(spec.version() == null ? "$Default" : spec.version()).build();
                ResponseLaunchTemplateData data = template(call, ts);
                List<LaunchTemplateOverrides> ovs = lc.hasOverrides() && !lc.overrides().isEmpty() ? lc.overrides() : List.of(LaunchTemplateOverrides.builder().build());
                for (LaunchTemplateOverrides o : ovs) {
                    String itype = o.instanceTypeAsString() != null ? o.instanceTypeAsString() : data.instanceTypeAsString();
                    FleetLaunchTemplateOverrides echo = FleetLaunchTemplateOverrides.builder().instanceType(itype).subnetId(o.subnetId())
                            .availabilityZone(o.availabilityZone()).weightedCapacity(o.weightedCapacity()).priority(o.priority()).build();
                    out.add(new Option(out.size(), -1, itype, o.subnetId(), o.availabilityZone(), o.weightedCapacity() == null ? 1 : o.weightedCapacity(),
                            o.priority(), o.spotPrice() != null ? o.spotPrice() : c.spotPrice(), ts, echo));
                }
            }
        }
        return out;
    }

    private List<Option> options(Call call, Fleet f) {
        return f.isSpotFleet() ? spotOptions(call, f.spotConfig()) : ec2Options(f.ec2Request(), call);
    }

    // ------------------------------------------------------------------ fulfilment

    private String spotStrategy(Fleet f) {
        if (f.isSpotFleet()) {
            String a = f.spotConfig().allocationStrategyAsString();
            if (a == null) return "lowest-price";
            return switch (a) {
                case "lowestPrice" -> "lowest-price";
                case "capacityOptimized" -> "capacity-optimized";
                case "capacityOptimizedPrioritized" -> "capacity-optimized-prioritized";
                case "priceCapacityOptimized" -> "price-capacity-optimized";
                default -> a;
            };
        }
        var r = f.ec2Request().spotOptions();
        return r == null || r.allocationStrategyAsString() == null ? "lowest-price" : r.allocationStrategyAsString();
    }

    private int poolsToUse(Fleet f) {
        Integer n = f.isSpotFleet() ? f.spotConfig().instancePoolsToUseCount()
                : f.ec2Request().spotOptions() == null ? null : f.ec2Request().spotOptions().instancePoolsToUseCount();
        return n == null || n < 1 ? 1 : n;
    }

    private String onDemandStrategy(Fleet f) {
        String a = f.isSpotFleet() ? f.spotConfig().onDemandAllocationStrategyAsString()
                : f.ec2Request().onDemandOptions() == null ? null : f.ec2Request().onDemandOptions().allocationStrategyAsString();
        return a == null ? "lowest-price" : a.equals("lowestPrice") ? "lowest-price" : a;
    }

    private String zoneOf(Scope s, Option o) {
        if (o.subnetId() != null) {
            Vpcs.Subnet n = st.subnets.get(s, o.subnetId());
            if (n != null) return n.az();
        }
        if (o.zone() != null) return o.zone();
        Catalog.RegionInfo r = st.catalog.region(s.region());
        if (r == null) return s.region() + "a";
        return r.zones().stream().map(z -> z.zoneName()).filter(z -> st.catalog.offeredIn(s.region(), z, o.instanceType())).findFirst()
                .orElse(r.zones().get(0).zoneName());
    }

    /** The options in the order a strategy uses them, for one more instance given what the fleet has. */
    private List<Option> order(Scope s, Fleet f, List<Option> options, boolean spot, Instant now) {
        List<Option> usable = new ArrayList<>();
        for (Option o : options) {
            if (spot && o.maxPrice() != null) {
                double max = Double.parseDouble(o.maxPrice());
                if (prices.spot(o.instanceType(), zoneOf(s, o), false, now) > max) continue;
            }
            usable.add(o);
        }
        Comparator<Option> byPrice = Comparator.comparingDouble(o -> (spot ? prices.spot(o.instanceType(), zoneOf(s, o), false, now)
                : prices.onDemand(o.instanceType(), false)) / o.weight());
        Comparator<Option> byCapacity = Comparator.comparingDouble(o -> -SpotPrices.capacity(o.instanceType(), zoneOf(s, o)));
        Comparator<Option> byPriority = Comparator.comparingDouble(o -> o.priority() == null ? Double.MAX_VALUE : o.priority());
        if (!spot) {
            usable.sort(onDemandStrategy(f).equals("prioritized") ? byPriority.thenComparing(byPrice) : byPrice);
            return usable;
        }
        switch (spotStrategy(f)) {
            case "diversified" -> {
                usable.sort(byPrice);
                // the pool with the fewest of the fleet's instances comes first
                usable.sort(Comparator.comparingLong(o -> f.members().stream().filter(m -> m.option() == o.index()).count()));
            }
            case "capacity-optimized" -> usable.sort(byCapacity);
            case "capacity-optimized-prioritized" -> usable.sort(byPriority.thenComparing(byCapacity));
            case "price-capacity-optimized" -> {
                usable.sort(byCapacity);
                List<Option> top = new ArrayList<>(usable.subList(0, Math.max(1, (usable.size() + 1) / 2)));
                top.sort(byPrice);
                List<Option> rest = new ArrayList<>(usable.subList(top.size(), usable.size()));
                usable = new ArrayList<>(top);
                usable.addAll(rest);
            }
            default -> {
                usable.sort(byPrice);
                int pools = Math.min(poolsToUse(f), usable.size());
                List<Option> cheapest = new ArrayList<>(usable.subList(0, pools));
                cheapest.sort(Comparator.comparingLong(o -> f.members().stream().filter(m -> m.option() == o.index()).count()));
                List<Option> rest = new ArrayList<>(usable.subList(pools, usable.size()));
                usable = new ArrayList<>(cheapest);
                usable.addAll(rest);
            }
        }
        return usable;
    }

    private static double fulfilled(Fleet f, String lifecycle) {
        return f.members().stream().filter(m -> m.lifecycle().equals(lifecycle)).mapToDouble(Member::weight).sum();
    }

    /** Targets by lifecycle: On-Demand and Spot, with the rest in the default capacity type. */
    private static double[] targets(Fleet f) {
        int rest = f.total() - f.onDemand() - f.spot();
        double od = f.onDemand() + (f.defaultCapacity().equals("on-demand") ? Math.max(0, rest) : 0);
        double sp = f.spot() + (f.defaultCapacity().equals("spot") ? Math.max(0, rest) : 0);
        if (f.isSpotFleet()) {
            od = f.onDemand();
            sp = f.total() - f.onDemand();
        }
        return new double[]{od, sp};
    }

    private Fleet reconcile(Scope s, String id, List<Option> options, List<CreateFleetError> errors) {
        Fleet f = fleets.get(s, id);
        if (f == null || f.deleted()) return f;
        Call call = Call.internal(st.oboro, s.account(), s.region(), "ec2");
        Instant now = call.now();
        List<Member> members = new ArrayList<>(f.members());
        List<Event> history = new ArrayList<>(f.history());
        if (f.state().equals("submitted")) history.add(new Event(now, f.isSpotFleet() ? "fleetRequestChange" : "fleet-change", "active", null, null));
        double[] target = targets(f);
        boolean error = false;
        for (int pass = 0; pass < 2; pass++) {
            boolean spot = pass == 1;
            String lifecycle = spot ? "spot" : "on-demand";
            List<String> failedOptions = new ArrayList<>();
            while (fulfilledOf(members, lifecycle) < target[pass]) {
                Fleet current = f.with(f.state(), f.activity(), members, history);
                List<Option> order = order(s, current, options, spot, now);
                order.removeIf(o -> failedOptions.contains(Integer.toString(o.index())));
                if (order.isEmpty()) {
                    error = true;
                    String msg = options.isEmpty() ? "No launch options." : spot
                            ? "Your Spot request price is lower than the current Spot price of every pool of the fleet."
                            : "No launch option could be used.";
                    history.add(new Event(now, f.isSpotFleet() ? "error" : "service-error", "launchSpecUnusable", null, msg));
                    errors.add(CreateFleetError.builder().lifecycle(lifecycle).errorCode(spot ? "SpotMaxPriceTooLow" : "InvalidLaunchTemplate")
                            .errorMessage(msg).build());
                    break;
                }
                Option o = order.get(0);
                try {
                    RunInstancesResponse r = st.oboro.services().call(call, "ec2", runRequest(call, current, o));
                    Instance i = r.instances().get(0);
                    // the system tag AWS puts on fleet instances (users may not write aws: keys, so not through RunInstances)
                    st.tags.set(s, i.instanceId(), Map.of(f.isSpotFleet() ? "aws:ec2spot:fleet-request-id" : "aws:ec2:fleet-id", id));
                    String sir = spot ? "sir-" + Ids.hex(8) : null;
                    if (spot) spots.put(s, i.instanceId(), new SpotInst(i.instanceId(), sir, id, null, null));
                    members.add(new Member(i.instanceId(), lifecycle, o.instanceType(), o.weight(), o.index(), sir, now));
                    history.add(new Event(now, f.isSpotFleet() ? "instanceChange" : "instance-change", "launched", i.instanceId(),
                            "{\"instanceType\":\"" + o.instanceType() + "\",\"image\":\"" + i.imageId() + "\",\"productDescription\":\"Linux/UNIX\","
                                    + "\"availabilityZone\":\"" + i.placement().availabilityZone() + "\"}"));
                } catch (AwsException e) {
                    failedOptions.add(Integer.toString(o.index()));
                    history.add(new Event(now, f.isSpotFleet() ? "error" : "service-error", "launchSpecTemporarilyBlacklisted", null,
                            e.code() + ": " + e.getMessage()));
                    errors.add(CreateFleetError.builder().lifecycle(lifecycle).launchTemplateAndOverrides(ltAndOverrides(o))
                            .errorCode(e.code()).errorMessage(e.getMessage()).build());
                }
            }
        }
        boolean full = fulfilledOf(members, "on-demand") >= target[0] && fulfilledOf(members, "spot") >= target[1];
        String activity = full ? "fulfilled" : error ? "error" : "pending_fulfillment";
        Fleet next = f.with("active", activity, members, history);
        fleets.put(s, id, next);
        return next;
    }

    private static double fulfilledOf(List<Member> members, String lifecycle) {
        return members.stream().filter(m -> m.lifecycle().equals(lifecycle)).mapToDouble(Member::weight).sum();
    }

    private void schedule(Scope s, String id) {
        st.oboro.scheduler().schedule(st.oboro.clock().instant(), () -> {
            Fleet f = fleets.get(s, id);
            if (f == null || f.deleted() || !f.type().equals("maintain")) return;
            try {
                reconcile(s, id, options(Call.internal(st.oboro, s.account(), s.region(), "ec2"), f), new ArrayList<>());
            } catch (AwsException e) {
                fleets.update(s, id, old -> old == null ? null : old.with(old.state(), "error", old.members(), append(old.history(),
                        new Event(st.oboro.clock().instant(), old.isSpotFleet() ? "error" : "service-error", "launchSpecUnusable", null,
                                e.getMessage()))));
            }
        });
    }

    private static <T> List<T> append(List<T> l, T x) {
        List<T> out = new ArrayList<>(l);
        out.add(x);
        return out;
    }

    /** A fleet instance that stops, terminates or goes leaves the fleet; a maintain fleet replaces it. */
    @Override
    public void changed(Scope s, Instances.Inst before, Instances.Inst after) {
        if (before == null) return;
        boolean left = after == null || after.state().equals("shutting-down") || after.state().equals("terminated")
                || after.state().equals("stopping") || after.state().equals("stopped");
        if (!left) return;
        SpotInst spot = spots.get(s, before.id());
        String fleetId = spot != null ? spot.fleetId() : null;
        if (fleetId == null) {
            for (Fleet f : fleets.values(s)) {
                if (f.members().stream().anyMatch(m -> m.instanceId().equals(before.id()))) fleetId = f.id();
            }
        }
        if (after == null && spot != null) spots.remove(s, before.id());
        if (fleetId == null) return;
        String id = fleetId;
        Instant now = st.oboro.clock().instant();
        Fleet f = fleets.update(s, id, old -> {
            if (old == null || old.members().stream().noneMatch(m -> m.instanceId().equals(before.id()))) return old;
            List<Member> m = new ArrayList<>(old.members());
            m.removeIf(x -> x.instanceId().equals(before.id()));
            String reason = after != null && "Server.SpotInstanceTermination".equals(after.reasonCode()) ? "interrupted"
                    : after != null && "Server.SpotInstanceShutdown".equals(after.reasonCode()) ? "interrupted" : "terminated";
            List<Event> h = append(old.history(), new Event(now, old.isSpotFleet() ? "instanceChange" : "instance-change",
                    "terminated", before.id(), reason.equals("interrupted") ? "{\"reason\":\"Spot interruption\"}" : null));
            boolean maintain = old.type().equals("maintain") && !old.deleted();
            return old.with(old.state(), maintain ? "pending_fulfillment" : old.deleted() ? old.activity() : old.activity(), m, h);
        });
        if (f != null && f.type().equals("maintain") && !f.deleted()) schedule(s, id);
    }

    // ------------------------------------------------------------------ interruptions

    /**
     * {@code POST /_oboro/faults/ec2.spot-interruption {"account", "region", "instanceId"}}: EC2
     * reclaims a Spot instance. The instance-action notice appears in its metadata at once; two
     * minutes later the instance is interrupted as its fleet asks (terminate, stop or hibernate).
     * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
     */
    private JsonNode interruptionFault(JsonNode body) {
        String account = body.path("account").asText(st.oboro.identities().defaultAccount());
        String region = body.path("region").asText(st.oboro.config().defaultRegion());
        String id = body.path("instanceId").asText(null);
        if (id == null) throw new IllegalArgumentException("expected {\"account\", \"region\", \"instanceId\"}");
        Scope s = new Scope(account, region);
        SpotInst x = spots.get(s, id);
        if (x == null) throw new IllegalArgumentException(id + " is not a Spot instance in " + s);
        Fleet f = fleets.get(s, x.fleetId());
        String behavior = f == null ? "terminate" : f.isSpotFleet() ? f.spotConfig().instanceInterruptionBehaviorAsString()
                : f.ec2Request().spotOptions() == null ? null : f.ec2Request().spotOptions().instanceInterruptionBehaviorAsString();
        String action = behavior == null || behavior.equals("terminate") ? "terminate" : behavior.equals("hibernate") ? "hibernate" : "stop";
        Instant at = st.oboro.clock().instant().plus(NOTICE);
        SpotInst noticed = new SpotInst(id, x.requestId(), x.fleetId(), at, action);
        spots.put(s, id, noticed);
        if (f != null) {
            fleets.update(s, f.id(), old -> old == null ? null : old.with(old.state(), old.activity(), old.members(), append(old.history(),
                    new Event(st.oboro.clock().instant(), old.isSpotFleet() ? "instanceChange" : "instance-change", "termination_notified", id, null))));
        }
        armInterruption(s, noticed);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("instanceId", id);
        n.put("action", action);
        n.put("time", at.truncatedTo(ChronoUnit.SECONDS).toString());
        return n;
    }

    private void armInterruption(Scope s, SpotInst x) {
        st.oboro.scheduler().schedule(x.interruptAt(), () -> interrupt(s, x.instanceId()));
    }

    private void interrupt(Scope s, String id) {
        SpotInst x = spots.get(s, id);
        if (x == null || x.interruptAt() == null || st.oboro.clock().instant().isBefore(x.interruptAt())) return;
        Instant now = st.oboro.clock().instant();
        String reason = "Service initiated (" + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'GMT'")
                .withZone(java.time.ZoneOffset.UTC).format(now) + ")";
        if (x.action().equals("terminate")) {
            instances.transition(s, id, old -> old.state().equals("running") || old.state().equals("pending") || old.state().equals("stopped")
                    ? old.withState("shutting-down", now.plus(Instances.SHUTTING_DOWN), reason, "Server.SpotInstanceTermination",
                    "Server.SpotInstanceTermination: Spot instance termination") : old);
        } else {
            instances.transition(s, id, old -> old.state().equals("running") ? old.withState("stopping", now.plus(Instances.STOPPING), reason,
                    "Server.SpotInstanceShutdown", "Server.SpotInstanceShutdown: Spot instance shutdown") : old);
        }
        spots.update(s, id, old -> old == null ? null : new SpotInst(old.instanceId(), old.requestId(), old.fleetId(), null, old.action()));
    }

    // ------------------------------------------------------------------ describe, modify, delete

    private Fleet find(Scope s, String id, boolean spot) {
        Fleet f = id == null ? null : fleets.get(s, id);
        if (f == null || f.isSpotFleet() != spot) {
            throw spot ? new AwsException("InvalidSpotFleetRequestId.NotFound", "The spot fleet request ID '" + id + "' does not exist", 400)
                    : new AwsException("InvalidFleetId.NotFound", "The fleet ID '" + id + "' does not exist", 400);
        }
        return f;
    }

    DescribeFleetsResponse describeFleets(Call call, DescribeFleetsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeFleets");
        Scope s = st.scope(call);
        List<Fleet> all = new ArrayList<>();
        if (req.hasFleetIds() && !req.fleetIds().isEmpty()) for (String id : req.fleetIds()) all.add(find(s, id, false));
        else for (Fleet f : fleets.values(s)) if (!f.isSpotFleet()) all.add(f);
        Filters<Fleet> filters = new Filters<>(Map.of(
                "activity-status", f -> List.of(f.activity()),
                "fleet-state", f -> List.of(f.state()),
                "type", f -> List.of(f.type()),
                "replace-unhealthy-instances", f -> List.of(String.valueOf(Boolean.TRUE.equals(f.ec2Request().replaceUnhealthyInstances()))),
                "excess-capacity-termination-policy", f -> List.of(f.excessPolicy())));
        List<Fleet> matched = filters.apply(req.filters(), all);
        DescribeFleetsResponse.Builder b = DescribeFleetsResponse.builder();
        Pagination.Page<Fleet> page = Paging.page(call, req, matched, Fleet::id, b);
        return b.fleets(page.items().stream().map(f -> fleetData(call, s, f)).toList()).build();
    }

    private FleetData fleetData(Call call, Scope s, Fleet f) {
        CreateFleetRequest r = f.ec2Request();
        List<FleetLaunchTemplateConfig> configs = new ArrayList<>();
        for (FleetLaunchTemplateConfigRequest c : r.launchTemplateConfigs()) {
            var spec = c.launchTemplateSpecification();
            configs.add(FleetLaunchTemplateConfig.builder().launchTemplateSpecification(FleetLaunchTemplateSpecification.builder()
                    .launchTemplateId(spec.launchTemplateId()).launchTemplateName(spec.launchTemplateName()).version(spec.version()).build())
                    .overrides(c.overrides().stream().map(o -> FleetLaunchTemplateOverrides.builder().instanceType(o.instanceTypeAsString())
                            .maxPrice(o.maxPrice()).subnetId(o.subnetId()).availabilityZone(o.availabilityZone()).weightedCapacity(o.weightedCapacity())
                            .priority(o.priority()).imageId(o.imageId()).build()).toList()).build());
        }
        FleetData.Builder b = FleetData.builder().fleetId(f.id()).fleetState(f.state()).activityStatus(f.deleted() ? null : f.activity())
                .createTime(f.createTime()).type(f.type()).clientToken(r.clientToken()).excessCapacityTerminationPolicy(f.excessPolicy())
                .fulfilledCapacity(fulfilled(f, "spot") + fulfilled(f, "on-demand")).fulfilledOnDemandCapacity(fulfilled(f, "on-demand"))
                .launchTemplateConfigs(configs).terminateInstancesWithExpiration(r.terminateInstancesWithExpiration())
                .validFrom(r.validFrom()).validUntil(r.validUntil()).replaceUnhealthyInstances(r.replaceUnhealthyInstances())
                .targetCapacitySpecification(TargetCapacitySpecification.builder().totalTargetCapacity(f.total()).onDemandTargetCapacity(f.onDemand())
                        .spotTargetCapacity(f.spot()).defaultTargetCapacityType(f.defaultCapacity()).build())
                .spotOptions(SpotOptions.builder().allocationStrategy(spotStrategy(f)).instanceInterruptionBehavior(
                        r.spotOptions() == null || r.spotOptions().instanceInterruptionBehaviorAsString() == null ? "terminate"
                                : r.spotOptions().instanceInterruptionBehaviorAsString()).instancePoolsToUseCount(poolsToUse(f)).build())
                .onDemandOptions(OnDemandOptions.builder().allocationStrategy(onDemandStrategy(f)).build())
                .tags(st.tags.sdk(s, f.id()));
        if (f.type().equals("instant")) {
            List<Option> options = options(call, f);
            b.instances(grouped(f, options).entrySet().stream().map(e -> DescribeFleetsInstances.builder().lifecycle(e.getKey().split("\\|")[0])
                    .instanceType(e.getKey().split("\\|")[1]).launchTemplateAndOverrides(ltAndOverrides(options.get(Integer.parseInt(e.getKey().split("\\|")[2]))))
                    .instanceIds(e.getValue()).build()).toList());
        }
        return b.build();
    }

    DescribeFleetInstancesResponse describeFleetInstances(Call call, DescribeFleetInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeFleetInstances");
        Scope s = st.scope(call);
        Fleet f = find(s, req.fleetId(), false);
        DescribeFleetInstancesResponse.Builder b = DescribeFleetInstancesResponse.builder().fleetId(f.id());
        Pagination.Page<Member> page = Paging.page(call, req, sortedMembers(f), Member::instanceId, b);
        return b.activeInstances(page.items().stream().map(Fleets::active).toList()).build();
    }

    private static List<Member> sortedMembers(Fleet f) {
        List<Member> m = new ArrayList<>(f.members());
        m.sort(Comparator.comparing(Member::instanceId));
        return m;
    }

    private static ActiveInstance active(Member m) {
        return ActiveInstance.builder().instanceId(m.instanceId()).instanceType(m.instanceType()).spotInstanceRequestId(m.spotRequestId())
                .instanceHealth("healthy").build();
    }

    DescribeFleetHistoryResponse describeFleetHistory(Call call, DescribeFleetHistoryRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeFleetHistory");
        Scope s = st.scope(call);
        Fleet f = find(s, req.fleetId(), false);
        if (req.startTime() == null) throw Ec2Errors.missingParameter("StartTime");
        List<HistoryRecordEntry> out = new ArrayList<>();
        for (Event e : f.history()) {
            if (e.at().isBefore(req.startTime())) continue;
            if (req.eventTypeAsString() != null && !req.eventTypeAsString().equals(e.type())) continue;
            out.add(HistoryRecordEntry.builder().timestamp(e.at()).eventType(e.type()).eventInformation(EventInformation.builder()
                    .eventSubType(e.subType()).instanceId(e.instanceId()).eventDescription(e.description()).build()).build());
        }
        return DescribeFleetHistoryResponse.builder().fleetId(f.id()).startTime(req.startTime()).lastEvaluatedTime(call.now())
                .historyRecords(out).build();
    }

    ModifyFleetResponse modifyFleet(Call call, ModifyFleetRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ModifyFleet");
        Scope s = st.scope(call);
        Fleet f = find(s, req.fleetId(), false);
        if (!f.type().equals("maintain")) {
            throw Ec2Errors.unsupportedOperation("Fleet " + f.id() + " is of type " + f.type() + "; only fleets of type maintain can be modified.");
        }
        if (f.deleted()) throw new AwsException("IncorrectState", "The fleet " + f.id() + " is " + f.state() + " and cannot be modified.", 400);
        var t = req.targetCapacitySpecification();
        if (t == null || t.totalTargetCapacity() == null) throw Ec2Errors.missingParameter("TargetCapacitySpecification.TotalTargetCapacity");
        int od = t.onDemandTargetCapacity() != null ? t.onDemandTargetCapacity() : f.onDemand();
        int sp = t.spotTargetCapacity() != null ? t.spotTargetCapacity() : f.spot();
        if (od + sp > t.totalTargetCapacity()) {
            od = Math.min(od, t.totalTargetCapacity());
            sp = Math.max(0, Math.min(sp, t.totalTargetCapacity() - od));
        }
        String policy = req.excessCapacityTerminationPolicyAsString() != null ? req.excessCapacityTerminationPolicyAsString() : f.excessPolicy();
        resize(call, s, f.withTargets(t.totalTargetCapacity(), od, sp, policy), policy.equals("termination"));
        return ModifyFleetResponse.builder().returnValue(true).build();
    }

    ModifySpotFleetRequestResponse modifySpotFleetRequest(Call call, ModifySpotFleetRequestRequest req) {
        Scope s = st.scope(call);
        Fleet f = find(s, req.spotFleetRequestId(), true);
        if (!f.type().equals("maintain")) {
            throw Ec2Errors.invalidParameterValue("Spot Fleet request " + f.id() + " is of type request; only requests of type maintain can be modified.");
        }
        if (f.deleted()) throw new AwsException("IncorrectState", "The Spot Fleet request " + f.id() + " is " + f.state() + " and cannot be modified.", 400);
        int total = req.targetCapacity() != null ? req.targetCapacity() : f.total();
        int od = req.onDemandTargetCapacity() != null ? req.onDemandTargetCapacity() : Math.min(f.onDemand(), total);
        String policy = req.excessCapacityTerminationPolicyAsString() != null ? req.excessCapacityTerminationPolicyAsString() : f.excessPolicy();
        Fleet next = f.withTargets(total, od, total - od, policy);
        next = new Fleet(next.id(), next.kind(), next.type(), next.state(), next.activity(), total, od, total - od, next.defaultCapacity(), policy,
                null, next.spotConfig().toBuilder().targetCapacity(total).onDemandTargetCapacity(od).build(), next.members(),
                append(next.history(), new Event(call.now(), "fleetRequestChange", "modify_in_progress", null, null)), next.createTime(), null);
        resize(call, s, next, policy.equals("default"));
        fleets.update(s, f.id(), old -> old == null ? null : old.with(old.state(), old.activity(), old.members(),
                append(old.history(), new Event(call.now(), "fleetRequestChange", "modify_succeeded", null, null))));
        return ModifySpotFleetRequestResponse.builder().returnValue(true).build();
    }

    /** New targets: launch up to them, or terminate the excess when the policy says so (Spot first, newest first). */
    private void resize(Call call, Scope s, Fleet f, boolean terminateExcess) {
        double[] target = targets(f);
        List<String> excess = new ArrayList<>();
        List<Member> members = new ArrayList<>(f.members());
        if (terminateExcess) {
            for (String lifecycle : List.of("spot", "on-demand")) {
                double want = lifecycle.equals("spot") ? target[1] : target[0];
                List<Member> of = members.stream().filter(m -> m.lifecycle().equals(lifecycle))
                        .sorted(Comparator.comparing(Member::launched).reversed()).toList();
                double have = of.stream().mapToDouble(Member::weight).sum();
                for (Member m : of) {
                    if (have - m.weight() < want) break;
                    have -= m.weight();
                    excess.add(m.instanceId());
                    members.remove(m);
                }
            }
        }
        fleets.put(s, f.id(), f.with(f.state(), f.activity(), members, f.history()));
        if (!excess.isEmpty()) st.oboro.services().call(Call.internal(st.oboro, s.account(), s.region(), "ec2"), "ec2",
                TerminateInstancesRequest.builder().instanceIds(excess).build());
        reconcile(s, f.id(), options(call, f), new ArrayList<>());
    }

    DeleteFleetsResponse deleteFleets(Call call, DeleteFleetsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteFleets");
        Scope s = st.scope(call);
        if (req.terminateInstances() == null) throw Ec2Errors.missingParameter("TerminateInstances");
        boolean terminate = req.terminateInstances();
        List<DeleteFleetSuccessItem> ok = new ArrayList<>();
        List<DeleteFleetErrorItem> bad = new ArrayList<>();
        for (String id : req.fleetIds()) {
            Fleet f = fleets.get(s, id);
            if (f == null || f.isSpotFleet() || f.deleted()) {
                bad.add(DeleteFleetErrorItem.builder().fleetId(id).error(DeleteFleetError.builder().code(f == null || f.isSpotFleet()
                        ? "fleetIdDoesNotExist" : "fleetNotInDeletableState").message(f == null || f.isSpotFleet()
                        ? "The fleet ID '" + id + "' does not exist" : "The fleet " + id + " is already " + f.state()).build()).build());
                continue;
            }
            String state = terminate ? "deleted_terminating" : "deleted_running";
            ok.add(DeleteFleetSuccessItem.builder().fleetId(id).previousFleetState(f.state()).currentFleetState(state).build());
            stop(call, s, f, state, terminate);
        }
        return DeleteFleetsResponse.builder().successfulFleetDeletions(ok).unsuccessfulFleetDeletions(bad).build();
    }

    CancelSpotFleetRequestsResponse cancelSpotFleetRequests(Call call, CancelSpotFleetRequestsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CancelSpotFleetRequests");
        Scope s = st.scope(call);
        if (req.terminateInstances() == null) throw Ec2Errors.missingParameter("TerminateInstances");
        boolean terminate = req.terminateInstances();
        List<CancelSpotFleetRequestsSuccessItem> ok = new ArrayList<>();
        List<CancelSpotFleetRequestsErrorItem> bad = new ArrayList<>();
        for (String id : req.spotFleetRequestIds()) {
            Fleet f = fleets.get(s, id);
            if (f == null || !f.isSpotFleet() || f.deleted()) {
                bad.add(CancelSpotFleetRequestsErrorItem.builder().spotFleetRequestId(id).error(CancelSpotFleetRequestsError.builder()
                        .code(f == null || !f.isSpotFleet() ? "fleetRequestIdDoesNotExist" : "fleetRequestNotInCancellableState")
                        .message(f == null || !f.isSpotFleet() ? "The spot fleet request ID '" + id + "' does not exist"
                                : "The Spot Fleet request " + id + " is already " + f.state()).build()).build());
                continue;
            }
            String state = terminate ? "cancelled_terminating" : "cancelled_running";
            ok.add(CancelSpotFleetRequestsSuccessItem.builder().spotFleetRequestId(id).previousSpotFleetRequestState(f.state())
                    .currentSpotFleetRequestState(state).build());
            stop(call, s, f, state, terminate);
        }
        return CancelSpotFleetRequestsResponse.builder().successfulFleetRequests(ok).unsuccessfulFleetRequests(bad).build();
    }

    /** Deletes (cancels) a fleet: its instances terminated or left running; listed for two more days. */
    private void stop(Call call, Scope s, Fleet f, String state, boolean terminate) {
        Instant now = call.now();
        String finalState = terminate ? (f.isSpotFleet() ? "cancelled" : "deleted") : state;
        List<Event> h = append(f.history(), new Event(now, f.isSpotFleet() ? "fleetRequestChange" : "fleet-change", state, null, null));
        List<String> ids = f.members().stream().map(Member::instanceId).toList();
        Fleet next = f.with(state, f.activity(), terminate ? List.of() : f.members(), h).gone(now.plus(KEEP_DELETED));
        fleets.put(s, f.id(), next);
        armForget(s, next);
        if (terminate && !ids.isEmpty()) {
            st.oboro.services().call(Call.internal(st.oboro, s.account(), s.region(), "ec2"), "ec2", TerminateInstancesRequest.builder().instanceIds(ids).build());
        }
        if (terminate) {
            st.oboro.scheduler().schedule(now.plus(Instances.SHUTTING_DOWN), () -> fleets.update(s, f.id(), old -> old == null ? null
                    : old.with(finalState, old.activity(), old.members(), append(old.history(), new Event(st.oboro.clock().instant(),
                    old.isSpotFleet() ? "fleetRequestChange" : "fleet-change", finalState, null, null)))));
        }
    }

    private void armForget(Scope s, Fleet f) {
        st.oboro.scheduler().schedule(f.goneAt(), () -> fleets.update(s, f.id(), old -> old == null || old.goneAt() == null
                || st.oboro.clock().instant().isBefore(old.goneAt()) ? old : null));
    }

    // ------------------------------------------------------------------ Spot Fleet describe

    DescribeSpotFleetRequestsResponse describeSpotFleetRequests(Call call, DescribeSpotFleetRequestsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSpotFleetRequests");
        Scope s = st.scope(call);
        List<Fleet> all = new ArrayList<>();
        if (req.hasSpotFleetRequestIds() && !req.spotFleetRequestIds().isEmpty()) {
            for (String id : req.spotFleetRequestIds()) all.add(find(s, id, true));
        } else {
            for (Fleet f : fleets.values(s)) if (f.isSpotFleet()) all.add(f);
        }
        DescribeSpotFleetRequestsResponse.Builder b = DescribeSpotFleetRequestsResponse.builder();
        Pagination.Page<Fleet> page = Paging.page(call, req, all, Fleet::id, b);
        return b.spotFleetRequestConfigs(page.items().stream().map(f -> SpotFleetRequestConfig.builder().spotFleetRequestId(f.id())
                .spotFleetRequestState(f.state()).activityStatus(f.deleted() ? null : f.activity()).createTime(f.createTime())
                .spotFleetRequestConfig(f.spotConfig().toBuilder().fulfilledCapacity(fulfilled(f, "spot") + fulfilled(f, "on-demand"))
                        .onDemandFulfilledCapacity(fulfilled(f, "on-demand")).targetCapacity(f.total()).onDemandTargetCapacity(f.onDemand()).build())
                .tags(st.tags.sdk(s, f.id())).build()).toList()).build();
    }

    DescribeSpotFleetInstancesResponse describeSpotFleetInstances(Call call, DescribeSpotFleetInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSpotFleetInstances");
        Scope s = st.scope(call);
        Fleet f = find(s, req.spotFleetRequestId(), true);
        DescribeSpotFleetInstancesResponse.Builder b = DescribeSpotFleetInstancesResponse.builder().spotFleetRequestId(f.id());
        Pagination.Page<Member> page = Paging.page(call, req, sortedMembers(f), Member::instanceId, b);
        return b.activeInstances(page.items().stream().map(Fleets::active).toList()).build();
    }

    DescribeSpotFleetRequestHistoryResponse describeSpotFleetRequestHistory(Call call, DescribeSpotFleetRequestHistoryRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSpotFleetRequestHistory");
        Scope s = st.scope(call);
        Fleet f = find(s, req.spotFleetRequestId(), true);
        if (req.startTime() == null) throw Ec2Errors.missingParameter("StartTime");
        List<HistoryRecord> out = new ArrayList<>();
        for (Event e : f.history()) {
            if (e.at().isBefore(req.startTime())) continue;
            if (req.eventTypeAsString() != null && !req.eventTypeAsString().equals(e.type())) continue;
            out.add(HistoryRecord.builder().timestamp(e.at()).eventType(e.type()).eventInformation(EventInformation.builder()
                    .eventSubType(e.subType()).instanceId(e.instanceId()).eventDescription(e.description()).build()).build());
        }
        return DescribeSpotFleetRequestHistoryResponse.builder().spotFleetRequestId(f.id()).startTime(req.startTime())
                .lastEvaluatedTime(call.now()).historyRecords(out).build();
    }
}
