package dev.oboro.services.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Errors;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.services.stepfunctions.asl.Json;
import dev.oboro.services.stepfunctions.asl.TaskInvoker;
import dev.oboro.services.stepfunctions.asl.TaskRequest;
import dev.oboro.services.stepfunctions.asl.TestStateRequest;
import dev.oboro.wire.AwsException;
import dev.oboro.wire.Models;
import dev.oboro.wire.SdkShapes;
import dev.oboro.wire.ServiceModel;
import dev.oboro.wire.ValidationException;
import dev.oboro.wire.Validator;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Task state integrations: every Oboro service through {@code arn:aws:states:::aws-sdk:<service>:<action>}
 * (and the optimized {@code arn:aws:states:::<service>:<action>} forms, request-response), nested executions
 * ({@code states:startExecution}, {@code .sync}, {@code .sync:2}, {@code .waitForTaskToken}) and Lambda
 * ({@code lambda:invoke} and plain function ARNs). Activities need no invoker: the engine queues them.
 *
 * <p>In-process services are called inline, on the engine's thread, so a clock advance drives a whole workflow
 * deterministically; Lambda runs user code, so it is invoked on a virtual thread.
 */
final class Integrations implements TaskInvoker {
    private static final Logger LOG = Logger.getLogger(Integrations.class.getName());

    /** What a task call produced: output JSON, or an error name and cause. */
    record Outcome(String output, String error, String cause) {
        static Outcome success(JsonNode output) {
            return new Outcome(Json.write(output), null, null);
        }

        static Outcome failure(String error, String cause) {
            return new Outcome(null, error, cause);
        }
    }

    private final StepFunctions sfn;
    private final Oboro oboro;
    private volatile Map<String, String> bySdkName;
    volatile Executions executions;
    /** While restoring executions at load, tasks are re-invoked off the loading thread. */
    volatile boolean restoring;

    Integrations(StepFunctions sfn) {
        this.sfn = sfn;
        this.oboro = sfn.oboro;
    }

    @Override
    public void invoke(TaskRequest r) {
        if (restoring) {
            oboro.workers().execute(() -> dispatch(r));
            return;
        }
        dispatch(r);
    }

    private void dispatch(TaskRequest r) {
        try {
            if (isLambda(r)) {
                oboro.workers().execute(() -> report(r, lambda(r)));
            } else if ("states".equals(r.resourceType()) && "startExecution".equals(r.resourceName())) {
                nested(r);
            } else {
                report(r, sdk(r));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "task integration failed: " + r.resource(), e);
            sfn.engine.taskFailed(r.executionArn(), r.taskId(), "States.Runtime", "Oboro failed to run " + r.resource() + ": " + e);
        }
    }

    @Override
    public void cancel(TaskRequest r) {
        if (!"states".equals(r.resourceType())) return;
        if (r.pattern() != TaskRequest.IntegrationPattern.SYNC && r.pattern() != TaskRequest.IntegrationPattern.SYNC2) return;
        // a .sync parent that stops (aborted, timed out) stops the child it waits for
        Scope scope = Arns.parse(r.executionArn()).scope();
        for (StepFunctions.Execution e : sfn.executions.values(scope)) {
            if ("RUNNING".equals(e.status()) && r.executionArn().equals(e.parentArn()) && r.taskId().equals(e.parentTaskId())) {
                oboro.workers().execute(() -> sfn.engine.stop(e.arn(), null, null));
            }
        }
    }

    private void report(TaskRequest r, Outcome o) {
        if (o.error() != null) sfn.engine.taskFailed(r.executionArn(), r.taskId(), o.error(), o.cause());
        else sfn.engine.taskSucceeded(r.executionArn(), r.taskId(), o.output());
    }

    /** The synchronous form, for TestState. */
    TestStateRequest.TaskOutcome runForTest(Call call, TaskRequest r) {
        Outcome o;
        if (isLambda(r)) o = lambda(call.account(), r, null);
        else if ("states".equals(r.resourceType())) o = Outcome.failure("States.Runtime", "TestState does not run nested executions: mock the result");
        else o = sdk(call.account(), r.resource().matches("arn:aws[a-z-]*:states:[a-z0-9-]+:.*") ? r.region() : call.region(), r, null);
        return o.error() != null ? TestStateRequest.TaskOutcome.failure(o.error(), o.cause()) : TestStateRequest.TaskOutcome.success(o.output());
    }

    private static boolean isLambda(TaskRequest r) {
        return r.resource().startsWith("arn:aws:lambda:") || ("lambda".equals(r.resourceType()) && "invoke".equals(r.resourceName()));
    }

    // ------------------------------------------------------------------ aws-sdk

    private Outcome sdk(TaskRequest r) {
        return sdk(Arns.parse(r.executionArn()).account(), r.region(), r, sfn.taskTraceHeader(r.executionArn(), r.scheduledEventId()));
    }

