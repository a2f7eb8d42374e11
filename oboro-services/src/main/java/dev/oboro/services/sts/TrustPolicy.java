package dev.oboro.services.sts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Evaluates a role's trust policy for one request: does some {@code Allow} statement match the
 * principal, every requested action and its conditions, with no matching {@code Deny}?
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
 *
 * <p>Principals: {@code "*"}; {@code AWS} as an account id, an account root ARN (any principal of
 * that account), or the exact ARN of a user, a role (matching its sessions) or an assumed-role
 * session; {@code Service}; {@code Federated}. Conditions: the String, Arn, Bool and Null
 * operators, their {@code IfExists} forms and {@code ForAnyValue:}/{@code ForAllValues:}; an
 * operator Oboro does not know never matches (the statement then does not apply).
 */
final class TrustPolicy {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who asks: principal kind ({@code AWS}, {@code Service}, {@code Federated}) and the values that name it. */
    record Requester(String kind, String account, List<String> names) {
    }

    private final List<JsonNode> statements = new ArrayList<>();

    TrustPolicy(String document) {
        try {
            JsonNode root = JSON.readTree(document);
            JsonNode st = root == null ? null : root.get("Statement");
            if (st != null && st.isArray()) st.forEach(statements::add);
            else if (st != null && st.isObject()) statements.add(st);
        } catch (IOException e) {
            // IAM only stores well-formed trust policies; an unreadable one trusts no one
        }
    }

    boolean allows(Requester who, List<String> actions, Map<String, List<String>> context) {
        Map<String, List<String>> ctx = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ctx.putAll(context);
        for (JsonNode s : statements) {
            boolean deny = "Deny".equals(s.path("Effect").asText());
            boolean principal = principalMatches(s, who);
            boolean conditions = conditionsMatch(s.get("Condition"), ctx);
            if (deny) {
                if (principal && conditions && actions.stream().anyMatch(a -> actionMatches(s, a))) return false;
            }
        }
        for (String action : actions) {
            boolean thisAllowed = false;
            for (JsonNode s : statements) {
                if (!"Allow".equals(s.path("Effect").asText())) continue;
                if (actionMatches(s, action) && principalMatches(s, who) && conditionsMatch(s.get("Condition"), ctx)) {
                    thisAllowed = true;
                    break;
                }
            }
            if (!thisAllowed) return false;
        }
        return !actions.isEmpty();
    }

    // ------------------------------------------------------------------ principal

    private static boolean principalMatches(JsonNode s, Requester who) {
        if (s.has("Principal")) return names(s.get("Principal"), who);
        if (s.has("NotPrincipal")) return !names(s.get("NotPrincipal"), who);
        return false;
    }

    private static boolean names(JsonNode principal, Requester who) {
        if (principal.isTextual()) return principal.asText().equals("*");
        JsonNode values = principal.get(who.kind());
        if (values == null) return false;
        for (JsonNode v : values.isArray() ? values : List.of(values)) {
            String p = v.asText();
            if (p.equals("*")) return true;
            if (who.kind().equals("AWS") && (p.equals(who.account()) || p.equals("arn:aws:iam::" + who.account() + ":root"))) {
                return true;
            }
            for (String n : who.names()) {
                // ARNs compare exactly; service and provider names as DNS names, ignoring case
                if (who.kind().equals("AWS") ? p.equals(n) : p.equalsIgnoreCase(n)) return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ action

    private static boolean actionMatches(JsonNode s, String action) {
        if (s.has("Action")) return anyLike(s.get("Action"), action);
        if (s.has("NotAction")) return !anyLike(s.get("NotAction"), action);
        return false;
    }

    private static boolean anyLike(JsonNode patterns, String value) {
        for (JsonNode p : patterns.isArray() ? patterns : List.of(patterns)) {
            if (like(p.asText(), value, true)) return true;
        }
        return false;
    }

    /** IAM wildcards: {@code *} any run of characters, {@code ?} one character. */
    static boolean like(String pattern, String value, boolean ignoreCase) {
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

    private static boolean conditionsMatch(JsonNode condition, Map<String, List<String>> ctx) {
        if (condition == null || !condition.isObject()) return true;
        var ops = condition.fields();
        while (ops.hasNext()) {
            var op = ops.next();
            var keys = op.getValue().fields();
            while (keys.hasNext()) {
                var k = keys.next();
                List<String> wanted = new ArrayList<>();
                for (JsonNode v : k.getValue().isArray() ? k.getValue() : List.of(k.getValue())) wanted.add(v.asText());
                if (!condition(op.getKey(), ctx.get(k.getKey()), wanted)) return false;
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
        if (actual == null || actual.isEmpty()) {
            // A missing key matches nothing; a negated operator, IfExists and ForAllValues then hold.
            return ifExists || negated || "all".equals(set);
        }
        String positive = op.replace("Not", "");
        java.util.function.BiPredicate<String, String> test = switch (positive) {
            case "StringEquals", "ArnEquals" -> String::equals;
            case "StringEqualsIgnoreCase" -> String::equalsIgnoreCase;
            case "StringLike", "ArnLike" -> (a, w) -> like(w, a, false);
            case "Bool" -> (a, w) -> a.toLowerCase(Locale.ROOT).equals(w.toLowerCase(Locale.ROOT));
            default -> null;
        };
        if (test == null) return false;
        if ("all".equals(set)) {
            return actual.stream().allMatch(a -> wanted.stream().anyMatch(w -> test.test(a, w)) != negated);
        }
        boolean any = actual.stream().anyMatch(a -> wanted.stream().anyMatch(w -> test.test(a, w)));
        return negated != any;
    }
}
