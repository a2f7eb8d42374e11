package dev.oboro.tests.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.LogLevel;
import software.amazon.awssdk.services.sfn.model.LoggingConfiguration;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LoggingConfiguration: validated as AWS does, and executions (STANDARD and EXPRESS) write their history to CloudWatch Logs. */
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
class LoggingTest {
    static final String CHAIN = "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Result\":{\"x\":1},\"Next\":\"B\"},\"B\":{\"Type\":\"Succeed\"}}}";
    static final String FAIL = "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"F\"},\"F\":{\"Type\":\"Fail\",\"Error\":\"Bad\",\"Cause\":\"why\"}}}";
    final String account = Oboro.newAccount();
    final ObjectMapper json = new ObjectMapper();

    @Test
    void configurationIsValidatedAgainstTheLogGroup() {
        try (SfnClient sfn = Sfn.client(account); CloudWatchLogsClient logs = Oboro.client(CloudWatchLogsClient.builder(), account)) {
            String unqualified = "arn:aws:logs:us-east-1:" + account + ":log-group:/sfn/missing";
            SfnException e = assertThrows(SfnException.class, () -> sfn.createStateMachine(r -> r.name("m").roleArn(Sfn.role(account))
                    .definition(CHAIN).loggingConfiguration(config(LogLevel.ALL, true, unqualified))));
            assertEquals("InvalidLoggingConfiguration", e.awsErrorDetails().errorCode());
            assertEquals("Invalid Logging Configuration: Log Group ARN must be provided with '*' qualifier.", e.awsErrorDetails().errorMessage());
            e = assertThrows(SfnException.class, () -> sfn.createStateMachine(r -> r.name("m").roleArn(Sfn.role(account))
                    .definition(CHAIN).loggingConfiguration(config(LogLevel.ALL, true, unqualified + ":*"))));
            assertEquals("InvalidLoggingConfiguration", e.awsErrorDetails().errorCode());

            logs.createLogGroup(r -> r.logGroupName("/sfn/missing"));
            String arn = sfn.createStateMachine(r -> r.name("m").roleArn(Sfn.role(account)).definition(CHAIN)
                    .loggingConfiguration(config(LogLevel.FATAL, false, unqualified + ":*"))).stateMachineArn();
            var described = sfn.describeStateMachine(r -> r.stateMachineArn(arn)).loggingConfiguration();
            assertEquals(LogLevel.FATAL, described.level());
            assertFalse(described.includeExecutionData());
            assertEquals(unqualified + ":*", described.destinations().get(0).cloudWatchLogsLogGroup().logGroupArn());

            // UpdateStateMachine checks the same way
            e = assertThrows(SfnException.class, () -> sfn.updateStateMachine(r -> r.stateMachineArn(arn)
                    .loggingConfiguration(config(LogLevel.ALL, true, "arn:aws:logs:us-east-1:" + account + ":log-group:/nope:*"))));
            assertEquals("InvalidLoggingConfiguration", e.awsErrorDetails().errorCode());
            assertEquals("Invalid Logging Configuration: Log Destination not found.", e.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void standardExecutionWritesEveryHistoryEventAtLevelAll() throws Exception {
        try (SfnClient sfn = Sfn.client(account); CloudWatchLogsClient logs = Oboro.client(CloudWatchLogsClient.builder(), account)) {
            String group = group(logs, "/sfn/all");
            String machine = sfn.createStateMachine(r -> r.name("logged-all").roleArn(Sfn.role(account)).definition(CHAIN)
                    .loggingConfiguration(config(LogLevel.ALL, true, group))).stateMachineArn();
            String exec = sfn.startExecution(r -> r.stateMachineArn(machine).input("{\"in\":true}")).executionArn();
            assertEquals(ExecutionStatus.SUCCEEDED, Sfn.awaitDone(sfn, exec).status());

            List<LogStream> streams = logs.describeLogStreams(r -> r.logGroupName("/sfn/all")).logStreams();
            assertEquals(1, streams.size());
            assertTrue(streams.get(0).logStreamName().matches("states/logged-all/\\d{4}-\\d{2}-\\d{2}-\\d{2}/[0-9a-f]{8}"), streams.get(0).logStreamName());
            List<JsonNode> records = records(logs, "/sfn/all");
            var history = Sfn.history(sfn, exec);
            assertEquals(Sfn.types(history), records.stream().map(n -> n.get("type").asText()).toList());
            JsonNode first = records.get(0);
            assertEquals("1", first.get("id").asText());
            assertEquals("0", first.get("previous_event_id").asText());
            assertEquals(exec, first.get("execution_arn").asText());
            assertEquals("0", first.get("redrive_count").asText());
            assertEquals(history.get(0).timestamp().toEpochMilli(), Long.parseLong(first.get("event_timestamp").asText()));
            assertEquals("{\"in\":true}", first.get("details").get("input").asText());
            JsonNode last = records.get(records.size() - 1);
            assertEquals("ExecutionSucceeded", last.get("type").asText());
            assertEquals(String.valueOf(history.get(history.size() - 1).previousEventId()), last.get("previous_event_id").asText());
            assertEquals("{\"x\":1}", last.get("details").get("output").asText());
        }
    }

    @Test
    void errorAndFatalLevelsWriteOnlyFailures() throws Exception {
        try (SfnClient sfn = Sfn.client(account); CloudWatchLogsClient logs = Oboro.client(CloudWatchLogsClient.builder(), account)) {
            String errors = group(logs, "/sfn/errors");
            String fatal = group(logs, "/sfn/fatal");
            String m1 = sfn.createStateMachine(r -> r.name("logged-error").roleArn(Sfn.role(account)).definition(FAIL)
                    .loggingConfiguration(config(LogLevel.ERROR, true, errors))).stateMachineArn();
            String m2 = sfn.createStateMachine(r -> r.name("logged-fatal").roleArn(Sfn.role(account)).definition(FAIL)
                    .loggingConfiguration(config(LogLevel.FATAL, true, fatal))).stateMachineArn();
            for (String m : List.of(m1, m2)) {
                String exec = sfn.startExecution(r -> r.stateMachineArn(m)).executionArn();
                assertEquals(ExecutionStatus.FAILED, Sfn.awaitDone(sfn, exec).status());
            }
            assertEquals(List.of("FailStateEntered", "ExecutionFailed"), records(logs, "/sfn/errors").stream().map(n -> n.get("type").asText()).toList());
            List<JsonNode> f = records(logs, "/sfn/fatal");
            assertEquals(List.of("ExecutionFailed"), f.stream().map(n -> n.get("type").asText()).toList());
            assertEquals("Bad", f.get(0).get("details").get("error").asText());
            assertEquals("why", f.get(0).get("details").get("cause").asText());
        }
    }

    @Test
    void expressExecutionsLogTheirHistoryWithoutDataUnlessAsked() throws Exception {
        try (SfnClient sfn = Sfn.client(account); CloudWatchLogsClient logs = Oboro.client(CloudWatchLogsClient.builder(), account)) {
            String group = group(logs, "/aws/vendedlogs/states/express");
            String machine = sfn.createStateMachine(r -> r.name("logged-express").type("EXPRESS").roleArn(Sfn.role(account)).definition(CHAIN)
                    .loggingConfiguration(config(LogLevel.ALL, false, group))).stateMachineArn();
            StartSyncExecutionResponse done = sfn.startSyncExecution(r -> r.stateMachineArn(machine).input("{\"secret\":1}"));
            assertEquals(SyncExecutionStatus.SUCCEEDED, done.status());
            List<JsonNode> records = records(logs, "/aws/vendedlogs/states/express");
            assertEquals(List.of("ExecutionStarted", "PassStateEntered", "PassStateExited", "SucceedStateEntered", "SucceedStateExited",
                    "ExecutionSucceeded"), records.stream().map(n -> n.get("type").asText()).toList());
            assertEquals(done.executionArn(), records.get(0).get("execution_arn").asText());
            assertTrue(done.executionArn().contains(":express:logged-express:"), done.executionArn());
            for (JsonNode n : records) {
                assertFalse(n.get("details").has("input"), n.toString());
                assertFalse(n.get("details").has("output"), n.toString());
            }
            assertEquals("PassStateEntered", records.get(1).get("type").asText());
            assertEquals("A", records.get(1).get("details").get("name").asText());
        }
    }

    private static LoggingConfiguration config(LogLevel level, boolean data, String groupArn) {
        return LoggingConfiguration.builder().level(level).includeExecutionData(data)
                .destinations(d -> d.cloudWatchLogsLogGroup(g -> g.logGroupArn(groupArn))).build();
    }

    private String group(CloudWatchLogsClient logs, String name) {
        logs.createLogGroup(r -> r.logGroupName(name));
        return "arn:aws:logs:us-east-1:" + account + ":log-group:" + name + ":*";
    }

    private List<JsonNode> records(CloudWatchLogsClient logs, String group) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (var e : logs.filterLogEventsPaginator(r -> r.logGroupName(group)).events()) out.add(json.readTree(e.message()));
        return out;
    }
}
