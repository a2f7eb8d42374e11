package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSONPath-mode input and output processing: InputPath, Parameters / ResultSelector / ItemSelector payload
 * templates ("key.$"), ResultPath and OutputPath.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
 */
final class DataFlow {
    private DataFlow() {}

    static JsonNode nz(JsonNode n) { return n == null ? NullNode.instance : n; }

    /** InputPath / OutputPath: absent means "$", JSON null means {} (discard). */
    static JsonNode selectPath(JsonNode stateNode, String field, PathContext ctx) {
        JsonNode p = stateNode.get(field);
        if (p == null) return ctx.input();
        if (p.isNull()) return Json.obj();
        String path = p.asText();
        JsonNode v;
        try {
            v = ctx.resolve(path);
        } catch (IllegalArgumentException e) {
            throw AslError.runtime("Invalid path '" + path + "'");
        }
        if (v == null) {
            String norm = path.startsWith("$") && !path.startsWith("$$") ? safeNormalized(path) : path;
            throw AslError.runtime("Invalid path '" + path + "' : No results for path: " + norm);
        }
        return v;
    }

    private static String safeNormalized(String path) {
        try {
            return JsonPath.compile(path).normalized();
        } catch (IllegalArgumentException e) {
            return path;
        }
    }

    /** A payload template: keys ending in ".$" take a path or an intrinsic function; other values are literal. */
    static JsonNode payload(JsonNode tpl, PathContext ctx) {
        if (tpl == null) return null;
        if (tpl.isObject()) {
            ObjectNode out = Json.obj();
            for (Iterator<Map.Entry<String, JsonNode>> it = tpl.fields(); it.hasNext(); ) {
                var e = it.next();
                String k = e.getKey();
                JsonNode v = e.getValue();
                if (k.endsWith(".$") && v.isTextual()) {
                    String expr = v.textValue().strip();
                    JsonNode r;
                    if (Intrinsics.looksLikeCall(expr)) {
                        r = Intrinsics.eval(expr, ctx);
                    } else {
                        try {
                            r = ctx.resolve(expr);
                        } catch (IllegalArgumentException ex) {
                            throw AslError.runtime("The JSONPath '" + expr + "' specified for the field '" + k + "' is invalid");
                        }
                        if (r == null) {
                            JsonNode where = expr.startsWith("$$") ? ctx.context() : ctx.input();
                            throw AslError.runtime("The JSONPath '" + expr + "' specified for the field '" + k
                                    + "' could not be found in the input '" + Json.write(where) + "'");
                        }
                    }
                    out.set(k.substring(0, k.length() - 2), r);
                } else {
                    out.set(k, payload(v, ctx));
                }
            }
            return out;
        }
        if (tpl.isArray()) {
            ArrayNode out = Json.arr();
            for (JsonNode c : tpl) out.add(payload(c, ctx));
            return out;
        }
        return tpl;
    }

    /** ResultPath: absent means "$" (the result replaces the input), null discards the result. */
    static JsonNode resultPath(JsonNode stateNode, JsonNode rawInput, JsonNode result) {
        JsonNode p = stateNode.get("ResultPath");
        if (p == null) return result;
        if (p.isNull()) return rawInput;
        return applyResultPath(p.asText(), rawInput, result);
    }

    static JsonNode applyResultPath(String path, JsonNode rawInput, JsonNode result) {
        JsonNode out = JsonPath.compile(path).set(nz(rawInput), result);
        if (out == null) {
            throw new AslError("States.ResultPathMatchFailure", "Unable to apply ResultPath \"" + path + "\" to input \"" + Json.write(rawInput) + "\"");
        }
        return out;
    }
}
