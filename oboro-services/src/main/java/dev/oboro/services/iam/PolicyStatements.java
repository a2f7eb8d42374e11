package dev.oboro.services.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;

/**
 * Whether one statement of an identity policy applies to a request: its {@code Action} /
 * {@code NotAction} (case-insensitive), {@code Resource} / {@code NotResource} (case-sensitive)
 * with IAM's {@code *} and {@code ?} wildcards, and every {@code Condition}
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 *
 * <p>Operators: String*, Arn*, Bool, Numeric*, Date*, Null, their {@code IfExists} forms and the
 * {@code ForAnyValue:} / {@code ForAllValues:} set qualifiers. A key missing from the context makes
 * its condition false, except with {@code IfExists}, a negated operator ({@code StringNotEquals},
 * ...) or {@code ForAllValues}, as AWS documents. An operator Oboro does not know never holds.
 * Context keys are compared ignoring case.
 *
 * <p>Public for STS, whose trust policies ({@code sts.TrustPolicy}) use the same action and condition
 * matching.
 */
public final class PolicyStatements {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PolicyStatements() {
    }

    /** The statements of a stored policy document (IAM only stores well-formed ones); none if unreadable. */
    static List<JsonNode> of(String document) {
        List<JsonNode> out = new ArrayList<>();
        if (document == null) return out;
        try {
            JsonNode st = JSON.readTree(document).get("Statement");
            if (st != null && st.isArray()) st.forEach(out::add);
            else if (st != null && st.isObject()) out.add(st);
        } catch (IOException | RuntimeException e) {
            // unreadable: grants nothing
        }
        return out;
    }

    /** Whether the statement applies to that action on that resource in that context (its Effect aside). */
    static boolean applies(JsonNode s, String action, String resource, Map<String, List<String>> context) {
        return actionMatches(s, action) && resourceMatches(s, resource) && conditionsHold(s.get("Condition"), context);
    }

    public static boolean actionMatches(JsonNode s, String action) {
        if (s.has("Action")) return anyLike(s.get("Action"), action, true);
        if (s.has("NotAction")) return !anyLike(s.get("NotAction"), action, true);
        return false;
    }

    static boolean resourceMatches(JsonNode s, String resource) {
        if (s.has("Resource")) return anyLike(s.get("Resource"), resource, false);
        if (s.has("NotResource")) return !anyLike(s.get("NotResource"), resource, false);
        return false;
    }

    private static boolean anyLike(JsonNode patterns, String value, boolean ignoreCase) {
        for (JsonNode p : patterns.isArray() ? patterns : List.of(patterns)) {
            if (like(p.asText(), value, ignoreCase)) return true;
        }
        return false;
    }

    /** IAM wildcards: {@code *} any run of characters, {@code ?} one character. */
    public static boolean like(String pattern, String value, boolean ignoreCase) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') re.append(".*");
            else if (c == '?') re.append('.');
            else re.append(Pattern.quote(String.valueOf(c)));
        }
        Pattern p = Pattern.compile(re.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.DOTALL : Pattern.DOTALL);
        return p.matcher(value).matches();
    }

    // ------------------------------------------------------------------ conditions

    /** {@code context}: keys compared ignoring case (callers pass a case-insensitive map). */
    public static boolean conditionsHold(JsonNode condition, Map<String, List<String>> context) {
        if (condition == null || !condition.isObject()) return true;
        var ops = condition.fields();
        while (ops.hasNext()) {
            var op = ops.next();
            var keys = op.getValue().fields();
            while (keys.hasNext()) {
                var k = keys.next();
                List<String> wanted = new ArrayList<>();
                for (JsonNode v : k.getValue().isArray() ? k.getValue() : List.of(k.getValue())) wanted.add(v.asText());
                if (!condition(op.getKey(), context.get(k.getKey()), wanted)) return false;
            }
        }
        return true;
    }

    private static boolean condition(String operator, List<String> actual, List<String> wanted) {
        String op = operator;
        String set = null;
        if (op.startsWith("ForAnyValue:")) {
            set = "any";
            op = op.substring("ForAnyValue:".length());
        } else if (op.startsWith("ForAllValues:")) {
            set = "all";
            op = op.substring("ForAllValues:".length());
        }
        boolean ifExists = op.endsWith("IfExists");
        if (ifExists) op = op.substring(0, op.length() - "IfExists".length());
        if (op.equals("Null")) {
            boolean isNull = actual == null || actual.isEmpty();
            return wanted.stream().anyMatch(w -> Boolean.parseBoolean(w) == isNull);
        }
        boolean negated = op.contains("Not");
        if (actual == null || actual.isEmpty()) return ifExists || negated || "all".equals(set);
        BiPredicate<String, String> test = test(op.replace("Not", ""));
        if (test == null) return false;
        BiPredicate<String, String> safe = (a, w) -> {
            try {
                return test.test(a, w);
            } catch (RuntimeException e) {
                return false; // a value of the wrong type matches nothing
            }
        };
        if ("all".equals(set)) {
            return actual.stream().allMatch(a -> wanted.stream().anyMatch(w -> safe.test(a, w)) != negated);
        }
        boolean any = actual.stream().anyMatch(a -> wanted.stream().anyMatch(w -> safe.test(a, w)));
        return negated != any;
    }

    /** The positive form of an operator, as (actual, wanted) → match; null for one Oboro does not know. */
    private static BiPredicate<String, String> test(String positive) {
        return switch (positive) {
            case "StringEquals", "ArnEquals" -> String::equals;
            case "StringEqualsIgnoreCase" -> String::equalsIgnoreCase;
            case "StringLike", "ArnLike" -> (a, w) -> like(w, a, false);
            case "Bool" -> (a, w) -> a.toLowerCase(Locale.ROOT).equals(w.toLowerCase(Locale.ROOT));
            case "NumericEquals" -> (a, w) -> new BigDecimal(a).compareTo(new BigDecimal(w)) == 0;
            case "NumericLessThan" -> (a, w) -> new BigDecimal(a).compareTo(new BigDecimal(w)) < 0;
            case "NumericLessThanEquals" -> (a, w) -> new BigDecimal(a).compareTo(new BigDecimal(w)) <= 0;
            case "NumericGreaterThan" -> (a, w) -> new BigDecimal(a).compareTo(new BigDecimal(w)) > 0;
            case "NumericGreaterThanEquals" -> (a, w) -> new BigDecimal(a).compareTo(new BigDecimal(w)) >= 0;
            case "DateEquals" -> (a, w) -> date(a).equals(date(w));
            case "DateLessThan" -> (a, w) -> date(a).isBefore(date(w));
            case "DateLessThanEquals" -> (a, w) -> !date(a).isAfter(date(w));
            case "DateGreaterThan" -> (a, w) -> date(a).isAfter(date(w));
            case "DateGreaterThanEquals" -> (a, w) -> !date(a).isBefore(date(w));
            default -> null;
        };
    }

    /** ISO 8601 or epoch seconds, as IAM's date operators take them. */
    private static Instant date(String v) {
        return v.chars().allMatch(Character::isDigit) ? Instant.ofEpochSecond(Long.parseLong(v)) : Instant.parse(v);
    }
}
