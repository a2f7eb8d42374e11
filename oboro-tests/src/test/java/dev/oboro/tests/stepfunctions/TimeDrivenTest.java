package dev.oboro.tests.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineStatus;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Executions driven by Oboro's clock: Wait states, retries, task timeouts, sync executions that wait. */
@ResourceLock(Oboro.CLOCK)
class TimeDrivenTest {
    final String account = Oboro.newAccount();
    final ObjectMapper json = new ObjectMapper();

    static final String WAIT_HOUR = """
            {"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":3600,"Next":"Done"},
             "Done":{"Type":"Pass","Result":"awake","End":true}}}""";

    @Test
    void aWaitOfOneHourCompletesWhenTheClockIsAdvanced() {
        try (SfnClient sfn = Sfn.client(account)) {
            String sm = Sfn.create(sfn, account, "sleeper", WAIT_HOUR);
            String exec = sfn.startExecution(r -> r.stateMachineArn(sm)).executionArn();
            Oboro.advance(Duration.ofMinutes(59));
            assertEquals(ExecutionStatus.RUNNING, sfn.describeExecution(r -> r.executionArn(exec)).status());
            Oboro.advance(Duration.ofMinutes(2));
            DescribeExecutionResponse d = sfn.describeExecution(r -> r.executionArn(exec));
            assertEquals(ExecutionStatus.SUCCEEDED, d.status());
            assertEquals("\"awake\"", d.output());
            List<HistoryEvent> h = Sfn.history(sfn, exec);
            HistoryEvent entered = h.stream().filter(e -> e.type() == HistoryEventType.WAIT_STATE_ENTERED).findFirst().orElseThrow();
            HistoryEvent exited = h.stream().filter(e -> e.type() == HistoryEventType.WAIT_STATE_EXITED).findFirst().orElseThrow();
            // history timestamps carry milliseconds: the wait is one hour to the millisecond
            Duration waited = Duration.between(entered.timestamp(), exited.timestamp());
            assertTrue(waited.minus(Duration.ofHours(1)).abs().toMillis() <= 1, waited.toString());
            assertTrue(Duration.between(d.startDate(), d.stopDate()).compareTo(Duration.ofHours(1)) >= 0);
        }
    }

    @Test
    void aFailingTaskIsRetriedThenCaught() throws Exception {
        String def = """
                {"StartAt":"Get","States":{
                  "Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:route53:getHostedZone","Parameters":{"Id":"ZMISSING"},
                    "Retry":[{"ErrorEquals":["Route53.NoSuchHostedZoneException"],"IntervalSeconds":5,"MaxAttempts":2,"BackoffRate":2}],
                    "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Handled"}],"End":true},
                  "Handled":{"Type":"Pass","End":true}}}""";
        try (SfnClient sfn = Sfn.client(account)) {
            String sm = Sfn.create(sfn, account, "retrying", def);
            String exec = sfn.startExecution(r -> r.stateMachineArn(sm).input("{\"k\":1}")).executionArn();
            assertEquals(1, count(Sfn.history(sfn, exec), HistoryEventType.TASK_FAILED));
            Oboro.advance(Duration.ofSeconds(5));
            assertEquals(2, count(Sfn.history(sfn, exec), HistoryEventType.TASK_FAILED));
            assertEquals(ExecutionStatus.RUNNING, sfn.describeExecution(r -> r.executionArn(exec)).status());
            Oboro.advance(Duration.ofSeconds(10)); // second retry after 5 * 2 seconds
            DescribeExecutionResponse d = sfn.describeExecution(r -> r.executionArn(exec));
            assertEquals(ExecutionStatus.SUCCEEDED, d.status());
            List<HistoryEvent> h = Sfn.history(sfn, exec);
            assertEquals(3, count(h, HistoryEventType.TASK_SCHEDULED));
            assertEquals(3, count(h, HistoryEventType.TASK_FAILED));
            HistoryEvent failed = h.stream().filter(e -> e.type() == HistoryEventType.TASK_FAILED).findFirst().orElseThrow();
            assertEquals("Route53.NoSuchHostedZoneException", failed.taskFailedEventDetails().error());
            List<String> tail = Sfn.types(h).subList(h.size() - 4, h.size());
            assertEquals(List.of("TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"), tail);
            JsonNode out = json.readTree(d.output());
            assertEquals(1, out.get("k").asInt());
            assertEquals("Route53.NoSuchHostedZoneException", out.get("error").get("Error").asText());
        }
    }

