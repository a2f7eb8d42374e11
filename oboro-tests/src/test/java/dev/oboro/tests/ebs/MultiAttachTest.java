package dev.oboro.tests.ebs;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Volume;

import java.time.Duration;
import java.util.List;

import static dev.oboro.tests.ebs.EbsFixtures.AZ;
import static dev.oboro.tests.ebs.EbsFixtures.OTHER_AZ;
import static dev.oboro.tests.ebs.EbsFixtures.fails;
import static dev.oboro.tests.ebs.EbsFixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Multi-Attach: io1/io2 only, up to 16 Nitro instances in the volume's zone. */
@ResourceLock(Oboro.CLOCK)
class MultiAttachTest {
    final String account = Oboro.newAccount();
    final Ec2Client ec2 = EbsFixtures.ec2(account);

    @Test
    void onlyProvisionedIopsVolumesMayEnableIt() {
        fails("InvalidParameterCombination", "The parameter multiAttachEnabled is not supported for gp3 volumes.",
                () -> ec2.createVolume(r -> r.availabilityZone(AZ).size(10).volumeType("gp3").multiAttachEnabled(true)));
        fails("InvalidParameterCombination", "The parameter multiAttachEnabled is not supported for gp2 volumes.",
                () -> ec2.createVolume(r -> r.availabilityZone(AZ).size(10).multiAttachEnabled(true)));
        assertTrue(ec2.createVolume(r -> r.availabilityZone(AZ).size(10).volumeType("io1").iops(100).multiAttachEnabled(true)).multiAttachEnabled());
        assertTrue(ec2.createVolume(r -> r.availabilityZone(AZ).size(10).volumeType("io2").iops(100).multiAttachEnabled(true)).multiAttachEnabled());
    }

    @Test
    void upToSixteenNitroInstancesInTheSameZone() {
        String ami = ec2.describeImages(r -> r.owners("amazon").filters(EbsFixtures.filter("name", EbsFixtures.AL2023))).images().get(0).imageId();
        List<Instance> nitro = ec2.runInstances(r -> r.imageId(ami).instanceType("t3.micro").minCount(17).maxCount(17)
                .placement(p -> p.availabilityZone(AZ))).instances();
        Instance xen = ec2.runInstances(r -> r.imageId(ami).instanceType("m4.large").minCount(1).maxCount(1)
                .placement(p -> p.availabilityZone(AZ))).instances().get(0);
        Instance elsewhere = ec2.runInstances(r -> r.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1)
                .placement(p -> p.availabilityZone(OTHER_AZ))).instances().get(0);
        String vol = ec2.createVolume(r -> r.availabilityZone(AZ).size(100).volumeType("io2").iops(3000).multiAttachEnabled(true)).volumeId();
        Oboro.advance(Duration.ofSeconds(20));

        for (int k = 0; k < 16; k++) {
            String id = nitro.get(k).instanceId();
            ec2.attachVolume(r -> r.volumeId(vol).instanceId(id).device("/dev/sdf"));
        }
        fails("VolumeInUse", vol + " is already attached to instance " + nitro.get(0).instanceId(),
                () -> ec2.attachVolume(r -> r.volumeId(vol).instanceId(nitro.get(0).instanceId()).device("/dev/sdg")));
        fails("AttachmentLimitExceeded", "Volume " + vol + " is attached to the maximum number of instances (16) allowed for a Multi-Attach enabled volume.",
                () -> ec2.attachVolume(r -> r.volumeId(vol).instanceId(nitro.get(16).instanceId()).device("/dev/sdf")));
        Oboro.advance(Duration.ofSeconds(4));
        Volume v = volume(ec2, vol);
        assertEquals(16, v.attachments().size());
        assertTrue(v.attachments().stream().allMatch(a -> a.stateAsString().equals("attached")));
        assertEquals("in-use", v.stateAsString());

        fails("MissingParameter", "The request must contain the parameter instanceId", () -> ec2.detachVolume(r -> r.volumeId(vol)));
        ec2.detachVolume(r -> r.volumeId(vol).instanceId(nitro.get(0).instanceId()));
        Oboro.advance(Duration.ofSeconds(6));
        assertEquals(15, volume(ec2, vol).attachments().size());

        fails("UnsupportedOperation", "The instance type m4.large does not support Multi-Attach enabled volumes. "
                        + "Multi-Attach enabled volumes can be attached only to instances built on the Nitro System.",
                () -> ec2.attachVolume(r -> r.volumeId(vol).instanceId(xen.instanceId()).device("/dev/sdf")));
        fails("InvalidVolume.ZoneMismatch", null,
                () -> ec2.attachVolume(r -> r.volumeId(vol).instanceId(elsewhere.instanceId()).device("/dev/sdf")));
        ec2.attachVolume(r -> r.volumeId(vol).instanceId(nitro.get(16).instanceId()).device("/dev/sdf"));
        assertEquals(16, volume(ec2, vol).attachments().size());
    }
}
