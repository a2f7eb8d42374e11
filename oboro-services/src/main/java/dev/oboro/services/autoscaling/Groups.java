package dev.oboro.services.autoscaling;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.services.autoscaling.AsgState.Group;
import dev.oboro.services.autoscaling.AsgState.Member;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;
import software.amazon.awssdk.services.autoscaling.model.CreateAutoScalingGroupRequest;
import software.amazon.awssdk.services.autoscaling.model.CreateAutoScalingGroupResponse;
import software.amazon.awssdk.services.autoscaling.model.CreateLaunchConfigurationRequest;
import software.amazon.awssdk.services.autoscaling.model.CreateLaunchConfigurationResponse;
import software.amazon.awssdk.services.autoscaling.model.CreateOrUpdateTagsRequest;
import software.amazon.awssdk.services.autoscaling.model.CreateOrUpdateTagsResponse;
import software.amazon.awssdk.services.autoscaling.model.DeleteAutoScalingGroupRequest;
import software.amazon.awssdk.services.autoscaling.model.DeleteAutoScalingGroupResponse;
import software.amazon.awssdk.services.autoscaling.model.DeleteLaunchConfigurationRequest;
import software.amazon.awssdk.services.autoscaling.model.DeleteLaunchConfigurationResponse;
import software.amazon.awssdk.services.autoscaling.model.DeleteTagsRequest;
import software.amazon.awssdk.services.autoscaling.model.DeleteTagsResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeAccountLimitsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAccountLimitsResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeAdjustmentTypesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAdjustmentTypesResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingInstancesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingInstancesResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeLaunchConfigurationsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeLaunchConfigurationsResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeScalingActivitiesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeScalingActivitiesResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeScalingProcessTypesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeScalingProcessTypesResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeTagsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeTagsResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeTerminationPolicyTypesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeTerminationPolicyTypesResponse;
import software.amazon.awssdk.services.autoscaling.model.Filter;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.LaunchConfiguration;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.autoscaling.model.LifecycleHook;
import software.amazon.awssdk.services.autoscaling.model.ProcessType;
import software.amazon.awssdk.services.autoscaling.model.Tag;
import software.amazon.awssdk.services.autoscaling.model.TagDescription;
import software.amazon.awssdk.services.autoscaling.model.UpdateAutoScalingGroupRequest;
import software.amazon.awssdk.services.autoscaling.model.UpdateAutoScalingGroupResponse;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** Groups, launch configurations, tags, scaling activities and the type listings. */
final class Groups {
    static final List<String> PROCESSES = List.of("Launch", "Terminate", "AddToLoadBalancer", "AlarmNotification", "AZRebalance",
            "HealthCheck", "InstanceRefresh", "ReplaceUnhealthy", "ScheduledActions");
    private static final int DEFAULT_COOLDOWN = 300;

    private final AsgState st;
    private final Reconciler rec;
    private final Scaling scaling;

    Groups(AsgState st, Reconciler rec, Scaling scaling) {
        this.st = st;
        this.rec = rec;
        this.scaling = scaling;
    }

    // ------------------------------------------------------------------ groups

