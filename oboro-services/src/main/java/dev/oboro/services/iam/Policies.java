package dev.oboro.services.iam;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.iam.model.AttachGroupPolicyRequest;
import software.amazon.awssdk.services.iam.model.AttachGroupPolicyResponse;
import software.amazon.awssdk.services.iam.model.AttachRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.AttachRolePolicyResponse;
import software.amazon.awssdk.services.iam.model.AttachUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.AttachUserPolicyResponse;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.CreatePolicyRequest;
import software.amazon.awssdk.services.iam.model.CreatePolicyResponse;
import software.amazon.awssdk.services.iam.model.CreatePolicyVersionRequest;
import software.amazon.awssdk.services.iam.model.CreatePolicyVersionResponse;
import software.amazon.awssdk.services.iam.model.DeletePolicyRequest;
import software.amazon.awssdk.services.iam.model.DeletePolicyResponse;
import software.amazon.awssdk.services.iam.model.DeletePolicyVersionRequest;
import software.amazon.awssdk.services.iam.model.DeletePolicyVersionResponse;
import software.amazon.awssdk.services.iam.model.DetachGroupPolicyRequest;
import software.amazon.awssdk.services.iam.model.DetachGroupPolicyResponse;
import software.amazon.awssdk.services.iam.model.DetachRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.DetachRolePolicyResponse;
import software.amazon.awssdk.services.iam.model.DetachUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.DetachUserPolicyResponse;
import software.amazon.awssdk.services.iam.model.GetPolicyRequest;
import software.amazon.awssdk.services.iam.model.GetPolicyResponse;
import software.amazon.awssdk.services.iam.model.GetPolicyVersionRequest;
import software.amazon.awssdk.services.iam.model.GetPolicyVersionResponse;
import software.amazon.awssdk.services.iam.model.ListAttachedGroupPoliciesRequest;
import software.amazon.awssdk.services.iam.model.ListAttachedGroupPoliciesResponse;
import software.amazon.awssdk.services.iam.model.ListAttachedRolePoliciesRequest;
import software.amazon.awssdk.services.iam.model.ListAttachedRolePoliciesResponse;
import software.amazon.awssdk.services.iam.model.ListAttachedUserPoliciesRequest;
import software.amazon.awssdk.services.iam.model.ListAttachedUserPoliciesResponse;
import software.amazon.awssdk.services.iam.model.ListEntitiesForPolicyRequest;
import software.amazon.awssdk.services.iam.model.ListEntitiesForPolicyResponse;
import software.amazon.awssdk.services.iam.model.ListPoliciesRequest;
import software.amazon.awssdk.services.iam.model.ListPoliciesResponse;
import software.amazon.awssdk.services.iam.model.ListPolicyTagsRequest;
import software.amazon.awssdk.services.iam.model.ListPolicyTagsResponse;
import software.amazon.awssdk.services.iam.model.ListPolicyVersionsRequest;
import software.amazon.awssdk.services.iam.model.ListPolicyVersionsResponse;
import software.amazon.awssdk.services.iam.model.PolicyGroup;
import software.amazon.awssdk.services.iam.model.PolicyRole;
import software.amazon.awssdk.services.iam.model.PolicyUser;
import software.amazon.awssdk.services.iam.model.PolicyVersion;
import software.amazon.awssdk.services.iam.model.SetDefaultPolicyVersionRequest;
import software.amazon.awssdk.services.iam.model.SetDefaultPolicyVersionResponse;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.TagPolicyRequest;
import software.amazon.awssdk.services.iam.model.TagPolicyResponse;
import software.amazon.awssdk.services.iam.model.UntagPolicyRequest;
import software.amazon.awssdk.services.iam.model.UntagPolicyResponse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Managed policies: the account's own (with up to five versions, one the default) and AWS's
 * built-in ones; attaching them to users, groups and roles.
 */
final class Policies {
    /** IAM quotas: versions per managed policy; managed policies attached per user, group or role. */
    static final int VERSIONS_PER_POLICY = 5;
    static final int POLICIES_PER_ENTITY = 10;

    private final Iam iam;

    Policies(Iam iam) {
        this.iam = iam;
    }

    // ------------------------------------------------------------------ policies and versions

