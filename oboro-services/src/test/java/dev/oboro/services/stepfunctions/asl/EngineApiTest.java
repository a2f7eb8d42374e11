package dev.oboro.services.stepfunctions.asl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/** The engine's host-facing API: snapshot/restore, SDK history objects, TestState, tokens and diagnostics. */
class EngineApiTest {
    static final String DEF = """
            {"StartAt": "W", "States": {
              "W": {"Type": "Wait", "Seconds": 3600, "Next": "M"},
              "M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}""";

    @Test
    void snapshotDuringWaitRestoresIntoANewEngineAndCompletes() {
        FakeTime time = new FakeTime(ConformanceTest.T0);
        AslEngine a = AslEngine.builder().clock(time).scheduler(time).random(new SplittableRandom(1)).build();
        a.start(new AslEngine.StartRequest(ConformanceTest.EXEC, ConformanceTest.SM, "exec1", ConformanceTest.ROLE, DEF, "{\"items\":[1,2]}"));
        time.advance(Duration.ofMinutes(10));
        String persisted = a.snapshot(ConformanceTest.EXEC).toJson();
        assertTrue(persisted.contains("\"kind\":\"WAIT\""), persisted);

        // "Restart": a new engine and scheduler, same clock; nothing of the old engine survives.
        time.clear();
        AslEngine b = AslEngine.builder().clock(time).scheduler(time).random(new SplittableRandom(1)).build();
        b.restore(ExecutionData.fromJson(persisted));
        assertEquals("RUNNING", b.execution(ConformanceTest.EXEC).orElseThrow().status);
        time.advance(Duration.ofMinutes(50));
        ExecutionData d = b.execution(ConformanceTest.EXEC).orElseThrow();
        assertEquals("SUCCEEDED", d.status);
        assertEquals("[1,2]", d.output);

        List<HistoryEvent> h = b.history(ConformanceTest.EXEC);
        assertEquals(HistoryEventType.EXECUTION_STARTED, h.get(0).type());
        assertEquals(1L, h.get(0).id());
        assertEquals(0L, h.get(0).previousEventId());
        assertEquals("{\"items\":[1,2]}", h.get(0).executionStartedEventDetails().input());
        assertEquals(false, h.get(0).executionStartedEventDetails().inputDetails().truncated());
        assertEquals(HistoryEventType.WAIT_STATE_EXITED, h.get(2).type());
        assertEquals(ConformanceTest.T0.plusSeconds(3600), h.get(2).timestamp());
        assertEquals(2, h.stream().filter(e -> e.type() == HistoryEventType.MAP_ITERATION_SUCCEEDED).count());
        assertEquals(HistoryEventType.EXECUTION_SUCCEEDED, h.get(h.size() - 1).type());
    }

    @Test
    void testStateReportsInspectionData() {
        FakeTime time = new FakeTime(ConformanceTest.T0);
        AslEngine e = AslEngine.builder().clock(time).scheduler(time).build();
        String state = """
                {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "InputPath": "$.in", "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                 "ResultSelector": {"p.$": "$.Payload"}, "ResultPath": "$.out", "OutputPath": "$.out", "Next": "Next"}""";
        TestStateResult r = e.testState(TestStateRequest.of(state, "{\"in\":{\"a\":1}}").withMockResult("{\"Payload\":{\"b\":2}}"));
        assertEquals("SUCCEEDED", r.status());
        assertEquals("Next", r.nextState());
        assertEquals("{\"p\":{\"b\":2}}", r.output());
        assertEquals("{\"a\":1}", r.inspection().afterInputPath());
        assertEquals("{\"FunctionName\":\"f\",\"Payload\":{\"a\":1}}", r.inspection().afterParameters());
        assertEquals("{\"Payload\":{\"b\":2}}", r.inspection().result());
        assertEquals("{\"p\":{\"b\":2}}", r.inspection().afterResultSelector());
        assertEquals("{\"in\":{\"a\":1},\"out\":{\"p\":{\"b\":2}}}", r.inspection().afterResultPath());

        String caught = """
                {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                 "Retry": [{"ErrorEquals": ["Retryable"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handler"}]}""";
        TestStateResult c = e.testState(TestStateRequest.of(caught, "{}").withMockError("Boom", "bad"));
        assertEquals("CAUGHT_ERROR", c.status());
        assertEquals("Handler", c.nextState());
        assertEquals("{\"err\":{\"Error\":\"Boom\",\"Cause\":\"bad\"}}", c.output());
        assertEquals("RETRIABLE", e.testState(TestStateRequest.of(caught, "{}").withMockError("Retryable", "x")).status());

        TestStateResult choice = e.testState(TestStateRequest.of("""
                {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "Small"}""", "{\"n\":5}"));
        assertEquals("Big", choice.nextState());

        TestStateResult jsonata = e.testState(TestStateRequest.of("""
                {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.n + $x %}", "Assign": {"y": "{% $x * 2 %}"}, "End": true}""", "{\"n\":5}")
                .withVariables("{\"x\":10}"));
        assertEquals("15", jsonata.output());
        assertEquals("20", jsonata.inspection().variables().get("y"));
        assertNull(jsonata.nextState());
    }

    @Test
    void unknownTokensAreRejected() {
        FakeTime time = new FakeTime(ConformanceTest.T0);
        AslEngine e = AslEngine.builder().clock(time).scheduler(time).build();
        assertEquals(AslEngine.TokenResult.INVALID_TOKEN, e.sendTaskSuccess("nope", "{}"));
        assertTrue(e.pollActivityTask("arn:aws:states:us-east-1:123456789012:activity:none", "w").isEmpty());
    }

    @Test
    void diagnosticsConvertToTheSdkTypeAndTheInvalidDefinitionMessage() {
        List<Diagnostic> d = AslEngine.validate("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"Foo\"}}}");
        assertEquals("MISSING_TRANSITION_TARGET", d.get(0).toSdk().code());
        assertEquals("/States/A/Next", d.get(0).toSdk().location());
        assertTrue(Diagnostic.invalidDefinitionMessage(d).startsWith("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Foo at /States/A/Next"),
                Diagnostic.invalidDefinitionMessage(d));
    }
}