    CreateAutoScalingGroupResponse createAutoScalingGroup(Call call, CreateAutoScalingGroupRequest req) {
        Scope s = call.scope();
        String name = req.autoScalingGroupName();
        int sources = (req.launchConfigurationName() != null ? 1 : 0) + (req.launchTemplate() != null ? 1 : 0)
                + (req.mixedInstancesPolicy() != null ? 1 : 0) + (req.instanceId() != null ? 1 : 0);
        if (sources != 1) {
            throw AsgState.validation("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.");
        }
        if (req.instanceId() != null) {
            throw new AwsException("ValidationError", "Oboro does not create groups from an InstanceId yet; use a launch template or configuration.", 400);
        }
        int min = req.minSize();
        int max = req.maxSize();
        int desired = req.desiredCapacity() == null ? min : req.desiredCapacity();
        checkBounds(min, max, desired);
        if (req.launchConfigurationName() != null) launchConfiguration(s, req.launchConfigurationName());
        LaunchTemplateSpecification lt = req.launchTemplate() != null ? req.launchTemplate()
                : req.mixedInstancesPolicy() != null && req.mixedInstancesPolicy().launchTemplate() != null
                ? req.mixedInstancesPolicy().launchTemplate().launchTemplateSpecification() : null;
        if (req.mixedInstancesPolicy() != null && lt == null) {
            throw AsgState.validation("The launch template specification must be specified in the mixed instances policy.");
        }
        if (lt != null) checkTemplate(call, lt);
        String subnets = req.vpcZoneIdentifier();
        List<String> zones = zones(call, req.availabilityZones(), subnets);
        checkHealthType(req.healthCheckType());
        checkTerminationPolicies(req.terminationPolicies());
        Instant now = call.now();
        List<TagDescription> tags = new ArrayList<>();
        for (Tag t : req.tags()) tags.add(tag(name, t));
        AutoScalingGroup g = AutoScalingGroup.builder().autoScalingGroupName(name)
                .autoScalingGroupARN(AsgState.groupArn(call, Ids.uuid(), name))
                .launchConfigurationName(req.launchConfigurationName()).launchTemplate(req.launchTemplate())
                .mixedInstancesPolicy(req.mixedInstancesPolicy()).minSize(min).maxSize(max).desiredCapacity(desired)
                .defaultCooldown(req.defaultCooldown() == null ? DEFAULT_COOLDOWN : req.defaultCooldown())
                .availabilityZones(zones).loadBalancerNames(req.loadBalancerNames()).targetGroupARNs(req.targetGroupARNs())
                .healthCheckType(req.healthCheckType() == null ? "EC2" : req.healthCheckType())
                .healthCheckGracePeriod(req.healthCheckGracePeriod() == null ? 0 : req.healthCheckGracePeriod())
                .createdTime(now).suspendedProcesses(List.of()).vpcZoneIdentifier(subnets == null ? "" : subnets)
                .enabledMetrics(List.of()).tags(tags)
                .terminationPolicies(req.terminationPolicies().isEmpty() ? List.of("Default") : req.terminationPolicies())
                .newInstancesProtectedFromScaleIn(Boolean.TRUE.equals(req.newInstancesProtectedFromScaleIn()))
                .serviceLinkedRoleARN(req.serviceLinkedRoleARN() != null ? req.serviceLinkedRoleARN()
                        : "arn:aws:iam::" + call.account() + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
                .maxInstanceLifetime(req.maxInstanceLifetime()).capacityRebalance(Boolean.TRUE.equals(req.capacityRebalance()))
                .context(req.context()).desiredCapacityType(req.desiredCapacityType()).defaultInstanceWarmup(req.defaultInstanceWarmup())
                .placementGroup(req.placementGroup()).build();
        String cause = AsgState.at(now) + " a user request created an AutoScalingGroup changing the desired capacity from 0 to " + desired + ".";
        synchronized (st.lock(s)) {
            if (st.groups.contains(s, name)) {
                throw new AwsException("AlreadyExists", "AutoScalingGroup by this name already exists - A group with the name " + name
                        + " already exists", 400);
            }
            st.groups.put(s, name, new Group(g, desired > 0 ? cause : null, null, null));
            for (var spec : req.lifecycleHookSpecificationList()) {
                LifecycleHook h = LifecycleHook.builder().lifecycleHookName(spec.lifecycleHookName()).autoScalingGroupName(name)
                        .lifecycleTransition(spec.lifecycleTransition()).notificationTargetARN(spec.notificationTargetARN())
                        .roleARN(spec.roleARN()).notificationMetadata(spec.notificationMetadata())
                        .heartbeatTimeout(spec.heartbeatTimeout() == null ? 3600 : spec.heartbeatTimeout())
                        .globalTimeout(100 * (spec.heartbeatTimeout() == null ? 3600 : spec.heartbeatTimeout()))
                        .defaultResult(spec.defaultResult() == null ? "ABANDON" : spec.defaultResult()).build();
                st.hooks.put(s, AsgState.key(name, h.lifecycleHookName()), h);
            }
        }
        rec.kick(s);
        return CreateAutoScalingGroupResponse.builder().build();
    }

    UpdateAutoScalingGroupResponse updateAutoScalingGroup(Call call, UpdateAutoScalingGroupRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        if (req.launchConfigurationName() != null) launchConfiguration(s, req.launchConfigurationName());
        if (req.launchTemplate() != null) checkTemplate(call, req.launchTemplate());
        if (req.mixedInstancesPolicy() != null && req.mixedInstancesPolicy().launchTemplate() != null) {
            checkTemplate(call, req.mixedInstancesPolicy().launchTemplate().launchTemplateSpecification());
        }
        checkHealthType(req.healthCheckType());
        checkTerminationPolicies(req.terminationPolicies());
        List<String> zones = req.availabilityZones().isEmpty() && req.vpcZoneIdentifier() == null ? null
                : zones(call, req.availabilityZones(), req.vpcZoneIdentifier());
        synchronized (st.lock(s)) {
            Group cur = st.group(s, req.autoScalingGroupName());
            AutoScalingGroup g = cur.g();
            int min = req.minSize() != null ? req.minSize() : g.minSize();
            int max = req.maxSize() != null ? req.maxSize() : g.maxSize();
            int desired = req.desiredCapacity() != null ? req.desiredCapacity() : g.desiredCapacity();
            if (req.desiredCapacity() == null) {
                // AWS moves desired capacity into new bounds when the request does not set it
                if (desired < min) desired = min;
                if (desired > max) desired = max;
            }
            checkBounds(min, max, desired);
            AutoScalingGroup.Builder b = g.toBuilder().minSize(min).maxSize(max).desiredCapacity(desired);
            if (req.launchConfigurationName() != null) b.launchConfigurationName(req.launchConfigurationName()).launchTemplate((LaunchTemplateSpecification) null).mixedInstancesPolicy((software.amazon.awssdk.services.autoscaling.model.MixedInstancesPolicy) null);
            if (req.launchTemplate() != null) b.launchTemplate(req.launchTemplate()).launchConfigurationName(null).mixedInstancesPolicy((software.amazon.awssdk.services.autoscaling.model.MixedInstancesPolicy) null);
            if (req.mixedInstancesPolicy() != null) b.mixedInstancesPolicy(req.mixedInstancesPolicy()).launchConfigurationName(null).launchTemplate((LaunchTemplateSpecification) null);
            if (req.defaultCooldown() != null) b.defaultCooldown(req.defaultCooldown());
            if (zones != null) b.availabilityZones(zones);
            if (req.vpcZoneIdentifier() != null) b.vpcZoneIdentifier(req.vpcZoneIdentifier());
            if (req.healthCheckType() != null) b.healthCheckType(req.healthCheckType());
            if (req.healthCheckGracePeriod() != null) b.healthCheckGracePeriod(req.healthCheckGracePeriod());
            if (!req.terminationPolicies().isEmpty()) b.terminationPolicies(req.terminationPolicies());
            if (req.newInstancesProtectedFromScaleIn() != null) b.newInstancesProtectedFromScaleIn(req.newInstancesProtectedFromScaleIn());
            if (req.maxInstanceLifetime() != null) b.maxInstanceLifetime(req.maxInstanceLifetime());
            if (req.capacityRebalance() != null) b.capacityRebalance(req.capacityRebalance());
            if (req.defaultInstanceWarmup() != null) b.defaultInstanceWarmup(req.defaultInstanceWarmup());
            if (req.placementGroup() != null) b.placementGroup(req.placementGroup());
            if (req.context() != null) b.context(req.context());
            Group next = cur.with(b.build());
            if (desired != g.desiredCapacity()) {
                next = next.withCause(AsgState.at(now) + " a user request update of AutoScalingGroup constraints to min: " + min + ", max: "
                        + max + ", desired: " + desired + " changing the desired capacity from " + g.desiredCapacity() + " to " + desired + ".");
            }
            st.groups.put(s, cur.name(), next);
        }
        rec.kick(s);
        return UpdateAutoScalingGroupResponse.builder().build();
    }

    DeleteAutoScalingGroupResponse deleteAutoScalingGroup(Call call, DeleteAutoScalingGroupRequest req) {
        Scope s = call.scope();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            List<Member> ms = st.membersOf(s, g.name());
            if (!Boolean.TRUE.equals(req.forceDelete())) {
                if (!ms.isEmpty() || g.desired() > 0 && "Delete in progress".equals(g.g().status())) {
                    throw new AwsException("ResourceInUse",
                            "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.", 400);
                }
                if ("Delete in progress".equals(g.g().status())) return DeleteAutoScalingGroupResponse.builder().build();
            }
            if (ms.isEmpty()) {
                scaling.deleteGroupNow(s, g.name());
                return DeleteAutoScalingGroupResponse.builder().build();
            }
            // force: the group shows "Delete in progress" until its instances are gone
            st.groups.put(s, g.name(), g.with(g.g().toBuilder().status("Delete in progress").minSize(0).maxSize(0).desiredCapacity(0).build()));
            Instant now = call.now();
            Group deleting = st.groups.get(s, g.name());
            for (Member m : ms) {
                if (m.terminating()) continue;
                rec.beginTermination(s, st.serviceCall(s), deleting, m, AsgState.at(now) + " an instance was taken out of service in response to a user request, shrinking the capacity from "
                        + ms.size() + " to 0.", now);
            }
        }
        rec.kick(s);
        return DeleteAutoScalingGroupResponse.builder().build();
    }

