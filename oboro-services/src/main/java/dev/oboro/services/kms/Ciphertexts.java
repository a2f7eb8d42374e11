package dev.oboro.services.kms;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ciphertext blob: AES-256-GCM under one generation of a key's material. The blob names its key
 * and material generation, so Decrypt needs no KeyId; that header and the encryption context are
 * the GCM additional authenticated data, so a changed header or a different context fails.
 *
 * <pre>
 * version(1) | keyIdLength(1) | keyId | materialIndex(4) | iv(12) | ciphertext+tag(16)
 * </pre>
 */
final class Ciphertexts {
    private Ciphertexts() {
    }

    private static final byte VERSION = 1;
    private static final int IV = 12;
    private static final int TAG_BITS = 128;

    record Parsed(String keyId, int materialIndex, byte[] header, byte[] iv, byte[] body) {
    }

    static byte[] seal(String keyId, int materialIndex, byte[] key, byte[] plaintext, Map<String, String> context) {
        byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
        byte[] header = ByteBuffer.allocate(2 + id.length + 4).put(VERSION).put((byte) id.length).put(id).putInt(materialIndex).array();
        byte[] iv = new byte[IV];
        KmsState.RANDOM.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(header);
            c.updateAAD(canonical(context));
            byte[] body = c.doFinal(plaintext);
            return ByteBuffer.allocate(header.length + IV + body.length).put(header).put(iv).put(body).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The blob's parts, or null if it is not an Oboro KMS ciphertext. */
    static Parsed parse(byte[] blob) {
        if (blob == null || blob.length < 2 || blob[0] != VERSION) return null;
        int idLen = blob[1] & 0xff;
        int headerLen = 2 + idLen + 4;
        if (blob.length < headerLen + IV + TAG_BITS / 8) return null;
        String keyId = new String(blob, 2, idLen, StandardCharsets.US_ASCII);
        int index = ByteBuffer.wrap(blob, 2 + idLen, 4).getInt();
        byte[] header = java.util.Arrays.copyOfRange(blob, 0, headerLen);
        byte[] iv = java.util.Arrays.copyOfRange(blob, headerLen, headerLen + IV);
        byte[] body = java.util.Arrays.copyOfRange(blob, headerLen + IV, blob.length);
        return new Parsed(keyId, index, header, iv, body);
    }

    /** The plaintext, or null if the blob was altered or the context differs. */
    static byte[] open(Parsed p, byte[] key, Map<String, String> context) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, p.iv()));
            c.updateAAD(p.header());
            c.updateAAD(canonical(context));
            return c.doFinal(p.body());
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The encryption context in a canonical form: pairs sorted by key, each part length-prefixed. */
    static byte[] canonical(Map<String, String> context) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (context == null) return new byte[0];
        for (Map.Entry<String, String> e : new TreeMap<>(context).entrySet()) {
            write(out, e.getKey());
            write(out, e.getValue());
        }
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
    }
}
