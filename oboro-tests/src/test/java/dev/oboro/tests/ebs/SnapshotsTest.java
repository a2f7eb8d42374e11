package dev.oboro.tests.ebs;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CopyTagsFromSource;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotResponse;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;
import software.amazon.awssdk.services.ec2.model.SnapshotInfo;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.oboro.tests.ebs.EbsFixtures.AZ;
import static dev.oboro.tests.ebs.EbsFixtures.fails;
import static dev.oboro.tests.ebs.EbsFixtures.filter;
import static dev.oboro.tests.ebs.EbsFixtures.snapshot;
import static dev.oboro.tests.ebs.EbsFixtures.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snapshots: pending with progress → completed, sets for an instance, copies, deletion rules, describe and sharing. */
@ResourceLock(Oboro.CLOCK)
class SnapshotsTest {
    final String account = Oboro.newAccount();
    final Ec2Client ec2 = EbsFixtures.ec2(account);

    @Test
    void aSnapshotIsPendingWithProgressThenCompleted() {
        String vol = EbsFixtures.availableVolume(ec2, AZ, 30, "gp3");
        CreateSnapshotResponse c = ec2.createSnapshot(r -> r.volumeId(vol).description("nightly")
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.SNAPSHOT).tags(Tag.builder().key("k").value("v").build()).build()));
        assertEquals("pending", c.stateAsString());
        assertEquals(account, c.ownerId());
        assertEquals(30, c.volumeSize());
        assertEquals(Map.of("k", "v"), tags(c.tags()));
        Snapshot s = snapshot(ec2, c.snapshotId());
        assertEquals("0%", s.progress());
        assertEquals("nightly", s.description());
        assertEquals(vol, s.volumeId());
        Oboro.advance(Duration.ofSeconds(30));
        assertEquals("50%", snapshot(ec2, c.snapshotId()).progress());
        assertEquals("pending", snapshot(ec2, c.snapshotId()).stateAsString());
        Oboro.advance(Duration.ofSeconds(31));
        s = snapshot(ec2, c.snapshotId());
        assertEquals("completed", s.stateAsString());
        assertEquals("100%", s.progress());
        assertEquals(1, ec2.describeSnapshots(r -> r.ownerIds("self").filters(filter("status", "completed"), filter("tag:k", "v"))).snapshots().size());
        fails("InvalidParameterValue", null, () -> ec2.createSnapshot(r -> r.volumeId(vol).tagSpecifications(TagSpecification.builder()
                .resourceType(ResourceType.SNAPSHOT).tags(Tag.builder().key("aws:dlm:lifecycle-policy-id").value("x").build()).build())));
        fails("InvalidVolume.NotFound", null, () -> ec2.createSnapshot(r -> r.volumeId("vol-0123456789abcdef0")));
    }

    @Test
    void createSnapshotsTakesACrashConsistentSetOfAnInstance() {
        Instance i = EbsFixtures.running(ec2, "t3.micro", AZ);
        String data = EbsFixtures.availableVolume(ec2, AZ, 40, "gp3");
        String extra = EbsFixtures.availableVolume(ec2, AZ, 41, "gp3");
        ec2.createTags(r -> r.resources(data).tags(Tag.builder().key("role").value("db").build()));
        ec2.attachVolume(r -> r.volumeId(data).instanceId(i.instanceId()).device("/dev/sdf"));
        ec2.attachVolume(r -> r.volumeId(extra).instanceId(i.instanceId()).device("/dev/sdg"));
        Oboro.advance(Duration.ofSeconds(4));
        List<SnapshotInfo> all = ec2.createSnapshots(r -> r.instanceSpecification(s -> s.instanceId(i.instanceId()))
                .description("set").copyTagsFromSource(CopyTagsFromSource.VOLUME)).snapshots();
        assertEquals(3, all.size());
        assertEquals(1, all.stream().map(SnapshotInfo::startTime).distinct().count(), "one point in time");
        SnapshotInfo db = all.stream().filter(n -> n.volumeId().equals(data)).findFirst().orElseThrow();
        assertEquals(Map.of("role", "db"), tags(db.tags()));
        assertEquals(40, db.volumeSize());
        List<SnapshotInfo> dataOnly = ec2.createSnapshots(r -> r.instanceSpecification(s -> s.instanceId(i.instanceId())
                .excludeBootVolume(true).excludeDataVolumeIds(extra))).snapshots();
        assertEquals(List.of(data), dataOnly.stream().map(SnapshotInfo::volumeId).toList());
        fails("InvalidInstanceID.NotFound", null, () -> ec2.createSnapshots(r -> r.instanceSpecification(s -> s.instanceId("i-0123456789abcdef0"))));
    }

    @Test
    void copiesWithinAndAcrossRegions() {
        String vol = EbsFixtures.availableVolume(ec2, AZ, 12, "gp3");
        String snap = ec2.createSnapshot(r -> r.volumeId(vol)).snapshotId();
        fails("IncorrectState", "Snapshot is in invalid state - pending", () -> ec2.copySnapshot(r -> r.destinationRegion("us-east-1").sourceRegion("us-east-1").sourceSnapshotId(snap)));
        Oboro.advance(Duration.ofSeconds(61));
        String local = ec2.copySnapshot(r -> r.destinationRegion("us-east-1").sourceRegion("us-east-1").sourceSnapshotId(snap)).snapshotId();
        Snapshot l = snapshot(ec2, local);
        assertEquals("[Copied " + snap + " from us-east-1]", l.description());
        assertEquals("pending", l.stateAsString());
        assertEquals(12, l.volumeSize());
        try (Ec2Client west = EbsFixtures.ec2(account, "us-west-2")) {
            String remote = west.copySnapshot(r -> r.destinationRegion("us-west-2").sourceRegion("us-east-1").sourceSnapshotId(snap).description("dr")
                    .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.SNAPSHOT).tags(Tag.builder().key("copy").value("dr").build()).build()))
                    .snapshotId();
            Snapshot r = snapshot(west, remote);
            assertEquals("dr", r.description());
            assertEquals(Map.of("copy", "dr"), tags(r.tags()));
            fails("InvalidSnapshot.NotFound", null, () -> ec2.describeSnapshots(q -> q.snapshotIds(remote)));
            Oboro.advance(Duration.ofSeconds(61));
            assertEquals("completed", snapshot(west, remote).stateAsString());
            assertEquals(12, west.createVolume(q -> q.availabilityZone("us-west-2a").snapshotId(remote)).size());
            fails("InvalidSnapshot.NotFound", null, () -> west.copySnapshot(q -> q.destinationRegion("us-west-2").sourceRegion("us-east-1").sourceSnapshotId("snap-0123456789abcdef0")));
        }
        fails("MissingParameter", null, () -> ec2.copySnapshot(r -> r.presignedUrl("https://ec2.us-east-1.amazonaws.com/").sourceSnapshotId(snap)));
    }

    @Test
    void aSnapshotAnImageUsesCannotBeDeleted() {
        String vol = EbsFixtures.availableVolume(ec2, AZ, 8, "gp3");
        String snap = ec2.createSnapshot(r -> r.volumeId(vol)).snapshotId();
        Oboro.advance(Duration.ofSeconds(61));
        String ami = ec2.registerImage(r -> r.name("from-snap").rootDeviceName("/dev/xvda").architecture("x86_64")
                .virtualizationType("hvm").blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda")
                        .ebs(e -> e.snapshotId(snap)).build())).imageId();
        fails("InvalidSnapshot.InUse", "The snapshot " + snap + " is currently in use by " + ami, () -> ec2.deleteSnapshot(r -> r.snapshotId(snap)));
        ec2.deregisterImage(r -> r.imageId(ami));
        ec2.deleteSnapshot(r -> r.snapshotId(snap));
        fails("InvalidSnapshot.NotFound", "The snapshot '" + snap + "' does not exist.", () -> ec2.describeSnapshots(r -> r.snapshotIds(snap)));
        fails("InvalidSnapshot.NotFound", null, () -> ec2.deleteSnapshot(r -> r.snapshotId(snap)));
        fails("InvalidSnapshotID.Malformed", null, () -> ec2.deleteSnapshot(r -> r.snapshotId("snapshot-1")));
    }

    @Test
    void describeWithOwnersFiltersAndPages() {
        String vol = EbsFixtures.availableVolume(ec2, AZ, 5, "gp3");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            ids.add(ec2.createSnapshot(r -> r.volumeId(vol).description(n < 3 ? "daily" : "weekly")).snapshotId());
        }
        assertEquals(3, ec2.describeSnapshots(r -> r.filters(filter("description", "daily"))).snapshots().size());
        assertEquals(8, ec2.describeSnapshots(r -> r.ownerIds(account)).snapshots().size());
        assertEquals(8, ec2.describeSnapshots(r -> r.filters(filter("volume-id", vol), filter("owner-id", account))).snapshots().size());
        assertEquals(0, ec2.describeSnapshots(r -> r.ownerIds("amazon")).snapshots().size());
        assertEquals(8, ec2.describeSnapshots(r -> r.filters(filter("volume-size", "5"), filter("encrypted", "false"))).snapshots().size());
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            DescribeSnapshotsResponse page = ec2.describeSnapshots(r -> r.ownerIds("self").maxResults(5).nextToken(t));
            page.snapshots().forEach(n -> seen.add(n.snapshotId()));
            token = page.nextToken();
        } while (token != null);
        assertEquals(ids.stream().sorted().toList(), seen);
        fails("InvalidParameterValue", null, () -> ec2.describeSnapshots(r -> r.maxResults(2)));
    }

    @Test
    void sharingThroughCreateVolumePermission() {
        String other = Oboro.newAccount();
        try (Ec2Client them = EbsFixtures.ec2(other)) {
            String vol = EbsFixtures.availableVolume(ec2, AZ, 9, "gp3");
            String snap = ec2.createSnapshot(r -> r.volumeId(vol)).snapshotId();
            Oboro.advance(Duration.ofSeconds(61));
            fails("InvalidSnapshot.NotFound", null, () -> them.describeSnapshots(r -> r.snapshotIds(snap)));
            assertTrue(them.describeSnapshots(r -> r.restorableByUserIds("self")).snapshots().isEmpty());

            ec2.modifySnapshotAttribute(r -> r.snapshotId(snap).attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)
                    .createVolumePermission(p -> p.add(CreateVolumePermission.builder().userId(other).build())));
            assertEquals(List.of(other), ec2.describeSnapshotAttribute(r -> r.snapshotId(snap).attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION))
                    .createVolumePermissions().stream().map(CreateVolumePermission::userId).toList());
            Snapshot seen = them.describeSnapshots(r -> r.restorableByUserIds("self")).snapshots().get(0);
            assertEquals(snap, seen.snapshotId());
            assertEquals(account, seen.ownerId());
            assertEquals(1, them.describeSnapshots(r -> r.ownerIds(account)).snapshots().size());
            assertEquals(1, ec2.describeSnapshots(r -> r.restorableByUserIds(other)).snapshots().size());
            assertEquals(9, them.createVolume(r -> r.availabilityZone(AZ).snapshotId(snap)).size());
            fails("InvalidSnapshot.NotFound", null, () -> them.deleteSnapshot(r -> r.snapshotId(snap)));

            ec2.modifySnapshotAttribute(r -> r.snapshotId(snap).attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)
                    .operationType("remove").userIds(other));
            assertTrue(them.describeSnapshots(r -> r.restorableByUserIds("self")).snapshots().isEmpty());

            ec2.modifySnapshotAttribute(r -> r.snapshotId(snap).attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)
                    .createVolumePermission(p -> p.add(CreateVolumePermission.builder().group("all").build())));
            assertEquals("all", ec2.describeSnapshotAttribute(r -> r.snapshotId(snap).attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION))
                    .createVolumePermissions().get(0).groupAsString());
            assertEquals(1, them.describeSnapshots(r -> r.restorableByUserIds("all")).snapshots().size());
            assertTrue(them.describeSnapshots(r -> r.snapshotIds(snap)).snapshots().get(0).tags().isEmpty(), "tags are the owner's");

            ec2.resetSnapshotAttribute(r -> r.snapshotId(snap).attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION));
            assertTrue(ec2.describeSnapshotAttribute(r -> r.snapshotId(snap).attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION))
                    .createVolumePermissions().isEmpty());
            assertFalse(them.describeSnapshots().snapshots().stream().anyMatch(n -> n.snapshotId().equals(snap)));
            fails("InvalidParameterValue", "Invalid value '12345' for userId. It should be a 12-digit AWS account number.",
                    () -> ec2.modifySnapshotAttribute(r -> r.snapshotId(snap).attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)
                            .operationType("add").userIds("12345")));
        }
    }
}
