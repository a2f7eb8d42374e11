package dev.oboro.services.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.core.time.Scheduler;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.MultiRegionConfiguration;
import software.amazon.awssdk.services.kms.model.MultiRegionKey;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * KMS's state (keys, aliases, grants per account and Region), how any key identifier resolves to a
 * key, the AWS managed keys, and the timers that delete keys and rotate their material on Oboro's
 * clock. Timers are re-armed from the records when the service loads and after a reset/import.
 */
final class KmsState {
    static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    static final Pattern MRK = Pattern.compile("^mrk-[0-9a-fA-F]{32}$");
    static final ObjectMapper JSON = new ObjectMapper();
    static final SecureRandom RANDOM = new SecureRandom();

    final Oboro oboro;
    final Table<KmsKey> keys;
    final Table<KmsAlias> aliases;
    final Table<KmsGrant> grants;
    private final Map<String, Scheduler.Task> timers = new ConcurrentHashMap<>();

    KmsState(Oboro oboro) {
        this.oboro = oboro;
        this.keys = oboro.store().table("kms.keys", KmsKey.class);
        this.aliases = oboro.store().table("kms.aliases", KmsAlias.class);
        this.grants = oboro.store().table("kms.grants", KmsGrant.class);
        rearmAll();
        oboro.store().onReset(this::rearmAll);
    }

    // ------------------------------------------------------------------ resolution

    /**
     * The key named by a key id, key ARN, alias name or alias ARN, in any state. Naming a
     * predefined AWS managed alias creates its key on first use, as AWS does.
     */
    KmsKey resolve(Call call, String id) {
        Scope scope = call.scope();
        String keyId;
        String shownArn = null;
        if (id.startsWith("arn:")) {
            String[] p = id.split(":", 6);
            if (p.length < 6 || !"kms".equals(p[2])) throw KmsErrors.invalidKeyId(id);
            String resource = p[5];
            if (resource.startsWith("alias/")) {
                return byAlias(call, resource);
            }
            if (!resource.startsWith("key/")) throw KmsErrors.invalidKeyId(id);
            if (!p[3].equals(call.region())) throw new dev.oboro.wire.AwsException("NotFoundException", "Invalid arn " + p[3]);
            keyId = resource.substring(4);
            shownArn = id;
            if (!p[4].equals(call.account())) throw KmsErrors.keyNotFound(id);
        } else if (id.startsWith("alias/")) {
            return byAlias(call, id);
        } else {
            keyId = id;
        }
        if (!UUID.matcher(keyId).matches() && !MRK.matcher(keyId).matches()) throw KmsErrors.invalidKeyId(keyId);
        KmsKey k = keys.get(scope, keyId);
        if (k == null) throw KmsErrors.keyNotFound(shownArn != null ? shownArn : call.arn("kms", "key/" + keyId));
        return k;
    }

    /** As {@link #resolve} but only key ids and key ARNs (operations that do not take aliases). */
    KmsKey resolveKeyOnly(Call call, String id) {
        if (id.startsWith("alias/") || (id.startsWith("arn:") && id.contains(":alias/"))) throw KmsErrors.invalidKeyId(id);
        return resolve(call, id);
    }

    private KmsKey byAlias(Call call, String aliasName) {
        KmsAlias a = aliases.get(call.scope(), aliasName);
        if (a == null && ManagedKeys.info(aliasName) != null) a = createManaged(call, aliasName);
        if (a == null) throw KmsErrors.aliasNotFound(call.arn("kms", aliasName));
        KmsKey k = keys.get(call.scope(), a.targetKeyId());
        if (k == null) throw KmsErrors.keyNotFound(call.arn("kms", "key/" + a.targetKeyId()));
        return k;
    }

    /** A key usable for cryptography: enabled, not disabled or pending deletion. */
    static KmsKey usable(KmsKey k) {
        if (KmsKey.DISABLED.equals(k.keyState())) throw KmsErrors.disabled(k);
        if (KmsKey.PENDING_DELETION.equals(k.keyState())) throw KmsErrors.pendingDeletion(k);
        return k;
    }

    /** A key that may be managed: any state except pending deletion. */
    static KmsKey notPendingDeletion(KmsKey k) {
        if (KmsKey.PENDING_DELETION.equals(k.keyState())) throw KmsErrors.pendingDeletion(k);
        return k;
    }

