package dev.oboro.tests.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionRedriveStatus;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetActivityTaskResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.InspectionLevel;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;
import software.amazon.awssdk.services.sfn.model.TestExecutionStatus;
import software.amazon.awssdk.services.sfn.model.TestStateResponse;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Executions without clock advances: start, describe, list, history, stop, redrive, sync, integrations, TestState.
 * They watch time windows (90-day name reuse, 14-day redrive), so they hold the clock against other tests' advances.
 */
@org.junit.jupiter.api.parallel.ResourceLock(Oboro.CLOCK)
class ExecutionsTest {
    final String account = Oboro.newAccount();
    final ObjectMapper json = new ObjectMapper();

    static final String CHAIN = """
            {"StartAt":"A","States":{
              "A":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.x, 1)"},"Next":"B"},
              "B":{"Type":"Pass","ResultPath":"$.b","Result":"done","End":true}}}""";

    static String activityMachine(String activityArn) {
        return "{\"StartAt\":\"Work\",\"States\":{\"Work\":{\"Type\":\"Task\",\"Resource\":\"" + activityArn + "\",\"End\":true}}}";
    }

    static SfnException error(Runnable r) {
        return assertThrows(SfnException.class, r::run);
    }

    @Test
    void startDescribeListAndHistory() {
        try (SfnClient sfn = Sfn.client(account)) {
            String sm = Sfn.create(sfn, account, "chain", CHAIN);
            var started = sfn.startExecution(r -> r.stateMachineArn(sm).name("first").input("{\"x\": 41}"));
            assertEquals("arn:aws:states:us-east-1:" + account + ":execution:chain:first", started.executionArn());
            DescribeExecutionResponse d = Sfn.awaitDone(sfn, started.executionArn());
            assertEquals(ExecutionStatus.SUCCEEDED, d.status());
            assertEquals("{\"sum\":42,\"b\":\"done\"}", d.output());
            assertEquals("{\"x\":41}", d.input());
            assertTrue(d.inputDetails().included());
            assertEquals(sm, d.stateMachineArn());
            assertEquals(started.startDate(), d.startDate());
            assertNotNull(d.stopDate());
            assertEquals(ExecutionRedriveStatus.NOT_REDRIVABLE, d.redriveStatus());

            List<HistoryEvent> h = Sfn.history(sfn, started.executionArn());
            assertEquals(List.of("ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited",
                    "ExecutionSucceeded"), Sfn.types(h));
            for (int i = 0; i < h.size(); i++) {
                assertEquals(i + 1, h.get(i).id());
                // AWS: the first state's StateEntered points back to 0, not to ExecutionStarted
                assertEquals(i == 1 ? 0 : i, h.get(i).previousEventId());
            }
            assertEquals("{\"x\":41}", h.get(1).stateEnteredEventDetails().input());

            var reversed = sfn.getExecutionHistory(r -> r.executionArn(started.executionArn()).reverseOrder(true).maxResults(2));
            assertEquals(List.of(HistoryEventType.EXECUTION_SUCCEEDED, HistoryEventType.PASS_STATE_EXITED),
                    reversed.events().stream().map(HistoryEvent::type).toList());
            var next = sfn.getExecutionHistory(r -> r.executionArn(started.executionArn()).reverseOrder(true).maxResults(2)
                    .nextToken(reversed.nextToken()));
            assertEquals(List.of(4L, 3L), next.events().stream().map(HistoryEvent::id).toList());
            var noData = sfn.getExecutionHistory(r -> r.executionArn(started.executionArn()).includeExecutionData(false));
            assertNull(noData.events().get(0).executionStartedEventDetails().input());
            assertNull(noData.events().get(5).executionSucceededEventDetails().output());
            assertEquals(6, noData.events().size());

            sfn.startExecution(r -> r.stateMachineArn(sm).name("second").input("{\"x\": 1}"));
            var listed = sfn.listExecutions(r -> r.stateMachineArn(sm));
            assertEquals(List.of("second", "first"), listed.executions().stream().map(e -> e.name()).toList());
            assertEquals(0, sfn.listExecutions(r -> r.stateMachineArn(sm).statusFilter(ExecutionStatus.FAILED)).executions().size());
            List<String> paged = new ArrayList<>();
            sfn.listExecutionsPaginator(r -> r.stateMachineArn(sm).maxResults(1)).executions().forEach(e -> paged.add(e.name()));
            assertEquals(List.of("second", "first"), paged);

            var forExec = sfn.describeStateMachineForExecution(r -> r.executionArn(started.executionArn()));
            assertEquals(CHAIN, forExec.definition());
            sfn.updateStateMachine(r -> r.stateMachineArn(sm).definition(StateMachinesTest.PASS));
            assertEquals(CHAIN, sfn.describeStateMachineForExecution(r -> r.executionArn(started.executionArn())).definition());

            SfnException missing = error(() -> sfn.describeExecution(r -> r.executionArn(started.executionArn() + "x")));
            assertEquals("ExecutionDoesNotExist", missing.awsErrorDetails().errorCode());
            assertEquals("Execution Does Not Exist: '" + started.executionArn() + "x'", missing.awsErrorDetails().errorMessage());
            SfnException badInput = error(() -> sfn.startExecution(r -> r.stateMachineArn(sm).input("{nope")));
            assertEquals("InvalidExecutionInput", badInput.awsErrorDetails().errorCode());
            SfnException badName = error(() -> sfn.startExecution(r -> r.stateMachineArn(sm).name("a/b")));
            assertEquals("InvalidName", badName.awsErrorDetails().errorCode());
            SfnException noMachine = error(() -> sfn.startExecution(r -> r.stateMachineArn(sm + "-nope")));
            assertEquals("StateMachineDoesNotExist", noMachine.awsErrorDetails().errorCode());
        }
    }

