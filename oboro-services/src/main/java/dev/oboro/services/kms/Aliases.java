package dev.oboro.services.kms;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.CreateAliasRequest;
import software.amazon.awssdk.services.kms.model.CreateAliasResponse;
import software.amazon.awssdk.services.kms.model.DeleteAliasRequest;
import software.amazon.awssdk.services.kms.model.DeleteAliasResponse;
import software.amazon.awssdk.services.kms.model.ListAliasesRequest;
import software.amazon.awssdk.services.kms.model.ListAliasesResponse;
import software.amazon.awssdk.services.kms.model.UpdateAliasRequest;
import software.amazon.awssdk.services.kms.model.UpdateAliasResponse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Aliases: names that start with {@code alias/}, unique per account and Region, each pointing at
 * one key. {@code alias/aws/} is reserved for AWS managed keys.
 * https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html
 */
final class Aliases {
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9:/_-]+$");
    private final KmsState state;

    Aliases(KmsState state) {
        this.state = state;
    }

    CreateAliasResponse createAlias(Call call, CreateAliasRequest req) {
        String name = req.aliasName();
        checkName(name);
        if (state.aliases.contains(call.scope(), name)) {
            throw new AwsException("AlreadyExistsException", "An alias with the name " + call.arn("kms", name) + " already exists");
        }
        KmsKey k = target(call, req.targetKeyId());
        KmsAlias a = new KmsAlias(name, call.arn("kms", name), k.keyId(), call.now(), call.now());
        if (!state.aliases.putIfAbsent(call.scope(), name, a)) {
            throw new AwsException("AlreadyExistsException", "An alias with the name " + call.arn("kms", name) + " already exists");
        }
        return CreateAliasResponse.builder().build();
    }

    UpdateAliasResponse updateAlias(Call call, UpdateAliasRequest req) {
        String name = req.aliasName();
        checkName(name);
        if (!state.aliases.contains(call.scope(), name)) throw KmsErrors.aliasNotFound(call.arn("kms", name));
        KmsKey k = target(call, req.targetKeyId());
        KmsAlias updated = state.aliases.update(call.scope(), name, a -> a == null ? null : a.retarget(k.keyId(), call.now()));
        if (updated == null) throw KmsErrors.aliasNotFound(call.arn("kms", name));
        return UpdateAliasResponse.builder().build();
    }

    DeleteAliasResponse deleteAlias(Call call, DeleteAliasRequest req) {
        String name = req.aliasName();
        checkName(name);
        if (state.aliases.remove(call.scope(), name) == null) throw KmsErrors.aliasNotFound(call.arn("kms", name));
        return DeleteAliasResponse.builder().build();
    }

    ListAliasesResponse listAliases(Call call, ListAliasesRequest req) {
        List<AliasListEntry> all = new ArrayList<>();
        String keyId = req.keyId() == null ? null : state.resolveKeyOnly(call, req.keyId()).keyId();
        for (KmsAlias a : state.aliases.values(call.scope())) {
            if (keyId != null && !keyId.equals(a.targetKeyId())) continue;
            all.add(AliasListEntry.builder().aliasName(a.aliasName()).aliasArn(a.aliasArn()).targetKeyId(a.targetKeyId())
                    .creationDate(a.creationDate()).lastUpdatedDate(a.lastUpdatedDate()).build());
        }
        if (keyId == null) {
            // Predefined AWS aliases whose key has not been created yet appear without a TargetKeyId.
            for (String predefined : ManagedKeys.BY_ALIAS.keySet()) {
                if (state.aliases.contains(call.scope(), predefined)) continue;
                all.add(AliasListEntry.builder().aliasName(predefined).aliasArn(call.arn("kms", predefined)).build());
            }
        }
        all.sort(Comparator.comparing(AliasListEntry::aliasName));
        ListAliasesResponse.Builder b = ListAliasesResponse.builder();
        Pagination.Page<AliasListEntry> page = Pagination.page(call, req, all, AliasListEntry::aliasName, b,
                KmsState.smallPageLimit(req.limit(), 100));
        return b.aliases(page.items()).build();
    }

    /** The key an alias may point at: a customer key given by id or ARN, not pending deletion. */
    private KmsKey target(Call call, String targetKeyId) {
        if (targetKeyId.startsWith("alias/") || (targetKeyId.startsWith("arn:") && targetKeyId.contains(":alias/"))) {
            throw KmsErrors.validation("Aliases must refer to keys. Not aliases");
        }
        return KmsState.notPendingDeletion(state.resolve(call, targetKeyId));
    }

    private static void checkName(String name) {
        if (!name.startsWith("alias/")) {
            throw KmsErrors.validation("Alias must start with the prefix \"alias/\". Please see "
                    + "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
        }
        if (!NAME.matcher(name).matches()) {
            throw KmsErrors.validation("1 validation error detected: Value '" + name + "' at 'aliasName' failed to satisfy "
                    + "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
        }
        if (name.startsWith("alias/aws/")) {
            // The alias/aws/ prefix belongs to AWS managed keys; customers may not create, retarget or delete them.
            throw new AwsException("NotAuthorizedException", "", 400);
        }
        if (name.equals("alias/") || name.indexOf(':') >= 0) {
            throw new AwsException("InvalidAliasNameException", name + " is not a valid alias name.");
        }
    }
}
