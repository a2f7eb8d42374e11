package dev.oboro.services.iam;

import software.amazon.awssdk.services.iam.model.Tag;

import java.time.Instant;
import java.util.List;

/** A customer managed policy and its versions (at most five). */
record IamPolicy(String name, String path, String policyId, String arn, String description, Instant created,
                 Instant updated, String defaultVersionId, int nextVersion, List<Version> versions, List<Tag> tags) {

    record Version(String versionId, String document, Instant created) {
    }

    Version version(String id) {
        return versions.stream().filter(v -> v.versionId().equals(id)).findFirst().orElse(null);
    }

    Version defaultVersion() {
        return version(defaultVersionId);
    }

    IamPolicy withVersions(List<Version> v, String defaultId, int next, Instant at) {
        return new IamPolicy(name, path, policyId, arn, description, created, at, defaultId, next, v, tags);
    }

    IamPolicy withTags(List<Tag> t) {
        return new IamPolicy(name, path, policyId, arn, description, created, updated, defaultVersionId, nextVersion, versions, t);
    }
}
