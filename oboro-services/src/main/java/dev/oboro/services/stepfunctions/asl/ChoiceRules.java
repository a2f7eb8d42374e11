package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * JSONPath Choice rules: boolean operators, comparisons (and their *Path forms), type tests and StringMatches.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
final class ChoiceRules {
    static final List<String> COMPARATORS = List.of(
            "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches",
            "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
            "BooleanEquals",
            "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals",
            "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp");

    private ChoiceRules() {}

    static boolean eval(JsonNode rule, PathContext ctx) {
        if (rule.has("And")) {
            for (JsonNode r : rule.get("And")) if (!eval(r, ctx)) return false;
            return true;
        }
        if (rule.has("Or")) {
            for (JsonNode r : rule.get("Or")) if (eval(r, ctx)) return true;
            return false;
        }
        if (rule.has("Not")) return !eval(rule.get("Not"), ctx);
        String varPath = rule.path("Variable").asText();
        String op = null;
        for (String c : COMPARATORS) {
            if (rule.has(c)) { op = c; break; }
            if (rule.has(c + "Path")) { op = c + "Path"; break; }
        }
        if (op == null) throw AslError.runtime("Invalid Choice rule: no comparison operator");
        JsonNode v = ctx.resolve(varPath);
        if (op.equals("IsPresent")) return (v != null) == rule.get("IsPresent").asBoolean();
        if (v == null) throw AslError.runtime("Invalid path '" + varPath + "': The choice state's condition path references an invalid value.");
        JsonNode operand = rule.get(op);
        boolean path = op.endsWith("Path") && !op.equals("IsPresent");
        String base = path ? op.substring(0, op.length() - 4) : op;
        if (path) {
            operand = ctx.resolve(operand.asText());
            if (operand == null) throw AslError.runtime("Invalid path '" + rule.get(op).asText() + "': The choice state's condition path references an invalid value.");
        }
        switch (base) {
            case "IsNull": return v.isNull() == operand.asBoolean();
            case "IsNumeric": return v.isNumber() == operand.asBoolean();
            case "IsString": return v.isTextual() == operand.asBoolean();
            case "IsBoolean": return v.isBoolean() == operand.asBoolean();
            case "IsTimestamp": return (timestamp(v) != null) == operand.asBoolean();
            case "BooleanEquals": return v.isBoolean() && operand.isBoolean() && v.booleanValue() == operand.booleanValue();
            case "StringMatches": return v.isTextual() && matches(v.textValue(), operand.asText());
            default: break;
        }
        if (base.startsWith("String")) {
            if (!v.isTextual() || !operand.isTextual()) return false;
            return cmp(base.substring(6), v.textValue().compareTo(operand.textValue()));
        }
        if (base.startsWith("Numeric")) {
            if (!v.isNumber() || !operand.isNumber()) return false;
            return cmp(base.substring(7), v.decimalValue().compareTo(operand.decimalValue()));
        }
        if (base.startsWith("Timestamp")) {
            OffsetDateTime a = timestamp(v), b = timestamp(operand);
            if (a == null || b == null) return false;
            return cmp(base.substring(9), a.toInstant().compareTo(b.toInstant()));
        }
        throw AslError.runtime("Unsupported Choice operator " + op);
    }

    private static boolean cmp(String rel, int c) {
        return switch (rel) {
            case "Equals" -> c == 0;
            case "LessThan" -> c < 0;
            case "GreaterThan" -> c > 0;
            case "LessThanEquals" -> c <= 0;
            case "GreaterThanEquals" -> c >= 0;
            default -> false;
        };
    }

    /** RFC 3339 with an uppercase T and a Z or an offset, as AWS requires. */
    static OffsetDateTime timestamp(JsonNode v) {
        if (v == null || !v.isTextual()) return null;
        String s = v.textValue();
        if (s.indexOf('T') < 0 || s.indexOf('t') >= 0 || s.indexOf('z') >= 0) return null;
        try {
            return OffsetDateTime.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** StringMatches: '*' matches any run of characters; '\*' is a literal star and '\\' a literal backslash. */
    static boolean matches(String s, String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                re.append(java.util.regex.Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '*') {
                re.append(".*");
            } else {
                re.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return java.util.regex.Pattern.compile(re.toString(), java.util.regex.Pattern.DOTALL).matcher(s).matches();
    }
}
