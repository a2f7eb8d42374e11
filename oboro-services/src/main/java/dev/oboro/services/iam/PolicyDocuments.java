package dev.oboro.services.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.wire.AwsException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Checks policy documents the way IAM does before storing them, answering
 * {@code MalformedPolicyDocument} with IAM's messages. Identity policies (managed and inline) need
 * actions and resources and may not name a principal; trust policies need a principal and may
 * not name a resource. The {@code Version} element may be left out (IAM then reads the document
 * as 2008-10-17: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
 */
final class PolicyDocuments {
    private PolicyDocuments() {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VERSIONS = List.of("2012-10-17", "2008-10-17");

    static AwsException malformed(String message) {
        return new AwsException("MalformedPolicyDocument", message);
    }

    /** The statements of a well-formed document, or MalformedPolicyDocument. */
    static List<JsonNode> statements(String document) {
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (IOException e) {
            throw malformed("Syntax errors in policy.");
        }
        if (root == null || !root.isObject()) throw malformed("Syntax errors in policy.");
        JsonNode version = root.get("Version");
        if (version != null && (!version.isTextual() || !VERSIONS.contains(version.asText()))) {
            throw malformed("Syntax errors in policy.");
        }
        JsonNode st = root.get("Statement");
        if (st == null || !(st.isObject() || st.isArray())) throw malformed("Syntax errors in policy.");
        List<JsonNode> out = new ArrayList<>();
        if (st.isObject()) out.add(st);
        else st.forEach(out::add);
        for (JsonNode s : out) {
            if (!s.isObject()) throw malformed("Syntax errors in policy.");
            JsonNode effect = s.get("Effect");
            if (effect == null) throw malformed("Missing required field Effect");
            if (!effect.isTextual() || !(effect.asText().equals("Allow") || effect.asText().equals("Deny"))) {
                throw malformed("Invalid effect: " + effect.asText());
            }
            if (!s.has("Action") && !s.has("NotAction")) throw malformed("Policy statement must contain actions.");
        }
        return out;
    }

    /** A managed or inline policy: what a user, group or role may do. */
    static void checkIdentityPolicy(String document) {
        for (JsonNode s : statements(document)) {
            if (s.has("Principal")) throw malformed("Has prohibited field Principal");
            if (s.has("NotPrincipal")) throw malformed("Has prohibited field NotPrincipal");
            if (!s.has("Resource") && !s.has("NotResource")) throw malformed("Policy statement must contain resources.");
        }
    }

    /**
     * A role's trust policy: who may assume it. An IAM user or role named as AWS principal must
     * exist, as IAM resolves it to the entity's unique id when it stores the policy.
     */
    static void checkTrustPolicy(String document, Predicate<String> principalExists) {
        for (JsonNode s : statements(document)) {
            if (s.has("Resource")) throw malformed("Has prohibited field Resource");
            if (s.has("NotResource")) throw malformed("Has prohibited field NotResource");
            JsonNode principal = s.has("Principal") ? s.get("Principal") : s.get("NotPrincipal");
            if (principal == null) {
                throw malformed("Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
                        + "The passed in policy has a statement with no principals!");
            }
            if (principal.isTextual()) {
                if (!principal.asText().equals("*")) throw malformed("Invalid principal in policy: \"" + principal.asText() + "\"");
                continue;
            }
            JsonNode aws = principal.get("AWS");
            if (aws == null) continue;
            for (JsonNode v : aws.isArray() ? aws : List.of(aws)) {
                String p = v.asText();
                boolean entity = p.matches("arn:aws:iam::\\d{12}:(user|role)/.+");
                if (entity && !principalExists.test(p)) throw malformed("Invalid principal in policy: \"AWS\":\"" + p + "\"");
            }
        }
    }
}
