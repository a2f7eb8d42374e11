package dev.oboro.services.iam;

import software.amazon.awssdk.services.iam.model.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An IAM user; {@code groups} are the names of the groups it belongs to. */
record IamUser(String name, String path, String userId, Instant created, String permissionsBoundary, List<Tag> tags,
               Map<String, String> inlinePolicies, List<String> attachedPolicies, List<String> groups) implements Principal<IamUser> {

    @Override
    public IamUser withInlinePolicies(Map<String, String> p) {
        return new IamUser(name, path, userId, created, permissionsBoundary, tags, p, attachedPolicies, groups);
    }

    @Override
    public IamUser withAttachedPolicies(List<String> p) {
        return new IamUser(name, path, userId, created, permissionsBoundary, tags, inlinePolicies, p, groups);
    }

    IamUser withTags(List<Tag> t) {
        return new IamUser(name, path, userId, created, permissionsBoundary, t, inlinePolicies, attachedPolicies, groups);
    }

    IamUser withGroups(List<String> g) {
        return new IamUser(name, path, userId, created, permissionsBoundary, tags, inlinePolicies, attachedPolicies, g);
    }

    IamUser renamed(String newName, String newPath) {
        return new IamUser(newName, newPath, userId, created, permissionsBoundary, tags, inlinePolicies, attachedPolicies, groups);
    }

    IamUser withPermissionsBoundary(String arn) {
        return new IamUser(name, path, userId, created, arn, tags, inlinePolicies, attachedPolicies, groups);
    }
}
