package dev.oboro.tests.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetActivityTaskResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.SfnException;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Activities, workers polling GetActivityTask, and task tokens (also for .waitForTaskToken); holds the clock (heartbeats). */
@org.junit.jupiter.api.parallel.ResourceLock(Oboro.CLOCK)
class ActivitiesTest {
    final String account = Oboro.newAccount();
    final ObjectMapper json = new ObjectMapper();

    static SfnException error(Runnable r) {
        return assertThrows(SfnException.class, r::run);
    }

    @Test
    void createDescribeListDelete() throws Exception {
        try (SfnClient sfn = Sfn.client(account)) {
            var created = sfn.createActivity(r -> r.name("resize"));
            assertEquals("arn:aws:states:us-east-1:" + account + ":activity:resize", created.activityArn());
            // idempotent on the name
            assertEquals(created.creationDate(), sfn.createActivity(r -> r.name("resize")).creationDate());
            var d = sfn.describeActivity(r -> r.activityArn(created.activityArn()));
            assertEquals("resize", d.name());
            sfn.createActivity(r -> r.name("encode"));
            assertEquals(List.of("encode", "resize"), sfn.listActivities().activities().stream().map(a -> a.name()).toList());
            sfn.deleteActivity(r -> r.activityArn(created.activityArn()));
            SfnException gone = error(() -> sfn.describeActivity(r -> r.activityArn(created.activityArn())));
            assertEquals("ActivityDoesNotExist", gone.awsErrorDetails().errorCode());
            assertEquals("Activity Does Not Exist: '" + created.activityArn() + "'", gone.awsErrorDetails().errorMessage());
            SfnException name = error(() -> sfn.createActivity(r -> r.name("a*b")));
            assertEquals("InvalidName", name.awsErrorDetails().errorCode());
        }
        JsonNode listed = json.readTree(Cli.v2(account, "stepfunctions", "list-activities").ok().stdout());
        assertEquals("encode", listed.get("activities").get(0).get("name").asText());
    }

