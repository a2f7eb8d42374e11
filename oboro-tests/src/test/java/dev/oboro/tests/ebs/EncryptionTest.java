package dev.oboro.tests.ebs;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateVolumeResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.kms.KmsClient;

import java.time.Duration;

import static dev.oboro.tests.ebs.EbsFixtures.AZ;
import static dev.oboro.tests.ebs.EbsFixtures.fails;
import static dev.oboro.tests.ebs.EbsFixtures.snapshot;
import static dev.oboro.tests.ebs.EbsFixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EBS encryption with real KMS keys: per volume, through snapshots and copies, and by default per region. */
@ResourceLock(Oboro.CLOCK)
class EncryptionTest {
    final String account = Oboro.newAccount();
    final Ec2Client ec2 = EbsFixtures.ec2(account);
    final KmsClient kms = Oboro.client(KmsClient.builder(), account);

    private String newKey(String alias) {
        String id = kms.createKey().keyMetadata().keyId();
        if (alias != null) kms.createAlias(r -> r.aliasName(alias).targetKeyId(id));
        return id;
    }

    private String arnOf(String keyId) {
        return kms.describeKey(r -> r.keyId(keyId)).keyMetadata().arn();
    }

    @Test
    void encryptedVolumesUseTheNamedKeyOrTheAwsManagedKey() {
        assertTrue(kms.listAliases().aliases().stream().noneMatch(a -> a.aliasName().equals("alias/aws/ebs") && a.targetKeyId() != null),
                "no AWS managed key before EBS first uses it");
        CreateVolumeResponse byDefault = ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true));
        assertTrue(byDefault.encrypted());
        var managed = kms.describeKey(r -> r.keyId("alias/aws/ebs")).keyMetadata();
        assertEquals("AWS", managed.keyManagerAsString(), "the AWS managed key was created on first use");
        assertEquals(managed.arn(), byDefault.kmsKeyId());

        String key = newKey("alias/volumes");
        String arn = arnOf(key);
        assertEquals(arn, ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true).kmsKeyId(key)).kmsKeyId());
        assertEquals(arn, ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true).kmsKeyId(arn)).kmsKeyId());
        assertEquals(arn, ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true).kmsKeyId("alias/volumes")).kmsKeyId());
        assertEquals(arn, ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true)
                .kmsKeyId("arn:aws:kms:us-east-1:" + account + ":alias/volumes")).kmsKeyId());
        assertFalse(ec2.createVolume(r -> r.availabilityZone(AZ).size(10)).encrypted());
        assertEquals(5, ec2.describeVolumes(r -> r.filters(EbsFixtures.filter("encrypted", "true"))).volumes().size());

        fails("InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set.",
                () -> ec2.createVolume(r -> r.availabilityZone(AZ).size(10).kmsKeyId(key)));
        fails("InvalidParameterValue", "The specified KMS key is not accessible: alias/nothing",
                () -> ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true).kmsKeyId("alias/nothing")));
        fails("InvalidParameterValue", null, () -> ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true)
                .kmsKeyId("0f0f0f0f-1111-2222-3333-444455556666")));
        kms.disableKey(r -> r.keyId(key));
        fails("InvalidKMSKey.InvalidState", "The KMS key provided is in an incorrect state",
                () -> ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true).kmsKeyId(key)));
        kms.scheduleKeyDeletion(r -> r.keyId(key).pendingWindowInDays(7));
        fails("InvalidKMSKey.InvalidState", "The KMS key provided is in an incorrect state",
                () -> ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true).kmsKeyId("alias/volumes")));
    }

    @Test
    void snapshotsAndVolumesCarryTheirEncryption() {
        String key = newKey(null);
        String arn = arnOf(key);
        String vol = ec2.createVolume(r -> r.availabilityZone(AZ).size(10).encrypted(true).kmsKeyId(key)).volumeId();
        Oboro.advance(Duration.ofSeconds(6));
        String snap = ec2.createSnapshot(r -> r.volumeId(vol)).snapshotId();
        Snapshot s = snapshot(ec2, snap);
        assertTrue(s.encrypted());
        assertEquals(arn, s.kmsKeyId());
        Oboro.advance(Duration.ofSeconds(61));
        fails("InvalidParameterCombination", "Encrypted snapshots must be used to create encrypted volumes.",
                () -> ec2.createVolume(r -> r.availabilityZone(AZ).snapshotId(snap).encrypted(false)));
        Volume restored = volume(ec2, ec2.createVolume(r -> r.availabilityZone(AZ).snapshotId(snap)).volumeId());
        assertTrue(restored.encrypted(), "a volume from an encrypted snapshot is encrypted");
        assertEquals(arn, restored.kmsKeyId());
        String other = newKey("alias/other");
        assertEquals(arnOf(other), ec2.createVolume(r -> r.availabilityZone(AZ).snapshotId(snap).encrypted(true).kmsKeyId("alias/other")).kmsKeyId(),
                "a restored volume may be re-encrypted with another key");

        // copies: the same key within the region, or re-encrypted with another
        assertEquals(arn, snapshot(ec2, ec2.copySnapshot(r -> r.destinationRegion("us-east-1").sourceRegion("us-east-1").sourceSnapshotId(snap)).snapshotId()).kmsKeyId());
        String reenc = ec2.copySnapshot(r -> r.destinationRegion("us-east-1").sourceRegion("us-east-1").sourceSnapshotId(snap).encrypted(true).kmsKeyId(other)).snapshotId();
        assertEquals(arnOf(other), snapshot(ec2, reenc).kmsKeyId());
        try (Ec2Client west = EbsFixtures.ec2(account, "us-west-2");
             KmsClient westKms = Oboro.client(KmsClient.builder(), Oboro.credentials(account), "us-west-2")) {
            Snapshot far = snapshot(west, west.copySnapshot(r -> r.destinationRegion("us-west-2").sourceRegion("us-east-1").sourceSnapshotId(snap)).snapshotId());
            assertTrue(far.encrypted());
            assertEquals(westKms.describeKey(r -> r.keyId("alias/aws/ebs")).keyMetadata().arn(), far.kmsKeyId(),
                    "across regions the copy takes the destination region's default key");
        }
        // an unencrypted snapshot may be copied encrypted
        String plainVol = EbsFixtures.availableVolume(ec2, AZ, 3, "gp3");
        String plain = ec2.createSnapshot(r -> r.volumeId(plainVol)).snapshotId();
        Oboro.advance(Duration.ofSeconds(61));
        assertFalse(snapshot(ec2, plain).encrypted());
        Snapshot encCopy = snapshot(ec2, ec2.copySnapshot(r -> r.destinationRegion("us-east-1").sourceRegion("us-east-1").sourceSnapshotId(plain).encrypted(true).kmsKeyId(key)).snapshotId());
        assertTrue(encCopy.encrypted());
        assertEquals(arn, encCopy.kmsKeyId());
        fails("InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set.",
                () -> ec2.copySnapshot(r -> r.destinationRegion("us-east-1").sourceRegion("us-east-1").sourceSnapshotId(plain).kmsKeyId(key)));
        fails("InvalidParameterValue", "Encrypted snapshots cannot be shared publicly.", () -> ec2.modifySnapshotAttribute(r -> r.snapshotId(snap)
                .attribute("createVolumePermission").operationType("add").groupNames("all")));
        String managedSnap = ec2.createSnapshot(r -> r.volumeId(ec2.createVolume(v -> v.availabilityZone(AZ).size(1).encrypted(true)).volumeId())).snapshotId();
        fails("InvalidParameterValue", "Encrypted snapshots with EBS default key cannot be shared", () -> ec2.modifySnapshotAttribute(r -> r
                .snapshotId(managedSnap).attribute("createVolumePermission").operationType("add").userIds("123456789012")));
    }

    @Test
    void encryptionByDefaultIsAPerRegionSetting() {
        assertFalse(ec2.getEbsEncryptionByDefault(r -> { }).ebsEncryptionByDefault());
        assertEquals("alias/aws/ebs", ec2.getEbsDefaultKmsKeyId(r -> { }).kmsKeyId());
        assertTrue(ec2.enableEbsEncryptionByDefault(r -> { }).ebsEncryptionByDefault());
        assertTrue(ec2.getEbsEncryptionByDefault(r -> { }).ebsEncryptionByDefault());
        Volume v = volume(ec2, ec2.createVolume(r -> r.availabilityZone(AZ).size(4).encrypted(false)).volumeId());
        assertTrue(v.encrypted(), "encryption by default overrides Encrypted=false");
        assertEquals(kms.describeKey(r -> r.keyId("alias/aws/ebs")).keyMetadata().arn(), v.kmsKeyId());

        Instance i = EbsFixtures.running(ec2, "t3.micro", AZ);
        Volume root = volume(ec2, i.blockDeviceMappings().get(0).ebs().volumeId());
        assertTrue(root.encrypted(), "volumes of RunInstances are encrypted by default too");

        try (Ec2Client west = EbsFixtures.ec2(account, "us-west-2")) {
            assertFalse(west.getEbsEncryptionByDefault(r -> { }).ebsEncryptionByDefault(), "the setting is per region");
            assertFalse(west.createVolume(r -> r.availabilityZone("us-west-2a").size(4)).encrypted());
        }

        String key = newKey("alias/default-ebs");
        String arn = arnOf(key);
        assertEquals(arn, ec2.modifyEbsDefaultKmsKeyId(r -> r.kmsKeyId("alias/default-ebs")).kmsKeyId());
        assertEquals(arn, ec2.getEbsDefaultKmsKeyId(r -> { }).kmsKeyId());
        assertEquals(arn, ec2.createVolume(r -> r.availabilityZone(AZ).size(4)).kmsKeyId());
        fails("InvalidParameterValue", null, () -> ec2.modifyEbsDefaultKmsKeyId(r -> r.kmsKeyId("alias/missing")));
        String aws = ec2.resetEbsDefaultKmsKeyId(r -> { }).kmsKeyId();
        assertEquals(kms.describeKey(r -> r.keyId("alias/aws/ebs")).keyMetadata().arn(), aws);
        assertEquals("alias/aws/ebs", ec2.getEbsDefaultKmsKeyId(r -> { }).kmsKeyId());

        assertFalse(ec2.disableEbsEncryptionByDefault(r -> { }).ebsEncryptionByDefault());
        assertFalse(ec2.createVolume(r -> r.availabilityZone(AZ).size(4)).encrypted());
    }

    /**
     * Issue 5's scenario: with encryption by default on and a customer key set as default, a volume
     * created with Encrypted=false is encrypted with that key; its snapshot and a volume restored
     * from it are encrypted too.
     */
    @Test
    void scenarioEncryptionByDefaultWithACustomerKey() {
        String key = newKey("alias/team-default");
        String arn = arnOf(key);
        ec2.enableEbsEncryptionByDefault(r -> { });
        ec2.modifyEbsDefaultKmsKeyId(r -> r.kmsKeyId(key));

        CreateVolumeResponse created = ec2.createVolume(r -> r.availabilityZone(AZ).size(25).volumeType("gp3").encrypted(false));
        assertTrue(created.encrypted());
        assertEquals(arn, created.kmsKeyId());
        Oboro.advance(Duration.ofSeconds(6));
        Volume v = volume(ec2, created.volumeId());
        assertEquals("available", v.stateAsString());
        assertTrue(v.encrypted());
        assertEquals(arn, v.kmsKeyId());

        String snap = ec2.createSnapshot(r -> r.volumeId(v.volumeId())).snapshotId();
        Oboro.advance(Duration.ofSeconds(61));
        Snapshot s = snapshot(ec2, snap);
        assertEquals("completed", s.stateAsString());
        assertTrue(s.encrypted());
        assertEquals(arn, s.kmsKeyId());

        String restoredId = ec2.createVolume(r -> r.availabilityZone(AZ).snapshotId(snap)).volumeId();
        Oboro.advance(Duration.ofSeconds(6));
        Volume restored = volume(ec2, restoredId);
        assertEquals("available", restored.stateAsString());
        assertTrue(restored.encrypted());
        assertEquals(arn, restored.kmsKeyId());
        assertEquals(25, restored.size());
    }
}
