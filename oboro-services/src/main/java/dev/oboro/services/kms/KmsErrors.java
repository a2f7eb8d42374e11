package dev.oboro.services.kms;

import dev.oboro.wire.AwsException;

/** KMS's refusals, worded as AWS words them. */
final class KmsErrors {
    private KmsErrors() {
    }

    static AwsException keyNotFound(String keyArn) {
        return new AwsException("NotFoundException", "Key '" + keyArn + "' does not exist");
    }

    static AwsException invalidKeyId(String keyId) {
        return new AwsException("NotFoundException", "Invalid keyId '" + keyId + "'");
    }

    static AwsException aliasNotFound(String aliasArn) {
        return new AwsException("NotFoundException", "Alias " + aliasArn + " is not found.");
    }

    static AwsException disabled(KmsKey k) {
        return new AwsException("DisabledException", k.arn() + " is disabled.");
    }

    static AwsException pendingDeletion(KmsKey k) {
        return new AwsException("KMSInvalidStateException", k.arn() + " is pending deletion.");
    }

    static AwsException validation(String message) {
        return new AwsException("ValidationException", message);
    }

    /** AWS answers a tampered, foreign or wrongly-contexted ciphertext with an empty message. */
    static AwsException invalidCiphertext() {
        return new AwsException("InvalidCiphertextException", "");
    }

    static AwsException incorrectKey() {
        return new AwsException("IncorrectKeyException",
                "The key ID in the request does not identify a CMK that can perform this operation.");
    }

    static AwsException dryRun() {
        return new AwsException("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
    }

    static void checkDryRun(Boolean dryRun) {
        if (Boolean.TRUE.equals(dryRun)) throw dryRun();
    }
}