    @Test
    void executionNamesAreUniqueAndStopAborts() {
        try (SfnClient sfn = Sfn.client(account)) {
            String activity = sfn.createActivity(r -> r.name("never-polled")).activityArn();
            String sm = Sfn.create(sfn, account, "waits-for-worker", activityMachine(activity));
            var a = sfn.startExecution(r -> r.stateMachineArn(sm).name("once").input("{\"n\":1}"));
            // the same name and input while running: the same execution
            var again = sfn.startExecution(r -> r.stateMachineArn(sm).name("once").input("{\"n\": 1}"));
            assertEquals(a.executionArn(), again.executionArn());
            assertEquals(a.startDate(), again.startDate());
            SfnException other = error(() -> sfn.startExecution(r -> r.stateMachineArn(sm).name("once").input("{\"n\":2}")));
            assertEquals("ExecutionAlreadyExists", other.awsErrorDetails().errorCode());
            assertEquals("Execution Already Exists: '" + a.executionArn() + "'", other.awsErrorDetails().errorMessage());
            assertEquals(1, sfn.listExecutions(r -> r.stateMachineArn(sm).statusFilter(ExecutionStatus.RUNNING)).executions().size());

            var stopped = sfn.stopExecution(r -> r.executionArn(a.executionArn()).error("Operator").cause("no longer needed"));
            DescribeExecutionResponse d = sfn.describeExecution(r -> r.executionArn(a.executionArn()));
            assertEquals(ExecutionStatus.ABORTED, d.status());
            assertEquals("Operator", d.error());
            assertEquals(stopped.stopDate(), d.stopDate());
            List<HistoryEvent> h = Sfn.history(sfn, a.executionArn());
            assertEquals(HistoryEventType.EXECUTION_ABORTED, h.get(h.size() - 1).type());
            assertEquals("no longer needed", h.get(h.size() - 1).executionAbortedEventDetails().cause());
            // closed: the name cannot be used again, whatever the input
            SfnException closed = error(() -> sfn.startExecution(r -> r.stateMachineArn(sm).name("once").input("{\"n\":1}")));
            assertEquals("ExecutionAlreadyExists", closed.awsErrorDetails().errorCode());
            assertEquals(1, sfn.listExecutions(r -> r.stateMachineArn(sm).statusFilter(ExecutionStatus.ABORTED)).executions().size());
        }
    }

