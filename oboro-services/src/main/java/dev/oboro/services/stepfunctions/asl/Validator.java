package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Definition checks as CreateStateMachine and ValidateStateMachineDefinition make them, reported with AWS's
 * codes (SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, ...) and the JSON location of the problem.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html
 */
public final class Validator {
    static final String SCHEMA = "SCHEMA_VALIDATION_FAILED";
    private static final Set<String> TOP = Set.of("Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage");
    private static final Set<String> SCOPE = Set.of("Comment", "StartAt", "States", "ProcessorConfig", "QueryLanguage");
    private static final Set<String> JSONPATH_ONLY = Set.of("InputPath", "OutputPath", "Parameters", "ResultPath", "ResultSelector",
            "ItemsPath", "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
            "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath", "Iterator", "Result");
    private static final Set<String> JSONATA_ONLY = Set.of("Arguments", "Output", "Items");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "Pass", Set.of("Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign", "Output"),
            "Task", Set.of("Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource", "TimeoutSeconds",
                    "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "Credentials", "Assign", "Arguments", "Output"),
            "Choice", Set.of("InputPath", "OutputPath", "Choices", "Default", "Assign", "Output"),
            "Wait", Set.of("Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign", "Output"),
            "Succeed", Set.of("InputPath", "OutputPath", "Output"),
            "Fail", Set.of("Error", "Cause", "ErrorPath", "CausePath"),
            "Parallel", Set.of("Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Branches", "Retry", "Catch",
                    "Assign", "Arguments", "Output"),
            "Map", Set.of("Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "ItemsPath", "Items", "ItemSelector",
                    "ItemProcessor", "Iterator", "MaxConcurrency", "MaxConcurrencyPath", "ItemReader", "ItemBatcher", "ResultWriter",
                    "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
                    "Label", "Retry", "Catch", "Assign", "Output"));
    private static final Set<String> COMMON = Set.of("Type", "Comment", "QueryLanguage");
    private static final Pattern RESOURCE = Pattern.compile("^arn:aws[a-z-]*:(states|lambda|[a-z0-9-]+):[a-z0-9-]*:(\\d{12})?:.+$");
    private static final Pattern VARIABLE = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");

    private final List<Diagnostic> out = new ArrayList<>();

    private Validator() {}

