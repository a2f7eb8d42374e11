package dev.oboro.services.lambda;

import dev.oboro.core.Call;
import dev.oboro.core.Identity;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The credentials a function runs with: a session of its execution role, assumed through STS as
 * {@code lambda.amazonaws.com} with the function name as session name, so the function's SDK calls
 * are {@code arn:aws:sts::<account>:assumed-role/<role>/<function>}. A session is renewed when
 * less than {@link #RENEW_BEFORE} of it remains (Lambda's longest timeout), and an environment
 * started with older credentials is not used again ({@link Environments}), so no invocation starts
 * with credentials that could expire before it ends.
 *
 * <p>When the role cannot be assumed (no STS, the role was deleted or no longer trusts Lambda),
 * the function gets its account's root credentials (a 12-digit access key), as before.
 */
final class RoleCredentials {
    private static final Logger LOG = Logger.getLogger(RoleCredentials.class.getName());
    static final int SESSION_SECONDS = 3600;
    static final Duration RENEW_BEFORE = Duration.ofMinutes(15);

    record Session(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
    }

    private final Oboro oboro;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    RoleCredentials(Oboro oboro) {
        this.oboro = oboro;
    }

    void reset() {
        sessions.clear();
    }

    /** The environment variables of the function's credentials. */
    Map<String, String> variables(Scope scope, String function, String roleArn) {
        Map<String, String> vars = new LinkedHashMap<>();
        Session s = roleArn == null ? null : session(scope, function, roleArn);
        if (s == null) {
            // A 12-digit access key is that account's root.
            vars.put("AWS_ACCESS_KEY_ID", scope.account());
            vars.put("AWS_SECRET_ACCESS_KEY", "oboro-lambda");
            vars.put("AWS_SESSION_TOKEN", "oboro-lambda-" + function);
        } else {
            vars.put("AWS_ACCESS_KEY_ID", s.accessKeyId());
            vars.put("AWS_SECRET_ACCESS_KEY", s.secretAccessKey());
            vars.put("AWS_SESSION_TOKEN", s.sessionToken());
        }
        return vars;
    }

    /** The current session of a function's role, renewed when it is close to expiring; null when the role cannot be assumed. */
    Session session(Scope scope, String function, String roleArn) {
        String key = scope.account() + "/" + scope.region() + "/" + function + "/" + roleArn;
        Instant now = oboro.clock().instant();
        Session s = sessions.get(key);
        if (s != null && now.isBefore(s.expiration().minus(RENEW_BEFORE))) return s;
        synchronized (this) {
            s = sessions.get(key);
            if (s != null && now.isBefore(s.expiration().minus(RENEW_BEFORE))) return s;
            if (!oboro.services().has("sts") || !oboro.services().handles("sts", AssumeRoleRequest.class)) return null;
            try {
                Call asLambda = new Call(oboro, "sts", "AssumeRole", scope.region(), Identity.service(scope.account(), "lambda.amazonaws.com"),
                        Ids.requestId(), "127.0.0.1", "lambda.amazonaws.com");
                AssumeRoleResponse r = (AssumeRoleResponse) oboro.services().invoke(asLambda,
                        AssumeRoleRequest.builder().roleArn(roleArn).roleSessionName(function).durationSeconds(SESSION_SECONDS).build());
                s = new Session(r.credentials().accessKeyId(), r.credentials().secretAccessKey(), r.credentials().sessionToken(),
                        r.credentials().expiration());
                sessions.put(key, s);
                return s;
            } catch (AwsException e) {
                LOG.log(Level.FINE, "Lambda cannot assume " + roleArn + " for " + function + ": " + e.getMessage());
                sessions.remove(key);
                return null;
            }
        }
    }
}
