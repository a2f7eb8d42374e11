package dev.oboro.services.iam;

import software.amazon.awssdk.services.iam.model.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An IAM role with its trust policy (kept as the client sent it). */
record IamRole(String name, String path, String roleId, Instant created, String assumeRolePolicyDocument,
               String description, int maxSessionDuration, String permissionsBoundary, List<Tag> tags,
               Map<String, String> inlinePolicies, List<String> attachedPolicies) implements Principal<IamRole> {

    @Override
    public IamRole withInlinePolicies(Map<String, String> p) {
        return new IamRole(name, path, roleId, created, assumeRolePolicyDocument, description, maxSessionDuration,
                permissionsBoundary, tags, p, attachedPolicies);
    }

    @Override
    public IamRole withAttachedPolicies(List<String> p) {
        return new IamRole(name, path, roleId, created, assumeRolePolicyDocument, description, maxSessionDuration,
                permissionsBoundary, tags, inlinePolicies, p);
    }

    IamRole withTags(List<Tag> t) {
        return new IamRole(name, path, roleId, created, assumeRolePolicyDocument, description, maxSessionDuration,
                permissionsBoundary, t, inlinePolicies, attachedPolicies);
    }

    IamRole withTrustPolicy(String doc) {
        return new IamRole(name, path, roleId, created, doc, description, maxSessionDuration, permissionsBoundary, tags,
                inlinePolicies, attachedPolicies);
    }

    IamRole withSettings(String newDescription, int newMaxSessionDuration) {
        return new IamRole(name, path, roleId, created, assumeRolePolicyDocument, newDescription, newMaxSessionDuration,
                permissionsBoundary, tags, inlinePolicies, attachedPolicies);
    }

    IamRole withPermissionsBoundary(String arn) {
        return new IamRole(name, path, roleId, created, assumeRolePolicyDocument, description, maxSessionDuration,
                arn, tags, inlinePolicies, attachedPolicies);
    }
}
