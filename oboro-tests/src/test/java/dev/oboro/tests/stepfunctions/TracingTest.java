package dev.oboro.tests.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.Segment;
import software.amazon.awssdk.services.xray.model.Trace;
import software.amazon.awssdk.services.xray.model.TraceSummary;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TracingConfiguration: a traced execution is an X-Ray trace with a StateMachine segment and subsegments per state and task. */
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
class TracingTest {
    static final String DEF = """
            {"StartAt":"Prepare","States":{
              "Prepare":{"Type":"Pass","Next":"WhoAmI"},
              "WhoAmI":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sts:getCallerIdentity","Next":"Done"},
              "Done":{"Type":"Succeed"}}}""";
    static final Pattern ROOT = Pattern.compile("Root=(1-[0-9a-f]{8}-[0-9a-f]{24})");
    final String account = Oboro.newAccount();
    final ObjectMapper json = new ObjectMapper();

    @Test
    void tracedExecutionsAreXRayTraces() throws Exception {
        try (SfnClient sfn = Sfn.client(account); XRayClient xray = Oboro.client(XRayClient.builder(), account)) {
            String machine = sfn.createStateMachine(r -> r.name("traced").roleArn(Sfn.role(account)).definition(DEF)
                    .tracingConfiguration(t -> t.enabled(true))).stateMachineArn();
            String exec = sfn.startExecution(r -> r.stateMachineArn(machine)).executionArn();
            var done = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, done.status());
            Matcher m = ROOT.matcher(done.traceHeader());
            assertTrue(m.find(), done.traceHeader());
            String traceId = m.group(1);

            assertTrue(summaries(xray).stream().anyMatch(s -> s.id().equals(traceId)), "trace summary for " + traceId);
            Trace trace = xray.batchGetTraces(r -> r.traceIds(traceId)).traces().get(0);
            assertEquals(1, trace.segments().size());
            JsonNode seg = json.readTree(trace.segments().get(0).document());
            assertEquals("traced", seg.get("name").asText());
            assertEquals("AWS::StepFunctions::StateMachine", seg.get("origin").asText());
            assertEquals(exec, seg.get("aws").get("execution_arn").asText());
            assertFalse(seg.has("error"));
            List<String> states = new ArrayList<>();
            seg.get("subsegments").forEach(s -> states.add(s.get("name").asText()));
            assertEquals(List.of("Prepare", "WhoAmI", "Done"), states);
            JsonNode task = seg.get("subsegments").get(1).get("subsegments").get(0);
            assertEquals("aws-sdk:sts", task.get("name").asText());
            assertTrue(task.get("end_time").asDouble() >= task.get("start_time").asDouble());

            // without tracing and without a trace header: no trace
            String plain = Sfn.create(sfn, account, "untraced", DEF);
            String e2 = sfn.startExecution(r -> r.stateMachineArn(plain)).executionArn();
            assertEquals(null, Sfn.awaitDone(sfn, e2).traceHeader());
            assertEquals(1, summaries(xray).size());
        }
    }

    @Test
    void aSampledTraceHeaderJoinsTheCallersTraceEvenWithoutTracing() throws Exception {
        try (SfnClient sfn = Sfn.client(account); XRayClient xray = Oboro.client(XRayClient.builder(), account)) {
            String machine = sfn.createStateMachine(r -> r.name("express-untraced").type("EXPRESS").roleArn(Sfn.role(account))
                    .definition("{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\",\"Error\":\"E\"}}}")).stateMachineArn();
            String traceId = String.format("1-%08x-0123456789abcdef01234567", Oboro.server().oboro().clock().instant().getEpochSecond());
            var done = sfn.startSyncExecution(r -> r.stateMachineArn(machine).traceHeader("Root=" + traceId + ";Parent=1234567890abcdef;Sampled=1"));
            assertEquals(SyncExecutionStatus.FAILED, done.status());
            Trace trace = xray.batchGetTraces(r -> r.traceIds(traceId)).traces().get(0);
            Segment s = trace.segments().get(0);
            JsonNode seg = json.readTree(s.document());
            assertEquals("1234567890abcdef", seg.get("parent_id").asText());
            assertTrue(seg.get("error").asBoolean());
            assertNotNull(seg.get("subsegments").get(0).get("error"));
        }
    }

    @Test
    void aTracedExecutionsLambdaTaskRunsInTheExecutionsTrace() throws Exception {
        String fn = LambdaIntegrationTest.pythonFunction(account, "traced-task", "def handler(event, context):\n    return {'ok': True}\n");
        String def = """
                {"StartAt":"Invoke","States":{
                  "Invoke":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"%s"},"End":true}}}"""
                .formatted(fn);
        try (SfnClient sfn = Sfn.client(account); XRayClient xray = Oboro.client(XRayClient.builder(), account)) {
            String machine = sfn.createStateMachine(r -> r.name("traced-lambda").roleArn(Sfn.role(account)).definition(def)
                    .tracingConfiguration(t -> t.enabled(true))).stateMachineArn();
            String exec = sfn.startExecution(r -> r.stateMachineArn(machine)).executionArn();
            var done = Sfn.awaitDone(sfn, exec);
            assertEquals(ExecutionStatus.SUCCEEDED, done.status(), done.cause());
            Matcher m = ROOT.matcher(done.traceHeader());
            assertTrue(m.find(), done.traceHeader());
            String traceId = m.group(1);
            // Lambda writes its segments off the invocation's path: wait (bounded) for all three
            java.util.Map<String, JsonNode> byOrigin = new java.util.HashMap<>();
            long until = System.nanoTime() + 10_000_000_000L;
            while (byOrigin.size() < 3) {
                assertTrue(System.nanoTime() < until, "one trace with the execution's and the function's segments: " + byOrigin.keySet());
                byOrigin.clear();
                for (Trace t : xray.batchGetTraces(r -> r.traceIds(traceId)).traces()) {
                    for (Segment s : t.segments()) {
                        JsonNode doc = json.readTree(s.document());
                        byOrigin.put(doc.path("origin").asText(), doc);
                    }
                }
                if (byOrigin.size() < 3) Thread.sleep(20);
            }
            JsonNode machineSeg = byOrigin.get("AWS::StepFunctions::StateMachine");
            JsonNode task = machineSeg.path("subsegments").get(0).path("subsegments").get(0);
            assertEquals("lambda", task.path("name").asText(), machineSeg.toString());
            JsonNode service = byOrigin.get("AWS::Lambda");
            assertNotNull(service, byOrigin.keySet().toString());
            assertEquals(task.path("id").asText(), service.path("parent_id").asText(), "the function's segments are children of the task's subsegment");
            assertEquals(traceId, service.path("trace_id").asText());
            assertEquals(service.path("id").asText(), byOrigin.get("AWS::Lambda::Function").path("parent_id").asText());
        }
    }

    private static List<TraceSummary> summaries(XRayClient xray) {
        Instant now = Oboro.server().oboro().clock().instant();
        List<TraceSummary> out = new ArrayList<>();
        xray.getTraceSummariesPaginator(r -> r.startTime(now.minusSeconds(600)).endTime(now.plusSeconds(60))).traceSummaries().forEach(out::add);
        return out;
    }
}
