package dev.oboro.services.iam;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.iam.model.Group;
import software.amazon.awssdk.services.iam.model.InstanceProfile;
import software.amazon.awssdk.services.iam.model.Policy;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.RoleLastUsed;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.User;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * IAM's state (per account: IAM is global) and what its handlers share: lookups that answer AWS's
 * {@code NoSuchEntity}, ids and ARNs in AWS's forms, and the SDK views of the records.
 *
 * <p>IAM names are unique regardless of case ("ADMIN" and "admin" cannot both exist), so records
 * are keyed by the lower-cased name and keep the name as created.
 */
final class Iam {
    final Oboro oboro;
    final Table<IamUser> users;
    final Table<IamGroup> groups;
    final Table<IamRole> roles;
    final Table<IamPolicy> policies;
    final Table<IamInstanceProfile> profiles;
    final Table<IamAccessKey> keys;

    Iam(Oboro oboro) {
        this.oboro = oboro;
        this.users = oboro.store().table("iam.users", IamUser.class);
        this.groups = oboro.store().table("iam.groups", IamGroup.class);
        this.roles = oboro.store().table("iam.roles", IamRole.class);
        this.policies = oboro.store().table("iam.policies", IamPolicy.class);
        this.profiles = oboro.store().table("iam.instanceProfiles", IamInstanceProfile.class);
        this.keys = oboro.store().table("iam.accessKeys", IamAccessKey.class);
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ errors

    static AwsException noSuchEntity(String message) {
        return new AwsException("NoSuchEntity", message);
    }

    static AwsException alreadyExists(String message) {
        return new AwsException("EntityAlreadyExists", message);
    }

    static AwsException deleteConflict(String message) {
        return new AwsException("DeleteConflict", message);
    }

    static AwsException limitExceeded(String message) {
        return new AwsException("LimitExceeded", message);
    }

    static AwsException invalidInput(String message) {
        return new AwsException("InvalidInput", message);
    }

    // ------------------------------------------------------------------ lookups

    IamUser user(Call call, String name) {
        IamUser u = name == null ? null : users.get(call.globalScope(), key(name));
        if (u == null) throw noSuchEntity("The user with name " + name + " cannot be found.");
        return u;
    }

    IamGroup group(Call call, String name) {
        IamGroup g = name == null ? null : groups.get(call.globalScope(), key(name));
        if (g == null) throw noSuchEntity("The group with name " + name + " cannot be found.");
        return g;
    }

    IamRole role(Call call, String name) {
        IamRole r = name == null ? null : roles.get(call.globalScope(), key(name));
        if (r == null) throw noSuchEntity("The role with name " + name + " cannot be found.");
        return r;
    }

    IamInstanceProfile profile(Call call, String name) {
        IamInstanceProfile p = name == null ? null : profiles.get(call.globalScope(), key(name));
        if (p == null) throw noSuchEntity("Instance Profile " + name + " cannot be found.");
        return p;
    }

    /** Changes a record that must exist, atomically. */
    static <T> T change(Table<T> table, Scope scope, String name, UnaryOperator<T> f, AwsException missing) {
        boolean[] found = {false};
        T out = table.update(scope, key(name), old -> {
            if (old == null) return null;
            found[0] = true;
            return f.apply(old);
        });
        if (!found[0]) throw missing;
        return out;
    }

    /** Users of an account that are members of a group, in name order. */
    List<IamUser> members(Scope scope, String groupName) {
        List<IamUser> out = new ArrayList<>();
        for (IamUser u : users.values(scope)) {
            if (u.groups().stream().anyMatch(g -> g.equalsIgnoreCase(groupName))) out.add(u);
        }
        return out;
    }

    List<IamInstanceProfile> profilesOfRole(Scope scope, String roleName) {
        List<IamInstanceProfile> out = new ArrayList<>();
        for (IamInstanceProfile p : profiles.values(scope)) {
            if (p.roles().stream().anyMatch(r -> r.equalsIgnoreCase(roleName))) out.add(p);
        }
        return out;
    }

    /** How many users, groups and roles of the account have a managed policy attached. */
    int attachmentCount(Scope scope, String policyArn) {
        int n = 0;
        for (Collection<? extends Principal<?>> c : List.<Collection<? extends Principal<?>>>of(
                users.values(scope), groups.values(scope), roles.values(scope))) {
            for (Principal<?> p : c) if (p.attachedPolicies().contains(policyArn)) n++;
        }
        return n;
    }

    // ------------------------------------------------------------------ ids, ARNs, paths

    /** IAM unique ids: a four-letter prefix naming the kind ({@code AIDA} user, {@code AROA} role, ...) and 17 more. */
    static String uniqueId(String prefix) {
        return prefix + Ids.upperAlnum(17);
    }

    static String arn(String account, String kind, String path, String name) {
        return "arn:aws:iam::" + account + ":" + kind + (path == null ? "/" : path) + name;
    }

    static String path(String p) {
        return p == null ? "/" : p;
    }

    static boolean underPrefix(String path, String prefix) {
        return prefix == null || path.startsWith(prefix);
    }

    /**
     * IAM returns policy documents URL-encoded (RFC 3986) inside its XML; SDKs and the CLI decode
     * them. Spaces are {@code %20}, never {@code +}, so a plain percent-decoder gives back the JSON.
     */
    static String encodeDocument(String doc) {
        return doc == null ? null : URLEncoder.encode(doc, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ------------------------------------------------------------------ tags

    static final int MAX_TAGS = 50;

    static List<Tag> tags(List<Tag> given) {
        if (given == null || given.isEmpty()) return List.of();
        return mergeTags(List.of(), given, "resource");
    }

    /** Adds or overwrites tags by key; more than 50 is refused as AWS does. */
    static List<Tag> mergeTags(List<Tag> existing, List<Tag> add, String what) {
        Map<String, String> m = new LinkedHashMap<>();
        existing.forEach(t -> m.put(t.key(), t.value()));
        for (Tag t : add) {
            m.remove(t.key());
            m.put(t.key(), t.value() == null ? "" : t.value());
        }
        if (m.size() > MAX_TAGS) {
            throw limitExceeded("The number of tags has reached the maximum limit of " + MAX_TAGS + " for this " + what + ".");
        }
        List<Tag> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(Tag.builder().key(k).value(v).build()));
        return List.copyOf(out);
    }

    static List<Tag> removeTags(List<Tag> existing, Collection<String> keys) {
        return existing.stream().filter(t -> !keys.contains(t.key())).toList();
    }

    // ------------------------------------------------------------------ SDK views

    User toUser(String account, IamUser u, boolean withTags) {
        User.Builder b = User.builder().userName(u.name()).path(u.path()).userId(u.userId())
                .arn(arn(account, "user", u.path(), u.name())).createDate(u.created());
        if (u.permissionsBoundary() != null) b.permissionsBoundary(boundary(u.permissionsBoundary()));
        if (withTags && !u.tags().isEmpty()) b.tags(u.tags());
        return b.build();
    }

    Group toGroup(String account, IamGroup g) {
        return Group.builder().groupName(g.name()).path(g.path()).groupId(g.groupId())
                .arn(arn(account, "group", g.path(), g.name())).createDate(g.created()).build();
    }

    /** {@code full}: as GetRole answers (tags, last use); ListRoles leaves those out. */
    Role toRole(String account, IamRole r, boolean full) {
        Role.Builder b = Role.builder().roleName(r.name()).path(r.path()).roleId(r.roleId())
                .arn(arn(account, "role", r.path(), r.name())).createDate(r.created())
                .assumeRolePolicyDocument(encodeDocument(r.assumeRolePolicyDocument()))
                .description(r.description()).maxSessionDuration(r.maxSessionDuration());
        if (full) {
            if (r.permissionsBoundary() != null) b.permissionsBoundary(boundary(r.permissionsBoundary()));
            if (!r.tags().isEmpty()) b.tags(r.tags());
            b.roleLastUsed(RoleLastUsed.builder().build());
        }
        return b.build();
    }

    InstanceProfile toProfile(Scope scope, IamInstanceProfile p) {
        List<Role> rs = new ArrayList<>();
        for (String name : p.roles()) {
            IamRole r = roles.get(scope, key(name));
            if (r != null) rs.add(toRole(scope.account(), r, false));
        }
        InstanceProfile.Builder b = InstanceProfile.builder().instanceProfileName(p.name()).path(p.path())
                .instanceProfileId(p.instanceProfileId()).arn(arn(scope.account(), "instance-profile", p.path(), p.name()))
                .createDate(p.created()).roles(rs);
        if (!p.tags().isEmpty()) b.tags(p.tags());
        return b.build();
    }

    Policy toPolicy(Scope scope, ManagedPolicy p, boolean withTags) {
        Policy.Builder b = Policy.builder().policyName(p.name()).policyId(p.policyId()).arn(p.arn()).path(p.path())
                .defaultVersionId(p.defaultVersionId()).attachmentCount(attachmentCount(scope, p.arn()))
                .permissionsBoundaryUsageCount(boundaryUsageCount(scope, p.arn())).isAttachable(true)
                .description(p.description()).createDate(p.created()).updateDate(p.updated());
        if (withTags && !p.tags().isEmpty()) b.tags(p.tags());
        return b.build();
    }

    int boundaryUsageCount(Scope scope, String arn) {
        int n = 0;
        for (IamUser u : users.values(scope)) if (arn.equals(u.permissionsBoundary())) n++;
        for (IamRole r : roles.values(scope)) if (arn.equals(r.permissionsBoundary())) n++;
        return n;
    }

    private static software.amazon.awssdk.services.iam.model.AttachedPermissionsBoundary boundary(String arn) {
        return software.amazon.awssdk.services.iam.model.AttachedPermissionsBoundary.builder()
                .permissionsBoundaryArn(arn).permissionsBoundaryType("PermissionsBoundaryPolicy").build();
    }

    // ------------------------------------------------------------------ managed policies (AWS's and the account's)

    /** A managed policy as every operation sees it, whichever of AWS or the account owns it. */
    record ManagedPolicy(String name, String path, String policyId, String arn, String description, Instant created,
                         Instant updated, String defaultVersionId, List<IamPolicy.Version> versions, List<Tag> tags,
                         boolean awsManaged) {
        IamPolicy.Version version(String id) {
            return versions.stream().filter(v -> v.versionId().equals(id)).findFirst().orElse(null);
        }
    }

    static ManagedPolicy view(IamPolicy p) {
        return new ManagedPolicy(p.name(), p.path(), p.policyId(), p.arn(), p.description(), p.created(), p.updated(),
                p.defaultVersionId(), p.versions(), p.tags(), false);
    }

    /** The managed policy of an ARN in the caller's account (or AWS's), or null. */
    ManagedPolicy findPolicy(Call call, String arn) {
        return findPolicy(call.globalScope(), arn);
    }

    /** The managed policy of an ARN in that account (IAM's global scope) or AWS's, or null. */
    ManagedPolicy findPolicy(Scope scope, String arn) {
        if (arn == null) return null;
        ManagedPolicy aws = AwsManagedPolicies.byArn(arn);
        if (aws != null) return aws;
        IamPolicy local = localPolicy(scope, arn);
        return local == null ? null : view(local);
    }

    /** The account's own policy of an ARN, or null. */
    IamPolicy localPolicy(Call call, String arn) {
        return localPolicy(call.globalScope(), arn);
    }

    private IamPolicy localPolicy(Scope scope, String arn) {
        String prefix = "arn:aws:iam::" + scope.account() + ":policy/";
        if (arn == null || !arn.startsWith(prefix)) return null;
        String name = arn.substring(arn.lastIndexOf('/') + 1);
        IamPolicy p = policies.get(scope, key(name));
        return p != null && p.arn().equals(arn) ? p : null;
    }

    /** For attach and detach: AWS's wording when the policy is not there. */
    ManagedPolicy attachablePolicy(Call call, String arn) {
        ManagedPolicy p = findPolicy(call, arn);
        if (p == null) throw noSuchEntity("Policy " + arn + " does not exist or is not attachable.");
        return p;
    }
}
