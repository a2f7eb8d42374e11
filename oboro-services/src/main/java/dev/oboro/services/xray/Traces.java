package dev.oboro.services.xray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.xray.model.AnnotationValue;
import software.amazon.awssdk.services.xray.model.BatchGetTracesRequest;
import software.amazon.awssdk.services.xray.model.BatchGetTracesResponse;
import software.amazon.awssdk.services.xray.model.Edge;
import software.amazon.awssdk.services.xray.model.EdgeStatistics;
import software.amazon.awssdk.services.xray.model.ErrorStatistics;
import software.amazon.awssdk.services.xray.model.FaultStatistics;
import software.amazon.awssdk.services.xray.model.GetServiceGraphRequest;
import software.amazon.awssdk.services.xray.model.GetServiceGraphResponse;
import software.amazon.awssdk.services.xray.model.GetTraceGraphRequest;
import software.amazon.awssdk.services.xray.model.GetTraceGraphResponse;
import software.amazon.awssdk.services.xray.model.GetTraceSummariesRequest;
import software.amazon.awssdk.services.xray.model.GetTraceSummariesResponse;
import software.amazon.awssdk.services.xray.model.Http;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsRequest;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsResponse;
import software.amazon.awssdk.services.xray.model.ResourceARNDetail;
import software.amazon.awssdk.services.xray.model.Segment;
import software.amazon.awssdk.services.xray.model.Service;
import software.amazon.awssdk.services.xray.model.ServiceId;
import software.amazon.awssdk.services.xray.model.ServiceStatistics;
import software.amazon.awssdk.services.xray.model.TimeRangeType;
import software.amazon.awssdk.services.xray.model.Trace;
import software.amazon.awssdk.services.xray.model.TraceSummary;
import software.amazon.awssdk.services.xray.model.TraceUser;
import software.amazon.awssdk.services.xray.model.ValueWithServiceIds;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Segments in, traces, summaries and service graphs out. */
final class Traces {
    private final TraceStore store;

    Traces(TraceStore store) {
        this.store = store;
    }

    PutTraceSegmentsResponse putTraceSegments(Call call, PutTraceSegmentsRequest req) {
        return PutTraceSegmentsResponse.builder().unprocessedTraceSegments(store.put(call.scope(), req.traceSegmentDocuments())).build();
    }

    BatchGetTracesResponse batchGetTraces(Call call, BatchGetTracesRequest req) {
        List<Trace> traces = new ArrayList<>();
        List<String> unprocessed = new ArrayList<>();
        for (String id : req.traceIds()) {
            List<TraceStore.Stored> docs = store.trace(call.scope(), id);
            if (docs.isEmpty()) {
                unprocessed.add(id);
                continue;
            }
            Map<String, ObjectNode> segs = TraceStore.assemble(docs);
            TraceView v = new TraceView(id, segs);
            List<Segment> out = new ArrayList<>();
            segs.forEach((sid, doc) -> out.add(Segment.builder().id(sid).document(doc.toString()).build()));
            traces.add(Trace.builder().id(id).duration(round(v.duration())).limitExceeded(false).segments(out).build());
        }
        return BatchGetTracesResponse.builder().traces(traces).unprocessedTraceIds(unprocessed).build();
    }

    GetTraceSummariesResponse getTraceSummaries(Call call, GetTraceSummariesRequest req) {
        Instant start = req.startTime(), end = req.endTime();
        if (start.isAfter(end)) throw new AwsException("InvalidRequestException", "Start time must be before end time.");
        Predicate<TraceView> filter = FilterExpression.parse(req.filterExpression());
        boolean byTraceId = req.timeRangeType() == null || req.timeRangeType() == TimeRangeType.TRACE_ID;
        List<TraceView> matching = new ArrayList<>();
        long processed = 0;
        for (Map.Entry<String, List<TraceStore.Stored>> e : store.traces(call.scope()).entrySet()) {
            if (!inRange(e.getKey(), e.getValue(), start, end, byTraceId)) continue;
            processed++;
            TraceView v = new TraceView(e.getKey(), TraceStore.assemble(e.getValue()));
            if (v.segments.isEmpty()) continue;
            if (filter.test(v)) matching.add(v);
        }
        GetTraceSummariesResponse.Builder out = GetTraceSummariesResponse.builder();
        Pagination.Page<TraceView> page = Pagination.page(call, req, matching, t -> t.id, out);
        List<TraceSummary> summaries = new ArrayList<>();
        for (TraceView v : page.items()) summaries.add(summary(v));
        return out.traceSummaries(summaries).approximateTime(call.now()).tracesProcessedCount(processed).build();
    }

