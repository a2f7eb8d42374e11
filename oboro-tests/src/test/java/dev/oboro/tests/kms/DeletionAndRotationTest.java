package dev.oboro.tests.kms;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionResponse;

import java.time.Duration;
import java.time.Instant;

import static dev.oboro.tests.kms.KmsAssert.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ResourceLock(Oboro.CLOCK)
class DeletionAndRotationTest {
    final String account = Oboro.newAccount();
    final KmsClient kms = Oboro.client(KmsClient.builder(), account);

    private Instant now() {
        return Oboro.server().oboro().clock().instant();
    }

    @Test
    void scheduledKeyIsGoneWhenTheWindowEnds() {
        KeyMetadata k = kms.createKey().keyMetadata();
        kms.createAlias(r -> r.aliasName("alias/doomed").targetKeyId(k.keyId()));
        SdkBytes blob = kms.encrypt(r -> r.keyId(k.keyId()).plaintext(SdkBytes.fromUtf8String("x"))).ciphertextBlob();
        Instant before = now();
        ScheduleKeyDeletionResponse s = kms.scheduleKeyDeletion(r -> r.keyId(k.keyId()).pendingWindowInDays(7));
        assertEquals(k.arn(), s.keyId());
        assertEquals("PendingDeletion", s.keyStateAsString());
        assertEquals(7, s.pendingWindowInDays());
        assertTrue(Duration.between(before.plus(Duration.ofDays(7)), s.deletionDate()).abs().getSeconds() < 60, s.deletionDate().toString());

        KeyMetadata pending = kms.describeKey(r -> r.keyId(k.keyId())).keyMetadata();
        assertEquals("PendingDeletion", pending.keyStateAsString());
        assertFalse(pending.enabled());
        assertEquals(s.deletionDate(), pending.deletionDate());
        String msg = k.arn() + " is pending deletion.";
        fails("KMSInvalidStateException", msg, () -> kms.encrypt(r -> r.keyId(k.keyId()).plaintext(SdkBytes.fromUtf8String("y"))));
        fails("KMSInvalidStateException", msg, () -> kms.decrypt(r -> r.ciphertextBlob(blob)));
        fails("KMSInvalidStateException", msg, () -> kms.enableKey(r -> r.keyId(k.keyId())));
        fails("KMSInvalidStateException", msg, () -> kms.scheduleKeyDeletion(r -> r.keyId(k.keyId())));
        fails("KMSInvalidStateException", msg, () -> kms.createAlias(r -> r.aliasName("alias/late").targetKeyId(k.keyId())));
        fails("KMSInvalidStateException", msg, () -> kms.tagResource(r -> r.keyId(k.keyId())
                .tags(software.amazon.awssdk.services.kms.model.Tag.builder().tagKey("k").tagValue("v").build())));

        Oboro.advance(Duration.ofDays(6));
        assertEquals("PendingDeletion", kms.describeKey(r -> r.keyId(k.keyId())).keyMetadata().keyStateAsString());
        Oboro.advance(Duration.ofDays(1).plusMinutes(1));
        fails("NotFoundException", "Key '" + k.arn() + "' does not exist", () -> kms.describeKey(r -> r.keyId(k.keyId())));
        assertTrue(kms.listKeys().keys().stream().noneMatch(e -> e.keyId().equals(k.keyId())));
        assertTrue(kms.listAliases().aliases().stream().noneMatch(a -> a.aliasName().equals("alias/doomed")), "its aliases go with it");
    }