    DescribeAutoScalingGroupsResponse describeAutoScalingGroups(Call call, DescribeAutoScalingGroupsRequest req) {
        Scope s = call.scope();
        List<Group> all = AsgState.named(st.groups, s, req.autoScalingGroupNames());
        all.removeIf(g -> !matches(g, req.filters()));
        DescribeAutoScalingGroupsResponse.Builder b = DescribeAutoScalingGroupsResponse.builder();
        Pagination.Page<Group> page = Pagination.page(call, req, all, Group::name, b, pageSize(req.maxRecords(), 50));
        Map<String, List<Member>> byGroup = new TreeMap<>();
        for (Member m : st.members.values(s)) byGroup.computeIfAbsent(m.group(), k -> new ArrayList<>()).add(m);
        return b.autoScalingGroups(page.items().stream().map(g -> g.g().toBuilder()
                .instances(byGroup.getOrDefault(g.name(), List.of()).stream().map(Groups::instance).toList()).build()).toList()).build();
    }

    static int pageSize(Integer maxRecords, int dflt) {
        return maxRecords == null ? dflt : maxRecords;
    }

    private static boolean matches(Group g, List<Filter> filters) {
        for (Filter f : filters) {
            List<String> vals = f.values();
            boolean ok = switch (f.name() == null ? "" : f.name()) {
                case "tag-key" -> g.g().tags().stream().anyMatch(t -> vals.contains(t.key()));
                case "tag-value" -> g.g().tags().stream().anyMatch(t -> vals.contains(t.value()));
                default -> {
                    if (f.name() != null && f.name().startsWith("tag:")) {
                        String k = f.name().substring(4);
                        yield g.g().tags().stream().anyMatch(t -> t.key().equals(k) && vals.contains(t.value()));
                    }
                    throw AsgState.validation("Filter name " + f.name() + " is invalid.");
                }
            };
            if (!ok) return false;
        }
        return true;
    }

