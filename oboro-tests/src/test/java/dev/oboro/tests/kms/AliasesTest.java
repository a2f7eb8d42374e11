package dev.oboro.tests.kms;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.oboro.tests.kms.KmsAssert.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AliasesTest {
    final String account = Oboro.newAccount();
    final KmsClient kms = Oboro.client(KmsClient.builder(), account);

    private Map<String, AliasListEntry> aliases() {
        return kms.listAliasesPaginator().aliases().stream().collect(Collectors.toMap(AliasListEntry::aliasName, a -> a));
    }

    @Test
    void createUpdateDeleteAndList() {
        String a = kms.createKey().keyMetadata().keyId();
        String b = kms.createKey().keyMetadata().keyId();
        kms.createAlias(r -> r.aliasName("alias/app").targetKeyId(a));
        AliasListEntry e = aliases().get("alias/app");
        assertEquals("arn:aws:kms:us-east-1:" + account + ":alias/app", e.aliasArn());
        assertEquals(a, e.targetKeyId());
        assertNotNull(e.creationDate());
        kms.updateAlias(r -> r.aliasName("alias/app").targetKeyId(b));
        assertEquals(b, aliases().get("alias/app").targetKeyId());
        assertEquals(b, kms.describeKey(r -> r.keyId("alias/app")).keyMetadata().keyId());
        kms.deleteAlias(r -> r.aliasName("alias/app"));
        assertNull(aliases().get("alias/app"));
        fails("NotFoundException", "Alias arn:aws:kms:us-east-1:" + account + ":alias/app is not found.",
                () -> kms.deleteAlias(r -> r.aliasName("alias/app")));
        fails("NotFoundException", "Alias arn:aws:kms:us-east-1:" + account + ":alias/app is not found.",
                () -> kms.updateAlias(r -> r.aliasName("alias/app").targetKeyId(a)));
    }

    @Test
    void listAliasesFiltersByKey() {
        KeyMetadata a = kms.createKey().keyMetadata();
        String b = kms.createKey().keyMetadata().keyId();
        kms.createAlias(r -> r.aliasName("alias/one").targetKeyId(a.keyId()));
        kms.createAlias(r -> r.aliasName("alias/two").targetKeyId(a.arn()));
        kms.createAlias(r -> r.aliasName("alias/three").targetKeyId(b));
        assertEquals(List.of("alias/one", "alias/two"),
                kms.listAliases(r -> r.keyId(a.keyId())).aliases().stream().map(AliasListEntry::aliasName).toList());
        assertEquals(List.of("alias/one", "alias/two"),
                kms.listAliases(r -> r.keyId(a.arn())).aliases().stream().map(AliasListEntry::aliasName).toList());
        fails("NotFoundException", () -> kms.listAliases(r -> r.keyId("11111111-2222-4333-8444-555555555555")));
    }

    @Test
    void listAliasesPagesOfFiftyByDefaultAndAtMostAHundred() {
        String acct = Oboro.newAccount();
        try (KmsClient k = Oboro.client(KmsClient.builder(), acct)) {
            String key = k.createKey().keyMetadata().keyId();
            for (int i = 0; i < 40; i++) {
                String n = "alias/page-" + i;
                k.createAlias(r -> r.aliasName(n).targetKeyId(key));
            }
            var first = k.listAliases();
            assertEquals(50, first.aliases().size());
            assertTrue(first.truncated());
            long total = k.listAliasesPaginator().aliases().stream().count();
            assertEquals(40 + k.listAliases(r -> r.limit(100)).aliases().stream().filter(a -> a.aliasName().startsWith("alias/aws/")).count(), total);
            fails("ValidationException", "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
                    + "Member must have value less than or equal to 100", () -> k.listAliases(r -> r.limit(101)));
        }
    }

    @Test
    void aliasNameRules() {
        String k = kms.createKey().keyMetadata().keyId();
        fails("ValidationException", "Alias must start with the prefix \"alias/\". Please see "
                + "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
                () -> kms.createAlias(r -> r.aliasName("no-prefix").targetKeyId(k)));
        fails("ValidationException", "1 validation error detected: Value 'alias/bad name' at 'aliasName' failed to satisfy "
                + "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
                () -> kms.createAlias(r -> r.aliasName("alias/bad name").targetKeyId(k)));
        fails("NotAuthorizedException", () -> kms.createAlias(r -> r.aliasName("alias/aws/mine").targetKeyId(k)));
        fails("NotAuthorizedException", () -> kms.deleteAlias(r -> r.aliasName("alias/aws/ebs")));
        fails("InvalidAliasNameException", () -> kms.createAlias(r -> r.aliasName("alias/a:b").targetKeyId(k)));
        kms.createAlias(r -> r.aliasName("alias/taken").targetKeyId(k));
        fails("AlreadyExistsException", "An alias with the name arn:aws:kms:us-east-1:" + account + ":alias/taken already exists",
                () -> kms.createAlias(r -> r.aliasName("alias/taken").targetKeyId(k)));
        fails("ValidationException", "Aliases must refer to keys. Not aliases",
                () -> kms.createAlias(r -> r.aliasName("alias/other").targetKeyId("alias/taken")));
        fails("NotFoundException", () -> kms.createAlias(r -> r.aliasName("alias/other").targetKeyId("11111111-2222-4333-8444-555555555555")));
    }

    @Test
    void awsManagedKeysAreCreatedOnFirstUse() {
        Map<String, AliasListEntry> before = aliases();
        assertTrue(before.containsKey("alias/aws/ebs"));
        assertNull(before.get("alias/aws/ebs").targetKeyId(), "a predefined alias has no key before first use");
        assertEquals("arn:aws:kms:us-east-1:" + account + ":alias/aws/ebs", before.get("alias/aws/ebs").aliasArn());

        KeyMetadata ebs = kms.describeKey(r -> r.keyId("alias/aws/ebs")).keyMetadata();
        assertEquals("AWS", ebs.keyManagerAsString());
        assertEquals("Enabled", ebs.keyStateAsString());
        assertEquals("Default master key that protects my EBS volumes when no other key is defined", ebs.description());
        assertEquals(ebs.keyId(), aliases().get("alias/aws/ebs").targetKeyId());
        assertEquals(ebs.keyId(), kms.describeKey(r -> r.keyId("alias/aws/ebs")).keyMetadata().keyId(), "created once");
        assertTrue(kms.getKeyRotationStatus(r -> r.keyId(ebs.keyId())).keyRotationEnabled(), "AWS managed keys rotate yearly");
        String policy = kms.getKeyPolicy(r -> r.keyId(ebs.keyId())).policy();
        assertTrue(policy.contains("\"kms:ViaService\" : \"ec2.us-east-1.amazonaws.com\""), policy);
        assertTrue(kms.listKeys().keys().stream().anyMatch(e -> e.keyId().equals(ebs.keyId())));

        // encrypting under a managed alias creates that key too
        var ct = kms.encrypt(r -> r.keyId("alias/aws/lambda").plaintext(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x")));
        assertEquals(kms.describeKey(r -> r.keyId("alias/aws/lambda")).keyMetadata().arn(), ct.keyId());
        // each Region has its own
        try (KmsClient usw2 = Oboro.client(KmsClient.builder(), Oboro.credentials(account), "us-west-2")) {
            String other = usw2.describeKey(r -> r.keyId("alias/aws/ebs")).keyMetadata().keyId();
            assertTrue(!other.equals(ebs.keyId()));
        }
        fails("NotFoundException", () -> kms.describeKey(r -> r.keyId("alias/aws/not-a-service")));
    }

    @Test
    void otherServicesGetManagedKeysThroughTheTypedApi() {
        // how EBS, Lambda ... ask for their AWS managed key: the same DescribeKey request a client sends
        dev.oboro.core.Oboro oboro = Oboro.server().oboro();
        dev.oboro.core.Call call = dev.oboro.core.Call.internal(oboro, account, "us-east-1", "ec2");
        software.amazon.awssdk.services.kms.model.DescribeKeyResponse r = oboro.services().call(call, "kms",
                software.amazon.awssdk.services.kms.model.DescribeKeyRequest.builder().keyId("alias/aws/s3").build());
        assertEquals("AWS", r.keyMetadata().keyManagerAsString());
        assertEquals(r.keyMetadata().keyId(), kms.describeKey(q -> q.keyId("alias/aws/s3")).keyMetadata().keyId());
    }
}
