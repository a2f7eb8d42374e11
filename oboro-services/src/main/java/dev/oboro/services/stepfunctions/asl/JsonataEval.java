package dev.oboro.services.stepfunctions.asl;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * JSONata mode: evaluates {@code {% ... %}} templates with the dashjoin JSONata engine, binding {@code $states},
 * workflow variables, and the functions Step Functions adds ($partition, $range, $hash, $random, $uuid, $parse).
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 */
final class JsonataEval {
    private static final Map<String, Jsonata> CACHE = new ConcurrentHashMap<>();

    /** Everything an expression can see. */
    record Bindings(ObjectNode states, Function<String, JsonNode> variables, RandomGenerator random, Instant now) {}

    private JsonataEval() {}

    static boolean isExpression(JsonNode n) { return n != null && n.isTextual() && isExpression(n.textValue()); }

    static boolean isExpression(String s) {
        String t = s.strip();
        return t.startsWith("{%") && t.endsWith("%}") && t.length() >= 4;
    }

    static String body(String s) {
        String t = s.strip();
        return t.substring(2, t.length() - 2);
    }

    static Jsonata compile(String expr) {
        Jsonata j = CACHE.get(expr);
        if (j == null) {
            j = Jsonata.jsonata(expr);
            if (CACHE.size() < 10_000) CACHE.put(expr, j);
        }
        return j;
    }

    /** Evaluate a field's template: strings holding {% %} are expressions, objects/arrays recurse, others are literals. */
    static JsonNode template(JsonNode tpl, Bindings b, String field) {
        if (tpl == null) return null;
        if (tpl.isTextual() && isExpression(tpl.textValue())) {
            JsonNode v = eval(tpl.textValue(), b, field);
            return v;
        }
        if (tpl.isObject()) {
            ObjectNode out = Json.obj();
            for (Iterator<Map.Entry<String, JsonNode>> it = tpl.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = template(e.getValue(), b, field);
                if (v != null) out.set(e.getKey(), v);
            }
            return out;
        }
        if (tpl.isArray()) {
            ArrayNode out = Json.arr();
            for (JsonNode c : tpl) {
                JsonNode v = template(c, b, field);
                if (v != null) out.add(v);
            }
            return out;
        }
        return tpl;
    }

    /** Evaluate one {% %} string; undefined results come back as null. */
    static JsonNode eval(String text, Bindings b, String field) {
        String expr = body(text);
        Jsonata j;
        try {
            j = compile(expr);
        } catch (JException e) {
            throw new AslError("States.QueryEvaluationError", "The JSONata expression '" + expr.strip() + "' specified for the field '" + field + "' could not be parsed: " + e.getMessage());
        }
        Jsonata.Frame f = j.createFrame();
        f.bind("states", Json.toJava(b.states()));
        bindFunctions(f, b);
        // jsonata-java copies only a frame's own bindings into the evaluation, so bind the referenced variables.
        if (b.variables() != null) {
            java.util.regex.Matcher m = VAR.matcher(expr);
            while (m.find()) {
                String name = m.group(1);
                if (name.equals("states")) continue;
                JsonNode v = b.variables().apply(name);
                if (v != null) f.bind(name, Json.toJava(v));
            }
        }
        try {
            Object input = Json.toJava(b.states().get("input"));
            Object res = j.evaluate(input, f);
            return Json.fromJava(res);
        } catch (AslError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AslError("States.QueryEvaluationError", "An error occurred while evaluating the JSONata expression '" + expr.strip() + "' specified for the field '" + field + "': " + e.getMessage());
        }
    }

    private static final java.util.regex.Pattern VAR = java.util.regex.Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)");

    private static void bindFunctions(Jsonata.Frame f, Bindings b) {
        String now = DateTimeFormatter.ISO_INSTANT.format(b.now());
        f.bind("now", Jsonata.function("now", (Jsonata.FnVarArgs<Object>) args -> now, null));
        f.bind("millis", Jsonata.function("millis", (Jsonata.FnVarArgs<Object>) args -> b.now().toEpochMilli(), null));
        f.bind("uuid", Jsonata.function("uuid", (Jsonata.FnVarArgs<Object>) args -> Intrinsics.uuid(b.random()).toString(), null));
        f.bind("random", Jsonata.function("random", (Jsonata.FnVarArgs<Object>) args -> {
            if (args != null && !args.isEmpty() && args.get(0) instanceof Number seed) return new java.util.Random(seed.longValue()).nextDouble();
            return b.random().nextDouble();
        }, null));
        f.bind("partition", Jsonata.function("partition", (Jsonata.FnVarArgs<Object>) args -> {
            List<?> in = (List<?>) args.get(0);
            int size = ((Number) args.get(1)).intValue();
            if (size <= 0) throw new AslError("States.QueryEvaluationError", "The chunk size argument provided to $partition must be a positive integer");
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < in.size(); i += size) out.add(new ArrayList<>(in.subList(i, Math.min(in.size(), i + size))));
            return out;
        }, null));
        f.bind("range", Jsonata.function("range", (Jsonata.FnVarArgs<Object>) args -> {
            long start = ((Number) args.get(0)).longValue(), end = ((Number) args.get(1)).longValue();
            long step = ((Number) args.get(2)).longValue();
            if (step == 0) throw new AslError("States.QueryEvaluationError", "The step argument provided to $range must not be 0");
            List<Object> out = new ArrayList<>();
            for (long v = start; step > 0 ? v <= end : v >= end; v += step) {
                out.add(v);
                if (out.size() > 1000) throw new AslError("States.QueryEvaluationError", "The array returned by $range cannot contain more than 1000 items");
            }
            return out;
        }, null));
        f.bind("hash", Jsonata.function("hash", (Jsonata.FnVarArgs<Object>) args -> {
            Object v = args.get(0);
            String s = v instanceof String str ? str : Json.write(Json.fromJava(v));
            String alg = String.valueOf(args.get(1));
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(s.getBytes(StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new AslError("States.QueryEvaluationError", "The hash algorithm '" + alg + "' is not supported by $hash");
            }
        }, null));
        f.bind("parse", Jsonata.function("parse", (Jsonata.FnVarArgs<Object>) args -> {
            try {
                return Json.toJava(Json.parse(String.valueOf(args.get(0))));
            } catch (IllegalArgumentException e) {
                throw new AslError("States.QueryEvaluationError", "The string provided to $parse is not valid JSON");
            }
        }, null));
    }
}
