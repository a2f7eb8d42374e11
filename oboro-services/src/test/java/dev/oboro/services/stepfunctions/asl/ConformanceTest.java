package dev.oboro.services.stepfunctions.asl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Runs every case under src/test/resources/asl/: a state machine, its input, scripted task behaviour and steps
 * (clock advances, callbacks), and the expected history compared event for event (type, id, previousEventId,
 * and the listed details). Validation cases list the expected diagnostics instead.
 */
class ConformanceTest {
    static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    static final String SM = "arn:aws:states:us-east-1:123456789012:stateMachine:Machine";
    static final String EXEC = "arn:aws:states:us-east-1:123456789012:execution:Machine:exec1";
    static final String ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole";

    @TestFactory
    Stream<DynamicTest> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getResource("/asl").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : files) {
            JsonNode doc = Json.parse(Files.readString(f));
            List<JsonNode> cs = new ArrayList<>();
            if (doc.isArray()) doc.forEach(cs::add); else cs.add(doc);
            for (JsonNode c : cs) {
                String name = dir.relativize(f) + " :: " + c.path("name").asText();
                tests.add(DynamicTest.dynamicTest(name, () -> runCase(c)));
            }
        }
        return tests.stream();
    }

    static void runCase(JsonNode c) {
        if (c.has("validate")) { validateCase(c); return; }
        if (c.has("intrinsic")) { intrinsicCase(c); return; }
        Harness h = new Harness(c.get("tasks"));
        String def = Json.write(c.get("definition"));
        List<Diagnostic> diags = Validator.validate(def);
        assertTrue(diags.stream().noneMatch(Diagnostic::isError), "definition must be valid: " + diags);
        h.engine.start(new AslEngine.StartRequest(EXEC, SM, "exec1", ROLE, def, Json.write(c.has("input") ? c.get("input") : Json.obj())));
        for (JsonNode step : c.path("steps")) h.step(step);
        ExecutionData d = h.engine.execution(EXEC).orElseThrow();
        JsonNode exp = c.get("expect");
        ArrayNode events = h.engine.historyJson(EXEC);
        String hist = describe(events);
        if (exp.has("status")) assertEquals(exp.get("status").asText(), d.status, "status\n" + hist);
        if (exp.has("output")) assertJson(exp.get("output"), Json.parse(d.output), "output\n" + hist);
        if (exp.has("error")) assertEquals(exp.get("error").asText(), d.error, "error\n" + hist);
        if (exp.has("cause")) match(exp.get("cause"), Json.text(d.cause), "cause\n" + hist);
        if (exp.has("events")) {
            JsonNode ev = exp.get("events");
            for (int i = 0; i < ev.size(); i++) {
                JsonNode e = ev.get(i);
                if (i >= events.size()) fail("missing event #" + (i + 1) + " " + e + "\n" + hist);
                JsonNode a = events.get(i);
                String where = "event #" + (i + 1) + "\n" + hist;
                assertEquals(e.get(0).asText(), a.get("type").asText(), "type of " + where);
                assertEquals(e.get(1).asLong(), a.get("id").asLong(), "id of " + where);
                assertEquals(e.get(2).asLong(), a.get("previousEventId").asLong(), "previousEventId of " + where);
                if (e.size() > 3) {
                    JsonNode details = detailsOf(a);
                    e.get(3).fields().forEachRemaining(f -> {
                        if (f.getKey().equals("@t")) {
                            Instant ts = Instant.ofEpochMilli(a.get("timestamp").decimalValue().movePointRight(3).longValue());
                            assertEquals(T0.plusMillis((long) (f.getValue().doubleValue() * 1000)), ts, "timestamp of " + where);
                            return;
                        }
                        JsonNode actual = details == null ? null : details.get(f.getKey());
                        if (actual == null) fail("missing detail '" + f.getKey() + "' in " + where);
                        match(f.getValue(), actual, f.getKey() + " of " + where);
                    });
                }
            }
            assertEquals(ev.size(), events.size(), "event count\n" + hist);
        }
        // Every history converts to SDK model objects.
        List<HistoryEvent> sdk = h.engine.history(EXEC);
        assertEquals(events.size(), sdk.size());
        for (HistoryEvent he : sdk) assertTrue(he.type() != null && he.type() != software.amazon.awssdk.services.sfn.model.HistoryEventType.UNKNOWN_TO_SDK_VERSION, "SDK type for " + he);
    }

    static JsonNode detailsOf(JsonNode event) {
        for (var it = event.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.endsWith("EventDetails")) return event.get(k);
        }
        return null;
    }

    /** Expected value vs actual: strings starting with "~" are regexes; non-string expectations against JSON strings compare parsed. */
    static void match(JsonNode expected, JsonNode actual, String msg) {
        if (expected.isTextual() && expected.textValue().startsWith("~")) {
            assertTrue(actual != null && actual.isTextual() && actual.textValue().matches(expected.textValue().substring(1)), msg + ": " + actual + " !~ " + expected);
            return;
        }
        if (!expected.isTextual() && actual != null && actual.isTextual()) {
            assertJson(expected, Json.parse(actual.textValue()), msg);
            return;
        }
        if (expected.isObject() && actual != null && actual.isObject()) {
            expected.fields().forEachRemaining(f -> match(f.getValue(), actual.get(f.getKey()), msg + "." + f.getKey()));
            return;
        }
        assertJson(expected, actual, msg);
    }

    static void assertJson(JsonNode expected, JsonNode actual, String msg) {
        if (expected != null && actual != null && expected.isTextual() && expected.textValue().startsWith("~")) { match(expected, actual, msg); return; }
        if (expected != null && actual != null && expected.isObject() && actual.isObject()) {
            assertEquals(fieldNames(expected), fieldNames(actual), msg + " (fields)");
            expected.fields().forEachRemaining(f -> assertJson(f.getValue(), actual.get(f.getKey()), msg + "." + f.getKey()));
            return;
        }
        if (expected != null && actual != null && expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            for (int i = 0; i < expected.size(); i++) assertJson(expected.get(i), actual.get(i), msg + "[" + i + "]");
            return;
        }
        if (expected != null && actual != null && expected.isNumber() && actual.isNumber()) {
            assertEquals(0, expected.decimalValue().compareTo(actual.decimalValue()), msg + ": " + actual + " != " + expected);
            return;
        }
        assertEquals(Json.write(expected), actual == null ? "<missing>" : Json.write(actual), msg);
    }

    static Set<String> fieldNames(JsonNode n) {
        Set<String> s = new HashSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    static String describe(ArrayNode events) {
        StringBuilder sb = new StringBuilder("history:\n");
        for (JsonNode e : events) sb.append("  ").append(Json.write(e)).append('\n');
        return sb.toString();
    }

    static void validateCase(JsonNode c) {
        String def = c.get("validate").isTextual() ? c.get("validate").textValue() : Json.write(c.get("validate"));
        List<Diagnostic> diags = Validator.validate(def);
        List<String> actual = diags.stream().filter(Diagnostic::isError).map(d -> d.code() + " " + d.location()).sorted().toList();
        List<String> expected = new ArrayList<>();
        for (JsonNode e : c.path("errors")) expected.add(e.get(0).asText() + " " + (e.get(1).isNull() ? "null" : e.get(1).asText()));
        assertEquals(expected.stream().sorted().toList(), actual, "diagnostics: " + diags);
    }

    /** {"intrinsic": "States.X(...)", "input": {...}, "expect": value} or "error": "States.IntrinsicFailure". */
    static void intrinsicCase(JsonNode c) {
        ObjectNode params = Json.obj();
        params.put("r.$", c.get("intrinsic").asText());
        ObjectNode pass = Json.mapOf("Type", "Pass", "Parameters", params, "End", true);
        ObjectNode def = Json.obj();
        def.put("StartAt", "P");
        def.putObject("States").set("P", pass);
        Harness h = new Harness(null);
        h.engine.start(new AslEngine.StartRequest(EXEC, SM, "exec1", ROLE, Json.write(def), Json.write(c.has("input") ? c.get("input") : Json.obj())));
        ExecutionData d = h.engine.execution(EXEC).orElseThrow();
        if (c.has("error")) {
            assertEquals("FAILED", d.status, "status for " + c);
            assertEquals(c.get("error").asText(), d.error, "error for " + c + ": " + d.cause);
        } else {
            assertEquals("SUCCEEDED", d.status, "status for " + c + ": " + d.error + " " + d.cause);
            assertJson(c.get("expect"), Json.parse(d.output).get("r"), "result of " + c.get("intrinsic").asText());
        }
    }

    /** Engine + fake time + scripted invoker, and the steps a case can take. */
    static final class Harness {
        final FakeTime time = new FakeTime(T0);
        final ScriptedInvoker invoker;
        AslEngine engine;
        String lastToken;

        Harness(JsonNode tasks) {
            invoker = new ScriptedInvoker(tasks);
            engine = newEngine();
        }

        AslEngine newEngine() {
            AslEngine e = AslEngine.builder().clock(time).scheduler(time).taskInvoker(invoker).random(new SplittableRandom(42)).build();
            invoker.engine = e;
            return e;
        }

        String token() {
            if (lastToken != null) return lastToken;
            for (int i = invoker.invoked.size() - 1; i >= 0; i--) if (invoker.invoked.get(i).taskToken() != null) return invoker.invoked.get(i).taskToken();
            fail("no task token");
            return null;
        }

        void step(JsonNode s) {
            if (s.has("advance")) time.advance(Duration.ofMillis((long) (s.get("advance").doubleValue() * 1000)));
            else if (s.has("sendTaskSuccess")) assertEquals(AslEngine.TokenResult.OK, engine.sendTaskSuccess(token(), Json.write(s.get("sendTaskSuccess"))));
            else if (s.has("sendTaskFailure")) assertEquals(AslEngine.TokenResult.OK, engine.sendTaskFailure(token(), s.get("sendTaskFailure").path("error").asText(null), s.get("sendTaskFailure").path("cause").asText(null)));
            else if (s.has("sendTaskHeartbeat")) assertEquals(AslEngine.TokenResult.OK, engine.sendTaskHeartbeat(token()));
            else if (s.has("poll")) {
                ActivityTask t = engine.pollActivityTask(s.get("poll").asText(), s.path("worker").asText("worker")).orElse(null);
                lastToken = t == null ? null : t.taskToken();
                assertTrue(lastToken != null, "activity task expected");
            } else if (s.has("completeHeld")) {
                TaskRequest r = invoker.held.remove(0);
                JsonNode o = s.get("completeHeld");
                if (o.has("error")) engine.taskFailed(r.executionArn(), r.taskId(), o.get("error").asText(), o.path("cause").asText(null));
                else engine.taskSucceeded(r.executionArn(), r.taskId(), Json.write(o.get("output")));
            } else if (s.has("stop")) engine.stop(EXEC, s.get("stop").path("error").asText(null), s.get("stop").path("cause").asText(null));
            else if (s.has("redrive")) engine.redrive(EXEC);
            else if (s.has("script")) s.get("script").fields().forEachRemaining(e -> {
                var q = new java.util.ArrayDeque<JsonNode>();
                e.getValue().forEach(q::add);
                invoker.script.put(e.getKey(), q);
            });
            else if (s.has("restart")) {
                ExecutionData snap = ExecutionData.fromJson(engine.snapshot(EXEC).toJson());
                time.clear();
                engine = newEngine();
                engine.restore(snap);
            } else fail("unknown step " + s);
        }
    }

    static Map<String, String> unused() { return null; }

    static InputStream res(String p) { return ConformanceTest.class.getResourceAsStream(p); }
}
