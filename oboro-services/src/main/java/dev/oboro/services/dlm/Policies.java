package dev.oboro.services.dlm;

import dev.oboro.core.Call;
import dev.oboro.core.Identity;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.Services;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.dlm.model.CreateLifecyclePolicyRequest;
import software.amazon.awssdk.services.dlm.model.CreateLifecyclePolicyResponse;
import software.amazon.awssdk.services.dlm.model.CreateRule;
import software.amazon.awssdk.services.dlm.model.CrossRegionCopyRule;
import software.amazon.awssdk.services.dlm.model.DeleteLifecyclePolicyRequest;
import software.amazon.awssdk.services.dlm.model.DeleteLifecyclePolicyResponse;
import software.amazon.awssdk.services.dlm.model.GetLifecyclePoliciesRequest;
import software.amazon.awssdk.services.dlm.model.GetLifecyclePoliciesResponse;
import software.amazon.awssdk.services.dlm.model.GetLifecyclePolicyRequest;
import software.amazon.awssdk.services.dlm.model.GetLifecyclePolicyResponse;
import software.amazon.awssdk.services.dlm.model.LifecyclePolicy;
import software.amazon.awssdk.services.dlm.model.LifecyclePolicySummary;
import software.amazon.awssdk.services.dlm.model.ListTagsForResourceRequest;
import software.amazon.awssdk.services.dlm.model.ListTagsForResourceResponse;
import software.amazon.awssdk.services.dlm.model.PolicyDetails;
import software.amazon.awssdk.services.dlm.model.RetainRule;
import software.amazon.awssdk.services.dlm.model.Schedule;
import software.amazon.awssdk.services.dlm.model.TagResourceRequest;
import software.amazon.awssdk.services.dlm.model.TagResourceResponse;
import software.amazon.awssdk.services.dlm.model.UntagResourceRequest;
import software.amazon.awssdk.services.dlm.model.UntagResourceResponse;
import software.amazon.awssdk.services.dlm.model.UpdateLifecyclePolicyRequest;
import software.amazon.awssdk.services.dlm.model.UpdateLifecyclePolicyResponse;
import software.amazon.awssdk.services.ec2.model.CopySnapshotRequest;
import software.amazon.awssdk.services.ec2.model.CopySnapshotResponse;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotResponse;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SnapshotInfo;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.iam.model.GetRoleRequest;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lifecycle policies and the work they do on Oboro's clock. An EBS snapshot policy selects the
 * volumes (or instances) that carry any of its target tags; at each scheduled time every target
 * gets a snapshot (an instance a crash-consistent set), tagged as AWS tags them. Retention keeps the
 * newest {@code Count} per target or deletes snapshots older than the retention age; cross-region
 * copy rules copy each completed snapshot and expire the copies by their own rule.
 *
 * <p>DLM acts on EC2 as the {@code dlm.amazonaws.com} service through EC2's own handlers. What it
 * created is remembered in {@code dlm.snapshots}, so only the policy's own snapshots are ever
 * deleted: a copy a user makes with CopySnapshot is not governed by the policy.
 * The next run of each schedule, each snapshot's expiry and each pending copy are deadlines in
 * the records: timers are armed again when the service loads.
 * https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-lifecycle.html
 */
final class Policies {
    private static final Logger LOG = Logger.getLogger(Policies.class.getName());
    static final String POLICY_TAG = "aws:dlm:lifecycle-policy-id";
    static final String SCHEDULE_TAG = "aws:dlm:lifecycle-schedule-name";
    static final String MANAGED_TAG = "dlm:managed";
    private static final Set<Integer> INTERVALS = Set.of(1, 2, 3, 4, 6, 8, 12, 24);
    /** AWS picks a start time when a schedule gives none; Oboro picks 09:00 UTC, the console's default. */
    private static final String DEFAULT_TIME = "09:00";
    private static final Duration COPY_CHECK = Duration.ofMinutes(1);
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    record Policy(String id, String description, String state, String executionRoleArn, Instant dateCreated, Instant dateModified,
                  PolicyDetails details, Map<String, String> tags, Map<String, Instant> nextRuns) {
        Policy {
            tags = tags == null ? Map.of() : new TreeMap<>(tags);
            nextRuns = nextRuns == null ? Map.of() : new TreeMap<>(nextRuns);
        }

        String arn(Scope s) {
            return "arn:aws:dlm:" + s.region() + ":" + s.account() + ":policy/" + id;
        }

        Policy withTags(Map<String, String> t) {
            return new Policy(id, description, state, executionRoleArn, dateCreated, dateModified, details, t, nextRuns);
        }

        Policy withNextRuns(Map<String, Instant> n) {
            return new Policy(id, description, state, executionRoleArn, dateCreated, dateModified, details, tags, n);
        }
    }

