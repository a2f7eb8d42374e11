package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.CreateKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.CreateKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.DeleteKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.DeleteKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.DescribeKeyPairsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeKeyPairsResponse;
import software.amazon.awssdk.services.ec2.model.ImportKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.ImportKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Key pairs. CreateKeyPair returns a real private key (RSA as PKCS#1 PEM, ED25519 in OpenSSH
 * format) and the fingerprint AWS computes for it; ImportKeyPair takes an OpenSSH public key.
 * Fingerprints as https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/verify-keys.html describes:
 * RSA created by AWS: SHA-1 of the PKCS#8 private key; RSA imported: MD5 of the public key (DER);
 * ED25519: SHA-256 of the OpenSSH public key blob, base64.
 */
final class KeyPairs {
    record Key(String id, String name, String type, String fingerprint, String publicKey, Instant createTime) {
    }

    private final Ec2State st;
    private final Filters<Key> filters;

    KeyPairs(Ec2State st) {
        this.st = st;
        filters = new Filters<>(Map.<String, Function<Key, Collection<String>>>of(
                "key-pair-id", k -> List.of(k.id()),
                "key-name", k -> List.of(k.name()),
                "fingerprint", k -> List.of(k.fingerprint()),
                "key-type", k -> List.of(k.type()),
                "tag:", k -> st.tags.pairs(FilterScope.get(), k.id()),
                "tag-key", k -> st.tags.keys(FilterScope.get(), k.id()),
                "tag-value", k -> st.tags.values(FilterScope.get(), k.id())));
    }

    CreateKeyPairResponse createKeyPair(Call call, CreateKeyPairRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateKeyPair");
        Scope s = st.scope(call);
        checkName(s, req.keyName());
        String type = req.keyTypeAsString() == null ? "rsa" : req.keyTypeAsString();
        if (!type.equals("rsa") && !type.equals("ed25519")) throw Ec2Errors.invalidParameterValue("Invalid value '" + type + "' for keyType.");
        if ("ppk".equals(req.keyFormatAsString())) {
            throw Ec2Errors.unsupportedOperation("Oboro returns key material in pem format only.");
        }
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("key-pair"));
        String material;
        String fingerprint;
        String publicKey;
        try {
            if (type.equals("rsa")) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                KeyPair kp = g.generateKeyPair();
                byte[] pkcs8 = kp.getPrivate().getEncoded();
                material = pem("RSA PRIVATE KEY", pkcs1(pkcs8));
                fingerprint = colonHex(MessageDigest.getInstance("SHA-1").digest(pkcs8));
                publicKey = "ssh-rsa " + Base64.getEncoder().encodeToString(rsaBlob((RSAPublicKey) kp.getPublic())) + " " + req.keyName();
            } else {
                KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                byte[] pub = Arrays.copyOfRange(kp.getPublic().getEncoded(), 12, 44);
                byte[] seed = Arrays.copyOfRange(kp.getPrivate().getEncoded(), 16, 48);
                byte[] blob = ed25519Blob(pub);
                material = openSshPrivate(blob, seed, pub, req.keyName());
                fingerprint = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
                publicKey = "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob) + " " + req.keyName();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        String id = "key-" + Ids.hex(17);
        st.keyPairs.put(s, id, new Key(id, req.keyName(), type, fingerprint, publicKey, call.now()));
        st.tags.apply(s, req.tagSpecifications(), "key-pair", id);
        return CreateKeyPairResponse.builder().keyName(req.keyName()).keyPairId(id).keyFingerprint(fingerprint)
                .keyMaterial(material).tags(st.tags.sdk(s, id)).build();
    }

