package dev.oboro.services.lambda;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.lambda.model.CreateFunctionUrlConfigRequest;
import software.amazon.awssdk.services.lambda.model.CreateFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionUrlConfigRequest;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.FunctionUrlConfig;
import software.amazon.awssdk.services.lambda.model.GetFunctionUrlConfigRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvokeMode;
import software.amazon.awssdk.services.lambda.model.ListFunctionUrlConfigsRequest;
import software.amazon.awssdk.services.lambda.model.ListFunctionUrlConfigsResponse;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionUrlConfigRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionUrlConfigResponse;

import java.net.URI;
import java.security.SecureRandom;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Function URL configs: one per function ({@code $LATEST}) or alias. The URL is
 * {@code http://<url-id>.lambda-url.<region>.localhost:<port>/} (AWS:
 * {@code https://<url-id>.lambda-url.<region>.on.aws/}); {@link UrlEndpoint} answers it.
 */
final class FunctionUrls {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final LambdaState state;

    FunctionUrls(LambdaState state) {
        this.state = state;
    }

    private static String id(LambdaState.Ref ref) {
        return ref.name() + "/" + (ref.qualifier() == null ? "" : ref.qualifier());
    }

    private LambdaState.Ref target(Call call, String functionName, String qualifier) {
        LambdaState.Ref ref = LambdaState.ref(call, functionName, qualifier);
        state.function(ref);
        if (LambdaState.LATEST.equals(ref.qualifier())) ref = ref.qualified(null);
        if (ref.qualifier() != null) {
            if (LambdaState.isVersionNumber(ref.qualifier())) {
                throw new AwsException("InvalidParameterValueException", "Function URLs are not supported on function versions; use an alias.");
            }
            state.requireQualifier(ref);
        }
        return ref;
    }

    /** The URL of a url id, on Oboro's host and port. */
    String url(String urlId, String region) {
        URI base = URI.create(state.oboro.baseUrl());
        return "http://" + urlId + ".lambda-url." + region + ".localhost" + (base.getPort() < 0 ? "" : ":" + base.getPort()) + "/";
    }

    private static String newUrlId() {
        char[] c = new char[32];
        for (int i = 0; i < c.length; i++) c[i] = ID_CHARS[RANDOM.nextInt(ID_CHARS.length)];
        return new String(c);
    }

    private static String timestamp(java.time.Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    private static AwsException notFound() {
        return new AwsException("ResourceNotFoundException", "The resource you requested does not exist.", 404);
    }

    /** The function URL with a url id, across accounts and regions; null if none. */
    LambdaState.FunctionUrl byUrlId(String urlId) {
        for (Scope scope : state.urls.scopes()) {
            for (LambdaState.FunctionUrl u : state.urls.values(scope)) {
                if (u.urlId().equals(urlId)) return u;
            }
        }
        return null;
    }

    /** The scope of a function URL (from its function ARN). */
    static Scope scopeOf(LambdaState.FunctionUrl u) {
        String[] arn = u.configuration().functionArn().split(":");
        return new Scope(arn[4], arn[3]);
    }

    CreateFunctionUrlConfigResponse createFunctionUrlConfig(Call call, CreateFunctionUrlConfigRequest req) {
        LambdaState.Ref ref = target(call, req.functionName(), req.qualifier());
        String now = timestamp(call.now());
        String urlId = newUrlId();
        FunctionUrlConfig c = FunctionUrlConfig.builder().functionUrl(url(urlId, ref.region())).functionArn(ref.arn())
                .authType(req.authType()).cors(req.cors()).creationTime(now).lastModifiedTime(now)
                .invokeMode(req.invokeMode() == null ? InvokeMode.BUFFERED : req.invokeMode()).build();
        if (!state.urls.putIfAbsent(ref.scope(), id(ref), new LambdaState.FunctionUrl(ref.name(), ref.qualifier(), urlId, c))) {
            throw new AwsException("ResourceConflictException", "Failed to create function url config for [functionArn = " + ref.arn()
                    + "]. Error message:  FunctionUrlConfig exists for this Lambda function", 409);
        }
        return CreateFunctionUrlConfigResponse.builder().functionUrl(c.functionUrl()).functionArn(c.functionArn()).authType(c.authType())
                .cors(c.cors()).creationTime(c.creationTime()).invokeMode(c.invokeMode()).build();
    }

    private LambdaState.FunctionUrl get(LambdaState.Ref ref) {
        LambdaState.FunctionUrl u = state.urls.get(ref.scope(), id(ref));
        if (u == null) throw notFound();
        return u;
    }

    GetFunctionUrlConfigResponse getFunctionUrlConfig(Call call, GetFunctionUrlConfigRequest req) {
        FunctionUrlConfig c = get(target(call, req.functionName(), req.qualifier())).configuration();
        return GetFunctionUrlConfigResponse.builder().functionUrl(c.functionUrl()).functionArn(c.functionArn()).authType(c.authType())
                .cors(c.cors()).creationTime(c.creationTime()).lastModifiedTime(c.lastModifiedTime()).invokeMode(c.invokeMode()).build();
    }

    UpdateFunctionUrlConfigResponse updateFunctionUrlConfig(Call call, UpdateFunctionUrlConfigRequest req) {
        LambdaState.Ref ref = target(call, req.functionName(), req.qualifier());
        get(ref);
        LambdaState.FunctionUrl u = state.urls.update(ref.scope(), id(ref), old -> {
            FunctionUrlConfig.Builder b = old.configuration().toBuilder().lastModifiedTime(timestamp(call.now()));
            if (req.authType() != null) b.authType(req.authType());
            if (req.cors() != null) b.cors(req.cors());
            if (req.invokeMode() != null) b.invokeMode(req.invokeMode());
            return new LambdaState.FunctionUrl(old.function(), old.qualifier(), old.urlId(), b.build());
        });
        FunctionUrlConfig c = u.configuration();
        return UpdateFunctionUrlConfigResponse.builder().functionUrl(c.functionUrl()).functionArn(c.functionArn()).authType(c.authType())
                .cors(c.cors()).creationTime(c.creationTime()).lastModifiedTime(c.lastModifiedTime()).invokeMode(c.invokeMode()).build();
    }

    DeleteFunctionUrlConfigResponse deleteFunctionUrlConfig(Call call, DeleteFunctionUrlConfigRequest req) {
        LambdaState.Ref ref = target(call, req.functionName(), req.qualifier());
        if (state.urls.remove(ref.scope(), id(ref)) == null) throw notFound();
        return DeleteFunctionUrlConfigResponse.builder().build();
    }

    ListFunctionUrlConfigsResponse listFunctionUrlConfigs(Call call, ListFunctionUrlConfigsRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        LambdaState.LambdaFunction f = state.function(ref);
        List<LambdaState.FunctionUrl> all = LambdaState.prefixed(state.urls, ref.scope(), f.name() + "/");
        ListFunctionUrlConfigsResponse.Builder b = ListFunctionUrlConfigsResponse.builder();
        Pagination.Page<LambdaState.FunctionUrl> page = Pagination.page(call, req, all,
                u -> u.qualifier() == null ? "" : u.qualifier(), b, 50);
        return b.functionUrlConfigs(page.items().stream().map(LambdaState.FunctionUrl::configuration).toList()).build();
    }
}