    CreatePolicyResponse createPolicy(Call call, CreatePolicyRequest req) {
        PolicyDocuments.checkIdentityPolicy(req.policyDocument());
        String path = Iam.path(req.path());
        String arn = Iam.arn(call.account(), "policy", path, req.policyName());
        IamPolicy p = new IamPolicy(req.policyName(), path, Iam.uniqueId("ANPA"), arn, req.description(), call.now(), call.now(),
                "v1", 2, List.of(new IamPolicy.Version("v1", req.policyDocument(), call.now())), Iam.tags(req.tags()));
        if (!iam.policies.putIfAbsent(call.globalScope(), Iam.key(p.name()), p)) {
            throw Iam.alreadyExists("A policy called " + req.policyName() + " already exists. Duplicate names are not allowed.");
        }
        return CreatePolicyResponse.builder().policy(iam.toPolicy(call.globalScope(), Iam.view(p), true)).build();
    }

    GetPolicyResponse getPolicy(Call call, GetPolicyRequest req) {
        Iam.ManagedPolicy p = iam.findPolicy(call, req.policyArn());
        if (p == null) throw notFound(req.policyArn());
        return GetPolicyResponse.builder().policy(iam.toPolicy(call.globalScope(), p, true)).build();
    }

    DeletePolicyResponse deletePolicy(Call call, DeletePolicyRequest req) {
        Scope s = call.globalScope();
        IamPolicy p = local(call, req.policyArn());
        if (iam.attachmentCount(s, p.arn()) > 0) throw Iam.deleteConflict("Cannot delete a policy attached to entities.");
        if (p.versions().size() > 1) {
            throw Iam.deleteConflict("This policy has more than one version. Before you delete a policy, you must delete "
                    + "the policy's versions. The default version is deleted with the policy.");
        }
        iam.policies.remove(s, Iam.key(p.name()));
        return DeletePolicyResponse.builder().build();
    }

    CreatePolicyVersionResponse createPolicyVersion(Call call, CreatePolicyVersionRequest req) {
        PolicyDocuments.checkIdentityPolicy(req.policyDocument());
        IamPolicy p = local(call, req.policyArn());
        IamPolicy[] out = new IamPolicy[1];
        iam.policies.update(call.globalScope(), Iam.key(p.name()), old -> {
            if (old == null) throw notFound(req.policyArn());
            if (old.versions().size() >= VERSIONS_PER_POLICY) {
                throw Iam.limitExceeded("A managed policy can have up to " + VERSIONS_PER_POLICY
                        + " versions. Before you create a new version, you must delete an existing version.");
            }
            String id = "v" + old.nextVersion();
            List<IamPolicy.Version> vs = new ArrayList<>(old.versions());
            vs.add(new IamPolicy.Version(id, req.policyDocument(), call.now()));
            boolean makeDefault = Boolean.TRUE.equals(req.setAsDefault());
            out[0] = old.withVersions(List.copyOf(vs), makeDefault ? id : old.defaultVersionId(), old.nextVersion() + 1, call.now());
            return out[0];
        });
        IamPolicy.Version v = out[0].version("v" + (out[0].nextVersion() - 1));
        return CreatePolicyVersionResponse.builder().policyVersion(toVersion(v, out[0].defaultVersionId(), false)).build();
    }

    GetPolicyVersionResponse getPolicyVersion(Call call, GetPolicyVersionRequest req) {
        Iam.ManagedPolicy p = iam.findPolicy(call, req.policyArn());
        if (p == null) throw notFound(req.policyArn());
        IamPolicy.Version v = p.version(req.versionId());
        if (v == null) throw versionNotFound(req.policyArn(), req.versionId());
        return GetPolicyVersionResponse.builder().policyVersion(toVersion(v, p.defaultVersionId(), true)).build();
    }

    ListPolicyVersionsResponse listPolicyVersions(Call call, ListPolicyVersionsRequest req) {
        Iam.ManagedPolicy p = iam.findPolicy(call, req.policyArn());
        if (p == null) throw notFound(req.policyArn());
        List<IamPolicy.Version> vs = p.versions().stream().sorted(Comparator.comparing(Policies::versionKey)).toList();
        ListPolicyVersionsResponse.Builder b = ListPolicyVersionsResponse.builder();
        Pagination.Page<IamPolicy.Version> page = Pagination.page(call, req, vs, Policies::versionKey, b);
        return b.versions(page.items().stream().map(v -> toVersion(v, p.defaultVersionId(), false)).toList()).build();
    }

