package dev.oboro.services.iam;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import software.amazon.awssdk.services.iam.model.CreateRoleRequest;
import software.amazon.awssdk.services.iam.model.CreateRoleResponse;
import software.amazon.awssdk.services.iam.model.DeleteRolePermissionsBoundaryRequest;
import software.amazon.awssdk.services.iam.model.DeleteRolePermissionsBoundaryResponse;
import software.amazon.awssdk.services.iam.model.DeleteRoleRequest;
import software.amazon.awssdk.services.iam.model.DeleteRoleResponse;
import software.amazon.awssdk.services.iam.model.GetRoleRequest;
import software.amazon.awssdk.services.iam.model.GetRoleResponse;
import software.amazon.awssdk.services.iam.model.ListRoleTagsRequest;
import software.amazon.awssdk.services.iam.model.ListRoleTagsResponse;
import software.amazon.awssdk.services.iam.model.ListRolesRequest;
import software.amazon.awssdk.services.iam.model.ListRolesResponse;
import software.amazon.awssdk.services.iam.model.PutRolePermissionsBoundaryRequest;
import software.amazon.awssdk.services.iam.model.PutRolePermissionsBoundaryResponse;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.TagRoleRequest;
import software.amazon.awssdk.services.iam.model.TagRoleResponse;
import software.amazon.awssdk.services.iam.model.UntagRoleRequest;
import software.amazon.awssdk.services.iam.model.UntagRoleResponse;
import software.amazon.awssdk.services.iam.model.UpdateAssumeRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.UpdateAssumeRolePolicyResponse;
import software.amazon.awssdk.services.iam.model.UpdateRoleDescriptionRequest;
import software.amazon.awssdk.services.iam.model.UpdateRoleDescriptionResponse;
import software.amazon.awssdk.services.iam.model.UpdateRoleRequest;
import software.amazon.awssdk.services.iam.model.UpdateRoleResponse;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * IAM roles and their trust policies ({@code AssumeRolePolicyDocument}), which STS evaluates on
 * {@code AssumeRole}.
 */
final class Roles {
    /** Default MaxSessionDuration: one hour. */
    static final int DEFAULT_MAX_SESSION = 3600;

    private final Iam iam;

    Roles(Iam iam) {
        this.iam = iam;
    }

    CreateRoleResponse createRole(Call call, CreateRoleRequest req) {
        checkTrust(call, req.assumeRolePolicyDocument());
        String boundary = req.permissionsBoundary();
        if (boundary != null && iam.findPolicy(call, boundary) == null) throw Iam.invalidInput("ARN " + boundary + " is not valid.");
        IamRole r = new IamRole(req.roleName(), Iam.path(req.path()), Iam.uniqueId("AROA"), call.now(),
                req.assumeRolePolicyDocument(), req.description(),
                req.maxSessionDuration() == null ? DEFAULT_MAX_SESSION : req.maxSessionDuration(), boundary,
                Iam.tags(req.tags()), Map.of(), List.of());
        if (!iam.roles.putIfAbsent(call.globalScope(), Iam.key(r.name()), r)) {
            throw Iam.alreadyExists("Role with name " + req.roleName() + " already exists.");
        }
        return CreateRoleResponse.builder().role(iam.toRole(call.account(), r, false).toBuilder()
                .tags(r.tags().isEmpty() ? null : r.tags()).build()).build();
    }

    GetRoleResponse getRole(Call call, GetRoleRequest req) {
        return GetRoleResponse.builder().role(iam.toRole(call.account(), iam.role(call, req.roleName()), true)).build();
    }

    ListRolesResponse listRoles(Call call, ListRolesRequest req) {
        List<IamRole> all = iam.roles.values(call.globalScope()).stream()
                .filter(r -> Iam.underPrefix(r.path(), req.pathPrefix())).toList();
        ListRolesResponse.Builder b = ListRolesResponse.builder();
        Pagination.Page<IamRole> page = Pagination.page(call, req, all, r -> Iam.key(r.name()), b);
        return b.roles(page.items().stream().map(r -> iam.toRole(call.account(), r, false)).toList()).build();
    }

    UpdateRoleResponse updateRole(Call call, UpdateRoleRequest req) {
        Iam.change(iam.roles, call.globalScope(), req.roleName(), r -> r.withSettings(
                req.description() == null ? r.description() : req.description(),
                req.maxSessionDuration() == null ? r.maxSessionDuration() : req.maxSessionDuration()), notFound(req.roleName()));
        return UpdateRoleResponse.builder().build();
    }