    static Instance instance(Member m) {
        return Instance.builder().instanceId(m.id()).instanceType(m.instanceType()).availabilityZone(m.az()).lifecycleState(m.state())
                .healthStatus(m.health()).launchConfigurationName(m.launchConfigurationName()).launchTemplate(m.launchTemplate())
                .protectedFromScaleIn(m.protectedFromScaleIn()).weightedCapacity(m.weight()).build();
    }

    DescribeAutoScalingInstancesResponse describeAutoScalingInstances(Call call, DescribeAutoScalingInstancesRequest req) {
        Scope s = call.scope();
        List<Member> all = AsgState.named(st.members, s, req.instanceIds());
        DescribeAutoScalingInstancesResponse.Builder b = DescribeAutoScalingInstancesResponse.builder();
        Pagination.Page<Member> page = Pagination.page(call, req, all, Member::id, b, pageSize(req.maxRecords(), 50));
        return b.autoScalingInstances(page.items().stream().map(m -> AutoScalingInstanceDetails.builder().instanceId(m.id())
                .instanceType(m.instanceType()).autoScalingGroupName(m.group()).availabilityZone(m.az()).lifecycleState(m.state())
                .healthStatus(m.health().toUpperCase()).launchConfigurationName(m.launchConfigurationName()).launchTemplate(m.launchTemplate())
                .protectedFromScaleIn(m.protectedFromScaleIn()).weightedCapacity(m.weight()).build()).toList()).build();
    }

