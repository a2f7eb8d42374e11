package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.KeyType;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.Base64;
import java.util.HexFormat;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyPairsTest {
    final String account = Oboro.newAccount();

    /** Reads a PKCS#1 RSAPrivateKey (the body of "BEGIN RSA PRIVATE KEY") into a Java key. */
    private static RSAPrivateCrtKey readPkcs1(String pem) throws Exception {
        String b64 = pem.replace("-----BEGIN RSA PRIVATE KEY-----", "").replace("-----END RSA PRIVATE KEY-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        int[] pos = {0};
        header(der, pos);
        BigInteger[] v = new BigInteger[9];
        for (int i = 0; i < 9; i++) {
            int len = header(der, pos);
            byte[] b = java.util.Arrays.copyOfRange(der, pos[0], pos[0] + len);
            pos[0] += len;
            v[i] = new BigInteger(b);
        }
        return (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]));
    }

    private static int header(byte[] der, int[] pos) {
        pos[0]++;
        int len = der[pos[0]++] & 0xff;
        if (len >= 0x80) {
            int n = len & 0x7f;
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (der[pos[0]++] & 0xff);
        }
        return len;
    }

    private static String colon(byte[] b) {
        return HexFormat.ofDelimiter(":").formatHex(b);
    }

    @Test
    void createdRsaKeyIsRealAndItsFingerprintIsTheSha1OfThePkcs8Key() throws Exception {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            CreateKeyPairResponse k = ec2.createKeyPair(r -> r.keyName("deploy"));
            assertTrue(k.keyMaterial().startsWith("-----BEGIN RSA PRIVATE KEY-----"));
            assertTrue(k.keyPairId().startsWith("key-"));
            RSAPrivateCrtKey key = readPkcs1(k.keyMaterial());
            assertEquals(2048, key.getModulus().bitLength());
            assertEquals(colon(MessageDigest.getInstance("SHA-1").digest(key.getEncoded())), k.keyFingerprint());
            var described = ec2.describeKeyPairs(r -> r.keyNames("deploy").includePublicKey(true)).keyPairs().get(0);
            assertEquals(k.keyFingerprint(), described.keyFingerprint());
            assertEquals("rsa", described.keyTypeAsString());
            assertTrue(described.publicKey().startsWith("ssh-rsa "));
            fails("InvalidKeyPair.Duplicate", () -> ec2.createKeyPair(r -> r.keyName("deploy")));
            ec2.deleteKeyPair(r -> r.keyName("deploy"));
            fails("InvalidKeyPair.NotFound", () -> ec2.describeKeyPairs(r -> r.keyNames("deploy")));
        }
    }

    @Test
    void ed25519KeysAndImportedKeys() throws Exception {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            CreateKeyPairResponse k = ec2.createKeyPair(r -> r.keyName("ed").keyType(KeyType.ED25519));
            assertTrue(k.keyMaterial().startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
            String pub = ec2.describeKeyPairs(r -> r.keyNames("ed").includePublicKey(true)).keyPairs().get(0).publicKey();
            byte[] blob = Base64.getDecoder().decode(pub.split(" ")[1]);
            assertEquals(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob)), k.keyFingerprint());
            // importing the same public key gives the same fingerprint
            var imported = ec2.importKeyPair(r -> r.keyName("ed-copy").publicKeyMaterial(SdkBytes.fromUtf8String(pub)));
            assertEquals(k.keyFingerprint(), imported.keyFingerprint());
            // an imported RSA key: MD5 of the DER public key
            var kpg = java.security.KeyPairGenerator.getInstance("RSA");
            kpg.initialize(2048);
            var rsa = kpg.generateKeyPair();
            var rp = (java.security.interfaces.RSAPublicKey) rsa.getPublic();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (byte[] part : new byte[][]{"ssh-rsa".getBytes(), rp.getPublicExponent().toByteArray(), rp.getModulus().toByteArray()}) {
                out.write(java.nio.ByteBuffer.allocate(4).putInt(part.length).array());
                out.write(part);
            }
            String line = "ssh-rsa " + Base64.getEncoder().encodeToString(out.toByteArray()) + " me@host";
            var r2 = ec2.importKeyPair(r -> r.keyName("mine").publicKeyMaterial(SdkBytes.fromUtf8String(line)));
            assertEquals(colon(MessageDigest.getInstance("MD5").digest(rp.getEncoded())), r2.keyFingerprint());
            assertNull(ec2.describeKeyPairs(r -> r.keyNames("mine")).keyPairs().get(0).publicKey());
            fails("InvalidParameterValue", () -> ec2.importKeyPair(r -> r.keyName("junk").publicKeyMaterial(SdkBytes.fromUtf8String("not a key"))));
        }
    }

    @Test
    void cliCreatesAndFiltersKeys() {
        JsonNode k = json(Cli.v2(account, "ec2", "create-key-pair", "--key-name", "cli-key", "--key-type", "ed25519").ok().stdout());
        assertTrue(k.get("KeyMaterial").asText().contains("OPENSSH PRIVATE KEY"));
        JsonNode d = json(Cli.v2(account, "ec2", "describe-key-pairs", "--filters", "Name=key-type,Values=ed25519").ok().stdout());
        assertTrue(d.get("KeyPairs").size() >= 1);
        assertTrue(Cli.v2(account, "ec2", "describe-key-pairs", "--key-names", "nope").stderr().contains("InvalidKeyPair.NotFound"));
    }
}