    DeletePolicyVersionResponse deletePolicyVersion(Call call, DeletePolicyVersionRequest req) {
        IamPolicy p = local(call, req.policyArn());
        iam.policies.update(call.globalScope(), Iam.key(p.name()), old -> {
            if (old == null) throw notFound(req.policyArn());
            if (old.version(req.versionId()) == null) throw versionNotFound(req.policyArn(), req.versionId());
            if (old.defaultVersionId().equals(req.versionId())) {
                throw Iam.deleteConflict("Cannot delete the default version of a policy.");
            }
            return old.withVersions(old.versions().stream().filter(v -> !v.versionId().equals(req.versionId())).toList(),
                    old.defaultVersionId(), old.nextVersion(), old.updated());
        });
        return DeletePolicyVersionResponse.builder().build();
    }

    SetDefaultPolicyVersionResponse setDefaultPolicyVersion(Call call, SetDefaultPolicyVersionRequest req) {
        IamPolicy p = local(call, req.policyArn());
        iam.policies.update(call.globalScope(), Iam.key(p.name()), old -> {
            if (old == null) throw notFound(req.policyArn());
            if (old.version(req.versionId()) == null) throw versionNotFound(req.policyArn(), req.versionId());
            return old.withVersions(old.versions(), req.versionId(), old.nextVersion(), call.now());
        });
        return SetDefaultPolicyVersionResponse.builder().build();
    }

    /** Scope AWS, Local or All (default); OnlyAttached; PathPrefix; PolicyUsageFilter. */
    ListPoliciesResponse listPolicies(Call call, ListPoliciesRequest req) {
        Scope s = call.globalScope();
        String scope = req.scopeAsString() == null ? "All" : req.scopeAsString();
        List<Iam.ManagedPolicy> all = new ArrayList<>();
        if (!scope.equals("AWS")) iam.policies.values(s).forEach(p -> all.add(Iam.view(p)));
        if (!scope.equals("Local")) all.addAll(AwsManagedPolicies.all());
        String usage = req.policyUsageFilterAsString();
        List<Iam.ManagedPolicy> matching = all.stream()
                .filter(p -> Iam.underPrefix(p.path(), req.pathPrefix()))
                .filter(p -> !Boolean.TRUE.equals(req.onlyAttached()) || iam.attachmentCount(s, p.arn()) > 0)
                .filter(p -> usage == null || (usage.equals("PermissionsBoundary")
                        ? iam.boundaryUsageCount(s, p.arn()) > 0 : iam.attachmentCount(s, p.arn()) > 0))
                .sorted(Comparator.comparing(Iam.ManagedPolicy::arn)).toList();
        ListPoliciesResponse.Builder b = ListPoliciesResponse.builder();
        Pagination.Page<Iam.ManagedPolicy> page = Pagination.page(call, req, matching, Iam.ManagedPolicy::arn, b);
        return b.policies(page.items().stream().map(p -> iam.toPolicy(s, p, false)).toList()).build();
    }

    TagPolicyResponse tagPolicy(Call call, TagPolicyRequest req) {
        IamPolicy p = local(call, req.policyArn());
        iam.policies.update(call.globalScope(), Iam.key(p.name()), old -> old.withTags(Iam.mergeTags(old.tags(), req.tags(), "policy")));
        return TagPolicyResponse.builder().build();
    }

    UntagPolicyResponse untagPolicy(Call call, UntagPolicyRequest req) {
        IamPolicy p = local(call, req.policyArn());
        iam.policies.update(call.globalScope(), Iam.key(p.name()), old -> old.withTags(Iam.removeTags(old.tags(), req.tagKeys())));
        return UntagPolicyResponse.builder().build();
    }

    ListPolicyTagsResponse listPolicyTags(Call call, ListPolicyTagsRequest req) {
        IamPolicy p = local(call, req.policyArn());
        ListPolicyTagsResponse.Builder b = ListPolicyTagsResponse.builder();
        List<Tag> sorted = p.tags().stream().sorted(Comparator.comparing(Tag::key)).toList();
        return b.tags(Pagination.page(call, req, sorted, Tag::key, b).items()).build();
    }

