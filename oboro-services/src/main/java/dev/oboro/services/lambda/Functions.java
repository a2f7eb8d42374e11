package dev.oboro.services.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.iam.model.GetRoleRequest;
import software.amazon.awssdk.services.iam.model.GetRoleResponse;
import software.amazon.awssdk.services.lambda.model.AccountLimit;
import software.amazon.awssdk.services.lambda.model.AccountUsage;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.Concurrency;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionConcurrencyRequest;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionConcurrencyResponse;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionRequest;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionResponse;
import software.amazon.awssdk.services.lambda.model.EnvironmentResponse;
import software.amazon.awssdk.services.lambda.model.EphemeralStorage;
import software.amazon.awssdk.services.lambda.model.FunctionCodeLocation;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetAccountSettingsRequest;
import software.amazon.awssdk.services.lambda.model.GetAccountSettingsResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionConcurrencyRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionConcurrencyResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.Layer;
import software.amazon.awssdk.services.lambda.model.ListFunctionsRequest;
import software.amazon.awssdk.services.lambda.model.ListFunctionsResponse;
import software.amazon.awssdk.services.lambda.model.ListTagsRequest;
import software.amazon.awssdk.services.lambda.model.ListTagsResponse;
import software.amazon.awssdk.services.lambda.model.ListVersionsByFunctionRequest;
import software.amazon.awssdk.services.lambda.model.ListVersionsByFunctionResponse;
import software.amazon.awssdk.services.lambda.model.LogFormat;
import software.amazon.awssdk.services.lambda.model.LoggingConfig;
import software.amazon.awssdk.services.lambda.model.PackageType;
import software.amazon.awssdk.services.lambda.model.PublishVersionRequest;
import software.amazon.awssdk.services.lambda.model.PublishVersionResponse;
import software.amazon.awssdk.services.lambda.model.PutFunctionConcurrencyRequest;
import software.amazon.awssdk.services.lambda.model.PutFunctionConcurrencyResponse;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;
import software.amazon.awssdk.services.lambda.model.SnapStartOptimizationStatus;
import software.amazon.awssdk.services.lambda.model.SnapStartResponse;
import software.amazon.awssdk.services.lambda.model.State;
import software.amazon.awssdk.services.lambda.model.StateReasonCode;
import software.amazon.awssdk.services.lambda.model.TagResourceRequest;
import software.amazon.awssdk.services.lambda.model.TagResourceResponse;
import software.amazon.awssdk.services.lambda.model.TracingConfigResponse;
import software.amazon.awssdk.services.lambda.model.TracingMode;
import software.amazon.awssdk.services.lambda.model.UntagResourceRequest;
import software.amazon.awssdk.services.lambda.model.UntagResourceResponse;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionCodeRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionCodeResponse;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.VpcConfigResponse;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The function control plane: create, read, update, delete, list; versions; tags; reserved
 * concurrency and account settings. A new function is {@code Pending} and an update
 * {@code InProgress} for a moment of Oboro's clock (invocations keep the previous code and
 * configuration until the update is done, as Lambda documents).
 */
final class Functions {
    /** Lambda's documented per-account defaults. */
    static final int ACCOUNT_CONCURRENCY = 1000;
    static final int MIN_UNRESERVED = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ROLE_ARN = Pattern.compile("arn:(aws[a-zA-Z-]*)?:iam::(\\d{12}):role/?[a-zA-Z_0-9+=,.@\\-_/]+");
    private static final Set<String> RESERVED_ENV = Set.of("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
            "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
            "LAMBDA_RUNTIME_DIR");

    private final LambdaState state;
    private final Environments environments;

    Functions(LambdaState state, Environments environments) {
        this.state = state;
        this.environments = environments;
    }

    // ================================================================== create

