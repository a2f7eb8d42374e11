package dev.oboro.services.cloudtrail;

import dev.oboro.core.Call;
import dev.oboro.core.Oboro;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.services.logs.LogWriter;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.cloudtrail.model.AddTagsRequest;
import software.amazon.awssdk.services.cloudtrail.model.AddTagsResponse;
import software.amazon.awssdk.services.cloudtrail.model.CreateTrailRequest;
import software.amazon.awssdk.services.cloudtrail.model.CreateTrailResponse;
import software.amazon.awssdk.services.cloudtrail.model.DeleteTrailRequest;
import software.amazon.awssdk.services.cloudtrail.model.DeleteTrailResponse;
import software.amazon.awssdk.services.cloudtrail.model.DescribeTrailsRequest;
import software.amazon.awssdk.services.cloudtrail.model.DescribeTrailsResponse;
import software.amazon.awssdk.services.cloudtrail.model.EventSelector;
import software.amazon.awssdk.services.cloudtrail.model.GetEventSelectorsRequest;
import software.amazon.awssdk.services.cloudtrail.model.GetEventSelectorsResponse;
import software.amazon.awssdk.services.cloudtrail.model.GetTrailRequest;
import software.amazon.awssdk.services.cloudtrail.model.GetTrailResponse;
import software.amazon.awssdk.services.cloudtrail.model.GetTrailStatusRequest;
import software.amazon.awssdk.services.cloudtrail.model.GetTrailStatusResponse;
import software.amazon.awssdk.services.cloudtrail.model.ListTagsRequest;
import software.amazon.awssdk.services.cloudtrail.model.ListTagsResponse;
import software.amazon.awssdk.services.cloudtrail.model.ListTrailsRequest;
import software.amazon.awssdk.services.cloudtrail.model.ListTrailsResponse;
import software.amazon.awssdk.services.cloudtrail.model.PutEventSelectorsRequest;
import software.amazon.awssdk.services.cloudtrail.model.PutEventSelectorsResponse;
import software.amazon.awssdk.services.cloudtrail.model.ReadWriteType;
import software.amazon.awssdk.services.cloudtrail.model.RemoveTagsRequest;
import software.amazon.awssdk.services.cloudtrail.model.RemoveTagsResponse;
import software.amazon.awssdk.services.cloudtrail.model.ResourceTag;
import software.amazon.awssdk.services.cloudtrail.model.StartLoggingRequest;
import software.amazon.awssdk.services.cloudtrail.model.StartLoggingResponse;
import software.amazon.awssdk.services.cloudtrail.model.StopLoggingRequest;
import software.amazon.awssdk.services.cloudtrail.model.StopLoggingResponse;
import software.amazon.awssdk.services.cloudtrail.model.Tag;
import software.amazon.awssdk.services.cloudtrail.model.Trail;
import software.amazon.awssdk.services.cloudtrail.model.TrailInfo;
import software.amazon.awssdk.services.cloudtrail.model.UpdateTrailRequest;
import software.amazon.awssdk.services.cloudtrail.model.UpdateTrailResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Trails. A trail lives in its home region; a multi-region trail also shows (as a "shadow trail")
 * in every other region. While a trail logs, the events it covers go to its CloudWatch Logs group
 * ({@code <account>_CloudTrail_<region>} stream), as AWS delivers them. S3 delivery is recorded in
 * the configuration only: Oboro writes no log files.
 */
