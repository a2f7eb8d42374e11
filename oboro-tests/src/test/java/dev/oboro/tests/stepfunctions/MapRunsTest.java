package dev.oboro.tests.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeMapRunResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.MapRunStatus;
import software.amazon.awssdk.services.sfn.model.SfnException;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Distributed Map states run Map Runs of child executions: DescribeMapRun, ListMapRuns, UpdateMapRun, ListExecutions by Map Run, redrive. */
@ResourceLock(Oboro.CLOCK)
class MapRunsTest {
    final String account = Oboro.newAccount();
    final ObjectMapper json = new ObjectMapper();

    static String machine(String mode, String executionType, String extra, String processorStates) {
        return """
                {"StartAt":"Fan","States":{"Fan":{"Type":"Map","Label":"Fan",%s"ItemProcessor":{
                  "ProcessorConfig":{"Mode":"%s","ExecutionType":"%s"},"StartAt":"Check","States":%s},"End":true}}}"""
                .formatted(extra, mode, executionType, processorStates);
    }

    /**
     * Items equal to 3 fail for good; item 2 goes through a Pass state that fails before a redrive (it reads index
     * RedriveCount - 1 of an array) and succeeds after one.
     */
    static final String FLAKY = """
            {"Check":{"Type":"Choice","Choices":[
               {"Variable":"$","NumericEquals":3,"Next":"Broken"},
               {"Variable":"$","NumericEquals":2,"Next":"Flaky"}],
             "Default":"Double"},
             "Broken":{"Type":"Fail","Error":"Broken"},
             "Flaky":{"Type":"Pass","Parameters":{"v.$":"States.ArrayGetItem(States.Array($), States.MathAdd($$.Execution.RedriveCount, -1))"},
                      "OutputPath":"$.v","Next":"Double"},
             "Double":{"Type":"Pass","Parameters":{"twice.$":"States.MathAdd($, $)"},"End":true}}""";

