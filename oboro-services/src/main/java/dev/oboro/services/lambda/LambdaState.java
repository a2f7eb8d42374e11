package dev.oboro.services.lambda;

import dev.oboro.core.Call;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionEventInvokeConfig;
import software.amazon.awssdk.services.lambda.model.FunctionUrlConfig;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lambda's state, shared by its handlers: functions, published versions, aliases, layers, code,
 * event invoke configs, resource policies, function URLs and queued asynchronous events; and how a
 * {@code FunctionName} (name, partial ARN or ARN, with or without a qualifier) names them.
 */
final class LambdaState {
    /** How long a new function stays {@code Pending} and an update {@code InProgress}, on Oboro's clock. AWS takes seconds. */
    static final Duration CREATE_DELAY = Duration.ofMillis(250);
    static final Duration UPDATE_DELAY = Duration.ofMillis(250);
    static final String LATEST = "$LATEST";
    /** Lambda writes LastModified as {@code 2024-01-31T12:00:00.000+0000}. */
    static final DateTimeFormatter LAST_MODIFIED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

    /**
     * A function: its {@code $LATEST} configuration (state fields as at rest), when it becomes
     * Active / when its last update completes, its tags, reserved concurrency and next version number,
     * and the state of its VPC network interfaces ({@code network}, null outside a VPC).
     */
    record LambdaFunction(String name, FunctionConfiguration configuration, FunctionConfiguration previous,
                          Instant readyAt, Instant updateDoneAt, Map<String, String> tags, Integer reservedConcurrency,
                          long lastVersion, String lastPublishedSignature, Network network) {
        /**
         * A change of code or configuration: InProgress until {@code doneAt}; invocations keep the previous one until
         * then (after a failed update, the one that still runs).
         */
        LambdaFunction updated(FunctionConfiguration c, Instant doneAt, Network n) {
            return new LambdaFunction(name, c, updateFailed() && previous != null ? previous : configuration, readyAt, doneAt, tags,
                    reservedConcurrency, lastVersion, lastPublishedSignature, n);
        }

        LambdaFunction withTags(Map<String, String> t) {
            return new LambdaFunction(name, configuration, previous, readyAt, updateDoneAt, t, reservedConcurrency, lastVersion, lastPublishedSignature, network);
        }

        LambdaFunction withReservedConcurrency(Integer r) {
            return new LambdaFunction(name, configuration, previous, readyAt, updateDoneAt, tags, r, lastVersion, lastPublishedSignature, network);
        }

        LambdaFunction withPublished(long version, String signature) {
            return new LambdaFunction(name, configuration, previous, readyAt, updateDoneAt, tags, reservedConcurrency, version, signature, network);
        }

        LambdaFunction withNetwork(Network n) {
            return new LambdaFunction(name, configuration, previous, readyAt, updateDoneAt, tags, reservedConcurrency, lastVersion, lastPublishedSignature, n);
        }

        /** Whether Lambda is still to create the network interfaces of the current configuration. */
        boolean attaching() {
            return network != null && network.dueAt() != null;
        }

        /** Being created: Pending until ready, and until its network interfaces are made. */
        boolean pending(Instant now) {
            return now.isBefore(readyAt) || (updateDoneAt == null && attaching());
        }

        boolean updating(Instant now) {
            return updateDoneAt != null && (now.isBefore(updateDoneAt) || attaching());
        }

        /** Creation failed (State Failed): the function must be deleted and created again. */
        boolean failed(Instant now) {
            return !pending(now) && updateDoneAt == null && network != null && network.failureCode() != null;
        }

        /** The last update failed (LastUpdateStatus Failed): the previous configuration still runs. */
        boolean updateFailed() {
            return updateDoneAt != null && network != null && network.failureCode() != null;
        }

        /** What invocations of $LATEST run now: the previous configuration while an update is in progress or after it failed. */
        FunctionConfiguration effective(Instant now) {
            return (updating(now) || updateFailed()) && previous != null ? previous : configuration;
        }
    }

    /**
     * The VPC network interfaces of a function's current configuration: due to be made at {@code dueAt} (null once
     * made or failed), or why they could not be ({@code failureCode}, a StateReasonCode such as SubnetOutOfIPAddresses).
     */
    record Network(Instant dueAt, String failureCode, String failureReason) {
        static Network due(Instant at) {
            return new Network(at, null, null);
        }

