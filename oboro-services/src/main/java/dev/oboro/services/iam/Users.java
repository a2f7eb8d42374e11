package dev.oboro.services.iam;

import dev.oboro.core.Call;
import dev.oboro.core.Identity;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.iam.model.CreateUserRequest;
import software.amazon.awssdk.services.iam.model.CreateUserResponse;
import software.amazon.awssdk.services.iam.model.DeleteUserPermissionsBoundaryRequest;
import software.amazon.awssdk.services.iam.model.DeleteUserPermissionsBoundaryResponse;
import software.amazon.awssdk.services.iam.model.DeleteUserRequest;
import software.amazon.awssdk.services.iam.model.DeleteUserResponse;
import software.amazon.awssdk.services.iam.model.GetUserRequest;
import software.amazon.awssdk.services.iam.model.GetUserResponse;
import software.amazon.awssdk.services.iam.model.ListUserTagsRequest;
import software.amazon.awssdk.services.iam.model.ListUserTagsResponse;
import software.amazon.awssdk.services.iam.model.ListUsersRequest;
import software.amazon.awssdk.services.iam.model.ListUsersResponse;
import software.amazon.awssdk.services.iam.model.PutUserPermissionsBoundaryRequest;
import software.amazon.awssdk.services.iam.model.PutUserPermissionsBoundaryResponse;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.TagUserRequest;
import software.amazon.awssdk.services.iam.model.TagUserResponse;
import software.amazon.awssdk.services.iam.model.UntagUserRequest;
import software.amazon.awssdk.services.iam.model.UntagUserResponse;
import software.amazon.awssdk.services.iam.model.UpdateUserRequest;
import software.amazon.awssdk.services.iam.model.UpdateUserResponse;
import software.amazon.awssdk.services.iam.model.User;

import java.util.List;
import java.util.Map;

/** IAM users: create, read, rename, delete, tags, permissions boundary. */
final class Users {
    private final Iam iam;

    Users(Iam iam) {
        this.iam = iam;
    }

    CreateUserResponse createUser(Call call, CreateUserRequest req) {
        String boundary = checkedBoundary(call, req.permissionsBoundary());
        IamUser u = new IamUser(req.userName(), Iam.path(req.path()), Iam.uniqueId("AIDA"), call.now(), boundary,
                Iam.tags(req.tags()), Map.of(), List.of(), List.of());
        if (!iam.users.putIfAbsent(call.globalScope(), Iam.key(u.name()), u)) {
            throw Iam.alreadyExists("User with name " + req.userName() + " already exists.");
        }
        return CreateUserResponse.builder().user(iam.toUser(call.account(), u, true)).build();
    }

    /** Without a name: the caller (an IAM user, or the account's root user). */
    GetUserResponse getUser(Call call, GetUserRequest req) {
        if (req.userName() != null) {
            return GetUserResponse.builder().user(iam.toUser(call.account(), iam.user(call, req.userName()), true)).build();
        }
        Identity caller = call.caller();
        if ("Root".equals(caller.type())) {
            return GetUserResponse.builder().user(User.builder().userId(call.account()).arn(caller.arn())
                    .createDate(call.oboro().startedAt()).build()).build();
        }
        if ("IAMUser".equals(caller.type()) && caller.userName() != null) {
            return GetUserResponse.builder().user(iam.toUser(call.account(), iam.user(call, caller.userName()), true)).build();
        }
        throw new AwsException("ValidationError", "Must specify userName when calling with non-User credentials");
    }

    ListUsersResponse listUsers(Call call, ListUsersRequest req) {
        List<IamUser> all = iam.users.values(call.globalScope()).stream()
                .filter(u -> Iam.underPrefix(u.path(), req.pathPrefix())).toList();
        ListUsersResponse.Builder b = ListUsersResponse.builder();
        Pagination.Page<IamUser> page = Pagination.page(call, req, all, u -> Iam.key(u.name()), b);
        return b.users(page.items().stream().map(u -> iam.toUser(call.account(), u, false)).toList()).build();
    }