    // ------------------------------------------------------------------ attachments

    AttachUserPolicyResponse attachUserPolicy(Call call, AttachUserPolicyRequest req) {
        attach(call, iam.users, req.userName(), req.policyArn(), "PoliciesPerUser", Users.notFound(req.userName()));
        return AttachUserPolicyResponse.builder().build();
    }

    AttachGroupPolicyResponse attachGroupPolicy(Call call, AttachGroupPolicyRequest req) {
        attach(call, iam.groups, req.groupName(), req.policyArn(), "PoliciesPerGroup",
                Iam.noSuchEntity("The group with name " + req.groupName() + " cannot be found."));
        return AttachGroupPolicyResponse.builder().build();
    }

    AttachRolePolicyResponse attachRolePolicy(Call call, AttachRolePolicyRequest req) {
        attach(call, iam.roles, req.roleName(), req.policyArn(), "PoliciesPerRole", Roles.notFound(req.roleName()));
        return AttachRolePolicyResponse.builder().build();
    }

    DetachUserPolicyResponse detachUserPolicy(Call call, DetachUserPolicyRequest req) {
        detach(call, iam.users, req.userName(), req.policyArn(), Users.notFound(req.userName()));
        return DetachUserPolicyResponse.builder().build();
    }

    DetachGroupPolicyResponse detachGroupPolicy(Call call, DetachGroupPolicyRequest req) {
        detach(call, iam.groups, req.groupName(), req.policyArn(),
                Iam.noSuchEntity("The group with name " + req.groupName() + " cannot be found."));
        return DetachGroupPolicyResponse.builder().build();
    }

    DetachRolePolicyResponse detachRolePolicy(Call call, DetachRolePolicyRequest req) {
        detach(call, iam.roles, req.roleName(), req.policyArn(), Roles.notFound(req.roleName()));
        return DetachRolePolicyResponse.builder().build();
    }

    ListAttachedUserPoliciesResponse listAttachedUserPolicies(Call call, ListAttachedUserPoliciesRequest req) {
        ListAttachedUserPoliciesResponse.Builder b = ListAttachedUserPoliciesResponse.builder();
        return b.attachedPolicies(attached(call, req, iam.user(call, req.userName()), req.pathPrefix(), b)).build();
    }

    ListAttachedGroupPoliciesResponse listAttachedGroupPolicies(Call call, ListAttachedGroupPoliciesRequest req) {
        ListAttachedGroupPoliciesResponse.Builder b = ListAttachedGroupPoliciesResponse.builder();
        return b.attachedPolicies(attached(call, req, iam.group(call, req.groupName()), req.pathPrefix(), b)).build();
    }

    ListAttachedRolePoliciesResponse listAttachedRolePolicies(Call call, ListAttachedRolePoliciesRequest req) {
        ListAttachedRolePoliciesResponse.Builder b = ListAttachedRolePoliciesResponse.builder();
        return b.attachedPolicies(attached(call, req, iam.role(call, req.roleName()), req.pathPrefix(), b)).build();
    }