    DescribeScalingActivitiesResponse describeScalingActivities(Call call, DescribeScalingActivitiesRequest req) {
        Scope s = call.scope();
        Set<String> ids = req.hasActivityIds() ? Set.copyOf(req.activityIds()) : Set.of();
        List<Map.Entry<String, Activity>> all = new ArrayList<>();
        for (Map.Entry<String, Activity> e : st.activities.entries(s).entrySet()) {
            Activity a = e.getValue();
            if (req.autoScalingGroupName() != null && !a.autoScalingGroupName().equals(req.autoScalingGroupName())) continue;
            if (!ids.isEmpty() && !ids.contains(a.activityId())) continue;
            boolean exists = st.groups.contains(s, a.autoScalingGroupName());
            if (!exists && !Boolean.TRUE.equals(req.includeDeletedGroups())) continue;
            all.add(e);
        }
        DescribeScalingActivitiesResponse.Builder b = DescribeScalingActivitiesResponse.builder();
        Pagination.Page<Map.Entry<String, Activity>> page = Pagination.page(call, req, all, Map.Entry::getKey, b, pageSize(req.maxRecords(), 100));
        return b.activities(page.items().stream().map(e -> {
            Activity a = e.getValue();
            return st.groups.contains(s, a.autoScalingGroupName()) ? a : a.toBuilder().autoScalingGroupState("Deleted").build();
        }).toList()).build();
    }

    // ------------------------------------------------------------------ launch configurations

    CreateLaunchConfigurationResponse createLaunchConfiguration(Call call, CreateLaunchConfigurationRequest req) {
        Scope s = call.scope();
        if (req.instanceId() == null && (req.imageId() == null || req.instanceType() == null)) {
            throw AsgState.validation("Valid requests must contain either the InstanceID parameter or both the ImageId and InstanceType parameters.");
        }
        if (req.instanceId() != null) {
            throw AsgState.validation("Oboro does not create launch configurations from an InstanceId yet; give ImageId and InstanceType.");
        }
        try {
            st.oboro.services().call(call, "ec2", DescribeImagesRequest.builder().imageIds(req.imageId()).build());
        } catch (AwsException e) {
            throw AsgState.validation("AMI " + req.imageId() + " is invalid: " + e.getMessage());
        }
        String name = req.launchConfigurationName();
        LaunchConfiguration lc = LaunchConfiguration.builder().launchConfigurationName(name)
                .launchConfigurationARN(call.arn("autoscaling", "launchConfiguration:" + Ids.uuid() + ":launchConfigurationName/" + name))
                .imageId(req.imageId()).keyName(req.keyName()).securityGroups(req.securityGroups()).userData(req.userData())
                .instanceType(req.instanceType()).kernelId(req.kernelId()).ramdiskId(req.ramdiskId()).blockDeviceMappings(req.blockDeviceMappings())
                .instanceMonitoring(req.instanceMonitoring() != null ? req.instanceMonitoring()
                        : software.amazon.awssdk.services.autoscaling.model.InstanceMonitoring.builder().enabled(true).build())
                .spotPrice(req.spotPrice()).iamInstanceProfile(req.iamInstanceProfile()).createdTime(call.now())
                .ebsOptimized(Boolean.TRUE.equals(req.ebsOptimized())).associatePublicIpAddress(req.associatePublicIpAddress())
                .placementTenancy(req.placementTenancy()).metadataOptions(req.metadataOptions())
                .classicLinkVPCSecurityGroups(List.of()).build();
        if (!st.launchConfigurations.putIfAbsent(s, name, lc)) {
            throw new AwsException("AlreadyExists", "Launch Configuration by this name already exists - A launch configuration already exists with the name "
                    + name, 400);
        }
        return CreateLaunchConfigurationResponse.builder().build();
    }

    DescribeLaunchConfigurationsResponse describeLaunchConfigurations(Call call, DescribeLaunchConfigurationsRequest req) {
        Scope s = call.scope();
        List<LaunchConfiguration> all = AsgState.named(st.launchConfigurations, s, req.launchConfigurationNames());
        DescribeLaunchConfigurationsResponse.Builder b = DescribeLaunchConfigurationsResponse.builder();
        Pagination.Page<LaunchConfiguration> page = Pagination.page(call, req, all, LaunchConfiguration::launchConfigurationName, b,
                pageSize(req.maxRecords(), 50));
        return b.launchConfigurations(page.items()).build();
    }