    @Test
    void aSyncExecutionWaitsForTheClock() throws Exception {
        String def = """
                {"StartAt":"Mark","States":{
                  "Mark":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:route53:createHostedZone",
                    "Parameters":{"Name":"sync.example.org","CallerReference":"sync-mark"},"ResultPath":null,"Next":"Wait"},
                  "Wait":{"Type":"Wait","Seconds":600,"Next":"Done"},
                  "Done":{"Type":"Pass","Result":{"woke":true},"End":true}}}""";
        try (SfnClient sfn = Sfn.client(account); Route53Client r53 = Oboro.client(Route53Client.builder(), account)) {
            String express = Sfn.createExpress(sfn, account, "sync-waiter", def);
            CompletableFuture<StartSyncExecutionResponse> answer = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    answer.complete(sfn.startSyncExecution(r -> r.stateMachineArn(express)));
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
            Sfn.await("the execution to reach its Wait", () -> answer.isDone() || !r53.listHostedZones().hostedZones().isEmpty());
            assertFalse(answer.isDone(), () -> "answered before the clock moved: " + answer.join());
            Oboro.advance(Duration.ofMinutes(10));
            StartSyncExecutionResponse r = answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(SyncExecutionStatus.SUCCEEDED, r.status());
            assertEquals("{\"woke\":true}", r.output());
            assertTrue(Duration.between(r.startDate(), r.stopDate()).compareTo(Duration.ofMinutes(10)) >= 0);
        }
    }

    @Test
    void aTimedOutTaskTokenIsRefused() {
        try (SfnClient sfn = Sfn.client(account)) {
            String activity = sfn.createActivity(r -> r.name("slow-worker")).activityArn();
            String sm = Sfn.create(sfn, account, "deadline", """
                    {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"%s","TimeoutSeconds":30,"End":true}}}""".formatted(activity));
            String exec = sfn.startExecution(r -> r.stateMachineArn(sm)).executionArn();
            String token = sfn.getActivityTask(r -> r.activityArn(activity)).taskToken();
            Oboro.advance(Duration.ofSeconds(31));
            SfnException late = assertThrows(SfnException.class, () -> sfn.sendTaskSuccess(r -> r.taskToken(token).output("{}")));
            assertEquals("TaskTimedOut", late.awsErrorDetails().errorCode());
            DescribeExecutionResponse d = sfn.describeExecution(r -> r.executionArn(exec));
            assertEquals(ExecutionStatus.FAILED, d.status());
            assertEquals("States.Timeout", d.error());
            assertTrue(Sfn.types(Sfn.history(sfn, exec)).contains("ActivityTimedOut"));
        }
    }

    @Test
    void deletingAMachineStopsItsExecutionsAtTheNextTransition() {
        try (SfnClient sfn = Sfn.client(account)) {
            String sm = Sfn.create(sfn, account, "doomed", WAIT_HOUR);
            String exec = sfn.startExecution(r -> r.stateMachineArn(sm)).executionArn();
            sfn.deleteStateMachine(r -> r.stateMachineArn(sm));
            assertEquals(StateMachineStatus.DELETING, sfn.describeStateMachine(r -> r.stateMachineArn(sm)).status());
            SfnException deleting = assertThrows(SfnException.class, () -> sfn.startExecution(r -> r.stateMachineArn(sm)));
            assertEquals("StateMachineDeleting", deleting.awsErrorDetails().errorCode());
            Oboro.advance(Duration.ofHours(1).plusSeconds(1));
            DescribeExecutionResponse d = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.ABORTED, d.status());
            Sfn.await("the machine to go", () -> {
                try {
                    sfn.describeStateMachine(r -> r.stateMachineArn(sm));
                    return false;
                } catch (SfnException e) {
                    return "StateMachineDoesNotExist".equals(e.awsErrorDetails().errorCode());
                }
            });
        }
    }

    static long count(List<HistoryEvent> h, HistoryEventType t) {
        return h.stream().filter(e -> e.type() == t).count();
    }
}
