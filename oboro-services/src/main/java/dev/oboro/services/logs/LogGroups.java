package dev.oboro.services.logs;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.AssociateKmsKeyRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.AssociateKmsKeyResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.CreateLogGroupRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.CreateLogGroupResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.DeleteLogGroupRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.DeleteLogGroupResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.DeleteRetentionPolicyRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.DeleteRetentionPolicyResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogGroupsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogGroupsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.DisassociateKmsKeyRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.DisassociateKmsKeyResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ListTagsForResourceRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.ListTagsForResourceResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ListTagsLogGroupRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.ListTagsLogGroupResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroup;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroupClass;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutRetentionPolicyRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutRetentionPolicyResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.TagLogGroupRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.TagLogGroupResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.TagResourceRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.TagResourceResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.UntagLogGroupRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.UntagLogGroupResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.UntagResourceRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.UntagResourceResponse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Log groups: create, delete, describe, retention, KMS key and tags. */
final class LogGroups {
    private static final int MAX_TAGS = 50;
    private final LogsState state;

    LogGroups(LogsState state) {
        this.state = state;
    }

    CreateLogGroupResponse createLogGroup(Call call, CreateLogGroupRequest req) {
        LogsState.checkName("logGroupName", req.logGroupName(), LogsState.GROUP_NAME, "[\\.\\-_/#A-Za-z0-9]+");
        Map<String, String> tags = req.hasTags() ? new TreeMap<>(req.tags()) : new TreeMap<>();
        checkTagCount(tags.size());
        String cls = req.logGroupClass() == null ? LogGroupClass.STANDARD.toString() : req.logGroupClassAsString();
        Records.Group g = new Records.Group(req.logGroupName(), call.now().toEpochMilli(), null, req.kmsKeyId(), tags, cls);
        if (!state.groups.putIfAbsent(call.scope(), req.logGroupName(), g)) {
            throw new AwsException("ResourceAlreadyExistsException", "The specified log group already exists");
        }
        return CreateLogGroupResponse.builder().build();
    }

    DeleteLogGroupResponse deleteLogGroup(Call call, DeleteLogGroupRequest req) {
        state.group(call.scope(), req.logGroupName());
        state.deleteGroup(call.scope(), req.logGroupName());
        return DeleteLogGroupResponse.builder().build();
    }