    /**
     * Some listings take fewer items per page than the model's shared LimitType (1-1000) allows:
     * ListAliases, ListGrants and ListRetirableGrants 1-100, ListResourceTags 1-50; all default to 50.
     */
    static int smallPageLimit(Integer limit, int max) {
        if (limit != null && limit > max) {
            throw KmsErrors.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy "
                    + "constraint: Member must have value less than or equal to " + max);
        }
        return limit == null ? 50 : limit;
    }

    // ------------------------------------------------------------------ creation

    KmsKey newKey(Call call, boolean multiRegion, String description, String policy, Map<String, String> tags,
                  String keyManager, String managedFor) {
        String keyId = multiRegion ? "mrk-" + Ids.hex(32) : Ids.uuid();
        Instant now = call.now();
        String p = policy != null ? policy : managedFor != null ? managedPolicy(call, ManagedKeys.info(managedFor)) : defaultPolicy(call.account());
        boolean rotate = managedFor != null; // AWS managed keys rotate every year
        return new KmsKey(keyId, call.arn("kms", "key/" + keyId), call.account(), call.region(), now,
                description == null ? "" : description, KmsKey.ENABLED, keyManager, "AWS_KMS", "SYMMETRIC_DEFAULT",
                "ENCRYPT_DECRYPT", multiRegion, null, null, p, tags == null ? new LinkedHashMap<>() : tags,
                rotate, rotate ? 365 : null, rotate ? now.plus(Duration.ofDays(365)) : null,
                List.of(newMaterial(now, null)), managedFor);
    }

    static KmsKey.Material newMaterial(Instant at, String rotationType) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        return new KmsKey.Material(HexFormat.of().formatHex(id), Base64.getEncoder().encodeToString(key), at, rotationType);
    }

    private synchronized KmsAlias createManaged(Call call, String aliasName) {
        KmsAlias existing = aliases.get(call.scope(), aliasName);
        if (existing != null) return existing;
        ManagedKeys.Info info = ManagedKeys.info(aliasName);
        KmsKey k = newKey(call, false, ManagedKeys.description(info), null, null, "AWS", aliasName);
        keys.put(call.scope(), k.keyId(), k);
        arm(call.scope(), k);
        KmsAlias a = new KmsAlias(aliasName, call.arn("kms", aliasName), k.keyId(), k.creationDate(), k.creationDate());
        aliases.put(call.scope(), aliasName, a);
        return a;
    }

    /** The default key policy AWS writes for a key created without one (pretty-printed as AWS returns it). */
    static String defaultPolicy(String account) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("Version", "2012-10-17");
        doc.put("Id", "key-default-1");
        ObjectNode s = doc.putArray("Statement").addObject();
        s.put("Sid", "Enable IAM User Permissions");
        s.put("Effect", "Allow");
        s.putObject("Principal").put("AWS", "arn:aws:iam::" + account + ":root");
        s.put("Action", "kms:*");
        s.put("Resource", "*");
        return pretty(doc);
    }

    /** The key policy of an AWS managed key: use only through its service, read by the account. */
    static String managedPolicy(Call call, ManagedKeys.Info info) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("Version", "2012-10-17");
        doc.put("Id", "auto-" + info.viaService() + "-2");
        ArrayNode st = doc.putArray("Statement");
        ObjectNode use = st.addObject();
        use.put("Sid", "Allow access through " + info.viaService() + " for all principals in the account that are authorized to use it");
        use.put("Effect", "Allow");
        use.putObject("Principal").put("AWS", "*");
        ArrayNode ua = use.putArray("Action");
        for (String a : List.of("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey")) ua.add(a);
        use.put("Resource", "*");
        ObjectNode eq = use.putObject("Condition").putObject("StringEquals");
        eq.put("kms:CallerAccount", call.account());
        eq.put("kms:ViaService", info.viaService() + "." + call.region() + ".amazonaws.com");
        ObjectNode read = st.addObject();
        read.put("Sid", "Allow direct access to key metadata to the account");
        read.put("Effect", "Allow");
        read.putObject("Principal").put("AWS", "arn:aws:iam::" + call.account() + ":root");
        ArrayNode ra = read.putArray("Action");
        for (String a : List.of("kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant")) ra.add(a);
        read.put("Resource", "*");
        return pretty(doc);
    }

    private static String pretty(JsonNode n) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyMetadata metadata(KmsKey k) {
        KeyMetadata.Builder b = KeyMetadata.builder()
                .awsAccountId(k.account()).keyId(k.keyId()).arn(k.arn()).creationDate(k.creationDate())
                .enabled(k.enabled()).description(k.description()).keyUsage(k.keyUsage()).keyState(k.keyState())
                .origin(k.origin()).keyManager(k.keyManager()).customerMasterKeySpec(k.keySpec()).keySpec(k.keySpec())
                .encryptionAlgorithmsWithStrings("SYMMETRIC_DEFAULT").multiRegion(k.multiRegion())
                .currentKeyMaterialId(k.current().id());
        if (k.deletionDate() != null) b.deletionDate(k.deletionDate());
        if (k.multiRegion()) {
            b.multiRegionConfiguration(MultiRegionConfiguration.builder().multiRegionKeyType("PRIMARY")
                    .primaryKey(MultiRegionKey.builder().arn(k.arn()).region(k.region()).build())
                    .replicaKeys(List.of()).build());
        }
        return b.build();
    }

    // ------------------------------------------------------------------ time

    private void rearmAll() {
        timers.values().forEach(Scheduler.Task::cancel);
        timers.clear();
        for (Scope s : keys.scopes()) {
            for (KmsKey k : new ArrayList<>(keys.values(s))) arm(s, k);
        }
    }

    /** (Re)arms the deletion and rotation timers of a key from its record. */
    void arm(Scope s, KmsKey k) {
        String base = s + "|" + k.keyId();
        cancel(base + "|delete");
        cancel(base + "|rotate");
        if (k.deletionDate() != null && KmsKey.PENDING_DELETION.equals(k.keyState())) {
            Instant due = k.deletionDate();
            timers.put(base + "|delete", oboro.scheduler().schedule(due, () -> deleteIfDue(s, k.keyId(), due)));
        }
        if (k.rotationEnabled() && k.nextRotationDate() != null) {
            Instant due = k.nextRotationDate();
            timers.put(base + "|rotate", oboro.scheduler().schedule(due, () -> rotateIfDue(s, k.keyId(), due)));
        }
    }

    void disarm(Scope s, String keyId) {
        cancel(s + "|" + keyId + "|delete");
        cancel(s + "|" + keyId + "|rotate");
    }

    private void cancel(String name) {
        Scheduler.Task t = timers.remove(name);
        if (t != null) t.cancel();
    }

    /** The end of the waiting period: the key, its aliases and its grants are gone. */
    private void deleteIfDue(Scope s, String keyId, Instant due) {
        KmsKey k = keys.get(s, keyId);
        if (k == null || !KmsKey.PENDING_DELETION.equals(k.keyState()) || !due.equals(k.deletionDate())) return;
        for (KmsAlias a : new ArrayList<>(aliases.values(s))) {
            if (keyId.equals(a.targetKeyId())) aliases.remove(s, a.aliasName());
        }
        for (KmsGrant g : new ArrayList<>(grants.values(s))) {
            if (keyId.equals(g.keyId())) grants.remove(s, g.grantId());
        }
        keys.remove(s, keyId);
        disarm(s, keyId);
    }

    /** Automatic rotation: new key material every rotation period while the key is enabled. */
    private void rotateIfDue(Scope s, String keyId, Instant due) {
        KmsKey updated = keys.update(s, keyId, k -> {
            if (k == null || !k.rotationEnabled() || !due.equals(k.nextRotationDate())) return k;
            Instant next = due.plus(Duration.ofDays(k.rotationPeriodInDays() == null ? 365 : k.rotationPeriodInDays()));
            if (!k.enabled()) return k.withMaterials(k.materials(), next);
            List<KmsKey.Material> m = new ArrayList<>(k.materials());
            m.add(newMaterial(due, "AUTOMATIC"));
            return k.withMaterials(m, next);
        });
        if (updated != null && updated.rotationEnabled() && !due.equals(updated.nextRotationDate())) arm(s, updated);
    }
}
