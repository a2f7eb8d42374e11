package dev.oboro.services.kms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.kms.model.*;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys and their life: create, describe, list, enable/disable, description, scheduled deletion on
 * the clock, rotation, key policies and tags.
 * Key states: https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
 */
final class Keys {
    private final KmsState state;

    Keys(KmsState state) {
        this.state = state;
    }

    CreateKeyResponse createKey(Call call, CreateKeyRequest req) {
        if (req.keySpecAsString() != null && req.customerMasterKeySpecAsString() != null) {
            throw KmsErrors.validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                    + "CustomerMasterKeySpec is deprecated.");
        }
        String spec = req.keySpecAsString() != null ? req.keySpecAsString()
                : req.customerMasterKeySpecAsString() != null ? req.customerMasterKeySpecAsString() : "SYMMETRIC_DEFAULT";
        if (!"SYMMETRIC_DEFAULT".equals(spec)) {
            throw new AwsException("UnsupportedOperationException", "Oboro supports only SYMMETRIC_DEFAULT keys; KeySpec "
                    + spec + " is not available.");
        }
        String usage = req.keyUsageAsString() == null ? "ENCRYPT_DECRYPT" : req.keyUsageAsString();
        if (!"ENCRYPT_DECRYPT".equals(usage)) {
            throw KmsErrors.validation("KeyUsage " + usage + " is not compatible with KeySpec " + spec + ".");
        }
        String origin = req.originAsString() == null ? "AWS_KMS" : req.originAsString();
        if (!"AWS_KMS".equals(origin)) {
            throw new AwsException("UnsupportedOperationException", "Oboro supports only keys of origin AWS_KMS; Origin "
                    + origin + " is not available.");
        }
        if (req.policy() != null) checkPolicy(req.policy());
        Map<String, String> tags = new LinkedHashMap<>();
        if (req.hasTags()) addTags(tags, req.tags());
        KmsKey k = state.newKey(call, Boolean.TRUE.equals(req.multiRegion()), req.description(), req.policy(), tags, "CUSTOMER", null);
        state.keys.put(call.scope(), k.keyId(), k);
        return CreateKeyResponse.builder().keyMetadata(KmsState.metadata(k)).build();
    }

    DescribeKeyResponse describeKey(Call call, DescribeKeyRequest req) {
        return DescribeKeyResponse.builder().keyMetadata(KmsState.metadata(state.resolve(call, req.keyId()))).build();
    }

    ListKeysResponse listKeys(Call call, ListKeysRequest req) {
        List<KmsKey> all = new ArrayList<>(state.keys.values(call.scope()));
        ListKeysResponse.Builder b = ListKeysResponse.builder();
        Pagination.Page<KmsKey> page = Pagination.page(call, req, all, KmsKey::keyId, b);
        return b.keys(page.items().stream().map(k -> KeyListEntry.builder().keyId(k.keyId()).keyArn(k.arn()).build()).toList())
                .build();
    }

    UpdateKeyDescriptionResponse updateKeyDescription(Call call, UpdateKeyDescriptionRequest req) {
        KmsKey k = KmsState.notPendingDeletion(state.resolveKeyOnly(call, req.keyId()));
        state.keys.update(call.scope(), k.keyId(), c -> c.withDescription(req.description()));
        return UpdateKeyDescriptionResponse.builder().build();
    }

    EnableKeyResponse enableKey(Call call, EnableKeyRequest req) {
        KmsKey k = KmsState.notPendingDeletion(state.resolveKeyOnly(call, req.keyId()));
        state.keys.update(call.scope(), k.keyId(), c -> c.withState(KmsKey.ENABLED, null, null));
        return EnableKeyResponse.builder().build();
    }

    DisableKeyResponse disableKey(Call call, DisableKeyRequest req) {
        KmsKey k = KmsState.notPendingDeletion(state.resolveKeyOnly(call, req.keyId()));
        state.keys.update(call.scope(), k.keyId(), c -> c.withState(KmsKey.DISABLED, null, null));
        return DisableKeyResponse.builder().build();
    }

    // ------------------------------------------------------------------ deletion

    ScheduleKeyDeletionResponse scheduleKeyDeletion(Call call, ScheduleKeyDeletionRequest req) {
        int days = req.pendingWindowInDays() == null ? 30 : req.pendingWindowInDays();
        if (days < 7 || days > 30) {
            throw KmsErrors.validation("PendingWindowInDays should be between 7 and 30, but it is " + days);
        }
        KmsKey k = KmsState.notPendingDeletion(state.resolveKeyOnly(call, req.keyId()));
        Instant deletion = call.now().plus(Duration.ofDays(days));
        KmsKey updated = state.keys.update(call.scope(), k.keyId(), c -> c.withState(KmsKey.PENDING_DELETION, deletion, days));
        state.arm(call.scope(), updated);
        return ScheduleKeyDeletionResponse.builder().keyId(updated.arn()).deletionDate(deletion)
                .keyState(KmsKey.PENDING_DELETION).pendingWindowInDays(days).build();
    }

    CancelKeyDeletionResponse cancelKeyDeletion(Call call, CancelKeyDeletionRequest req) {
        KmsKey k = state.resolveKeyOnly(call, req.keyId());
        if (!KmsKey.PENDING_DELETION.equals(k.keyState())) {
            throw new AwsException("KMSInvalidStateException", k.arn() + " is not pending deletion.");
        }
        // A key whose deletion is cancelled comes back disabled: https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-scheduling-key-deletion.html
        KmsKey updated = state.keys.update(call.scope(), k.keyId(), c -> c.withState(KmsKey.DISABLED, null, null));
        state.arm(call.scope(), updated);
        return CancelKeyDeletionResponse.builder().keyId(updated.arn()).build();
    }

    // ------------------------------------------------------------------ rotation

    EnableKeyRotationResponse enableKeyRotation(Call call, EnableKeyRotationRequest req) {
        KmsKey k = KmsState.usable(state.resolveKeyOnly(call, req.keyId()));
        int period = req.rotationPeriodInDays() == null ? 365 : req.rotationPeriodInDays();
        KmsKey updated = state.keys.update(call.scope(), k.keyId(),
                c -> c.withRotation(true, period, call.now().plus(Duration.ofDays(period))));
        state.arm(call.scope(), updated);
        return EnableKeyRotationResponse.builder().build();
    }

    DisableKeyRotationResponse disableKeyRotation(Call call, DisableKeyRotationRequest req) {
        KmsKey k = KmsState.usable(state.resolveKeyOnly(call, req.keyId()));
        KmsKey updated = state.keys.update(call.scope(), k.keyId(), c -> c.withRotation(false, null, null));
        state.arm(call.scope(), updated);
        return DisableKeyRotationResponse.builder().build();
    }

    GetKeyRotationStatusResponse getKeyRotationStatus(Call call, GetKeyRotationStatusRequest req) {
        KmsKey k = state.resolveKeyOnly(call, req.keyId());
        GetKeyRotationStatusResponse.Builder b = GetKeyRotationStatusResponse.builder()
                .keyId(k.arn()).keyRotationEnabled(k.rotationEnabled());
        if (k.rotationEnabled()) b.rotationPeriodInDays(k.rotationPeriodInDays()).nextRotationDate(k.nextRotationDate());
        return b.build();
    }

    RotateKeyOnDemandResponse rotateKeyOnDemand(Call call, RotateKeyOnDemandRequest req) {
        KmsKey k = KmsState.usable(state.resolveKeyOnly(call, req.keyId()));
        state.keys.update(call.scope(), k.keyId(), c -> {
            List<KmsKey.Material> m = new ArrayList<>(c.materials());
            m.add(KmsState.newMaterial(call.now(), "ON_DEMAND"));
            return c.withMaterials(m, c.nextRotationDate());
        });
        return RotateKeyOnDemandResponse.builder().keyId(k.keyId()).build();
    }

    ListKeyRotationsResponse listKeyRotations(Call call, ListKeyRotationsRequest req) {
        KmsKey k = state.resolveKeyOnly(call, req.keyId());
        List<KmsKey.Material> rotated = new ArrayList<>();
        List<KmsKey.Material> all = k.materials();
        for (int i = 1; i < all.size(); i++) rotated.add(all.get(i));
        ListKeyRotationsResponse.Builder b = ListKeyRotationsResponse.builder();
        // rotation dates are increasing; a fixed-width index makes them the stable page key
        Pagination.Page<KmsKey.Material> page = Pagination.page(call, req, rotated,
                m -> String.format("%08d", all.indexOf(m)), b);
        KmsKey.Material current = k.current();
        return b.rotations(page.items().stream().map(m -> RotationsListEntry.builder().keyId(k.keyId())
                .keyMaterialId(m.id()).rotationDate(m.createdAt()).rotationType(m.rotationType())
                .keyMaterialState(m == current ? "CURRENT" : "NON_CURRENT").build()).toList()).build();
    }

    // ------------------------------------------------------------------ policies

    ListKeyPoliciesResponse listKeyPolicies(Call call, ListKeyPoliciesRequest req) {
        state.resolveKeyOnly(call, req.keyId());
        ListKeyPoliciesResponse.Builder b = ListKeyPoliciesResponse.builder();
        Pagination.Page<String> page = Pagination.page(call, req, List.of("default"), s -> s, b);
        return b.policyNames(page.items()).build();
    }

    GetKeyPolicyResponse getKeyPolicy(Call call, GetKeyPolicyRequest req) {
        KmsKey k = state.resolveKeyOnly(call, req.keyId());
        String name = req.policyName() == null ? "default" : req.policyName();
        if (!"default".equals(name)) throw new AwsException("NotFoundException", "No such policy exists");
        return GetKeyPolicyResponse.builder().policy(k.policy()).policyName(name).build();
    }

    PutKeyPolicyResponse putKeyPolicy(Call call, PutKeyPolicyRequest req) {
        KmsKey k = state.resolveKeyOnly(call, req.keyId());
        String name = req.policyName() == null ? "default" : req.policyName();
        if (!"default".equals(name)) throw new AwsException("NotFoundException", "No such policy exists");
        checkPolicy(req.policy());
        state.keys.update(call.scope(), k.keyId(), c -> c.withPolicy(req.policy()));
        return PutKeyPolicyResponse.builder().build();
    }

    private static void checkPolicy(String policy) {
        JsonNode doc;
        try {
            doc = KmsState.JSON.readTree(policy);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AwsException("MalformedPolicyDocumentException", "The key policy is not valid JSON: " + e.getOriginalMessage());
        }
        if (doc == null || !doc.isObject() || !doc.has("Statement")) {
            throw new AwsException("MalformedPolicyDocumentException", "The key policy must be a JSON object with a Statement.");
        }
    }

    // ------------------------------------------------------------------ tags

    TagResourceResponse tagResource(Call call, TagResourceRequest req) {
        KmsKey k = KmsState.notPendingDeletion(state.resolveKeyOnly(call, req.keyId()));
        Map<String, String> tags = new LinkedHashMap<>(k.tags());
        addTags(tags, req.tags());
        state.keys.update(call.scope(), k.keyId(), c -> c.withTags(tags));
        return TagResourceResponse.builder().build();
    }

    UntagResourceResponse untagResource(Call call, UntagResourceRequest req) {
        KmsKey k = KmsState.notPendingDeletion(state.resolveKeyOnly(call, req.keyId()));
        Map<String, String> tags = new LinkedHashMap<>(k.tags());
        req.tagKeys().forEach(tags::remove);
        state.keys.update(call.scope(), k.keyId(), c -> c.withTags(tags));
        return UntagResourceResponse.builder().build();
    }

    ListResourceTagsResponse listResourceTags(Call call, ListResourceTagsRequest req) {
        KmsKey k = state.resolveKeyOnly(call, req.keyId());
        List<Tag> tags = k.tags().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Tag.builder().tagKey(e.getKey()).tagValue(e.getValue()).build()).toList();
        ListResourceTagsResponse.Builder b = ListResourceTagsResponse.builder();
        Pagination.Page<Tag> page = Pagination.page(call, req, tags, Tag::tagKey, b,
                KmsState.smallPageLimit(req.limit(), 50));
        return b.tags(page.items()).build();
    }

    private static void addTags(Map<String, String> into, Collection<Tag> tags) {
        for (Tag t : tags) {
            if (t.tagKey().regionMatches(true, 0, "aws:", 0, 4)) {
                throw new AwsException("TagException", "Tags beginning with aws: are reserved");
            }
            into.put(t.tagKey(), t.tagValue());
        }
    }
}
