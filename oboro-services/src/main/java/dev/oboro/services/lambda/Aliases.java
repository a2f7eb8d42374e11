package dev.oboro.services.lambda;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.AliasRoutingConfiguration;
import software.amazon.awssdk.services.lambda.model.CreateAliasRequest;
import software.amazon.awssdk.services.lambda.model.CreateAliasResponse;
import software.amazon.awssdk.services.lambda.model.DeleteAliasRequest;
import software.amazon.awssdk.services.lambda.model.DeleteAliasResponse;
import software.amazon.awssdk.services.lambda.model.GetAliasRequest;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;
import software.amazon.awssdk.services.lambda.model.ListAliasesRequest;
import software.amazon.awssdk.services.lambda.model.ListAliasesResponse;
import software.amazon.awssdk.services.lambda.model.UpdateAliasRequest;
import software.amazon.awssdk.services.lambda.model.UpdateAliasResponse;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Aliases: a name for a version, optionally splitting traffic with a second version by weight
 * (weighted alias routing). Invocations through an alias pick the version per request.
 */
final class Aliases {
    private static final Pattern ALIAS_NAME = Pattern.compile("(?!^[0-9]+$)([a-zA-Z0-9-_]+)");

    private final LambdaState state;
    private final Provisioning provisioning;

    Aliases(LambdaState state, Provisioning provisioning) {
        this.state = state;
        this.provisioning = provisioning;
    }

    static List<LambdaState.Alias> aliasesOf(LambdaState state, Scope scope, String function) {
        return LambdaState.prefixed(state.aliases, scope, function + "/");
    }

    CreateAliasResponse createAlias(Call call, CreateAliasRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        LambdaState.LambdaFunction f = state.function(ref);
        if (!ALIAS_NAME.matcher(req.name()).matches() || LambdaState.LATEST.equals(req.name())) {
            throw new AwsException("ValidationException", "1 validation error detected: Value '" + req.name()
                    + "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)", 400);
        }
        checkVersion(ref, req.functionVersion());
        checkRouting(ref, req.functionVersion(), req.routingConfig());
        String id = f.name() + "/" + req.name();
        AliasConfiguration c = AliasConfiguration.builder()
                .aliasArn(ref.unqualifiedArn() + ":" + req.name())
                .name(req.name())
                .functionVersion(req.functionVersion())
                .description(req.description() == null ? "" : req.description())
                .routingConfig(routing(req.routingConfig()))
                .revisionId(Ids.uuid())
                .build();
        if (!state.aliases.putIfAbsent(ref.scope(), id, new LambdaState.Alias(f.name(), req.name(), c))) {
            throw new AwsException("ResourceConflictException", "Alias already exists: " + c.aliasArn(), 409);
        }
        return CreateAliasResponse.builder().aliasArn(c.aliasArn()).name(c.name()).functionVersion(c.functionVersion())
                .description(c.description()).routingConfig(c.routingConfig()).revisionId(c.revisionId()).build();
    }

    GetAliasResponse getAlias(Call call, GetAliasRequest req) {
        AliasConfiguration c = find(call, req.functionName(), req.name()).configuration();
        return GetAliasResponse.builder().aliasArn(c.aliasArn()).name(c.name()).functionVersion(c.functionVersion())
                .description(c.description()).routingConfig(c.routingConfig()).revisionId(c.revisionId()).build();
    }

    UpdateAliasResponse updateAlias(Call call, UpdateAliasRequest req) {
        LambdaState.Alias a = find(call, req.functionName(), req.name());
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        Functions.checkRevision(req.revisionId(), a.configuration().revisionId());
        AliasConfiguration.Builder b = a.configuration().toBuilder();
        String version = req.functionVersion() != null ? req.functionVersion() : a.configuration().functionVersion();
        if (req.functionVersion() != null) {
            checkVersion(ref, req.functionVersion());
            b.functionVersion(req.functionVersion());
        }
        if (req.description() != null) b.description(req.description());
        if (req.routingConfig() != null) {
            checkRouting(ref, version, req.routingConfig());
            b.routingConfig(routing(req.routingConfig()));
        }
        AliasConfiguration c = b.revisionId(Ids.uuid()).build();
        state.aliases.put(ref.scope(), a.function() + "/" + a.name(), new LambdaState.Alias(a.function(), a.name(), c));
        if (!Provisioning.sameVersions(c, a.configuration())) {
            provisioning.aliasMoved(ref.scope(), a.function(), a.name(), a.configuration(), call.now());
        }
        return UpdateAliasResponse.builder().aliasArn(c.aliasArn()).name(c.name()).functionVersion(c.functionVersion())
                .description(c.description()).routingConfig(c.routingConfig()).revisionId(c.revisionId()).build();
    }

