package dev.oboro.services.lambda;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.DeleteProvisionedConcurrencyConfigRequest;
import software.amazon.awssdk.services.lambda.model.DeleteProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetProvisionedConcurrencyConfigRequest;
import software.amazon.awssdk.services.lambda.model.GetProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.ListProvisionedConcurrencyConfigsRequest;
import software.amazon.awssdk.services.lambda.model.ListProvisionedConcurrencyConfigsResponse;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigListItem;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;
import software.amazon.awssdk.services.lambda.model.PutProvisionedConcurrencyConfigRequest;
import software.amazon.awssdk.services.lambda.model.PutProvisionedConcurrencyConfigResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Provisioned concurrency: a config on a version or alias is {@code IN_PROGRESS} until
 * {@link #ALLOCATION_DELAY} of Oboro's clock has passed and its environments have really been
 * started and initialised, then {@code READY}. Invocations of that version take a provisioned
 * environment first (no cold start, no {@code Init Duration}); beyond them they spill over to
 * on-demand environments. A weighted alias's provisioned environments are split between its two
 * versions by weight. Provisioned concurrency counts against the function's reserved
 * concurrency and, without one, against the account's unreserved concurrency.
 */
final class Provisioning {
    private static final Logger LOG = Logger.getLogger(Provisioning.class.getName());
    /** Lambda takes a minute or two to allocate provisioned concurrency; Oboro takes this much of its clock. */
    static final Duration ALLOCATION_DELAY = Duration.ofSeconds(30);

    private final LambdaState state;
    private final Environments environments;
    private final Invocations invocations;
    /** Configs (scope|id|readyAt) whose environments have been started. */
    private final Set<String> allocated = ConcurrentHashMap.newKeySet();

    Provisioning(LambdaState state, Environments environments, Invocations invocations) {
        this.state = state;
        this.environments = environments;
        this.invocations = invocations;
    }

    private static String key(Scope scope, LambdaState.Provisioned p) {
        return scope + "|" + p.function() + "/" + p.qualifier() + "|" + p.readyAt();
    }

    /** Re-arms allocation after a restart or reset: environments do not survive either. */
    void resume() {
        allocated.clear();
        for (Scope scope : state.provisioned.scopes()) {
            for (LambdaState.Provisioned p : state.provisioned.values(scope)) arm(scope, p);
        }
    }

    private void arm(Scope scope, LambdaState.Provisioned p) {
        state.oboro.scheduler().schedule(p.readyAt(), () -> state.oboro.workers().submit(() -> allocate(scope, p)));
    }

    private void allocate(Scope scope, LambdaState.Provisioned p) {
        try {
            LambdaState.Provisioned now = state.provisioned.get(scope, p.function() + "/" + p.qualifier());
            if (now == null || !now.readyAt().equals(p.readyAt())) return;
            LambdaState.LambdaFunction f = state.functions.get(scope, p.function());
            Map<String, Integer> shares = shares(scope, p.function(), p.qualifier(), p.requested());
            if (f == null || shares.isEmpty()) return;
            shares.forEach((version, n) -> {
                FunctionConfiguration c = state.configuration(new LambdaState.Ref(scope.account(), scope.region(), f.name(), version));
                environments.provision(invocations.spec(scope, f, c, version), n);
            });
            allocated.add(key(scope, p));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "allocating provisioned concurrency of " + p.function() + ":" + p.qualifier() + " failed", e);
        }
    }

    /** The version a qualifier's provisioned environments run: the version itself, or the alias's version. */
    private String versionOf(Scope scope, String function, String qualifier) {
        if (LambdaState.isVersionNumber(qualifier)) return qualifier;
        LambdaState.Alias a = state.aliases.get(scope, function + "/" + qualifier);
        return a == null ? null : a.configuration().functionVersion();
    }

    /** How many of a qualifier's provisioned environments each version runs (none if it is gone). */
    private Map<String, Integer> shares(Scope scope, String function, String qualifier, int requested) {
        if (LambdaState.isVersionNumber(qualifier)) return Map.of(qualifier, requested);
        LambdaState.Alias a = state.aliases.get(scope, function + "/" + qualifier);
        return a == null ? Map.of() : shares(a.configuration(), requested);
    }

    /**
     * A weighted alias's provisioned concurrency is split between its two versions by their weights
     * (the additional version's share rounded), as Lambda allocates it during canary and linear
     * deployments; a version with no share gets none.
     */
    static Map<String, Integer> shares(AliasConfiguration alias, int requested) {
        Map<String, Integer> out = new LinkedHashMap<>();
        int rest = requested;
        Map<String, Double> weights = weights(alias);
        for (Map.Entry<String, Double> w : weights.entrySet()) {
            int n = (int) Math.min(rest, Math.round(requested * w.getValue()));
            if (n > 0) out.put(w.getKey(), n);
            rest -= n;
        }
        if (rest > 0) out.put(alias.functionVersion(), rest);
        return out;
    }

    private static Map<String, Double> weights(AliasConfiguration alias) {
        return alias.routingConfig() == null ? Map.of() : alias.routingConfig().additionalVersionWeights();
    }

    /** Whether two configurations of an alias route to the same versions with the same weights. */
    static boolean sameVersions(AliasConfiguration a, AliasConfiguration b) {
        return a.functionVersion().equals(b.functionVersion()) && weights(a).equals(weights(b));
    }

    /** Gives up the provisioned environments of these versions. */
    private void release(Scope scope, String function, Collection<String> versions) {
        for (String v : versions) environments.unprovision(scope, function, v);
    }

    /** The provisioned concurrency of all of a function's versions and aliases. */
    static int provisionedTotal(LambdaState state, Scope scope, String function) {
        int n = 0;
        for (LambdaState.Provisioned p : LambdaState.prefixed(state.provisioned, scope, function + "/")) n += p.requested();
        return n;
    }

    /** What a function takes from the account's concurrency: its reserved concurrency, else its provisioned concurrency. */
    static int claimed(LambdaState state, Scope scope, LambdaState.LambdaFunction f) {
        return f.reservedConcurrency() != null ? f.reservedConcurrency() : provisionedTotal(state, scope, f.name());
    }

    /** An alias with provisioned concurrency now points at other versions or weights: Lambda allocates it there anew. */
    void aliasMoved(Scope scope, String function, String alias, AliasConfiguration before, Instant now) {
        LambdaState.Provisioned old = state.provisioned.get(scope, function + "/" + alias);
        if (old == null) return;
        release(scope, function, shares(before, old.requested()).keySet());
        allocated.remove(key(scope, old));
        LambdaState.Provisioned p = new LambdaState.Provisioned(function, alias, old.requested(), now.plus(ALLOCATION_DELAY), old.lastModified());
        state.provisioned.put(scope, function + "/" + alias, p);
        arm(scope, p);
    }

    /** A deleted alias's provisioned concurrency goes with it. */
    void aliasDeleted(Scope scope, String function, String alias, AliasConfiguration before) {
        LambdaState.Provisioned p = state.provisioned.remove(scope, function + "/" + alias);
        if (p == null) return;
        allocated.remove(key(scope, p));
        release(scope, function, shares(before, p.requested()).keySet());
    }

    // ================================================================== handlers

    PutProvisionedConcurrencyConfigResponse putProvisionedConcurrencyConfig(Call call, PutProvisionedConcurrencyConfigRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), req.qualifier());
        Scope scope = ref.scope();
        LambdaState.LambdaFunction f = state.function(ref);
        String q = ref.qualifier();
        if (q == null || LambdaState.LATEST.equals(q)) throw unpublished();
        state.requireQualifier(ref);
        String version = versionOf(scope, f.name(), q);
        if (LambdaState.LATEST.equals(version)) throw unpublished();
        if (LambdaState.isVersionNumber(q)) {
            for (LambdaState.Alias a : Aliases.aliasesOf(state, scope, f.name())) {
                if (q.equals(a.configuration().functionVersion()) && state.provisioned.contains(scope, f.name() + "/" + a.name())) {
                    throw new AwsException("ResourceConflictException",
                            "Version is pointed by a Provisioned Concurrency alias", 409);
                }
            }
        } else if (state.provisioned.contains(scope, f.name() + "/" + version)) {
            throw new AwsException("ResourceConflictException",
                    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version", 409);
        }
        int requested = req.provisionedConcurrentExecutions();
        String id = f.name() + "/" + q;
        LambdaState.Provisioned old = state.provisioned.get(scope, id);
        int total = provisionedTotal(state, scope, f.name()) - (old == null ? 0 : old.requested()) + requested;
        if (f.reservedConcurrency() != null && total > f.reservedConcurrency()) {
            throw new AwsException("InvalidParameterValueException",
                    "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function");
        }
        int others = 0;
        for (LambdaState.LambdaFunction o : state.functions.values(scope)) {
            if (!o.name().equals(f.name())) others += claimed(state, scope, o);
        }
        int mine = f.reservedConcurrency() != null ? f.reservedConcurrency() : total;
        if (Functions.ACCOUNT_CONCURRENCY - others - mine < Functions.MIN_UNRESERVED) {
            throw new AwsException("InvalidParameterValueException", "Specified ConcurrentExecutions for function decreases account's "
                    + "UnreservedConcurrentExecution below its minimum value of [" + Functions.MIN_UNRESERVED + "].");
        }
        if (old != null) {
            release(scope, f.name(), shares(scope, f.name(), q, old.requested()).keySet());
            allocated.remove(key(scope, old));
        }
        Instant now = call.now();
        LambdaState.Provisioned p = new LambdaState.Provisioned(f.name(), q, requested, now.plus(ALLOCATION_DELAY), LambdaState.lastModified(now));
        state.provisioned.put(scope, id, p);
        arm(scope, p);
        View v = view(scope, p, now);
        return PutProvisionedConcurrencyConfigResponse.builder().requestedProvisionedConcurrentExecutions(p.requested())
                .allocatedProvisionedConcurrentExecutions(v.allocated()).availableProvisionedConcurrentExecutions(v.available())
                .status(v.status()).lastModified(p.lastModified()).build();
    }

    private static AwsException unpublished() {
        return new AwsException("InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
    }

    private record View(int allocated, int available, ProvisionedConcurrencyStatusEnum status) {
    }

    private View view(Scope scope, LambdaState.Provisioned p, Instant now) {
        boolean ready = !now.isBefore(p.readyAt()) && allocated.contains(key(scope, p));
        if (!ready) return new View(0, 0, ProvisionedConcurrencyStatusEnum.IN_PROGRESS);
        return new View(p.requested(), p.requested(), ProvisionedConcurrencyStatusEnum.READY);
    }

    private LambdaState.Provisioned find(Call call, String functionName, String qualifier) {
        LambdaState.Ref ref = LambdaState.ref(call, functionName, qualifier);
        LambdaState.LambdaFunction f = state.function(ref);
        LambdaState.Provisioned p = ref.qualifier() == null ? null : state.provisioned.get(ref.scope(), f.name() + "/" + ref.qualifier());
        if (p == null) {
            throw new AwsException("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function", 404);
        }
        return p;
    }

    GetProvisionedConcurrencyConfigResponse getProvisionedConcurrencyConfig(Call call, GetProvisionedConcurrencyConfigRequest req) {
        LambdaState.Provisioned p = find(call, req.functionName(), req.qualifier());
        View v = view(call.scope(), p, call.now());
        return GetProvisionedConcurrencyConfigResponse.builder().requestedProvisionedConcurrentExecutions(p.requested())
                .allocatedProvisionedConcurrentExecutions(v.allocated()).availableProvisionedConcurrentExecutions(v.available())
                .status(v.status()).lastModified(p.lastModified()).build();
    }

    DeleteProvisionedConcurrencyConfigResponse deleteProvisionedConcurrencyConfig(Call call, DeleteProvisionedConcurrencyConfigRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), req.qualifier());
        LambdaState.Provisioned p = find(call, req.functionName(), req.qualifier());
        Scope scope = ref.scope();
        Set<String> versions = shares(scope, p.function(), p.qualifier(), p.requested()).keySet();
        state.provisioned.remove(scope, p.function() + "/" + p.qualifier());
        allocated.remove(key(scope, p));
        release(scope, p.function(), versions);
        return DeleteProvisionedConcurrencyConfigResponse.builder().build();
    }

    ListProvisionedConcurrencyConfigsResponse listProvisionedConcurrencyConfigs(Call call, ListProvisionedConcurrencyConfigsRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        LambdaState.LambdaFunction f = state.function(ref);
        Instant now = call.now();
        List<LambdaState.Provisioned> all = LambdaState.prefixed(state.provisioned, ref.scope(), f.name() + "/");
        ListProvisionedConcurrencyConfigsResponse.Builder b = ListProvisionedConcurrencyConfigsResponse.builder();
        Pagination.Page<LambdaState.Provisioned> page = Pagination.page(call, req, all, LambdaState.Provisioned::qualifier, b, 50);
        return b.provisionedConcurrencyConfigs(page.items().stream().map(p -> {
            View v = view(ref.scope(), p, now);
            return ProvisionedConcurrencyConfigListItem.builder().functionArn(ref.unqualifiedArn() + ":" + p.qualifier())
                    .requestedProvisionedConcurrentExecutions(p.requested()).allocatedProvisionedConcurrentExecutions(v.allocated())
                    .availableProvisionedConcurrentExecutions(v.available()).status(v.status()).lastModified(p.lastModified()).build();
        }).toList()).build();
    }
}