    DeleteLaunchConfigurationResponse deleteLaunchConfiguration(Call call, DeleteLaunchConfigurationRequest req) {
        Scope s = call.scope();
        String name = req.launchConfigurationName();
        launchConfiguration(s, name);
        for (Group g : st.groups.values(s)) {
            if (name.equals(g.g().launchConfigurationName())) {
                throw new AwsException("ResourceInUse", "Cannot delete launch configuration " + name + " because it is attached to AutoScalingGroup "
                        + g.name(), 400);
            }
        }
        st.launchConfigurations.remove(s, name);
        return DeleteLaunchConfigurationResponse.builder().build();
    }

    private LaunchConfiguration launchConfiguration(Scope s, String name) {
        LaunchConfiguration lc = st.launchConfigurations.get(s, name);
        if (lc == null) throw AsgState.validation("Launch configuration name not found - Launch configuration " + name + " not found");
        return lc;
    }

    // ------------------------------------------------------------------ tags

    CreateOrUpdateTagsResponse createOrUpdateTags(Call call, CreateOrUpdateTagsRequest req) {
        editTags(call.scope(), req.tags(), (tags, t) -> {
            tags.removeIf(x -> x.key().equals(t.key()));
            tags.add(tag(t.resourceId(), t));
            tags.sort((a, b) -> a.key().compareTo(b.key()));
        });
        return CreateOrUpdateTagsResponse.builder().build();
    }

    DeleteTagsResponse deleteTags(Call call, DeleteTagsRequest req) {
        editTags(call.scope(), req.tags(), (tags, t) ->
                tags.removeIf(x -> x.key().equals(t.key()) && (t.value() == null || t.value().equals(x.value()))));
        return DeleteTagsResponse.builder().build();
    }

    /** Applies {@code edit} to the tags of each tag's group, once every group named is known to exist. */
    private void editTags(Scope s, List<Tag> given, BiConsumer<List<TagDescription>, Tag> edit) {
        synchronized (st.lock(s)) {
            for (Tag t : given) {
                // the tag operations word a missing group their own way
                if (t.resourceId() == null || !st.groups.contains(s, t.resourceId())) {
                    throw AsgState.validation("AutoScalingGroup not found - AutoScaling Group " + t.resourceId() + " not found");
                }
            }
            for (Tag t : given) {
                st.groups.update(s, t.resourceId(), g -> {
                    List<TagDescription> tags = new ArrayList<>(g.g().tags());
                    edit.accept(tags, t);
                    return g.with(g.g().toBuilder().tags(tags).build());
                });
            }
        }
    }

    DescribeTagsResponse describeTags(Call call, DescribeTagsRequest req) {
        Scope s = call.scope();
        List<TagDescription> all = new ArrayList<>();
        for (Group g : st.groups.values(s)) {
            for (TagDescription t : g.g().tags()) {
                boolean ok = true;
                for (Filter f : req.filters()) {
                    String v = switch (f.name() == null ? "" : f.name()) {
                        case "auto-scaling-group" -> t.resourceId();
                        case "key" -> t.key();
                        case "value" -> t.value();
                        case "propagate-at-launch" -> Boolean.toString(Boolean.TRUE.equals(t.propagateAtLaunch()));
                        default -> throw AsgState.validation("Filter name " + f.name() + " is invalid.");
                    };
                    ok &= f.values().contains(v);
                }
                if (ok) all.add(t);
            }
        }
        DescribeTagsResponse.Builder b = DescribeTagsResponse.builder();
        Pagination.Page<TagDescription> page = Pagination.page(call, req, all, t -> t.resourceId() + "\u0000" + t.key(), b, pageSize(req.maxRecords(), 50));
        return b.tags(page.items()).build();
    }

    private static TagDescription tag(String group, Tag t) {
        return TagDescription.builder().resourceId(group).resourceType("auto-scaling-group").key(t.key()).value(t.value() == null ? "" : t.value())
                .propagateAtLaunch(Boolean.TRUE.equals(t.propagateAtLaunch())).build();
    }

    // ------------------------------------------------------------------ listings

    DescribeScalingProcessTypesResponse describeScalingProcessTypes(DescribeScalingProcessTypesRequest req) {
        return DescribeScalingProcessTypesResponse.builder().processes(PROCESSES.stream().sorted()
                .map(p -> ProcessType.builder().processName(p).build()).toList()).build();
    }

    DescribeTerminationPolicyTypesResponse describeTerminationPolicyTypes(DescribeTerminationPolicyTypesRequest req) {
        return DescribeTerminationPolicyTypesResponse.builder().terminationPolicyTypes(Termination.POLICIES.stream().sorted().toList()).build();
    }

