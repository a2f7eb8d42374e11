package dev.oboro.tests.ebs;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateVolumeRequest;
import software.amazon.awssdk.services.ec2.model.CreateVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesResponse;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttributeName;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static dev.oboro.tests.ebs.EbsFixtures.AZ;
import static dev.oboro.tests.ebs.EbsFixtures.fails;
import static dev.oboro.tests.ebs.EbsFixtures.filter;
import static dev.oboro.tests.ebs.EbsFixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CreateVolume for every type with its bounds, the volume states on the clock, describe, status and attributes. */
@ResourceLock(Oboro.CLOCK)
class VolumesTest {
    final String account = Oboro.newAccount();
    final Ec2Client ec2 = EbsFixtures.ec2(account);

    private CreateVolumeResponse create(Consumer<CreateVolumeRequest.Builder> c) {
        CreateVolumeRequest.Builder b = CreateVolumeRequest.builder().availabilityZone(AZ);
        c.accept(b);
        return ec2.createVolume(b.build());
    }

    @Test
    void everyTypeWithItsDefaultsMovesFromCreatingToAvailable() {
        CreateVolumeResponse gp2 = create(b -> b.size(10));
        assertEquals("gp2", gp2.volumeTypeAsString(), "gp2 is the default type");
        assertEquals(100, gp2.iops(), "gp2 has a floor of 100 IOPS");
        assertEquals("creating", gp2.stateAsString());
        assertEquals(300, create(b -> b.size(100).volumeType("gp2")).iops(), "gp2: 3 IOPS per GiB");
        assertEquals(16000, create(b -> b.size(16000).volumeType("gp2")).iops(), "gp2 tops out at 16,000 IOPS");
        CreateVolumeResponse gp3 = create(b -> b.size(20).volumeType("gp3"));
        assertEquals(3000, gp3.iops());
        assertEquals(125, gp3.throughput());
        CreateVolumeResponse gp3Fast = create(b -> b.size(100).volumeType("gp3").iops(16000).throughput(1000));
        assertEquals(16000, gp3Fast.iops());
        assertEquals(1000, gp3Fast.throughput());
        assertEquals(5000, create(b -> b.size(100).volumeType("io1").iops(5000)).iops());
        assertEquals(64000, create(b -> b.size(64).volumeType("io2").iops(64000)).iops());
        assertNull(create(b -> b.size(125).volumeType("st1")).iops());
        assertEquals("sc1", create(b -> b.size(125).volumeType("sc1")).volumeTypeAsString());
        assertEquals(1024, create(b -> b.size(1024).volumeType("standard")).size());

        assertEquals("creating", volume(ec2, gp2.volumeId()).stateAsString());
        assertEquals(1, ec2.describeVolumes(r -> r.filters(filter("status", "creating"), filter("size", "10"))).volumes().size());
        Oboro.advance(Duration.ofSeconds(6));
        Volume v = volume(ec2, gp2.volumeId());
        assertEquals("available", v.stateAsString());
        assertEquals(AZ, v.availabilityZone());
        assertFalse(v.encrypted());
        assertFalse(v.multiAttachEnabled());
        assertEquals("", v.snapshotId());
        assertTrue(v.attachments().isEmpty());
        assertEquals(10, ec2.describeVolumes(r -> r.filters(filter("status", "available"))).volumes().size());
    }

