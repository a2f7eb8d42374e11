package dev.oboro.tests.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.ListKeysResponse;
import software.amazon.awssdk.services.kms.model.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.oboro.tests.kms.KmsAssert.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeysTest {
    final String account = Oboro.newAccount();
    final KmsClient kms = Oboro.client(KmsClient.builder(), account);

    private static Instant clock() {
        return Oboro.server().oboro().clock().instant();
    }

    @Test
    void createKeyReturnsMetadataAsAws() {
        Instant before = clock();
        KeyMetadata m = kms.createKey(r -> r.description("orders")).keyMetadata();
        Instant after = clock();
        assertTrue(m.keyId().matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), m.keyId());
        assertEquals("arn:aws:kms:us-east-1:" + account + ":key/" + m.keyId(), m.arn());
        assertEquals(account, m.awsAccountId());
        assertEquals("orders", m.description());
        assertTrue(m.enabled());
        assertEquals("Enabled", m.keyStateAsString());
        assertEquals("CUSTOMER", m.keyManagerAsString());
        assertEquals("AWS_KMS", m.originAsString());
        assertEquals("SYMMETRIC_DEFAULT", m.keySpecAsString());
        assertEquals("SYMMETRIC_DEFAULT", m.customerMasterKeySpecAsString());
        assertEquals("ENCRYPT_DECRYPT", m.keyUsageAsString());
        assertEquals(List.of("SYMMETRIC_DEFAULT"), m.encryptionAlgorithmsAsStrings());
        assertFalse(m.multiRegion());
        assertNull(m.deletionDate());
        // CreationDate is on Oboro's clock (seconds on the wire), which other tests may advance meanwhile
        assertTrue(!m.creationDate().isBefore(before.minusSeconds(1)) && !m.creationDate().isAfter(after), m.creationDate().toString());
        assertEquals("", kms.createKey().keyMetadata().description());
    }

    @Test
    void describeKeyByIdArnAliasAndAliasArn() {
        KeyMetadata m = kms.createKey().keyMetadata();
        kms.createAlias(r -> r.aliasName("alias/describe-me").targetKeyId(m.keyId()));
        for (String id : List.of(m.keyId(), m.arn(), "alias/describe-me", "arn:aws:kms:us-east-1:" + account + ":alias/describe-me")) {
            assertEquals(m.keyId(), kms.describeKey(r -> r.keyId(id)).keyMetadata().keyId(), id);
        }
    }

    @Test
    void unknownKeysAreNotFoundInAwsWords() {
        String missing = "11111111-2222-4333-8444-555555555555";
        fails("NotFoundException", "Key 'arn:aws:kms:us-east-1:" + account + ":key/" + missing + "' does not exist",
                () -> kms.describeKey(r -> r.keyId(missing)));
        fails("NotFoundException", "Invalid keyId 'fake-key-id'", () -> kms.describeKey(r -> r.keyId("fake-key-id")));
        fails("NotFoundException", "Alias arn:aws:kms:us-east-1:" + account + ":alias/nope is not found.",
                () -> kms.describeKey(r -> r.keyId("alias/nope")));
        KeyMetadata m = kms.createKey().keyMetadata();
        fails("NotFoundException", "Invalid arn eu-west-1",
                () -> kms.describeKey(r -> r.keyId(m.arn().replace("us-east-1", "eu-west-1"))));
        // keys are per Region: the same id is unknown elsewhere
        try (KmsClient euw1 = Oboro.client(KmsClient.builder(), Oboro.credentials(account), "eu-west-1")) {
            fails("NotFoundException", "Key 'arn:aws:kms:eu-west-1:" + account + ":key/" + m.keyId() + "' does not exist",
                    () -> euw1.describeKey(r -> r.keyId(m.keyId())));
        }
    }

    @Test
    void listKeysPagesThroughEveryKeyOnce() {
        String acct = Oboro.newAccount();
        try (KmsClient k = Oboro.client(KmsClient.builder(), acct)) {
            Set<String> created = new HashSet<>();
            for (int i = 0; i < 12; i++) created.add(k.createKey().keyMetadata().keyId());
            List<String> seen = new ArrayList<>();
            String marker = null;
            int pages = 0;
            do {
                String m = marker;
                ListKeysResponse page = k.listKeys(r -> r.limit(5).marker(m));
                page.keys().forEach(e -> seen.add(e.keyId()));
                assertTrue(page.keys().size() <= 5);
                assertEquals(page.nextMarker() != null, page.truncated());
                marker = page.nextMarker();
                pages++;
            } while (marker != null);
            assertEquals(3, pages);
            assertEquals(12, seen.size());
            assertEquals(created, new HashSet<>(seen));
            KeyListEntry e = k.listKeys().keys().get(0);
            assertEquals("arn:aws:kms:us-east-1:" + acct + ":key/" + e.keyId(), e.keyArn());
            assertEquals(12, k.listKeysPaginator(r -> r.limit(4)).keys().stream().count());
            fails("InvalidMarkerException", () -> k.listKeys(r -> r.marker("not-a-marker")));
            fails("ValidationException", () -> k.listKeys(r -> r.limit(0)));
        }
    }

    @Test
    void disableAndEnable() {
        String id = kms.createKey().keyMetadata().keyId();
        kms.disableKey(r -> r.keyId(id));
        KeyMetadata d = kms.describeKey(r -> r.keyId(id)).keyMetadata();
        assertEquals("Disabled", d.keyStateAsString());
        assertFalse(d.enabled());
        kms.disableKey(r -> r.keyId(id)); // idempotent, as in AWS
        kms.enableKey(r -> r.keyId(id));
        assertEquals("Enabled", kms.describeKey(r -> r.keyId(id)).keyMetadata().keyStateAsString());
    }

    @Test
    void updateKeyDescription() {
        String id = kms.createKey(r -> r.description("old")).keyMetadata().keyId();
        kms.updateKeyDescription(r -> r.keyId(id).description("new"));
        assertEquals("new", kms.describeKey(r -> r.keyId(id)).keyMetadata().description());
    }

    @Test
    void tagsOnCreateTagUntagAndList() {
        String id = kms.createKey(r -> r.tags(Tag.builder().tagKey("team").tagValue("core").build())).keyMetadata().keyId();
        kms.tagResource(r -> r.keyId(id).tags(Tag.builder().tagKey("env").tagValue("dev").build(),
                Tag.builder().tagKey("team").tagValue("platform").build()));
        List<Tag> tags = kms.listResourceTags(r -> r.keyId(id)).tags();
        assertEquals(List.of("env=dev", "team=platform"), tags.stream().map(t -> t.tagKey() + "=" + t.tagValue()).toList());
        kms.untagResource(r -> r.keyId(id).tagKeys("env", "absent"));
        assertEquals(List.of("team"), kms.listResourceTags(r -> r.keyId(id)).tags().stream().map(Tag::tagKey).toList());
        fails("TagException", "Tags beginning with aws: are reserved",
                () -> kms.tagResource(r -> r.keyId(id).tags(Tag.builder().tagKey("aws:owner").tagValue("x").build())));
    }

    @Test
    void defaultKeyPolicyAsAwsWritesIt() throws Exception {
        String id = kms.createKey().keyMetadata().keyId();
        String policy = kms.getKeyPolicy(r -> r.keyId(id).policyName("default")).policy();
        String expected = "{\n"
                + "  \"Version\" : \"2012-10-17\",\n"
                + "  \"Id\" : \"key-default-1\",\n"
                + "  \"Statement\" : [ {\n"
                + "    \"Sid\" : \"Enable IAM User Permissions\",\n"
                + "    \"Effect\" : \"Allow\",\n"
                + "    \"Principal\" : {\n"
                + "      \"AWS\" : \"arn:aws:iam::" + account + ":root\"\n"
                + "    },\n"
                + "    \"Action\" : \"kms:*\",\n"
                + "    \"Resource\" : \"*\"\n"
                + "  } ]\n"
                + "}";
        assertEquals(expected, policy);
        assertEquals(List.of("default"), kms.listKeyPolicies(r -> r.keyId(id)).policyNames());
        String mine = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
                + "\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}";
        kms.putKeyPolicy(r -> r.keyId(id).policyName("default").policy(mine));
        JsonNode back = new ObjectMapper().readTree(kms.getKeyPolicy(r -> r.keyId(id)).policy());
        assertEquals(new ObjectMapper().readTree(mine), back);
        fails("MalformedPolicyDocumentException", () -> kms.putKeyPolicy(r -> r.keyId(id).policy("{not json")));
        fails("NotFoundException", "No such policy exists", () -> kms.getKeyPolicy(r -> r.keyId(id).policyName("other")));
        String withPolicy = kms.createKey(r -> r.policy(mine)).keyMetadata().keyId();
        assertEquals(mine, kms.getKeyPolicy(r -> r.keyId(withPolicy)).policy());
    }

    @Test
    void rotationFlagsAndStatus() {
        String id = kms.createKey().keyMetadata().keyId();
        assertFalse(kms.getKeyRotationStatus(r -> r.keyId(id)).keyRotationEnabled());
        Instant before = clock();
        kms.enableKeyRotation(r -> r.keyId(id).rotationPeriodInDays(180));
        Instant after = clock();
        var s = kms.getKeyRotationStatus(r -> r.keyId(id));
        assertTrue(s.keyRotationEnabled());
        assertEquals(180, s.rotationPeriodInDays());
        assertTrue(!s.nextRotationDate().isBefore(before.plus(Duration.ofDays(180)).minusSeconds(1))
                && !s.nextRotationDate().isAfter(after.plus(Duration.ofDays(180))), s.nextRotationDate().toString());
        kms.disableKeyRotation(r -> r.keyId(id));
        assertFalse(kms.getKeyRotationStatus(r -> r.keyId(id)).keyRotationEnabled());
        fails("ValidationException", () -> kms.enableKeyRotation(r -> r.keyId(id).rotationPeriodInDays(30)));
        kms.disableKey(r -> r.keyId(id));
        fails("DisabledException", "arn:aws:kms:us-east-1:" + account + ":key/" + id + " is disabled.",
                () -> kms.enableKeyRotation(r -> r.keyId(id)));
    }

    @Test
    void onDemandRotationKeepsOldCiphertextsReadable() {
        String id = kms.createKey().keyMetadata().keyId();
        var before = kms.encrypt(r -> r.keyId(id).plaintext(software.amazon.awssdk.core.SdkBytes.fromUtf8String("v1"))).ciphertextBlob();
        String materialBefore = kms.describeKey(r -> r.keyId(id)).keyMetadata().currentKeyMaterialId();
        kms.rotateKeyOnDemand(r -> r.keyId(id));
        var rotations = kms.listKeyRotations(r -> r.keyId(id)).rotations();
        assertEquals(1, rotations.size());
        assertEquals("ON_DEMAND", rotations.get(0).rotationTypeAsString());
        assertFalse(materialBefore.equals(kms.describeKey(r -> r.keyId(id)).keyMetadata().currentKeyMaterialId()));
        assertEquals("v1", kms.decrypt(r -> r.ciphertextBlob(before)).plaintext().asUtf8String());
    }

    @Test
    void unsupportedKeySpecsAreRefusedClearly() {
        fails("ValidationException", () -> kms.createKey(r -> r.keySpec("NOT_A_SPEC")));
        fails("ValidationException", "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                + "CustomerMasterKeySpec is deprecated.", () -> kms.createKey(r -> r.keySpec("SYMMETRIC_DEFAULT")
                .customerMasterKeySpec("SYMMETRIC_DEFAULT")));
        fails("UnsupportedOperationException", () -> kms.createKey(r -> r.keySpec("RSA_2048").keyUsage("SIGN_VERIFY")));
    }

    @Test
    void multiRegionKeysHaveMrkIds() {
        KeyMetadata m = kms.createKey(r -> r.multiRegion(true)).keyMetadata();
        assertTrue(m.keyId().matches("mrk-[0-9a-f]{32}"), m.keyId());
        assertTrue(m.multiRegion());
        assertEquals("PRIMARY", m.multiRegionConfiguration().multiRegionKeyTypeAsString());
        assertEquals(m.keyId(), kms.describeKey(r -> r.keyId(m.arn())).keyMetadata().keyId());
    }
}