    /**
     * A snapshot a policy made (or copied), in the policy's account; {@code region} is where the
     * snapshot lives. {@code target} is the volume or instance it was taken of.
     */
    record Managed(String snapshotId, String region, String policyId, String schedule, String target, Instant createdAt, boolean copy,
                   Instant expiresAt, Instant copyCheckAt) {
        Managed withCopyCheck(Instant at) {
            return new Managed(snapshotId, region, policyId, schedule, target, createdAt, copy, expiresAt, at);
        }
    }

    private final Oboro oboro;
    private final Table<Policy> policies;
    private final Table<Managed> managed;

    Policies(Oboro oboro) {
        this.oboro = oboro;
        this.policies = oboro.store().table("dlm.policies", Policy.class);
        this.managed = oboro.store().table("dlm.snapshots", Managed.class);
        armAll();
        oboro.store().onReset(this::armAll);
    }

    private void armAll() {
        for (Scope s : policies.scopes()) for (Policy p : policies.values(s)) armRuns(s, p);
        for (Scope s : managed.scopes()) for (Managed m : managed.values(s)) armManaged(s, m);
    }

    // ------------------------------------------------------------------ handlers

    CreateLifecyclePolicyResponse createLifecyclePolicy(Call call, CreateLifecyclePolicyRequest req) {
        Scope s = call.scope();
        if (req.defaultPolicyAsString() != null) throw Services.notImplemented("dlm", "CreateLifecyclePolicy with DefaultPolicy");
        PolicyDetails details = normalize(req.policyDetails());
        checkRole(call, req.executionRoleArn());
        String id = "policy-" + Ids.hex(17);
        Instant now = call.now();
        Policy p = new Policy(id, req.description(), req.stateAsString(), req.executionRoleArn(), now, now, details,
                req.hasTags() ? req.tags() : Map.of(), Map.of());
        p = plan(p, now);
        policies.put(s, id, p);
        armRuns(s, p);
        return CreateLifecyclePolicyResponse.builder().policyId(id).build();
    }

    GetLifecyclePolicyResponse getLifecyclePolicy(Call call, GetLifecyclePolicyRequest req) {
        Scope s = call.scope();
        Policy p = find(s, req.policyId());
        return GetLifecyclePolicyResponse.builder().policy(LifecyclePolicy.builder().policyId(p.id()).description(p.description())
                .state(p.state()).statusMessage(p.state()).executionRoleArn(p.executionRoleArn()).dateCreated(p.dateCreated())
                .dateModified(p.dateModified()).policyDetails(p.details()).tags(p.tags()).policyArn(p.arn(s)).defaultPolicy(false)
                .build()).build();
    }