        static final Network READY = new Network(null, null, null);
    }

    /** A published version: an immutable snapshot of the configuration. Id {@code name/0000000001}. */
    record FunctionVersion(String name, String version, FunctionConfiguration configuration) {
    }

    /** An alias. Id {@code name/alias}. */
    record Alias(String function, String name, AliasConfiguration configuration) {
    }

    /** Deployment package bytes, content-addressed by the hex SHA-256 of the zip. */
    record Code(String sha256Hex, byte[] zip) {
    }

    /** A layer version. Id {@code name/0000000001}. */
    record LayerVersion(String name, long version, String description, String createdDate, String codeSha256Hex,
                        String codeSha256, long codeSize, List<String> compatibleRuntimes,
                        List<String> compatibleArchitectures, String licenseInfo, String policy) {
    }

    /** An event invoke config of a function or qualifier. Id {@code name/qualifier}. */
    record EventInvokeConfig(String function, String qualifier, FunctionEventInvokeConfig configuration) {
    }

    /** A resource-based policy statement. Id {@code name/qualifier/statementId}. */
    record PolicyStatement(String function, String qualifier, String statementId, String json) {
    }

    /** A function URL. Id {@code name/qualifier}; {@code urlId} is the host label of the URL. */
    record FunctionUrl(String function, String qualifier, String urlId, FunctionUrlConfig configuration) {
    }

    /** A provisioned concurrency config. Id {@code name/qualifier}. */
    record Provisioned(String function, String qualifier, int requested, Instant readyAt, String lastModified) {
    }

    /**
     * An asynchronous invocation waiting for its next attempt: kept in the store so a restart
     * resumes the queue and its retries. {@code traceHeader} is the caller's {@code X-Amzn-Trace-Id}
     * (or null), which every attempt continues.
     */
    record AsyncEvent(String id, String function, String qualifier, byte[] payload, int attempts,
                      Instant receivedAt, Instant nextAttemptAt, String account, String region, String traceHeader) {
        AsyncEvent attempted(Instant next) {
            return new AsyncEvent(id, function, qualifier, payload, attempts + 1, receivedAt, next, account, region, traceHeader);
        }

        AsyncEvent at(Instant next) {
            return new AsyncEvent(id, function, qualifier, payload, attempts, receivedAt, next, account, region, traceHeader);
        }
    }

    final Oboro oboro;
    final Table<LambdaFunction> functions;
    final Table<FunctionVersion> versions;
    final Table<Alias> aliases;
    final Table<Code> code;
    final Table<LayerVersion> layers;
    final Table<EventInvokeConfig> eventConfigs;
    final Table<PolicyStatement> policies;
    final Table<FunctionUrl> urls;
    final Table<Provisioned> provisioned;
    final Table<AsyncEvent> events;
    final CodeCache codeCache;
    final RoleCredentials roleCredentials;
    final Vpc vpc;

    LambdaState(Oboro oboro) {
        this.oboro = oboro;
        this.functions = oboro.store().table("lambda.functions", LambdaFunction.class);
        this.versions = oboro.store().table("lambda.versions", FunctionVersion.class);
        this.aliases = oboro.store().table("lambda.aliases", Alias.class);
        this.code = oboro.store().table("lambda.code", Code.class);
        this.layers = oboro.store().table("lambda.layers", LayerVersion.class);
        this.eventConfigs = oboro.store().table("lambda.eventinvokeconfigs", EventInvokeConfig.class);
        this.policies = oboro.store().table("lambda.policies", PolicyStatement.class);
        this.urls = oboro.store().table("lambda.urls", FunctionUrl.class);
        this.provisioned = oboro.store().table("lambda.provisioned", Provisioned.class);
        this.events = oboro.store().table("lambda.events", AsyncEvent.class);
        this.codeCache = new CodeCache(this);
        this.roleCredentials = new RoleCredentials(oboro);
        this.vpc = new Vpc(this);
    }

    // ------------------------------------------------------------------ names

    /** A function reference: the function name, and the qualifier if one was given (in the name or separately). */
    record Ref(String account, String region, String name, String qualifier) {
        Scope scope() {
            return new Scope(account, region);
        }

        String unqualifiedArn() {
            return "arn:aws:lambda:" + region + ":" + account + ":function:" + name;
        }