    DeleteAliasResponse deleteAlias(Call call, DeleteAliasRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        LambdaState.LambdaFunction f = state.function(ref);
        LambdaState.Alias gone = state.aliases.remove(ref.scope(), f.name() + "/" + req.name());
        // the alias's function URL and provisioned concurrency go with it
        state.urls.remove(ref.scope(), f.name() + "/" + req.name());
        if (gone != null) provisioning.aliasDeleted(ref.scope(), f.name(), req.name(), gone.configuration());
        return DeleteAliasResponse.builder().build();
    }

    ListAliasesResponse listAliases(Call call, ListAliasesRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        LambdaState.LambdaFunction f = state.function(ref);
        List<LambdaState.Alias> all = aliasesOf(state, ref.scope(), f.name()).stream()
                .filter(a -> req.functionVersion() == null || req.functionVersion().equals(a.configuration().functionVersion()))
                .toList();
        ListAliasesResponse.Builder b = ListAliasesResponse.builder();
        Pagination.Page<LambdaState.Alias> page = Pagination.page(call, req, all, LambdaState.Alias::name, b, 50);
        return b.aliases(page.items().stream().map(LambdaState.Alias::configuration).toList()).build();
    }

    private LambdaState.Alias find(Call call, String functionName, String alias) {
        LambdaState.Ref ref = LambdaState.ref(call, functionName, null);
        LambdaState.LambdaFunction f = state.function(ref);
        LambdaState.Alias a = state.aliases.get(ref.scope(), f.name() + "/" + alias);
        if (a == null) {
            throw new AwsException("ResourceNotFoundException", "Cannot find alias arn: " + ref.unqualifiedArn() + ":" + alias, 404);
        }
        return a;
    }

    private void checkVersion(LambdaState.Ref ref, String version) {
        if (LambdaState.LATEST.equals(version)) return;
        if (!LambdaState.isVersionNumber(version) || !state.versions.contains(ref.scope(), LambdaState.versionId(ref.name(), version))) {
            throw new AwsException("ResourceNotFoundException", "Function not found: " + ref.unqualifiedArn() + ":" + version, 404);
        }
    }

    /** Weighted routing: one additional published version, weight in [0, 1], never the primary version or $LATEST. */
    private void checkRouting(LambdaState.Ref ref, String primary, AliasRoutingConfiguration routing) {
        if (routing == null || !routing.hasAdditionalVersionWeights()) return;
        Map<String, Double> w = routing.additionalVersionWeights();
        if (w.size() > 1) {
            throw new AwsException("InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1");
        }
        for (Map.Entry<String, Double> e : w.entrySet()) {
            if (LambdaState.LATEST.equals(primary) || LambdaState.LATEST.equals(e.getKey())) {
                throw new AwsException("InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version");
            }
            if (e.getKey().equals(primary)) {
                throw new AwsException("InvalidParameterValueException", "Invalid function version " + e.getKey()
                        + ". Function version " + e.getKey() + " is already included in routing configuration.");
            }
            if (e.getValue() == null || e.getValue() < 0 || e.getValue() > 1) {
                throw new AwsException("ValidationException", "1 validation error detected: Value '" + e.getValue()
                        + "' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: "
                        + "[Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]", 400);
            }
            checkVersion(ref, e.getKey());
        }
    }

    private static AliasRoutingConfiguration routing(AliasRoutingConfiguration r) {
        return r == null || !r.hasAdditionalVersionWeights() || r.additionalVersionWeights().isEmpty() ? null : r;
    }

    /** The version an invocation through this alias runs: the additional version with its weight's probability. */
    static String pickVersion(AliasConfiguration c) {
        AliasRoutingConfiguration r = c.routingConfig();
        if (r != null && r.hasAdditionalVersionWeights()) {
            double x = ThreadLocalRandom.current().nextDouble();
            for (Map.Entry<String, Double> e : r.additionalVersionWeights().entrySet()) {
                if (x < e.getValue()) return e.getKey();
                x -= e.getValue();
            }
        }
        return c.functionVersion();
    }
}
