package dev.oboro.services.stepfunctions;

import dev.oboro.core.Call;
import dev.oboro.core.Scope;
import dev.oboro.services.stepfunctions.StepFunctions.Activity;
import dev.oboro.services.stepfunctions.StepFunctions.StateMachine;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.sfn.model.ListTagsForResourceRequest;
import software.amazon.awssdk.services.sfn.model.ListTagsForResourceResponse;
import software.amazon.awssdk.services.sfn.model.Tag;
import software.amazon.awssdk.services.sfn.model.TagResourceRequest;
import software.amazon.awssdk.services.sfn.model.TagResourceResponse;
import software.amazon.awssdk.services.sfn.model.UntagResourceRequest;
import software.amazon.awssdk.services.sfn.model.UntagResourceResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tags of state machines and activities (up to 50 per resource). */
final class Tags {
    static final int MAX = 50;

    private final StepFunctions sfn;

    Tags(StepFunctions sfn) {
        this.sfn = sfn;
    }

    static void checkCount(String arn, int count) {
        if (count > MAX) {
            throw new AwsException("TooManyTags", "Too many tags: a resource can have at most " + MAX + " tags").with("resourceName", arn);
        }
    }

    TagResourceResponse tagResource(Call call, TagResourceRequest req) {
        Map<String, String> tags = new LinkedHashMap<>(current(call.scope(), req.resourceArn()));
        for (Tag t : req.tags()) tags.put(t.key(), t.value());
        checkCount(req.resourceArn(), tags.size());
        store(call.scope(), req.resourceArn(), tags);
        return TagResourceResponse.builder().build();
    }

    UntagResourceResponse untagResource(Call call, UntagResourceRequest req) {
        Map<String, String> tags = new LinkedHashMap<>(current(call.scope(), req.resourceArn()));
        req.tagKeys().forEach(tags::remove);
        store(call.scope(), req.resourceArn(), tags);
        return UntagResourceResponse.builder().build();
    }

    ListTagsForResourceResponse listTagsForResource(Call call, ListTagsForResourceRequest req) {
        List<Tag> tags = current(call.scope(), req.resourceArn()).entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
        return ListTagsForResourceResponse.builder().tags(tags).build();
    }

    private Map<String, String> current(Scope scope, String arn) {
        StateMachine m = sfn.machines.get(scope, arn);
        if (m != null) return m.tags() == null ? Map.of() : m.tags();
        Activity a = sfn.activities.get(scope, arn);
        if (a != null) return a.tags() == null ? Map.of() : a.tags();
        throw new AwsException("ResourceNotFound", "Resource not found: '" + arn + "'");
    }

    private void store(Scope scope, String arn, Map<String, String> tags) {
        if (sfn.machines.get(scope, arn) != null) {
            sfn.machines.update(scope, arn, m -> m == null ? null : m.withTags(tags));
        } else {
            sfn.activities.update(scope, arn, a -> a == null ? null : new Activity(a.arn(), a.name(), a.creationDate(), tags, a.encryption()));
        }
    }
}