    DescribeAdjustmentTypesResponse describeAdjustmentTypes(DescribeAdjustmentTypesRequest req) {
        return DescribeAdjustmentTypesResponse.builder().adjustmentTypes(List.of("ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity")
                .stream().map(a -> software.amazon.awssdk.services.autoscaling.model.AdjustmentType.builder().adjustmentType(a).build()).toList()).build();
    }

    DescribeAccountLimitsResponse describeAccountLimits(Call call, DescribeAccountLimitsRequest req) {
        Scope s = call.scope();
        return DescribeAccountLimitsResponse.builder().maxNumberOfAutoScalingGroups(500).maxNumberOfLaunchConfigurations(200)
                .numberOfAutoScalingGroups(st.groups.size(s)).numberOfLaunchConfigurations(st.launchConfigurations.size(s)).build();
    }

    // ------------------------------------------------------------------ checks

    static void checkBounds(int min, int max, int desired) {
        if (min > max) throw AsgState.validation("Max bound, " + max + ", must be greater than or equal to min bound, " + min);
        if (desired < min || desired > max) {
            throw AsgState.validation("Desired capacity:" + desired + " must be between the specified min size:" + min + " and max size:" + max);
        }
    }

    private static void checkHealthType(String type) {
        if (type != null && !List.of("EC2", "ELB", "VPC_LATTICE", "EBS").contains(type)) {
            throw AsgState.validation("Invalid health check type: " + type + ". Valid values are EC2, ELB, VPC_LATTICE or EBS.");
        }
    }

    private static void checkTerminationPolicies(List<String> policies) {
        for (String p : policies) {
            if (!Termination.POLICIES.contains(p) && !p.startsWith("arn:aws:lambda:")) {
                throw AsgState.validation("Termination policy " + p + " is not a valid termination policy.");
            }
        }
    }

    /** Checks a template (and version) exists, asking EC2 as the user would. */
    void checkTemplate(Call call, LaunchTemplateSpecification lt) {
        if ((lt.launchTemplateId() == null) == (lt.launchTemplateName() == null)) {
            throw AsgState.validation("Valid requests must contain either launchTemplateId or LaunchTemplateName");
        }
        try {
            DescribeLaunchTemplateVersionsResponse r = st.oboro.services().call(call, "ec2", DescribeLaunchTemplateVersionsRequest.builder()
                    .launchTemplateId(lt.launchTemplateId()).launchTemplateName(lt.launchTemplateName())
                    .versions(lt.version() == null ? "$Default" : lt.version()).build());
            if (r.launchTemplateVersions().isEmpty()) throw AsgState.validation("You must use a valid fully-formed launch template.");
        } catch (AwsException e) {
            if (e.code().equals("ValidationError")) throw e;
            throw AsgState.validation("You must use a valid fully-formed launch template. " + e.getMessage());
        }
    }

    /** The group's zones: given, or those of its subnets (which must agree with any zones given). */
    private List<String> zones(Call call, List<String> given, String subnetIds) {
        if (subnetIds != null && !subnetIds.isBlank()) {
            List<String> ids = List.of(subnetIds.split("\\s*,\\s*"));
            DescribeSubnetsResponse r;
            try {
                r = st.oboro.services().call(call, "ec2", DescribeSubnetsRequest.builder().subnetIds(ids).build());
            } catch (AwsException e) {
                throw AsgState.validation(e.getMessage());
            }
            Set<String> zones = new java.util.TreeSet<>();
            r.subnets().forEach(sn -> zones.add(sn.availabilityZone()));
            if (!given.isEmpty() && !zones.equals(new java.util.TreeSet<>(given))) {
                throw AsgState.validation("The availability zones of the specified subnets and the Auto Scaling group do not match");
            }
            return List.copyOf(zones);
        }
        if (given.isEmpty()) throw AsgState.validation("At least one Availability Zone or VPC Subnet is required.");
        DescribeAvailabilityZonesResponse r = st.oboro.services().call(call, "ec2", DescribeAvailabilityZonesRequest.builder().build());
        for (String z : given) {
            if (r.availabilityZones().stream().noneMatch(x -> x.zoneName().equals(z))) {
                throw AsgState.validation("The availability zone " + z + " is not legal");
            }
        }
        return new java.util.TreeSet<>(given).stream().toList();
    }
}
