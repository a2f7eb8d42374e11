package dev.oboro.tests.ebs;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.VolumeModification;

import java.time.Duration;

import static dev.oboro.tests.ebs.EbsFixtures.AZ;
import static dev.oboro.tests.ebs.EbsFixtures.fails;
import static dev.oboro.tests.ebs.EbsFixtures.filter;
import static dev.oboro.tests.ebs.EbsFixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ModifyVolume: modifying → optimizing → completed on the clock, and its refusals. */
@ResourceLock(Oboro.CLOCK)
class ModifyVolumeTest {
    final String account = Oboro.newAccount();
    final Ec2Client ec2 = EbsFixtures.ec2(account);

    private VolumeModification latest(String vol) {
        return ec2.describeVolumesModifications(r -> r.volumeIds(vol)).volumesModifications().get(0);
    }

    @Test
    void aModificationMovesThroughItsStates() {
        String vol = EbsFixtures.availableVolume(ec2, AZ, 100, "gp2");
        fails("InvalidVolumeModification.NotFound", "Modification for volume '" + vol + "' does not exist.",
                () -> ec2.describeVolumesModifications(r -> r.volumeIds(vol)));
        VolumeModification m = ec2.modifyVolume(r -> r.volumeId(vol).size(200).volumeType("gp3").iops(4000).throughput(250)).volumeModification();
        assertEquals("modifying", m.modificationStateAsString());
        assertEquals("gp2", m.originalVolumeTypeAsString());
        assertEquals(100, m.originalSize());
        assertEquals(300, m.originalIops());
        assertEquals("gp3", m.targetVolumeTypeAsString());
        assertEquals(200, m.targetSize());
        assertEquals(4000, m.targetIops());
        assertEquals(250, m.targetThroughput());
        assertEquals(0L, m.progress());
        assertNull(m.endTime());
        fails("IncorrectModificationState", "Volume " + vol + " cannot be modified in modification state MODIFYING",
                () -> ec2.modifyVolume(r -> r.volumeId(vol).size(300)));

        Oboro.advance(Duration.ofSeconds(15));
        assertEquals(25L, latest(vol).progress());
        assertEquals(100, volume(ec2, vol).size(), "the old size until optimizing");
        Oboro.advance(Duration.ofSeconds(16));
        assertEquals("optimizing", latest(vol).modificationStateAsString());
        var v = volume(ec2, vol);
        assertEquals(200, v.size(), "the new size is usable while optimizing");
        assertEquals("gp3", v.volumeTypeAsString());
        assertEquals(4000, v.iops());
        assertEquals(250, v.throughput());
        fails("IncorrectModificationState", "Volume " + vol + " cannot be modified in modification state OPTIMIZING",
                () -> ec2.modifyVolume(r -> r.volumeId(vol).size(300)));
        assertEquals(1, ec2.describeVolumesModifications(r -> r.filters(filter("modification-state", "optimizing"))).volumesModifications().size());

        Oboro.advance(Duration.ofMinutes(5));
        VolumeModification done = latest(vol);
        assertEquals("completed", done.modificationStateAsString());
        assertEquals(100L, done.progress());
        assertNotNull(done.endTime());
        fails("VolumeModificationRateExceeded", "You've reached the maximum modification rate per volume limit. "
                + "Wait at least 6 hours between modifications per EBS volume.", () -> ec2.modifyVolume(r -> r.volumeId(vol).size(300)));

        Oboro.advance(Duration.ofHours(6));
        fails("InvalidParameterValue", "New size cannot be smaller than existing size", () -> ec2.modifyVolume(r -> r.volumeId(vol).size(50)));
        fails("InvalidParameterCombination", "New configuration must be different from the current configuration of volume " + vol,
                () -> ec2.modifyVolume(r -> r.volumeId(vol).size(200)));
        fails("InvalidParameterValue", "Volume iops of 90000 is too high; maximum is 80000.",
                () -> ec2.modifyVolume(r -> r.volumeId(vol).iops(90000)));
        fails("InvalidParameterCombination", "The parameter multiAttachEnabled is not supported for gp3 volumes.",
                () -> ec2.modifyVolume(r -> r.volumeId(vol).multiAttachEnabled(true)));
        // io2 keeps the IOPS of the gp3 volume unless told otherwise
        assertEquals(4000, ec2.modifyVolume(r -> r.volumeId(vol).volumeType("io2")).volumeModification().targetIops());
        assertTrue(ec2.describeVolumesModifications(r -> r.filters(filter("target-volume-type", "io2"))).volumesModifications().size() == 1);
    }
}
