package dev.oboro.services.iam;

import software.amazon.awssdk.services.iam.model.Tag;

import java.time.Instant;
import java.util.List;

/** An instance profile: a container for (at most) one role that EC2 instances are launched with. */
record IamInstanceProfile(String name, String path, String instanceProfileId, Instant created, List<String> roles,
                          List<Tag> tags) {

    IamInstanceProfile withRoles(List<String> r) {
        return new IamInstanceProfile(name, path, instanceProfileId, created, r, tags);
    }

    IamInstanceProfile withTags(List<Tag> t) {
        return new IamInstanceProfile(name, path, instanceProfileId, created, roles, t);
    }
}