        String arn() {
            return qualifier == null ? unqualifiedArn() : unqualifiedArn() + ":" + qualifier;
        }

        Ref qualified(String q) {
            return new Ref(account, region, name, q);
        }
    }

    private static final Pattern ARN = Pattern.compile(
            "arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\\d{12}):function:([a-zA-Z0-9-_]+)(?::(\\$LATEST|[a-zA-Z0-9-_]+))?");
    private static final Pattern PARTIAL = Pattern.compile("(\\d{12}):function:([a-zA-Z0-9-_]+)(?::(\\$LATEST|[a-zA-Z0-9-_]+))?");
    private static final Pattern NAME = Pattern.compile("([a-zA-Z0-9-_]+)(?::(\\$LATEST|[a-zA-Z0-9-_]+))?");

    /**
     * Parses {@code FunctionName} as Lambda accepts it: {@code my-function}, {@code my-function:v1},
     * {@code 123456789012:function:my-function}, or the full ARN; a separate {@code Qualifier} must
     * agree with one in the name.
     */
    static Ref ref(Call call, String functionName, String qualifier) {
        if (functionName == null || functionName.isEmpty()) {
            throw new AwsException("InvalidParameterValueException", "FunctionName is required");
        }
        String account = call.account();
        String region = call.region();
        String name;
        String q;
        Matcher m;
        if ((m = ARN.matcher(functionName)).matches()) {
            region = m.group(1);
            account = m.group(2);
            name = m.group(3);
            q = m.group(4);
        } else if ((m = PARTIAL.matcher(functionName)).matches()) {
            account = m.group(1);
            name = m.group(2);
            q = m.group(3);
        } else if ((m = NAME.matcher(functionName)).matches()) {
            name = m.group(1);
            q = m.group(2);
        } else {
            throw new AwsException("ValidationException", "1 validation error detected: Value '" + functionName
                    + "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", 400);
        }
        if (name.length() > 64) {
            throw new AwsException("ValidationException", "1 validation error detected: Value '" + functionName
                    + "' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64", 400);
        }
        if (q != null && qualifier != null && !q.equals(qualifier)) {
            throw new AwsException("InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.");
        }
        return new Ref(account, region, name, q != null ? q : qualifier);
    }

    static AwsException functionNotFound(Ref r) {
        return new AwsException("ResourceNotFoundException", "Function not found: " + r.arn(), 404);
    }

    LambdaFunction function(Ref r) {
        LambdaFunction f = functions.get(r.scope(), r.name());
        if (f == null) throw functionNotFound(r.qualified(r.qualifier()));
        return f;
    }

    static String versionId(String name, String version) {
        return name + "/" + pad(Long.parseLong(version));
    }

    static String pad(long n) {
        return String.format("%010d", n);
    }

    static boolean isVersionNumber(String q) {
        return q != null && !q.isEmpty() && q.length() <= 10 && q.chars().allMatch(Character::isDigit);
    }

    /** The stored configuration that a qualifier names: $LATEST, a version, or (not resolving routing) an alias's primary version. */
    FunctionConfiguration configuration(Ref r) {
        LambdaFunction f = function(r);
        String q = r.qualifier();
        if (q == null || LATEST.equals(q)) return f.configuration();
        if (isVersionNumber(q)) {
            FunctionVersion v = versions.get(r.scope(), versionId(r.name(), q));
            if (v == null) throw functionNotFound(r);
            return v.configuration();
        }
        Alias a = aliases.get(r.scope(), r.name() + "/" + q);
        if (a == null) throw functionNotFound(r);
        return configuration(r.qualified(a.configuration().functionVersion()));
    }

    /** Checks that a qualifier names an existing version or alias. */
    void requireQualifier(Ref r) {
        configuration(r);
    }

    /** The values of a table whose ids start with {@code prefix}, in id order. */
    static <T> List<T> prefixed(Table<T> table, Scope scope, String prefix) {
        List<T> out = new java.util.ArrayList<>();
        for (Map.Entry<String, T> e : table.entries(scope).entrySet()) {
            if (e.getKey().startsWith(prefix)) out.add(e.getValue());
        }
        return out;
    }

    static String lastModified(Instant t) {
        return LAST_MODIFIED.format(t);
    }

    Call internalCall(String account, String region) {
        return Call.internal(oboro, account, region, "lambda");
    }
}