    GetLifecyclePoliciesResponse getLifecyclePolicies(Call call, GetLifecyclePoliciesRequest req) {
        Scope s = call.scope();
        List<Policy> out = new ArrayList<>();
        if (req.hasPolicyIds() && !req.policyIds().isEmpty()) {
            for (String id : req.policyIds()) out.add(find(s, id));
        } else {
            out.addAll(policies.values(s));
        }
        if (req.stateAsString() != null) out.removeIf(p -> !p.state().equals(req.stateAsString()));
        if (req.hasResourceTypes() && !req.resourceTypesAsStrings().isEmpty()) {
            out.removeIf(p -> p.details().resourceTypesAsStrings().stream().noneMatch(req.resourceTypesAsStrings()::contains));
        }
        if (req.hasTargetTags() && !req.targetTags().isEmpty()) {
            out.removeIf(p -> p.details().targetTags().stream().noneMatch(t -> req.targetTags().contains(t.key() + "=" + t.value())));
        }
        if (req.hasTagsToAdd() && !req.tagsToAdd().isEmpty()) {
            out.removeIf(p -> p.details().schedules().stream().flatMap(x -> x.tagsToAdd().stream())
                    .noneMatch(t -> req.tagsToAdd().contains(t.key() + "=" + t.value())));
        }
        if (req.defaultPolicyTypeAsString() != null) out.clear(); // Oboro has no default policies
        return GetLifecyclePoliciesResponse.builder().policies(out.stream().map(p -> LifecyclePolicySummary.builder().policyId(p.id())
                .description(p.description()).state(p.state()).tags(p.tags()).policyType(p.details().policyTypeAsString())
                .defaultPolicy(false).build()).toList()).build();
    }

    UpdateLifecyclePolicyResponse updateLifecyclePolicy(Call call, UpdateLifecyclePolicyRequest req) {
        Scope s = call.scope();
        Policy p = find(s, req.policyId());
        PolicyDetails details = req.policyDetails() == null ? p.details() : normalize(req.policyDetails());
        if (req.executionRoleArn() != null) checkRole(call, req.executionRoleArn());
        Instant now = call.now();
        Policy n = new Policy(p.id(), req.description() != null ? req.description() : p.description(),
                req.stateAsString() != null ? req.stateAsString() : p.state(),
                req.executionRoleArn() != null ? req.executionRoleArn() : p.executionRoleArn(), p.dateCreated(), now, details, p.tags(),
                Map.of());
        n = plan(n, now);
        policies.put(s, p.id(), n);
        armRuns(s, n);
        return UpdateLifecyclePolicyResponse.builder().build();
    }

    /** The policy's snapshots stay; they are no longer governed by it. */
    DeleteLifecyclePolicyResponse deleteLifecyclePolicy(Call call, DeleteLifecyclePolicyRequest req) {
        Scope s = call.scope();
        Policy p = find(s, req.policyId());
        policies.remove(s, p.id());
        for (Managed m : new ArrayList<>(managed.values(s))) if (m.policyId().equals(p.id())) managed.remove(s, m.snapshotId());
        return DeleteLifecyclePolicyResponse.builder().build();
    }

    TagResourceResponse tagResource(Call call, TagResourceRequest req) {
        Scope s = call.scope();
        Policy p = byArn(s, req.resourceArn());
        Map<String, String> t = new TreeMap<>(p.tags());
        t.putAll(req.tags());
        if (t.size() > 45) throw new AwsException("LimitExceededException", "The tag limit of 45 for the resource has been exceeded.");
        policies.put(s, p.id(), p.withTags(t));
        return TagResourceResponse.builder().build();
    }

    UntagResourceResponse untagResource(Call call, UntagResourceRequest req) {
        Scope s = call.scope();
        Policy p = byArn(s, req.resourceArn());
        Map<String, String> t = new TreeMap<>(p.tags());
        req.tagKeys().forEach(t::remove);
        policies.put(s, p.id(), p.withTags(t));
        return UntagResourceResponse.builder().build();
    }

    ListTagsForResourceResponse listTagsForResource(Call call, ListTagsForResourceRequest req) {
        Scope s = call.scope();
        return ListTagsForResourceResponse.builder().tags(byArn(s, req.resourceArn()).tags()).build();
    }

    private Policy find(Scope s, String id) {
        Policy p = id == null ? null : policies.get(s, id);
        if (p == null) throw notFound(id);
        return p;
    }

    private Policy byArn(Scope s, String arn) {
        int slash = arn == null ? -1 : arn.lastIndexOf('/');
        String id = slash < 0 ? arn : arn.substring(slash + 1);
        Policy p = id == null ? null : policies.get(s, id);
        if (p == null || !p.arn(s).equals(arn)) throw notFound(id);
        return p;
    }