    @Test
    void defaultWindowIsThirtyDaysAndTheWindowIsBounded() {
        String id = kms.createKey().keyMetadata().keyId();
        fails("ValidationException", "PendingWindowInDays should be between 7 and 30, but it is 6",
                () -> kms.scheduleKeyDeletion(r -> r.keyId(id).pendingWindowInDays(6)));
        fails("ValidationException", "PendingWindowInDays should be between 7 and 30, but it is 31",
                () -> kms.scheduleKeyDeletion(r -> r.keyId(id).pendingWindowInDays(31)));
        Instant before = now();
        ScheduleKeyDeletionResponse s = kms.scheduleKeyDeletion(r -> r.keyId(id));
        assertEquals(30, s.pendingWindowInDays());
        assertTrue(Duration.between(before.plus(Duration.ofDays(30)), s.deletionDate()).abs().getSeconds() < 60);
        Oboro.advance(Duration.ofDays(29));
        assertEquals("PendingDeletion", kms.describeKey(r -> r.keyId(id)).keyMetadata().keyStateAsString());
        Oboro.advance(Duration.ofDays(1).plusMinutes(1));
        fails("NotFoundException", () -> kms.describeKey(r -> r.keyId(id)));
    }

    @Test
    void cancelledDeletionLeavesTheKeyDisabledAndAlive() {
        KeyMetadata k = kms.createKey().keyMetadata();
        fails("KMSInvalidStateException", k.arn() + " is not pending deletion.", () -> kms.cancelKeyDeletion(r -> r.keyId(k.keyId())));
        kms.scheduleKeyDeletion(r -> r.keyId(k.keyId()).pendingWindowInDays(7));
        assertEquals(k.arn(), kms.cancelKeyDeletion(r -> r.keyId(k.keyId())).keyId());
        KeyMetadata m = kms.describeKey(r -> r.keyId(k.keyId())).keyMetadata();
        assertEquals("Disabled", m.keyStateAsString());
        assertNull(m.deletionDate());
        Oboro.advance(Duration.ofDays(8));
        assertEquals("Disabled", kms.describeKey(r -> r.keyId(k.keyId())).keyMetadata().keyStateAsString(), "timer disarmed");
        // rescheduling after a cancel uses the new date only
        kms.scheduleKeyDeletion(r -> r.keyId(k.keyId()).pendingWindowInDays(10));
        Oboro.advance(Duration.ofDays(9));
        assertEquals("PendingDeletion", kms.describeKey(r -> r.keyId(k.keyId())).keyMetadata().keyStateAsString());
        Oboro.advance(Duration.ofDays(1).plusMinutes(1));
        fails("NotFoundException", () -> kms.describeKey(r -> r.keyId(k.keyId())));
    }

    @Test
    void automaticRotationOnTheClockKeepsOldCiphertextsReadable() {
        String id = kms.createKey().keyMetadata().keyId();
        SdkBytes old = kms.encrypt(r -> r.keyId(id).plaintext(SdkBytes.fromUtf8String("before"))).ciphertextBlob();
        kms.enableKeyRotation(r -> r.keyId(id).rotationPeriodInDays(90));
        Instant next = kms.getKeyRotationStatus(r -> r.keyId(id)).nextRotationDate();
        Oboro.advance(Duration.ofDays(89));
        assertEquals(0, kms.listKeyRotations(r -> r.keyId(id)).rotations().size());
        Oboro.advance(Duration.ofDays(1).plusMinutes(1));
        var rotations = kms.listKeyRotations(r -> r.keyId(id)).rotations();
        assertEquals(1, rotations.size());
        assertEquals("AUTOMATIC", rotations.get(0).rotationTypeAsString());
        assertEquals(next, rotations.get(0).rotationDate());
        assertEquals(next.plus(Duration.ofDays(90)), kms.getKeyRotationStatus(r -> r.keyId(id)).nextRotationDate());
        assertEquals("before", kms.decrypt(r -> r.ciphertextBlob(old)).plaintext().asUtf8String());
        SdkBytes fresh = kms.encrypt(r -> r.keyId(id).plaintext(SdkBytes.fromUtf8String("after"))).ciphertextBlob();
        assertEquals("after", kms.decrypt(r -> r.ciphertextBlob(fresh)).plaintext().asUtf8String());
    }
}