    CreateFunctionResponse createFunction(Call call, CreateFunctionRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        if (req.packageType() == PackageType.IMAGE) {
            throw new AwsException("InvalidParameterValueException", "Oboro runs Zip functions only; container image functions are not supported.");
        }
        if (req.runtime() == null || req.handler() == null) {
            throw new AwsException("InvalidParameterValueException", "Runtime and Handler are mandatory parameters for functions created with deployment packages.");
        }
        Runtimes.checkCreatable(req.runtimeAsString());
        checkEnvironment(req.environment() == null ? null : req.environment().variables());
        checkRole(call, req.role());
        if (req.code() == null || req.code().zipFile() == null) {
            if (req.code() != null && req.code().s3Bucket() != null) {
                throw new AwsException("InvalidParameterValueException", "Oboro takes function code as ZipFile; S3 code locations are not supported yet.");
            }
            throw new AwsException("InvalidParameterValueException", "Please provide a source for function code.");
        }
        List<Layer> layers = Layers.resolve(state, call, req.layers());
        VpcConfigResponse vpc = state.vpc.check(call, req.vpcConfig(), req.role());
        Scope scope = ref.scope();
        if (state.functions.contains(scope, ref.name())) {
            throw new AwsException("ResourceConflictException", "Function already exist: " + ref.name(), 409);
        }
        CodeCache.Stored code = state.codeCache.store(scope, req.code().zipFile().asByteArray());
        Instant now = call.now();
        FunctionConfiguration.Builder b = FunctionConfiguration.builder()
                .functionName(ref.name())
                .functionArn(ref.unqualifiedArn())
                .runtime(req.runtimeAsString())
                .role(req.role())
                .handler(req.handler())
                .codeSize(code.size())
                .codeSha256(code.sha256())
                .description(req.description() == null ? "" : req.description())
                .timeout(req.timeout() == null ? 3 : req.timeout())
                .memorySize(req.memorySize() == null ? 128 : req.memorySize())
                .lastModified(LambdaState.lastModified(now))
                .version(LambdaState.LATEST)
                .tracingConfig(TracingConfigResponse.builder().mode(req.tracingConfig() == null || req.tracingConfig().mode() == null
                        ? TracingMode.PASS_THROUGH : req.tracingConfig().mode()).build())
                .revisionId(Ids.uuid())
                .packageType(PackageType.ZIP)
                .architectures(req.hasArchitectures() ? req.architectures() : List.of(Architecture.X86_64))
                .ephemeralStorage(EphemeralStorage.builder().size(req.ephemeralStorage() == null ? 512 : req.ephemeralStorage().size()).build())
                .snapStart(SnapStartResponse.builder().applyOn(SnapStartApplyOn.NONE).optimizationStatus(SnapStartOptimizationStatus.OFF).build())
                .loggingConfig(logging(ref.name(), req.loggingConfig()))
                .state(State.ACTIVE)
                .lastUpdateStatus(LastUpdateStatus.SUCCESSFUL);
        if (req.environment() != null && req.environment().hasVariables()) {
            b.environment(EnvironmentResponse.builder().variables(req.environment().variables()).build());
        }
        if (!layers.isEmpty()) b.layers(layers);
        if (vpc != null) b.vpcConfig(vpc);
        if (req.deadLetterConfig() != null) b.deadLetterConfig(req.deadLetterConfig());
        if (req.kmsKeyArn() != null) b.kmsKeyArn(req.kmsKeyArn());
        Instant readyAt = now.plus(Vpc.attached(vpc) ? Vpc.ATTACH_DELAY : LambdaState.CREATE_DELAY);
        LambdaState.Network network = state.vpc.plan(scope, vpc, readyAt);
        LambdaState.LambdaFunction f = new LambdaState.LambdaFunction(ref.name(), b.build(), null, readyAt, null,
                req.hasTags() ? new TreeMap<>(req.tags()) : Map.of(), null, 0, null, network);
        if (!state.functions.putIfAbsent(scope, ref.name(), f)) {
            throw new AwsException("ResourceConflictException", "Function already exist: " + ref.name(), 409);
        }
        state.vpc.arm(scope, ref.name(), network);
        if (Boolean.TRUE.equals(req.publish())) publish(call, ref, null, f.configuration().description());
        return CreateFunctionResponse.builder().applyMutation(c -> copy(render(f, now), c)).build();
    }

