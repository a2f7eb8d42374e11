package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A TaskInvoker that answers from a script: per Resource ARN, a queue of outcomes
 * ({"output": ...} | {"error": "...", "cause": "..."} | {"submit": ...} | {"hold": true}).
 * Without a script, a task echoes its parameters.
 */
final class ScriptedInvoker implements TaskInvoker {
    AslEngine engine;
    final Map<String, Deque<JsonNode>> script = new HashMap<>();
    final List<TaskRequest> invoked = new ArrayList<>();
    final List<TaskRequest> held = new ArrayList<>();
    final List<TaskRequest> cancelled = new ArrayList<>();

    ScriptedInvoker(JsonNode tasks) {
        if (tasks != null) tasks.fields().forEachRemaining(e -> {
            Deque<JsonNode> q = new ArrayDeque<>();
            e.getValue().forEach(q::add);
            script.put(e.getKey(), q);
        });
    }

    @Override
    public void invoke(TaskRequest r) {
        invoked.add(r);
        Deque<JsonNode> q = script.get(r.resource());
        JsonNode o = q == null || q.isEmpty() ? null : (q.size() == 1 && q.peek().path("repeat").asBoolean(false) ? q.peek() : q.poll());
        if (o == null) {
            engine.taskSucceeded(r.executionArn(), r.taskId(), Json.write(r.parameters()));
        } else if (o.has("error")) {
            engine.taskFailed(r.executionArn(), r.taskId(), o.get("error").asText(), o.hasNonNull("cause") ? o.get("cause").asText() : null);
        } else if (o.has("hold")) {
            held.add(r);
        } else if (o.has("submit")) {
            engine.taskSubmitted(r.executionArn(), r.taskId(), Json.write(o.get("submit")));
            if (o.has("output")) engine.taskSucceeded(r.executionArn(), r.taskId(), Json.write(o.get("output")));
            else held.add(r);
        } else {
            engine.taskSucceeded(r.executionArn(), r.taskId(), Json.write(o.get("output")));
        }
    }

    @Override
    public void cancel(TaskRequest r) { cancelled.add(r); }
}
