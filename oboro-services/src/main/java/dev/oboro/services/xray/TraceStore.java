package dev.oboro.services.xray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import software.amazon.awssdk.services.xray.model.UnprocessedTraceSegment;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.regex.Pattern;

/**
 * Segment documents, per account and region, grouped by trace. A document is kept as sent (its JSON
 * text) with the few fields needed to find it; traces are assembled from them when read. Traces
 * are kept 30 days, as X-Ray keeps them (a daily sweep on Oboro's clock).
 */
final class TraceStore {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration RETENTION = Duration.ofDays(30);
    private static final Pattern TRACE_ID = Pattern.compile("1-[0-9a-f]{8}-[0-9a-f]{24}");
    private static final Pattern SEGMENT_ID = Pattern.compile("[0-9a-f]{16}");
    private static final Map<Oboro, TraceStore> BY_OBORO = Collections.synchronizedMap(new WeakHashMap<>());

    /** One stored document: a segment, or an independently sent subsegment. */
    record Stored(String traceId, String id, String parentId, boolean subsegment, double startTime, Double endTime,
                  String document) {
    }

    final Oboro oboro;
    final Table<Stored> segments;

    private TraceStore(Oboro oboro) {
        this.oboro = oboro;
        this.segments = oboro.store().table("xray.segments", Stored.class);
        oboro.scheduler().every(Duration.ofDays(1), this::sweep);
    }

    static synchronized TraceStore of(Oboro oboro) {
        return BY_OBORO.computeIfAbsent(oboro, TraceStore::new);
    }

    /** Stores documents; returns the ones refused, with X-Ray's reason. */
    List<UnprocessedTraceSegment> put(Scope scope, List<String> documents) {
        List<UnprocessedTraceSegment> unprocessed = new ArrayList<>();
        for (String doc : documents) {
            JsonNode n;
            try {
                n = JSON.readTree(doc);
            } catch (IOException e) {
                unprocessed.add(UnprocessedTraceSegment.builder().errorCode("InvalidSegment").message("Malformed JSON document").build());
                continue;
            }
            String id = text(n, "id");
            String problem = null;
            String code = null;
            if (n == null || !n.isObject()) {
                code = "InvalidSegment";
                problem = "The segment document must be a JSON object";
            } else if (id == null || !SEGMENT_ID.matcher(id).matches()) {
                code = "InvalidId";
                problem = "Segment id must be 16 hexadecimal digits";
            } else if (text(n, "trace_id") == null || !TRACE_ID.matcher(text(n, "trace_id")).matches()) {
                code = "InvalidTraceId";
                problem = "Invalid trace id";
            } else if (text(n, "name") == null && !"subsegment".equals(text(n, "type"))) {
                code = "MissingName";
                problem = "Segment name is required";
            } else if (!n.path("start_time").isNumber()) {
                code = "MissingStartTime";
                problem = "Segment start_time is required";
            } else if (!n.path("end_time").isNumber() && !n.path("in_progress").asBoolean(false)) {
                code = "MissingEndTime";
                problem = "Segment end_time is required unless in_progress is true";
            } else if ("subsegment".equals(text(n, "type")) && text(n, "parent_id") == null) {
                code = "MissingParentId";
                problem = "An independent subsegment needs a parent_id";
            }
            if (problem != null) {
                unprocessed.add(UnprocessedTraceSegment.builder().id(id).errorCode(code).message(problem).build());
                continue;
            }
            String traceId = text(n, "trace_id");
            Stored s = new Stored(traceId, id, text(n, "parent_id"), "subsegment".equals(text(n, "type")),
                    n.path("start_time").asDouble(), n.path("end_time").isNumber() ? n.path("end_time").asDouble() : null, doc);
            // a document sent again (in progress, then complete) replaces the earlier one
            segments.put(scope, traceId + " " + id, s);
        }
        return unprocessed;
    }

    /** The trace ids of a scope, each with its documents. */
    Map<String, List<Stored>> traces(Scope scope) {
        Map<String, List<Stored>> out = new LinkedHashMap<>();
        for (Stored s : segments.values(scope)) out.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s);
        return out;
    }

    List<Stored> trace(Scope scope, String traceId) {
        List<Stored> out = new ArrayList<>();
        for (Map.Entry<String, Stored> e : segments.entries(scope).entrySet()) {
            if (e.getKey().startsWith(traceId + " ")) out.add(e.getValue());
        }
        return out;
    }

    /**
     * The segments of a trace as X-Ray returns them: subsegments that were sent on their own are
     * put back into the document of the segment (or subsegment) they belong to.
     */
    static Map<String, ObjectNode> assemble(List<Stored> docs) {
        Map<String, ObjectNode> segmentsById = new LinkedHashMap<>();
        List<ObjectNode> loose = new ArrayList<>();
        for (Stored s : docs) {
            ObjectNode n = parse(s.document());
            if (n == null) continue;
            if (s.subsegment()) loose.add(n);
            else segmentsById.put(s.id(), n);
        }
        boolean progress = true;
        while (!loose.isEmpty() && progress) {
            progress = false;
            for (ObjectNode sub : List.copyOf(loose)) {
                String parent = text(sub, "parent_id");
                for (ObjectNode seg : segmentsById.values()) {
                    ObjectNode owner = findById(seg, parent);
                    if (owner != null) {
                        ObjectNode copy = sub.deepCopy();
                        copy.remove("type");
                        copy.remove("trace_id");
                        copy.remove("parent_id");
                        ArrayNode subs = owner.has("subsegments") && owner.get("subsegments").isArray()
                                ? (ArrayNode) owner.get("subsegments") : owner.putArray("subsegments");
                        subs.add(copy);
                        loose.remove(sub);
                        progress = true;
                        break;
                    }
                }
            }
        }
        return segmentsById;
    }

    static ObjectNode findById(JsonNode n, String id) {
        if (id == null || n == null) return null;
        if (id.equals(text(n, "id")) && n instanceof ObjectNode o) return o;
        for (JsonNode sub : n.path("subsegments")) {
            ObjectNode f = findById(sub, id);
            if (f != null) return f;
        }
        return null;
    }

    static ObjectNode parse(String doc) {
        try {
            JsonNode n = JSON.readTree(doc);
            return n instanceof ObjectNode o ? o : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String text(JsonNode n, String field) {
        if (n == null) return null;
        JsonNode v = n.get(field);
        return v == null || !v.isTextual() ? null : v.textValue();
    }

    /** The time a trace id carries: its second group is the epoch second the trace began. */
    static Instant traceIdTime(String traceId) {
        return Instant.ofEpochSecond(Long.parseLong(traceId.substring(2, 10), 16));
    }


    void sweep() {
        double cutoff = oboro.clock().instant().minus(RETENTION).getEpochSecond();
        for (Scope s : segments.scopes()) {
            for (Map.Entry<String, Stored> e : List.copyOf(segments.entries(s).entrySet())) {
                Stored st = e.getValue();
                double last = st.endTime() != null ? st.endTime() : st.startTime();
                if (last < cutoff) segments.remove(s, e.getKey());
            }
        }
    }
}
