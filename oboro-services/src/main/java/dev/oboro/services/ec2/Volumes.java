package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesResponse;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * EBS volumes and snapshots as far as instances and images need them. The internal API
 * ({@link #createForInstance}, {@link #onInstanceTerminated}, {@link #snapshotForImage}) is what
 * RunInstances, TerminateInstances and CreateImage use; the EBS work grows the rest here
 * (CreateVolume, attach/detach, modification, encryption, ...).
 */
final class Volumes {
    /** Snapshots of an image's volumes complete this long after they start. */
    static final Duration SNAPSHOT_TIME = Duration.ofSeconds(60);

    record Vol(String id, int size, String type, Integer iops, Integer throughput, String az, String snapshotId,
               boolean encrypted, String kmsKeyId, String state, Instant createTime, String instanceId, String device,
               Instant attachTime, boolean deleteOnTermination) {
        Vol detached() {
            return new Vol(id, size, type, iops, throughput, az, snapshotId, encrypted, kmsKeyId, "available", createTime, null, null,
                    null, false);
        }

        Vol withDeleteOnTermination(boolean dot) {
            return new Vol(id, size, type, iops, throughput, az, snapshotId, encrypted, kmsKeyId, state, createTime, instanceId, device,
                    attachTime, dot);
        }
    }

    record Snap(String id, String volumeId, int size, String description, Instant startTime, Instant completeAt,
                boolean encrypted, String kmsKeyId) {
        String state(Instant now) {
            return now.isBefore(completeAt) ? "pending" : "completed";
        }
    }

    /** What a block device mapping asks of a volume. */
    record Spec(String snapshotId, Integer size, String type, Integer iops, Integer throughput, boolean encrypted, String kmsKeyId,
                boolean deleteOnTermination) {
    }

    private final Ec2State st;
    private final Filters<Vol> volumeFilters;
    private final Filters<Snap> snapshotFilters;

    Volumes(Ec2State st) {
        this.st = st;
        volumeFilters = new Filters<>(Map.<String, Function<Vol, Collection<String>>>ofEntries(
                Map.entry("attachment.instance-id", v -> Vpcs.opt(v.instanceId())),
                Map.entry("attachment.device", v -> Vpcs.opt(v.device())),
                Map.entry("attachment.delete-on-termination", v -> v.instanceId() == null ? List.of() : List.of(Boolean.toString(v.deleteOnTermination()))),
                Map.entry("attachment.status", v -> v.instanceId() == null ? List.of() : List.of("attached")),
                Map.entry("availability-zone", v -> List.of(v.az())),
                Map.entry("encrypted", v -> List.of(Boolean.toString(v.encrypted()))),
                Map.entry("size", v -> List.of(Integer.toString(v.size()))),
                Map.entry("snapshot-id", v -> Vpcs.opt(v.snapshotId())),
                Map.entry("status", v -> List.of(v.state())),
                Map.entry("volume-id", v -> List.of(v.id())),
                Map.entry("volume-type", v -> List.of(v.type())),
                Map.entry("tag:", v -> st.tags.pairs(FilterScope.get(), v.id())),
                Map.entry("tag-key", v -> st.tags.keys(FilterScope.get(), v.id()))));
        snapshotFilters = new Filters<>(Map.<String, Function<Snap, Collection<String>>>of(
                "snapshot-id", n -> List.of(n.id()),
                "volume-id", n -> List.of(n.volumeId()),
                "description", n -> List.of(n.description()),
                "status", n -> List.of(n.state(st.oboro.clock().instant())),
                "owner-id", n -> List.of(FilterScope.get().account()),
                "tag:", n -> st.tags.pairs(FilterScope.get(), n.id())));
    }

    /** Creates a volume attached to an instance from a block device mapping (in-use at once). */
    static Vol createForInstance(Ec2State st, Scope s, String az, Spec spec, String instanceId, String device, Instant now) {
        String type = spec.type() == null ? "gp2" : spec.type();
        Integer iops = spec.iops();
        Integer throughput = spec.throughput();
        if (type.equals("gp3")) {
            if (iops == null) iops = 3000;
            if (throughput == null) throughput = 125;
        } else if (type.equals("gp2")) {
            iops = Math.min(16000, Math.max(100, 3 * (spec.size() == null ? 8 : spec.size())));
        }
        String id = Ids.ec2("vol");
        Vol v = new Vol(id, spec.size() == null ? 8 : spec.size(), type, iops, throughput, az, spec.snapshotId(), spec.encrypted(),
                spec.kmsKeyId(), "in-use", now, instanceId, device, now, spec.deleteOnTermination());
        st.volumes.put(s, id, v);
        return v;
    }

    /** At termination: DeleteOnTermination volumes are deleted, the others detached and available. */
    static void onInstanceTerminated(Ec2State st, Scope s, String instanceId, List<String> volumeIds) {
        for (String volumeId : volumeIds) {
            Vol v = st.volumes.get(s, volumeId);
            if (v == null || !instanceId.equals(v.instanceId())) continue;
            if (v.deleteOnTermination()) {
                st.volumes.remove(s, v.id());
                st.tags.remove(s, v.id());
            } else {
                st.volumes.put(s, v.id(), v.detached());
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

    DescribeVolumesResponse describeVolumes(Call call, DescribeVolumesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeVolumes");
        Scope s = st.scope(call);
        List<Vol> all = new ArrayList<>(st.volumes.values(s));
        if (req.hasVolumeIds() && !req.volumeIds().isEmpty()) {
            List<String> missing = req.volumeIds().stream().filter(id -> !st.volumes.contains(s, id)).toList();
            if (!missing.isEmpty()) throw Ec2Errors.notFound("InvalidVolume.NotFound", "volume", missing);
            all.removeIf(v -> !req.volumeIds().contains(v.id()));
        }
        List<Vol> matched = FilterScope.in(s, () -> volumeFilters.apply(req.filters(), all));
        DescribeVolumesResponse.Builder b = DescribeVolumesResponse.builder();
        Pagination.Page<Vol> page = Pagination.page(call, req, matched, Vol::id, b);
        return b.volumes(page.items().stream().map(v -> software.amazon.awssdk.services.ec2.model.Volume.builder()
                .volumeId(v.id()).size(v.size()).volumeType(v.type()).iops(v.iops()).throughput(v.throughput())
                .availabilityZone(v.az()).snapshotId(v.snapshotId() == null ? "" : v.snapshotId()).encrypted(v.encrypted())
                .kmsKeyId(v.kmsKeyId()).state(v.state()).createTime(v.createTime()).multiAttachEnabled(false)
                .attachments(v.instanceId() == null ? List.of() : List.of(VolumeAttachment.builder().volumeId(v.id())
                        .instanceId(v.instanceId()).device(v.device()).state("attached").attachTime(v.attachTime())
                        .deleteOnTermination(v.deleteOnTermination()).build()))
                .tags(st.tags.sdk(s, v.id())).build()).toList()).build();
    }

    DescribeSnapshotsResponse describeSnapshots(Call call, DescribeSnapshotsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSnapshots");
        Scope s = st.scope(call);
        List<Snap> all = new ArrayList<>(st.snapshots.values(s));
        if (req.hasSnapshotIds() && !req.snapshotIds().isEmpty()) {
            List<String> missing = req.snapshotIds().stream().filter(id -> !st.snapshots.contains(s, id)).toList();
            if (!missing.isEmpty()) throw Ec2Errors.notFound("InvalidSnapshot.NotFound", "snapshot", missing);
            all.removeIf(n -> !req.snapshotIds().contains(n.id()));
        }
        Instant now = call.now();
        List<Snap> matched = FilterScope.in(s, () -> snapshotFilters.apply(req.filters(), all));
        DescribeSnapshotsResponse.Builder b = DescribeSnapshotsResponse.builder();
        Pagination.Page<Snap> page = Pagination.page(call, req, matched, Snap::id, b);
        return b.snapshots(page.items().stream().map(n -> software.amazon.awssdk.services.ec2.model.Snapshot.builder()
                .snapshotId(n.id()).volumeId(n.volumeId()).volumeSize(n.size()).description(n.description())
                .state(n.state(now)).progress(n.state(now).equals("completed") ? "100%" : "0%").startTime(n.startTime())
                .ownerId(s.account()).encrypted(n.encrypted()).kmsKeyId(n.kmsKeyId()).storageTier("standard")
                .tags(st.tags.sdk(s, n.id())).build()).toList()).build();
    }
}