    @Test
    void awsSdkIntegrationsCallOboroServices() throws Exception {
        String def = """
                {"StartAt":"Who","States":{
                  "Who":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sts:getCallerIdentity","ResultPath":"$.who","Next":"Zone"},
                  "Zone":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:route53:createHostedZone",
                          "Parameters":{"Name":"sfn.example.com","CallerReference.$":"$$.Execution.Name"},
                          "ResultSelector":{"id.$":"$.HostedZone.Id","name.$":"$.HostedZone.Name"},"ResultPath":"$.zone","Next":"Missing"},
                  "Missing":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:route53:getHostedZone","Parameters":{"Id":"ZNOPE"},
                          "Catch":[{"ErrorEquals":["Route53.NoSuchHostedZoneException"],"ResultPath":"$.error","Next":"Done"}],"End":true},
                  "Done":{"Type":"Succeed"}}}""";
        try (SfnClient sfn = Sfn.client(account); Route53Client r53 = Oboro.client(Route53Client.builder(), account)) {
            String sm = Sfn.create(sfn, account, "sdk", def);
            String exec = sfn.startExecution(r -> r.stateMachineArn(sm).name("zone-maker")).executionArn();
            DescribeExecutionResponse d = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, d.status(), d.toString());
            JsonNode out = json.readTree(d.output());
            assertEquals(account, out.get("who").get("Account").asText());
            assertEquals("arn:aws:iam::" + account + ":root", out.get("who").get("Arn").asText());
            assertEquals("sfn.example.com.", out.get("zone").get("name").asText());
            HostedZone zone = r53.getHostedZone(r -> r.id(out.get("zone").get("id").asText().replace("/hostedzone/", ""))).hostedZone();
            assertEquals("zone-maker", zone.callerReference());
            assertEquals("Route53.NoSuchHostedZoneException", out.get("error").get("Error").asText());
            assertTrue(out.get("error").get("Cause").asText().startsWith("No hosted zone found with ID: ZNOPE (Service: Route53, Status Code: 404"),
                    out.get("error").get("Cause").asText());
            List<HistoryEvent> h = Sfn.history(sfn, exec);
            HistoryEvent scheduled = h.stream().filter(e -> e.type() == HistoryEventType.TASK_SCHEDULED).findFirst().orElseThrow();
            assertEquals("aws-sdk:sts", scheduled.taskScheduledEventDetails().resourceType());
            assertEquals("getCallerIdentity", scheduled.taskScheduledEventDetails().resource());
            HistoryEvent failed = h.stream().filter(e -> e.type() == HistoryEventType.TASK_FAILED).findFirst().orElseThrow();
            assertEquals("Route53.NoSuchHostedZoneException", failed.taskFailedEventDetails().error());
        }
    }

    @Test
    void nestedExecutionsSyncAndRequestResponse() throws Exception {
        try (SfnClient sfn = Sfn.client(account)) {
            String child = Sfn.create(sfn, account, "child", "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Pass\",\"Parameters\":{\"got.$\":\"$.v\"},\"End\":true}}}");
            String failing = Sfn.create(sfn, account, "failing-child", "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\",\"Error\":\"ChildError\",\"Cause\":\"bad\"}}}");
            String parent = Sfn.create(sfn, account, "parent", """
                    {"StartAt":"Sync","States":{
                      "Sync":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
                              "Parameters":{"StateMachineArn":"%s","Input":{"v":7}},"ResultSelector":{"out.$":"$.Output","status.$":"$.Status"},
                              "ResultPath":"$.sync","Next":"Fire"},
                      "Fire":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution",
                              "Parameters":{"StateMachineArn":"%s","Name":"fired"},"ResultPath":"$.fired","Next":"Fails"},
                      "Fails":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync",
                              "Parameters":{"StateMachineArn":"%s"},
                              "Catch":[{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.failure","Next":"Done"}],"End":true},
                      "Done":{"Type":"Succeed"}}}""".formatted(child, child, failing));
            String exec = sfn.startExecution(r -> r.stateMachineArn(parent)).executionArn();
            DescribeExecutionResponse d = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, d.status(), d.toString());
            JsonNode out = json.readTree(d.output());
            assertEquals(7, out.get("sync").get("out").get("got").asInt());
            assertEquals("SUCCEEDED", out.get("sync").get("status").asText());
            assertEquals("arn:aws:states:us-east-1:" + account + ":execution:child:fired", out.get("fired").get("ExecutionArn").asText());
            assertEquals("States.TaskFailed", out.get("failure").get("Error").asText());
            JsonNode cause = json.readTree(out.get("failure").get("Cause").asText());
            assertEquals("FAILED", cause.get("Status").asText());
            assertEquals("ChildError", cause.get("Error").asText());
            List<String> types = Sfn.types(Sfn.history(sfn, exec));
            assertEquals(List.of("TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"),
                    types.subList(types.indexOf("TaskScheduled"), types.indexOf("TaskScheduled") + 4));
            assertEquals(2, sfn.listExecutions(r -> r.stateMachineArn(child)).executions().size());
        }
    }

    @Test
    void redriveRunsTheFailedStateAgain() throws Exception {
        try (SfnClient sfn = Sfn.client(account)) {
            String activity = sfn.createActivity(r -> r.name("flaky")).activityArn();
            String sm = Sfn.create(sfn, account, "redrivable", """
                    {"StartAt":"Before","States":{"Before":{"Type":"Pass","Next":"Work"},
                     "Work":{"Type":"Task","Resource":"%s","End":true}}}""".formatted(activity));
            String exec = sfn.startExecution(r -> r.stateMachineArn(sm).input("{\"k\":1}")).executionArn();
            GetActivityTaskResponse t1 = sfn.getActivityTask(r -> r.activityArn(activity));
            sfn.sendTaskFailure(r -> r.taskToken(t1.taskToken()).error("Flaky").cause("first try"));
            DescribeExecutionResponse failed = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.FAILED, failed.status());
            assertEquals("Flaky", failed.error());
            assertEquals(ExecutionRedriveStatus.REDRIVABLE, failed.redriveStatus());

            var redriven = sfn.redriveExecution(r -> r.executionArn(exec));
            assertNotNull(redriven.redriveDate());
            GetActivityTaskResponse t2 = sfn.getActivityTask(r -> r.activityArn(activity));
            assertEquals("{\"k\":1}", t2.input());
            sfn.sendTaskSuccess(r -> r.taskToken(t2.taskToken()).output("{\"ok\":true}"));
            DescribeExecutionResponse d = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, d.status());
            assertEquals(1, d.redriveCount());
            assertEquals("{\"ok\":true}", d.output());
            List<String> types = Sfn.types(Sfn.history(sfn, exec));
            assertTrue(types.contains("ExecutionRedriven"), types.toString());
            assertEquals(1, types.stream().filter("PassStateEntered"::equals).count(), "redrive resumes at the failed state: " + types);
            assertEquals(1, sfn.listExecutions(r -> r.stateMachineArn(sm).redriveFilter("REDRIVEN")).executions().size());
            SfnException again = error(() -> sfn.redriveExecution(r -> r.executionArn(exec)));
            assertEquals("ExecutionNotRedrivable", again.awsErrorDetails().errorCode());
            assertEquals("Execution is SUCCEEDED and cannot be redriven.", again.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void startSyncExecutionOnExpress() {
        try (SfnClient sfn = Sfn.client(account)) {
            String express = Sfn.createExpress(sfn, account, "fast", CHAIN);
            StartSyncExecutionResponse r = sfn.startSyncExecution(b -> b.stateMachineArn(express).name("now").input("{\"x\":1}"));
            assertEquals(SyncExecutionStatus.SUCCEEDED, r.status());
            assertEquals("{\"sum\":2,\"b\":\"done\"}", r.output());
            assertTrue(r.executionArn().startsWith("arn:aws:states:us-east-1:" + account + ":express:fast:now:"), r.executionArn());
            assertNotNull(r.billingDetails().billedDurationInMilliseconds());
            // express names are not unique
            assertEquals(SyncExecutionStatus.SUCCEEDED, sfn.startSyncExecution(b -> b.stateMachineArn(express).name("now").input("{\"x\":2}")).status());

            String failing = Sfn.createExpress(sfn, account, "fails", "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\",\"Error\":\"E\",\"Cause\":\"C\"}}}");
            StartSyncExecutionResponse f = sfn.startSyncExecution(b -> b.stateMachineArn(failing));
            assertEquals(SyncExecutionStatus.FAILED, f.status());
            assertEquals("E", f.error());
            assertEquals("C", f.cause());

            String standard = Sfn.create(sfn, account, "slow", CHAIN);
            SfnException notSupported = error(() -> sfn.startSyncExecution(b -> b.stateMachineArn(standard)));
            assertEquals("StateMachineTypeNotSupported", notSupported.awsErrorDetails().errorCode());
            SfnException listExpress = error(() -> sfn.listExecutions(b -> b.stateMachineArn(express)));
            assertEquals("StateMachineTypeNotSupported", listExpress.awsErrorDetails().errorCode());
            SfnException describeExpress = error(() -> sfn.describeExecution(b -> b.executionArn(r.executionArn())));
            assertEquals("InvalidArn", describeExpress.awsErrorDetails().errorCode());
            assertEquals("Invalid Arn: 'Resource type not valid in this context: express'", describeExpress.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void testStateRunsOneState() throws Exception {
        try (SfnClient sfn = Sfn.client(account)) {
            TestStateResponse pass = sfn.testState(r -> r.definition("{\"Type\":\"Pass\",\"Parameters\":{\"v.$\":\"$.a\"},\"ResultPath\":\"$.r\",\"Next\":\"N\"}")
                    .input("{\"a\":5}").inspectionLevel(InspectionLevel.DEBUG));
            assertEquals(TestExecutionStatus.SUCCEEDED, pass.status());
            assertEquals("N", pass.nextState());
            assertEquals("{\"a\":5,\"r\":{\"v\":5}}", pass.output());
            assertEquals("{\"v\":5}", pass.inspectionData().afterParameters());

            String task = "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::aws-sdk:sts:getCallerIdentity\",\"End\":true,"
                    + "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"Handler\"}]}";
            TestStateResponse real = sfn.testState(r -> r.definition(task).roleArn(Sfn.role(account)));
            assertEquals(TestExecutionStatus.SUCCEEDED, real.status());
            assertEquals(account, json.readTree(real.output()).get("Account").asText());
            assertNull(real.inspectionData());
            TestStateResponse caught = sfn.testState(r -> r.definition(task).mock(m -> m.errorOutput(e -> e.error("Boom").cause("bad"))));
            assertEquals(TestExecutionStatus.CAUGHT_ERROR, caught.status());
            assertEquals("Handler", caught.nextState());
            SfnException bad = error(() -> sfn.testState(r -> r.definition("{nope")));
            assertEquals("InvalidDefinition", bad.awsErrorDetails().errorCode());
        }
    }

    @Test
    void cli() throws Exception {
        String acct = Oboro.newAccount();
        String sm;
        try (SfnClient sfn = Sfn.client(acct)) {
            sm = Sfn.create(sfn, acct, "cli-chain", CHAIN);
        }
        JsonNode started = json.readTree(Cli.v2(acct, "stepfunctions", "start-execution", "--state-machine-arn", sm,
                "--name", "cli-run", "--input", "{\"x\":2}").ok().stdout());
        String exec = started.get("executionArn").asText();
        JsonNode d = json.readTree(Cli.v2(acct, "stepfunctions", "describe-execution", "--execution-arn", exec).ok().stdout());
        assertEquals("SUCCEEDED", d.get("status").asText());
        assertEquals("{\"sum\":3,\"b\":\"done\"}", d.get("output").asText());
        JsonNode p1 = json.readTree(Cli.v2(acct, "stepfunctions", "get-execution-history", "--execution-arn", exec,
                "--max-items", "4", "--page-size", "3").ok().stdout());
        assertEquals(4, p1.get("events").size());
        JsonNode p2 = json.readTree(Cli.v2(acct, "stepfunctions", "get-execution-history", "--execution-arn", exec,
                "--max-items", "4", "--starting-token", p1.get("NextToken").asText()).ok().stdout());
        assertEquals(2, p2.get("events").size());
        assertEquals("ExecutionSucceeded", p2.get("events").get(1).get("type").asText());
        assertFalse(p2.has("NextToken"));
        Cli.Result dup = Cli.v2(acct, "stepfunctions", "start-execution", "--state-machine-arn", sm, "--name", "cli-run");
        assertEquals(254, dup.exitCode());
        assertTrue(dup.stderr().contains("ExecutionAlreadyExists"), dup.stderr());
    }
}