    ImportKeyPairResponse importKeyPair(Call call, ImportKeyPairRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ImportKeyPair");
        Scope s = st.scope(call);
        checkName(s, req.keyName());
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("key-pair"));
        String text = req.publicKeyMaterial() == null ? "" : req.publicKeyMaterial().asUtf8String().trim();
        String[] parts = text.split("\\s+");
        String type;
        String fingerprint;
        try {
            if (parts.length < 2) throw new IllegalArgumentException();
            byte[] blob = Base64.getDecoder().decode(parts[1]);
            ByteBuffer bb = ByteBuffer.wrap(blob);
            String alg = new String(readString(bb), StandardCharsets.US_ASCII);
            if (alg.equals("ssh-rsa") && parts[0].equals("ssh-rsa")) {
                BigInteger e = new BigInteger(readString(bb));
                BigInteger n = new BigInteger(readString(bb));
                byte[] der = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e)).getEncoded();
                fingerprint = colonHex(MessageDigest.getInstance("MD5").digest(der));
                type = "rsa";
            } else if (alg.equals("ssh-ed25519") && parts[0].equals("ssh-ed25519")) {
                fingerprint = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
                type = "ed25519";
            } else {
                throw new IllegalArgumentException();
            }
        } catch (RuntimeException | GeneralSecurityException e) {
            throw Ec2Errors.invalidParameterValue("Key is not in valid OpenSSH public key format");
        }
        String id = "key-" + Ids.hex(17);
        st.keyPairs.put(s, id, new Key(id, req.keyName(), type, fingerprint, text, call.now()));
        st.tags.apply(s, req.tagSpecifications(), "key-pair", id);
        return ImportKeyPairResponse.builder().keyName(req.keyName()).keyPairId(id).keyFingerprint(fingerprint)
                .tags(st.tags.sdk(s, id)).build();
    }

    DescribeKeyPairsResponse describeKeyPairs(Call call, DescribeKeyPairsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeKeyPairs");
        Scope s = st.scope(call);
        List<Key> all = new ArrayList<>(st.keyPairs.values(s));
        if (req.hasKeyNames() && !req.keyNames().isEmpty()) {
            for (String n : req.keyNames()) byName(s, n);
            all.removeIf(k -> !req.keyNames().contains(k.name()));
        }
        if (req.hasKeyPairIds() && !req.keyPairIds().isEmpty()) {
            for (String id : req.keyPairIds()) {
                if (!st.keyPairs.contains(s, id)) throw new AwsException("InvalidKeyPair.NotFound", "The key pair '" + id + "' does not exist", 400);
            }
            all.removeIf(k -> !req.keyPairIds().contains(k.id()));
        }
        List<Key> matched = FilterScope.in(s, () -> filters.apply(req.filters(), all));
        boolean withPublic = Boolean.TRUE.equals(req.includePublicKey());
        return DescribeKeyPairsResponse.builder().keyPairs(matched.stream().map(k -> KeyPairInfo.builder()
                .keyPairId(k.id()).keyName(k.name()).keyType(k.type()).keyFingerprint(k.fingerprint()).createTime(k.createTime())
                .publicKey(withPublic ? k.publicKey() : null).tags(st.tags.sdk(s, k.id())).build()).toList()).build();
    }

    DeleteKeyPairResponse deleteKeyPair(Call call, DeleteKeyPairRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteKeyPair");
        Scope s = st.scope(call);
        Key k = req.keyPairId() != null ? st.keyPairs.get(s, req.keyPairId())
                : st.keyPairs.values(s).stream().filter(x -> x.name().equals(req.keyName())).findFirst().orElse(null);
        // AWS answers success for a key that does not exist
        if (k != null) {
            st.keyPairs.remove(s, k.id());
            st.tags.remove(s, k.id());
        }
        return DeleteKeyPairResponse.builder().returnValue(true).keyPairId(k == null ? null : k.id()).build();
    }

    Key byName(Scope s, String name) {
        for (Key k : st.keyPairs.values(s)) if (k.name().equals(name)) return k;
        throw new AwsException("InvalidKeyPair.NotFound", "The key pair '" + name + "' does not exist", 400);
    }

    private void checkName(Scope s, String name) {
        if (name == null || name.isEmpty()) throw Ec2Errors.missingParameter("KeyName");
        if (name.length() > 255) throw Ec2Errors.invalidParameterValue("Value for parameter KeyName is too long");
        for (Key k : st.keyPairs.values(s)) {
            if (k.name().equals(name)) throw new AwsException("InvalidKeyPair.Duplicate", "The keypair '" + name + "' already exists.", 400);
        }
    }

    // ------------------------------------------------------------------ encodings

    static String colonHex(byte[] b) {
        String h = HexFormat.of().formatHex(b);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < h.length(); i += 2) {
            if (i > 0) sb.append(':');
            sb.append(h, i, i + 2);
        }
        return sb.toString();
    }

    private static String pem(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----";
    }

    /** The PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: SEQUENCE { version, algorithm, OCTET STRING }. */
    static byte[] pkcs1(byte[] pkcs8) {
        int[] pos = {0};
        readHeader(pkcs8, pos, 0x30);
        int vlen = readHeader(pkcs8, pos, 0x02);
        pos[0] += vlen;
        int alen = readHeader(pkcs8, pos, 0x30);
        pos[0] += alen;
        int olen = readHeader(pkcs8, pos, 0x04);
        return Arrays.copyOfRange(pkcs8, pos[0], pos[0] + olen);
    }

    private static int readHeader(byte[] der, int[] pos, int tag) {
        if ((der[pos[0]++] & 0xff) != tag) throw new IllegalStateException("unexpected DER tag");
        int len = der[pos[0]++] & 0xff;
        if (len >= 0x80) {
            int n = len & 0x7f;
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (der[pos[0]++] & 0xff);
        }
        return len;
    }

    private static byte[] rsaBlob(RSAPublicKey k) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeString(out, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
        writeString(out, k.getPublicExponent().toByteArray());
        writeString(out, k.getModulus().toByteArray());
        return out.toByteArray();
    }

    private static byte[] ed25519Blob(byte[] pub) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeString(out, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
        writeString(out, pub);
        return out.toByteArray();
    }

    /** The openssh-key-v1 format, unencrypted (https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.key). */
    private static String openSshPrivate(byte[] blob, byte[] seed, byte[] pub, String comment) {
        ByteArrayOutputStream priv = new ByteArrayOutputStream();
        int check = ThreadLocalRandom.current().nextInt();
        writeInt(priv, check);
        writeInt(priv, check);
        writeString(priv, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
        writeString(priv, pub);
        byte[] both = new byte[64];
        System.arraycopy(seed, 0, both, 0, 32);
        System.arraycopy(pub, 0, both, 32, 32);
        writeString(priv, both);
        writeString(priv, comment.getBytes(StandardCharsets.UTF_8));
        for (int i = 1; priv.size() % 8 != 0; i++) priv.write(i);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII));
        writeString(out, "none".getBytes(StandardCharsets.US_ASCII));
        writeString(out, "none".getBytes(StandardCharsets.US_ASCII));
        writeString(out, new byte[0]);
        writeInt(out, 1);
        writeString(out, blob);
        writeString(out, priv.toByteArray());
        String b64 = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(out.toByteArray());
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + b64 + "\n-----END OPENSSH PRIVATE KEY-----";
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeString(ByteArrayOutputStream out, byte[] b) {
        writeInt(out, b.length);
        out.writeBytes(b);
    }

    private static byte[] readString(ByteBuffer bb) {
        byte[] b = new byte[bb.getInt()];
        bb.get(b);
        return b;
    }
}