    private Outcome sdk(String account, String region, TaskRequest r, String traceHeader) {
        String type = r.resourceType();
        String service = type.startsWith("aws-sdk:") ? type.substring("aws-sdk:".length()) : type;
        return callService(account, region, service, r.resourceName(), r.parameters(), r.resource(), traceHeader);
    }

    /**
     * Calls {@code service}'s {@code action} (the SDK's own names: {@code route53}, {@code createHostedZone}) through
     * its typed handler, as the execution's account. An AWS error becomes {@code <Service>.<Code>Exception}, both
     * PascalCase, the Exception suffix added where the code lacks it (as Step Functions names them:
     * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html). The call carries the task's
     * X-Ray trace header (or null).
     */
    Outcome callService(String account, String region, String service, String action, JsonNode params, String resource, String traceHeader) {
        String model = sdkNames().get(service);
        ServiceModel svc = model == null ? null : oboro.models().service(model);
        String op = SdkParams.upper(action);
        ServiceModel.Operation operation = svc == null ? null : svc.operation(op);
        Class<?> requestClass = operation == null ? null : SdkShapes.requestClass(svc, op);
        if (requestClass == null) {
            return Outcome.failure("States.Runtime", "The resource provided " + resource + " is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.");
        }
        String prefix = servicePrefix(requestClass);
        Call call = Call.internal(oboro, account, region == null || region.isEmpty() ? oboro.config().defaultRegion() : region, model)
                .forService(model, op).withTraceHeader(traceHeader);
        try {
            SdkPojo request = (SdkPojo) SdkParams.read(requestClass, params);
            Validator.validate(svc, operation.input(), request);
            SdkPojo response = oboro.services().invoke(call, request);
            return Outcome.success(SdkParams.write(response));
        } catch (ValidationException v) {
            return serviceError(prefix, Errors.fromValidation(svc, svc.defaultProtocol(), v), svc, call);
        } catch (AwsException e) {
            return serviceError(prefix, e, svc, call);
        }
    }

    private static Outcome serviceError(String prefix, AwsException e, ServiceModel svc, Call call) {
        ServiceModel.ErrorShape shape = svc.error(e.code());
        int status = e.status() != 0 ? e.status() : shape != null ? shape.status() : 400;
        return Outcome.failure(prefix + "." + exceptionName(e.code()),
                e.getMessage() + " (Service: " + prefix + ", Status Code: " + status + ", Request ID: " + call.requestId() + ")");
    }

    static String exceptionName(String code) {
        String c = code.contains(".") ? code.substring(code.lastIndexOf('.') + 1) : code;
        return c.endsWith("Exception") ? c : c + "Exception";
    }

    /** The SDK's service name in PascalCase: {@code Route53Request} -> {@code Route53}, {@code AcmPcaRequest} -> {@code AcmPca}. */
    private static String servicePrefix(Class<?> requestClass) {
        String n = requestClass.getSuperclass().getSimpleName();
        return n.endsWith("Request") ? n.substring(0, n.length() - "Request".length()) : n;
    }

    /** Step Functions names services as the AWS SDK for Java v2 packages do ({@code sfn}, {@code route53}, {@code sts}). */
    private Map<String, String> sdkNames() {
        Map<String, String> m = bySdkName;
        if (m == null) {
            m = new HashMap<>();
            for (Models.Entry e : oboro.models().entries().values()) {
                String pkg = e.sdkPackage();
                if (pkg != null) m.put(pkg.substring(pkg.lastIndexOf('.') + 1), e.name());
            }
            bySdkName = m;
        }
        return m;
    }

    // ------------------------------------------------------------------ Lambda

    private Outcome lambda(TaskRequest r) {
        return lambda(Arns.parse(r.executionArn()).account(), r, sfn.taskTraceHeader(r.executionArn(), r.scheduledEventId()));
    }