    DescribeLogGroupsResponse describeLogGroups(Call call, DescribeLogGroupsRequest req) {
        if (req.logGroupNamePrefix() != null && req.logGroupNamePattern() != null) {
            throw new AwsException("InvalidParameterException",
                    "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
        }
        List<String> identifiers = req.hasLogGroupIdentifiers()
                ? req.logGroupIdentifiers().stream().map(LogsState::nameFromIdentifier).toList() : null;
        List<Records.Group> matching = new ArrayList<>();
        for (Records.Group g : state.groups.values(call.scope())) {
            if (req.logGroupNamePrefix() != null && !g.name().startsWith(req.logGroupNamePrefix())) continue;
            // a case-sensitive substring search, as the API reference describes logGroupNamePattern
            if (req.logGroupNamePattern() != null && !g.name().contains(req.logGroupNamePattern())) continue;
            if (identifiers != null && !identifiers.contains(g.name())) continue;
            if (req.logGroupClass() != null && !req.logGroupClassAsString().equals(g.logGroupClass())) continue;
            matching.add(g);
        }
        DescribeLogGroupsResponse.Builder out = DescribeLogGroupsResponse.builder();
        Pagination.Page<Records.Group> page = Pagination.page(call, req, matching, Records.Group::name, out);
        List<LogGroup> groups = new ArrayList<>();
        for (Records.Group g : page.items()) groups.add(toLogGroup(call, g));
        return out.logGroups(groups).build();
    }

    private LogGroup toLogGroup(Call call, Records.Group g) {
        String arn = LogsState.groupArn(call, g.name());
        return LogGroup.builder()
                .logGroupName(g.name())
                .creationTime(g.creationTime())
                .retentionInDays(g.retentionInDays())
                .metricFilterCount(0)
                .arn(arn + ":*")
                .logGroupArn(arn)
                .storedBytes(state.storedBytes(call.scope(), g.name()))
                .kmsKeyId(g.kmsKeyId())
                .logGroupClass(g.logGroupClass())
                .build();
    }

    PutRetentionPolicyResponse putRetentionPolicy(Call call, PutRetentionPolicyRequest req) {
        Integer days = req.retentionInDays();
        if (days == null || !LogsState.RETENTION_DAYS.contains(days)) {
            throw new AwsException("InvalidParameterException", "1 validation error detected: Value '" + days
                    + "' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: "
                    + LogsState.RETENTION_DAYS);
        }
        update(call.scope(), req.logGroupName(), g -> g.withRetention(days));
        return PutRetentionPolicyResponse.builder().build();
    }

    DeleteRetentionPolicyResponse deleteRetentionPolicy(Call call, DeleteRetentionPolicyRequest req) {
        update(call.scope(), req.logGroupName(), g -> g.withRetention(null));
        return DeleteRetentionPolicyResponse.builder().build();
    }

    AssociateKmsKeyResponse associateKmsKey(Call call, AssociateKmsKeyRequest req) {
        if (req.logGroupName() == null) {
            throw new AwsException("InvalidParameterException", "Only log group KMS key association is supported by Oboro.");
        }
        update(call.scope(), req.logGroupName(), g -> g.withKmsKeyId(req.kmsKeyId()));
        return AssociateKmsKeyResponse.builder().build();
    }

    DisassociateKmsKeyResponse disassociateKmsKey(Call call, DisassociateKmsKeyRequest req) {
        if (req.logGroupName() == null) {
            throw new AwsException("InvalidParameterException", "Only log group KMS key association is supported by Oboro.");
        }
        update(call.scope(), req.logGroupName(), g -> g.withKmsKeyId(null));
        return DisassociateKmsKeyResponse.builder().build();
    }

    // ------------------------------------------------------------------ tags

    TagResourceResponse tagResource(Call call, TagResourceRequest req) {
        String name = groupOfArn(req.resourceArn());
        addTags(call.scope(), name, req.tags());
        return TagResourceResponse.builder().build();
    }

    UntagResourceResponse untagResource(Call call, UntagResourceRequest req) {
        String name = groupOfArn(req.resourceArn());
        removeTags(call.scope(), name, req.tagKeys());
        return UntagResourceResponse.builder().build();
    }

    ListTagsForResourceResponse listTagsForResource(Call call, ListTagsForResourceRequest req) {
        String name = groupOfArn(req.resourceArn());
        return ListTagsForResourceResponse.builder().tags(state.group(call.scope(), name).tags()).build();
    }

    TagLogGroupResponse tagLogGroup(Call call, TagLogGroupRequest req) {
        addTags(call.scope(), req.logGroupName(), req.tags());
        return TagLogGroupResponse.builder().build();
    }

    UntagLogGroupResponse untagLogGroup(Call call, UntagLogGroupRequest req) {
        removeTags(call.scope(), req.logGroupName(), req.tags());
        return UntagLogGroupResponse.builder().build();
    }

    ListTagsLogGroupResponse listTagsLogGroup(Call call, ListTagsLogGroupRequest req) {
        return ListTagsLogGroupResponse.builder().tags(state.group(call.scope(), req.logGroupName()).tags()).build();
    }

    private void addTags(Scope scope, String group, Map<String, String> tags) {
        update(scope, group, g -> {
            Map<String, String> t = new TreeMap<>(g.tags());
            t.putAll(tags);
            checkTagCount(t.size());
            return g.withTags(t);
        });
    }

    private void removeTags(Scope scope, String group, Collection<String> keys) {
        update(scope, group, g -> {
            Map<String, String> t = new TreeMap<>(g.tags());
            keys.forEach(t::remove);
            return g.withTags(t);
        });
    }

    private static void checkTagCount(int n) {
        if (n > MAX_TAGS) {
            throw new AwsException("TooManyTagsException", "A resource can have no more than " + MAX_TAGS + " tags.");
        }
    }

    /** The log group an ARN names ({@code arn:aws:logs:<region>:<account>:log-group:<name>}). */
    private static String groupOfArn(String arn) {
        if (arn == null || !arn.startsWith("arn:") || !arn.contains(":log-group:")) {
            throw new AwsException("InvalidParameterException", "Invalid resource ARN: " + arn);
        }
        return LogsState.nameFromIdentifier(arn);
    }

    private void update(Scope scope, String name, java.util.function.UnaryOperator<Records.Group> change) {
        Records.Group updated = state.groups.update(scope, name, g -> g == null ? null : change.apply(g));
        if (updated == null) throw LogsState.groupNotFound();
    }
}