    private static boolean inRange(String traceId, List<TraceStore.Stored> docs, Instant start, Instant end, boolean byTraceId) {
        if (byTraceId) {
            Instant t = TraceStore.traceIdTime(traceId);
            // a trace id carries whole seconds
            return !t.isBefore(start.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)) && !t.isAfter(end);
        }
        for (TraceStore.Stored s : docs) {
            double st = s.startTime();
            if (st >= epoch(start) && st <= epoch(end)) return true;
        }
        return false;
    }

    private static double epoch(Instant i) {
        return i.getEpochSecond() + i.getNano() / 1e9;
    }

    private static TraceSummary summary(TraceView v) {
        ObjectNode root = v.root;
        Map<String, List<ValueWithServiceIds>> annotations = new LinkedHashMap<>();
        for (TraceView.Annotation a : v.annotations()) {
            AnnotationValue value = a.value().isNumber() ? AnnotationValue.fromNumberValue(a.value().doubleValue())
                    : a.value().isBoolean() ? AnnotationValue.fromBooleanValue(a.value().booleanValue())
                    : AnnotationValue.fromStringValue(a.value().asText());
            annotations.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(ValueWithServiceIds.builder()
                    .annotationValue(value).serviceIds(ServiceId.builder().name(a.service()).build()).build());
        }
        List<ServiceId> services = new ArrayList<>();
        for (String s : v.services()) services.add(ServiceId.builder().name(s).names(s).build());
        List<TraceUser> users = v.users().stream().map(u -> TraceUser.builder().userName(u).build()).toList();
        List<ResourceARNDetail> arns = new ArrayList<>();
        for (ObjectNode s : v.segments.values()) {
            String arn = TraceStore.text(s, "resource_arn");
            if (arn != null) arns.add(ResourceARNDetail.builder().arn(arn).build());
        }
        Http http = root == null || !root.has("http") ? null : Http.builder()
                .httpURL(v.http("url")).httpMethod(v.http("method")).userAgent(v.http("user_agent"))
                .clientIp(v.http("client_ip")).httpStatus(v.httpStatus()).build();
        return TraceSummary.builder()
                .id(v.id)
                .startTime(Instant.ofEpochMilli((long) (v.start() * 1000)))
                .duration(round(v.duration()))
                .responseTime(round(v.responseTime()))
                .hasFault(v.fault())
                .hasError(v.error())
                .hasThrottle(v.throttle())
                .isPartial(v.partial())
                .http(http)
                .annotations(annotations)
                .users(users)
                .serviceIds(services)
                .resourceARNs(arns)
                .entryPoint(root == null ? null : ServiceId.builder().name(TraceStore.text(root, "name"))
                        .names(TraceStore.text(root, "name")).type(TraceStore.text(root, "origin")).build())
                .revision(1)
                .build();
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    // ------------------------------------------------------------------ graphs

    GetServiceGraphResponse getServiceGraph(Call call, GetServiceGraphRequest req) {
        Instant start = req.startTime(), end = req.endTime();
        if (start.isAfter(end)) throw new AwsException("InvalidRequestException", "Start time must be before end time.");
        List<TraceView> traces = new ArrayList<>();
        for (Map.Entry<String, List<TraceStore.Stored>> e : store.traces(call.scope()).entrySet()) {
            TraceView v = new TraceView(e.getKey(), TraceStore.assemble(e.getValue()));
            if (v.segments.isEmpty()) continue;
            if (v.start() <= epoch(end) && v.end() >= epoch(start)) traces.add(v);
        }
        GetServiceGraphResponse.Builder out = GetServiceGraphResponse.builder();
        List<Service> services = graph(traces, call.account());
        Pagination.Page<Service> page = Pagination.page(call, req, services, s -> String.format("%010d", s.referenceId()), out);
        return out.services(page.items()).startTime(start).endTime(end).containsOldGroupVersions(false).build();
    }

    GetTraceGraphResponse getTraceGraph(Call call, GetTraceGraphRequest req) {
        List<TraceView> traces = new ArrayList<>();
        for (String id : req.traceIds()) {
            List<TraceStore.Stored> docs = store.trace(call.scope(), id);
            if (!docs.isEmpty()) traces.add(new TraceView(id, TraceStore.assemble(docs)));
        }
        GetTraceGraphResponse.Builder out = GetTraceGraphResponse.builder();
        List<Service> services = graph(traces, call.account());
        Pagination.Page<Service> page = Pagination.page(call, req, services, s -> String.format("%010d", s.referenceId()), out);
        return out.services(page.items()).build();
    }

    /** Counts of one node or edge. */
    private static final class Stats {
        long ok, errorThrottle, errorOther, faultOther, total;
        double responseTime;
        double start = Double.MAX_VALUE, end;

        void add(JsonNode seg) {
            double s = seg.path("start_time").asDouble();
            double e = seg.path("end_time").asDouble(s);
            total++;
            responseTime += Math.max(0, e - s);
            start = Math.min(start, s);
            end = Math.max(end, e);
            if (seg.path("fault").asBoolean(false)) faultOther++;
            else if (seg.path("throttle").asBoolean(false)) errorThrottle++;
            else if (seg.path("error").asBoolean(false)) errorOther++;
            else ok++;
        }

        ErrorStatistics errors() {
            return ErrorStatistics.builder().throttleCount(errorThrottle).otherCount(errorOther).totalCount(errorThrottle + errorOther).build();
        }

        FaultStatistics faults() {
            return FaultStatistics.builder().otherCount(faultOther).totalCount(faultOther).build();
        }
    }

    private static final class Node {
        final int ref;
        final String name;
        final String type;
        boolean root;
        final Stats stats = new Stats();
        final Map<Integer, Stats> edges = new LinkedHashMap<>();

        Node(int ref, String name, String type) {
            this.ref = ref;
            this.name = name;
            this.type = type;
        }

        Stats edge(Node to) {
            return edges.computeIfAbsent(to.ref, k -> new Stats());
        }
    }

    /**
     * The service graph of some traces: a node per service (segment name and origin), per remote or
     * AWS service a subsegment called, and a client node for requests that entered from outside;
     * edges from caller to callee with their counts and response times.
     */
    static List<Service> graph(Collection<TraceView> traces, String account) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (TraceView t : traces) {
            Map<String, Node> ownerOf = new HashMap<>();
            Set<String> calledSegmentParents = new HashSet<>();
            for (ObjectNode s : t.segments.values()) {
                Node n = node(nodes, TraceStore.text(s, "name"), TraceStore.text(s, "origin"));
                own(s, n, ownerOf);
                String parent = TraceStore.text(s, "parent_id");
                if (parent != null) calledSegmentParents.add(parent);
            }
            for (ObjectNode s : t.segments.values()) {
                Node n = ownerOf.get(TraceStore.text(s, "id"));
                n.stats.add(s);
                String parent = TraceStore.text(s, "parent_id");
                Node caller = parent == null ? null : ownerOf.get(parent);
                if (caller == null) {
                    Node client = node(nodes, null, "client");
                    client.stats.add(s);
                    client.edge(n).add(s);
                    n.root = true;
                } else {
                    caller.edge(n).add(s);
                }
                downstream(s, n, nodes, calledSegmentParents);
            }
        }
        List<Service> out = new ArrayList<>();
        for (Node n : nodes.values()) {
            List<Edge> edges = new ArrayList<>();
            n.edges.forEach((ref, st) -> edges.add(Edge.builder().referenceId(ref)
                    .startTime(time(st.start)).endTime(time(st.end))
                    .summaryStatistics(EdgeStatistics.builder().okCount(st.ok).errorStatistics(st.errors())
                            .faultStatistics(st.faults()).totalCount(st.total).totalResponseTime(round(st.responseTime)).build())
                    .build()));
            Service.Builder b = Service.builder().referenceId(n.ref).type(n.type).state(n.name == null ? "unknown" : "active")
                    .startTime(time(n.stats.start)).endTime(time(n.stats.end)).edges(edges)
                    .summaryStatistics(ServiceStatistics.builder().okCount(n.stats.ok).errorStatistics(n.stats.errors())
                            .faultStatistics(n.stats.faults()).totalCount(n.stats.total).totalResponseTime(round(n.stats.responseTime)).build());
            if (n.name != null) b.name(n.name).names(n.name).accountId(account).root(n.root);
            out.add(b.build());
        }
        return out;
    }

    private static Instant time(double epochSeconds) {
        return epochSeconds == Double.MAX_VALUE ? null : Instant.ofEpochMilli((long) (epochSeconds * 1000));
    }

    private static Node node(Map<String, Node> nodes, String name, String type) {
        return nodes.computeIfAbsent(name + "|" + type, k -> new Node(nodes.size(), name, type));
    }

    private static void own(JsonNode n, Node owner, Map<String, Node> ownerOf) {
        String id = TraceStore.text(n, "id");
        if (id != null) ownerOf.put(id, owner);
        for (JsonNode sub : n.path("subsegments")) own(sub, owner, ownerOf);
    }

    /** Remote and AWS calls a segment's subsegments made to services that sent no segment of their own. */
    private static void downstream(JsonNode n, Node from, Map<String, Node> nodes, Set<String> calledSegmentParents) {
        for (JsonNode sub : n.path("subsegments")) {
            String ns = TraceStore.text(sub, "namespace");
            String name = TraceStore.text(sub, "name");
            if (("remote".equals(ns) || "aws".equals(ns)) && name != null && !calledSegmentParents.contains(TraceStore.text(sub, "id"))) {
                Node to = node(nodes, name, "aws".equals(ns) ? "AWS::" + name : "remote");
                to.stats.add(sub);
                from.edge(to).add(sub);
            }
            downstream(sub, from, nodes, calledSegmentParents);
        }
    }
}
