package dev.oboro.services.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.CallListener;
import dev.oboro.core.Identity;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.wire.JsonCodec;
import dev.oboro.wire.Models;
import dev.oboro.wire.SdkShapes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns every API call through the gateway into a CloudTrail event.
 *
 * <p>The request path only captures what happened (the call, its request and response objects and
 * the time) into a queue: a few hundred nanoseconds. A background virtual thread moves captures into
 * the event history of their account and region; LookupEvents first finishes what is queued
 * ({@link #flush}), so a caller always finds the calls it made before.
 *
 * <p>The event document of a capture is built when somebody reads it (LookupEvents, or delivery
 * to a logging trail), not for every call: building it costs far more than the call itself, and
 * most events are never read. The history keeps the newest {@link #MAX_EVENTS_PER_SCOPE} events of
 * each account and region for 90 days, in memory: it is a record of calls, not user state, and
 * does not survive a restart (trails do).
 *
 * <p>Registered when Oboro starts ({@code Provider.onStart}), before CloudTrail is ever called.
 */
final class Recorder implements CallListener {
    private static final Logger LOG = Logger.getLogger(Recorder.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Oboro, Recorder> BY_OBORO = Collections.synchronizedMap(new WeakHashMap<>());
    static final String EVENT_VERSION = "1.09";
    /** Event history keeps 90 days of management events. */
    static final Duration HISTORY = Duration.ofDays(90);
    private static final long DRAIN_EVERY_NANOS = 50_000_000L;
    /** How many events each account and region keeps (the newest). */
    static final int MAX_EVENTS_PER_SCOPE = 50_000;

    /**
     * Data-plane operations: CloudTrail records them only as data events, which a trail logs when
     * asked and the event history (LookupEvents) never shows
     * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
     */
    private static final Map<String, Set<String>> DATA_EVENTS = Map.of(
            "s3", Set.of("GetObject", "PutObject", "DeleteObject", "DeleteObjects", "HeadObject", "CopyObject",
                    "GetObjectAttributes", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging", "PutObjectTagging",
                    "DeleteObjectTagging", "CreateMultipartUpload", "UploadPart", "UploadPartCopy",
                    "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts", "RestoreObject", "SelectObjectContent"),
            "lambda", Set.of("Invoke", "InvokeAsync", "InvokeWithResponseStream"),
            "sns", Set.of("Publish", "PublishBatch"),
            "dynamodb", Set.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                    "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement",
                    "BatchExecuteStatement", "ExecuteTransaction"),
            "sqs", Set.of("SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
                    "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"),
            "kinesis", Set.of("PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "SubscribeToShard"),
            "logs", Set.of("PutLogEvents", "GetLogEvents", "FilterLogEvents", "StartLiveTail"),
            "xray", Set.of("PutTraceSegments", "PutTelemetryRecords", "GetSamplingRules", "GetSamplingTargets",
                    "GetSamplingStatisticSummaries"));

    /** Operation names CloudTrail marks readOnly: true (besides the Describe/Get/List family). */
    private static final List<String> READ_PREFIXES = List.of("Describe", "Get", "List", "Lookup", "Head", "Search",
            "BatchGet", "Query", "Scan", "Select", "Check", "Test", "Estimate", "Preview", "Validate", "Verify",
            "Simulate", "Decrypt", "Encrypt", "ReEncrypt", "GenerateDataKey", "GenerateRandom", "GenerateMac", "Sign",
            "AssumeRole", "Filter", "Export", "Download", "View");

    /** What the request path captures. */
    private record Capture(long seq, Instant at, Call call, SdkPojo request, SdkPojo response, String errorCode,
                           String errorMessage) {
    }

    private final Oboro oboro;
    private final Models models;
    private final ConcurrentLinkedQueue<Capture> queue = new ConcurrentLinkedQueue<>();
    /** Held while captures leave the queue, so a flush knows that every earlier capture is stored. */
    private final ReentrantLock draining = new ReentrantLock();
    private final AtomicLong seq = new AtomicLong();
    private volatile Trails trails;
    /** Event history per account and region, newest first by key. */
    private final Map<Scope, java.util.concurrent.ConcurrentSkipListMap<String, Recorded>> history = new java.util.concurrent.ConcurrentHashMap<>();

    /** A capture in the history; its event document is built on first read. */
    final class Recorded {
        private final Capture capture;
        private volatile Records.Event event;

        Recorded(Capture capture) {
            this.capture = capture;
        }

        Instant at() {
            return capture.at();
        }

        Records.Event event() {
            Records.Event e = event;
            if (e == null) {
                synchronized (this) {
                    if (event == null) event = toEvent(capture);
                    e = event;
                }
            }
            return e;
        }
    }

    private Recorder(Oboro oboro) {
        this.oboro = oboro;
        this.models = oboro.models();
        Thread.ofVirtual().name("cloudtrail-recorder").start(this::drainForever);
        oboro.scheduler().every(Duration.ofDays(1), this::sweep);
    }

    /** Creates and registers the recorder of an Oboro (once). */
    static synchronized Recorder install(Oboro oboro) {
        Recorder r = BY_OBORO.get(oboro);
        if (r != null) return r;
        r = new Recorder(oboro);
        BY_OBORO.put(oboro, r);
        oboro.gateway().addListener(r);
        return r;
    }

    static Recorder of(Oboro oboro) {
        return install(oboro);
    }

    void trails(Trails t) {
        this.trails = t;
    }

    /** The event history of one account and region, newest first. */
    java.util.NavigableMap<String, Recorded> history(Scope scope) {
        java.util.NavigableMap<String, Recorded> h = history.get(scope);
        return h == null ? java.util.Collections.emptyNavigableMap() : h;
    }

    // ------------------------------------------------------------------ the request path

    @Override
    public void onCall(Call call, SdkPojo request, SdkPojo response, String errorCode, String errorMessage, int status) {
        if (call.operation() == null) return;
        Set<String> data = DATA_EVENTS.get(call.service());
        if (data != null && data.contains(call.operation())) return;
        // the event shows the response only for successful writes (and credential-issuing STS calls):
        // not holding other responses lets them die young instead of living on in the history
        SdkPojo kept = errorCode == null && (!READ_ONLY.computeIfAbsent(call.operation(), Recorder::isReadOnly) || issuesCredentials(call))
                ? response : null;
        queue.offer(new Capture(seq.incrementAndGet(), call.now(), call, request, kept, errorCode, errorMessage));
    }

    /** isReadOnly per operation name, remembered (the request path asks it for every call). */
    private static final Map<String, Boolean> READ_ONLY = new java.util.concurrent.ConcurrentHashMap<>();

    // ------------------------------------------------------------------ recording

    /** The worker wakes a few times a second: no signal per call, so the request path stays a queue offer. */
    private void drainForever() {
        while (!Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(DRAIN_EVERY_NANOS);
            flush();
        }
    }

    /** Records everything captured so far before returning. */
    void flush() {
        draining.lock();
        try {
            Trails t = trails;
            boolean deliver = t != null && t.any();
            Capture c;
            while ((c = queue.poll()) != null) {
                Scope scope = c.call().scope();
                var h = history.computeIfAbsent(scope, k -> new java.util.concurrent.ConcurrentSkipListMap<>());
                Recorded r = new Recorded(c);
                h.put(key(c), r);
                while (h.size() > MAX_EVENTS_PER_SCOPE) h.pollLastEntry();
                if (deliver) {
                    try {
                        t.deliver(scope, r.event());
                    } catch (RuntimeException ex) {
                        LOG.log(Level.WARNING, "could not deliver " + c.call().service() + " " + c.call().operation(), ex);
                    }
                }
            }
        } finally {
            draining.unlock();
        }
    }

    /** Newest first: the table iterates in key order. */
    private static String key(Capture c) {
        StringBuilder k = new StringBuilder(36);
        pad(k, Long.MAX_VALUE / 1000 - c.at().toEpochMilli(), 16).append('-');
        return pad(k, Long.MAX_VALUE - c.seq(), 19).toString();
    }

    private static StringBuilder pad(StringBuilder b, long n, int width) {
        String digits = Long.toString(n);
        for (int i = digits.length(); i < width; i++) b.append('0');
        return b.append(digits);
    }

    private Records.Event toEvent(Capture c) {
        try {
            return buildEvent(c);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "could not record " + c.call().service() + " " + c.call().operation(), ex);
            return new Records.Event(Ids.uuid(), c.at(), c.call().operation(), c.call().service() + ".amazonaws.com",
                    null, null, false, List.of(), "{}");
        }
    }

    private Records.Event buildEvent(Capture c) {
        Call call = c.call();
        Identity who = call.caller();
        Models.Entry entry = models.entry(call.service());
        String source = (entry == null || entry.endpointPrefix() == null ? call.service() : entry.endpointPrefix()) + ".amazonaws.com";
        boolean readOnly = isReadOnly(call.operation());
        String eventId = Ids.uuid();
        Instant at = c.at();

        ObjectNode doc = JSON.createObjectNode();
        doc.put("eventVersion", EVENT_VERSION);
        doc.set("userIdentity", userIdentity(who));
        doc.put("eventTime", at.truncatedTo(ChronoUnit.SECONDS).toString());
        doc.put("eventSource", source);
        doc.put("eventName", call.operation());
        doc.put("awsRegion", call.region());
        doc.put("sourceIPAddress", call.sourceIp());
        doc.put("userAgent", call.userAgent());
        if (c.errorCode() != null) {
            doc.put("errorCode", c.errorCode());
            doc.put("errorMessage", c.errorMessage());
        }
        doc.set("requestParameters", members(c.request()));
        // CloudTrail leaves responseElements out of failed calls and of reads, except the STS calls
        // that hand out credentials (their keys and expiry are on record, the secret is not)
        boolean withResponse = c.errorCode() == null && (!readOnly || issuesCredentials(call));
        doc.set("responseElements", withResponse ? members(c.response()) : null);
        doc.put("requestID", call.requestId());
        doc.put("eventID", eventId);
        doc.put("readOnly", readOnly);
        List<Records.Resource> resources = resources(call, c.request(), c.response());
        if (!resources.isEmpty()) {
            var arr = doc.putArray("resources");
            for (Records.Resource r : resources) {
                ObjectNode o = arr.addObject();
                if (r.name().startsWith("arn:")) o.put("ARN", r.name());
                o.put("accountId", call.account());
                o.put("type", r.type());
            }
        }
        doc.put("eventType", "AwsApiCall");
        doc.put("managementEvent", true);
        doc.put("recipientAccountId", call.account());
        doc.put("eventCategory", "Management");
        String username = who.userName() != null ? who.userName() : "Root".equals(who.type()) ? "root" : null;
        return new Records.Event(eventId, at, call.operation(), source, username, who.accessKeyId(), readOnly,
                resources, doc.toString());
    }

    /**
     * The userIdentity element
     * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
     */
    private static ObjectNode userIdentity(Identity who) {
        ObjectNode u = JSON.createObjectNode();
        u.put("type", who.type());
        if ("AWSService".equals(who.type())) {
            u.put("invokedBy", who.principalId());
            return u;
        }
        u.put("principalId", who.principalId());
        u.put("arn", who.arn());
        u.put("accountId", who.account());
        if (who.accessKeyId() != null) u.put("accessKeyId", who.accessKeyId());
        if ("IAMUser".equals(who.type())) u.put("userName", who.userName());
        if ("AssumedRole".equals(who.type()) || "FederatedUser".equals(who.type())) {
            ObjectNode ctx = u.putObject("sessionContext");
            ObjectNode issuer = ctx.putObject("sessionIssuer");
            String roleArn = who.sourceArn();
            String principal = who.principalId();
            issuer.put("type", "AssumedRole".equals(who.type()) ? "Role" : "IAMUser");
            issuer.put("principalId", principal != null && principal.contains(":") ? principal.substring(0, principal.indexOf(':')) : principal);
            issuer.put("arn", roleArn);
            issuer.put("accountId", who.account());
            issuer.put("userName", roleArn == null ? null : roleArn.substring(roleArn.lastIndexOf('/') + 1));
            ctx.putObject("webIdFederationData");
            ObjectNode attrs = ctx.putObject("attributes");
            attrs.put("mfaAuthenticated", "false");
        }
        return u;
    }

    private static boolean issuesCredentials(Call call) {
        return "sts".equals(call.service()) && (call.operation().startsWith("AssumeRole")
                || call.operation().equals("GetSessionToken") || call.operation().equals("GetFederationToken"));
    }

    static boolean isReadOnly(String operation) {
        for (String p : READ_PREFIXES) if (operation.startsWith(p)) return true;
        return false;
    }

    /** Left out of events altogether. */
    private static final Set<String> OMITTED = Set.of("secretAccessKey");
    /** Shown as AWS shows sensitive values. */
    private static final Set<String> HIDDEN = Set.of("password", "plaintext", "secretString",
            "secretBinary", "privateKey", "oldPassword", "newPassword");

    /** A request or response as CloudTrail shows it: its set members by lowerCamel name; null when empty. */
    private static JsonNode members(SdkPojo pojo) {
        if (pojo == null) return null;
        byte[] bytes = JsonCodec.LOWER_CAMEL_MEMBERS.write(pojo, f -> true);
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject() || n.isEmpty()) return null;
            hide(n);
            return n;
        } catch (IOException e) {
            return null;
        }
    }

    private static void hide(JsonNode n) {
        if (n instanceof ObjectNode o) {
            for (String k : List.copyOf(iterable(o.fieldNames()))) {
                if (OMITTED.contains(k)) o.remove(k);
                else if (HIDDEN.contains(k)) o.put(k, "HIDDEN_DUE_TO_SECURITY_REASONS");
                else hide(o.get(k));
            }
        } else if (n != null && n.isArray()) {
            n.forEach(Recorder::hide);
        }
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    // ------------------------------------------------------------------ resources

    /** CloudFormation-style service names where they differ from the model's serviceId without spaces. */
    private static final Map<String, String> CFN_SERVICE = Map.ofEntries(
            Map.entry("logs", "Logs"), Map.entry("monitoring", "CloudWatch"), Map.entry("states", "StepFunctions"),
            Map.entry("elasticloadbalancing", "ElasticLoadBalancingV2"), Map.entry("apigateway", "ApiGateway"),
            Map.entry("autoscaling", "AutoScaling"), Map.entry("route53", "Route53"),
            Map.entry("secretsmanager", "SecretsManager"), Map.entry("xray", "XRay"), Map.entry("events", "Events"));

    private static final Set<String> NOT_RESOURCES = Set.of("NextToken", "ClientToken", "ClientRequestToken",
            "RequestId", "AccountId", "KmsKeyId", "Marker", "nextToken", "clientToken", "kmsKeyId", "accountId",
            "Region", "RegionName", "RegionNames", "ZoneName", "ZoneNames", "ZoneIds", "RoleSessionName", "SerialNumber",
            "S3BucketName", "S3KeyPrefix", "SnsTopicName", "PolicyName", "AccessKeyId", "TokenCode");

    /**
     * The resources an event names, derived from the request's identifying members: a member
     * {@code RoleName} of IAM is an {@code AWS::IAM::Role}, {@code logGroupName} of Logs an
     * {@code AWS::Logs::LogGroup}, {@code InstanceIds} of EC2 {@code AWS::EC2::Instance}s; a bare
     * {@code Name}/{@code Id}/{@code Arn} takes the noun of the operation ({@code CreateTrail} -> Trail).
     */
    private List<Records.Resource> resources(Call call, SdkPojo request, SdkPojo response) {
        List<Records.Resource> out = new ArrayList<>();
        if (request == null) return out;
        String svc = cfnService(call.service());
        for (SdkField<?> f : SdkShapes.fields(request)) {
            String member = f.memberName();
            if (NOT_RESOURCES.contains(member)) continue;
            String stem = stem(member);
            if (stem == null) continue;
            if (stem.isEmpty()) stem = noun(call.operation());
            if (stem.isEmpty()) continue;
            String type = "AWS::" + svc + "::" + Character.toUpperCase(stem.charAt(0)) + stem.substring(1);
            Object v = f.getValueOrDefault(request);
            if (v instanceof String s && f.marshallingType() == MarshallingType.STRING) {
                out.add(new Records.Resource(type, s));
            } else if (v instanceof List<?> l && f.marshallingType() == MarshallingType.LIST) {
                for (Object o : l) if (o instanceof String s) out.add(new Records.Resource(type, s));
            }
        }
        return out;
    }

    private static String stem(String member) {
        for (String suffix : List.of("Names", "Ids", "Arns", "Identifiers", "Name", "Id", "Arn", "ARN", "Identifier")) {
            if (member.endsWith(suffix)) return member.substring(0, member.length() - suffix.length());
        }
        return null;
    }

    private static String noun(String operation) {
        for (String verb : List.of("Create", "Delete", "Describe", "Get", "Update", "Put", "List", "Start", "Stop",
                "Modify", "Tag", "Untag", "Enable", "Disable", "Reboot", "Terminate", "Run", "Attach", "Detach")) {
            if (operation.startsWith(verb)) {
                String n = operation.substring(verb.length());
                return n.endsWith("s") && !n.endsWith("ss") ? n.substring(0, n.length() - 1) : n;
            }
        }
        return "";
    }

    private String cfnService(String service) {
        String o = CFN_SERVICE.get(service);
        if (o != null) return o;
        try {
            String id = models.service(service).serviceId();
            return id == null ? service : id.replace(" ", "");
        } catch (RuntimeException e) {
            return service;
        }
    }

    // ------------------------------------------------------------------ 90-day history


    /** Drops events older than the event history keeps. */
    void sweep() {
        Instant cutoff = oboro.clock().instant().minus(HISTORY);
        for (var h : history.values()) {
            h.values().removeIf(r -> r.at().isBefore(cutoff));
        }
    }
}
