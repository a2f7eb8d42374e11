package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The TestState API: runs one state once (no waiting: a Wait state returns at once) and reports the data at
 * each processing step. https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
 */
final class TestStateRunner {
    private final AslEngine engine;
    private final Clock clock;
    private final RandomGenerator random;

    TestStateRunner(AslEngine engine, Clock clock, RandomGenerator random) {
        this.engine = engine;
        this.clock = clock;
        this.random = random;
    }

    private String input, afterInputPath, afterParameters, afterArguments, result, afterResultSelector, afterResultPath;
    private final Map<String, String> assigned = new LinkedHashMap<>();

    TestStateResult run(TestStateRequest req) {
        JsonNode st = Json.parse(req.stateDefinition());
        String type = st.path("Type").asText();
        boolean jsonata = "JSONata".equals(st.path("QueryLanguage").asText());
        JsonNode raw = Json.parse(req.input() == null ? "{}" : req.input());
        ObjectNode vars = req.variables() == null ? Json.obj() : (ObjectNode) Json.parse(req.variables());
        input = Json.write(raw);
        Instant now = clock.instant();
        ObjectNode ctx = Json.obj();
        ctx.set("Execution", Json.mapOf("Id", "arn:aws:states:us-east-1:123456789012:execution:TestStateMachine:test", "Input", raw,
                "Name", "test", "RoleArn", req.roleArn(), "StartTime", now.toString()));
        ctx.set("State", Json.mapOf("EnteredTime", now.toString(), "Name", "TestState", "RetryCount", 0));
        ctx.set("StateMachine", Json.mapOf("Id", "arn:aws:states:us-east-1:123456789012:stateMachine:TestStateMachine", "Name", "TestStateMachine"));
        PathContext pc = new PathContext(raw, ctx, vars::get, random);
        ObjectNode states = Json.obj();
        states.set("input", raw);
        states.set("context", ctx);
        JsonataEval.Bindings b = new JsonataEval.Bindings(states, vars::get, random, now);
        try {
            switch (type) {
                case "Pass", "Wait", "Succeed" -> {
                    JsonNode out;
                    ObjectNode assign = null;
                    if (jsonata) {
                        out = st.has("Output") ? JsonataEval.template(st.get("Output"), b, "Output") : raw;
                        if (st.has("Assign")) assign = (ObjectNode) JsonataEval.template(st.get("Assign"), b, "Assign");
                    } else {
                        JsonNode eff = DataFlow.selectPath(st, "InputPath", pc);
                        afterInputPath = Json.write(eff);
                        JsonNode res = eff;
                        if (type.equals("Pass")) {
                            res = st.has("Parameters") ? DataFlow.payload(st.get("Parameters"), pc.withInput(eff)) : eff;
                            afterParameters = Json.write(res);
                            if (st.has("Result")) res = st.get("Result");
                            result = Json.write(res);
                        }
                        if (st.has("Assign")) assign = (ObjectNode) DataFlow.payload(st.get("Assign"), pc.withInput(res));
                        JsonNode arp = type.equals("Pass") ? DataFlow.resultPath(st, raw, res) : eff;
                        afterResultPath = Json.write(arp);
                        out = DataFlow.selectPath(st, "OutputPath", pc.withInput(arp));
                    }
                    record(assign);
                    return done("SUCCEEDED", out, null, null, type.equals("Succeed") || st.path("End").asBoolean(false) ? null : st.path("Next").asText(null));
                }
                case "Fail" -> {
                    String error = st.path("Error").asText(null), cause = st.path("Cause").asText(null);
                    if (jsonata) {
                        JsonNode e = JsonataEval.template(st.get("Error"), b, "Error"), c = JsonataEval.template(st.get("Cause"), b, "Cause");
                        error = e == null ? null : e.asText();
                        cause = c == null ? null : c.asText();
                    } else {
                        if (st.has("ErrorPath")) error = DataFlow.nz(resolve(pc, st.get("ErrorPath").asText())).asText();
                        if (st.has("CausePath")) cause = DataFlow.nz(resolve(pc, st.get("CausePath").asText())).asText();
                    }
                    return done("FAILED", null, error, cause, null);
                }
                case "Choice" -> {
                    String next = null;
                    JsonNode out = raw;
                    if (jsonata) {
                        for (JsonNode rule : st.path("Choices")) {
                            JsonNode c = JsonataEval.eval(rule.path("Condition").asText(), b, "Condition");
                            if (c != null && c.asBoolean(false)) {
                                next = rule.path("Next").asText();
                                if (rule.has("Output")) out = JsonataEval.template(rule.get("Output"), b, "Output");
                                break;
                            }
                        }
                    } else {
                        JsonNode eff = DataFlow.selectPath(st, "InputPath", pc);
                        afterInputPath = Json.write(eff);
                        for (JsonNode rule : st.path("Choices")) {
                            if (ChoiceRules.eval(rule, pc.withInput(eff))) { next = rule.path("Next").asText(); break; }
                        }
                        out = DataFlow.selectPath(st, "OutputPath", pc.withInput(eff));
                    }
                    if (next == null) next = st.path("Default").asText(null);
                    if (next == null) return done("FAILED", null, "States.NoChoiceMatched", "No Matches!", null);
                    return done("SUCCEEDED", out, null, null, next);
                }
                case "Task" -> {
                    JsonNode params;
                    if (jsonata) {
                        params = st.has("Arguments") ? JsonataEval.template(st.get("Arguments"), b, "Arguments") : raw;
                        afterArguments = Json.write(params);
                    } else {
                        JsonNode eff = DataFlow.selectPath(st, "InputPath", pc);
                        afterInputPath = Json.write(eff);
                        params = st.has("Parameters") ? DataFlow.payload(st.get("Parameters"), pc.withInput(eff)) : eff;
                        afterParameters = Json.write(params);
                    }
                    String error = req.mockError(), cause = req.mockCause();
                    JsonNode res = req.mockResult() == null ? null : Json.parse(req.mockResult());
                    if (res == null && error == null) {
                        if (req.taskRunner() == null) throw new IllegalArgumentException("TestState of a Task needs a mock or a task runner");
                        String arn = st.path("Resource").asText();
                        AslEngine.Resource r = AslEngine.resource(arn, "us-east-1");
                        TaskRequest tr = new TaskRequest(null, "test", "TestState", arn, r.type(), r.name(),
                                r.pattern(), params, null, null, null, null, r.region(), 0);
                        TestStateRequest.TaskOutcome o = req.taskRunner().apply(tr);
                        if (o.error() != null) { error = o.error(); cause = o.cause(); } else res = Json.parse(o.output());
                    }
                    if (error != null) return handleError(st, jsonata, raw, error, cause, b, pc);
                    result = Json.write(res);
                    JsonNode out;
                    ObjectNode assign = null;
                    if (jsonata) {
                        states.set("result", res);
                        out = st.has("Output") ? JsonataEval.template(st.get("Output"), b, "Output") : res;
                        if (st.has("Assign")) assign = (ObjectNode) JsonataEval.template(st.get("Assign"), b, "Assign");
                    } else {
                        JsonNode sel = st.has("ResultSelector") ? DataFlow.payload(st.get("ResultSelector"), pc.withInput(res)) : res;
                        afterResultSelector = Json.write(sel);
                        if (st.has("Assign")) assign = (ObjectNode) DataFlow.payload(st.get("Assign"), pc.withInput(sel));
                        JsonNode arp = DataFlow.resultPath(st, raw, sel);
                        afterResultPath = Json.write(arp);
                        out = DataFlow.selectPath(st, "OutputPath", pc.withInput(arp));
                    }
                    record(assign);
                    return done("SUCCEEDED", out, null, null, st.path("End").asBoolean(false) ? null : st.path("Next").asText(null));
                }
                default -> throw new IllegalArgumentException("TestState does not support states of type " + type);
            }
        } catch (AslError e) {
            if (type.equals("Task")) return handleError(st, jsonata, raw, e.error(), e.cause(), b, pc);
            return done("FAILED", null, e.error(), e.cause(), null);
        }
    }

