package dev.oboro.services.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.services.xray.TraceWriter;
import software.amazon.awssdk.services.lambda.model.TracingConfigResponse;
import software.amazon.awssdk.services.lambda.model.TracingMode;

import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * X-Ray for invocations. With {@code TracingConfig} {@code Active}, every invocation without an
 * upstream sampling decision is sampled (AWS applies its default sampling rule; Oboro traces them
 * all) and one with {@code Sampled=0} is not; with {@code PassThrough} only an invocation whose
 * caller sampled it ({@code X-Amzn-Trace-Id: ...;Sampled=1}) is traced. A traced invocation writes,
 * through {@link TraceWriter}, the {@code AWS::Lambda} segment (the service, a child of the
 * caller's segment when the header names one) and the {@code AWS::Lambda::Function} segment under
 * it with {@code Initialization} (cold starts), {@code Invocation} and {@code Overhead}
 * subsegments; a function error marks the function segment and its Invocation subsegment as a
 * fault with the error as cause. The function sees {@code Root=...;Parent=<function segment>;Sampled=1|0}
 * as {@code Lambda-Runtime-Trace-Id} / {@code _X_AMZN_TRACE_ID}.
 */
final class Tracing {
    private static final Logger LOG = Logger.getLogger(Tracing.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One invocation's trace: its ids, whether it is sampled, and whether Lambda records segments for it. */
    record Context(String traceId, String upstreamParent, String lambdaSegmentId, String functionSegmentId, boolean sampled,
                   boolean recorded) {
        /** The header the function gets. */
        String header() {
            return "Root=" + traceId + ";Parent=" + functionSegmentId + ";Sampled=" + (sampled ? "1" : "0");
        }
    }

    /** What happened in one invocation, for its segments. */
    record Outcome(double initMillis, double durationMillis, boolean error, boolean timedOut, byte[] errorPayload,
                   boolean throttled) {
    }

    private final Oboro oboro;

    Tracing(Oboro oboro) {
        this.oboro = oboro;
    }

    /** Decides the trace of an invocation from the function's tracing mode and the caller's {@code X-Amzn-Trace-Id}. */
    static Context begin(TracingConfigResponse config, String incoming, Instant now) {
        boolean active = config != null && config.mode() == TracingMode.ACTIVE;
        String root = null;
        String parent = null;
        String sampled = null;
        if (incoming != null) {
            for (String part : incoming.split(";")) {
                int eq = part.indexOf('=');
                if (eq < 0) continue;
                String k = part.substring(0, eq).trim();
                String v = part.substring(eq + 1).trim();
                switch (k) {
                    case "Root" -> root = v.matches("1-[0-9a-f]{8}-[0-9a-f]{24}") ? v : null;
                    case "Parent" -> parent = v.matches("[0-9a-f]{16}") ? v : null;
                    case "Sampled" -> sampled = v;
                    default -> {
                    }
                }
            }
        }
        if (root == null) parent = null;
        boolean upstreamSampled = root != null && "1".equals(sampled);
        boolean upstreamRefused = root != null && "0".equals(sampled);
        boolean isSampled = active ? !upstreamRefused : upstreamSampled;
        return new Context(root != null ? root : TraceWriter.newTraceId(now), parent, TraceWriter.newSegmentId(),
                TraceWriter.newSegmentId(), isSampled, isSampled);
    }

    /** Writes the segments of a traced invocation, off the caller's path. */
    void record(Scope scope, Context ctx, String function, String invokedArn, String functionArn, String requestId,
                Instant start, Instant end, Outcome o) {
        if (!ctx.recorded()) return;
        List<String> docs;
        try {
            docs = segments(scope, ctx, function, invokedArn, functionArn, requestId, start, end, o);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not build the X-Ray segments of " + function, e);
            return;
        }
        oboro.workers().submit(() -> {
            try {
                TraceWriter.of(oboro).put(scope.account(), scope.region(), docs);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not write the X-Ray segments of " + function, e);
            }
        });
    }

    static List<String> segments(Scope scope, Context ctx, String function, String invokedArn, String functionArn, String requestId,
                                 Instant start, Instant end, Outcome o) {
        double t0 = seconds(start);
        double t1 = Math.max(t0, seconds(end));
        ObjectNode service = segment(ctx, ctx.lambdaSegmentId(), function, "AWS::Lambda", t0, t1);
        if (ctx.upstreamParent() != null) service.put("parent_id", ctx.upstreamParent());
        service.put("resource_arn", invokedArn);
        service.putObject("aws").put("request_id", requestId);
        ObjectNode response = service.putObject("http").putObject("response");
        if (o.throttled()) {
            response.put("status", 429);
            service.put("error", true);
            service.put("throttle", true);
            return List.of(service.toString());
        }
        response.put("status", 200);

        // The function segment starts when the environment starts initialising (cold) or receives the event (warm).
        double init = o.initMillis() >= 0 ? o.initMillis() / 1000.0 : 0;
        double invocation = o.durationMillis() / 1000.0;
        double fStart = Math.min(t1, t0 + 0.000_1);
        double invStart = Math.min(t1, fStart + init);
        double invEnd = Math.min(t1, invStart + invocation);
        ObjectNode fn = segment(ctx, ctx.functionSegmentId(), function, "AWS::Lambda::Function", fStart, t1);
        fn.put("parent_id", ctx.lambdaSegmentId());
        fn.put("resource_arn", invokedArn);
        ObjectNode aws = fn.putObject("aws");
        aws.put("account_id", scope.account());
        aws.put("function_arn", functionArn);
        aws.putArray("resource_names").add(function);
        ArrayNode subs = fn.putArray("subsegments");
        if (o.initMillis() >= 0) subs.add(subsegment("Initialization", fStart, invStart));
        ObjectNode inv = subsegment("Invocation", invStart, invEnd);
        subs.add(inv);
        subs.add(subsegment("Overhead", invEnd, t1));
        if (o.error() || o.timedOut()) {
            ObjectNode cause = cause(o);
            for (ObjectNode n : List.of(fn, inv)) {
                n.put("fault", true);
                n.set("cause", cause.deepCopy());
            }
        }
        return List.of(service.toString(), fn.toString());
    }

    private static ObjectNode segment(Context ctx, String id, String name, String origin, double start, double end) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", name);
        n.put("id", id);
        n.put("trace_id", ctx.traceId());
        n.put("start_time", start);
        n.put("end_time", end);
        n.put("origin", origin);
        return n;
    }

    private static ObjectNode subsegment(String name, double start, double end) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", name);
        n.put("id", TraceWriter.newSegmentId());
        n.put("start_time", start);
        n.put("end_time", Math.max(start, end));
        return n;
    }

    private static ObjectNode cause(Outcome o) {
        String type = o.timedOut() ? "Sandbox.Timedout" : "Unhandled";
        String message = "";
        if (o.errorPayload() != null && o.errorPayload().length > 0) {
            try {
                JsonNode e = JSON.readTree(o.errorPayload());
                if (e.hasNonNull("errorType")) type = e.get("errorType").asText();
                if (e.hasNonNull("errorMessage")) message = e.get("errorMessage").asText();
            } catch (java.io.IOException | RuntimeException ignored) {
                // not JSON: keep the generic type
            }
        }
        ObjectNode cause = JsonNodeFactory.instance.objectNode();
        cause.put("working_directory", "/var/task");
        ObjectNode ex = cause.putArray("exceptions").addObject();
        ex.put("id", TraceWriter.newSegmentId());
        ex.put("type", type);
        ex.put("message", message);
        return cause;
    }

    private static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
