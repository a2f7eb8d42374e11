package dev.oboro.services.kms;

import dev.oboro.core.Call;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptRequest;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyRequest;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyWithoutPlaintextRequest;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyWithoutPlaintextResponse;
import software.amazon.awssdk.services.kms.model.GenerateRandomRequest;
import software.amazon.awssdk.services.kms.model.GenerateRandomResponse;
import software.amazon.awssdk.services.kms.model.ReEncryptRequest;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

import java.util.Base64;
import java.util.Map;

/**
 * Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom with real
 * AES-256-GCM (see {@link Ciphertexts}); the encryption context is bound in as authenticated data.
 */
final class Cryptography {
    private static final String SYMMETRIC = "SYMMETRIC_DEFAULT";
    private final KmsState state;

    Cryptography(KmsState state) {
        this.state = state;
    }

    EncryptResponse encrypt(Call call, EncryptRequest req) {
        KmsKey k = KmsState.usable(state.resolve(call, req.keyId()));
        checkAlgorithm(k, req.encryptionAlgorithmAsString());
        KmsErrors.checkDryRun(req.dryRun());
        byte[] blob = seal(k, req.plaintext().asByteArray(), req.encryptionContext());
        return EncryptResponse.builder().keyId(k.arn()).ciphertextBlob(SdkBytes.fromByteArray(blob))
                .encryptionAlgorithm(SYMMETRIC).build();
    }

    DecryptResponse decrypt(Call call, DecryptRequest req) {
        Opened o = open(call, req.ciphertextBlob(), req.keyId(), req.encryptionAlgorithmAsString(), req.encryptionContext());
        KmsErrors.checkDryRun(req.dryRun());
        return DecryptResponse.builder().keyId(o.key.arn()).plaintext(SdkBytes.fromByteArray(o.plaintext))
                .encryptionAlgorithm(SYMMETRIC).build();
    }

    ReEncryptResponse reEncrypt(Call call, ReEncryptRequest req) {
        Opened o = open(call, req.ciphertextBlob(), req.sourceKeyId(), req.sourceEncryptionAlgorithmAsString(),
                req.sourceEncryptionContext());
        KmsKey dest = KmsState.usable(state.resolve(call, req.destinationKeyId()));
        checkAlgorithm(dest, req.destinationEncryptionAlgorithmAsString());
        KmsErrors.checkDryRun(req.dryRun());
        byte[] blob = seal(dest, o.plaintext, req.destinationEncryptionContext());
        return ReEncryptResponse.builder().ciphertextBlob(SdkBytes.fromByteArray(blob)).sourceKeyId(o.key.arn())
                .keyId(dest.arn()).sourceEncryptionAlgorithm(SYMMETRIC).destinationEncryptionAlgorithm(SYMMETRIC).build();
    }

    GenerateDataKeyResponse generateDataKey(Call call, GenerateDataKeyRequest req) {
        KmsKey k = KmsState.usable(state.resolve(call, req.keyId()));
        byte[] dataKey = dataKey(req.keySpecAsString(), req.numberOfBytes());
        KmsErrors.checkDryRun(req.dryRun());
        byte[] blob = seal(k, dataKey, req.encryptionContext());
        return GenerateDataKeyResponse.builder().keyId(k.arn()).plaintext(SdkBytes.fromByteArray(dataKey))
                .ciphertextBlob(SdkBytes.fromByteArray(blob)).build();
    }

    GenerateDataKeyWithoutPlaintextResponse generateDataKeyWithoutPlaintext(Call call, GenerateDataKeyWithoutPlaintextRequest req) {
        KmsKey k = KmsState.usable(state.resolve(call, req.keyId()));
        byte[] dataKey = dataKey(req.keySpecAsString(), req.numberOfBytes());
        KmsErrors.checkDryRun(req.dryRun());
        byte[] blob = seal(k, dataKey, req.encryptionContext());
        return GenerateDataKeyWithoutPlaintextResponse.builder().keyId(k.arn()).ciphertextBlob(SdkBytes.fromByteArray(blob)).build();
    }

    GenerateRandomResponse generateRandom(Call call, GenerateRandomRequest req) {
        if (req.numberOfBytes() == null) throw KmsErrors.validation("NumberOfBytes is required.");
        if (req.customKeyStoreId() != null) {
            throw new AwsException("CustomKeyStoreNotFoundException", "Custom key store " + req.customKeyStoreId() + " does not exist.");
        }
        byte[] b = new byte[req.numberOfBytes()];
        KmsState.RANDOM.nextBytes(b);
        return GenerateRandomResponse.builder().plaintext(SdkBytes.fromByteArray(b)).build();
    }

    // ------------------------------------------------------------------ helpers

    private record Opened(KmsKey key, byte[] plaintext) {
    }

    private Opened open(Call call, SdkBytes blob, String keyId, String algorithm, Map<String, String> context) {
        Ciphertexts.Parsed p = Ciphertexts.parse(blob.asByteArray());
        if (p == null) throw KmsErrors.invalidCiphertext();
        KmsKey k;
        if (keyId != null) {
            k = state.resolve(call, keyId);
            if (!k.keyId().equals(p.keyId())) throw KmsErrors.incorrectKey();
        } else {
            if (!KmsState.UUID.matcher(p.keyId()).matches() && !KmsState.MRK.matcher(p.keyId()).matches()) {
                throw KmsErrors.invalidCiphertext();
            }
            k = state.keys.get(call.scope(), p.keyId());
            if (k == null) throw KmsErrors.keyNotFound(call.arn("kms", "key/" + p.keyId()));
        }
        KmsState.usable(k);
        if (algorithm != null && !SYMMETRIC.equals(algorithm)) throw KmsErrors.incorrectKey();
        if (p.materialIndex() < 0 || p.materialIndex() >= k.materials().size()) throw KmsErrors.invalidCiphertext();
        byte[] material = Base64.getDecoder().decode(k.materials().get(p.materialIndex()).key());
        byte[] plaintext = Ciphertexts.open(p, material, context);
        if (plaintext == null) throw KmsErrors.invalidCiphertext();
        return new Opened(k, plaintext);
    }

    private static byte[] seal(KmsKey k, byte[] plaintext, Map<String, String> context) {
        int index = k.materials().size() - 1;
        byte[] material = Base64.getDecoder().decode(k.current().key());
        return Ciphertexts.seal(k.keyId(), index, material, plaintext, context);
    }

    private static void checkAlgorithm(KmsKey k, String algorithm) {
        if (algorithm != null && !SYMMETRIC.equals(algorithm)) {
            throw new AwsException("InvalidKeyUsageException", "Algorithm " + algorithm + " is incompatible with key spec "
                    + k.keySpec() + ".");
        }
    }

    /** GenerateDataKey takes exactly one of KeySpec and NumberOfBytes. */
    private static byte[] dataKey(String keySpec, Integer numberOfBytes) {
        if ((keySpec == null) == (numberOfBytes == null)) {
            throw KmsErrors.validation("Please specify either number of bytes or key spec.");
        }
        int n = numberOfBytes != null ? numberOfBytes : "AES_128".equals(keySpec) ? 16 : 32;
        byte[] b = new byte[n];
        KmsState.RANDOM.nextBytes(b);
        return b;
    }
}
