package dev.oboro.services.iam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * The door other services use to ask whether a principal's identity-based policies allow an action,
 * following AWS's policy evaluation logic for a request within one account
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit {@code Deny} wins, else an {@code Allow} is needed, else the request is implicitly denied;
 * a permissions boundary, when the user or role has one, must allow it too.
 *
 * <pre>{@code
 * Permissions.Result r = Permissions.of(oboro).evaluate("arn:aws:iam::123456789012:role/fn-role",
 *         "ec2:CreateNetworkInterface", "*", Map.of());
 * if (!r.allowed()) ...
 * }</pre>
 *
 * <p>The principal is an ARN as {@code Identity.arn()} gives it: the account root (allowed
 * everything), an IAM user (its inline and attached managed policies and those of its groups), a
 * role or an assumed-role session {@code arn:aws:sts::<account>:assumed-role/<role>/<session>} (the
 * role's inline and attached policies; session policies are not kept, so not applied). Any other
 * principal, or one that does not exist, is implicitly denied. The context keys
 * {@code aws:PrincipalArn}, {@code aws:PrincipalAccount} and, for users, {@code aws:username} are
 * added unless given. Resource-based policies, SCPs and session policies are the caller's business.
 */
public final class Permissions {
    /** The decision, named as IAM's policy simulator names it. */
    public enum Decision {
        ALLOWED("allowed"), IMPLICIT_DENY("implicitDeny"), EXPLICIT_DENY("explicitDeny");

        private final String wire;

        Decision(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * A statement that decided: the policy's name (inline or managed) and the kind of policy as the
     * simulator reports it ({@code user}, {@code group}, {@code role}, {@code aws-managed},
     * {@code user-managed}); {@code index}: the statement's position in the document, from 0.
     */
    public record Matched(String policyId, String sourceType, int index) {
    }

    /** The decision and the statements that made it (Allow statements when allowed, Deny ones when explicitly denied). */
    public record Result(Decision decision, List<Matched> matched) {
        public boolean allowed() {
            return decision == Decision.ALLOWED;
        }
    }

    private static final Map<Oboro, Iam> BY_OBORO = Collections.synchronizedMap(new WeakHashMap<>());

    private final Iam iam;

    private Permissions(Iam iam) {
        this.iam = iam;
    }

    static void register(Oboro oboro, Iam iam) {
        BY_OBORO.put(oboro, iam);
    }

    /** The evaluator of that Oboro's IAM (loads the service if needed). */
    public static Permissions of(Oboro oboro) {
        Iam iam = BY_OBORO.get(oboro);
        if (iam == null) {
            oboro.services().ensureLoaded("iam");
            iam = BY_OBORO.get(oboro);
            if (iam == null) throw new IllegalStateException("the iam service did not load");
        }
        return new Permissions(iam);
    }

    /** A policy that applies to the principal, with where it comes from. */
    record Source(String policyId, String sourceType, String document) {
    }

    /** The principal's policies and permissions boundary (null if none); null when the principal is not known. */
    record Policies(List<Source> sources, String boundaryArn, Map<String, List<String>> keys) {
    }

    /** Whether the principal's identity policies allow the action on the resource ({@code "*"} for none). */
    public Result evaluate(String principalArn, String action, String resourceArn, Map<String, List<String>> context) {
        return evaluate(principalArn, action, resourceArn, context, List.of());
    }

    /** As {@link #evaluate(String, String, String, Map)}, with more policies applied as if attached ({@code extra}). */
    Result evaluate(String principalArn, String action, String resourceArn, Map<String, List<String>> context, List<Source> extra) {
        String account = account(principalArn);
        if (account == null) return new Result(Decision.IMPLICIT_DENY, List.of());
        if (principalArn.equals("arn:aws:iam::" + account + ":root")) return new Result(Decision.ALLOWED, List.of());
        Policies p = policies(principalArn);
        if (p == null) return new Result(Decision.IMPLICIT_DENY, List.of());
        Map<String, List<String>> ctx = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ctx.putAll(p.keys());
        ctx.putAll(context);
        List<Source> sources = new ArrayList<>(p.sources());
        sources.addAll(extra);
        List<Matched> allows = new ArrayList<>();
        List<Matched> denies = new ArrayList<>();
        match(sources, action, resourceArn, ctx, allows, denies);
        if (p.boundaryArn() != null) {
            Iam.ManagedPolicy b = iam.findPolicy(Scope.global(account), p.boundaryArn());
            List<Matched> boundaryAllows = new ArrayList<>();
            if (b != null) match(List.of(managed(b)), action, resourceArn, ctx, boundaryAllows, denies);
            if (denies.isEmpty() && boundaryAllows.isEmpty()) return new Result(Decision.IMPLICIT_DENY, List.of());
        }
        if (!denies.isEmpty()) return new Result(Decision.EXPLICIT_DENY, List.copyOf(denies));
        if (allows.isEmpty()) return new Result(Decision.IMPLICIT_DENY, List.of());
        return new Result(Decision.ALLOWED, List.copyOf(allows));
    }

    private static void match(List<Source> sources, String action, String resource, Map<String, List<String>> ctx,
                              List<Matched> allows, List<Matched> denies) {
        for (Source s : sources) {
            List<JsonNode> statements = PolicyStatements.of(s.document());
            for (int i = 0; i < statements.size(); i++) {
                JsonNode st = statements.get(i);
                if (!PolicyStatements.applies(st, action, resource, ctx)) continue;
                Matched m = new Matched(s.policyId(), s.sourceType(), i);
                if ("Deny".equals(st.path("Effect").asText())) denies.add(m);
                else if ("Allow".equals(st.path("Effect").asText())) allows.add(m);
            }
        }
    }

    /** The 12-digit account of an IAM or STS ARN, or null. */
    static String account(String arn) {
        if (arn == null) return null;
        String[] parts = arn.split(":", 6);
        if (parts.length < 6 || !parts[0].equals("arn") || !(parts[2].equals("iam") || parts[2].equals("sts"))) return null;
        return parts[4].matches("\\d{12}") ? parts[4] : null;
    }

    /** The policies of a user, role or role session; null if the ARN names none that exists. */
    Policies policies(String principalArn) {
        String account = account(principalArn);
        if (account == null) return null;
        Scope scope = Scope.global(account);
        String resource = principalArn.split(":", 6)[5];
        Map<String, List<String>> keys = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        keys.put("aws:PrincipalAccount", List.of(account));
        keys.put("aws:PrincipalArn", List.of(principalArn));
        List<Source> out = new ArrayList<>();
        if (principalArn.startsWith("arn:aws:iam::") && resource.startsWith("user/")) {
            IamUser u = iam.users.get(scope, Iam.key(resource.substring(resource.lastIndexOf('/') + 1)));
            if (u == null || !named(principalArn, Iam.arn(account, "user", u.path(), u.name()), "user/" + u.name(), resource)) return null;
            keys.put("aws:username", List.of(u.name()));
            add(out, scope, u, "user");
            for (String g : u.groups()) {
                IamGroup group = iam.groups.get(scope, Iam.key(g));
                if (group != null) add(out, scope, group, "group");
            }
            return new Policies(out, u.permissionsBoundary(), keys);
        }
        String roleName;
        if (principalArn.startsWith("arn:aws:iam::") && resource.startsWith("role/")) {
            roleName = resource.substring(resource.lastIndexOf('/') + 1);
        } else if (principalArn.startsWith("arn:aws:sts::") && resource.startsWith("assumed-role/")) {
            String[] p = resource.split("/");
            if (p.length < 3) return null;
            roleName = p[1];
        } else {
            return null;
        }
        IamRole r = iam.roles.get(scope, Iam.key(roleName));
        if (r == null) return null;
        if (resource.startsWith("role/") && !named(principalArn, Iam.arn(account, "role", r.path(), r.name()), "role/" + r.name(), resource)) {
            return null;
        }
        if (resource.startsWith("assumed-role/")) keys.put("aws:PrincipalArn", List.of(Iam.arn(account, "role", r.path(), r.name())));
        add(out, scope, r, "role");
        return new Policies(out, r.permissionsBoundary(), keys);
    }

    /** The entity's ARN, or its ARN without the path (as Lambda accepts an execution role's). */
    private static boolean named(String given, String arn, String withoutPath, String resource) {
        return given.equals(arn) || resource.equalsIgnoreCase(withoutPath);
    }

    private void add(List<Source> out, Scope scope, Principal<?> p, String kind) {
        p.inlinePolicies().forEach((name, doc) -> out.add(new Source(name, kind, doc)));
        for (String arn : p.attachedPolicies()) {
            Iam.ManagedPolicy m = iam.findPolicy(scope, arn);
            if (m != null) out.add(managed(m));
        }
    }

    private static Source managed(Iam.ManagedPolicy m) {
        IamPolicy.Version v = m.version(m.defaultVersionId());
        return new Source(m.name(), m.awsManaged() ? "aws-managed" : "user-managed", v == null ? null : v.document());
    }
}
