package dev.oboro.services.kms;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A KMS key as stored: its metadata, policy, tags, rotation schedule and key material. Deadlines
 * ({@code deletionDate}, {@code nextRotationDate}) live here so timers can be re-armed on load.
 *
 * @param materials  the backing keys, oldest first; the last one encrypts, every one still decrypts
 * @param managedFor for an AWS managed key, its alias ({@code alias/aws/ebs}); else null
 */
record KmsKey(String keyId, String arn, String account, String region, Instant creationDate, String description,
              String keyState, String keyManager, String origin, String keySpec, String keyUsage, boolean multiRegion,
              Instant deletionDate, Integer pendingWindowInDays, String policy, Map<String, String> tags,
              boolean rotationEnabled, Integer rotationPeriodInDays, Instant nextRotationDate,
              List<Material> materials, String managedFor) {

    static final String ENABLED = "Enabled";
    static final String DISABLED = "Disabled";
    static final String PENDING_DELETION = "PendingDeletion";

    /** One generation of key material. {@code rotationType} is null for the original material. */
    record Material(String id, String key, Instant createdAt, String rotationType) {
    }

    boolean enabled() {
        return ENABLED.equals(keyState);
    }

    boolean awsManaged() {
        return "AWS".equals(keyManager);
    }

    Material current() {
        return materials.get(materials.size() - 1);
    }

    KmsKey withState(String state, Instant deletion, Integer window) {
        return new KmsKey(keyId, arn, account, region, creationDate, description, state, keyManager, origin, keySpec, keyUsage,
                multiRegion, deletion, window, policy, tags, rotationEnabled, rotationPeriodInDays, nextRotationDate, materials, managedFor);
    }

    KmsKey withDescription(String d) {
        return new KmsKey(keyId, arn, account, region, creationDate, d, keyState, keyManager, origin, keySpec, keyUsage,
                multiRegion, deletionDate, pendingWindowInDays, policy, tags, rotationEnabled, rotationPeriodInDays, nextRotationDate,
                materials, managedFor);
    }

    KmsKey withPolicy(String p) {
        return new KmsKey(keyId, arn, account, region, creationDate, description, keyState, keyManager, origin, keySpec, keyUsage,
                multiRegion, deletionDate, pendingWindowInDays, p, tags, rotationEnabled, rotationPeriodInDays, nextRotationDate,
                materials, managedFor);
    }

    KmsKey withTags(Map<String, String> t) {
        return new KmsKey(keyId, arn, account, region, creationDate, description, keyState, keyManager, origin, keySpec, keyUsage,
                multiRegion, deletionDate, pendingWindowInDays, policy, t, rotationEnabled, rotationPeriodInDays, nextRotationDate,
                materials, managedFor);
    }

    KmsKey withRotation(boolean on, Integer periodDays, Instant next) {
        return new KmsKey(keyId, arn, account, region, creationDate, description, keyState, keyManager, origin, keySpec, keyUsage,
                multiRegion, deletionDate, pendingWindowInDays, policy, tags, on, periodDays, next, materials, managedFor);
    }

    KmsKey withMaterials(List<Material> m, Instant next) {
        return new KmsKey(keyId, arn, account, region, creationDate, description, keyState, keyManager, origin, keySpec, keyUsage,
                multiRegion, deletionDate, pendingWindowInDays, policy, tags, rotationEnabled, rotationPeriodInDays, next, m, managedFor);
    }
}