    UpdateUserResponse updateUser(Call call, UpdateUserRequest req) {
        Scope s = call.globalScope();
        IamUser u = iam.user(call, req.userName());
        String newName = req.newUserName() == null ? u.name() : req.newUserName();
        String newPath = req.newPath() == null ? u.path() : req.newPath();
        IamUser renamed = u.renamed(newName, newPath);
        if (Iam.key(newName).equals(Iam.key(u.name()))) {
            iam.users.put(s, Iam.key(newName), renamed);
        } else {
            if (!iam.users.putIfAbsent(s, Iam.key(newName), renamed)) {
                throw Iam.alreadyExists("User with name " + newName + " already exists.");
            }
            iam.users.remove(s, Iam.key(u.name()));
            for (IamAccessKey k : List.copyOf(iam.keys.values(s))) {
                if (u.name().equals(k.userName())) iam.keys.put(s, k.accessKeyId(), k.ofUser(newName));
            }
        }
        return UpdateUserResponse.builder().build();
    }

    DeleteUserResponse deleteUser(Call call, DeleteUserRequest req) {
        Scope s = call.globalScope();
        IamUser u = iam.user(call, req.userName());
        if (iam.keys.values(s).stream().anyMatch(k -> u.name().equals(k.userName()))) {
            throw Iam.deleteConflict("Cannot delete entity, must delete access keys first.");
        }
        if (!u.inlinePolicies().isEmpty()) throw Iam.deleteConflict("Cannot delete entity, must delete policies first.");
        if (!u.attachedPolicies().isEmpty()) throw Iam.deleteConflict("Cannot delete entity, must detach all policies first.");
        if (!u.groups().isEmpty()) throw Iam.deleteConflict("Cannot delete entity, must remove users from all groups first.");
        iam.users.remove(s, Iam.key(u.name()));
        return DeleteUserResponse.builder().build();
    }

    TagUserResponse tagUser(Call call, TagUserRequest req) {
        Iam.change(iam.users, call.globalScope(), req.userName(), u -> u.withTags(Iam.mergeTags(u.tags(), req.tags(), "user")),
                notFound(req.userName()));
        return TagUserResponse.builder().build();
    }

    UntagUserResponse untagUser(Call call, UntagUserRequest req) {
        Iam.change(iam.users, call.globalScope(), req.userName(), u -> u.withTags(Iam.removeTags(u.tags(), req.tagKeys())),
                notFound(req.userName()));
        return UntagUserResponse.builder().build();
    }

    ListUserTagsResponse listUserTags(Call call, ListUserTagsRequest req) {
        IamUser u = iam.user(call, req.userName());
        ListUserTagsResponse.Builder b = ListUserTagsResponse.builder();
        List<Tag> sorted = u.tags().stream().sorted(java.util.Comparator.comparing(Tag::key)).toList();
        return b.tags(Pagination.page(call, req, sorted, Tag::key, b).items()).build();
    }

    PutUserPermissionsBoundaryResponse putUserPermissionsBoundary(Call call, PutUserPermissionsBoundaryRequest req) {
        String arn = checkedBoundary(call, req.permissionsBoundary());
        Iam.change(iam.users, call.globalScope(), req.userName(), u -> u.withPermissionsBoundary(arn), notFound(req.userName()));
        return PutUserPermissionsBoundaryResponse.builder().build();
    }

    DeleteUserPermissionsBoundaryResponse deleteUserPermissionsBoundary(Call call, DeleteUserPermissionsBoundaryRequest req) {
        Iam.change(iam.users, call.globalScope(), req.userName(), u -> u.withPermissionsBoundary(null), notFound(req.userName()));
        return DeleteUserPermissionsBoundaryResponse.builder().build();
    }

    private String checkedBoundary(Call call, String arn) {
        if (arn == null) return null;
        if (iam.findPolicy(call, arn) == null) {
            throw Iam.invalidInput("ARN " + arn + " is not valid.");
        }
        return arn;
    }

    static AwsException notFound(String name) {
        return Iam.noSuchEntity("The user with name " + name + " cannot be found.");
    }
}