    /** The users, groups and roles a managed policy is attached to (EntityFilter narrows to one kind). */
    ListEntitiesForPolicyResponse listEntitiesForPolicy(Call call, ListEntitiesForPolicyRequest req) {
        Scope s = call.globalScope();
        Iam.ManagedPolicy p = iam.findPolicy(call, req.policyArn());
        if (p == null) throw notFound(req.policyArn());
        String filter = req.entityFilterAsString();
        record Entity(String sortKey, Object value) {
        }
        List<Entity> all = new ArrayList<>();
        if (filter == null || filter.equals("Group")) {
            iam.groups.values(s).stream().filter(g -> g.attachedPolicies().contains(p.arn()) && Iam.underPrefix(g.path(), req.pathPrefix()))
                    .forEach(g -> all.add(new Entity("g/" + Iam.key(g.name()), PolicyGroup.builder().groupName(g.name()).groupId(g.groupId()).build())));
        }
        if (filter == null || filter.equals("Role")) {
            iam.roles.values(s).stream().filter(r -> r.attachedPolicies().contains(p.arn()) && Iam.underPrefix(r.path(), req.pathPrefix()))
                    .forEach(r -> all.add(new Entity("r/" + Iam.key(r.name()), PolicyRole.builder().roleName(r.name()).roleId(r.roleId()).build())));
        }
        if (filter == null || filter.equals("User")) {
            iam.users.values(s).stream().filter(u -> u.attachedPolicies().contains(p.arn()) && Iam.underPrefix(u.path(), req.pathPrefix()))
                    .forEach(u -> all.add(new Entity("u/" + Iam.key(u.name()), PolicyUser.builder().userName(u.name()).userId(u.userId()).build())));
        }
        ListEntitiesForPolicyResponse.Builder b = ListEntitiesForPolicyResponse.builder();
        Pagination.Page<Entity> page = Pagination.page(call, req, all, Entity::sortKey, b);
        List<PolicyGroup> gs = new ArrayList<>();
        List<PolicyRole> rs = new ArrayList<>();
        List<PolicyUser> us = new ArrayList<>();
        for (Entity e : page.items()) {
            if (e.value() instanceof PolicyGroup g) gs.add(g);
            else if (e.value() instanceof PolicyRole r) rs.add(r);
            else if (e.value() instanceof PolicyUser u) us.add(u);
        }
        return b.policyGroups(gs).policyRoles(rs).policyUsers(us).build();
    }

    // ------------------------------------------------------------------ helpers

    private <P extends Principal<P>> void attach(Call call, Table<P> table, String name, String arn, String quota,
                                                 AwsException missing) {
        iam.attachablePolicy(call, arn);
        Iam.change(table, call.globalScope(), name, p -> {
            if (p.attachedPolicies().contains(arn)) return p;
            if (p.attachedPolicies().size() >= POLICIES_PER_ENTITY) {
                throw Iam.limitExceeded("Cannot exceed quota for " + quota + ": " + POLICIES_PER_ENTITY);
            }
            List<String> l = new ArrayList<>(p.attachedPolicies());
            l.add(arn);
            return p.withAttachedPolicies(List.copyOf(l));
        }, missing);
    }

    private <P extends Principal<P>> void detach(Call call, Table<P> table, String name, String arn, AwsException missing) {
        Iam.change(table, call.globalScope(), name, p -> {
            if (!p.attachedPolicies().contains(arn)) throw notFound(arn);
            return p.withAttachedPolicies(p.attachedPolicies().stream().filter(a -> !a.equals(arn)).toList());
        }, missing);
    }

    private List<AttachedPolicy> attached(Call call, software.amazon.awssdk.core.SdkPojo req, Principal<?> p, String pathPrefix,
                                          software.amazon.awssdk.core.SdkPojo builder) {
        List<Iam.ManagedPolicy> ps = p.attachedPolicies().stream().map(a -> iam.findPolicy(call, a))
                .filter(java.util.Objects::nonNull).filter(mp -> Iam.underPrefix(mp.path(), pathPrefix))
                .sorted(Comparator.comparing(Iam.ManagedPolicy::arn)).toList();
        Function<Iam.ManagedPolicy, AttachedPolicy> view = mp -> AttachedPolicy.builder().policyName(mp.name()).policyArn(mp.arn()).build();
        return Pagination.page(call, req, ps, Iam.ManagedPolicy::arn, builder).items().stream().map(view).toList();
    }

    /** The account's own policy (AWS managed ones cannot be changed), or NoSuchEntity. */
    private IamPolicy local(Call call, String arn) {
        IamPolicy p = iam.localPolicy(call, arn);
        if (p == null) throw notFound(arn);
        return p;
    }

    private static PolicyVersion toVersion(IamPolicy.Version v, String defaultId, boolean withDocument) {
        return PolicyVersion.builder().versionId(v.versionId()).isDefaultVersion(v.versionId().equals(defaultId))
                .createDate(v.created()).document(withDocument ? Iam.encodeDocument(v.document()) : null).build();
    }

    private static String versionKey(IamPolicy.Version v) {
        return String.format("%08d", Integer.parseInt(v.versionId().substring(1)));
    }

    static AwsException notFound(String arn) {
        return Iam.noSuchEntity("Policy " + arn + " was not found.");
    }

    static AwsException versionNotFound(String arn, String versionId) {
        return Iam.noSuchEntity("Policy " + arn + " version " + versionId + " does not exist or is not attachable.");
    }
}
