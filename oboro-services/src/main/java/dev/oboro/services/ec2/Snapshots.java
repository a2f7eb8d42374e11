package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.CopySnapshotRequest;
import software.amazon.awssdk.services.ec2.model.CopySnapshotResponse;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotResponse;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.ModifySnapshotAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifySnapshotAttributeResponse;
import software.amazon.awssdk.services.ec2.model.ResetSnapshotAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ResetSnapshotAttributeResponse;
import software.amazon.awssdk.services.ec2.model.SnapshotInfo;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * EBS snapshots: {@code pending} with progress → {@code completed} on Oboro's clock, crash-consistent
 * sets of an instance's volumes, copies within and across regions (re-encrypting on request), and
 * sharing through the {@code createVolumePermission} attribute. A snapshot lives in its owner's
 * account and region; others see it when it is public or shared with them.
 */
final class Snapshots {
    /** A snapshot as a caller sees it, with the scope (owner account and region) it lives in. */
    record Seen(Volumes.Snap snap, Scope scope) {
    }

    private final Ec2State st;
    private final EbsEncryption encryption;
    private final Filters<Seen> filters;

    Snapshots(Ec2State st, EbsEncryption encryption) {
        this.st = st;
        this.encryption = encryption;
        filters = new Filters<>(Map.<String, Function<Seen, Collection<String>>>ofEntries(
                Map.entry("description", n -> Vpcs.opt(n.snap().description())),
                Map.entry("encrypted", n -> List.of(Boolean.toString(n.snap().encrypted()))),
                Map.entry("kms-key-id", n -> Vpcs.opt(n.snap().kmsKeyId())),
                Map.entry("owner-alias", n -> List.of()),
                Map.entry("owner-id", n -> List.of(n.scope().account())),
                Map.entry("progress", n -> List.of(n.snap().progress(st.oboro.clock().instant()))),
                Map.entry("snapshot-id", n -> List.of(n.snap().id())),
                Map.entry("start-time", n -> List.of(n.snap().startTime().toString())),
                Map.entry("status", n -> List.of(n.snap().state(st.oboro.clock().instant()))),
                Map.entry("storage-tier", n -> List.of("standard")),
                Map.entry("volume-id", n -> List.of(n.snap().volumeId())),
                Map.entry("volume-size", n -> List.of(Integer.toString(n.snap().size()))),
                Map.entry("tag:", n -> ownTags(n, st.tags::pairs)),
                Map.entry("tag-key", n -> ownTags(n, st.tags::keys)),
                Map.entry("tag-value", n -> ownTags(n, st.tags::values))));
    }

    /** Tags are the owner's: another account sees none on a shared snapshot. */
    private static List<String> ownTags(Seen n, java.util.function.BiFunction<Scope, String, List<String>> f) {
        Scope caller = FilterScope.get();
        return n.scope().equals(caller) ? f.apply(caller, n.snap().id()) : List.of();
    }

    private static boolean sharedWith(Volumes.Snap n, String account) {
        return n.isPublic() || n.createVolumeUserIds().contains(account);
    }

    /** A snapshot the caller owns or may use (public or shared with the account), or InvalidSnapshot.NotFound. */
    static Seen find(Ec2State st, Call call, Scope s, String id) {
        if (!Ec2Errors.wellFormed(id, "snap")) throw new AwsException("InvalidSnapshotID.Malformed", "Invalid id: \"" + id + "\"", 400);
        Volumes.Snap own = st.snapshots.get(s, id);
        if (own != null) return new Seen(own, s);
        for (Scope other : st.snapshots.scopes()) {
            if (!other.region().equals(s.region()) || other.equals(s)) continue;
            Volumes.Snap n = st.snapshots.get(other, id);
            if (n != null && sharedWith(n, s.account())) return new Seen(n, other);
        }
        throw notFound(List.of(id));
    }

    /** EC2 says "The snapshot 'snap-1' does not exist." */
    static AwsException notFound(List<String> ids) {
        return new AwsException("InvalidSnapshot.NotFound", "The snapshot '" + String.join(", ", ids) + "' does not exist.", 400);
    }