    private static LoggingConfig logging(String name, LoggingConfig requested) {
        LoggingConfig.Builder b = LoggingConfig.builder().logFormat(LogFormat.TEXT).logGroup("/aws/lambda/" + name);
        if (requested != null) {
            if (requested.logFormat() != null) b.logFormat(requested.logFormat());
            if (requested.logGroup() != null) b.logGroup(requested.logGroup());
            if (requested.applicationLogLevel() != null) b.applicationLogLevel(requested.applicationLogLevel());
            if (requested.systemLogLevel() != null) b.systemLogLevel(requested.systemLogLevel());
        }
        return b.build();
    }

    private static void checkEnvironment(Map<String, String> vars) {
        if (vars == null) return;
        List<String> reserved = vars.keySet().stream().filter(RESERVED_ENV::contains).sorted().toList();
        if (!reserved.isEmpty()) {
            throw new AwsException("InvalidParameterValueException", "Lambda was unable to configure your environment variables because the "
                    + "environment variables you have provided contains reserved keys that are currently not supported for modification. "
                    + "Reserved keys used in this request: " + String.join(", ", reserved));
        }
    }

    /**
     * The execution role must exist and trust {@code lambda.amazonaws.com}. When Oboro has no IAM
     * service the role cannot be checked and is taken as given.
     */
    void checkRole(Call call, String roleArn) {
        Matcher m = roleArn == null ? null : ROLE_ARN.matcher(roleArn);
        if (m == null || !m.matches()) {
            throw new AwsException("ValidationException", "1 validation error detected: Value '" + roleArn
                    + "' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", 400);
        }
        if (!state.oboro.services().has("iam") || !state.oboro.services().handles("iam", GetRoleRequest.class)) return;
        String account = m.group(2);
        String roleName = roleArn.substring(roleArn.lastIndexOf('/') + 1);
        Call as = account.equals(call.account()) ? call : state.internalCall(account, call.region());
        GetRoleResponse role;
        try {
            role = state.oboro.services().call(as, "iam", GetRoleRequest.builder().roleName(roleName).build());
        } catch (AwsException e) {
            if (e.code().startsWith("NoSuchEntity")) throw cannotAssume();
            throw e;
        }
        if (!role.role().arn().equals(roleArn) && !roleArn.endsWith(":role/" + roleName)) throw cannotAssume();
        if (!trustsLambda(role.role().assumeRolePolicyDocument())) throw cannotAssume();
    }

    private static AwsException cannotAssume() {
        return new AwsException("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.");
    }