    private static AwsException notFound(String id) {
        return new AwsException("ResourceNotFoundException", "Policy " + id + " does not exist.");
    }

    private static AwsException invalid(String message) {
        return new AwsException("InvalidRequestException", message);
    }

    /** The execution role must be an existing IAM role of the account (asked of IAM, as DLM does when it assumes it). */
    private static void checkRole(Call call, String roleArn) {
        if (roleArn == null) throw invalid("ExecutionRoleArn is required");
        String[] parts = roleArn.split(":", 6);
        if (parts.length < 6 || !parts[5].startsWith("role/")) throw invalid("Invalid execution role ARN: " + roleArn);
        if (!parts[4].equals(call.account())) throw invalid("The execution role " + roleArn + " must belong to this account.");
        String name = parts[5].substring(parts[5].lastIndexOf('/') + 1);
        if (!call.oboro().services().has("iam")) return;
        try {
            call.oboro().services().call(call.forService("iam", "GetRole"), "iam", GetRoleRequest.builder().roleName(name).build());
        } catch (AwsException e) {
            if (e.code().equals("NoSuchEntity")) throw invalid("The execution role " + roleArn + " does not exist.");
            if (!e.code().equals("NotImplemented")) throw e;
        }
    }

    /** Checks a policy's details as DLM does and fills in AWS's defaults (policy type, location). */
    private static PolicyDetails normalize(PolicyDetails d) {
        if (d == null) throw invalid("PolicyDetails is required");
        String type = d.policyTypeAsString() == null ? "EBS_SNAPSHOT_MANAGEMENT" : d.policyTypeAsString();
        if (!type.equals("EBS_SNAPSHOT_MANAGEMENT")) {
            throw Services.notImplemented("dlm", type + " policies (Oboro runs EBS_SNAPSHOT_MANAGEMENT policies)");
        }
        if (d.policyLanguageAsString() != null && d.policyLanguageAsString().equals("SIMPLIFIED")) {
            throw Services.notImplemented("dlm", "SIMPLIFIED policies");
        }
        if (!d.hasResourceTypes() || d.resourceTypesAsStrings().isEmpty()) throw invalid("ResourceTypes is required for EBS_SNAPSHOT_MANAGEMENT policies.");
        String resourceType = d.resourceTypesAsStrings().get(0);
        if (!resourceType.equals("VOLUME") && !resourceType.equals("INSTANCE")) throw invalid("Invalid resource type: " + resourceType);
        if (!d.hasTargetTags() || d.targetTags().isEmpty()) throw invalid("TargetTags is required for EBS_SNAPSHOT_MANAGEMENT policies.");
        for (var t : d.targetTags()) {
            if (t.key().startsWith("aws:")) throw invalid("Target tags cannot start with 'aws:'.");
        }
        if (!d.hasSchedules() || d.schedules().isEmpty()) throw invalid("Schedules is required for EBS_SNAPSHOT_MANAGEMENT policies.");
        if (d.parameters() != null && d.parameters().excludeBootVolume() != null && resourceType.equals("VOLUME")) {
            throw invalid("ExcludeBootVolume is only supported for policies that target INSTANCE resources.");
        }
        Set<String> names = new TreeSet<>();
        List<Schedule> schedules = new ArrayList<>();
        for (Schedule sc : d.schedules()) {
            String name = sc.name() == null ? "Schedule" + (schedules.size() + 1) : sc.name();
            if (!names.add(name)) throw invalid("Schedule names must be unique within a policy: " + name);
            CreateRule c = sc.createRule();
            if (c == null) throw invalid("CreateRule is required for schedule " + name + ".");
            if (c.cronExpression() != null) {
                if (c.interval() != null || c.intervalUnit() != null || c.hasTimes() && !c.times().isEmpty()) {
                    throw invalid("CronExpression cannot be used together with Interval, IntervalUnit or Times.");
                }
                try {
                    Cron.parse(c.cronExpression());
                } catch (RuntimeException e) {
                    throw invalid("Invalid cron expression: " + c.cronExpression());
                }
            } else {
                if (c.interval() == null || c.intervalUnitAsString() == null) {
                    throw invalid("CreateRule requires either a CronExpression or an Interval and IntervalUnit.");
                }
                if (!INTERVALS.contains(c.interval())) throw invalid("Invalid interval " + c.interval() + ". Valid intervals are 1, 2, 3, 4, 6, 8, 12 and 24 hours.");
                for (String t : c.times()) {
                    try {
                        if (t.length() != 5) throw new DateTimeParseException("hh:mm", t, 0);
                        LocalTime.parse(t);
                    } catch (DateTimeParseException e) {
                        throw invalid("Invalid time " + t + ". Times are in hh:mm format, UTC.");
                    }
                }
            }
            RetainRule r = sc.retainRule();
            if (r == null) throw invalid("RetainRule is required for schedule " + name + ".");
            boolean byCount = r.count() != null && r.count() > 0;
            boolean byAge = r.interval() != null && r.interval() > 0;
            if (byCount == byAge) throw invalid("RetainRule requires either a Count or an Interval and IntervalUnit.");
            if (byAge && r.intervalUnitAsString() == null) throw invalid("RetainRule requires an IntervalUnit with its Interval.");
            if (sc.hasVariableTags() && !sc.variableTags().isEmpty() && !resourceType.equals("INSTANCE")) {
                throw invalid("VariableTags are only supported for policies that target INSTANCE resources.");
            }
            for (CrossRegionCopyRule x : sc.crossRegionCopyRules()) {
                if (x.targetRegion() == null && x.target() == null) throw invalid("CrossRegionCopyRule requires a TargetRegion.");
                if (x.cmkArn() != null && !Boolean.TRUE.equals(x.encrypted())) throw invalid("CmkArn requires Encrypted to be true.");
            }
            schedules.add(sc.toBuilder().name(name).createRule(c.cronExpression() == null && c.locationAsString() == null
                    ? c.toBuilder().location("CLOUD").build() : c).build());
        }
        return d.toBuilder().policyType(type).resourceLocationsWithStrings(d.hasResourceLocations() ? d.resourceLocationsAsStrings() : List.of("CLOUD"))
                .schedules(schedules).build();
    }