    public static List<Diagnostic> validate(String definition) {
        Validator v = new Validator();
        if (definition == null || definition.isBlank()) {
            v.out.add(Diagnostic.error("MISSING_DESCRIPTION", "The definition is empty", null));
            return v.out;
        }
        JsonNode root;
        try {
            root = Json.parse(definition);
        } catch (IllegalArgumentException e) {
            v.out.add(Diagnostic.error("INVALID_JSON_DESCRIPTION", "Invalid JSON: " + e.getMessage(), null));
            return v.out;
        }
        if (!root.isObject()) {
            v.out.add(Diagnostic.error("INVALID_JSON_DESCRIPTION", "The definition must be a JSON object", null));
            return v.out;
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP.contains(f)) v.schema("Field \"" + f + "\" is not supported", "/" + f);
        }
        if (root.has("TimeoutSeconds") && !(Json.isInteger(root.get("TimeoutSeconds")) && root.get("TimeoutSeconds").longValue() >= 0))
            v.schema("The value for the field 'TimeoutSeconds' must be a non-negative integer", "/TimeoutSeconds");
        boolean jsonata = false;
        if (root.has("QueryLanguage")) {
            String ql = root.get("QueryLanguage").asText();
            if (!ql.equals("JSONPath") && !ql.equals("JSONata")) v.schema("The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", "/QueryLanguage");
            jsonata = ql.equals("JSONata");
        }
        v.scope(root, "", jsonata, jsonata, false);
        return v.out;
    }

    private void schema(String msg, String loc) { out.add(Diagnostic.error(SCHEMA, msg, loc)); }

    private void scope(JsonNode node, String loc, boolean jsonata, boolean topJsonata, boolean nested) {
        if (nested) {
            for (var it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!SCOPE.contains(f)) schema("Field \"" + f + "\" is not supported", loc + "/" + f);
            }
        }
        List<String> missing = new ArrayList<>();
        if (!node.hasNonNull("StartAt")) missing.add("StartAt");
        if (!node.hasNonNull("States")) missing.add("States");
        if (!missing.isEmpty()) {
            schema("These fields are required: " + missing, loc.isEmpty() ? "/" : loc);
            return;
        }
        if (!node.get("StartAt").isTextual()) { schema("The value for the field 'StartAt' must be a STRING", loc + "/StartAt"); return; }
        if (!node.get("States").isObject()) { schema("The value for the field 'States' must be an OBJECT", loc + "/States"); return; }
        String startAt = node.get("StartAt").asText();
        JsonNode states = node.get("States");
        if (!states.has(startAt)) out.add(Diagnostic.error("MISSING_TRANSITION_TARGET", "Missing 'StartAt' target: " + startAt, loc + "/StartAt"));
        boolean terminal = false;
        for (var it = states.fields(); it.hasNext(); ) {
            var e = it.next();
            if (state(e.getKey(), e.getValue(), loc + "/States/" + e.getKey(), states, jsonata, topJsonata)) terminal = true;
        }
        if (!terminal && states.size() > 0) out.add(Diagnostic.error("MISSING_END_STATE", "Workflow has no terminal state", loc.isEmpty() ? "/" : loc));
        // Reachability from StartAt through Next, Default, Choices and Catch.
        if (states.has(startAt)) {
            Set<String> seen = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(List.of(startAt));
            while (!todo.isEmpty()) {
                String s = todo.pop();
                if (!seen.add(s) || !states.has(s)) continue;
                for (String t : targets(states.get(s))) todo.push(t);
            }
            for (var it = states.fieldNames(); it.hasNext(); ) {
                String s = it.next();
                if (!seen.contains(s)) out.add(Diagnostic.error("UNREACHABLE_STATE", "State \"" + s + "\" is not reachable", loc + "/States/" + s));
            }
        }
    }

    private static Set<String> targets(JsonNode st) {
        Set<String> t = new LinkedHashSet<>();
        if (st.hasNonNull("Next")) t.add(st.get("Next").asText());
        if (st.hasNonNull("Default")) t.add(st.get("Default").asText());
        for (JsonNode c : st.path("Choices")) if (c.hasNonNull("Next")) t.add(c.get("Next").asText());
        for (JsonNode c : st.path("Catch")) if (c.hasNonNull("Next")) t.add(c.get("Next").asText());
        return t;
    }

    /** Returns true when the state can end the workflow. */
    private boolean state(String name, JsonNode st, String loc, JsonNode states, boolean scopeJsonata, boolean topJsonata) {
        if (name.length() > 80) out.add(Diagnostic.error("INVALID_STATE_NAME", "State name \"" + name + "\" exceeds 80 characters", loc));
        if (!st.isObject()) { schema("The value for the state must be an OBJECT", loc); return false; }
        if (!st.hasNonNull("Type")) { schema("These fields are required: [Type]", loc); return false; }
        String type = st.get("Type").asText();
        Set<String> allowed = FIELDS.get(type);
        if (allowed == null) { schema("The value for the field 'Type' must be one of [Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map]", loc + "/Type"); return false; }
        boolean jsonata = scopeJsonata;
        if (st.has("QueryLanguage")) {
            String ql = st.get("QueryLanguage").asText();
            if (!ql.equals("JSONPath") && !ql.equals("JSONata")) schema("The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", loc + "/QueryLanguage");
            else if (topJsonata && ql.equals("JSONPath")) schema("A state cannot use JSONPath when the state machine's QueryLanguage is JSONata", loc + "/QueryLanguage");
            jsonata = ql.equals("JSONata");
        }
        for (var it = st.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (COMMON.contains(f)) continue;
            if (!allowed.contains(f)) { schema("Field \"" + f + "\" is not supported", loc + "/" + f); continue; }
            if (jsonata && JSONPATH_ONLY.contains(f)) schema("The field \"" + f + "\" is not supported for states with QueryLanguage JSONata", loc + "/" + f);
            if (!jsonata && JSONATA_ONLY.contains(f)) schema("The field \"" + f + "\" is supported only for states with QueryLanguage JSONata", loc + "/" + f);
        }
        boolean flows = !type.equals("Choice") && !type.equals("Succeed") && !type.equals("Fail");
        boolean terminal = type.equals("Succeed") || type.equals("Fail");
        if (flows) {
            boolean hasNext = st.has("Next"), end = st.path("End").asBoolean(false);
            if (st.has("End") && !st.get("End").isBoolean()) schema("The value for the field 'End' must be a BOOLEAN", loc + "/End");
            if (hasNext == end) schema("Exactly one of these fields is required: [End, Next]", loc);
            if (end) terminal = true;
            if (hasNext) target(st.get("Next"), states, "Next", loc + "/Next");
        } else if (st.has("Next") || st.has("End")) {
            // reported above as unsupported fields
        }
        if (!jsonata) {
            for (String p : List.of("InputPath", "OutputPath")) if (st.hasNonNull(p)) path(st.get(p), p, loc + "/" + p, false);
            if (st.hasNonNull("ResultPath")) path(st.get("ResultPath"), "ResultPath", loc + "/ResultPath", true);
            for (String p : List.of("SecondsPath", "TimestampPath", "ItemsPath", "TimeoutSecondsPath", "HeartbeatSecondsPath", "MaxConcurrencyPath",
                    "ToleratedFailureCountPath", "ToleratedFailurePercentagePath")) if (st.has(p)) path(st.get(p), p, loc + "/" + p, false);
            for (String p : List.of("ErrorPath", "CausePath")) if (st.has(p)) pathOrIntrinsic(st.get(p), p, loc + "/" + p);
            for (String p : List.of("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials")) if (st.has(p)) payload(st.get(p), loc + "/" + p);
        } else {
            for (String p : List.of("Arguments", "Output", "Assign", "Items", "ItemSelector", "Credentials", "Error", "Cause", "Seconds", "Timestamp",
                    "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage"))
                if (st.has(p)) jsonataTemplate(st.get(p), loc + "/" + p);
        }
        if (st.has("Assign")) assign(st.get("Assign"), loc + "/Assign");
        switch (type) {
            case "Task" -> task(st, loc, jsonata, states);
            case "Choice" -> {
                if (choice(st, loc, states, jsonata)) terminal = false;
            }
            case "Wait" -> {
                int n = 0;
                for (String f : List.of("Seconds", "Timestamp", "SecondsPath", "TimestampPath")) if (st.has(f)) n++;
                if (n != 1) schema("Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]", loc);
                if (!jsonata && st.has("Seconds") && !(Json.isInteger(st.get("Seconds")) && st.get("Seconds").longValue() >= 0))
                    schema("The value for the field 'Seconds' must be a non-negative integer", loc + "/Seconds");
                if (!jsonata && st.has("Timestamp") && ChoiceRules.timestamp(st.get("Timestamp")) == null)
                    schema("The value for the field 'Timestamp' must be a valid ISO-8601 timestamp", loc + "/Timestamp");
            }
            case "Fail" -> {
                if (st.has("Error") && st.has("ErrorPath")) schema("Only one of these fields is allowed: [Error, ErrorPath]", loc);
                if (st.has("Cause") && st.has("CausePath")) schema("Only one of these fields is allowed: [Cause, CausePath]", loc);
            }
            case "Parallel" -> {
                JsonNode b = st.get("Branches");
                if (b == null || !b.isArray() || b.isEmpty()) schema("These fields are required: [Branches]", loc);
                else for (int i = 0; i < b.size(); i++) scope(b.get(i), loc + "/Branches[" + i + "]", scopeJsonata, topJsonata, true);
                retryCatch(st, loc, states, jsonata);
            }
            case "Map" -> {
                JsonNode p = st.has("ItemProcessor") ? st.get("ItemProcessor") : st.get("Iterator");
                String pl = loc + (st.has("ItemProcessor") ? "/ItemProcessor" : "/Iterator");
                if (p == null) schema("These fields are required: [ItemProcessor]", loc);
                else scope(p, pl, scopeJsonata, topJsonata, true);
                if (st.has("ItemSelector") && st.has("Parameters")) schema("Only one of these fields is allowed: [ItemSelector, Parameters]", loc);
                if (!jsonata && st.has("MaxConcurrency") && !(Json.isInteger(st.get("MaxConcurrency")) && st.get("MaxConcurrency").intValue() >= 0))
                    schema("The value for the field 'MaxConcurrency' must be a non-negative integer", loc + "/MaxConcurrency");
                if (!jsonata && st.has("ToleratedFailurePercentage")) {
                    JsonNode v = st.get("ToleratedFailurePercentage");
                    if (!v.isNumber() || v.doubleValue() < 0 || v.doubleValue() > 100)
                        schema("The value for the field 'ToleratedFailurePercentage' must be a number between 0 and 100", loc + "/ToleratedFailurePercentage");
                }
                retryCatch(st, loc, states, jsonata);
            }
            default -> { }
        }
        return terminal;
    }

    private void target(JsonNode next, JsonNode states, String field, String loc) {
        if (!next.isTextual()) { schema("The value for the field '" + field + "' must be a STRING", loc); return; }
        if (!states.has(next.asText())) out.add(Diagnostic.error("MISSING_TRANSITION_TARGET", "Missing '" + field + "' target: " + next.asText(), loc));
    }

    private void path(JsonNode p, String field, String loc, boolean reference) {
        if (p.isNull()) return;
        if (!p.isTextual()) { schema("The value for the field '" + field + "' must be a STRING", loc); return; }
        String s = p.asText();
        boolean ok;
        if (s.startsWith("$$")) ok = !reference && JsonPath.isValid("$" + s.substring(2));
        else if (s.startsWith("$") && s.length() > 1 && Character.isLetter(s.charAt(1)) && !reference) ok = true; // variable reference
        else ok = JsonPath.isValid(s) && (!reference || JsonPath.compile(s).isReference());
        if (!ok) schema("The value for the field '" + field + "' must be a valid " + (reference ? "Reference Path" : "JSONPath"), loc);
    }

    private void pathOrIntrinsic(JsonNode p, String field, String loc) {
        if (p.isTextual() && Intrinsics.looksLikeCall(p.asText())) {
            try { Intrinsics.parse(p.asText()); } catch (IllegalArgumentException e) { schema("The value for the field '" + field + "' must be a valid JSONPath or a valid intrinsic function call", loc); }
            return;
        }
        path(p, field, loc, false);
    }

    private void payload(JsonNode tpl, String loc) {
        if (tpl.isObject()) {
            for (var it = tpl.fields(); it.hasNext(); ) {
                var e = it.next();
                String k = e.getKey();
                if (k.endsWith(".$")) {
                    JsonNode v = e.getValue();
                    String l = loc + "/" + k;
                    if (!v.isTextual()) { schema("The value for the field '" + k + "' must be a STRING that contains a JSONPath or an intrinsic function", l); continue; }
                    String s = v.asText().strip();
                    if (Intrinsics.looksLikeCall(s)) {
                        try { Intrinsics.parse(s); } catch (IllegalArgumentException ex) { schema("The value for the field '" + k + "' must be a valid JSONPath or a valid intrinsic function call", l); }
                    } else {
                        path(v, k, l, false);
                    }
                } else {
                    JsonNode v = e.getValue();
                    if (v.isTextual() && (v.asText().startsWith("$.") || v.asText().startsWith("States.")))
                        out.add(Diagnostic.warning("NO_DOLLAR", "The value for the field '" + k + "' looks like a JSONPath or intrinsic function but the field name does not end with '.$'", loc + "/" + k));
                    payload(v, loc + "/" + k);
                }
            }
        } else if (tpl.isArray()) {
            for (int i = 0; i < tpl.size(); i++) payload(tpl.get(i), loc + "[" + i + "]");
        }
    }

    private void jsonataTemplate(JsonNode tpl, String loc) {
        if (tpl.isTextual()) {
            String s = tpl.asText().strip();
            if (s.startsWith("{%") && !s.endsWith("%}")) schema("The JSONata expression must end with '%}'", loc);
            else if (JsonataEval.isExpression(s)) {
                try { JsonataEval.compile(JsonataEval.body(s)); } catch (RuntimeException e) { schema("The JSONata expression is invalid: " + e.getMessage(), loc); }
            }
        } else if (tpl.isObject()) {
            tpl.fields().forEachRemaining(e -> jsonataTemplate(e.getValue(), loc + "/" + e.getKey()));
        } else if (tpl.isArray()) {
            for (int i = 0; i < tpl.size(); i++) jsonataTemplate(tpl.get(i), loc + "[" + i + "]");
        }
    }

    private void assign(JsonNode a, String loc) {
        if (!a.isObject()) { schema("The value for the field 'Assign' must be an OBJECT", loc); return; }
        for (var it = a.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String name = k.endsWith(".$") ? k.substring(0, k.length() - 2) : k;
            if (!VARIABLE.matcher(name).matches() || name.equals("states"))
                schema("The variable name '" + name + "' is invalid: it must start with a letter or underscore, contain only letters, digits and underscores, and not be 'states'", loc + "/" + k);
        }
    }

    private void task(JsonNode st, String loc, boolean jsonata, JsonNode states) {
        JsonNode r = st.get("Resource");
        if (r == null) schema("These fields are required: [Resource]", loc);
        else if (!r.isTextual() || !RESOURCE.matcher(r.asText()).matches()) out.add(Diagnostic.error("INVALID_RESOURCE", "Resource is not a valid ARN: " + r.asText(), loc + "/Resource"));
        if (st.has("TimeoutSeconds") && st.has("TimeoutSecondsPath")) schema("Only one of these fields is allowed: [TimeoutSeconds, TimeoutSecondsPath]", loc);
        if (st.has("HeartbeatSeconds") && st.has("HeartbeatSecondsPath")) schema("Only one of these fields is allowed: [HeartbeatSeconds, HeartbeatSecondsPath]", loc);
        if (!jsonata) {
            for (String f : List.of("TimeoutSeconds", "HeartbeatSeconds")) {
                if (st.has(f) && !(Json.isInteger(st.get(f)) && st.get(f).longValue() > 0 && st.get(f).longValue() <= 99999999))
                    schema("The value for the field '" + f + "' must be a positive integer", loc + "/" + f);
            }
            if (Json.isInteger(st.get("TimeoutSeconds")) && Json.isInteger(st.get("HeartbeatSeconds"))
                    && st.get("HeartbeatSeconds").longValue() >= st.get("TimeoutSeconds").longValue())
                schema("The value for the field 'HeartbeatSeconds' must be smaller than the value for the field 'TimeoutSeconds'", loc + "/HeartbeatSeconds");
        }
        retryCatch(st, loc, states, jsonata);
    }

    private void retryCatch(JsonNode st, String loc, JsonNode states, boolean jsonata) {
        if (st.has("Retry")) {
            JsonNode rs = st.get("Retry");
            if (!rs.isArray()) schema("The value for the field 'Retry' must be an ARRAY", loc + "/Retry");
            else for (int i = 0; i < rs.size(); i++) {
                JsonNode r = rs.get(i);
                String l = loc + "/Retry[" + i + "]";
                errorEquals(r, l, i == rs.size() - 1);
                for (var it = r.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!Set.of("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment").contains(f))
                        schema("Field \"" + f + "\" is not supported", l + "/" + f);
                }
                if (r.has("IntervalSeconds") && !(Json.isInteger(r.get("IntervalSeconds")) && r.get("IntervalSeconds").intValue() >= 1))
                    schema("The value for the field 'IntervalSeconds' must be a positive integer", l + "/IntervalSeconds");
                if (r.has("MaxAttempts") && !(Json.isInteger(r.get("MaxAttempts")) && r.get("MaxAttempts").intValue() >= 0))
                    schema("The value for the field 'MaxAttempts' must be a non-negative integer", l + "/MaxAttempts");
                if (r.has("BackoffRate") && !(r.get("BackoffRate").isNumber() && r.get("BackoffRate").doubleValue() >= 1.0))
                    schema("The value for the field 'BackoffRate' must be a number greater than or equal to 1.0", l + "/BackoffRate");
                if (r.has("MaxDelaySeconds") && !(Json.isInteger(r.get("MaxDelaySeconds")) && r.get("MaxDelaySeconds").intValue() >= 1))
                    schema("The value for the field 'MaxDelaySeconds' must be a positive integer", l + "/MaxDelaySeconds");
                if (r.has("JitterStrategy") && !Set.of("FULL", "NONE").contains(r.get("JitterStrategy").asText()))
                    schema("The value for the field 'JitterStrategy' must be one of [FULL, NONE]", l + "/JitterStrategy");
            }
        }
        if (st.has("Catch")) {
            JsonNode cs = st.get("Catch");
            if (!cs.isArray()) schema("The value for the field 'Catch' must be an ARRAY", loc + "/Catch");
            else for (int i = 0; i < cs.size(); i++) {
                JsonNode c = cs.get(i);
                String l = loc + "/Catch[" + i + "]";
                errorEquals(c, l, i == cs.size() - 1);
                Set<String> allowed = jsonata ? Set.of("ErrorEquals", "Next", "Output", "Assign", "Comment") : Set.of("ErrorEquals", "Next", "ResultPath", "Assign", "Comment");
                for (var it = c.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!allowed.contains(f)) schema("Field \"" + f + "\" is not supported", l + "/" + f);
                }
                if (!c.has("Next")) schema("These fields are required: [Next]", l);
                else target(c.get("Next"), states, "Next", l + "/Next");
                if (!jsonata && c.hasNonNull("ResultPath")) path(c.get("ResultPath"), "ResultPath", l + "/ResultPath", true);
                if (c.has("Assign")) assign(c.get("Assign"), l + "/Assign");
            }
        }
    }

    private void errorEquals(JsonNode r, String l, boolean last) {
        JsonNode ee = r.get("ErrorEquals");
        if (ee == null || !ee.isArray() || ee.isEmpty()) { schema("These fields are required: [ErrorEquals]", l); return; }
        for (JsonNode e : ee) {
            if (e.asText().equals("States.ALL") && (ee.size() > 1 || !last))
                schema("The error name 'States.ALL' must appear alone and in the last " + (l.contains("Retry") ? "retrier" : "catcher"), l + "/ErrorEquals");
        }
    }

    private boolean choice(JsonNode st, String loc, JsonNode states, boolean jsonata) {
        JsonNode cs = st.get("Choices");
        if (cs == null || !cs.isArray() || cs.isEmpty()) { schema("These fields are required: [Choices]", loc); return true; }
        for (int i = 0; i < cs.size(); i++) {
            JsonNode c = cs.get(i);
            String l = loc + "/Choices[" + i + "]";
            if (!c.has("Next")) schema("These fields are required: [Next]", l);
            else target(c.get("Next"), states, "Next", l + "/Next");
            if (jsonata) {
                if (!c.has("Condition")) schema("These fields are required: [Condition]", l);
                else jsonataTemplate(c.get("Condition"), l + "/Condition");
                for (var it = c.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!Set.of("Condition", "Next", "Output", "Assign", "Comment").contains(f)) schema("Field \"" + f + "\" is not supported", l + "/" + f);
                }
                if (c.has("Output")) jsonataTemplate(c.get("Output"), l + "/Output");
            } else {
                if (c.has("Condition")) schema("The field \"Condition\" is supported only for states with QueryLanguage JSONata", l + "/Condition");
                rule(c, l, true);
            }
            if (c.has("Assign")) assign(c.get("Assign"), l + "/Assign");
        }
        if (st.has("Default")) target(st.get("Default"), states, "Default", loc + "/Default");
        return true;
    }

    private void rule(JsonNode c, String l, boolean top) {
        int ops = 0;
        for (String b : List.of("And", "Or")) {
            if (c.has(b)) {
                ops++;
                JsonNode arr = c.get(b);
                if (!arr.isArray() || arr.isEmpty()) schema("The value for the field '" + b + "' must be a non-empty ARRAY", l + "/" + b);
                else for (int i = 0; i < arr.size(); i++) rule(arr.get(i), l + "/" + b + "[" + i + "]", false);
            }
        }
        if (c.has("Not")) { ops++; rule(c.get("Not"), l + "/Not", false); }
        for (String op : ChoiceRules.COMPARATORS) {
            if (c.has(op)) ops++;
            if (c.has(op + "Path")) {
                ops++;
                path(c.get(op + "Path"), op + "Path", l + "/" + op + "Path", false);
            }
        }
        if (ops != 1) {
            schema(ops == 0 ? "A Choice rule must contain a comparison operator or one of [And, Or, Not]" : "A Choice rule must contain exactly one comparison operator", l);
            return;
        }
        if (!c.has("And") && !c.has("Or") && !c.has("Not")) {
            if (!c.has("Variable")) schema("These fields are required: [Variable]", l);
            else path(c.get("Variable"), "Variable", l + "/Variable", false);
            for (String op : ChoiceRules.COMPARATORS) {
                JsonNode v = c.get(op);
                if (v == null) continue;
                boolean ok = switch (op.startsWith("Is") ? "Is" : op.startsWith("String") ? "String" : op.startsWith("Numeric") ? "Numeric" : op.startsWith("Boolean") ? "Boolean" : "Timestamp") {
                    case "Is", "Boolean" -> v.isBoolean();
                    case "String" -> v.isTextual();
                    case "Numeric" -> v.isNumber();
                    default -> ChoiceRules.timestamp(v) != null;
                };
                if (!ok) schema("The value for the field '" + op + "' has the wrong type", l + "/" + op);
            }
        }
        if (!top && c.has("Next")) schema("Field \"Next\" is not supported in a nested Choice rule", l + "/Next");
        for (var it = c.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (Set.of("Variable", "Next", "And", "Or", "Not", "Comment", "Assign").contains(f)) continue;
            String base = f.endsWith("Path") ? f.substring(0, f.length() - 4) : f;
            if (!ChoiceRules.COMPARATORS.contains(base) && !ChoiceRules.COMPARATORS.contains(f)) schema("Field \"" + f + "\" is not supported", l + "/" + f);
        }
    }
}
