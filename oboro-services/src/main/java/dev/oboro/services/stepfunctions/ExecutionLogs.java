package dev.oboro.services.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.services.logs.LogWriter;
import dev.oboro.services.stepfunctions.asl.ExecutionData;
import dev.oboro.services.stepfunctions.asl.Json;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogGroupsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogGroupsResponse;
import software.amazon.awssdk.services.sfn.model.LoggingConfiguration;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Execution history to CloudWatch Logs, per the state machine's (or version's) LoggingConfiguration: one JSON
 * record per history event ({@code id}, {@code type}, {@code details}, {@code previous_event_id},
 * {@code event_timestamp}, {@code execution_arn}, {@code redrive_count}), filtered by level as
 * https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html lists, without input and output
 * unless includeExecutionData. One stream per execution: {@code states/<machine>/<yyyy-MM-dd-HH>/<8 hex>}. STANDARD
 * and EXPRESS executions log alike (for EXPRESS it is the only history there is).
 */
final class ExecutionLogs {
    private static final Logger LOG = Logger.getLogger(ExecutionLogs.class.getName());
    static final Pattern GROUP_ARN = Pattern.compile("arn:aws[a-z-]*:logs:([a-z0-9-]+):(\\d{12}):log-group:([^:]+)(:\\*)?");
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);
    /** Failures: what ERROR logs. */
    static final Set<String> ERROR = Set.of("ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut", "FailStateEntered",
            "LambdaFunctionFailed", "LambdaFunctionScheduleFailed", "LambdaFunctionStartFailed", "LambdaFunctionTimedOut",
            "ActivityFailed", "ActivityScheduleFailed", "ActivityTimedOut", "MapIterationAborted", "MapIterationFailed",
            "MapStateAborted", "MapStateFailed", "MapRunAborted", "MapRunFailed", "ParallelStateAborted", "ParallelStateFailed",
            "TaskFailed", "TaskStartFailed", "TaskStateAborted", "TaskSubmitFailed", "TaskTimedOut", "WaitStateAborted");
    /** Execution-level failures: what FATAL logs. */
    static final Set<String> FATAL = Set.of("ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut");
    private static final List<String> DATA = List.of("input", "inputDetails", "output", "outputDetails", "parameters",
            "assignedVariables", "assignedVariablesDetails");

    private final StepFunctions sfn;
    private volatile LogWriter writer;

    ExecutionLogs(StepFunctions sfn) {
        this.sfn = sfn;
    }

    /**
     * The checks CreateStateMachine and UpdateStateMachine make: at most one destination (exactly one unless OFF),
     * a log group ARN with the {@code :*} qualifier, and a log group that exists.
     */
    static LoggingConfiguration check(Call call, LoggingConfiguration in) {
        if (in == null) return LoggingConfiguration.builder().level("OFF").includeExecutionData(false).build();
        String level = in.levelAsString() == null ? "OFF" : in.levelAsString();
        int destinations = in.hasDestinations() ? in.destinations().size() : 0;
        if (destinations > 1 || (!"OFF".equals(level) && destinations == 0)) {
            throw invalid("Must specify exactly one Log Destination.");
        }
        if (destinations == 1) {
            var group = in.destinations().get(0).cloudWatchLogsLogGroup();
            String arn = group == null ? null : group.logGroupArn();
            Matcher m = arn == null ? null : GROUP_ARN.matcher(arn);
            if (m == null || !m.matches()) throw invalid("Invalid Log Group ARN: '" + arn + "'");
            if (m.group(4) == null) throw invalid("Log Group ARN must be provided with '*' qualifier.");
            if (!groupExists(call, m.group(2), m.group(1), m.group(3))) throw invalid("Log Destination not found.");
        }
        return in.toBuilder().level(level).includeExecutionData(Boolean.TRUE.equals(in.includeExecutionData())).build();
    }

    private static boolean groupExists(Call call, String account, String region, String name) {
        Call c = Call.internal(call.oboro(), account, region, "stepfunctions");
        DescribeLogGroupsResponse r = call.oboro().services().call(c, "logs", DescribeLogGroupsRequest.builder().logGroupNamePrefix(name).build());
        return r.logGroups().stream().anyMatch(g -> name.equals(g.logGroupName()));
    }

    private static AwsException invalid(String why) {
        return new AwsException("InvalidLoggingConfiguration", "Invalid Logging Configuration: " + why);
    }

    /** Writes the events from {@code from} on, if the execution's machine logs them. */
    void appended(ExecutionData d, int from) {
        LoggingConfiguration lc = sfn.loggingFor(d);
        if (lc == null || "OFF".equals(lc.levelAsString()) || !lc.hasDestinations() || lc.destinations().isEmpty()) return;
        String level = lc.levelAsString();
        Matcher m = GROUP_ARN.matcher(lc.destinations().get(0).cloudWatchLogsLogGroup().logGroupArn());
        if (!m.matches()) return;
        boolean data = Boolean.TRUE.equals(lc.includeExecutionData());
        List<LogWriter.Event> out = new ArrayList<>();
        for (int i = from; i < d.events.size(); i++) {
            ObjectNode e = d.events.get(i);
            String type = e.path("type").asText();
            if ("ERROR".equals(level) && !ERROR.contains(type)) continue;
            if ("FATAL".equals(level) && !FATAL.contains(type)) continue;
            long millis = e.path("timestamp").decimalValue().movePointRight(3).longValue();
            out.add(new LogWriter.Event(java.time.Instant.ofEpochMilli(millis), Json.write(record(d, e, data))));
        }
        if (out.isEmpty()) return;
        try {
            LogWriter w = writer;
            if (w == null) writer = w = LogWriter.of(sfn.oboro);
            w.append(m.group(2), m.group(1), m.group(3), stream(d), out);
        } catch (RuntimeException ex) {
            LOG.log(Level.FINE, "execution logs", ex); // delivery is best effort, as in AWS
        }
    }

    static ObjectNode record(ExecutionData d, ObjectNode e, boolean data) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("id", e.path("id").asText());
        r.put("type", e.path("type").asText());
        ObjectNode details = Json.MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> f : e.properties()) {
            if (f.getKey().endsWith("EventDetails") && f.getValue() instanceof ObjectNode o) {
                details = o.deepCopy();
                if (!data) details.remove(DATA);
            }
        }
        r.set("details", details);
        r.put("previous_event_id", e.path("previousEventId").asText());
        r.put("event_timestamp", Long.toString(e.path("timestamp").decimalValue().movePointRight(3).longValue()));
        r.put("execution_arn", d.executionArn);
        r.put("redrive_count", Integer.toString(d.redriveCount));
        return r;
    }

    /** {@code states/<machine name>/<start hour>/<8 hex digits of the execution>}. */
    static String stream(ExecutionData d) {
        CRC32 crc = new CRC32();
        crc.update(d.executionArn.getBytes(StandardCharsets.UTF_8));
        return "states/" + Arns.parse(d.stateMachineArn).name() + "/" + HOUR.format(d.startDate) + "/" + String.format("%08x", crc.getValue());
    }
}