    // ------------------------------------------------------------------ the schedule

    /** The next run of every schedule of an enabled policy after {@code after}; none when disabled. */
    private static Policy plan(Policy p, Instant after) {
        Map<String, Instant> next = new TreeMap<>();
        if ("ENABLED".equals(p.state())) {
            for (Schedule sc : p.details().schedules()) {
                Instant at = nextRun(sc.createRule(), after);
                if (at != null) next.put(sc.name(), at);
            }
        }
        return p.withNextRuns(next);
    }

    static Instant nextRun(CreateRule c, Instant after) {
        if (c.cronExpression() != null) return Cron.parse(c.cronExpression()).next(after);
        LocalTime start = LocalTime.parse(c.hasTimes() && !c.times().isEmpty() ? c.times().get(0) : DEFAULT_TIME);
        // runs fall at the start time and every Interval hours after it, each day (the intervals divide 24)
        LocalDateTime t = LocalDateTime.ofInstant(after, ZoneOffset.UTC).toLocalDate().minusDays(1).atTime(start);
        while (!t.toInstant(ZoneOffset.UTC).isAfter(after)) t = t.plusHours(c.interval());
        return t.toInstant(ZoneOffset.UTC);
    }

    private void armRuns(Scope s, Policy p) {
        p.nextRuns().forEach((schedule, at) -> oboro.scheduler().schedule(at, () -> run(s, p.id(), schedule, at)));
    }

    private void armManaged(Scope s, Managed m) {
        if (m.expiresAt() != null) oboro.scheduler().schedule(m.expiresAt(), () -> expire(s, m.snapshotId()));
        if (m.copyCheckAt() != null) oboro.scheduler().schedule(m.copyCheckAt(), () -> copyWhenComplete(s, m.snapshotId()));
    }

    /** DLM acting in an account: the service principal, so EC2 lets it set {@code aws:} tags. */
    private Call as(Scope s, String region) {
        return new Call(oboro, "dlm", "RunSchedule", region, Identity.service(s.account(), "dlm.amazonaws.com"), Ids.requestId(),
                "127.0.0.1", "dlm.amazonaws.com");
    }