final class Trails {
    private static final Pattern IP = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._\\-]+");
    private static final Pattern ADJACENT = Pattern.compile("[._\\-]{2}");
    private static final Pattern LOG_GROUP_ARN = Pattern.compile("arn:aws[a-z\\-]*:logs:([a-z0-9\\-]+):(\\d{12}):log-group:([.\\-_/#A-Za-z0-9]+)(:\\*)?");

    private final Oboro oboro;
    private final Recorder recorder;
    final Table<Records.TrailState> trails;

    Trails(Oboro oboro, Recorder recorder) {
        this.oboro = oboro;
        this.recorder = recorder;
        this.trails = oboro.store().table("cloudtrail.trails", Records.TrailState.class);
    }

    // ------------------------------------------------------------------ create / update / delete

    CreateTrailResponse createTrail(Call call, CreateTrailRequest req) {
        checkName(req.name());
        checkLogs(req.cloudWatchLogsLogGroupArn(), req.cloudWatchLogsRoleArn());
        String arn = call.arn("cloudtrail", "trail/" + req.name());
        Trail trail = Trail.builder()
                .name(req.name())
                .s3BucketName(req.s3BucketName())
                .s3KeyPrefix(req.s3KeyPrefix())
                .snsTopicName(req.snsTopicName())
                .snsTopicARN(req.snsTopicName() == null ? null : snsArn(call, req.snsTopicName()))
                .includeGlobalServiceEvents(req.includeGlobalServiceEvents() == null || req.includeGlobalServiceEvents())
                .isMultiRegionTrail(Boolean.TRUE.equals(req.isMultiRegionTrail()))
                .homeRegion(call.region())
                .trailARN(arn)
                .logFileValidationEnabled(Boolean.TRUE.equals(req.enableLogFileValidation()))
                .cloudWatchLogsLogGroupArn(req.cloudWatchLogsLogGroupArn())
                .cloudWatchLogsRoleArn(req.cloudWatchLogsRoleArn())
                .kmsKeyId(req.kmsKeyId())
                .hasCustomEventSelectors(false)
                .hasInsightSelectors(false)
                .isOrganizationTrail(Boolean.TRUE.equals(req.isOrganizationTrail()))
                .build();
        Map<String, String> tags = new TreeMap<>();
        if (req.hasTagsList()) req.tagsList().forEach(t -> tags.put(t.key(), t.value()));
        for (Scope s : trails.scopes()) {
            if (s.account().equals(call.account()) && trails.contains(s, req.name())) throw alreadyExists(call, req.name());
        }
        Records.TrailState state = new Records.TrailState(trail, false, null, null, null, null, tags, defaultSelectors());
        if (!trails.putIfAbsent(call.scope(), req.name(), state)) throw alreadyExists(call, req.name());
        return CreateTrailResponse.builder()
                .name(trail.name()).s3BucketName(trail.s3BucketName()).s3KeyPrefix(trail.s3KeyPrefix())
                .snsTopicName(trail.snsTopicName()).snsTopicARN(trail.snsTopicARN())
                .includeGlobalServiceEvents(trail.includeGlobalServiceEvents()).isMultiRegionTrail(trail.isMultiRegionTrail())
                .trailARN(arn).logFileValidationEnabled(trail.logFileValidationEnabled())
                .cloudWatchLogsLogGroupArn(trail.cloudWatchLogsLogGroupArn()).cloudWatchLogsRoleArn(trail.cloudWatchLogsRoleArn())
                .kmsKeyId(trail.kmsKeyId()).isOrganizationTrail(trail.isOrganizationTrail())
                .build();
    }

    UpdateTrailResponse updateTrail(Call call, UpdateTrailRequest req) {
        Found f = homeTrail(call, req.name());
        Trail t = f.state().trail();
        String logGroup = req.cloudWatchLogsLogGroupArn() != null ? emptyToNull(req.cloudWatchLogsLogGroupArn()) : t.cloudWatchLogsLogGroupArn();
        String role = req.cloudWatchLogsRoleArn() != null ? emptyToNull(req.cloudWatchLogsRoleArn()) : t.cloudWatchLogsRoleArn();
        checkLogs(logGroup, role);
        Trail.Builder b = t.toBuilder();
        if (req.s3BucketName() != null) b.s3BucketName(req.s3BucketName());
        if (req.s3KeyPrefix() != null) b.s3KeyPrefix(emptyToNull(req.s3KeyPrefix()));
        if (req.snsTopicName() != null) {
            String topic = emptyToNull(req.snsTopicName());
            b.snsTopicName(topic).snsTopicARN(topic == null ? null : snsArn(call, topic));
        }
        if (req.includeGlobalServiceEvents() != null) b.includeGlobalServiceEvents(req.includeGlobalServiceEvents());
        if (req.isMultiRegionTrail() != null) b.isMultiRegionTrail(req.isMultiRegionTrail());
        if (req.enableLogFileValidation() != null) b.logFileValidationEnabled(req.enableLogFileValidation());
        if (req.kmsKeyId() != null) b.kmsKeyId(emptyToNull(req.kmsKeyId()));
        if (req.isOrganizationTrail() != null) b.isOrganizationTrail(req.isOrganizationTrail());
        b.cloudWatchLogsLogGroupArn(logGroup).cloudWatchLogsRoleArn(role);
        Trail updated = b.build();
        trails.put(f.scope(), f.name(), f.state().withTrail(updated));
        return UpdateTrailResponse.builder()
                .name(updated.name()).s3BucketName(updated.s3BucketName()).s3KeyPrefix(updated.s3KeyPrefix())
                .snsTopicName(updated.snsTopicName()).snsTopicARN(updated.snsTopicARN())
                .includeGlobalServiceEvents(updated.includeGlobalServiceEvents()).isMultiRegionTrail(updated.isMultiRegionTrail())
                .trailARN(updated.trailARN()).logFileValidationEnabled(updated.logFileValidationEnabled())
                .cloudWatchLogsLogGroupArn(updated.cloudWatchLogsLogGroupArn()).cloudWatchLogsRoleArn(updated.cloudWatchLogsRoleArn())
                .kmsKeyId(updated.kmsKeyId()).isOrganizationTrail(updated.isOrganizationTrail())
                .build();
    }

    DeleteTrailResponse deleteTrail(Call call, DeleteTrailRequest req) {
        Found f = homeTrail(call, req.name());
        trails.remove(f.scope(), f.name());
        return DeleteTrailResponse.builder().build();
    }

    // ------------------------------------------------------------------ read

    DescribeTrailsResponse describeTrails(Call call, DescribeTrailsRequest req) {
        boolean shadows = req.includeShadowTrails() == null || req.includeShadowTrails();
        List<Trail> out = new ArrayList<>();
        if (req.hasTrailNameList() && !req.trailNameList().isEmpty()) {
            for (String n : req.trailNameList()) {
                Found f = find(call, n);
                if (f != null && (f.scope().region().equals(call.region()) || shadows)) out.add(f.state().trail());
            }
            return DescribeTrailsResponse.builder().trailList(out).build();
        }
        for (Records.TrailState t : visible(call, shadows)) out.add(t.trail());
        return DescribeTrailsResponse.builder().trailList(out).build();
    }

    GetTrailResponse getTrail(Call call, GetTrailRequest req) {
        return GetTrailResponse.builder().trail(trail(call, req.name()).state().trail()).build();
    }

    GetTrailStatusResponse getTrailStatus(Call call, GetTrailStatusRequest req) {
        Records.TrailState t = trail(call, req.name()).state();
        return GetTrailStatusResponse.builder()
                .isLogging(t.logging())
                .startLoggingTime(t.startLoggingTime())
                .stopLoggingTime(t.stopLoggingTime())
                .timeLoggingStarted(t.startLoggingTime() == null ? null : t.startLoggingTime().toString())
                .timeLoggingStopped(t.stopLoggingTime() == null ? null : t.stopLoggingTime().toString())
                .latestCloudWatchLogsDeliveryTime(t.latestCloudWatchLogsDeliveryTime())
                .latestCloudWatchLogsDeliveryError(t.latestCloudWatchLogsDeliveryError())
                .build();
    }

    ListTrailsResponse listTrails(Call call, ListTrailsRequest req) {
        List<Records.TrailState> all = new ArrayList<>();
        for (Scope s : trails.scopes()) if (s.account().equals(call.account())) all.addAll(trails.values(s));
        all.sort(java.util.Comparator.comparing(t -> t.trail().trailARN()));
        ListTrailsResponse.Builder out = ListTrailsResponse.builder();
        Pagination.Page<Records.TrailState> page = Pagination.page(call, req, all, t -> t.trail().trailARN(), out);
        return out.trails(page.items().stream().map(t -> TrailInfo.builder().trailARN(t.trail().trailARN())
                .name(t.trail().name()).homeRegion(t.trail().homeRegion()).build()).toList()).build();
    }

    // ------------------------------------------------------------------ logging

    StartLoggingResponse startLogging(Call call, StartLoggingRequest req) {
        Found f = homeTrail(call, req.name());
        if (!f.state().logging()) trails.put(f.scope(), f.name(), f.state().withLogging(true, call.now()));
        return StartLoggingResponse.builder().build();
    }

    StopLoggingResponse stopLogging(Call call, StopLoggingRequest req) {
        Found f = homeTrail(call, req.name());
        if (f.state().logging()) trails.put(f.scope(), f.name(), f.state().withLogging(false, call.now()));
        return StopLoggingResponse.builder().build();
    }

    PutEventSelectorsResponse putEventSelectors(Call call, PutEventSelectorsRequest req) {
        Found f = homeTrail(call, req.trailName());
        if (!req.hasEventSelectors() || req.eventSelectors().isEmpty() || req.eventSelectors().size() > 5) {
            throw new AwsException("InvalidEventSelectorsException", "You can specify from 1 to 5 event selectors for a trail.");
        }
        Trail t = f.state().trail().toBuilder().hasCustomEventSelectors(true).build();
        trails.put(f.scope(), f.name(), f.state().withTrail(t).withEventSelectors(List.copyOf(req.eventSelectors())));
        return PutEventSelectorsResponse.builder().trailARN(t.trailARN()).eventSelectors(req.eventSelectors()).build();
    }

    GetEventSelectorsResponse getEventSelectors(Call call, GetEventSelectorsRequest req) {
        Records.TrailState t = trail(call, req.trailName()).state();
        return GetEventSelectorsResponse.builder().trailARN(t.trail().trailARN()).eventSelectors(t.eventSelectors()).build();
    }

    private static List<EventSelector> defaultSelectors() {
        return List.of(EventSelector.builder().readWriteType(ReadWriteType.ALL).includeManagementEvents(true)
                .dataResources(List.of()).excludeManagementEventSources(List.of()).build());
    }

    /**
     * Delivers a recorded event to the CloudWatch Logs group of every logging trail that covers it:
     * trails of the event's region, multi-region trails of its account, and only the read/write
     * kinds their event selectors ask for.
     */
    /** Whether any trail exists at all (delivery is only worth preparing then). */
    boolean any() {
        return !trails.scopes().isEmpty();
    }

    void deliver(Scope eventScope, Records.Event event) {
        for (Scope s : trails.scopes()) {
            if (!s.account().equals(eventScope.account())) continue;
            for (Records.TrailState t : List.copyOf(trails.values(s))) {
                Trail trail = t.trail();
                if (!t.logging() || trail.cloudWatchLogsLogGroupArn() == null) continue;
                if (!s.region().equals(eventScope.region()) && !Boolean.TRUE.equals(trail.isMultiRegionTrail())) continue;
                if (!selected(t.eventSelectors(), event.readOnly())) continue;
                var m = LOG_GROUP_ARN.matcher(trail.cloudWatchLogsLogGroupArn());
                if (!m.matches()) continue;
                String error = null;
                try {
                    LogWriter.of(oboro).append(m.group(2), m.group(1), m.group(3),
                            eventScope.account() + "_CloudTrail_" + eventScope.region(),
                            List.of(new LogWriter.Event(event.eventTime(), event.json())));
                } catch (RuntimeException e) {
                    error = e.getMessage();
                }
                String err = error;
                Instant at = oboro.clock().instant();
                trails.update(s, trail.name(), cur -> cur == null ? null : cur.withDelivery(at, err));
            }
        }
    }

    private static boolean selected(List<EventSelector> selectors, boolean readOnly) {
        for (EventSelector sel : selectors) {
            if (Boolean.FALSE.equals(sel.includeManagementEvents())) continue;
            ReadWriteType rw = sel.readWriteType() == null ? ReadWriteType.ALL : sel.readWriteType();
            if (rw == ReadWriteType.ALL || (rw == ReadWriteType.READ_ONLY) == readOnly) return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ tags

    AddTagsResponse addTags(Call call, AddTagsRequest req) {
        Found f = byArn(call, req.resourceId());
        Map<String, String> tags = new TreeMap<>(f.state().tags());
        if (req.hasTagsList()) req.tagsList().forEach(t -> tags.put(t.key(), t.value()));
        if (tags.size() > 50) throw new AwsException("TagsLimitExceededException", "The number of tags exceeds the limit of 50.");
        trails.put(f.scope(), f.name(), f.state().withTags(tags));
        return AddTagsResponse.builder().build();
    }

    RemoveTagsResponse removeTags(Call call, RemoveTagsRequest req) {
        Found f = byArn(call, req.resourceId());
        Map<String, String> tags = new TreeMap<>(f.state().tags());
        if (req.hasTagsList()) req.tagsList().forEach(t -> tags.remove(t.key()));
        trails.put(f.scope(), f.name(), f.state().withTags(tags));
        return RemoveTagsResponse.builder().build();
    }

    ListTagsResponse listTags(Call call, ListTagsRequest req) {
        List<ResourceTag> out = new ArrayList<>();
        for (String id : req.resourceIdList()) {
            Found f = byArn(call, id);
            out.add(ResourceTag.builder().resourceId(f.state().trail().trailARN()).tagsList(f.state().tags().entrySet().stream()
                    .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList()).build());
        }
        return ListTagsResponse.builder().resourceTagList(out).build();
    }

    // ------------------------------------------------------------------ finding trails

    record Found(Scope scope, String name, Records.TrailState state) {
    }

    /** The trails DescribeTrails shows in the caller's region: its own, and other regions' multi-region trails. */
    private List<Records.TrailState> visible(Call call, boolean shadows) {
        List<Records.TrailState> out = new ArrayList<>(trails.values(call.scope()));
        if (!shadows) return out;
        for (Scope s : trails.scopes()) {
            if (!s.account().equals(call.account()) || s.region().equals(call.region())) continue;
            for (Records.TrailState t : trails.values(s)) if (Boolean.TRUE.equals(t.trail().isMultiRegionTrail())) out.add(t);
        }
        return out;
    }

    /** By name: the caller's region's trail, or a multi-region trail of the account; by ARN: that trail. */
    private Found find(Call call, String nameOrArn) {
        if (nameOrArn == null) throw new AwsException("InvalidTrailNameException", "Trail name must not be empty.");
        if (nameOrArn.startsWith("arn:")) {
            String[] p = nameOrArn.split(":", 6);
            if (p.length < 6 || !p[5].startsWith("trail/")) {
                throw new AwsException("CloudTrailARNInvalidException", "ARN " + nameOrArn + " is not valid.");
            }
            Scope s = new Scope(p[4], p[3]);
            if (!s.account().equals(call.account())) return null;
            Records.TrailState t = trails.get(s, p[5].substring("trail/".length()));
            return t == null ? null : new Found(s, t.trail().name(), t);
        }
        Records.TrailState t = trails.get(call.scope(), nameOrArn);
        if (t != null) return new Found(call.scope(), nameOrArn, t);
        for (Scope s : trails.scopes()) {
            if (!s.account().equals(call.account())) continue;
            Records.TrailState o = trails.get(s, nameOrArn);
            if (o != null && Boolean.TRUE.equals(o.trail().isMultiRegionTrail())) return new Found(s, nameOrArn, o);
        }
        return null;
    }

    private Found trail(Call call, String nameOrArn) {
        Found f = find(call, nameOrArn);
        if (f == null) throw notFound(call, nameOrArn);
        return f;
    }

    /**
     * A trail the caller may change: only from its home region. Calls recorded so far are delivered
     * under the trail's configuration before the change, as they happened before it.
     */
    private Found homeTrail(Call call, String nameOrArn) {
        recorder.flush();
        Found f = trail(call, nameOrArn);
        if (!f.scope().region().equals(call.region())) {
            throw new AwsException("InvalidHomeRegionException", "This operation must be called from the trail's home region, "
                    + f.scope().region() + ".");
        }
        return f;
    }

    private Found byArn(Call call, String arn) {
        if (arn == null || !arn.startsWith("arn:")) {
            throw new AwsException("CloudTrailARNInvalidException", "ARN " + arn + " is not valid.");
        }
        return trail(call, arn);
    }

    private static AwsException notFound(Call call, String nameOrArn) {
        String arn = nameOrArn.startsWith("arn:") ? nameOrArn : call.arn("cloudtrail", "trail/" + nameOrArn);
        return new AwsException("TrailNotFoundException", "Unknown trail: " + arn + " for the user: " + call.account());
    }

    private static AwsException alreadyExists(Call call, String name) {
        return new AwsException("TrailAlreadyExistsException", "Trail " + name + " already exists for customer: " + call.account());
    }

    /** The rules of CreateTrail's Name (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html). */
    static void checkName(String name) {
        String problem = null;
        if (name.length() < 3) problem = "Trail name too short. Minimum allowed length: 3 characters. Specified name length: " + name.length() + " characters.";
        else if (name.length() > 128) problem = "Trail name too long. Maximum allowed length: 128 characters. Specified name length: " + name.length() + " characters.";
        else if (!Character.isLetterOrDigit(name.charAt(0))) problem = "Trail name must starts with a letter or number.";
        else if (!Character.isLetterOrDigit(name.charAt(name.length() - 1))) problem = "Trail name must ends with a letter or number.";
        else if (!ALLOWED.matcher(name).matches()) problem = "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).";
        else if (ADJACENT.matcher(name).find()) problem = "Trail name cannot contain consecutive special characters.";
        else if (IP.matcher(name).matches()) problem = "Trail name cannot match an IP address.";
        if (problem != null) throw new AwsException("InvalidTrailNameException", problem);
    }

    private static void checkLogs(String logGroupArn, String roleArn) {
        if (logGroupArn == null && roleArn == null) return;
        if (logGroupArn == null || roleArn == null) {
            throw new AwsException("InvalidParameterCombinationException",
                    "You must specify both a CloudWatch Logs log group ARN and a role ARN, or neither.");
        }
        if (!LOG_GROUP_ARN.matcher(logGroupArn).matches()) {
            throw new AwsException("InvalidCloudWatchLogsLogGroupArnException", "CloudWatch Logs log group ARN " + logGroupArn + " is not valid.");
        }
        if (!roleArn.matches("arn:aws[a-z\\-]*:iam::\\d{12}:role/.+")) {
            throw new AwsException("InvalidCloudWatchLogsRoleArnException", "CloudWatch Logs role ARN " + roleArn + " is not valid.");
        }
    }

    private static String snsArn(Call call, String topic) {
        return topic.startsWith("arn:") ? topic : call.arn("sns", topic);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