    @Test
    void eachTypesBoundsAreRefusedWithEc2sMessages() {
        fails("InvalidParameterValue", "Volume of 16385GiB is too large for volume type gp2; maximum is 16384GiB",
                () -> create(b -> b.size(16385)));
        fails("InvalidParameterValue", "Volume of 65537GiB is too large for volume type gp3; maximum is 65536GiB",
                () -> create(b -> b.size(65537).volumeType("gp3")));
        fails("InvalidParameterValue", "Volume of 16385GiB is too large for volume type io1; maximum is 16384GiB",
                () -> create(b -> b.size(16385).volumeType("io1").iops(1000)));
        fails("InvalidParameterValue", "Volume of 2000GiB is too large for volume type standard; maximum is 1024GiB",
                () -> create(b -> b.size(2000).volumeType("standard")));
        fails("InvalidParameterValue", "The volume size is invalid for st1 volumes: 100 GiB. st1 volumes must be at least 125 GiB in size. "
                + "Please specify a volume size above the minimum limit.", () -> create(b -> b.size(100).volumeType("st1")));
        fails("InvalidParameterValue", "The volume size is invalid for io2 volumes: 3 GiB. io2 volumes must be at least 4 GiB in size. "
                + "Please specify a volume size above the minimum limit.", () -> create(b -> b.size(3).volumeType("io2").iops(100)));
        fails("InvalidParameterCombination", "The parameter iops must be specified for io1 volumes.",
                () -> create(b -> b.size(100).volumeType("io1")));
        fails("InvalidParameterCombination", "The parameter iops is not supported for gp2 volumes.",
                () -> create(b -> b.size(100).iops(300)));
        fails("InvalidParameterCombination", "The parameter iops is not supported for st1 volumes.",
                () -> create(b -> b.size(500).volumeType("st1").iops(300)));
        fails("InvalidParameterCombination", "The parameter throughput is not supported for io2 volumes.",
                () -> create(b -> b.size(100).volumeType("io2").iops(1000).throughput(500)));
        fails("InvalidParameterValue", "Iops to volume size ratio of 100.000000 is too high; maximum is 50",
                () -> create(b -> b.size(10).volumeType("io1").iops(1000)));
        fails("InvalidParameterValue", "Iops to volume size ratio of 750.000000 is too high; maximum is 500",
                () -> create(b -> b.size(20).volumeType("gp3").iops(15000)));
        fails("InvalidParameterValue", "Iops to volume size ratio of 1250.000000 is too high; maximum is 1000",
                () -> create(b -> b.size(4).volumeType("io2").iops(5000)));
        fails("InvalidParameterValue", "Volume iops of 50 is too low; minimum is 100.",
                () -> create(b -> b.size(100).volumeType("io1").iops(50)));
        fails("InvalidParameterValue", "Volume iops of 2000 is too low; minimum is 3000.",
                () -> create(b -> b.size(100).volumeType("gp3").iops(2000)));
        fails("InvalidParameterValue", "Volume iops of 90000 is too high; maximum is 80000.",
                () -> create(b -> b.size(1000).volumeType("gp3").iops(90000)));
        fails("InvalidParameterValue", "Volume iops of 70000 is too high; maximum is 64000.",
                () -> create(b -> b.size(16000).volumeType("io1").iops(70000)));
        fails("InvalidParameterValue", "Volume throughput of 2500 is too high; maximum is 2000.",
                () -> create(b -> b.size(1000).volumeType("gp3").iops(16000).throughput(2500)));
        fails("InvalidParameterValue", "Throughput (MiBps) to iops ratio of 0.333333 is too high; maximum is 0.250000 MiBps per iops",
                () -> create(b -> b.size(100).volumeType("gp3").throughput(1000)));
        fails("InvalidParameterValue", null, () -> create(b -> b.size(10).volumeType("gp4")));
        fails("MissingParameter", null, () -> ec2.createVolume(r -> r.availabilityZone(AZ).volumeType("gp3")));
        fails("InvalidParameterValue", "Invalid availability zone: [us-east-1z]", () -> ec2.createVolume(r -> r.availabilityZone("us-east-1z").size(1)));
        var dry = org.junit.jupiter.api.Assertions.assertThrows(software.amazon.awssdk.services.ec2.model.Ec2Exception.class,
                () -> create(b -> b.size(1).dryRun(true)));
        assertEquals("DryRunOperation", dry.awsErrorDetails().errorCode());
        assertTrue(ec2.describeVolumes().volumes().isEmpty(), "nothing was created by a refused request");
    }

    @Test
    void deleteGoesThroughDeletingThenTheVolumeIsGone() {
        String id = EbsFixtures.availableVolume(ec2, AZ, 8, "gp3");
        ec2.deleteVolume(r -> r.volumeId(id));
        assertEquals("deleting", volume(ec2, id).stateAsString());
        Oboro.advance(Duration.ofSeconds(6));
        fails("InvalidVolume.NotFound", "The volume 'vol-0123456789abcdef0' does not exist.",
                () -> ec2.describeVolumes(r -> r.volumeIds("vol-0123456789abcdef0")));
        fails("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.", () -> ec2.describeVolumes(r -> r.volumeIds(id)));
        fails("InvalidVolume.NotFound", null, () -> ec2.deleteVolume(r -> r.volumeId(id)));
        fails("InvalidVolumeID.Malformed", null, () -> ec2.deleteVolume(r -> r.volumeId("volume-1")));
    }

