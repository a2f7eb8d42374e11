package dev.oboro.services.sts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.core.Call;
import dev.oboro.core.Identity;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.iam.model.GetRoleRequest;
import software.amazon.awssdk.services.iam.model.GetRoleResponse;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.AssumedRoleUser;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetSessionTokenRequest;
import software.amazon.awssdk.services.sts.model.GetSessionTokenResponse;
import software.amazon.awssdk.services.sts.model.Tag;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Temporary credentials: {@code AssumeRole} (the role's trust policy is evaluated against the
 * caller), {@code AssumeRoleWithWebIdentity} (against the token's issuer) and
 * {@code GetSessionToken}. Each issues an {@code ASIA…} key that is an identity of the gateway
 * until its expiry on Oboro's clock; sessions are persisted, so they survive a restart.
 *
 * <p>Other services assume roles for users' resources (a function's execution role, an instance
 * profile) by calling {@code AssumeRole} with {@link Identity#service} as the caller, which a
 * trust policy's {@code Service} principal admits.
 */
final class Sessions {
    /** Role sessions: one hour unless asked; at most the role's MaxSessionDuration, one hour when chaining roles. */
    static final int DEFAULT_ROLE_SESSION = 3600;
    /** GetSessionToken: 12 hours by default; root credentials get at most one hour. */
    static final int DEFAULT_SESSION_TOKEN = 43200;
    static final int ROOT_SESSION_MAX = 3600;
    /** How long an expired session is kept to answer ExpiredToken rather than "unknown key". */
    static final Duration KEEP_EXPIRED = Duration.ofDays(1);

    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/(?:.*/)?([^/]+)");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Oboro oboro;
    private final Table<StsSession> sessions;
    /** Session access key id → account. */
    private final Map<String, String> accounts = new ConcurrentHashMap<>();

    Sessions(Oboro oboro) {
        this.oboro = oboro;
        this.sessions = oboro.store().table("sts.sessions", StsSession.class);
        reindex();
    }

    void reindex() {
        accounts.clear();
        for (Scope s : sessions.scopes()) {
            for (String id : sessions.entries(s).keySet()) accounts.put(id, s.account());
        }
    }

    Identity resolve(String accessKeyId) {
        String account = accounts.get(accessKeyId);
        if (account == null) return null;
        StsSession s = sessions.get(Scope.global(account), accessKeyId);
        return s == null ? null : s.identity();
    }

    // ------------------------------------------------------------------ AssumeRole

    AssumeRoleResponse assumeRole(Call call, AssumeRoleRequest req) {
        Identity caller = call.caller();
        if ("Root".equals(caller.type())) throw accessDenied("Roles may not be assumed by root accounts.");
        String denied = "User: " + caller.arn() + " is not authorized to perform: sts:AssumeRole on resource: " + req.roleArn();
        Role role = role(call, req.roleArn());
        if (role == null) throw accessDenied(denied);

        List<String> actions = new ArrayList<>(List.of("sts:AssumeRole"));
        if (req.hasTags() && !req.tags().isEmpty()) actions.add("sts:TagSession");
        if (req.sourceIdentity() != null) actions.add("sts:SetSourceIdentity");
        Map<String, List<String>> ctx = new HashMap<>();
        ctx.put("aws:PrincipalAccount", List.of(caller.account()));
        ctx.put("aws:PrincipalType", List.of(caller.type()));
        ctx.put("aws:userid", List.of(caller.principalId()));
        if (caller.sourceArn() != null) ctx.put("aws:PrincipalArn", List.of(caller.sourceArn()));
        if ("IAMUser".equals(caller.type())) ctx.put("aws:username", List.of(caller.userName()));
        if (req.externalId() != null) ctx.put("sts:ExternalId", List.of(req.externalId()));
        ctx.put("sts:RoleSessionName", List.of(req.roleSessionName()));
        if (req.sourceIdentity() != null) ctx.put("sts:SourceIdentity", List.of(req.sourceIdentity()));
        if (req.hasTags()) {
            for (Tag t : req.tags()) ctx.put("aws:RequestTag/" + t.key(), List.of(t.value()));
            ctx.put("aws:TagKeys", req.tags().stream().map(Tag::key).toList());
        }
        TrustPolicy.Requester who = "AWSService".equals(caller.type())
                ? new TrustPolicy.Requester("Service", caller.account(), List.of(caller.arn()))
                : new TrustPolicy.Requester("AWS", caller.account(), caller.sourceArn() == null
                        ? List.of(caller.arn()) : List.of(caller.arn(), caller.sourceArn()));
        if (!new TrustPolicy(trustDocument(role)).allows(who, actions, ctx)) throw accessDenied(denied);

        int seconds = req.durationSeconds() == null ? DEFAULT_ROLE_SESSION : req.durationSeconds();
        if ("AssumedRole".equals(caller.type()) && seconds > DEFAULT_ROLE_SESSION) {
            throw validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }
        if (seconds > role.maxSessionDuration()) {
            throw validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        StsSession s = issue(call, roleSession(role, req.roleSessionName(), call.now().plusSeconds(seconds)));
        return AssumeRoleResponse.builder().credentials(credentials(s)).assumedRoleUser(assumedRoleUser(s))
                .sourceIdentity(req.sourceIdentity()).build();
    }

    // ------------------------------------------------------------------ AssumeRoleWithWebIdentity

    AssumeRoleWithWebIdentityResponse assumeRoleWithWebIdentity(Call call, AssumeRoleWithWebIdentityRequest req) {
        JsonNode claims = claims(req.webIdentityToken());
        String iss = claims.path("iss").asText("");
        String sub = claims.path("sub").asText(null);
        String aud = claims.path("aud").isArray() ? claims.path("aud").path(0).asText(null) : claims.path("aud").asText(null);
        String provider = req.providerId() != null ? req.providerId() : iss.replaceFirst("^https://", "");
        Role role = role(call, req.roleArn());
        AwsException denied = accessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
        if (role == null) throw denied;
        String roleAccount = role.arn().substring("arn:aws:iam::".length(), "arn:aws:iam::".length() + 12);
        Map<String, List<String>> ctx = new HashMap<>();
        if (sub != null) ctx.put(provider + ":sub", List.of(sub));
        if (aud != null) ctx.put(provider + ":aud", claimValues(claims.path("aud")));
        if (claims.has("amr")) ctx.put(provider + ":amr", claimValues(claims.path("amr")));
        ctx.put("sts:RoleSessionName", List.of(req.roleSessionName()));
        TrustPolicy.Requester who = new TrustPolicy.Requester("Federated", roleAccount,
                List.of(provider, iss, "arn:aws:iam::" + roleAccount + ":oidc-provider/" + provider));
        if (!new TrustPolicy(trustDocument(role)).allows(who, List.of("sts:AssumeRoleWithWebIdentity"), ctx)) throw denied;
        int seconds = req.durationSeconds() == null ? DEFAULT_ROLE_SESSION : req.durationSeconds();
        if (seconds > role.maxSessionDuration()) {
            throw validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        StsSession s = issue(call, roleSession(role, req.roleSessionName(), call.now().plusSeconds(seconds)));
        return AssumeRoleWithWebIdentityResponse.builder().credentials(credentials(s)).assumedRoleUser(assumedRoleUser(s))
                .subjectFromWebIdentityToken(sub).audience(aud).provider(iss.isEmpty() ? provider : iss).build();
    }

    // ------------------------------------------------------------------ GetSessionToken

    GetSessionTokenResponse getSessionToken(Call call, GetSessionTokenRequest req) {
        Identity caller = call.caller();
        if (caller.expiresAt() != null || "AssumedRole".equals(caller.type())) {
            throw accessDenied("Cannot call GetSessionToken with session credentials");
        }
        boolean root = "Root".equals(caller.type());
        int seconds = req.durationSeconds() == null ? (root ? ROOT_SESSION_MAX : DEFAULT_SESSION_TOKEN) : req.durationSeconds();
        if (root) seconds = Math.min(seconds, ROOT_SESSION_MAX);
        Instant expires = call.now().plusSeconds(seconds);
        String key = "ASIA" + Ids.upperAlnum(16);
        Identity id = new Identity(caller.account(), caller.arn(), caller.principalId(), caller.type(), key,
                caller.userName(), expires, caller.sourceArn());
        StsSession s = issue(call, id);
        return GetSessionTokenResponse.builder().credentials(credentials(s)).build();
    }

    // ------------------------------------------------------------------ helpers

    /** The role of an ARN, read from IAM in the role's account; null when there is no such role. */
    private Role role(Call call, String roleArn) {
        Matcher m = ROLE_ARN.matcher(roleArn);
        if (!m.matches()) return null;
        Call inRoleAccount = Call.internal(oboro, m.group(1), call.region(), "sts");
        try {
            GetRoleResponse r = oboro.services().call(inRoleAccount, "iam", GetRoleRequest.builder().roleName(m.group(2)).build());
            return r.role().arn().equals(roleArn) ? r.role() : null;
        } catch (AwsException e) {
            if ("NoSuchEntity".equals(e.code())) return null;
            throw e;
        }
    }

    private static String trustDocument(Role role) {
        return URLDecoder.decode(role.assumeRolePolicyDocument(), StandardCharsets.UTF_8);
    }

    private static Identity roleSession(Role role, String sessionName, Instant expires) {
        String account = role.arn().substring("arn:aws:iam::".length(), "arn:aws:iam::".length() + 12);
        String arn = "arn:aws:sts::" + account + ":assumed-role/" + role.roleName() + "/" + sessionName;
        return new Identity(account, arn, role.roleId() + ":" + sessionName, "AssumedRole", "ASIA" + Ids.upperAlnum(16),
                sessionName, expires, role.arn());
    }

    private StsSession issue(Call call, Identity identity) {
        byte[] token = new byte[180];
        RANDOM.nextBytes(token);
        StsSession s = new StsSession(identity.accessKeyId(), secret(), Base64.getEncoder().encodeToString(token), identity, call.now());
        Scope scope = Scope.global(identity.account());
        Instant forgetBefore = call.now().minus(KEEP_EXPIRED);
        for (StsSession old : List.copyOf(sessions.values(scope))) {
            if (old.identity().expiresAt().isBefore(forgetBefore)) {
                sessions.remove(scope, old.accessKeyId());
                accounts.remove(old.accessKeyId());
            }
        }
        sessions.put(scope, s.accessKeyId(), s);
        accounts.put(s.accessKeyId(), identity.account());
        return s;
    }

    private static Credentials credentials(StsSession s) {
        return Credentials.builder().accessKeyId(s.accessKeyId()).secretAccessKey(s.secretAccessKey())
                .sessionToken(s.sessionToken()).expiration(s.identity().expiresAt()).build();
    }

    private static AssumedRoleUser assumedRoleUser(StsSession s) {
        return AssumedRoleUser.builder().arn(s.identity().arn()).assumedRoleId(s.identity().principalId()).build();
    }

    /** The claims of a JWT (header.payload.signature, base64url); the signature is not checked. */
    private static JsonNode claims(String token) {
        String[] parts = token.split("\\.");
        try {
            if (parts.length >= 2) {
                JsonNode n = JSON.readTree(Base64.getUrlDecoder().decode(parts[1].replace("=", "")));
                if (n != null && n.isObject()) return n;
            }
        } catch (IOException | IllegalArgumentException e) {
            // falls through to the error below
        }
        throw new AwsException("InvalidIdentityToken", "The web identity token that was passed could not be validated by "
                + "Amazon Web Services. Get a new identity token from the identity provider and then retry the request.");
    }

    private static List<String> claimValues(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) n.forEach(v -> out.add(v.asText()));
        else out.add(n.asText());
        return out;
    }

    private static String secret() {
        byte[] b = new byte[30];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private static AwsException accessDenied(String message) {
        return new AwsException("AccessDenied", message, 403);
    }

    private static AwsException validation(String message) {
        return new AwsException("ValidationError", message, 400);
    }
}