    private static JsonNode resolve(PathContext pc, String expr) {
        return Intrinsics.looksLikeCall(expr) ? Intrinsics.eval(expr, pc) : pc.resolve(expr);
    }

    private TestStateResult handleError(JsonNode st, boolean jsonata, JsonNode raw, String error, String cause, JsonataEval.Bindings b, PathContext pc) {
        for (JsonNode r : st.path("Retry")) {
            if (AslEngine.errorMatches(r.path("ErrorEquals"), error)) {
                if (r.path("MaxAttempts").asInt(3) > 0) return done("RETRIABLE", null, error, cause, null);
                break;
            }
        }
        for (JsonNode c : st.path("Catch")) {
            if (!AslEngine.errorMatches(c.path("ErrorEquals"), error)) continue;
            ObjectNode eo = Json.mapOf("Error", error, "Cause", cause);
            JsonNode out;
            if (jsonata) {
                b.states().set("errorOutput", eo);
                out = c.has("Output") ? JsonataEval.template(c.get("Output"), b, "Output") : eo;
            } else {
                JsonNode rp = c.get("ResultPath");
                out = rp == null ? eo : rp.isNull() ? raw : DataFlow.applyResultPath(rp.asText(), raw, eo);
            }
            return done("CAUGHT_ERROR", out, error, cause, c.path("Next").asText());
        }
        return done("FAILED", null, error, cause, null);
    }

    private void record(ObjectNode assign) {
        if (assign != null) assign.fields().forEachRemaining(e -> assigned.put(e.getKey(), Json.write(e.getValue())));
    }

    private TestStateResult done(String status, JsonNode out, String error, String cause, String next) {
        return new TestStateResult(status, out == null ? null : Json.write(out), error, cause, next,
                new TestStateResult.Inspection(input, afterInputPath, afterParameters, afterArguments, result, afterResultSelector, afterResultPath,
                        assigned.isEmpty() ? null : Map.copyOf(assigned)));
    }
}
