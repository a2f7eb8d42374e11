package dev.oboro.services.sts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.services.iam.PolicyStatements;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates a role's trust policy for one request: does some {@code Allow} statement match the
 * principal, every requested action and its conditions, with no matching {@code Deny}?
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
 *
 * <p>Principals: {@code "*"}; {@code AWS} as an account id, an account root ARN (any principal of
 * that account), or the exact ARN of a user, a role (matching its sessions) or an assumed-role
 * session; {@code Service}; {@code Federated}. Actions and conditions are matched as IAM's identity
 * policies are ({@link PolicyStatements}): an operator Oboro does not know never matches (the
 * statement then does not apply).
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

    // ------------------------------------------------------------------ action and conditions (IAM's policy language)

    private static boolean actionMatches(JsonNode s, String action) {
        return PolicyStatements.actionMatches(s, action);
    }

    private static boolean conditionsMatch(JsonNode condition, Map<String, List<String>> ctx) {
        return PolicyStatements.conditionsHold(condition, ctx);
    }
}