    /** Whether a trust policy lets {@code lambda.amazonaws.com} call {@code sts:AssumeRole}. IAM returns it URL-encoded. */
    static boolean trustsLambda(String document) {
        if (document == null) return false;
        String doc = document.trim().startsWith("{") ? document : URLDecoder.decode(document, StandardCharsets.UTF_8);
        try {
            JsonNode root = JSON.readTree(doc);
            JsonNode statements = root.path("Statement");
            List<JsonNode> list = new ArrayList<>();
            if (statements.isArray()) statements.forEach(list::add);
            else if (statements.isObject()) list.add(statements);
            for (JsonNode s : list) {
                if (!"Allow".equals(s.path("Effect").asText())) continue;
                if (!anyMatches(s.path("Action"), a -> a.equals("sts:AssumeRole") || a.equals("sts:*") || a.equals("*"))) continue;
                JsonNode p = s.path("Principal");
                if (p.isTextual() && p.asText().equals("*")) return true;
                if (anyMatches(p.path("Service"), v -> v.equals("lambda.amazonaws.com"))) return true;
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean anyMatches(JsonNode n, java.util.function.Predicate<String> p) {
        if (n.isTextual()) return p.test(n.asText());
        if (n.isArray()) {
            for (JsonNode e : n) if (e.isTextual() && p.test(e.asText())) return true;
        }
        return false;
    }

    // ================================================================== read

    GetFunctionResponse getFunction(Call call, GetFunctionRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), req.qualifier());
        LambdaState.LambdaFunction f = state.function(ref);
        FunctionConfiguration c = configurationOf(f, ref, call.now());
        GetFunctionResponse.Builder b = GetFunctionResponse.builder()
                .configuration(c)
                .code(FunctionCodeLocation.builder().repositoryType("S3")
                        .location(state.oboro.baseUrl() + CodeDownloads.path(ref.scope(), CodeCache.hexOf(c.codeSha256()))).build());
        if (!f.tags().isEmpty()) b.tags(f.tags());
        if (f.reservedConcurrency() != null) b.concurrency(Concurrency.builder().reservedConcurrentExecutions(f.reservedConcurrency()).build());
        return b.build();
    }

    GetFunctionConfigurationResponse getFunctionConfiguration(Call call, GetFunctionConfigurationRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), req.qualifier());
        LambdaState.LambdaFunction f = state.function(ref);
        FunctionConfiguration c = configurationOf(f, ref, call.now());
        return GetFunctionConfigurationResponse.builder().applyMutation(b -> copy(c, b)).build();
    }

    /** The configuration a qualifier names, with $LATEST's state as of now. */
    private FunctionConfiguration configurationOf(LambdaState.LambdaFunction f, LambdaState.Ref ref, Instant now) {
        String q = ref.qualifier();
        if (q == null || LambdaState.LATEST.equals(q)) return render(f, now);
        return state.configuration(ref);
    }

    /** $LATEST as users see it now: Pending until ready, InProgress while an update runs. */
    static FunctionConfiguration render(LambdaState.LambdaFunction f, Instant now) {
        FunctionConfiguration.Builder b = f.configuration().toBuilder();
        if (f.pending(now)) {
            b.state(State.PENDING).stateReason("The function is being created.").stateReasonCode(StateReasonCode.CREATING)
                    .lastUpdateStatus(LastUpdateStatus.IN_PROGRESS).lastUpdateStatusReason("The function is being created.")
                    .lastUpdateStatusReasonCode("Creating");
        } else if (f.failed(now)) {
            LambdaState.Network n = f.network();
            b.state(State.FAILED).stateReason(n.failureReason()).stateReasonCode(n.failureCode())
                    .lastUpdateStatus(LastUpdateStatus.FAILED).lastUpdateStatusReason(n.failureReason()).lastUpdateStatusReasonCode(n.failureCode());
        } else if (f.updating(now)) {
            b.state(State.ACTIVE).lastUpdateStatus(LastUpdateStatus.IN_PROGRESS).lastUpdateStatusReason("The function is being created.")
                    .lastUpdateStatusReasonCode("Creating");
        } else if (f.updateFailed()) {
            LambdaState.Network n = f.network();
            b.state(State.ACTIVE).lastUpdateStatus(LastUpdateStatus.FAILED).lastUpdateStatusReason(n.failureReason())
                    .lastUpdateStatusReasonCode(n.failureCode());
        } else {
            b.state(State.ACTIVE).lastUpdateStatus(LastUpdateStatus.SUCCESSFUL);
        }
        return b.build();
    }

    /** Copies a FunctionConfiguration into a response builder of the same members (CreateFunctionResponse, ...). */
    static void copy(FunctionConfiguration c, Object responseBuilder) {
        software.amazon.awssdk.core.SdkPojo target = (software.amazon.awssdk.core.SdkPojo) responseBuilder;
        for (software.amazon.awssdk.core.SdkField<?> from : c.sdkFields()) {
            Object v = from.getValueOrDefault(c);
            if (v == null) continue;
            for (software.amazon.awssdk.core.SdkField<?> to : target.sdkFields()) {
                if (to.memberName().equals(from.memberName())) {
                    to.set(target, v);
                    break;
                }
            }
        }
    }

    ListFunctionsResponse listFunctions(Call call, ListFunctionsRequest req) {
        Instant now = call.now();
        record Item(String key, FunctionConfiguration c) {
        }
        List<Item> all = new ArrayList<>();
        boolean allVersions = "ALL".equals(req.functionVersionAsString());
        for (LambdaState.LambdaFunction f : state.functions.values(call.scope())) {
            all.add(new Item(f.name() + "/", render(f, now)));
            if (allVersions) {
                for (LambdaState.FunctionVersion v : versionsOf(call.scope(), f.name())) {
                    all.add(new Item(f.name() + "/" + LambdaState.pad(Long.parseLong(v.version())), v.configuration()));
                }
            }
        }
        ListFunctionsResponse.Builder b = ListFunctionsResponse.builder();
        Pagination.Page<Item> page = Pagination.page(call, req, all, Item::key, b, 50);
        return b.functions(page.items().stream().map(Item::c).toList()).build();
    }

    List<LambdaState.FunctionVersion> versionsOf(Scope scope, String name) {
        return LambdaState.prefixed(state.versions, scope, name + "/");
    }

    // ================================================================== update

    UpdateFunctionCodeResponse updateFunctionCode(Call call, UpdateFunctionCodeRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        LambdaState.LambdaFunction f = state.function(ref);
        Instant now = call.now();
        checkMutable(f, ref, now);
        checkRevision(req.revisionId(), f.configuration().revisionId());
        if (req.zipFile() == null) {
            if (req.s3Bucket() != null) {
                throw new AwsException("InvalidParameterValueException", "Oboro takes function code as ZipFile; S3 code locations are not supported yet.");
            }
            throw new AwsException("InvalidParameterValueException", "Please provide a source for function code.");
        }
        CodeCache.Stored code = state.codeCache.store(ref.scope(), req.zipFile().asByteArray());
        FunctionConfiguration.Builder c = f.configuration().toBuilder()
                .codeSha256(code.sha256()).codeSize(code.size())
                .lastModified(LambdaState.lastModified(now)).revisionId(Ids.uuid());
        if (req.hasArchitectures()) c.architectures(req.architectures());
        if (Boolean.TRUE.equals(req.dryRun())) {
            return UpdateFunctionCodeResponse.builder().applyMutation(r -> copy(render(f.updated(c.build(), now, null), now), r)).build();
        }
        FunctionConfiguration changed = c.build();
        Instant doneAt = now.plus(LambdaState.UPDATE_DELAY);
        // the network interfaces a failed VPC update could not make are tried again
        LambdaState.Network network = state.vpc.plan(ref.scope(), changed.vpcConfig(), doneAt);
        LambdaState.LambdaFunction next = state.functions.update(ref.scope(), ref.name(), old -> old.updated(changed, doneAt, network));
        state.vpc.arm(ref.scope(), ref.name(), network);
        environments.retire(ref.scope(), ref.name(), LambdaState.LATEST);
        state.codeCache.collect(ref.scope());
        if (Boolean.TRUE.equals(req.publish())) publish(call, ref, null, null);
        return UpdateFunctionCodeResponse.builder().applyMutation(r -> copy(render(next, now), r)).build();
    }

    UpdateFunctionConfigurationResponse updateFunctionConfiguration(Call call, UpdateFunctionConfigurationRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        LambdaState.LambdaFunction f = state.function(ref);
        Instant now = call.now();
        checkMutable(f, ref, now);
        checkRevision(req.revisionId(), f.configuration().revisionId());
        FunctionConfiguration.Builder c = f.configuration().toBuilder();
        if (req.runtime() != null) {
            Runtimes.checkCreatable(req.runtimeAsString());
            c.runtime(req.runtimeAsString());
        }
        if (req.role() != null) {
            checkRole(call, req.role());
            c.role(req.role());
        }
        if (req.handler() != null) c.handler(req.handler());
        if (req.description() != null) c.description(req.description());
        if (req.timeout() != null) c.timeout(req.timeout());
        if (req.memorySize() != null) c.memorySize(req.memorySize());
        if (req.environment() != null) {
            checkEnvironment(req.environment().variables());
            c.environment(req.environment().hasVariables() && !req.environment().variables().isEmpty()
                    ? EnvironmentResponse.builder().variables(req.environment().variables()).build() : null);
        }
        if (req.hasLayers()) {
            List<Layer> layers = Layers.resolve(state, call, req.layers());
            c.layers(layers.isEmpty() ? null : layers);
        }
        if (req.tracingConfig() != null && req.tracingConfig().mode() != null) {
            c.tracingConfig(TracingConfigResponse.builder().mode(req.tracingConfig().mode()).build());
        }
        if (req.ephemeralStorage() != null) c.ephemeralStorage(req.ephemeralStorage());
        if (req.loggingConfig() != null) c.loggingConfig(logging(ref.name(), req.loggingConfig()));
        if (req.deadLetterConfig() != null) c.deadLetterConfig(req.deadLetterConfig());
        if (req.kmsKeyArn() != null) c.kmsKeyArn(req.kmsKeyArn());
        VpcConfigResponse vpc = state.vpc.check(call, req.vpcConfig(), req.role() != null ? req.role() : f.configuration().role());
        if (vpc != null) c.vpcConfig(vpc);
        boolean attaching = Vpc.attaching(f.configuration().vpcConfig(), vpc);
        c.lastModified(LambdaState.lastModified(now)).revisionId(Ids.uuid());
        FunctionConfiguration changed = c.build();
        Instant doneAt = now.plus(attaching ? Vpc.ATTACH_DELAY : LambdaState.UPDATE_DELAY);
        LambdaState.Network network = state.vpc.plan(ref.scope(), changed.vpcConfig(), doneAt);
        LambdaState.LambdaFunction next = state.functions.update(ref.scope(), ref.name(), old -> old.updated(changed, doneAt, network));
        state.vpc.arm(ref.scope(), ref.name(), network);
        environments.retire(ref.scope(), ref.name(), LambdaState.LATEST);
        if (vpc != null) state.vpc.release(ref.scope());
        return UpdateFunctionConfigurationResponse.builder().applyMutation(r -> copy(render(next, now), r)).build();
    }

    /** Refusal of an operation on a function that is not Active (Pending, Failed). */
    static AwsException notActive(String state) {
        return new AwsException("ResourceConflictException",
                "The operation cannot be performed at this time. The function is currently in the following state: " + state, 409);
    }

    /** Lambda refuses changes while the function is being created or updated, and on a function whose creation failed. */
    static void checkMutable(LambdaState.LambdaFunction f, LambdaState.Ref ref, Instant now) {
        if (f.pending(now)) throw notActive("Pending");
        if (f.updating(now)) {
            throw new AwsException("ResourceConflictException",
                    "The operation cannot be performed at this time. An update is in progress for resource: " + ref.unqualifiedArn(), 409);
        }
        if (f.failed(now)) throw notActive("Failed");
    }

    static void checkRevision(String given, String current) {
        if (given != null && !given.equals(current)) {
            throw new AwsException("PreconditionFailedException",
                    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id", 412);
        }
    }

    // ================================================================== delete

    DeleteFunctionResponse deleteFunction(Call call, DeleteFunctionRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), req.qualifier());
        Scope scope = ref.scope();
        LambdaState.LambdaFunction f = state.function(ref);
        String q = ref.qualifier();
        if (q != null) {
            if (LambdaState.LATEST.equals(q)) {
                throw new AwsException("InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function.");
            }
            if (!LambdaState.isVersionNumber(q)) {
                throw new AwsException("InvalidParameterValueException", "Deletion of aliases is not supported.");
            }
            String id = LambdaState.versionId(f.name(), q);
            if (!state.versions.contains(scope, id)) throw LambdaState.functionNotFound(ref);
            List<String> users = new ArrayList<>();
            for (LambdaState.Alias a : Aliases.aliasesOf(state, scope, f.name())) {
                if (q.equals(a.configuration().functionVersion())
                        || (a.configuration().routingConfig() != null && a.configuration().routingConfig().additionalVersionWeights().containsKey(q))) {
                    users.add(a.name());
                }
            }
            if (!users.isEmpty()) {
                throw new AwsException("ResourceConflictException", "Unable to delete version because the following aliases reference it: "
                        + users, 409);
            }
            state.versions.remove(scope, id);
            state.provisioned.remove(scope, f.name() + "/" + q);
            environments.retire(scope, f.name(), q);
            state.codeCache.collect(scope);
            state.vpc.release(scope);
            return DeleteFunctionResponse.builder().statusCode(204).build();
        }
        for (LambdaState.FunctionVersion v : versionsOf(scope, f.name())) state.versions.remove(scope, LambdaState.versionId(f.name(), v.version()));
        removePrefixed(state.aliases, scope, f.name());
        removePrefixed(state.eventConfigs, scope, f.name());
        removePrefixed(state.policies, scope, f.name());
        removePrefixed(state.urls, scope, f.name());
        removePrefixed(state.provisioned, scope, f.name());
        state.functions.remove(scope, f.name());
        environments.retire(scope, f.name(), null);
        state.codeCache.collect(scope);
        state.vpc.release(scope);
        return DeleteFunctionResponse.builder().statusCode(204).build();
    }

    static <T> void removePrefixed(dev.oboro.core.store.Table<T> table, Scope scope, String name) {
        for (String id : List.copyOf(table.entries(scope).keySet())) {
            if (id.startsWith(name + "/")) table.remove(scope, id);
        }
    }

    // ================================================================== versions

    PublishVersionResponse publishVersion(Call call, PublishVersionRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        LambdaState.LambdaFunction f = state.function(ref);
        checkMutable(f, ref, call.now());
        if (req.codeSha256() != null && !req.codeSha256().equals(f.configuration().codeSha256())) {
            throw new AwsException("InvalidParameterValueException", "CodeSHA256 (" + req.codeSha256()
                    + ") is different from current CodeSHA256 in $LATEST (" + f.configuration().codeSha256()
                    + "). Please try again with the CodeSHA256 in $LATEST.");
        }
        checkRevision(req.revisionId(), f.configuration().revisionId());
        FunctionConfiguration v = publish(call, ref, req.codeSha256(), req.description());
        return PublishVersionResponse.builder().applyMutation(b -> copy(v, b)).build();
    }

    /** Publishes $LATEST as the next version, or returns the last version if nothing changed since. */
    FunctionConfiguration publish(Call call, LambdaState.Ref ref, String codeSha, String description) {
        Scope scope = ref.scope();
        FunctionConfiguration[] out = new FunctionConfiguration[1];
        state.functions.update(scope, ref.name(), f -> {
            String signature = f.configuration().revisionId();
            if (signature.equals(f.lastPublishedSignature()) && f.lastVersion() > 0) {
                LambdaState.FunctionVersion last = state.versions.get(scope, LambdaState.versionId(f.name(), Long.toString(f.lastVersion())));
                if (last != null) {
                    out[0] = last.configuration();
                    return f;
                }
            }
            long n = f.lastVersion() + 1;
            String version = Long.toString(n);
            FunctionConfiguration c = f.configuration().toBuilder()
                    .version(version)
                    .functionArn(ref.unqualifiedArn() + ":" + version)
                    .description(description != null ? description : f.configuration().description())
                    .revisionId(Ids.uuid())
                    .lastModified(LambdaState.lastModified(call.now()))
                    .state(State.ACTIVE).stateReason(null).stateReasonCode((String) null)
                    .lastUpdateStatus(LastUpdateStatus.SUCCESSFUL).lastUpdateStatusReason(null).lastUpdateStatusReasonCode((String) null)
                    .build();
            state.versions.put(scope, LambdaState.versionId(f.name(), version), new LambdaState.FunctionVersion(f.name(), version, c));
            out[0] = c;
            return f.withPublished(n, signature);
        });
        return out[0];
    }

    ListVersionsByFunctionResponse listVersionsByFunction(Call call, ListVersionsByFunctionRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        LambdaState.LambdaFunction f = state.function(ref);
        record Item(String key, FunctionConfiguration c) {
        }
        List<Item> all = new ArrayList<>();
        FunctionConfiguration latest = render(f, call.now()).toBuilder().functionArn(ref.unqualifiedArn() + ":" + LambdaState.LATEST).build();
        all.add(new Item("$LATEST", latest));
        for (LambdaState.FunctionVersion v : versionsOf(ref.scope(), f.name())) {
            all.add(new Item(LambdaState.pad(Long.parseLong(v.version())), v.configuration()));
        }
        ListVersionsByFunctionResponse.Builder b = ListVersionsByFunctionResponse.builder();
        Pagination.Page<Item> page = Pagination.page(call, req, all, Item::key, b, 50);
        return b.versions(page.items().stream().map(Item::c).toList()).build();
    }

    // ================================================================== tags

    private LambdaState.Ref taggable(Call call, String resource) {
        LambdaState.Ref ref = LambdaState.ref(call, resource, null);
        if (ref.qualifier() != null) {
            throw new AwsException("InvalidParameterValueException", "Tags are not supported on qualified function ARNs: " + resource);
        }
        return ref;
    }

    TagResourceResponse tagResource(Call call, TagResourceRequest req) {
        LambdaState.Ref ref = taggable(call, req.resource());
        state.function(ref);
        state.functions.update(ref.scope(), ref.name(), f -> {
            Map<String, String> t = new TreeMap<>(f.tags());
            if (req.hasTags()) t.putAll(req.tags());
            return f.withTags(t);
        });
        return TagResourceResponse.builder().build();
    }

    UntagResourceResponse untagResource(Call call, UntagResourceRequest req) {
        LambdaState.Ref ref = taggable(call, req.resource());
        state.function(ref);
        state.functions.update(ref.scope(), ref.name(), f -> {
            Map<String, String> t = new TreeMap<>(f.tags());
            if (req.hasTagKeys()) req.tagKeys().forEach(t::remove);
            return f.withTags(t);
        });
        return UntagResourceResponse.builder().build();
    }

    ListTagsResponse listTags(Call call, ListTagsRequest req) {
        LambdaState.Ref ref = taggable(call, req.resource());
        return ListTagsResponse.builder().tags(new LinkedHashMap<>(state.function(ref).tags())).build();
    }

    // ================================================================== concurrency

    PutFunctionConcurrencyResponse putFunctionConcurrency(Call call, PutFunctionConcurrencyRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        state.function(ref);
        int wanted = req.reservedConcurrentExecutions();
        int provisioned = Provisioning.provisionedTotal(state, ref.scope(), ref.name());
        if (wanted < provisioned) {
            throw new AwsException("InvalidParameterValueException", "ReservedConcurrentExecutions " + wanted
                    + " should not be lower than function's total provisioned concurrency [" + provisioned + "].");
        }
        int others = 0;
        for (LambdaState.LambdaFunction f : state.functions.values(ref.scope())) {
            if (!f.name().equals(ref.name())) others += Provisioning.claimed(state, ref.scope(), f);
        }
        if (ACCOUNT_CONCURRENCY - others - wanted < MIN_UNRESERVED) {
            throw new AwsException("InvalidParameterValueException", "Specified ReservedConcurrentExecutions for function decreases account's "
                    + "UnreservedConcurrentExecution below its minimum value of [" + MIN_UNRESERVED + "].");
        }
        state.functions.update(ref.scope(), ref.name(), f -> f.withReservedConcurrency(wanted));
        return PutFunctionConcurrencyResponse.builder().reservedConcurrentExecutions(wanted).build();
    }

    GetFunctionConcurrencyResponse getFunctionConcurrency(Call call, GetFunctionConcurrencyRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        return GetFunctionConcurrencyResponse.builder().reservedConcurrentExecutions(state.function(ref).reservedConcurrency()).build();
    }

    DeleteFunctionConcurrencyResponse deleteFunctionConcurrency(Call call, DeleteFunctionConcurrencyRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        state.function(ref);
        state.functions.update(ref.scope(), ref.name(), f -> f.withReservedConcurrency(null));
        return DeleteFunctionConcurrencyResponse.builder().build();
    }

    GetAccountSettingsResponse getAccountSettings(Call call, GetAccountSettingsRequest req) {
        int reserved = 0;
        long count = 0;
        for (LambdaState.LambdaFunction f : state.functions.values(call.scope())) {
            reserved += Provisioning.claimed(state, call.scope(), f);
            count++;
        }
        long codeSize = 0;
        for (LambdaState.Code c : state.code.values(call.scope())) codeSize += c.zip().length;
        return GetAccountSettingsResponse.builder()
                .accountLimit(AccountLimit.builder().totalCodeSize(80_530_636_800L).codeSizeUnzipped(262_144_000L)
                        .codeSizeZipped(52_428_800L).concurrentExecutions(ACCOUNT_CONCURRENCY)
                        .unreservedConcurrentExecutions(ACCOUNT_CONCURRENCY - reserved).build())
                .accountUsage(AccountUsage.builder().totalCodeSize(codeSize).functionCount(count).build())
                .build();
    }
}
