package dev.oboro.services.iam;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import software.amazon.awssdk.services.iam.model.AddUserToGroupRequest;
import software.amazon.awssdk.services.iam.model.AddUserToGroupResponse;
import software.amazon.awssdk.services.iam.model.CreateGroupRequest;
import software.amazon.awssdk.services.iam.model.CreateGroupResponse;
import software.amazon.awssdk.services.iam.model.DeleteGroupRequest;
import software.amazon.awssdk.services.iam.model.DeleteGroupResponse;
import software.amazon.awssdk.services.iam.model.GetGroupRequest;
import software.amazon.awssdk.services.iam.model.GetGroupResponse;
import software.amazon.awssdk.services.iam.model.ListGroupsForUserRequest;
import software.amazon.awssdk.services.iam.model.ListGroupsForUserResponse;
import software.amazon.awssdk.services.iam.model.ListGroupsRequest;
import software.amazon.awssdk.services.iam.model.ListGroupsResponse;
import software.amazon.awssdk.services.iam.model.RemoveUserFromGroupRequest;
import software.amazon.awssdk.services.iam.model.RemoveUserFromGroupResponse;
import software.amazon.awssdk.services.iam.model.UpdateGroupRequest;
import software.amazon.awssdk.services.iam.model.UpdateGroupResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** IAM groups and their members. */
final class Groups {
    /** IAM quota: a user can be a member of up to 10 groups. */
    static final int GROUPS_PER_USER = 10;

    private final Iam iam;

    Groups(Iam iam) {
        this.iam = iam;
    }

    CreateGroupResponse createGroup(Call call, CreateGroupRequest req) {
        IamGroup g = new IamGroup(req.groupName(), Iam.path(req.path()), Iam.uniqueId("AGPA"), call.now(), Map.of(), List.of());
        if (!iam.groups.putIfAbsent(call.globalScope(), Iam.key(g.name()), g)) {
            throw Iam.alreadyExists("Group with name " + req.groupName() + " already exists.");
        }
        return CreateGroupResponse.builder().group(iam.toGroup(call.account(), g)).build();
    }

    /** The group and its users (paginated over the users). */
    GetGroupResponse getGroup(Call call, GetGroupRequest req) {
        IamGroup g = iam.group(call, req.groupName());
        GetGroupResponse.Builder b = GetGroupResponse.builder().group(iam.toGroup(call.account(), g));
        Pagination.Page<IamUser> page = Pagination.page(call, req, iam.members(call.globalScope(), g.name()),
                u -> Iam.key(u.name()), b);
        return b.users(page.items().stream().map(u -> iam.toUser(call.account(), u, false)).toList()).build();
    }

    ListGroupsResponse listGroups(Call call, ListGroupsRequest req) {
        List<IamGroup> all = iam.groups.values(call.globalScope()).stream()
                .filter(g -> Iam.underPrefix(g.path(), req.pathPrefix())).toList();
        ListGroupsResponse.Builder b = ListGroupsResponse.builder();
        Pagination.Page<IamGroup> page = Pagination.page(call, req, all, g -> Iam.key(g.name()), b);
        return b.groups(page.items().stream().map(g -> iam.toGroup(call.account(), g)).toList()).build();
    }

    UpdateGroupResponse updateGroup(Call call, UpdateGroupRequest req) {
        Scope s = call.globalScope();
        IamGroup g = iam.group(call, req.groupName());
        String newName = req.newGroupName() == null ? g.name() : req.newGroupName();
        IamGroup renamed = g.renamed(newName, req.newPath() == null ? g.path() : req.newPath());
        if (Iam.key(newName).equals(Iam.key(g.name()))) {
            iam.groups.put(s, Iam.key(newName), renamed);
        } else {
            if (!iam.groups.putIfAbsent(s, Iam.key(newName), renamed)) {
                throw Iam.alreadyExists("Group with name " + newName + " already exists.");
            }
            iam.groups.remove(s, Iam.key(g.name()));
            for (IamUser u : iam.members(s, g.name())) {
                List<String> gs = new ArrayList<>(u.groups());
                gs.replaceAll(n -> n.equalsIgnoreCase(g.name()) ? newName : n);
                iam.users.put(s, Iam.key(u.name()), u.withGroups(List.copyOf(gs)));
            }
        }
        return UpdateGroupResponse.builder().build();
    }

    DeleteGroupResponse deleteGroup(Call call, DeleteGroupRequest req) {
        Scope s = call.globalScope();
        IamGroup g = iam.group(call, req.groupName());
        if (!iam.members(s, g.name()).isEmpty()) throw Iam.deleteConflict("Cannot delete entity, must remove users from group first.");
        if (!g.inlinePolicies().isEmpty()) throw Iam.deleteConflict("Cannot delete entity, must delete policies first.");
        if (!g.attachedPolicies().isEmpty()) throw Iam.deleteConflict("Cannot delete entity, must detach all policies first.");
        iam.groups.remove(s, Iam.key(g.name()));
        return DeleteGroupResponse.builder().build();
    }

    AddUserToGroupResponse addUserToGroup(Call call, AddUserToGroupRequest req) {
        IamGroup g = iam.group(call, req.groupName());
        Iam.change(iam.users, call.globalScope(), req.userName(), u -> {
            if (u.groups().stream().anyMatch(n -> n.equalsIgnoreCase(g.name()))) return u;
            if (u.groups().size() >= GROUPS_PER_USER) {
                throw Iam.limitExceeded("Cannot exceed quota for GroupsPerUser: " + GROUPS_PER_USER);
            }
            List<String> gs = new ArrayList<>(u.groups());
            gs.add(g.name());
            return u.withGroups(List.copyOf(gs));
        }, Users.notFound(req.userName()));
        return AddUserToGroupResponse.builder().build();
    }

    RemoveUserFromGroupResponse removeUserFromGroup(Call call, RemoveUserFromGroupRequest req) {
        IamGroup g = iam.group(call, req.groupName());
        Iam.change(iam.users, call.globalScope(), req.userName(), u -> {
            if (u.groups().stream().noneMatch(n -> n.equalsIgnoreCase(g.name()))) throw Users.notFound(req.userName());
            return u.withGroups(u.groups().stream().filter(n -> !n.equalsIgnoreCase(g.name())).toList());
        }, Users.notFound(req.userName()));
        return RemoveUserFromGroupResponse.builder().build();
    }

    ListGroupsForUserResponse listGroupsForUser(Call call, ListGroupsForUserRequest req) {
        Scope s = call.globalScope();
        IamUser u = iam.user(call, req.userName());
        List<IamGroup> gs = u.groups().stream().map(n -> iam.groups.get(s, Iam.key(n))).filter(java.util.Objects::nonNull)
                .sorted(java.util.Comparator.comparing(g -> Iam.key(g.name()))).toList();
        ListGroupsForUserResponse.Builder b = ListGroupsForUserResponse.builder();
        Pagination.Page<IamGroup> page = Pagination.page(call, req, gs, g -> Iam.key(g.name()), b);
        return b.groups(page.items().stream().map(g -> iam.toGroup(call.account(), g)).toList()).build();
    }
}
