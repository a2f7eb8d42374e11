package dev.oboro.services.xray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What X-Ray derives from the segments of one trace: times, the entry segment, fault/error/throttle
 * flags, HTTP data, annotations and users. Filter expressions and summaries read it; a
 * {@link #of(String)} view narrows it to the segments of one service for {@code service("x") { ... }}.
 */
final class TraceView {
    final String id;
    final Map<String, ObjectNode> segments;
    /** The segments this view is about (all of them, or one service's). */
    final List<ObjectNode> focus;
    final ObjectNode root;

    TraceView(String id, Map<String, ObjectNode> segments) {
        this(id, segments, List.copyOf(segments.values()), entry(segments.values()));
    }

    private TraceView(String id, Map<String, ObjectNode> segments, List<ObjectNode> focus, ObjectNode root) {
        this.id = id;
        this.segments = segments;
        this.focus = focus;
        this.root = root;
    }

    /** The segment the trace entered through: one without a parent, else the earliest. */
    private static ObjectNode entry(Collection<ObjectNode> segs) {
        ObjectNode best = null;
        for (ObjectNode s : segs) {
            boolean top = TraceStore.text(s, "parent_id") == null;
            if (best == null) best = s;
            else {
                boolean bestTop = TraceStore.text(best, "parent_id") == null;
                if (top && !bestTop) best = s;
                else if (top == bestTop && s.path("start_time").asDouble() < best.path("start_time").asDouble()) best = s;
            }
        }
        return best;
    }

    /** The view of one service: the segments it recorded, or the subsegments that called it. */
    TraceView of(String service) {
        List<ObjectNode> f = new ArrayList<>();
        for (ObjectNode s : segments.values()) {
            if (service == null || service.equals(TraceStore.text(s, "name"))) f.add(s);
            else collectDownstream(s, service, f);
        }
        return f.isEmpty() ? null : new TraceView(id, segments, f, f.get(0));
    }

    private static void collectDownstream(JsonNode n, String service, List<ObjectNode> out) {
        for (JsonNode sub : n.path("subsegments")) {
            String ns = TraceStore.text(sub, "namespace");
            if (("remote".equals(ns) || "aws".equals(ns)) && service.equals(TraceStore.text(sub, "name")) && sub instanceof ObjectNode o) {
                out.add(o);
            }
            collectDownstream(sub, service, out);
        }
    }

    /** Every service name in the trace: segment names and the remote/AWS services subsegments called. */
    List<String> services() {
        List<String> out = new ArrayList<>();
        for (ObjectNode s : segments.values()) {
            String n = TraceStore.text(s, "name");
            if (n != null && !out.contains(n)) out.add(n);
            downstreamNames(s, out);
        }
        return out;
    }

    private static void downstreamNames(JsonNode n, List<String> out) {
        for (JsonNode sub : n.path("subsegments")) {
            String ns = TraceStore.text(sub, "namespace");
            String name = TraceStore.text(sub, "name");
            if (("remote".equals(ns) || "aws".equals(ns)) && name != null && !out.contains(name)) out.add(name);
            downstreamNames(sub, out);
        }
    }

    double start() {
        double s = Double.MAX_VALUE;
        for (ObjectNode n : segments.values()) s = Math.min(s, n.path("start_time").asDouble());
        return s;
    }

    double end() {
        double e = 0;
        for (ObjectNode n : segments.values()) e = Math.max(e, n.path("end_time").asDouble(n.path("start_time").asDouble()));
        return e;
    }

    double duration() {
        return Math.max(0, end() - start());
    }

    /** The time the focus segment took to answer. */
    double responseTime() {
        if (root == null) return 0;
        return Math.max(0, root.path("end_time").asDouble(root.path("start_time").asDouble()) - root.path("start_time").asDouble());
    }

    boolean fault() {
        return anyFlag("fault");
    }

    boolean error() {
        return anyFlag("error");
    }

    boolean throttle() {
        return anyFlag("throttle");
    }

    boolean ok() {
        return !fault() && !error() && !throttle();
    }

    boolean partial() {
        for (ObjectNode s : segments.values()) if (s.path("in_progress").asBoolean(false)) return true;
        return false;
    }

    private boolean anyFlag(String flag) {
        for (ObjectNode s : focus) if (flagged(s, flag)) return true;
        return false;
    }

    private static boolean flagged(JsonNode n, String flag) {
        if (n.path(flag).asBoolean(false)) return true;
        for (JsonNode sub : n.path("subsegments")) if (flagged(sub, flag)) return true;
        return false;
    }

    Integer httpStatus() {
        JsonNode s = root == null ? null : root.path("http").path("response").get("status");
        return s == null || !s.isNumber() ? null : s.intValue();
    }

    String http(String field) {
        if (root == null) return null;
        JsonNode v = root.path("http").path("request").get(field);
        return v == null || !v.isValueNode() ? null : v.asText();
    }

    List<String> users() {
        List<String> out = new ArrayList<>();
        for (ObjectNode s : focus) {
            String u = TraceStore.text(s, "user");
            if (u != null && !out.contains(u)) out.add(u);
        }
        return out;
    }

    /** The values of an annotation anywhere in the focus segments and their subsegments, with the service that wrote each. */
    List<Annotation> annotations() {
        List<Annotation> out = new ArrayList<>();
        for (ObjectNode s : focus) collect(s, TraceStore.text(s, "name"), out);
        return out;
    }

    record Annotation(String key, JsonNode value, String service) {
    }

    private static void collect(JsonNode n, String service, List<Annotation> out) {
        JsonNode a = n.path("annotations");
        if (a.isObject()) a.fields().forEachRemaining(e -> out.add(new Annotation(e.getKey(), e.getValue(), service)));
        for (JsonNode sub : n.path("subsegments")) collect(sub, service, out);
    }
}
