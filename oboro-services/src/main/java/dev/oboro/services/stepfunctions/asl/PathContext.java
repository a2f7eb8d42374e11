package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * What a JSONPath expression can see in one state: the input ($), the context object ($$), workflow
 * variables ($name) and the engine's randomness (for States.UUID and States.MathRandom).
 */
record PathContext(JsonNode input, JsonNode context, Function<String, JsonNode> variables, RandomGenerator random) {

    PathContext withInput(JsonNode in) { return new PathContext(in, context, variables, random); }

    /** Resolve $..., $$... or $var... ; returns null when a definite path matches nothing. */
    JsonNode resolve(String path) {
        if (path.startsWith("$$")) return JsonPath.compile("$" + path.substring(2)).read(context);
        if (path.equals("$") || path.startsWith("$.") || path.startsWith("$[")) return JsonPath.compile(path).read(input);
        int end = 1;
        while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') end++;
        String name = path.substring(1, end);
        JsonNode v = variables == null ? null : variables.apply(name);
        if (v == null) throw AslError.runtime("The variable '$" + name + "' is not defined.");
        return JsonPath.compile("$" + path.substring(end)).read(v);
    }

    static boolean isPath(String s) { return s.startsWith("$"); }
}