    @Test
    void distributedMapRunsItsIterationsAsChildExecutions() throws Exception {
        try (SfnClient sfn = Sfn.client(account)) {
            String m = Sfn.create(sfn, account, "fan-out",
                    machine("DISTRIBUTED", "STANDARD", "\"MaxConcurrency\":2,\"ToleratedFailureCount\":1,", FLAKY.replace("\"NumericEquals\":2,", "\"NumericEquals\":99,")));
            String exec = sfn.startExecution(r -> r.stateMachineArn(m).input("[1,2,3,4,5]")).executionArn();
            var done = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, done.status(), done.error() + " " + done.cause());
            JsonNode out = json.readTree(done.output());
            assertEquals(5, out.size());
            assertEquals(2, out.get(0).get("twice").asInt());
            assertEquals("Broken", out.get(2).get("Error").asText());

            List<HistoryEvent> history = Sfn.history(sfn, exec);
            List<String> types = Sfn.types(history);
            assertEquals(List.of("ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded",
                    "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"), types);
            String mapRun = history.get(3).mapRunStartedEventDetails().mapRunArn();
            assertTrue(mapRun.matches("arn:aws:states:us-east-1:" + account + ":mapRun:fan-out/Fan:[0-9a-f-]{36}"), mapRun);

            var runs = sfn.listMapRuns(r -> r.executionArn(exec)).mapRuns();
            assertEquals(1, runs.size());
            assertEquals(mapRun, runs.get(0).mapRunArn());
            assertEquals("arn:aws:states:us-east-1:" + account + ":stateMachine:fan-out/Fan", runs.get(0).stateMachineArn());

            DescribeMapRunResponse d = sfn.describeMapRun(r -> r.mapRunArn(mapRun));
            assertEquals(MapRunStatus.SUCCEEDED, d.status());
            assertEquals(exec, d.executionArn());
            assertEquals(2, d.maxConcurrency());
            assertEquals(1L, d.toleratedFailureCount());
            assertEquals(5L, d.itemCounts().total());
            assertEquals(4L, d.itemCounts().succeeded());
            assertEquals(1L, d.itemCounts().failed());
            assertEquals(0L, d.itemCounts().running());
            assertEquals(5L, d.executionCounts().total());

            List<ExecutionListItem> children = sfn.listExecutions(r -> r.mapRunArn(mapRun)).executions();
            assertEquals(5, children.size());
            assertEquals(1, children.stream().filter(c -> c.status() == ExecutionStatus.FAILED).count());
            ExecutionListItem child = children.get(0);
            assertEquals(mapRun, child.mapRunArn());
            assertTrue(child.executionArn().startsWith("arn:aws:states:us-east-1:" + account + ":execution:fan-out/Fan:"), child.executionArn());
            var described = sfn.describeExecution(r -> r.executionArn(child.executionArn()));
            assertEquals(mapRun, described.mapRunArn());
            assertTrue(Sfn.types(Sfn.history(sfn, child.executionArn())).contains("ChoiceStateEntered"));
            // the parent's machine does not list its children
            assertFalse(sfn.listExecutions(r -> r.stateMachineArn(m)).executions().stream().anyMatch(e -> e.mapRunArn() != null));
            // children count in AWS/States under the Map Run's state machine ARN, started as well as ended
            try (CloudWatchClient cw = Oboro.client(CloudWatchClient.builder(), account)) {
                String childMachine = runs.get(0).stateMachineArn();
                assertEquals(5.0, MetricsTest.sum(cw, "ExecutionsStarted", childMachine));
                assertEquals(4.0, MetricsTest.sum(cw, "ExecutionsSucceeded", childMachine));
                assertEquals(1.0, MetricsTest.sum(cw, "ExecutionsFailed", childMachine));
            }
        }
    }

    @Test
    void redrivingTheParentRedrivesOnlyTheFailedChildExecutions() throws Exception {
        try (SfnClient sfn = Sfn.client(account)) {
            String m = Sfn.create(sfn, account, "flaky-fan-out", machine("DISTRIBUTED", "STANDARD", "", FLAKY.replace("\"NumericEquals\":3,", "\"NumericEquals\":-1,")));
            String exec = sfn.startExecution(r -> r.stateMachineArn(m).input("[1,2,4]")).executionArn();
            var failed = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.FAILED, failed.status());
            assertEquals("States.ExceedToleratedFailureThreshold", failed.error());
            String mapRun = sfn.listMapRuns(r -> r.executionArn(exec)).mapRuns().get(0).mapRunArn();
            assertEquals(MapRunStatus.FAILED, sfn.describeMapRun(r -> r.mapRunArn(mapRun)).status());
            List<String> before = Sfn.types(Sfn.history(sfn, exec));
            assertTrue(before.containsAll(List.of("MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed")), before.toString());

            sfn.redriveExecution(r -> r.executionArn(exec));
            var done = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, done.status(), done.error() + " " + done.cause());
            assertEquals(1, done.redriveCount());
            assertEquals("[{\"twice\":2},{\"twice\":4},{\"twice\":8}]", done.output());
            List<HistoryEvent> history = Sfn.history(sfn, exec);
            List<String> after = Sfn.types(history).subList(before.size(), history.size());
            assertEquals(List.of("ExecutionRedriven", "MapRunRedriven", "MapRunSucceeded", "MapStateSucceeded", "MapStateExited",
                    "ExecutionSucceeded"), after);
            HistoryEvent redriven = history.get(before.size() + 1);
            assertEquals(mapRun, redriven.mapRunRedrivenEventDetails().mapRunArn());
            assertEquals(1, redriven.mapRunRedrivenEventDetails().redriveCount());

            DescribeMapRunResponse d = sfn.describeMapRun(r -> r.mapRunArn(mapRun));
            assertEquals(MapRunStatus.SUCCEEDED, d.status());
            assertEquals(1, d.redriveCount());
            assertEquals(3L, d.itemCounts().succeeded());
            // the failed child was redriven (same ARN), the others ran once
            List<ExecutionListItem> children = sfn.listExecutions(r -> r.mapRunArn(mapRun)).executions();
            assertEquals(3, children.size());
            assertEquals(List.of(0, 0, 1), children.stream().map(ExecutionListItem::redriveCount).sorted().toList());
            assertEquals(1, sfn.listExecutions(r -> r.mapRunArn(mapRun).redriveFilter("REDRIVEN")).executions().size());
        }
    }

    @Test
    void aMapRunChildIsRedrivenThroughItsParentOnly() {
        try (SfnClient sfn = Sfn.client(account)) {
            String m = Sfn.create(sfn, account, "child-redrive", machine("DISTRIBUTED", "STANDARD", "", FLAKY.replace("\"NumericEquals\":3,", "\"NumericEquals\":-1,")));
            String exec = sfn.startExecution(r -> r.stateMachineArn(m).input("[2]")).executionArn();
            assertEquals(ExecutionStatus.FAILED, Sfn.awaitDone(sfn, exec).status());
            String mapRun = sfn.listMapRuns(r -> r.executionArn(exec)).mapRuns().get(0).mapRunArn();
            String child = sfn.listExecutions(r -> r.mapRunArn(mapRun)).executions().get(0).executionArn();
            assertEquals(ExecutionStatus.FAILED, sfn.describeExecution(r -> r.executionArn(child)).status());
            SfnException neither = assertThrows(SfnException.class, () -> sfn.listExecutions(r -> { }));
            assertEquals("ValidationException", neither.awsErrorDetails().errorCode());
            assertEquals("1 validation error detected: Must provide a StateMachine ARN or MapRun ARN", neither.awsErrorDetails().errorMessage());
            SfnException e = assertThrows(SfnException.class, () -> sfn.redriveExecution(r -> r.executionArn(child)));
            assertEquals("ExecutionNotRedrivable", e.awsErrorDetails().errorCode());
            assertTrue(e.awsErrorDetails().errorMessage().contains(mapRun), e.awsErrorDetails().errorMessage());
            assertEquals(ExecutionStatus.FAILED, sfn.describeExecution(r -> r.executionArn(child)).status());
            assertEquals(ExecutionStatus.FAILED, sfn.describeExecution(r -> r.executionArn(exec)).status());
            // through the parent it is redriven
            sfn.redriveExecution(r -> r.executionArn(exec));
            assertEquals(ExecutionStatus.SUCCEEDED, Sfn.awaitDone(sfn, exec).status());
            assertEquals(1, sfn.describeExecution(r -> r.executionArn(child)).redriveCount());
        }
    }

    @Test
    void aRedrivenInlineMapReRunsItsIterationsWithinMaxConcurrency() {
        String processor = """
                {"Check":{"Type":"Choice","Choices":[{"Not":{"Variable":"$","NumericEquals":3},"Next":"Pause"},
                   {"Variable":"$$.Execution.RedriveCount","NumericGreaterThan":0,"Next":"Pause"}]},
                 "Pause":{"Type":"Wait","Seconds":5,"End":true}}""";
        try (SfnClient sfn = Sfn.client(account)) {
            String m = Sfn.create(sfn, account, "inline-redrive", machine("INLINE", "STANDARD", "\"MaxConcurrency\":1,\"ToleratedFailureCount\":1,", processor));
            String exec = sfn.startExecution(r -> r.stateMachineArn(m).input("[3,3,1]")).executionArn();
            var failed = Sfn.awaitDone(sfn, exec);
            // items 3 match no choice before a redrive: two failed iterations, one tolerated
            assertEquals("States.ExceedToleratedFailureThreshold", failed.error());
            int before = Sfn.history(sfn, exec).size();

            sfn.redriveExecution(r -> r.executionArn(exec));
            List<String> after = Sfn.types(Sfn.history(sfn, exec));
            after = after.subList(before, after.size());
            assertEquals(1, after.stream().filter("WaitStateEntered"::equals).count(), "one iteration at a time: " + after);
            for (int i = 0; i < 3; i++) Oboro.advance(Duration.ofSeconds(5));
            var done = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, done.status(), done.error() + " " + done.cause());
            assertEquals("[3,3,1]", done.output());
            after = Sfn.types(Sfn.history(sfn, exec));
            after = after.subList(before, after.size());
            assertEquals(List.of("MapIterationStarted", "MapIterationSucceeded", "MapIterationStarted", "MapIterationSucceeded",
                    "MapIterationStarted", "MapIterationSucceeded"), after.stream().filter(t -> t.startsWith("MapIteration")).toList());
        }
    }

    @Test
    void expressChildrenFollowMaxConcurrencyAndUpdateMapRun() {
        try (SfnClient sfn = Sfn.client(account)) {
            String m = Sfn.create(sfn, account, "express-fan-out", machine("DISTRIBUTED", "EXPRESS", "\"MaxConcurrency\":1,",
                    "{\"Check\":{\"Type\":\"Wait\",\"Seconds\":10,\"End\":true}}"));
            String exec = sfn.startExecution(r -> r.stateMachineArn(m).input("[1,2,3]")).executionArn();
            String mapRun = sfn.listMapRuns(r -> r.executionArn(exec)).mapRuns().get(0).mapRunArn();
            DescribeMapRunResponse d = sfn.describeMapRun(r -> r.mapRunArn(mapRun));
            assertEquals(MapRunStatus.RUNNING, d.status());
            assertEquals(1L, d.executionCounts().running());
            assertEquals(2L, d.executionCounts().pending());

            sfn.updateMapRun(r -> r.mapRunArn(mapRun).maxConcurrency(3));
            d = sfn.describeMapRun(r -> r.mapRunArn(mapRun));
            assertEquals(3, d.maxConcurrency());
            assertEquals(3L, d.executionCounts().running());

            Oboro.advance(Duration.ofSeconds(10));
            var done = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, done.status(), done.error() + " " + done.cause());
            assertEquals("[1,2,3]", done.output());
            assertEquals(3L, sfn.describeMapRun(r -> r.mapRunArn(mapRun)).itemCounts().succeeded());
            SfnException e = assertThrows(SfnException.class, () -> sfn.listExecutions(r -> r.mapRunArn(mapRun)));
            assertEquals("StateMachineTypeNotSupported", e.awsErrorDetails().errorCode());
        }
    }

    @Test
    void stoppingTheParentAbortsTheMapRun() {
        try (SfnClient sfn = Sfn.client(account)) {
            String m = Sfn.create(sfn, account, "stopped-fan-out", machine("DISTRIBUTED", "STANDARD", "",
                    "{\"Check\":{\"Type\":\"Wait\",\"Seconds\":3600,\"End\":true}}"));
            String exec = sfn.startExecution(r -> r.stateMachineArn(m).input("[1,2]")).executionArn();
            String mapRun = sfn.listMapRuns(r -> r.executionArn(exec)).mapRuns().get(0).mapRunArn();
            sfn.stopExecution(r -> r.executionArn(exec));
            assertEquals(MapRunStatus.ABORTED, sfn.describeMapRun(r -> r.mapRunArn(mapRun)).status());
            Sfn.await("children aborted", () -> sfn.listExecutions(r -> r.mapRunArn(mapRun)).executions().stream()
                    .allMatch(c -> c.status() == ExecutionStatus.ABORTED));
        }
    }

    @Test
    void mapRunErrors() {
        try (SfnClient sfn = Sfn.client(account)) {
            String missing = "arn:aws:states:us-east-1:" + account + ":mapRun:nope/Fan:00000000-0000-0000-0000-000000000000";
            SfnException e = assertThrows(SfnException.class, () -> sfn.describeMapRun(r -> r.mapRunArn(missing)));
            assertEquals("ResourceNotFound", e.awsErrorDetails().errorCode());
            e = assertThrows(SfnException.class, () -> sfn.updateMapRun(r -> r.mapRunArn(missing).maxConcurrency(1)));
            assertEquals("ResourceNotFound", e.awsErrorDetails().errorCode());
            e = assertThrows(SfnException.class, () -> sfn.listMapRuns(r -> r.executionArn("arn:aws:states:us-east-1:" + account + ":execution:nope:x")));
            assertEquals("ExecutionDoesNotExist", e.awsErrorDetails().errorCode());
            // an inline Map makes no Map Run
            String m = Sfn.create(sfn, account, "inline-fan-out", machine("INLINE", "STANDARD", "", "{\"Check\":{\"Type\":\"Pass\",\"End\":true}}"));
            String exec = sfn.startExecution(r -> r.stateMachineArn(m).input("[1]")).executionArn();
            assertEquals(ExecutionStatus.SUCCEEDED, Sfn.awaitDone(sfn, exec).status());
            assertEquals(0, sfn.listMapRuns(r -> r.executionArn(exec)).mapRuns().size());
            assertTrue(Sfn.history(sfn, exec).stream().anyMatch(h -> h.type() == HistoryEventType.MAP_ITERATION_STARTED));
        }
    }
}
