package dev.oboro.tests.kms;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;
import java.util.Map;

import static dev.oboro.tests.kms.KmsAssert.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class CryptographyTest {
    final String account = Oboro.newAccount();
    final KmsClient kms = Oboro.client(KmsClient.builder(), account);
    final SdkBytes secret = SdkBytes.fromUtf8String("the launch code is 0000");

    @Test
    void encryptThenDecryptWithoutKeyId() {
        KeyMetadata k = kms.createKey().keyMetadata();
        EncryptResponse e = kms.encrypt(r -> r.keyId(k.keyId()).plaintext(secret));
        assertEquals(k.arn(), e.keyId());
        assertEquals("SYMMETRIC_DEFAULT", e.encryptionAlgorithmAsString());
        assertFalse(new String(e.ciphertextBlob().asByteArray()).contains("launch code"), "real encryption");
        DecryptResponse d = kms.decrypt(r -> r.ciphertextBlob(e.ciphertextBlob()));
        assertEquals(secret, d.plaintext());
        assertEquals(k.arn(), d.keyId());
        assertEquals("SYMMETRIC_DEFAULT", d.encryptionAlgorithmAsString());
        // two encryptions of the same plaintext differ (random IV)
        assertFalse(Arrays.equals(e.ciphertextBlob().asByteArray(),
                kms.encrypt(r -> r.keyId(k.keyId()).plaintext(secret)).ciphertextBlob().asByteArray()));
    }

    @Test
    void encryptionContextIsBoundIn() {
        String k = kms.createKey().keyMetadata().keyId();
        Map<String, String> ctx = Map.of("tenant", "acme", "purpose", "test");
        SdkBytes blob = kms.encrypt(r -> r.keyId(k).plaintext(secret).encryptionContext(ctx)).ciphertextBlob();
        assertEquals(secret, kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("purpose", "test", "tenant", "acme"))).plaintext());
        fails("InvalidCiphertextException", "", () -> kms.decrypt(r -> r.ciphertextBlob(blob)));
        fails("InvalidCiphertextException", "", () -> kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("tenant", "evil"))));
    }

    @Test
    void alteredOrForeignCiphertextIsInvalid() {
        String k = kms.createKey().keyMetadata().keyId();
        byte[] blob = kms.encrypt(r -> r.keyId(k).plaintext(secret)).ciphertextBlob().asByteArray();
        byte[] flipped = blob.clone();
        flipped[flipped.length - 3] ^= 1;
        fails("InvalidCiphertextException", () -> kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(flipped))));
        fails("InvalidCiphertextException", () -> kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromUtf8String("not a ciphertext at all, no"))));
    }

    @Test
    void aGivenKeyIdMustMatchTheCiphertext() {
        KeyMetadata a = kms.createKey().keyMetadata();
        String b = kms.createKey().keyMetadata().keyId();
        kms.createAlias(r -> r.aliasName("alias/crypto-a").targetKeyId(a.keyId()));
        SdkBytes blob = kms.encrypt(r -> r.keyId("alias/crypto-a").plaintext(secret)).ciphertextBlob();
        assertEquals(secret, kms.decrypt(r -> r.ciphertextBlob(blob).keyId(a.arn())).plaintext());
        assertEquals(secret, kms.decrypt(r -> r.ciphertextBlob(blob).keyId("alias/crypto-a")).plaintext());
        fails("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.",
                () -> kms.decrypt(r -> r.ciphertextBlob(blob).keyId(b)));
    }

    @Test
    void disabledAndUnknownKeysRefuse() {
        KeyMetadata k = kms.createKey().keyMetadata();
        SdkBytes blob = kms.encrypt(r -> r.keyId(k.keyId()).plaintext(secret)).ciphertextBlob();
        kms.disableKey(r -> r.keyId(k.keyId()));
        String msg = k.arn() + " is disabled.";
        fails("DisabledException", msg, () -> kms.encrypt(r -> r.keyId(k.keyId()).plaintext(secret)));
        fails("DisabledException", msg, () -> kms.decrypt(r -> r.ciphertextBlob(blob)));
        fails("DisabledException", msg, () -> kms.generateDataKey(r -> r.keyId(k.keyId()).keySpec("AES_256")));
        kms.enableKey(r -> r.keyId(k.keyId()));
        assertEquals(secret, kms.decrypt(r -> r.ciphertextBlob(blob)).plaintext());
        fails("NotFoundException", () -> kms.encrypt(r -> r.keyId("alias/missing").plaintext(secret)));
        // a ciphertext from another account names a key this account does not have
        try (KmsClient other = Oboro.client(KmsClient.builder(), Oboro.newAccount())) {
            fails("NotFoundException", () -> other.decrypt(r -> r.ciphertextBlob(blob)));
        }
    }

    @Test
    void generateDataKeyGivesAUsableAesKey() throws Exception {
        KeyMetadata k = kms.createKey().keyMetadata();
        GenerateDataKeyResponse dk = kms.generateDataKey(r -> r.keyId(k.keyId()).keySpec("AES_256").encryptionContext(Map.of("f", "1")));
        assertEquals(k.arn(), dk.keyId());
        assertEquals(32, dk.plaintext().asByteArray().length);
        // the encrypted copy decrypts to the same key, which encrypts locally (envelope encryption)
        SdkBytes again = kms.decrypt(r -> r.ciphertextBlob(dk.ciphertextBlob()).encryptionContext(Map.of("f", "1"))).plaintext();
        assertEquals(dk.plaintext(), again);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(again.asByteArray(), "AES"), new GCMParameterSpec(128, new byte[12]));
        assertEquals(16 + 5, c.doFinal("hello".getBytes()).length);

        assertEquals(16, kms.generateDataKey(r -> r.keyId(k.keyId()).keySpec("AES_128")).plaintext().asByteArray().length);
        assertEquals(64, kms.generateDataKey(r -> r.keyId(k.keyId()).numberOfBytes(64)).plaintext().asByteArray().length);
        fails("ValidationException", "Please specify either number of bytes or key spec.",
                () -> kms.generateDataKey(r -> r.keyId(k.keyId())));
        fails("ValidationException", "Please specify either number of bytes or key spec.",
                () -> kms.generateDataKey(r -> r.keyId(k.keyId()).keySpec("AES_256").numberOfBytes(32)));

        var wp = kms.generateDataKeyWithoutPlaintext(r -> r.keyId(k.keyId()).keySpec("AES_256"));
        assertEquals(k.arn(), wp.keyId());
        assertEquals(32, kms.decrypt(r -> r.ciphertextBlob(wp.ciphertextBlob())).plaintext().asByteArray().length);
    }

    @Test
    void reEncryptMovesACiphertextToAnotherKeyAndContext() {
        KeyMetadata a = kms.createKey().keyMetadata();
        KeyMetadata b = kms.createKey().keyMetadata();
        SdkBytes blob = kms.encrypt(r -> r.keyId(a.keyId()).plaintext(secret).encryptionContext(Map.of("v", "1"))).ciphertextBlob();
        ReEncryptResponse re = kms.reEncrypt(r -> r.ciphertextBlob(blob).sourceEncryptionContext(Map.of("v", "1"))
                .destinationKeyId(b.keyId()).destinationEncryptionContext(Map.of("v", "2")));
        assertEquals(a.arn(), re.sourceKeyId());
        assertEquals(b.arn(), re.keyId());
        assertEquals("SYMMETRIC_DEFAULT", re.sourceEncryptionAlgorithmAsString());
        DecryptResponse d = kms.decrypt(r -> r.ciphertextBlob(re.ciphertextBlob()).encryptionContext(Map.of("v", "2")));
        assertEquals(secret, d.plaintext());
        assertEquals(b.arn(), d.keyId());
        fails("InvalidCiphertextException", () -> kms.reEncrypt(r -> r.ciphertextBlob(blob).destinationKeyId(b.keyId())));
        fails("IncorrectKeyException", () -> kms.reEncrypt(r -> r.ciphertextBlob(blob).sourceKeyId(b.keyId())
                .sourceEncryptionContext(Map.of("v", "1")).destinationKeyId(b.keyId())));
    }

    @Test
    void generateRandom() {
        assertEquals(1, kms.generateRandom(r -> r.numberOfBytes(1)).plaintext().asByteArray().length);
        byte[] x = kms.generateRandom(r -> r.numberOfBytes(1024)).plaintext().asByteArray();
        byte[] y = kms.generateRandom(r -> r.numberOfBytes(1024)).plaintext().asByteArray();
        assertEquals(1024, x.length);
        assertFalse(Arrays.equals(x, y));
        fails("ValidationException", "NumberOfBytes is required.", () -> kms.generateRandom(r -> { }));
        fails("ValidationException", "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: "
                + "Member must have value greater than or equal to 1", () -> kms.generateRandom(r -> r.numberOfBytes(0)));
        fails("ValidationException", "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: "
                + "Member must have value less than or equal to 1024", () -> kms.generateRandom(r -> r.numberOfBytes(1025)));
    }

    @Test
    void plaintextLimitAndDryRun() {
        String k = kms.createKey().keyMetadata().keyId();
        fails("ValidationException", () -> kms.encrypt(r -> r.keyId(k).plaintext(SdkBytes.fromByteArray(new byte[4097]))));
        fails("DryRunOperationException", () -> kms.encrypt(r -> r.keyId(k).plaintext(secret).dryRun(true)));
        assertArrayEquals(new byte[4096], kms.decrypt(r -> r.ciphertextBlob(kms.encrypt(e -> e.keyId(k)
                .plaintext(SdkBytes.fromByteArray(new byte[4096]))).ciphertextBlob())).plaintext().asByteArray());
    }
}