    private <R extends software.amazon.awssdk.core.SdkPojo> R ec2(Call c, software.amazon.awssdk.core.SdkPojo req) {
        return oboro.services().call(c, "ec2", req);
    }

    /** One scheduled run: snapshot every target, apply count retention, arm the next run. */
    private void run(Scope s, String policyId, String scheduleName, Instant due) {
        Policy p = policies.get(s, policyId);
        if (p == null || !"ENABLED".equals(p.state()) || !due.equals(p.nextRuns().get(scheduleName))) return;
        Schedule sc = p.details().schedules().stream().filter(x -> x.name().equals(scheduleName)).findFirst().orElse(null);
        if (sc == null) return;
        Instant now = oboro.clock().instant();
        try {
            if (p.details().resourceTypesAsStrings().get(0).equals("INSTANCE")) snapshotInstances(s, p, sc, now);
            else snapshotVolumes(s, p, sc, now);
            retainByCount(s, p, sc);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "lifecycle policy " + policyId + " schedule " + scheduleName + " failed", e);
        }
        Instant next = nextRun(sc.createRule(), now);
        Policy cur = policies.get(s, policyId);
        if (cur == null || next == null) return;
        Map<String, Instant> runs = new TreeMap<>(cur.nextRuns());
        runs.put(scheduleName, next);
        Policy updated = policies.update(s, policyId, old -> old == null ? null : old.withNextRuns(runs));
        if (updated != null) oboro.scheduler().schedule(next, () -> run(s, policyId, scheduleName, next));
    }

    private List<Filter> tagFilters(Policy p) {
        List<Filter> out = new ArrayList<>();
        for (var t : p.details().targetTags()) out.add(Filter.builder().name("tag:" + t.key()).values(t.value()).build());
        return out;
    }

    private void snapshotVolumes(Scope s, Policy p, Schedule sc, Instant now) {
        Call c = as(s, s.region());
        Map<String, Volume> targets = new TreeMap<>();
        // a resource is targeted when it carries any one of the target tags
        for (Filter f : tagFilters(p)) {
            DescribeVolumesResponse r = ec2(c, DescribeVolumesRequest.builder().filters(f,
                    Filter.builder().name("status").values("available", "in-use").build()).build());
            for (Volume v : r.volumes()) targets.put(v.volumeId(), v);
        }
        for (Volume v : targets.values()) {
            Map<String, String> source = new TreeMap<>();
            if (v.hasTags()) v.tags().forEach(t -> source.put(t.key(), t.value()));
            String instanceId = v.hasAttachments() && !v.attachments().isEmpty() ? v.attachments().get(0).instanceId() : null;
            Map<String, String> tags = snapshotTags(p, sc, source, instanceId, now);
            try {
                CreateSnapshotResponse r = ec2(c, CreateSnapshotRequest.builder().volumeId(v.volumeId())
                        .description(description(p, sc)).tagSpecifications(spec(tags)).build());
                remember(s, p, sc, r.snapshotId(), v.volumeId(), now);
            } catch (AwsException e) {
                LOG.fine(() -> "snapshot of " + v.volumeId() + " for " + p.id() + " failed: " + e.getMessage());
            }
        }
    }

    private void snapshotInstances(Scope s, Policy p, Schedule sc, Instant now) {
        Call c = as(s, s.region());
        Map<String, Instance> targets = new TreeMap<>();
        for (Filter f : tagFilters(p)) {
            DescribeInstancesResponse r = ec2(c, DescribeInstancesRequest.builder().filters(f,
                    Filter.builder().name("instance-state-name").values("running", "stopped").build()).build());
            r.reservations().forEach(res -> res.instances().forEach(i -> targets.put(i.instanceId(), i)));
        }
        Boolean excludeBoot = p.details().parameters() == null ? null : p.details().parameters().excludeBootVolume();
        for (Instance i : targets.values()) {
            Map<String, String> source = new TreeMap<>();
            if (i.hasTags()) i.tags().forEach(t -> source.put(t.key(), t.value()));
            Map<String, String> tags = snapshotTags(p, sc, source, i.instanceId(), now);
            try {
                CreateSnapshotsResponse r = ec2(c, CreateSnapshotsRequest.builder()
                        .instanceSpecification(x -> x.instanceId(i.instanceId()).excludeBootVolume(excludeBoot))
                        .description(description(p, sc)).tagSpecifications(spec(tags)).build());
                for (SnapshotInfo n : r.snapshots()) remember(s, p, sc, n.snapshotId(), i.instanceId(), now);
            } catch (AwsException e) {
                LOG.fine(() -> "snapshots of " + i.instanceId() + " for " + p.id() + " failed: " + e.getMessage());
            }
        }
    }

    private static String description(Policy p, Schedule sc) {
        return "Created for policy: " + p.id() + " schedule: " + sc.name();
    }

    private static TagSpecification spec(Map<String, String> tags) {
        return TagSpecification.builder().resourceType(ResourceType.SNAPSHOT).tags(tags.entrySet().stream()
                .map(e -> software.amazon.awssdk.services.ec2.model.Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList())
                .build();
    }

    /**
     * The tags of a DLM snapshot: the source's own tags when CopyTags is set, TagsToAdd, the
     * VariableTags with {@code $(instance-id)} and {@code $(timestamp)} filled in, and the tags that
     * mark the snapshot as the policy's.
     */
    private static Map<String, String> snapshotTags(Policy p, Schedule sc, Map<String, String> source, String instanceId, Instant now) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (Boolean.TRUE.equals(sc.copyTags())) source.forEach((k, v) -> {
            if (!k.startsWith("aws:")) tags.put(k, v);
        });
        sc.tagsToAdd().forEach(t -> tags.put(t.key(), t.value()));
        sc.variableTags().forEach(t -> tags.put(t.key(), t.value()
                .replace("$(instance-id)", instanceId == null ? "" : instanceId)
                .replace("$(timestamp)", TIMESTAMP.format(now))));
        tags.put(POLICY_TAG, p.id());
        tags.put(SCHEDULE_TAG, sc.name());
        tags.put(MANAGED_TAG, "true");
        return tags;
    }

    private void remember(Scope s, Policy p, Schedule sc, String snapshotId, String target, Instant now) {
        RetainRule r = sc.retainRule();
        Instant expires = r.interval() != null && r.interval() > 0 ? plus(now, r.interval(), r.intervalUnitAsString()) : null;
        Instant copyCheck = sc.crossRegionCopyRules().isEmpty() ? null : now.plus(COPY_CHECK);
        Managed m = new Managed(snapshotId, s.region(), p.id(), sc.name(), target, now, false, expires, copyCheck);
        managed.put(s, snapshotId, m);
        armManaged(s, m);
    }

    static Instant plus(Instant t, int n, String unit) {
        LocalDateTime d = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        d = switch (unit) {
            case "DAYS" -> d.plusDays(n);
            case "WEEKS" -> d.plusWeeks(n);
            case "MONTHS" -> d.plusMonths(n);
            case "YEARS" -> d.plusYears(n);
            default -> d.plusDays(n);
        };
        return d.toInstant(ZoneOffset.UTC);
    }

    /** Keeps the newest {@code Count} runs per target of a schedule and deletes the older snapshots. */
    private void retainByCount(Scope s, Policy p, Schedule sc) {
        Integer count = sc.retainRule().count();
        if (count == null || count <= 0) return;
        Map<String, List<Managed>> byTarget = new TreeMap<>();
        for (Managed m : managed.values(s)) {
            if (m.copy() || !m.policyId().equals(p.id()) || !m.schedule().equals(sc.name())) continue;
            byTarget.computeIfAbsent(m.target(), k -> new ArrayList<>()).add(m);
        }
        for (List<Managed> list : byTarget.values()) {
            // an instance's run makes a set of snapshots with one creation time: a run counts once
            List<Instant> runs = list.stream().map(Managed::createdAt).distinct().sorted(Comparator.reverseOrder()).toList();
            if (runs.size() <= count) continue;
            Set<Instant> keep = new TreeSet<>(runs.subList(0, count));
            for (Managed m : list) if (!keep.contains(m.createdAt())) delete(s, m);
        }
    }

    private void expire(Scope s, String snapshotId) {
        Managed m = managed.get(s, snapshotId);
        if (m == null || m.expiresAt() == null || oboro.clock().instant().isBefore(m.expiresAt())) return;
        delete(s, m);
    }

    private void delete(Scope s, Managed m) {
        try {
            ec2(as(s, m.region()), DeleteSnapshotRequest.builder().snapshotId(m.snapshotId()).build());
        } catch (AwsException e) {
            if (e.code().equals("InvalidSnapshot.InUse")) {
                // an AMI still uses it: DLM leaves it, and tries again at the next run
                LOG.fine(() -> "snapshot " + m.snapshotId() + " of " + m.policyId() + " is in use: " + e.getMessage());
                return;
            }
            if (!e.code().equals("InvalidSnapshot.NotFound")) LOG.warning("deleting " + m.snapshotId() + ": " + e.getMessage());
        }
        managed.remove(s, m.snapshotId());
    }

    /** Cross-region copies start once the source snapshot has completed. */
    private void copyWhenComplete(Scope s, String snapshotId) {
        Managed m = managed.get(s, snapshotId);
        Instant now = oboro.clock().instant();
        if (m == null || m.copyCheckAt() == null || now.isBefore(m.copyCheckAt())) return;
        Policy p = policies.get(s, m.policyId());
        Schedule sc = p == null ? null : p.details().schedules().stream().filter(x -> x.name().equals(m.schedule())).findFirst().orElse(null);
        if (sc == null) {
            managed.put(s, snapshotId, m.withCopyCheck(null));
            return;
        }
        Call c = as(s, m.region());
        DescribeSnapshotsResponse d;
        try {
            d = ec2(c, DescribeSnapshotsRequest.builder().snapshotIds(snapshotId).build());
        } catch (AwsException e) {
            managed.put(s, snapshotId, m.withCopyCheck(null));
            return;
        }
        var source = d.snapshots().get(0);
        if (!"completed".equals(source.stateAsString())) {
            Managed later = m.withCopyCheck(now.plus(COPY_CHECK));
            managed.put(s, snapshotId, later);
            armManaged(s, later);
            return;
        }
        for (CrossRegionCopyRule rule : sc.crossRegionCopyRules()) {
            String target = rule.targetRegion() != null ? rule.targetRegion() : rule.target();
            Map<String, String> tags = new LinkedHashMap<>();
            if (Boolean.TRUE.equals(rule.copyTags()) && source.hasTags()) source.tags().forEach(t -> tags.put(t.key(), t.value()));
            tags.put(POLICY_TAG, p.id());
            tags.put(SCHEDULE_TAG, sc.name());
            tags.put(MANAGED_TAG, "true");
            try {
                CopySnapshotResponse r = ec2(as(s, target), CopySnapshotRequest.builder().sourceRegion(m.region())
                        .sourceSnapshotId(snapshotId).encrypted(Boolean.TRUE.equals(rule.encrypted()) ? true : null)
                        .kmsKeyId(rule.cmkArn()).description("Copied for policy: " + p.id() + " schedule: " + sc.name()
                                + " from " + m.region() + " " + snapshotId)
                        .tagSpecifications(spec(tags)).build());
                var rr = rule.retainRule();
                Instant expires = rr == null || rr.interval() == null ? null : plus(now, rr.interval(), rr.intervalUnitAsString());
                Managed copy = new Managed(r.snapshotId(), target, p.id(), sc.name(), m.target(), now, true, expires, null);
                managed.put(s, copy.snapshotId(), copy);
                armManaged(s, copy);
            } catch (AwsException e) {
                LOG.warning("cross-region copy of " + snapshotId + " to " + target + " for " + p.id() + " failed: " + e.getMessage());
            }
        }
        managed.update(s, snapshotId, old -> old == null ? null : old.withCopyCheck(null));
    }
}
