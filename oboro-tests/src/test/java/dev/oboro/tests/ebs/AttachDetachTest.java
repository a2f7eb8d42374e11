package dev.oboro.tests.ebs;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DetachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMappingSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;

import java.time.Duration;
import java.util.List;

import static dev.oboro.tests.ebs.EbsFixtures.AZ;
import static dev.oboro.tests.ebs.EbsFixtures.OTHER_AZ;
import static dev.oboro.tests.ebs.EbsFixtures.fails;
import static dev.oboro.tests.ebs.EbsFixtures.filter;
import static dev.oboro.tests.ebs.EbsFixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AttachVolume and DetachVolume: attachment states on the clock, the instance's block devices in step, and the rules. */
@ResourceLock(Oboro.CLOCK)
class AttachDetachTest {
    final String account = Oboro.newAccount();
    final Ec2Client ec2 = EbsFixtures.ec2(account);

    private Instance describe(String id) {
        return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    private static List<String> devices(Instance i) {
        return i.blockDeviceMappings().stream().map(InstanceBlockDeviceMapping::deviceName).sorted().toList();
    }

    @Test
    void attachAndDetachMoveThroughTheirStatesAndTheInstanceFollows() {
        Instance i = EbsFixtures.running(ec2, "t3.micro", AZ);
        String vol = EbsFixtures.availableVolume(ec2, AZ, 20, "gp3");
        AttachVolumeResponse a = ec2.attachVolume(r -> r.volumeId(vol).instanceId(i.instanceId()).device("/dev/sdf"));
        assertEquals("attaching", a.stateAsString());
        assertEquals("/dev/sdf", a.device());
        Volume v = volume(ec2, vol);
        assertEquals("in-use", v.stateAsString());
        assertEquals("attaching", v.attachments().get(0).stateAsString());
        assertEquals(List.of("/dev/sdf", "/dev/xvda"), devices(describe(i.instanceId())));
        Oboro.advance(Duration.ofSeconds(4));
        v = volume(ec2, vol);
        assertEquals("attached", v.attachments().get(0).stateAsString());
        assertEquals(i.instanceId(), v.attachments().get(0).instanceId());
        assertFalse(v.attachments().get(0).deleteOnTermination());
        assertEquals(1, ec2.describeVolumes(r -> r.filters(filter("attachment.instance-id", i.instanceId()),
                filter("attachment.device", "/dev/sdf"))).volumes().size());

        fails("VolumeInUse", "Volume " + vol + " is currently attached to " + i.instanceId(), () -> ec2.deleteVolume(r -> r.volumeId(vol)));

        DetachVolumeResponse d = ec2.detachVolume(r -> r.volumeId(vol));
        assertEquals("detaching", d.stateAsString());
        assertEquals(i.instanceId(), d.instanceId());
        fails("IncorrectState", "Volume '" + vol + "' is in the 'detaching' state.", () -> ec2.detachVolume(r -> r.volumeId(vol)));
        Oboro.advance(Duration.ofSeconds(6));
        v = volume(ec2, vol);
        assertEquals("available", v.stateAsString());
        assertTrue(v.attachments().isEmpty());
        assertEquals(List.of("/dev/xvda"), devices(describe(i.instanceId())));
        fails("IncorrectState", "Volume '" + vol + "' is in the 'available' state.", () -> ec2.detachVolume(r -> r.volumeId(vol)));
        ec2.deleteVolume(r -> r.volumeId(vol));
    }

    @Test
    void attachRules() {
        Instance i = EbsFixtures.running(ec2, "t3.micro", AZ);
        Instance other = EbsFixtures.running(ec2, "t3.micro", AZ);
        String vol = EbsFixtures.availableVolume(ec2, AZ, 20, "gp2");
        String far = EbsFixtures.availableVolume(ec2, OTHER_AZ, 20, "gp2");
        fails("InvalidVolume.ZoneMismatch", "The volume '" + far + "' is not in the same availability zone as instance '" + i.instanceId() + "'",
                () -> ec2.attachVolume(r -> r.volumeId(far).instanceId(i.instanceId()).device("/dev/sdf")));
        fails("InvalidParameterValue", "Invalid value '/dev/xvda' for unixDevice. Attachment point /dev/xvda is already in use",
                () -> ec2.attachVolume(r -> r.volumeId(vol).instanceId(i.instanceId()).device("/dev/xvda")));
        fails("InvalidParameterValue", "Value (disk1) for parameter device is invalid. disk1 is not a valid EBS device name.",
                () -> ec2.attachVolume(r -> r.volumeId(vol).instanceId(i.instanceId()).device("disk1")));
        fails("InvalidInstanceID.NotFound", null, () -> ec2.attachVolume(r -> r.volumeId(vol).instanceId("i-0123456789abcdef0").device("/dev/sdf")));
        String fresh = ec2.createVolume(r -> r.availabilityZone(AZ).size(1)).volumeId();
        fails("IncorrectState", "Volume '" + fresh + "'is in the 'creating' state.",
                () -> ec2.attachVolume(r -> r.volumeId(fresh).instanceId(i.instanceId()).device("/dev/sdg")));

        ec2.attachVolume(r -> r.volumeId(vol).instanceId(i.instanceId()).device("/dev/sdf"));
        fails("VolumeInUse", vol + " is already attached to an instance",
                () -> ec2.attachVolume(r -> r.volumeId(vol).instanceId(other.instanceId()).device("/dev/sdf")));
        fails("IncorrectState", "Volume '" + vol + "' is in the 'attaching' state.", () -> ec2.detachVolume(r -> r.volumeId(vol)));
        // force detaches even an attachment that has not completed
        assertEquals("detaching", ec2.detachVolume(r -> r.volumeId(vol).force(true)).stateAsString());
        Oboro.advance(Duration.ofSeconds(2));
        assertEquals("available", volume(ec2, vol).stateAsString());

        String root = describe(i.instanceId()).blockDeviceMappings().get(0).ebs().volumeId();
        fails("IncorrectState", "Unable to detach root volume '" + root + "' from instance '" + i.instanceId() + "'",
                () -> ec2.detachVolume(r -> r.volumeId(root)));
        ec2.stopInstances(r -> r.instanceIds(i.instanceId()));
        Oboro.advance(Duration.ofSeconds(15));
        // a stopped instance's root volume may be detached, and volumes attach to stopped instances
        ec2.detachVolume(r -> r.volumeId(root));
        ec2.attachVolume(r -> r.volumeId(vol).instanceId(i.instanceId()).device("/dev/sdh"));
        Oboro.advance(Duration.ofSeconds(6));
        assertEquals(List.of("/dev/sdh"), devices(describe(i.instanceId())));
        assertEquals("available", volume(ec2, root).stateAsString());
    }

    @Test
    void deleteOnTerminationIsHonouredWhenTheInstanceTerminates() {
        Instance i = EbsFixtures.running(ec2, "t3.micro", AZ);
        String keep = EbsFixtures.availableVolume(ec2, AZ, 10, "gp3");
        String drop = EbsFixtures.availableVolume(ec2, AZ, 11, "gp3");
        ec2.attachVolume(r -> r.volumeId(keep).instanceId(i.instanceId()).device("/dev/sdf"));
        ec2.attachVolume(r -> r.volumeId(drop).instanceId(i.instanceId()).device("/dev/sdg"));
        Oboro.advance(Duration.ofSeconds(4));
        ec2.modifyInstanceAttribute(r -> r.instanceId(i.instanceId()).blockDeviceMappings(InstanceBlockDeviceMappingSpecification.builder()
                .deviceName("/dev/sdg").ebs(e -> e.deleteOnTermination(true)).build()));
        assertTrue(volume(ec2, drop).attachments().get(0).deleteOnTermination());
        assertFalse(volume(ec2, keep).attachments().get(0).deleteOnTermination());
        ec2.terminateInstances(r -> r.instanceIds(i.instanceId()));
        Oboro.advance(Duration.ofSeconds(15));
        assertEquals("available", volume(ec2, keep).stateAsString());
        assertTrue(ec2.describeVolumes(r -> r.filters(filter("volume-id", drop))).volumes().isEmpty());
        fails("InvalidInstanceID.NotFound", null, () -> ec2.attachVolume(r -> r.volumeId(keep).instanceId(i.instanceId()).device("/dev/sdf")));
    }
}