    @Test
    void aWorkerLoopRunsTheActivities() throws Exception {
        try (SfnClient sfn = Sfn.client(account)) {
            String activity = sfn.createActivity(r -> r.name("double")).activityArn();
            String sm = Sfn.create(sfn, account, "doubler", """
                    {"StartAt":"One","States":{
                      "One":{"Type":"Task","Resource":"%s","HeartbeatSeconds":600,"Next":"Two"},
                      "Two":{"Type":"Task","Resource":"%s","End":true}}}""".formatted(activity, activity));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger handled = new AtomicInteger();
            Thread worker = Thread.ofVirtual().start(() -> {
                try (SfnClient w = Sfn.client(account)) {
                    while (!stop.get()) {
                        GetActivityTaskResponse t = w.getActivityTask(r -> r.activityArn(activity).workerName("worker-1"));
                        if (t.taskToken() == null) continue;
                        w.sendTaskHeartbeat(r -> r.taskToken(t.taskToken()));
                        int n = new ObjectMapper().readTree(t.input()).get("n").asInt();
                        handled.incrementAndGet();
                        w.sendTaskSuccess(r -> r.taskToken(t.taskToken()).output("{\"n\":" + (n * 2) + "}"));
                    }
                } catch (Exception e) {
                    if (!stop.get()) throw new IllegalStateException(e);
                }
            });
            // the worker is already polling when the execution schedules the task: the long poll wakes up
            String exec = sfn.startExecution(r -> r.stateMachineArn(sm).input("{\"n\":5}")).executionArn();
            DescribeExecutionResponse d = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, d.status());
            assertEquals("{\"n\":20}", d.output());
            assertEquals(2, handled.get());
            var h = Sfn.history(sfn, exec);
            var started = h.stream().filter(e -> e.type() == HistoryEventType.ACTIVITY_STARTED).toList();
            assertEquals(2, started.size());
            assertEquals("worker-1", started.get(0).activityStartedEventDetails().workerName());
            assertEquals(2, h.stream().filter(e -> e.type() == HistoryEventType.ACTIVITY_SUCCEEDED).count());
            stop.set(true);
            // unblock the poller: one more task
            String nudge = sfn.startExecution(r -> r.stateMachineArn(sm).input("{\"n\":1}")).executionArn();
            worker.join(30_000);
            sfn.stopExecution(r -> r.executionArn(nudge));
        }
    }

    @Test
    void waitForTaskTokenCompletedBySendTaskSuccess() throws Exception {
        try (SfnClient sfn = Sfn.client(account)) {
            String hold = sfn.createActivity(r -> r.name("hold")).activityArn();
            // the callee just holds the token (it waits on an activity nobody polls)
            String callee = Sfn.create(sfn, account, "callee", ExecutionsTest.activityMachine(hold));
            String caller = Sfn.create(sfn, account, "caller", """
                    {"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.waitForTaskToken",
                      "Parameters":{"StateMachineArn":"%s","Input":{"token.$":"$$.Task.Token"}},"ResultPath":"$.answer","End":true}}}"""
                    .formatted(callee));
            String exec = sfn.startExecution(r -> r.stateMachineArn(caller).input("{\"q\":1}")).executionArn();
            var calleeExec = sfn.listExecutions(r -> r.stateMachineArn(callee)).executions().get(0);
            String token = json.readTree(sfn.describeExecution(r -> r.executionArn(calleeExec.executionArn())).input()).get("token").asText();
            assertEquals(ExecutionStatus.RUNNING, sfn.describeExecution(r -> r.executionArn(exec)).status());

            SfnException badOutput = error(() -> sfn.sendTaskSuccess(r -> r.taskToken(token).output("{not json")));
            assertEquals("InvalidOutput", badOutput.awsErrorDetails().errorCode());
            sfn.sendTaskSuccess(r -> r.taskToken(token).output("{\"yes\":true}"));
            DescribeExecutionResponse d = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, d.status());
            assertEquals("{\"q\":1,\"answer\":{\"yes\":true}}", d.output());
            List<String> types = Sfn.types(Sfn.history(sfn, exec));
            assertTrue(types.containsAll(List.of("TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded")), types.toString());

            SfnException done = error(() -> sfn.sendTaskSuccess(r -> r.taskToken(token).output("{}")));
            assertEquals("TaskDoesNotExist", done.awsErrorDetails().errorCode());
            SfnException invalid = error(() -> sfn.sendTaskHeartbeat(r -> r.taskToken("not-a-token")));
            assertEquals("InvalidToken", invalid.awsErrorDetails().errorCode());

            // SendTaskFailure fails the waiting task with the worker's error
            String exec2 = sfn.startExecution(r -> r.stateMachineArn(caller).input("{\"q\":2}")).executionArn();
            String callee2 = sfn.listExecutions(r -> r.stateMachineArn(callee).statusFilter(ExecutionStatus.RUNNING)).executions().get(0).executionArn();
            String token2 = json.readTree(sfn.describeExecution(r -> r.executionArn(callee2)).input()).get("token").asText();
            sfn.sendTaskFailure(r -> r.taskToken(token2).error("Rejected").cause("said no"));
            DescribeExecutionResponse d2 = Sfn.awaitDone(sfn, exec2);
            assertEquals(ExecutionStatus.FAILED, d2.status());
            assertEquals("Rejected", d2.error());
            assertEquals("said no", d2.cause());
        }
    }

    @Test
    void anIdlePollAnswersWithoutATaskAfterTheWindow() {
        String before = System.getProperty("oboro.stepfunctions.activityPollSeconds");
        System.setProperty("oboro.stepfunctions.activityPollSeconds", "1");
        try (SfnClient sfn = Sfn.client(account)) {
            String activity = sfn.createActivity(r -> r.name("idle")).activityArn();
            GetActivityTaskResponse t = sfn.getActivityTask(r -> r.activityArn(activity));
            assertNull(t.taskToken());
            SfnException missing = error(() -> sfn.getActivityTask(r -> r.activityArn(activity + "-nope")));
            assertEquals("ActivityDoesNotExist", missing.awsErrorDetails().errorCode());
        } finally {
            if (before == null) System.clearProperty("oboro.stepfunctions.activityPollSeconds");
            else System.setProperty("oboro.stepfunctions.activityPollSeconds", before);
        }
    }
}
