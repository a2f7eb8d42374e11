package dev.oboro.services.iam;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An IAM group; its members are the users naming it in {@link IamUser#groups()}. */
record IamGroup(String name, String path, String groupId, Instant created, Map<String, String> inlinePolicies,
                List<String> attachedPolicies) implements Principal<IamGroup> {

    @Override
    public IamGroup withInlinePolicies(Map<String, String> p) {
        return new IamGroup(name, path, groupId, created, p, attachedPolicies);
    }

    @Override
    public IamGroup withAttachedPolicies(List<String> p) {
        return new IamGroup(name, path, groupId, created, inlinePolicies, p);
    }

    IamGroup renamed(String newName, String newPath) {
        return new IamGroup(newName, newPath, groupId, created, inlinePolicies, attachedPolicies);
    }
}