    @Test
    void describeFiltersTagsAndPages() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            int n = i;
            ids.add(create(b -> b.size(10 + n).volumeType(n % 2 == 0 ? "gp3" : "gp2").tagSpecifications(TagSpecification.builder()
                    .resourceType(ResourceType.VOLUME).tags(Tag.builder().key("team").value(n < 3 ? "a" : "b").build()).build())).volumeId());
        }
        assertEquals(4, ec2.describeVolumes(r -> r.filters(filter("volume-type", "gp3"))).volumes().size());
        assertEquals(3, ec2.describeVolumes(r -> r.filters(filter("tag:team", "a"))).volumes().size());
        assertEquals(7, ec2.describeVolumes(r -> r.filters(filter("tag-key", "team"))).volumes().size());
        assertEquals(2, ec2.describeVolumes(r -> r.filters(filter("size", "10", "11"))).volumes().size());
        assertEquals(7, ec2.describeVolumes(r -> r.filters(filter("availability-zone", "us-east-1*"))).volumes().size());
        assertEquals("b", volume(ec2, ids.get(5)).tags().get(0).value());
        fails("InvalidParameterValue", "The filter 'colour' is invalid", () -> ec2.describeVolumes(r -> r.filters(filter("colour", "red"))));

        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            DescribeVolumesResponse page = ec2.describeVolumes(r -> r.maxResults(5).nextToken(t));
            assertTrue(page.volumes().size() <= 5);
            page.volumes().forEach(v -> seen.add(v.volumeId()));
            token = page.nextToken();
        } while (token != null);
        assertEquals(ids.stream().sorted().toList(), seen.stream().sorted().toList());
        assertEquals(7, seen.stream().distinct().count());
        fails("InvalidParameterValue", null, () -> ec2.describeVolumes(r -> r.maxResults(3)));
        fails("InvalidParameterCombination", null, () -> ec2.describeVolumes(r -> r.maxResults(5).volumeIds(ids.get(0))));
    }

    @Test
    void statusAndAttributes() {
        String creating = create(b -> b.size(5)).volumeId();
        var st = ec2.describeVolumeStatus(r -> r.volumeIds(creating)).volumeStatuses().get(0);
        assertEquals("insufficient-data", st.volumeStatus().statusAsString());
        Oboro.advance(Duration.ofSeconds(6));
        st = ec2.describeVolumeStatus(r -> r.volumeIds(creating)).volumeStatuses().get(0);
        assertEquals("ok", st.volumeStatus().statusAsString());
        assertEquals(AZ, st.availabilityZone());
        assertEquals("io-enabled", st.volumeStatus().details().get(0).nameAsString());
        assertEquals("passed", st.volumeStatus().details().get(0).status());
        assertEquals(1, ec2.describeVolumeStatus(r -> r.filters(filter("volume-status.status", "ok"))).volumeStatuses().size());

        assertFalse(ec2.describeVolumeAttribute(r -> r.volumeId(creating).attribute(VolumeAttributeName.AUTO_ENABLE_IO)).autoEnableIO().value());
        ec2.modifyVolumeAttribute(r -> r.volumeId(creating).autoEnableIO(a -> a.value(true)));
        assertTrue(ec2.describeVolumeAttribute(r -> r.volumeId(creating).attribute(VolumeAttributeName.AUTO_ENABLE_IO)).autoEnableIO().value());
        assertTrue(ec2.describeVolumeAttribute(r -> r.volumeId(creating).attribute(VolumeAttributeName.PRODUCT_CODES)).productCodes().isEmpty());
        ec2.enableVolumeIO(r -> r.volumeId(creating));
        fails("InvalidParameterValue", null, () -> ec2.describeVolumeAttribute(r -> r.volumeId(creating).attribute("colour")));
        fails("InvalidVolume.NotFound", null, () -> ec2.describeVolumeAttribute(r -> r.volumeId("vol-00000000000000000")
                .attribute(VolumeAttributeName.AUTO_ENABLE_IO)));
    }

    @Test
    void fromASnapshotTheSizeDefaultsToTheSnapshotsAndMayNotBeSmaller() {
        String vol = EbsFixtures.availableVolume(ec2, AZ, 50, "gp3");
        String snap = ec2.createSnapshot(r -> r.volumeId(vol)).snapshotId();
        fails("IncorrectState", "Snapshot is in invalid state - pending", () -> ec2.createVolume(r -> r.availabilityZone(AZ).snapshotId(snap)));
        Oboro.advance(Duration.ofSeconds(61));
        CreateVolumeResponse restored = ec2.createVolume(r -> r.availabilityZone(EbsFixtures.OTHER_AZ).snapshotId(snap).volumeType("gp3"));
        assertEquals(50, restored.size());
        assertEquals(snap, restored.snapshotId());
        assertEquals(80, ec2.createVolume(r -> r.availabilityZone(AZ).snapshotId(snap).size(80)).size());
        fails("InvalidParameterValue", "Volume of size 20GB is smaller than snapshot, expect size >= 50GB",
                () -> ec2.createVolume(r -> r.availabilityZone(AZ).snapshotId(snap).size(20)));
        fails("InvalidSnapshot.NotFound", "The snapshot 'snap-0123456789abcdef0' does not exist.",
                () -> ec2.createVolume(r -> r.availabilityZone(AZ).snapshotId("snap-0123456789abcdef0")));
        assertEquals(2, ec2.describeVolumes(r -> r.filters(filter("snapshot-id", snap))).volumes().size());
        assertNotNull(volume(ec2, restored.volumeId()).createTime());
    }
}