    private Volumes.Snap own(Scope s, String id) {
        if (id == null) throw Ec2Errors.missingParameter("snapshotId");
        if (!Ec2Errors.wellFormed(id, "snap")) throw new AwsException("InvalidSnapshotID.Malformed", "Invalid id: \"" + id + "\"", 400);
        Volumes.Snap n = st.snapshots.get(s, id);
        if (n == null) throw notFound(List.of(id));
        return n;
    }

    /**
     * Applies a create call's snapshot tags. {@code aws:} keys are reserved for AWS: an AWS service
     * acting in the account (Data Lifecycle Manager) may set them, a user may not.
     */
    private void applyTags(Call call, Scope s, List<TagSpecification> specs, String id, Map<String, String> copied) {
        Map<String, String> reserved = new TreeMap<>();
        List<TagSpecification> user = new ArrayList<>();
        boolean service = "AWSService".equals(call.caller().type());
        for (TagSpecification spec : specs == null ? List.<TagSpecification>of() : specs) {
            List<Tag> normal = new ArrayList<>();
            for (Tag t : spec.tags()) {
                if (service && t.key() != null && t.key().startsWith("aws:")) reserved.put(t.key(), t.value() == null ? "" : t.value());
                else normal.add(t);
            }
            user.add(spec.toBuilder().tags(normal).build());
        }
        if (copied != null && !copied.isEmpty()) st.tags.set(s, id, copied);
        st.tags.apply(s, user, "snapshot", id);
        if (!reserved.isEmpty()) st.tags.set(s, id, reserved);
    }

    // ------------------------------------------------------------------ create

