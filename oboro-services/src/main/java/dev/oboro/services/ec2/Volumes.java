package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.AttachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.AttachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.AttributeBooleanValue;
import software.amazon.awssdk.services.ec2.model.CreateVolumeRequest;
import software.amazon.awssdk.services.ec2.model.CreateVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumeAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumeAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumeStatusRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumeStatusResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesModificationsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesModificationsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesResponse;
import software.amazon.awssdk.services.ec2.model.DetachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DetachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.EnableVolumeIoRequest;
import software.amazon.awssdk.services.ec2.model.EnableVolumeIoResponse;
import software.amazon.awssdk.services.ec2.model.ModifyVolumeAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyVolumeAttributeResponse;
import software.amazon.awssdk.services.ec2.model.ModifyVolumeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyVolumeResponse;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;
import software.amazon.awssdk.services.ec2.model.VolumeModification;
import software.amazon.awssdk.services.ec2.model.VolumeStatusDetails;
import software.amazon.awssdk.services.ec2.model.VolumeStatusInfo;
import software.amazon.awssdk.services.ec2.model.VolumeStatusItem;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * EBS volumes on Oboro's clock: {@code creating} → {@code available} ⇄ {@code in-use} →
 * {@code deleting} → gone; attachments {@code attaching} → {@code attached} → {@code detaching} →
 * gone; modifications {@code modifying} → {@code optimizing} → {@code completed}. Every pending
 * transition is a deadline in the record, so timers are armed again when the service loads.
 *
 * <p>The internal API ({@link #createForInstance}, {@link #onInstanceTerminated},
 * {@link #snapshotForImage}) is what RunInstances, TerminateInstances and CreateImage use. An
 * instance's block-device list is kept in step with AttachVolume and DetachVolume.
 *
 * <p>Multi-Attach (io1/io2, up to 16 Nitro instances in one zone) only shares the volume: as in AWS,
 * coordinating writes from several instances is the application's job (a clustered file system).
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volumes-multi.html
 */
final class Volumes {
    /** Snapshots complete this long after they start. */
    static final Duration SNAPSHOT_TIME = Duration.ofSeconds(60);
    static final Duration CREATING = Duration.ofSeconds(5);
    static final Duration DELETING = Duration.ofSeconds(5);
    static final Duration ATTACHING = Duration.ofSeconds(3);
    static final Duration DETACHING = Duration.ofSeconds(5);
    static final Duration FORCE_DETACHING = Duration.ofSeconds(1);
    static final Duration MODIFYING = Duration.ofSeconds(30);
    static final Duration OPTIMIZING = Duration.ofMinutes(5);
    /** AWS: wait at least six hours between modifications of one volume. */
    static final Duration MODIFICATION_RATE = Duration.ofHours(6);
    static final int MULTI_ATTACH_LIMIT = 16;
    private static final Pattern DEVICE = Pattern.compile("(/dev/)?(sd[a-z]([1-9]|1[0-5])?|xvd[a-z]{1,2}|hd[a-z])");

    record Attachment(String instanceId, String device, String state, Instant attachTime, boolean deleteOnTermination,
                      Instant deadline) {
        Attachment withState(String st, Instant dl) {
            return new Attachment(instanceId, device, st, attachTime, deleteOnTermination, dl);
        }

        Attachment withDeleteOnTermination(boolean dot) {
            return new Attachment(instanceId, device, state, attachTime, dot, deadline);
        }
    }

    /** The latest modification of a volume, from its original to its target configuration. */
    record Modification(String state, Instant startTime, Instant optimizingAt, Instant endTime, String originalType, int originalSize,
                        Integer originalIops, Integer originalThroughput, boolean originalMultiAttach, String targetType,
                        int targetSize, Integer targetIops, Integer targetThroughput, boolean targetMultiAttach) {
        Instant deadline() {
            return switch (state) {
                case "modifying" -> optimizingAt;
                case "optimizing" -> endTime;
                default -> null;
            };
        }

        Modification withState(String s) {
            return new Modification(s, startTime, optimizingAt, endTime, originalType, originalSize, originalIops, originalThroughput,
                    originalMultiAttach, targetType, targetSize, targetIops, targetThroughput, targetMultiAttach);
        }

        int progress(Instant now) {
            return switch (state) {
                case "modifying" -> (int) (50 * fraction(startTime, optimizingAt, now));
                case "optimizing" -> 50 + (int) (49 * fraction(optimizingAt, endTime, now));
                default -> 100;
            };
        }
    }

    /**
     * A volume. {@code state} is creating, available, in-use or deleting; {@code deadline} ends
     * creating or deleting.
     */
    record Vol(String id, int size, String type, Integer iops, Integer throughput, String az, String snapshotId,
               boolean encrypted, String kmsKeyId, String state, Instant createTime, Instant deadline, boolean multiAttach,
               List<Attachment> attachments, boolean autoEnableIo, Modification modification) {
        Vol {
            attachments = attachments == null ? List.of() : List.copyOf(attachments);
        }

        /** The first attachment's instance (the only one unless Multi-Attach). */
        String instanceId() {
            return attachments.isEmpty() ? null : attachments.get(0).instanceId();
        }

        String device() {
            return attachments.isEmpty() ? null : attachments.get(0).device();
        }

        Instant attachTime() {
            return attachments.isEmpty() ? null : attachments.get(0).attachTime();
        }

        boolean deleteOnTermination() {
            return !attachments.isEmpty() && attachments.get(0).deleteOnTermination();
        }

        Attachment attachment(String instanceId) {
            for (Attachment a : attachments) if (a.instanceId().equals(instanceId)) return a;
            return null;
        }

        Vol withAttachments(List<Attachment> list) {
            String s = state.equals("creating") || state.equals("deleting") ? state : list.isEmpty() ? "available" : "in-use";
            return new Vol(id, size, type, iops, throughput, az, snapshotId, encrypted, kmsKeyId, s, createTime, deadline, multiAttach,
                    list, autoEnableIo, modification);
        }

        Vol detached() {
            return withAttachments(List.of());
        }

        Vol withDeleteOnTermination(boolean dot) {
            return withAttachments(attachments.stream().map(a -> a.withDeleteOnTermination(dot)).toList());
        }

        Vol withState(String s, Instant dl) {
            return new Vol(id, size, type, iops, throughput, az, snapshotId, encrypted, kmsKeyId, s, createTime, dl, multiAttach,
                    attachments, autoEnableIo, modification);
        }

        Vol withConfig(String t, int sz, Integer io, Integer tp, boolean multi) {
            return new Vol(id, sz, t, io, tp, az, snapshotId, encrypted, kmsKeyId, state, createTime, deadline, multi, attachments,
                    autoEnableIo, modification);
        }

        Vol withModification(Modification m) {
            return new Vol(id, size, type, iops, throughput, az, snapshotId, encrypted, kmsKeyId, state, createTime, deadline, multiAttach,
                    attachments, autoEnableIo, m);
        }

        Vol withAutoEnableIo(boolean on) {
            return new Vol(id, size, type, iops, throughput, az, snapshotId, encrypted, kmsKeyId, state, createTime, deadline, multiAttach,
                    attachments, on, modification);
        }

        List<Instant> deadlines() {
            List<Instant> out = new ArrayList<>();
            if (deadline != null) out.add(deadline);
            for (Attachment a : attachments) if (a.deadline() != null) out.add(a.deadline());
            if (modification != null && modification.deadline() != null) out.add(modification.deadline());
            return out;
        }
    }

    /** A snapshot. Its state follows the clock: pending until {@code completeAt}, then completed. */
    record Snap(String id, String volumeId, int size, String description, Instant startTime, Instant completeAt,
                boolean encrypted, String kmsKeyId, List<String> createVolumeUserIds, boolean isPublic, String sourceSnapshotId) {
        Snap {
            createVolumeUserIds = createVolumeUserIds == null ? List.of() : List.copyOf(createVolumeUserIds);
        }

        Snap(String id, String volumeId, int size, String description, Instant startTime, Instant completeAt, boolean encrypted,
             String kmsKeyId) {
            this(id, volumeId, size, description, startTime, completeAt, encrypted, kmsKeyId, List.of(), false, null);
        }

        String state(Instant now) {
            return now.isBefore(completeAt) ? "pending" : "completed";
        }

        String progress(Instant now) {
            return (now.isBefore(completeAt) ? (int) (100 * fraction(startTime, completeAt, now)) : 100) + "%";
        }

        Snap withPermissions(List<String> users, boolean pub) {
            return new Snap(id, volumeId, size, description, startTime, completeAt, encrypted, kmsKeyId, users, pub, sourceSnapshotId);
        }
    }

    /** What a block device mapping asks of a volume. */
    record Spec(String snapshotId, Integer size, String type, Integer iops, Integer throughput, boolean encrypted, String kmsKeyId,
                boolean deleteOnTermination) {
    }

    /** A volume's type, size and performance, checked against the type's bounds. */
    record Config(String type, int size, Integer iops, Integer throughput) {
    }

    private final Ec2State st;
    private final EbsEncryption encryption;
    private final Filters<Vol> volumeFilters;
    private final Filters<Vol> modificationFilters;
    private final Filters<Vol> statusFilters;

    Volumes(Ec2State st, EbsEncryption encryption) {
        this.st = st;
        this.encryption = encryption;
        volumeFilters = new Filters<>(Map.<String, Function<Vol, Collection<String>>>ofEntries(
                Map.entry("attachment.attach-time", v -> v.attachments().stream().map(a -> a.attachTime().toString()).toList()),
                Map.entry("attachment.instance-id", v -> v.attachments().stream().map(Attachment::instanceId).toList()),
                Map.entry("attachment.device", v -> v.attachments().stream().map(Attachment::device).toList()),
                Map.entry("attachment.delete-on-termination", v -> v.attachments().stream().map(a -> Boolean.toString(a.deleteOnTermination())).toList()),
                Map.entry("attachment.status", v -> v.attachments().stream().map(Attachment::state).toList()),
                Map.entry("availability-zone", v -> List.of(v.az())),
                Map.entry("create-time", v -> List.of(v.createTime().toString())),
                Map.entry("encrypted", v -> List.of(Boolean.toString(v.encrypted()))),
                Map.entry("fast-restored", v -> List.of("false")),
                Map.entry("multi-attach-enabled", v -> List.of(Boolean.toString(v.multiAttach()))),
                Map.entry("size", v -> List.of(Integer.toString(v.size()))),
                Map.entry("snapshot-id", v -> Vpcs.opt(v.snapshotId())),
                Map.entry("status", v -> List.of(v.state())),
                Map.entry("volume-id", v -> List.of(v.id())),
                Map.entry("volume-type", v -> List.of(v.type())),
                Map.entry("tag:", v -> st.tags.pairs(FilterScope.get(), v.id())),
                Map.entry("tag-key", v -> st.tags.keys(FilterScope.get(), v.id())),
                Map.entry("tag-value", v -> st.tags.values(FilterScope.get(), v.id()))));
        modificationFilters = new Filters<>(Map.<String, Function<Vol, Collection<String>>>ofEntries(
                Map.entry("modification-state", v -> List.of(v.modification().state())),
                Map.entry("original-iops", v -> Vpcs.opt(str(v.modification().originalIops()))),
                Map.entry("original-size", v -> List.of(Integer.toString(v.modification().originalSize()))),
                Map.entry("original-volume-type", v -> List.of(v.modification().originalType())),
                Map.entry("originalMultiAttachEnabled", v -> List.of(Boolean.toString(v.modification().originalMultiAttach()))),
                Map.entry("start-time", v -> List.of(v.modification().startTime().toString())),
                Map.entry("target-iops", v -> Vpcs.opt(str(v.modification().targetIops()))),
                Map.entry("target-size", v -> List.of(Integer.toString(v.modification().targetSize()))),
                Map.entry("target-volume-type", v -> List.of(v.modification().targetType())),
                Map.entry("targetMultiAttachEnabled", v -> List.of(Boolean.toString(v.modification().targetMultiAttach()))),
                Map.entry("volume-id", v -> List.of(v.id()))));
        statusFilters = new Filters<>(Map.<String, Function<Vol, Collection<String>>>ofEntries(
                Map.entry("availability-zone", v -> List.of(v.az())),
                Map.entry("volume-status.status", v -> List.of(status(v))),
                Map.entry("volume-status.details-name", v -> List.of("io-enabled", "io-performance")),
                Map.entry("volume-status.details-status", v -> List.of("passed", "not-applicable")),
                Map.entry("action.code", v -> List.of()),
                Map.entry("event.event-type", v -> List.of())));
        for (Scope s : st.volumes.scopes()) for (Vol v : st.volumes.values(s)) arm(s, v);
        st.oboro.store().onReset(() -> {
            for (Scope s : st.volumes.scopes()) for (Vol v : st.volumes.values(s)) arm(s, v);
        });
    }

    static double fraction(Instant from, Instant to, Instant now) {
        long total = Duration.between(from, to).toMillis();
        if (total <= 0) return 1;
        return Math.max(0, Math.min(1, Duration.between(from, now).toMillis() / (double) total));
    }

    private static String str(Integer i) {
        return i == null ? null : i.toString();
    }

    // ------------------------------------------------------------------ internal API for instances and images

    /** Creates a volume attached to an instance from a block device mapping (in-use at once). */
    static Vol createForInstance(Ec2State st, Scope s, String az, Spec spec, String instanceId, String device, Instant now) {
        String type = spec.type() == null ? "gp2" : spec.type();
        Integer iops = spec.iops();
        Integer throughput = spec.throughput();
        if (type.equals("gp3")) {
            if (iops == null) iops = 3000;
            if (throughput == null) throughput = 125;
        } else if (type.equals("gp2")) {
            iops = gp2Iops(spec.size() == null ? 8 : spec.size());
        }
        boolean encrypted = spec.encrypted();
        String key = spec.kmsKeyId();
        Snap snap = spec.snapshotId() == null ? null : st.snapshots.get(s, spec.snapshotId());
        if (snap != null && snap.encrypted()) {
            encrypted = true;
            if (key == null) key = snap.kmsKeyId();
        }
        EbsEncryption enc = new EbsEncryption(st);
        if (encrypted || enc.defaults(s).byDefault()) {
            Call internal = Call.internal(st.oboro, s.account(), s.region(), "ec2");
            encrypted = true;
            key = key == null ? enc.defaultKey(internal, s) : key.startsWith("arn:aws:kms:") && key.contains(":key/") ? key
                    : enc.resolve(internal, s, key);
        }
        String id = Ids.ec2("vol");
        Vol v = new Vol(id, spec.size() == null ? 8 : spec.size(), type, iops, throughput, az, spec.snapshotId(), encrypted, key,
                "in-use", now, null, false, List.of(new Attachment(instanceId, device, "attached", now, spec.deleteOnTermination(), null)),
                false, null);
        st.volumes.put(s, id, v);
        return v;
    }

    /** At termination: DeleteOnTermination volumes are deleted, the others detached and available. */
    static void onInstanceTerminated(Ec2State st, Scope s, String instanceId, List<String> volumeIds) {
        for (String volumeId : volumeIds) {
            Vol v = st.volumes.get(s, volumeId);
            if (v == null) continue;
            Attachment a = v.attachment(instanceId);
            if (a == null) continue;
            List<Attachment> rest = v.attachments().stream().filter(x -> !x.instanceId().equals(instanceId)).toList();
            if (a.deleteOnTermination() && rest.isEmpty()) {
                st.volumes.remove(s, v.id());
                st.tags.remove(s, v.id());
            } else {
                st.volumes.put(s, v.id(), v.withAttachments(rest));
            }
        }
    }

    /** A snapshot of a volume, completing after {@link #SNAPSHOT_TIME}. */
    static Snap snapshotForImage(Ec2State st, Scope s, String volumeId, int size, boolean encrypted, String kmsKeyId,
                                 String description, Instant now) {
        String id = Ids.ec2("snap");
        Snap n = new Snap(id, volumeId, size, description, now, now.plus(SNAPSHOT_TIME), encrypted, kmsKeyId);
        st.snapshots.put(s, id, n);
        return n;
    }

    static int gp2Iops(int size) {
        return Math.min(16000, Math.max(100, 3 * size));
    }

    // ------------------------------------------------------------------ type rules

    /**
     * The bounds of each volume type, with EC2's messages.
     * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html
     * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
     */
    static Config check(String type, Integer sizeIn, Integer iopsIn, Integer throughputIn, Integer snapshotSize) {
        int min;
        int max;
        switch (type) {
            case "gp2", "st1", "sc1" -> {
                min = type.equals("gp2") ? 1 : 125;
                max = 16384;
            }
            case "gp3" -> {
                min = 1;
                max = 65536;
            }
            case "io1" -> {
                min = 4;
                max = 16384;
            }
            case "io2" -> {
                min = 4;
                max = 65536;
            }
            case "standard" -> {
                min = 1;
                max = 1024;
            }
            default -> throw new AwsException("InvalidParameterValue", "Value (" + type + ") for parameter volumeType is invalid. Valid volume types are: "
                    + "standard, io1, io2, gp2, sc1, st1, gp3", 400);
        }
        boolean provisioned = type.equals("io1") || type.equals("io2");
        if (provisioned && iopsIn == null) {
            throw Ec2Errors.invalidParameterCombination("The parameter iops must be specified for " + type + " volumes.");
        }
        if (!provisioned && !type.equals("gp3") && iopsIn != null) {
            throw Ec2Errors.invalidParameterCombination("The parameter iops is not supported for " + type + " volumes.");
        }
        if (!type.equals("gp3") && throughputIn != null) {
            throw Ec2Errors.invalidParameterCombination("The parameter throughput is not supported for " + type + " volumes.");
        }
        if (sizeIn == null && snapshotSize == null) throw Ec2Errors.missingParameter("size/snapshot");
        int size = sizeIn != null ? sizeIn : snapshotSize;
        if (snapshotSize != null && size < snapshotSize) {
            throw Ec2Errors.invalidParameterValue("Volume of size " + size + "GB is smaller than snapshot, expect size >= " + snapshotSize + "GB");
        }
        if (size < min) {
            throw Ec2Errors.invalidParameterValue("The volume size is invalid for " + type + " volumes: " + size + " GiB. " + type
                    + " volumes must be at least " + min + " GiB in size. Please specify a volume size above the minimum limit.");
        }
        if (size > max) {
            throw Ec2Errors.invalidParameterValue("Volume of " + size + "GiB is too large for volume type " + type + "; maximum is " + max + "GiB");
        }
        Integer iops = null;
        Integer throughput = null;
        switch (type) {
            case "gp2" -> iops = gp2Iops(size);
            case "gp3", "io1", "io2" -> {
                iops = iopsIn == null ? 3000 : iopsIn;
                int minIops = type.equals("gp3") ? 3000 : 100;
                int maxIops = type.equals("gp3") ? 80000 : type.equals("io1") ? 64000 : 256000;
                int ratio = type.equals("gp3") ? 500 : type.equals("io1") ? 50 : 1000;
                if (iops < minIops) throw Ec2Errors.invalidParameterValue("Volume iops of " + iops + " is too low; minimum is " + minIops + ".");
                if (iops > maxIops) throw Ec2Errors.invalidParameterValue("Volume iops of " + iops + " is too high; maximum is " + maxIops + ".");
                // gp3's baseline 3,000 IOPS comes with any size
                if (!(type.equals("gp3") && iops == 3000) && (long) iops > (long) size * ratio) {
                    throw Ec2Errors.invalidParameterValue(String.format(Locale.ROOT, "Iops to volume size ratio of %.6f is too high; maximum is %d",
                            iops / (double) size, ratio));
                }
                if (type.equals("gp3")) {
                    throughput = throughputIn == null ? 125 : throughputIn;
                    if (throughput < 125) throw Ec2Errors.invalidParameterValue("Volume throughput of " + throughput + " is too low; minimum is 125.");
                    if (throughput > 2000) throw Ec2Errors.invalidParameterValue("Volume throughput of " + throughput + " is too high; maximum is 2000.");
                    if (throughput * 4L > iops) {
                        throw Ec2Errors.invalidParameterValue(String.format(Locale.ROOT,
                                "Throughput (MiBps) to iops ratio of %.6f is too high; maximum is 0.250000 MiBps per iops", throughput / (double) iops));
                    }
                }
            }
            default -> {
            }
        }
        return new Config(type, size, iops, throughput);
    }

    private static void checkMultiAttach(String type, boolean multi) {
        if (multi && !type.equals("io1") && !type.equals("io2")) {
            throw Ec2Errors.invalidParameterCombination("The parameter multiAttachEnabled is not supported for " + type + " volumes.");
        }
    }

    // ------------------------------------------------------------------ CreateVolume / DeleteVolume

    CreateVolumeResponse createVolume(Call call, CreateVolumeRequest req) {
        Scope s = st.scope(call);
        String az = req.availabilityZone();
        if (az == null && req.availabilityZoneId() != null) {
            Catalog.RegionInfo r = st.catalog.region(s.region());
            if (r != null) {
                for (var z : r.zones()) if (z.zoneId().equals(req.availabilityZoneId())) az = z.zoneName();
            }
            if (az == null) throw Ec2Errors.invalidParameterValue("Invalid availability zone: [" + req.availabilityZoneId() + "]");
        }
        if (az == null) throw Ec2Errors.missingParameter("zone");
        Catalog.RegionInfo region = st.catalog.region(s.region());
        String zone = az;
        if (region != null && region.zones().stream().noneMatch(z -> z.zoneName().equals(zone))) {
            throw Ec2Errors.invalidParameterValue("Invalid availability zone: [" + az + "]");
        }
        Snapshots.Seen snap = null;
        if (req.snapshotId() != null) {
            snap = Snapshots.find(st, call, s, req.snapshotId());
            if (!snap.snap().state(call.now()).equals("completed")) {
                throw new AwsException("IncorrectState", "Snapshot is in invalid state - pending", 400);
            }
            if (snap.snap().encrypted() && Boolean.FALSE.equals(req.encrypted())) {
                // an encrypted snapshot only ever makes encrypted volumes
                throw Ec2Errors.invalidParameterCombination("Encrypted snapshots must be used to create encrypted volumes.");
            }
        }
        String type = req.volumeTypeAsString() == null ? "gp2" : req.volumeTypeAsString();
        Config c = check(type, req.size(), req.iops(), req.throughput(), snap == null ? null : snap.snap().size());
        boolean multi = Boolean.TRUE.equals(req.multiAttachEnabled());
        checkMultiAttach(type, multi);
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("volume"));
        EbsEncryption.Choice enc = encryption.choose(call, s, req.encrypted(), req.kmsKeyId(), snap == null ? null : snap.snap().encrypted(),
                snap == null || !snap.scope().equals(s) ? null : snap.snap().kmsKeyId());
        Ec2Checks.dryRun(req.dryRun(), "CreateVolume");
        Instant now = call.now();
        String id = Ids.ec2("vol");
        Vol v = new Vol(id, c.size(), c.type(), c.iops(), c.throughput(), az, req.snapshotId(), enc.encrypted(), enc.kmsKeyArn(),
                "creating", now, now.plus(CREATING), multi, List.of(), false, null);
        st.volumes.put(s, id, v);
        st.tags.apply(s, req.tagSpecifications(), "volume", id);
        arm(s, v);
        var sdk = toSdk(s, v, now);
        return CreateVolumeResponse.builder().volumeId(id).size(sdk.size()).volumeType(sdk.volumeTypeAsString()).iops(sdk.iops())
                .throughput(sdk.throughput()).availabilityZone(az).snapshotId(sdk.snapshotId()).encrypted(sdk.encrypted())
                .kmsKeyId(sdk.kmsKeyId()).state(sdk.stateAsString()).createTime(now).multiAttachEnabled(multi)
                .attachments(List.of()).tags(sdk.tags()).build();
    }

    DeleteVolumeResponse deleteVolume(Call call, DeleteVolumeRequest req) {
        Scope s = st.scope(call);
        Vol v = find(s, req.volumeId());
        if (!v.attachments().isEmpty()) {
            throw new AwsException("VolumeInUse", "Volume " + v.id() + " is currently attached to " + v.instanceId(), 400);
        }
        Ec2Checks.dryRun(req.dryRun(), "DeleteVolume");
        if (!v.state().equals("deleting")) {
            Vol d = v.withState("deleting", call.now().plus(DELETING));
            st.volumes.put(s, v.id(), d);
            arm(s, d);
        }
        return DeleteVolumeResponse.builder().build();
    }

    // ------------------------------------------------------------------ attach / detach

    AttachVolumeResponse attachVolume(Call call, AttachVolumeRequest req) {
        Scope s = st.scope(call);
        if (req.device() == null) throw Ec2Errors.missingParameter("device");
        if (req.instanceId() == null) throw Ec2Errors.missingParameter("instanceId");
        Vol v = find(s, req.volumeId());
        Instances.Inst i = st.instances.get(s, req.instanceId());
        if (i == null || i.state().equals("terminated")) throw Ec2Errors.notFound("InvalidInstanceID.NotFound", "instance", req.instanceId());
        String device = req.device();
        if (!DEVICE.matcher(device).matches()) {
            throw Ec2Errors.invalidParameterValue("Value (" + device + ") for parameter device is invalid. " + device + " is not a valid EBS device name.");
        }
        if (!i.state().equals("running") && !i.state().equals("stopped")) {
            throw Ec2Errors.incorrectInstanceState("Instance '" + i.id() + "' is not 'running'.");
        }
        if (!v.az().equals(i.az())) {
            throw new AwsException("InvalidVolume.ZoneMismatch", "The volume '" + v.id() + "' is not in the same availability zone as instance '"
                    + i.id() + "'", 400);
        }
        if (v.state().equals("creating") || v.state().equals("deleting")) {
            throw new AwsException("IncorrectState", "Volume '" + v.id() + "'is in the '" + v.state() + "' state.", 400);
        }
        for (Instances.BlockDev d : i.blockDevices()) {
            if (d.deviceName().equals(device)) {
                throw Ec2Errors.invalidParameterValue("Invalid value '" + device + "' for unixDevice. Attachment point " + device + " is already in use");
            }
        }
        if (!v.attachments().isEmpty()) {
            if (!v.multiAttach()) throw new AwsException("VolumeInUse", v.id() + " is already attached to an instance", 400);
            if (v.attachment(i.id()) != null) {
                throw new AwsException("VolumeInUse", v.id() + " is already attached to instance " + i.id(), 400);
            }
            if (v.attachments().size() >= MULTI_ATTACH_LIMIT) {
                throw new AwsException("AttachmentLimitExceeded", "Volume " + v.id() + " is attached to the maximum number of instances ("
                        + MULTI_ATTACH_LIMIT + ") allowed for a Multi-Attach enabled volume.", 400);
            }
        }
        if (v.multiAttach()) {
            InstanceTypes.Facts f = st.catalog.type(i.instanceType());
            if (f == null || !f.nitro()) {
                throw Ec2Errors.unsupportedOperation("The instance type " + i.instanceType() + " does not support Multi-Attach enabled volumes. "
                        + "Multi-Attach enabled volumes can be attached only to instances built on the Nitro System.");
            }
        }
        Ec2Checks.dryRun(req.dryRun(), "AttachVolume");
        Instant now = call.now();
        Attachment a = new Attachment(i.id(), device, "attaching", now, false, now.plus(ATTACHING));
        List<Attachment> list = new ArrayList<>(v.attachments());
        list.add(a);
        Vol nv = st.volumes.update(s, v.id(), old -> old == null ? null : old.withAttachments(list));
        st.instances.update(s, i.id(), old -> {
            if (old == null) return null;
            List<Instances.BlockDev> devs = new ArrayList<>(old.blockDevices());
            devs.add(new Instances.BlockDev(device, v.id(), false, now));
            return old.withBlockDevices(devs);
        });
        arm(s, nv);
        return AttachVolumeResponse.builder().volumeId(v.id()).instanceId(i.id()).device(device).state("attaching").attachTime(now)
                .deleteOnTermination(false).build();
    }

    DetachVolumeResponse detachVolume(Call call, DetachVolumeRequest req) {
        Scope s = st.scope(call);
        Vol v = find(s, req.volumeId());
        if (v.attachments().isEmpty()) {
            throw new AwsException("IncorrectState", "Volume '" + v.id() + "' is in the '" + v.state() + "' state.", 400);
        }
        Attachment a;
        if (req.instanceId() != null) {
            a = v.attachment(req.instanceId());
            if (a == null) {
                throw new AwsException("IncorrectState", "Volume '" + v.id() + "' is not attached to instance '" + req.instanceId() + "'.", 400);
            }
        } else {
            if (v.attachments().size() > 1) {
                throw Ec2Errors.missingParameter("instanceId");
            }
            a = v.attachments().get(0);
        }
        if (req.device() != null && !req.device().equals(a.device())) {
            throw Ec2Errors.invalidParameterValue("Invalid value '" + req.device() + "' for unixDevice. Volume " + v.id()
                    + " is not attached at " + req.device());
        }
        boolean force = Boolean.TRUE.equals(req.force());
        if (a.state().equals("detaching")) {
            throw new AwsException("IncorrectState", "Volume '" + v.id() + "' is in the 'detaching' state.", 400);
        }
        if (a.state().equals("attaching") && !force) {
            throw new AwsException("IncorrectState", "Volume '" + v.id() + "' is in the 'attaching' state.", 400);
        }
        Instances.Inst i = st.instances.get(s, a.instanceId());
        if (i != null && a.device().equals(i.rootDeviceName()) && !i.state().equals("stopped")) {
            throw new AwsException("IncorrectState", "Unable to detach root volume '" + v.id() + "' from instance '" + i.id() + "'", 400);
        }
        Ec2Checks.dryRun(req.dryRun(), "DetachVolume");
        Instant due = call.now().plus(force ? FORCE_DETACHING : DETACHING);
        Vol nv = st.volumes.update(s, v.id(), old -> old == null ? null : old.withAttachments(old.attachments().stream()
                .map(x -> x.instanceId().equals(a.instanceId()) ? x.withState("detaching", due) : x).toList()));
        arm(s, nv);
        return DetachVolumeResponse.builder().volumeId(v.id()).instanceId(a.instanceId()).device(a.device()).state("detaching")
                .attachTime(a.attachTime()).deleteOnTermination(a.deleteOnTermination()).build();
    }

    // ------------------------------------------------------------------ ModifyVolume

    ModifyVolumeResponse modifyVolume(Call call, ModifyVolumeRequest req) {
        Scope s = st.scope(call);
        Vol v = find(s, req.volumeId());
        Instant now = call.now();
        Modification last = v.modification();
        if (last != null && !last.state().equals("completed") && !last.state().equals("failed")) {
            throw new AwsException("IncorrectModificationState", "Volume " + v.id() + " cannot be modified in modification state "
                    + last.state().toUpperCase(Locale.ROOT), 400);
        }
        if (!v.state().equals("available") && !v.state().equals("in-use")) {
            throw new AwsException("IncorrectState", "Volume '" + v.id() + "'is in the '" + v.state() + "' state.", 400);
        }
        if (last != null && now.isBefore(last.startTime().plus(MODIFICATION_RATE))) {
            throw new AwsException("VolumeModificationRateExceeded", "You've reached the maximum modification rate per volume limit. "
                    + "Wait at least 6 hours between modifications per EBS volume.", 400);
        }
        String type = req.volumeTypeAsString() != null ? req.volumeTypeAsString() : v.type();
        boolean typeChanged = !type.equals(v.type());
        if (req.size() != null && req.size() < v.size()) throw Ec2Errors.invalidParameterValue("New size cannot be smaller than existing size");
        int size = req.size() != null ? req.size() : v.size();
        // performance carries over where the new type has it; gp2 and HDD types take none
        Integer iops = req.iops() != null ? req.iops()
                : type.equals("gp3") ? (v.type().equals("gp3") || v.type().startsWith("io") ? v.iops() : null)
                : type.startsWith("io") ? (v.type().startsWith("io") || v.type().equals("gp3") ? v.iops() : null) : null;
        Integer throughput = req.throughput() != null ? req.throughput() : type.equals("gp3") && v.type().equals("gp3") ? v.throughput() : null;
        Config c = check(type, size, iops, throughput, null);
        boolean multi = req.multiAttachEnabled() != null ? req.multiAttachEnabled() : v.multiAttach();
        checkMultiAttach(type, multi);
        if (req.multiAttachEnabled() != null && req.multiAttachEnabled() != v.multiAttach() && v.attachments().size() > 1) {
            throw new AwsException("IncorrectState", "Multi-Attach can't be disabled while the volume is attached to more than one instance.", 400);
        }
        if (!typeChanged && c.size() == v.size() && java.util.Objects.equals(c.iops(), v.iops())
                && java.util.Objects.equals(c.throughput(), v.throughput()) && multi == v.multiAttach()) {
            throw Ec2Errors.invalidParameterCombination("New configuration must be different from the current configuration of volume " + v.id());
        }
        Ec2Checks.dryRun(req.dryRun(), "ModifyVolume");
        Modification m = new Modification("modifying", now, now.plus(MODIFYING), now.plus(MODIFYING).plus(OPTIMIZING), v.type(), v.size(),
                v.iops(), v.throughput(), v.multiAttach(), c.type(), c.size(), c.iops(), c.throughput(), multi);
        Vol nv = st.volumes.update(s, v.id(), old -> old == null ? null : old.withModification(m));
        arm(s, nv);
        return ModifyVolumeResponse.builder().volumeModification(modification(nv, now)).build();
    }

    DescribeVolumesModificationsResponse describeVolumesModifications(Call call, DescribeVolumesModificationsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeVolumesModifications");
        Scope s = st.scope(call);
        Paging.check(call, req);
        List<Vol> all = new ArrayList<>();
        if (req.hasVolumeIds() && !req.volumeIds().isEmpty()) {
            for (String id : req.volumeIds()) {
                Vol v = find(s, id);
                if (v.modification() == null) {
                    throw new AwsException("InvalidVolumeModification.NotFound", "Modification for volume '" + id + "' does not exist.", 400);
                }
                all.add(v);
            }
        } else {
            for (Vol v : st.volumes.values(s)) if (v.modification() != null) all.add(v);
        }
        List<Vol> matched = FilterScope.in(s, () -> modificationFilters.apply(req.filters(), all));
        DescribeVolumesModificationsResponse.Builder b = DescribeVolumesModificationsResponse.builder();
        Pagination.Page<Vol> page = Paging.page(call, req, matched, Vol::id, b);
        Instant now = call.now();
        return b.volumesModifications(page.items().stream().map(v -> modification(v, now)).toList()).build();
    }

    private static VolumeModification modification(Vol v, Instant now) {
        Modification m = v.modification();
        return VolumeModification.builder().volumeId(v.id()).modificationState(m.state()).startTime(m.startTime())
                .endTime(m.state().equals("completed") ? m.endTime() : null).progress((long) m.progress(now))
                .originalVolumeType(m.originalType()).originalSize(m.originalSize()).originalIops(m.originalIops())
                .originalThroughput(m.originalThroughput()).originalMultiAttachEnabled(m.originalMultiAttach())
                .targetVolumeType(m.targetType()).targetSize(m.targetSize()).targetIops(m.targetIops())
                .targetThroughput(m.targetThroughput()).targetMultiAttachEnabled(m.targetMultiAttach()).build();
    }

    // ------------------------------------------------------------------ status and attributes

    private static String status(Vol v) {
        return v.state().equals("creating") ? "insufficient-data" : "ok";
    }

    DescribeVolumeStatusResponse describeVolumeStatus(Call call, DescribeVolumeStatusRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeVolumeStatus");
        Scope s = st.scope(call);
        List<Vol> all = new ArrayList<>();
        if (req.hasVolumeIds() && !req.volumeIds().isEmpty()) {
            for (String id : req.volumeIds()) all.add(find(s, id));
        } else {
            all.addAll(st.volumes.values(s));
        }
        List<Vol> matched = FilterScope.in(s, () -> statusFilters.apply(req.filters(), all));
        DescribeVolumeStatusResponse.Builder b = DescribeVolumeStatusResponse.builder();
        Pagination.Page<Vol> page = Paging.page(call, req, matched, Vol::id, b);
        return b.volumeStatuses(page.items().stream().map(v -> VolumeStatusItem.builder().volumeId(v.id()).availabilityZone(v.az())
                .volumeStatus(VolumeStatusInfo.builder().status(status(v)).details(
                        VolumeStatusDetails.builder().name("io-enabled").status(v.state().equals("creating") ? "insufficient-data" : "passed").build(),
                        VolumeStatusDetails.builder().name("io-performance").status(v.type().startsWith("io") ? "normal" : "not-applicable").build())
                        .build())
                .actions(List.of()).events(List.of()).build()).toList()).build();
    }

    DescribeVolumeAttributeResponse describeVolumeAttribute(Call call, DescribeVolumeAttributeRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeVolumeAttribute");
        Scope s = st.scope(call);
        Vol v = find(s, req.volumeId());
        String attr = req.attributeAsString();
        DescribeVolumeAttributeResponse.Builder b = DescribeVolumeAttributeResponse.builder().volumeId(v.id());
        switch (attr == null ? "" : attr) {
            case "autoEnableIO" -> b.autoEnableIO(AttributeBooleanValue.builder().value(v.autoEnableIo()).build());
            case "productCodes" -> b.productCodes(List.of());
            default -> throw Ec2Errors.invalidParameterValue("Value (" + attr + ") for parameter attribute is invalid. Unknown attribute.");
        }
        return b.build();
    }

    ModifyVolumeAttributeResponse modifyVolumeAttribute(Call call, ModifyVolumeAttributeRequest req) {
        Scope s = st.scope(call);
        Vol v = find(s, req.volumeId());
        if (req.autoEnableIO() == null || req.autoEnableIO().value() == null) throw Ec2Errors.missingParameter("AutoEnableIO");
        Ec2Checks.dryRun(req.dryRun(), "ModifyVolumeAttribute");
        boolean on = req.autoEnableIO().value();
        st.volumes.update(s, v.id(), old -> old == null ? null : old.withAutoEnableIo(on));
        return ModifyVolumeAttributeResponse.builder().build();
    }

    /** I/O is never suspended in Oboro (no inconsistent-data events), so enabling it only checks the volume. */
    EnableVolumeIoResponse enableVolumeIO(Call call, EnableVolumeIoRequest req) {
        Scope s = st.scope(call);
        find(s, req.volumeId());
        Ec2Checks.dryRun(req.dryRun(), "EnableVolumeIO");
        return EnableVolumeIoResponse.builder().build();
    }

    // ------------------------------------------------------------------ DescribeVolumes

    DescribeVolumesResponse describeVolumes(Call call, DescribeVolumesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeVolumes");
        Scope s = st.scope(call);
        if (req.maxResults() != null && req.hasVolumeIds() && !req.volumeIds().isEmpty()) {
            throw Ec2Errors.invalidParameterCombination("The parameter volumeSet cannot be used with the parameter maxResults");
        }
        Paging.check(call, req);
        List<Vol> all = new ArrayList<>(st.volumes.values(s));
        if (req.hasVolumeIds() && !req.volumeIds().isEmpty()) {
            for (String id : req.volumeIds()) checkId(id);
            List<String> missing = req.volumeIds().stream().filter(id -> !st.volumes.contains(s, id)).toList();
            if (!missing.isEmpty()) throw notFound(missing);
            all.removeIf(v -> !req.volumeIds().contains(v.id()));
        }
        List<Vol> matched = FilterScope.in(s, () -> volumeFilters.apply(req.filters(), all));
        DescribeVolumesResponse.Builder b = DescribeVolumesResponse.builder();
        Pagination.Page<Vol> page = Paging.page(call, req, matched, Vol::id, b);
        Instant now = call.now();
        return b.volumes(page.items().stream().map(v -> toSdk(s, v, now)).toList()).build();
    }

    software.amazon.awssdk.services.ec2.model.Volume toSdk(Scope s, Vol v, Instant now) {
        return software.amazon.awssdk.services.ec2.model.Volume.builder()
                .volumeId(v.id()).size(v.size()).volumeType(v.type()).iops(v.iops()).throughput(v.throughput())
                .availabilityZone(v.az()).snapshotId(v.snapshotId() == null ? "" : v.snapshotId()).encrypted(v.encrypted())
                .kmsKeyId(v.kmsKeyId()).state(v.state()).createTime(v.createTime()).multiAttachEnabled(v.multiAttach())
                .fastRestored(false)
                .attachments(v.attachments().stream().map(a -> VolumeAttachment.builder().volumeId(v.id()).instanceId(a.instanceId())
                        .device(a.device()).state(a.state()).attachTime(a.attachTime()).deleteOnTermination(a.deleteOnTermination()).build())
                        .toList())
                .tags(st.tags.sdk(s, v.id())).build();
    }

    private static void checkId(String id) {
        if (!Ec2Errors.wellFormed(id, "vol")) throw new AwsException("InvalidVolumeID.Malformed", "Invalid id: \"" + id + "\"", 400);
    }

    Vol find(Scope s, String id) {
        if (id == null) throw Ec2Errors.missingParameter("volumeId");
        checkId(id);
        Vol v = st.volumes.get(s, id);
        if (v == null) throw notFound(List.of(id));
        return v;
    }

    /** EC2 says "The volume 'vol-1' does not exist." (not "volume ID" as for instances). */
    static AwsException notFound(List<String> ids) {
        return new AwsException("InvalidVolume.NotFound", "The volume '" + String.join(", ", ids) + "' does not exist.", 400);
    }

    // ------------------------------------------------------------------ the clock

    private void arm(Scope s, Vol v) {
        if (v == null) return;
        for (Instant at : v.deadlines()) st.oboro.scheduler().schedule(at, () -> settle(s, v.id()));
    }

    /** Ends every transition of a volume whose deadline has passed. */
    private void settle(Scope s, String id) {
        Instant now = st.oboro.clock().instant();
        Vol v = st.volumes.get(s, id);
        if (v == null) return;
        if (v.state().equals("deleting") && !now.isBefore(v.deadline())) {
            st.volumes.remove(s, id);
            st.tags.remove(s, id);
            return;
        }
        Vol n = v;
        if (n.state().equals("creating") && !now.isBefore(n.deadline())) n = n.withState("available", null).withAttachments(n.attachments());
        List<Attachment> kept = new ArrayList<>();
        List<String> detached = new ArrayList<>();
        for (Attachment a : n.attachments()) {
            if (a.deadline() == null || now.isBefore(a.deadline())) {
                kept.add(a);
            } else if (a.state().equals("attaching")) {
                kept.add(a.withState("attached", null));
            } else if (a.state().equals("detaching")) {
                detached.add(a.instanceId());
            } else {
                kept.add(a);
            }
        }
        n = n.withAttachments(kept);
        Modification m = n.modification();
        if (m != null && m.deadline() != null && !now.isBefore(m.deadline())) {
            if (m.state().equals("modifying")) {
                // the new size and performance are usable from the optimizing phase on
                n = n.withConfig(m.targetType(), m.targetSize(), m.targetIops(), m.targetThroughput(), m.targetMultiAttach())
                        .withModification(m.withState("optimizing"));
                if (!now.isBefore(m.endTime())) n = n.withModification(m.withState("completed"));
            } else {
                n = n.withModification(m.withState("completed"));
            }
        }
        if (n.equals(v)) return;
        st.volumes.put(s, id, n);
        Modification nm = n.modification();
        if (nm != null && nm.state().equals("optimizing") && m != null && m.state().equals("modifying")) {
            st.oboro.scheduler().schedule(nm.endTime(), () -> settle(s, id));
        }
        for (String instanceId : detached) {
            st.instances.update(s, instanceId, old -> old == null ? null : old.withBlockDevices(old.blockDevices().stream()
                    .filter(d -> !d.volumeId().equals(id)).toList()));
        }
    }
}
