package dev.oboro.services.iam;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import software.amazon.awssdk.services.iam.model.AddRoleToInstanceProfileRequest;
import software.amazon.awssdk.services.iam.model.AddRoleToInstanceProfileResponse;
import software.amazon.awssdk.services.iam.model.CreateInstanceProfileRequest;
import software.amazon.awssdk.services.iam.model.CreateInstanceProfileResponse;
import software.amazon.awssdk.services.iam.model.DeleteInstanceProfileRequest;
import software.amazon.awssdk.services.iam.model.DeleteInstanceProfileResponse;
import software.amazon.awssdk.services.iam.model.GetInstanceProfileRequest;
import software.amazon.awssdk.services.iam.model.GetInstanceProfileResponse;
import software.amazon.awssdk.services.iam.model.ListInstanceProfileTagsRequest;
import software.amazon.awssdk.services.iam.model.ListInstanceProfileTagsResponse;
import software.amazon.awssdk.services.iam.model.ListInstanceProfilesForRoleRequest;
import software.amazon.awssdk.services.iam.model.ListInstanceProfilesForRoleResponse;
import software.amazon.awssdk.services.iam.model.ListInstanceProfilesRequest;
import software.amazon.awssdk.services.iam.model.ListInstanceProfilesResponse;
import software.amazon.awssdk.services.iam.model.RemoveRoleFromInstanceProfileRequest;
import software.amazon.awssdk.services.iam.model.RemoveRoleFromInstanceProfileResponse;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.TagInstanceProfileRequest;
import software.amazon.awssdk.services.iam.model.TagInstanceProfileResponse;
import software.amazon.awssdk.services.iam.model.UntagInstanceProfileRequest;
import software.amazon.awssdk.services.iam.model.UntagInstanceProfileResponse;

import java.util.Comparator;
import java.util.List;

/** Instance profiles: the container through which an EC2 instance gets a role (one at most). */
final class InstanceProfiles {
    /** IAM quota "Roles in an instance profile": 1, not adjustable. */
    static final int ROLES_PER_PROFILE = 1;

    private final Iam iam;

    InstanceProfiles(Iam iam) {
        this.iam = iam;
    }

    CreateInstanceProfileResponse createInstanceProfile(Call call, CreateInstanceProfileRequest req) {
        IamInstanceProfile p = new IamInstanceProfile(req.instanceProfileName(), Iam.path(req.path()), Iam.uniqueId("AIPA"),
                call.now(), List.of(), Iam.tags(req.tags()));
        if (!iam.profiles.putIfAbsent(call.globalScope(), Iam.key(p.name()), p)) {
            throw Iam.alreadyExists("Instance Profile " + req.instanceProfileName() + " already exists.");
        }
        return CreateInstanceProfileResponse.builder().instanceProfile(iam.toProfile(call.globalScope(), p)).build();
    }

    GetInstanceProfileResponse getInstanceProfile(Call call, GetInstanceProfileRequest req) {
        return GetInstanceProfileResponse.builder()
                .instanceProfile(iam.toProfile(call.globalScope(), iam.profile(call, req.instanceProfileName()))).build();
    }

    ListInstanceProfilesResponse listInstanceProfiles(Call call, ListInstanceProfilesRequest req) {
        Scope s = call.globalScope();
        List<IamInstanceProfile> all = iam.profiles.values(s).stream()
                .filter(p -> Iam.underPrefix(p.path(), req.pathPrefix())).toList();
        ListInstanceProfilesResponse.Builder b = ListInstanceProfilesResponse.builder();
        Pagination.Page<IamInstanceProfile> page = Pagination.page(call, req, all, p -> Iam.key(p.name()), b);
        return b.instanceProfiles(page.items().stream().map(p -> iam.toProfile(s, p)).toList()).build();
    }

    ListInstanceProfilesForRoleResponse listInstanceProfilesForRole(Call call, ListInstanceProfilesForRoleRequest req) {
        Scope s = call.globalScope();
        IamRole r = iam.role(call, req.roleName());
        ListInstanceProfilesForRoleResponse.Builder b = ListInstanceProfilesForRoleResponse.builder();
        Pagination.Page<IamInstanceProfile> page = Pagination.page(call, req, iam.profilesOfRole(s, r.name()),
                p -> Iam.key(p.name()), b);
        return b.instanceProfiles(page.items().stream().map(p -> iam.toProfile(s, p)).toList()).build();
    }

    DeleteInstanceProfileResponse deleteInstanceProfile(Call call, DeleteInstanceProfileRequest req) {
        IamInstanceProfile p = iam.profile(call, req.instanceProfileName());
        if (!p.roles().isEmpty()) throw Iam.deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
        iam.profiles.remove(call.globalScope(), Iam.key(p.name()));
        return DeleteInstanceProfileResponse.builder().build();
    }

    AddRoleToInstanceProfileResponse addRoleToInstanceProfile(Call call, AddRoleToInstanceProfileRequest req) {
        IamRole r = iam.role(call, req.roleName());
        Iam.change(iam.profiles, call.globalScope(), req.instanceProfileName(), p -> {
            if (p.roles().size() >= ROLES_PER_PROFILE) {
                throw Iam.limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: " + ROLES_PER_PROFILE);
            }
            return p.withRoles(List.of(r.name()));
        }, notFound(req.instanceProfileName()));
        return AddRoleToInstanceProfileResponse.builder().build();
    }

    RemoveRoleFromInstanceProfileResponse removeRoleFromInstanceProfile(Call call, RemoveRoleFromInstanceProfileRequest req) {
        Iam.change(iam.profiles, call.globalScope(), req.instanceProfileName(), p -> {
            if (p.roles().stream().noneMatch(n -> n.equalsIgnoreCase(req.roleName()))) throw Roles.notFound(req.roleName());
            return p.withRoles(p.roles().stream().filter(n -> !n.equalsIgnoreCase(req.roleName())).toList());
        }, notFound(req.instanceProfileName()));
        return RemoveRoleFromInstanceProfileResponse.builder().build();
    }

    TagInstanceProfileResponse tagInstanceProfile(Call call, TagInstanceProfileRequest req) {
        Iam.change(iam.profiles, call.globalScope(), req.instanceProfileName(),
                p -> p.withTags(Iam.mergeTags(p.tags(), req.tags(), "instance profile")), notFound(req.instanceProfileName()));
        return TagInstanceProfileResponse.builder().build();
    }

    UntagInstanceProfileResponse untagInstanceProfile(Call call, UntagInstanceProfileRequest req) {
        Iam.change(iam.profiles, call.globalScope(), req.instanceProfileName(),
                p -> p.withTags(Iam.removeTags(p.tags(), req.tagKeys())), notFound(req.instanceProfileName()));
        return UntagInstanceProfileResponse.builder().build();
    }

    ListInstanceProfileTagsResponse listInstanceProfileTags(Call call, ListInstanceProfileTagsRequest req) {
        IamInstanceProfile p = iam.profile(call, req.instanceProfileName());
        ListInstanceProfileTagsResponse.Builder b = ListInstanceProfileTagsResponse.builder();
        List<Tag> sorted = p.tags().stream().sorted(Comparator.comparing(Tag::key)).toList();
        return b.tags(Pagination.page(call, req, sorted, Tag::key, b).items()).build();
    }

    static dev.oboro.wire.AwsException notFound(String name) {
        return Iam.noSuchEntity("Instance Profile " + name + " cannot be found.");
    }
}