    /**
     * Lambda through its Invoke handler: a plain function ARN gives the function's result as the task result;
     * {@code lambda:invoke} gives the Invoke response (Payload, StatusCode, ExecutedVersion). A function error fails
     * the task with the function's errorType and the payload as cause. The call carries the execution's trace (the
     * task's subsegment as parent), so a traced execution's function joins its trace.
     */
    private Outcome lambda(String account, TaskRequest r, String traceHeader) {
        boolean plain = r.resource().startsWith("arn:aws:lambda:");
        JsonNode params = r.parameters() == null ? JsonNodeFactory.instance.objectNode() : r.parameters();
        InvokeRequest req;
        if (plain) {
            req = InvokeRequest.builder().functionName(r.resource()).payload(SdkBytes.fromUtf8String(Json.write(params))).build();
        } else {
            ObjectNode rest = params.isObject() ? ((ObjectNode) params).deepCopy() : JsonNodeFactory.instance.objectNode();
            JsonNode payload = rest.remove("Payload");
            InvokeRequest.Builder b = SdkParams.read(InvokeRequest.class, rest).toBuilder();
            if (payload != null) b.payload(SdkBytes.fromUtf8String(payload.isTextual() ? payload.textValue() : Json.write(payload)));
            req = b.build();
        }
        String region = r.region() == null || r.region().isEmpty() ? oboro.config().defaultRegion() : r.region();
        Call call = Call.internal(oboro, account, region, "stepfunctions").withTraceHeader(traceHeader);
        InvokeResponse resp;
        try {
            resp = oboro.services().call(call, "lambda", req);
        } catch (AwsException e) {
            return serviceError("Lambda", e, oboro.models().service("lambda"), call);
        }
        String body = resp.payload() == null ? "null" : resp.payload().asUtf8String();
        JsonNode payload;
        try {
            payload = Json.parse(body.isEmpty() ? "null" : body);
        } catch (RuntimeException e) {
            payload = JsonNodeFactory.instance.textNode(body);
        }
        if (resp.functionError() != null) {
            String error = payload.path("errorType").asText(resp.functionError());
            return Outcome.failure(error, body);
        }
        if (plain) return Outcome.success(payload);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("ExecutedVersion", resp.executedVersion() == null ? "$LATEST" : resp.executedVersion());
        out.set("Payload", payload);
        out.putObject("SdkHttpMetadata").put("HttpStatusCode", resp.statusCode() == null ? 200 : resp.statusCode());
        out.putObject("SdkResponseMetadata").put("RequestId", call.requestId());
        out.put("StatusCode", resp.statusCode() == null ? 200 : resp.statusCode());
        return Outcome.success(out);
    }

    // ------------------------------------------------------------------ nested executions

    /**
     * {@code states:startExecution}: starts the child as the same account. With {@code .sync}/{@code .sync:2} the
     * task is submitted (TaskSubmitted) and succeeds or fails when the child ends; the child remembers its parent
     * task in its record, so the link survives a restart.
     */
    private void nested(TaskRequest r) {
        JsonNode p = r.parameters() == null ? JsonNodeFactory.instance.objectNode() : r.parameters();
        String target = p.path("StateMachineArn").asText(null);
        JsonNode in = p.get("Input");
        String input = in == null || in.isNull() ? "{}" : in.isTextual() ? in.textValue() : Json.write(in);
        String name = p.hasNonNull("Name") ? p.get("Name").asText() : null;
        String trace = p.hasNonNull("TraceHeader") ? p.get("TraceHeader").asText() : null;
        boolean sync = r.pattern() == TaskRequest.IntegrationPattern.SYNC || r.pattern() == TaskRequest.IntegrationPattern.SYNC2;
        Scope scope = Arns.parse(r.executionArn()).scope();
        Executions.Prepared prep;
        try {
            if (target == null) throw new AwsException("ValidationException", "The StateMachineArn parameter is required");
            prep = executions.prepare(scope, target, name, input, trace,
                    sync ? new Executions.Parent(r.executionArn(), r.taskId(), r.pattern().name()) : null);
        } catch (AwsException e) {
            sfn.engine.taskFailed(r.executionArn(), r.taskId(), "StepFunctions." + exceptionName(e.code()), e.getMessage());
            return;
        }
        ObjectNode started = JsonNodeFactory.instance.objectNode();
        started.put("ExecutionArn", prep.arn());
        started.put("StartDate", prep.startDate().toEpochMilli());
        if (sync) sfn.engine.taskSubmitted(r.executionArn(), r.taskId(), Json.write(started));
        executions.launch(prep);
        if (!sync) sfn.engine.taskSucceeded(r.executionArn(), r.taskId(), Json.write(started));
    }

    /** A child of a {@code .sync} task ended: the parent task gets DescribeExecution's answer (Output as JSON for .sync:2). */
    void childFinished(StepFunctions.Execution child) {
        boolean v2 = "SYNC2".equals(child.parentPattern());
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("ExecutionArn", child.arn());
        if (v2) out.set("Input", Json.parse(child.input()));
        else out.put("Input", child.input());
        out.putObject("InputDetails").put("Included", true);
        out.put("Name", child.name());
        if (child.output() != null) {
            if (v2) out.set("Output", Json.parse(child.output()));
            else out.put("Output", child.output());
            out.putObject("OutputDetails").put("Included", true);
        }
        if (child.error() != null) out.put("Error", child.error());
        if (child.cause() != null) out.put("Cause", child.cause());
        out.put("StartDate", child.startDate().toEpochMilli());
        out.put("StateMachineArn", child.stateMachineArn());
        out.put("Status", child.status());
        if (child.stopDate() != null) out.put("StopDate", child.stopDate().toEpochMilli());
        if ("SUCCEEDED".equals(child.status())) {
            sfn.engine.taskSucceeded(child.parentArn(), child.parentTaskId(), Json.write(out));
        } else {
            sfn.engine.taskFailed(child.parentArn(), child.parentTaskId(), "States.TaskFailed", Json.write(out));
        }
    }
}