    CreateSnapshotResponse createSnapshot(Call call, CreateSnapshotRequest req) {
        Scope s = st.scope(call);
        if (req.volumeId() == null) throw Ec2Errors.missingParameter("volumeId");
        Volumes.Vol v = volume(s, req.volumeId());
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("snapshot"));
        Ec2Checks.dryRun(req.dryRun(), "CreateSnapshot");
        Instant now = call.now();
        Volumes.Snap n = Volumes.snapshotForImage(st, s, v.id(), v.size(), v.encrypted(), v.kmsKeyId(),
                req.description() == null ? "" : req.description(), now);
        applyTags(call, s, req.tagSpecifications(), n.id(), null);
        return CreateSnapshotResponse.builder().snapshotId(n.id()).volumeId(v.id()).state("pending").startTime(now).progress("")
                .ownerId(s.account()).description(n.description()).volumeSize(n.size()).encrypted(n.encrypted()).kmsKeyId(n.kmsKeyId())
                .storageTier("standard").tags(st.tags.sdk(s, n.id())).build();
    }

    private Volumes.Vol volume(Scope s, String id) {
        if (!Ec2Errors.wellFormed(id, "vol")) throw new AwsException("InvalidVolumeID.Malformed", "Invalid id: \"" + id + "\"", 400);
        Volumes.Vol v = st.volumes.get(s, id);
        if (v == null) throw Volumes.notFound(List.of(id));
        return v;
    }

    /** A crash-consistent set: one snapshot per EBS volume of the instance, all started at the same instant. */
    CreateSnapshotsResponse createSnapshots(Call call, CreateSnapshotsRequest req) {
        Scope s = st.scope(call);
        var spec = req.instanceSpecification();
        if (spec == null || spec.instanceId() == null) throw Ec2Errors.missingParameter("InstanceSpecification");
        Instances.Inst i = st.instances.get(s, spec.instanceId());
        if (i == null || i.state().equals("terminated")) throw Ec2Errors.notFound("InvalidInstanceID.NotFound", "instance", spec.instanceId());
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("snapshot"));
        Set<String> excluded = new LinkedHashSet<>(spec.excludeDataVolumeIds());
        for (String id : excluded) {
            Volumes.Vol v = volume(s, id);
            if (i.blockDevices().stream().noneMatch(d -> d.volumeId().equals(v.id()))) {
                throw Ec2Errors.invalidParameterValue("The volume " + id + " is not attached to instance " + i.id() + ".");
            }
            if (i.rootDeviceName() != null && i.blockDevices().stream().anyMatch(d -> d.volumeId().equals(id) && d.deviceName().equals(i.rootDeviceName()))) {
                throw Ec2Errors.invalidParameterValue("The root volume " + id + " cannot be excluded as a data volume. Use ExcludeBootVolume instead.");
            }
        }
        Ec2Checks.dryRun(req.dryRun(), "CreateSnapshots");
        Instant now = call.now();
        boolean copyTags = "volume".equals(req.copyTagsFromSourceAsString());
        List<SnapshotInfo> out = new ArrayList<>();
        for (Instances.BlockDev d : i.blockDevices()) {
            if (excluded.contains(d.volumeId())) continue;
            if (Boolean.TRUE.equals(spec.excludeBootVolume()) && d.deviceName().equals(i.rootDeviceName())) continue;
            Volumes.Vol v = st.volumes.get(s, d.volumeId());
            if (v == null) continue;
            Volumes.Snap n = Volumes.snapshotForImage(st, s, v.id(), v.size(), v.encrypted(), v.kmsKeyId(),
                    req.description() == null ? "" : req.description(), now);
            applyTags(call, s, req.tagSpecifications(), n.id(), copyTags ? userTags(st.tags.get(s, v.id())) : null);
            out.add(SnapshotInfo.builder().snapshotId(n.id()).volumeId(v.id()).state("pending").startTime(now).progress("")
                    .ownerId(s.account()).description(n.description()).volumeSize(n.size()).encrypted(n.encrypted())
                    .tags(st.tags.sdk(s, n.id())).build());
        }
        return CreateSnapshotsResponse.builder().snapshots(out).build();
    }

    private static Map<String, String> userTags(Map<String, String> tags) {
        Map<String, String> m = new TreeMap<>();
        tags.forEach((k, v) -> {
            if (!k.startsWith("aws:")) m.put(k, v);
        });
        return m;
    }

    // ------------------------------------------------------------------ copy

    /**
     * Copies a completed snapshot into this call's region. The copy is encrypted when the source
     * is, when asked, or when the region encrypts by default; its key is the one asked for, else
     * the source's (same account and region), else the region's default key.
     * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html
     */
    CopySnapshotResponse copySnapshot(Call call, CopySnapshotRequest req) {
        Scope s = st.scope(call);
        if (req.sourceRegion() == null) throw Ec2Errors.missingParameter("SourceRegion");
        if (req.sourceSnapshotId() == null) throw Ec2Errors.missingParameter("SourceSnapshotId");
        if (st.catalog.region(req.sourceRegion()) == null) throw Ec2Errors.invalidParameterValue("Invalid region: " + req.sourceRegion());
        Scope from = new Scope(s.account(), req.sourceRegion());
        Seen src = find(st, call, from, req.sourceSnapshotId());
        Instant now = call.now();
        if (!src.snap().state(now).equals("completed")) {
            throw new AwsException("IncorrectState", "Snapshot is in invalid state - " + src.snap().state(now), 400);
        }
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("snapshot"));
        boolean sameRegionOwn = src.scope().equals(s);
        EbsEncryption.Choice enc = encryption.choose(call, s, req.encrypted(), req.kmsKeyId(), src.snap().encrypted(),
                sameRegionOwn && src.snap().encrypted() ? src.snap().kmsKeyId() : null);
        Ec2Checks.dryRun(req.dryRun(), "CopySnapshot");
        String id = Ids.ec2("snap");
        String description = req.description() != null ? req.description()
                : "[Copied " + src.snap().id() + " from " + req.sourceRegion() + "]";
        Volumes.Snap n = new Volumes.Snap(id, "vol-ffffffff", src.snap().size(), description, now, now.plus(Volumes.SNAPSHOT_TIME),
                enc.encrypted(), enc.kmsKeyArn(), List.of(), false, src.snap().id());
        st.snapshots.put(s, id, n);
        applyTags(call, s, req.tagSpecifications(), id, null);
        return CopySnapshotResponse.builder().snapshotId(id).tags(st.tags.sdk(s, id)).build();
    }

    // ------------------------------------------------------------------ delete

    DeleteSnapshotResponse deleteSnapshot(Call call, DeleteSnapshotRequest req) {
        Scope s = st.scope(call);
        Volumes.Snap n = own(s, req.snapshotId());
        for (Images.Ami a : st.images.values(s)) {
            for (Images.Bdm b : a.blockDevices()) {
                if (n.id().equals(b.snapshotId())) {
                    throw new AwsException("InvalidSnapshot.InUse", "The snapshot " + n.id() + " is currently in use by " + a.id(), 400);
                }
            }
        }
        Ec2Checks.dryRun(req.dryRun(), "DeleteSnapshot");
        st.snapshots.remove(s, n.id());
        st.tags.remove(s, n.id());
        return DeleteSnapshotResponse.builder().build();
    }

    // ------------------------------------------------------------------ describe

    DescribeSnapshotsResponse describeSnapshots(Call call, DescribeSnapshotsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSnapshots");
        Scope s = st.scope(call);
        if (req.maxResults() != null && req.hasSnapshotIds() && !req.snapshotIds().isEmpty()) {
            throw Ec2Errors.invalidParameterCombination("The parameter snapshotSet cannot be used with the parameter maxResults");
        }
        Paging.check(call, req);
        List<Seen> all = new ArrayList<>();
        if (req.hasSnapshotIds() && !req.snapshotIds().isEmpty()) {
            List<String> missing = new ArrayList<>();
            for (String id : new LinkedHashSet<>(req.snapshotIds())) {
                try {
                    all.add(find(st, call, s, id));
                } catch (AwsException e) {
                    if (!e.code().equals("InvalidSnapshot.NotFound")) throw e;
                    missing.add(id);
                }
            }
            if (!missing.isEmpty()) throw notFound(missing);
        } else {
            for (Scope other : st.snapshots.scopes()) {
                if (!other.region().equals(s.region())) continue;
                for (Volumes.Snap n : st.snapshots.values(other)) {
                    if (other.equals(s) || sharedWith(n, s.account())) all.add(new Seen(n, other));
                }
            }
        }
        if (req.hasOwnerIds() && !req.ownerIds().isEmpty()) {
            Set<String> owners = new LinkedHashSet<>();
            for (String o : req.ownerIds()) owners.add(o.equals("self") ? s.account() : o);
            all.removeIf(n -> !owners.contains(n.scope().account()));
        }
        if (req.hasRestorableByUserIds() && !req.restorableByUserIds().isEmpty()) {
            List<String> by = req.restorableByUserIds();
            all.removeIf(n -> by.stream().noneMatch(u -> switch (u) {
                case "all" -> n.snap().isPublic();
                case "self" -> n.scope().equals(s) || sharedWith(n.snap(), s.account());
                default -> n.scope().account().equals(u) || sharedWith(n.snap(), u);
            }));
        }
        all.sort(Comparator.comparing(n -> n.snap().id()));
        List<Seen> matched = FilterScope.in(s, () -> filters.apply(req.filters(), all));
        DescribeSnapshotsResponse.Builder b = DescribeSnapshotsResponse.builder();
        Pagination.Page<Seen> page = Paging.page(call, req, matched, n -> n.snap().id(), b);
        Instant now = call.now();
        return b.snapshots(page.items().stream().map(n -> toSdk(s, n, now)).toList()).build();
    }

    private software.amazon.awssdk.services.ec2.model.Snapshot toSdk(Scope caller, Seen seen, Instant now) {
        Volumes.Snap n = seen.snap();
        return software.amazon.awssdk.services.ec2.model.Snapshot.builder()
                .snapshotId(n.id()).volumeId(n.volumeId()).volumeSize(n.size()).description(n.description())
                .state(n.state(now)).progress(n.progress(now)).startTime(n.startTime())
                .completionTime(n.state(now).equals("completed") ? n.completeAt() : null)
                .ownerId(seen.scope().account()).encrypted(n.encrypted()).kmsKeyId(n.kmsKeyId()).storageTier("standard")
                .tags(seen.scope().equals(caller) ? st.tags.sdk(caller, n.id()) : null).build();
    }

    // ------------------------------------------------------------------ attributes and sharing

    DescribeSnapshotAttributeResponse describeSnapshotAttribute(Call call, DescribeSnapshotAttributeRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSnapshotAttribute");
        Scope s = st.scope(call);
        Volumes.Snap n = own(s, req.snapshotId());
        String attr = req.attributeAsString();
        DescribeSnapshotAttributeResponse.Builder b = DescribeSnapshotAttributeResponse.builder().snapshotId(n.id());
        switch (attr == null ? "" : attr) {
            case "createVolumePermission" -> {
                List<CreateVolumePermission> perms = new ArrayList<>();
                if (n.isPublic()) perms.add(CreateVolumePermission.builder().group("all").build());
                for (String u : n.createVolumeUserIds()) perms.add(CreateVolumePermission.builder().userId(u).build());
                b.createVolumePermissions(perms);
            }
            case "productCodes" -> b.productCodes(List.of());
            default -> throw Ec2Errors.invalidParameterValue("Value (" + attr + ") for parameter attribute is invalid. Unknown attribute.");
        }
        return b.build();
    }

    ModifySnapshotAttributeResponse modifySnapshotAttribute(Call call, ModifySnapshotAttributeRequest req) {
        Scope s = st.scope(call);
        Volumes.Snap n = own(s, req.snapshotId());
        String attr = req.attributeAsString();
        if (attr != null && !attr.equals("createVolumePermission")) {
            throw Ec2Errors.invalidParameterValue("Value (" + attr + ") for parameter attribute is invalid. Only createVolumePermission can be modified.");
        }
        List<String> addUsers = new ArrayList<>();
        List<String> removeUsers = new ArrayList<>();
        Boolean makePublic = null;
        if (req.createVolumePermission() != null) {
            for (CreateVolumePermission p : req.createVolumePermission().add()) {
                if ("all".equals(p.groupAsString())) makePublic = true;
                else if (p.userId() != null) addUsers.add(p.userId());
            }
            for (CreateVolumePermission p : req.createVolumePermission().remove()) {
                if ("all".equals(p.groupAsString())) makePublic = false;
                else if (p.userId() != null) removeUsers.add(p.userId());
            }
        }
        String op = req.operationTypeAsString();
        if (op != null) {
            if (!op.equals("add") && !op.equals("remove")) throw Ec2Errors.invalidParameterValue("Invalid value '" + op + "' for operationType.");
            (op.equals("add") ? addUsers : removeUsers).addAll(req.userIds());
            for (String g : req.groupNames()) {
                if (!g.equals("all")) throw Ec2Errors.invalidParameterValue("Invalid value '" + g + "' for groupName.");
                makePublic = op.equals("add");
            }
        }
        if (addUsers.isEmpty() && removeUsers.isEmpty() && makePublic == null) {
            throw Ec2Errors.missingParameter("createVolumePermission");
        }
        for (String u : addUsers) {
            if (!u.matches("\\d{12}")) throw Ec2Errors.invalidParameterValue("Invalid value '" + u + "' for userId. It should be a 12-digit AWS account number.");
        }
        if (n.encrypted() && Boolean.TRUE.equals(makePublic)) {
            throw Ec2Errors.invalidParameterValue("Encrypted snapshots cannot be shared publicly.");
        }
        if (n.encrypted() && !addUsers.isEmpty() && encryption.awsManaged(call, s, n.kmsKeyId())) {
            throw Ec2Errors.invalidParameterValue("Encrypted snapshots with EBS default key cannot be shared");
        }
        Ec2Checks.dryRun(req.dryRun(), "ModifySnapshotAttribute");
        Boolean pub = makePublic;
        st.snapshots.update(s, n.id(), old -> {
            if (old == null) return null;
            Set<String> users = new LinkedHashSet<>(old.createVolumeUserIds());
            users.addAll(addUsers);
            users.removeAll(removeUsers);
            return old.withPermissions(new ArrayList<>(users), pub == null ? old.isPublic() : pub);
        });
        return ModifySnapshotAttributeResponse.builder().build();
    }

    ResetSnapshotAttributeResponse resetSnapshotAttribute(Call call, ResetSnapshotAttributeRequest req) {
        Scope s = st.scope(call);
        Volumes.Snap n = own(s, req.snapshotId());
        if (!"createVolumePermission".equals(req.attributeAsString())) {
            throw Ec2Errors.invalidParameterValue("Value (" + req.attributeAsString() + ") for parameter attribute is invalid. Only createVolumePermission can be reset.");
        }
        Ec2Checks.dryRun(req.dryRun(), "ResetSnapshotAttribute");
        st.snapshots.update(s, n.id(), old -> old == null ? null : old.withPermissions(List.of(), false));
        return ResetSnapshotAttributeResponse.builder().build();
    }
}
