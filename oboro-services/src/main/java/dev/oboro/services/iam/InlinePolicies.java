package dev.oboro.services.iam;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.iam.model.DeleteGroupPolicyRequest;
import software.amazon.awssdk.services.iam.model.DeleteGroupPolicyResponse;
import software.amazon.awssdk.services.iam.model.DeleteRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.DeleteRolePolicyResponse;
import software.amazon.awssdk.services.iam.model.DeleteUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.DeleteUserPolicyResponse;
import software.amazon.awssdk.services.iam.model.GetGroupPolicyRequest;
import software.amazon.awssdk.services.iam.model.GetGroupPolicyResponse;
import software.amazon.awssdk.services.iam.model.GetRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.GetRolePolicyResponse;
import software.amazon.awssdk.services.iam.model.GetUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.GetUserPolicyResponse;
import software.amazon.awssdk.services.iam.model.ListGroupPoliciesRequest;
import software.amazon.awssdk.services.iam.model.ListGroupPoliciesResponse;
import software.amazon.awssdk.services.iam.model.ListRolePoliciesRequest;
import software.amazon.awssdk.services.iam.model.ListRolePoliciesResponse;
import software.amazon.awssdk.services.iam.model.ListUserPoliciesRequest;
import software.amazon.awssdk.services.iam.model.ListUserPoliciesResponse;
import software.amazon.awssdk.services.iam.model.PutGroupPolicyRequest;
import software.amazon.awssdk.services.iam.model.PutGroupPolicyResponse;
import software.amazon.awssdk.services.iam.model.PutRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.PutRolePolicyResponse;
import software.amazon.awssdk.services.iam.model.PutUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.PutUserPolicyResponse;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Inline policies embedded in a user, group or role. IAM limits their total size per entity
 * (2,048 characters for a user, 5,120 for a group, 10,240 for a role; whitespace does not count:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
final class InlinePolicies {
    private final Iam iam;

    InlinePolicies(Iam iam) {
        this.iam = iam;
    }

    /** One kind of entity: its table, its noun in messages and its inline-policy size quota. */
    private record Kind<P extends Principal<P>>(Table<P> table, String noun, int maxSize) {
    }

    private Kind<IamUser> users() {
        return new Kind<>(iam.users, "user", 2048);
    }

    private Kind<IamGroup> groups() {
        return new Kind<>(iam.groups, "group", 5120);
    }

    private Kind<IamRole> roles() {
        return new Kind<>(iam.roles, "role", 10240);
    }

    PutUserPolicyResponse putUserPolicy(Call call, PutUserPolicyRequest req) {
        put(call, users(), req.userName(), req.policyName(), req.policyDocument());
        return PutUserPolicyResponse.builder().build();
    }

    PutGroupPolicyResponse putGroupPolicy(Call call, PutGroupPolicyRequest req) {
        put(call, groups(), req.groupName(), req.policyName(), req.policyDocument());
        return PutGroupPolicyResponse.builder().build();
    }

    PutRolePolicyResponse putRolePolicy(Call call, PutRolePolicyRequest req) {
        put(call, roles(), req.roleName(), req.policyName(), req.policyDocument());
        return PutRolePolicyResponse.builder().build();
    }

    GetUserPolicyResponse getUserPolicy(Call call, GetUserPolicyRequest req) {
        String doc = get(call, users(), req.userName(), req.policyName());
        return GetUserPolicyResponse.builder().userName(iam.user(call, req.userName()).name()).policyName(req.policyName())
                .policyDocument(Iam.encodeDocument(doc)).build();
    }

    GetGroupPolicyResponse getGroupPolicy(Call call, GetGroupPolicyRequest req) {
        String doc = get(call, groups(), req.groupName(), req.policyName());
        return GetGroupPolicyResponse.builder().groupName(iam.group(call, req.groupName()).name()).policyName(req.policyName())
                .policyDocument(Iam.encodeDocument(doc)).build();
    }

    GetRolePolicyResponse getRolePolicy(Call call, GetRolePolicyRequest req) {
        String doc = get(call, roles(), req.roleName(), req.policyName());
        return GetRolePolicyResponse.builder().roleName(iam.role(call, req.roleName()).name()).policyName(req.policyName())
                .policyDocument(Iam.encodeDocument(doc)).build();
    }

    DeleteUserPolicyResponse deleteUserPolicy(Call call, DeleteUserPolicyRequest req) {
        delete(call, users(), req.userName(), req.policyName());
        return DeleteUserPolicyResponse.builder().build();
    }

    DeleteGroupPolicyResponse deleteGroupPolicy(Call call, DeleteGroupPolicyRequest req) {
        delete(call, groups(), req.groupName(), req.policyName());
        return DeleteGroupPolicyResponse.builder().build();
    }

    DeleteRolePolicyResponse deleteRolePolicy(Call call, DeleteRolePolicyRequest req) {
        delete(call, roles(), req.roleName(), req.policyName());
        return DeleteRolePolicyResponse.builder().build();
    }

    ListUserPoliciesResponse listUserPolicies(Call call, ListUserPoliciesRequest req) {
        ListUserPoliciesResponse.Builder b = ListUserPoliciesResponse.builder();
        return b.policyNames(list(call, req, iam.user(call, req.userName()), b)).build();
    }

    ListGroupPoliciesResponse listGroupPolicies(Call call, ListGroupPoliciesRequest req) {
        ListGroupPoliciesResponse.Builder b = ListGroupPoliciesResponse.builder();
        return b.policyNames(list(call, req, iam.group(call, req.groupName()), b)).build();
    }

    ListRolePoliciesResponse listRolePolicies(Call call, ListRolePoliciesRequest req) {
        ListRolePoliciesResponse.Builder b = ListRolePoliciesResponse.builder();
        return b.policyNames(list(call, req, iam.role(call, req.roleName()), b)).build();
    }

    // ------------------------------------------------------------------

    private <P extends Principal<P>> void put(Call call, Kind<P> kind, String entity, String name, String document) {
        PolicyDocuments.checkIdentityPolicy(document);
        Iam.change(kind.table(), call.globalScope(), entity, p -> {
            Map<String, String> m = new TreeMap<>(p.inlinePolicies());
            m.put(name, document);
            int size = m.values().stream().mapToInt(InlinePolicies::size).sum();
            if (size > kind.maxSize()) {
                throw Iam.limitExceeded("Maximum policy size of " + kind.maxSize() + " bytes exceeded for " + kind.noun() + " " + p.name());
            }
            return p.withInlinePolicies(m);
        }, missing(kind, entity));
    }

    private <P extends Principal<P>> String get(Call call, Kind<P> kind, String entity, String name) {
        P p = kind.table().get(call.globalScope(), Iam.key(entity));
        if (p == null) throw missing(kind, entity);
        String doc = p.inlinePolicies().get(name);
        if (doc == null) throw policyMissing(kind, name);
        return doc;
    }

    private <P extends Principal<P>> void delete(Call call, Kind<P> kind, String entity, String name) {
        Iam.change(kind.table(), call.globalScope(), entity, p -> {
            if (!p.inlinePolicies().containsKey(name)) throw policyMissing(kind, name);
            Map<String, String> m = new TreeMap<>(p.inlinePolicies());
            m.remove(name);
            return p.withInlinePolicies(m);
        }, missing(kind, entity));
    }

    private List<String> list(Call call, SdkPojo req, Principal<?> p, SdkPojo builder) {
        List<String> names = p.inlinePolicies().keySet().stream().sorted().toList();
        return Pagination.page(call, req, names, n -> n, builder).items();
    }

    private static int size(String doc) {
        return doc.replaceAll("\\s", "").length();
    }

    private static AwsException missing(Kind<?> kind, String entity) {
        return Iam.noSuchEntity("The " + kind.noun() + " with name " + entity + " cannot be found.");
    }

    private static AwsException policyMissing(Kind<?> kind, String name) {
        return Iam.noSuchEntity("The " + kind.noun() + " policy with name " + name + " cannot be found.");
    }
}
