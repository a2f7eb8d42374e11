package dev.oboro.services.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.services.stepfunctions.asl.ExecutionData;
import dev.oboro.services.stepfunctions.asl.Json;
import dev.oboro.services.xray.TraceWriter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * X-Ray traces of executions: when the machine's TracingConfiguration is enabled (or the caller passed a sampled
 * trace header), a finished execution sends one {@code AWS::StepFunctions::StateMachine} segment to X-Ray, with a
 * subsegment per state entered and, inside it, one per Task call (Lambda, activity or service integration), from
 * the execution's history. https://docs.aws.amazon.com/step-functions/latest/dg/concepts-xray-tracing.html
 */
final class ExecutionTraces {
    private static final Logger LOG = Logger.getLogger(ExecutionTraces.class.getName());
    private static final Pattern ROOT = Pattern.compile("(?:^|;)\\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})");
    private static final Pattern PARENT = Pattern.compile("(?:^|;)\\s*Parent=([0-9a-f]{16})");
    private static final Pattern SAMPLED = Pattern.compile("(?:^|;)\\s*Sampled=([01])");

    private final StepFunctions sfn;

    ExecutionTraces(StepFunctions sfn) {
        this.sfn = sfn;
    }

    /** The trace header an execution starts with: the caller's, or a new sampled root when tracing is enabled. */
    static String header(String given, boolean tracingEnabled, Instant now) {
        if (given != null || !tracingEnabled) return given;
        return "Root=" + TraceWriter.newTraceId(now) + ";Sampled=1";
    }

    /** Whether an execution with this header is traced: it has a trace, and tracing is enabled or the caller sampled it. */
    static boolean traced(String traceHeader, boolean tracingEnabled) {
        if (traceHeader == null || !ROOT.matcher(traceHeader).find()) return false;
        Matcher sampled = SAMPLED.matcher(traceHeader);
        return tracingEnabled || (sampled.find() && "1".equals(sampled.group(1)));
    }

    /**
     * The id of the subsegment a Task call gets in the execution's segment, fixed by the execution and the call's
     * scheduled event, so the service called while the execution runs can name it as its parent before the segment
     * is written.
     */
    static String taskSegmentId(String executionArn, long scheduledEventId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((executionArn + "#" + scheduledEventId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The trace header a Task call carries into the service it calls: inside a traced execution, the execution's
     * trace with the task's subsegment as parent ({@code Sampled=1}); otherwise the execution's own header, if any.
     */
    static String taskHeader(String traceHeader, boolean tracingEnabled, String executionArn, long scheduledEventId) {
        if (traceHeader == null) return null;
        Matcher root = ROOT.matcher(traceHeader);
        if (!root.find()) return null;
        if (!traced(traceHeader, tracingEnabled) || scheduledEventId <= 0) return traceHeader;
        return "Root=" + root.group(1) + ";Parent=" + taskSegmentId(executionArn, scheduledEventId) + ";Sampled=1";
    }

    /** Sends the execution's segment if it is traced: tracing enabled, or a sampled trace header given. */
    void finished(ExecutionData d, String traceHeader, boolean tracingEnabled) {
        if (!traced(traceHeader, tracingEnabled)) return;
        Matcher root = ROOT.matcher(traceHeader);
        if (!root.find()) return;
        try {
            Matcher parent = PARENT.matcher(traceHeader);
            ObjectNode seg = segment(d, root.group(1), parent.find() ? parent.group(1) : null);
            Arns.Parsed p = Arns.parse(d.executionArn);
            TraceWriter.of(sfn.oboro).put(p.account(), p.region(), List.of(Json.write(seg)));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "execution trace", e);
        }
    }

    static ObjectNode segment(ExecutionData d, String traceId, String parentId) {
        ObjectNode seg = Json.MAPPER.createObjectNode();
        seg.put("name", Arns.parse(d.stateMachineArn).name());
        seg.put("id", TraceWriter.newSegmentId());
        seg.put("trace_id", traceId);
        if (parentId != null) seg.put("parent_id", parentId);
        seg.put("start_time", seconds(d.startDate));
        seg.put("end_time", seconds(d.stopDate != null ? d.stopDate : d.startDate));
        seg.put("origin", "AWS::StepFunctions::StateMachine");
        seg.put("resource_arn", d.executionArn);
        if (!"SUCCEEDED".equals(d.status)) seg.put("error", true);
        ObjectNode aws = seg.putObject("aws");
        aws.put("execution_arn", d.executionArn);
        aws.put("state_machine_arn", d.stateMachineArn);
        ArrayNode states = seg.putArray("subsegments");
        // every event belongs to the state whose Entered event it follows (by previousEventId)
        Map<Long, ObjectNode> owner = new HashMap<>();
        Map<ObjectNode, ObjectNode> openTask = new HashMap<>();
        for (ObjectNode e : d.events) {
            String type = e.path("type").asText();
            long id = e.path("id").asLong();
            ObjectNode state = owner.get(e.path("previousEventId").asLong());
            double at = e.path("timestamp").asDouble();
            JsonNode details = details(e);
            if (type.endsWith("StateEntered")) {
                ObjectNode s = states.addObject();
                s.put("id", TraceWriter.newSegmentId());
                s.put("name", details.path("name").asText());
                s.put("start_time", at);
                s.put("in_progress", true);
                owner.put(id, s);
                continue;
            }
            if (state == null) continue;
            owner.put(id, state);
            if (type.equals("TaskScheduled") || type.equals("LambdaFunctionScheduled") || type.equals("ActivityScheduled")) {
                ObjectNode t = state.withArray("subsegments").addObject();
                t.put("id", taskSegmentId(d.executionArn, id));
                t.put("name", type.startsWith("Lambda") ? "Lambda" : type.startsWith("Activity") ? "Activity" : details.path("resourceType").asText());
                t.put("namespace", "aws");
                t.put("start_time", at);
                t.put("in_progress", true);
                ObjectNode a = t.putObject("aws");
                a.put("resource_arn", details.has("resourceType") ? details.path("resourceType").asText() + ":" + details.path("resource").asText()
                        : details.path("resource").asText());
                if (details.has("region")) a.put("region", details.path("region").asText());
                openTask.put(state, t);
            } else if (type.endsWith("Succeeded") || type.endsWith("Failed") || type.endsWith("TimedOut")) {
                ObjectNode t = openTask.remove(state);
                if (t != null) close(t, at, !type.endsWith("Succeeded"));
                if (!type.endsWith("Succeeded") && (type.startsWith("Map") || type.startsWith("Parallel"))) state.put("error", true);
            } else if (type.endsWith("StateExited")) {
                close(state, at, false);
            } else if (type.endsWith("StateAborted")) {
                close(state, at, true);
            }
        }
        double end = seconds(d.stopDate != null ? d.stopDate : d.startDate);
        for (JsonNode s : states) {
            if (s.path("in_progress").asBoolean(false)) close((ObjectNode) s, end, true); // the state the execution stopped in
            for (JsonNode t : s.path("subsegments")) if (t.path("in_progress").asBoolean(false)) close((ObjectNode) t, end, true);
        }
        return seg;
    }

    private static void close(ObjectNode s, double at, boolean error) {
        if (!s.has("in_progress")) return;
        s.remove("in_progress");
        s.put("end_time", at);
        if (error) s.put("error", true);
    }

    private static JsonNode details(ObjectNode e) {
        for (Map.Entry<String, JsonNode> f : e.properties()) if (f.getKey().endsWith("EventDetails")) return f.getValue();
        return Json.MAPPER.createObjectNode();
    }

    private static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