    UpdateRoleDescriptionResponse updateRoleDescription(Call call, UpdateRoleDescriptionRequest req) {
        IamRole r = Iam.change(iam.roles, call.globalScope(), req.roleName(),
                old -> old.withSettings(req.description(), old.maxSessionDuration()), notFound(req.roleName()));
        return UpdateRoleDescriptionResponse.builder().role(iam.toRole(call.account(), r, true)).build();
    }

    UpdateAssumeRolePolicyResponse updateAssumeRolePolicy(Call call, UpdateAssumeRolePolicyRequest req) {
        checkTrust(call, req.policyDocument());
        Iam.change(iam.roles, call.globalScope(), req.roleName(), r -> r.withTrustPolicy(req.policyDocument()),
                notFound(req.roleName()));
        return UpdateAssumeRolePolicyResponse.builder().build();
    }

    DeleteRoleResponse deleteRole(Call call, DeleteRoleRequest req) {
        Scope s = call.globalScope();
        IamRole r = iam.role(call, req.roleName());
        if (!iam.profilesOfRole(s, r.name()).isEmpty()) {
            throw Iam.deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
        }
        if (!r.inlinePolicies().isEmpty()) throw Iam.deleteConflict("Cannot delete entity, must delete policies first.");
        if (!r.attachedPolicies().isEmpty()) throw Iam.deleteConflict("Cannot delete entity, must detach all policies first.");
        iam.roles.remove(s, Iam.key(r.name()));
        return DeleteRoleResponse.builder().build();
    }

    TagRoleResponse tagRole(Call call, TagRoleRequest req) {
        Iam.change(iam.roles, call.globalScope(), req.roleName(), r -> r.withTags(Iam.mergeTags(r.tags(), req.tags(), "role")),
                notFound(req.roleName()));
        return TagRoleResponse.builder().build();
    }

    UntagRoleResponse untagRole(Call call, UntagRoleRequest req) {
        Iam.change(iam.roles, call.globalScope(), req.roleName(), r -> r.withTags(Iam.removeTags(r.tags(), req.tagKeys())),
                notFound(req.roleName()));
        return UntagRoleResponse.builder().build();
    }

    ListRoleTagsResponse listRoleTags(Call call, ListRoleTagsRequest req) {
        IamRole r = iam.role(call, req.roleName());
        ListRoleTagsResponse.Builder b = ListRoleTagsResponse.builder();
        List<Tag> sorted = r.tags().stream().sorted(Comparator.comparing(Tag::key)).toList();
        return b.tags(Pagination.page(call, req, sorted, Tag::key, b).items()).build();
    }

    PutRolePermissionsBoundaryResponse putRolePermissionsBoundary(Call call, PutRolePermissionsBoundaryRequest req) {
        String arn = req.permissionsBoundary();
        if (iam.findPolicy(call, arn) == null) throw Iam.invalidInput("ARN " + arn + " is not valid.");
        Iam.change(iam.roles, call.globalScope(), req.roleName(), r -> r.withPermissionsBoundary(arn), notFound(req.roleName()));
        return PutRolePermissionsBoundaryResponse.builder().build();
    }

    DeleteRolePermissionsBoundaryResponse deleteRolePermissionsBoundary(Call call, DeleteRolePermissionsBoundaryRequest req) {
        Iam.change(iam.roles, call.globalScope(), req.roleName(), r -> r.withPermissionsBoundary(null), notFound(req.roleName()));
        return DeleteRolePermissionsBoundaryResponse.builder().build();
    }

    /** Trust policies may name users and roles of any account in this Oboro; those must exist. */
    private void checkTrust(Call call, String document) {
        PolicyDocuments.checkTrustPolicy(document, arn -> {
            String account = arn.substring("arn:aws:iam::".length(), "arn:aws:iam::".length() + 12);
            String rest = arn.substring(arn.indexOf(':', "arn:aws:iam::".length()) + 1);
            String name = rest.substring(rest.lastIndexOf('/') + 1);
            Scope s = Scope.global(account);
            if (rest.startsWith("user/")) {
                IamUser u = iam.users.get(s, Iam.key(name));
                return u != null && Iam.arn(account, "user", u.path(), u.name()).equals(arn);
            }
            IamRole r = iam.roles.get(s, Iam.key(name));
            return r != null && Iam.arn(account, "role", r.path(), r.name()).equals(arn);
        });
    }

    static dev.oboro.wire.AwsException notFound(String name) {
        return Iam.noSuchEntity("The role with name " + name + " cannot be found.");
    }
}
