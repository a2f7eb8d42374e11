package dev.oboro.services.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import dev.oboro.wire.EventStreamResponse;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionEventInvokeConfigRequest;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.DestinationConfig;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionEventInvokeConfig;
import software.amazon.awssdk.services.lambda.model.GetFunctionEventInvokeConfigRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamCompleteEvent;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamRequest;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamResponse;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamResponseEvent;
import software.amazon.awssdk.services.lambda.model.ResponseStreamingInvocationType;
import software.amazon.awssdk.services.lambda.model.ListFunctionEventInvokeConfigsRequest;
import software.amazon.awssdk.services.lambda.model.ListFunctionEventInvokeConfigsResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.PutFunctionEventInvokeConfigRequest;
import software.amazon.awssdk.services.lambda.model.PutFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionEventInvokeConfigRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code Invoke}: synchronous (RequestResponse), asynchronous (Event: queued, retried, then sent
 * to the on-failure destination) and DryRun; and the event invoke configs that govern
 * asynchronous retries and destinations.
 *
 * <p>Function timeouts are real-time limits on real code; the retry delays of asynchronous
 * invocations (one minute, then two, as Lambda documents) run on Oboro's clock.
 */
final class Invocations {
    private static final Logger LOG = Logger.getLogger(Invocations.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int SYNC_LIMIT = 6 * 1024 * 1024;
    static final int ASYNC_LIMIT = 256 * 1024;
    private static final int TAIL = 4096;

    private final LambdaState state;
    private final Environments environments;
    private final Telemetry telemetry;
    private final Tracing tracing;

    Invocations(LambdaState state, Environments environments, Telemetry telemetry) {
        this.state = state;
        this.environments = environments;
        this.telemetry = telemetry;
        this.tracing = new Tracing(state.oboro);
    }

    /** What an invocation resolves to: the configuration that runs, its version, and the ARN as invoked. */
    record Target(LambdaState.Ref ref, LambdaState.LambdaFunction function, FunctionConfiguration configuration,
                  String executedVersion, String invokedArn, String resource) {
    }

    /**
     * The outcome of running one invocation. A function that streamed its response has its stream as
     * {@code payload}, the stream's content type, and, when it failed after the stream began, the error
     * document apart; a buffered error's document is the payload.
     */
    record Execution(byte[] payload, boolean error, String log, boolean throttled, String streamContentType, byte[] errorDocument) {
        Execution(byte[] payload, boolean error, String log, boolean throttled) {
            this(payload, error, log, throttled, null, null);
        }

        boolean streamed() {
            return streamContentType != null;
        }

        /** The error document of a failed invocation. */
        byte[] errorPayload() {
            return streamed() ? errorDocument : payload;
        }
    }

    // ================================================================== Invoke

    InvokeResponse invoke(Call call, InvokeRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), req.qualifier());
        Target target = resolve(ref, call.now());
        byte[] payload = req.payload() == null ? new byte[0] : req.payload().asByteArray();
        InvocationType type = req.invocationType() == null ? InvocationType.REQUEST_RESPONSE : req.invocationType();
        checkPayload(payload, type == InvocationType.EVENT ? ASYNC_LIMIT : SYNC_LIMIT);
        checkActive(target, call.now());
        if (type == InvocationType.DRY_RUN) {
            return InvokeResponse.builder().statusCode(204).build();
        }
        if (type == InvocationType.EVENT) {
            enqueue(ref.scope(), ref.name(), ref.qualifier(), payload, Ids.requestId(), call.now(), call.traceHeader());
            return InvokeResponse.builder().statusCode(202).build();
        }
        Execution ex = execute(target, payload, call.requestId(), req.clientContext(), call.traceHeader());
        if (ex.throttled()) throw Environments.throttled(throttleReason(target));
        // a function that streamed its response answers its whole stream (or, failed, its error) as the payload
        byte[] out = ex.error() ? ex.errorPayload() : ex.payload();
        InvokeResponse.Builder b = InvokeResponse.builder().statusCode(200).executedVersion(target.executedVersion())
                .payload(SdkBytes.fromByteArray(out == null ? new byte[0] : out));
        if (ex.error()) b.functionError("Unhandled");
        if (req.logType() == LogType.TAIL) b.logResult(tail(ex.log()));
        return b.build();
    }

    // ================================================================== InvokeWithResponseStream

    /** Payload chunks are at most this long (a longer piece of the stream is sent as several). */
    static final int CHUNK = 32 * 1024;

    /**
     * {@code InvokeWithResponseStream}: the function's response as {@code PayloadChunk} events, then an
     * {@code InvokeComplete} event that carries the error (its type and message) and, with
     * {@code LogType Tail}, the end of the log. A streamed response's pieces are sent as the function
     * writes them; a function that does not stream answers its buffered response as the chunks.
     */
    EventStreamResponse invokeWithResponseStream(Call call, InvokeWithResponseStreamRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), req.qualifier());
        Target target = resolve(ref, call.now());
        byte[] payload = req.payload() == null ? new byte[0] : req.payload().asByteArray();
        checkPayload(payload, SYNC_LIMIT);
        checkActive(target, call.now());
        if (req.invocationType() == ResponseStreamingInvocationType.DRY_RUN) {
            return new EventStreamResponse(InvokeWithResponseStreamResponse.builder().statusCode(204).build(), List.of());
        }
        Live live = executeLive(target, payload, call.requestId(), req.clientContext(), call.traceHeader());
        InvokeWithResponseStreamResponse response = InvokeWithResponseStreamResponse.builder().statusCode(200)
                .executedVersion(target.executedVersion()).build();
        if (!live.finished()) {
            return new EventStreamResponse(response, new EventStreamResponse.Source() {
                private final java.util.ArrayDeque<InvokeWithResponseStreamResponseEvent> pending = new java.util.ArrayDeque<>();
                private boolean complete;

                @Override
                public software.amazon.awssdk.core.SdkPojo next() throws IOException {
                    for (byte[] piece; pending.isEmpty() && (piece = live.stream().next()) != null; ) pending.addAll(chunks(piece));
                    if (!pending.isEmpty()) return pending.poll();
                    if (complete) return null;
                    complete = true;
                    try {
                        return completeEvent(live.execution(), req.logType());
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "streamed invocation " + call.requestId() + " failed", e);
                        return InvokeWithResponseStreamResponseEvent.invokeCompleteBuilder().errorCode("ServiceException")
                                .errorDetails(String.valueOf(e.getMessage())).build();
                    }
                }
            });
        }
        Execution ex = live.execution();
        if (ex.throttled()) throw Environments.throttled(throttleReason(target));
        List<InvokeWithResponseStreamResponseEvent> events = new ArrayList<>(chunks(ex.error() && !ex.streamed() ? null : ex.payload()));
        events.add(completeEvent(ex, req.logType()));
        return new EventStreamResponse(response, events);
    }

    /** A piece of the stream as {@code PayloadChunk} events of at most {@link #CHUNK} bytes (none for null). */
    private static List<InvokeWithResponseStreamResponseEvent> chunks(byte[] piece) {
        List<InvokeWithResponseStreamResponseEvent> out = new ArrayList<>();
        for (int at = 0; piece != null && at < piece.length; at += CHUNK) {
            byte[] chunk = java.util.Arrays.copyOfRange(piece, at, Math.min(piece.length, at + CHUNK));
            out.add(InvokeWithResponseStreamResponseEvent.payloadChunkBuilder().payload(SdkBytes.fromByteArray(chunk)).build());
        }
        return out;
    }

    /** The {@code InvokeComplete} event of a finished invocation: its error (type and message), and the end of its log with Tail. */
    private static InvokeWithResponseStreamResponseEvent completeEvent(Execution ex, LogType logType) {
        InvokeWithResponseStreamCompleteEvent.Builder done = InvokeWithResponseStreamResponseEvent.invokeCompleteBuilder();
        if (ex.error()) {
            JsonNode doc = json(ex.errorPayload());
            done.errorCode(doc.path("errorType").asText("Unhandled")).errorDetails(doc.path("errorMessage").asText(doc.isTextual() ? doc.asText() : doc.toString()));
        }
        if (logType == LogType.TAIL) done.logResult(tail(ex.log()));
        return done.build();
    }

    /**
     * An invocation running on a thread of its own, its streamed response passed on while it runs
     * ({@link #executeLive}). {@link #finished()} tells whether it ended before its stream began.
     */
    record Live(LiveStream stream, java.util.concurrent.CompletableFuture<Execution> done) {
        boolean finished() {
            return done.isDone();
        }

        /** The execution, waiting for its end; what it threw, thrown. */
        Execution execution() {
            try {
                return done.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw e;
            }
        }
    }

    /**
     * Starts an invocation whose streamed response the caller passes on as it comes, and returns when the
     * first piece of the stream has come or the invocation has ended (throttled, failed, buffered or
     * streamed nothing). Logs, metrics and traces are recorded at its end, as for {@link #execute}.
     */
    Live executeLive(Target t, byte[] payload, String requestId, String clientContext, String traceHeader) {
        LiveStream stream = new LiveStream();
        java.util.concurrent.CompletableFuture<Execution> done = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().name("lambda-stream-" + requestId).start(() -> {
            try {
                done.complete(execute(t, payload, requestId, clientContext, traceHeader, stream));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            } finally {
                stream.end();
            }
        });
        stream.awaitStart();
        return new Live(stream, done);
    }

    private static void checkPayload(byte[] payload, int limit) {
        if (payload.length > limit) {
            throw new AwsException("RequestEntityTooLargeException", "Request must be smaller than " + limit
                    + " bytes for the InvokeFunction operation", 413);
        }
        if (payload.length > 0) {
            try {
                JSON.readTree(payload);
            } catch (IOException e) {
                throw new AwsException("InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json: "
                        + e.getMessage().split("\n")[0], 400);
            }
        }
    }

    private static void checkActive(Target target, Instant now) {
        if (target.function().pending(now)) throw Functions.notActive("Pending");
        if (target.function().failed(now)) throw Functions.notActive("Failed");
    }

    /** The last 4 KB of an invocation's log, base64-encoded (LogType Tail). */
    private static String tail(String text) {
        byte[] log = text.getBytes(StandardCharsets.UTF_8);
        int from = Math.max(0, log.length - TAIL);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(log, from, log.length));
    }

    private static String throttleReason(Target t) {
        return t.function().reservedConcurrency() != null ? "ReservedFunctionConcurrentInvocationLimitExceeded" : "ConcurrentInvocationLimitExceeded";
    }

    /** Resolves a reference to what runs: $LATEST (its previous configuration while an update is in progress), a version, or an alias's pick. */
    Target resolve(LambdaState.Ref ref, Instant now) {
        LambdaState.LambdaFunction f = state.function(ref);
        String q = ref.qualifier();
        if (q == null || LambdaState.LATEST.equals(q)) {
            return new Target(ref, f, f.effective(now), LambdaState.LATEST, ref.arn(), q);
        }
        if (LambdaState.isVersionNumber(q)) {
            return new Target(ref, f, state.configuration(ref), q, ref.arn(), q);
        }
        LambdaState.Alias a = state.aliases.get(ref.scope(), f.name() + "/" + q);
        if (a == null) throw LambdaState.functionNotFound(ref);
        String version = Aliases.pickVersion(a.configuration());
        FunctionConfiguration c = LambdaState.LATEST.equals(version) ? f.effective(now) : state.configuration(ref.qualified(version));
        return new Target(ref, f, c, version, ref.arn(), q);
    }

    /** Runs one invocation in an execution environment, and reports its logs and metrics. */
    Execution execute(Target t, byte[] payload, String requestId, String clientContext) {
        return execute(t, payload, requestId, clientContext, null);
    }

    /** Runs one invocation, continuing the caller's X-Ray trace ({@code X-Amzn-Trace-Id}, may be null). */
    Execution execute(Target t, byte[] payload, String requestId, String clientContext, String traceHeader) {
        return execute(t, payload, requestId, clientContext, traceHeader, null);
    }

    /** Runs one invocation; a streamed response's pieces also go to {@code sink} (may be null) as they come. */
    Execution execute(Target t, byte[] payload, String requestId, String clientContext, String traceHeader, Environment.StreamSink sink) {
        Scope scope = t.ref().scope();
        FunctionConfiguration c = t.configuration();
        Environment.Spec spec = spec(scope, t.function(), c, t.executedVersion());
        Instant startedAt = state.oboro.clock().instant();
        long started = System.nanoTime();
        Tracing.Context trace = Tracing.begin(c.tracingConfig(), traceHeader, startedAt);
        Environments.Lease lease;
        try {
            lease = environments.acquire(spec, t.function().reservedConcurrency(), reservedSum(scope));
        } catch (AwsException e) {
            if (!e.code().equals("TooManyRequestsException")) throw e;
            telemetry.invocation(scope, t.ref().name(), t.resource(), t.executedVersion(), null, false, true,
                    environments.concurrentExecutions(scope), startedAt);
            tracing.record(scope, trace, t.ref().name(), t.invokedArn(), c.functionArn(), requestId, startedAt,
                    startedAt.plusNanos(System.nanoTime() - started), new Tracing.Outcome(-1, 0, false, false, null, true));
            return new Execution(null, false, "", true);
        }
        long t0 = System.nanoTime();
        int timeout = c.timeout() == null ? 3 : c.timeout();
        Environment.Result r;
        int concurrent = environments.concurrentExecutions(scope);
        try {
            r = lease.env.invoke(new Environment.Request(requestId, payload, timeout * 1000L, t.invokedArn(), clientContext,
                    trace.header(), sink));
        } catch (RuntimeException e) {
            environments.release(lease, false);
            throw e;
        }
        environments.release(lease, r.reusable());
        if (t.resource() != null && state.provisioned.contains(scope, t.ref().name() + "/" + t.resource())) {
            telemetry.provisioned(scope, t.ref().name(), t.resource(), lease.provisioned,
                    environments.busyProvisioned(scope, t.ref().name(), t.executedVersion()) + (lease.provisioned ? 1 : 0), startedAt);
        }
        double durationMs = (System.nanoTime() - t0) / 1e6;
        if (r.initMillis() >= 0) durationMs = Math.max(0.01, durationMs - r.initMillis());
        byte[] out = r.payload();
        StringBuilder log = new StringBuilder();
        log.append("START RequestId: ").append(requestId).append(" Version: ").append(t.executedVersion()).append('\n');
        log.append(r.log());
        if (r.log().length() > 0 && !r.log().endsWith("\n")) log.append('\n');
        if (r.timedOut()) {
            String secs = String.format("%.2f", (double) timeout);
            log.append(DateTimeFormatter.ISO_INSTANT.format(state.oboro.clock().instant())).append(' ').append(requestId)
                    .append(" Task timed out after ").append(secs).append(" seconds\n");
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("errorType", "Sandbox.Timedout");
            n.put("errorMessage", "RequestId: " + requestId + " Error: Task timed out after " + secs + " seconds");
            out = n.toString().getBytes(StandardCharsets.UTF_8);
            durationMs = Math.max(durationMs, timeout * 1000.0);
        }
        log.append("END RequestId: ").append(requestId).append('\n');
        log.append(String.format("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
                requestId, durationMs, (long) Math.ceil(durationMs), c.memorySize(), Math.max(1, r.maxMemoryMb())));
        if (r.initMillis() >= 0) log.append(String.format("\tInit Duration: %.2f ms", r.initMillis()));
        log.append("\t\n");
        String text = log.toString();
        telemetry.log(scope, c.loggingConfig() == null ? "/aws/lambda/" + t.ref().name() : c.loggingConfig().logGroup(),
                lease.env.logStream(), text, startedAt);
        telemetry.invocation(scope, t.ref().name(), t.resource(), t.executedVersion(), durationMs, r.error() || r.timedOut(), false,
                concurrent, startedAt);
        boolean streamed = r.streamed() && !r.timedOut();
        tracing.record(scope, trace, t.ref().name(), t.invokedArn(), c.functionArn(), requestId, startedAt,
                startedAt.plusNanos(System.nanoTime() - started),
                new Tracing.Outcome(r.initMillis(), durationMs, r.error(), r.timedOut(), streamed && r.error() ? r.errorDocument() : out, false));
        return new Execution(out, r.error() || r.timedOut(), text, false, streamed ? r.streamContentType() : null, streamed ? r.errorDocument() : null);
    }

    private int reservedSum(Scope scope) {
        int sum = 0;
        for (LambdaState.LambdaFunction f : state.functions.values(scope)) {
            if (f.reservedConcurrency() != null) sum += f.reservedConcurrency();
        }
        return sum;
    }

    /** The environment specification of a function version: code extracted, layers assembled into its /opt. */
    Environment.Spec spec(Scope scope, LambdaState.LambdaFunction f, FunctionConfiguration c, String version) {
        Path taskRoot = state.codeCache.extracted(scope, CodeCache.hexOf(c.codeSha256()));
        List<CodeCache.Part> parts = new ArrayList<>();
        if (c.hasLayers()) {
            for (var l : c.layers()) {
                LambdaState.LayerVersion lv = Layers.byArn(state, l.arn());
                if (lv != null) parts.add(new CodeCache.Part(Layers.scopeOf(l.arn()), lv.codeSha256Hex()));
            }
        }
        Path opt = state.codeCache.opt(parts);
        Map<String, String> vars = c.environment() == null || !c.environment().hasVariables() ? Map.of() : c.environment().variables();
        // The function's SDK calls reach Oboro as a session of its execution role.
        Map<String, String> creds = state.roleCredentials.variables(scope, f.name(), c.role());
        String arch = c.hasArchitectures() && !c.architectures().isEmpty() ? c.architecturesAsStrings().get(0) : "x86_64";
        return new Environment.Spec(scope.account(), scope.region(), f.name(), version, c.revisionId(), c.runtimeAsString(),
                c.handler(), c.memorySize(), c.timeout(), vars, taskRoot, opt,
                c.loggingConfig() == null ? "/aws/lambda/" + f.name() : c.loggingConfig().logGroup(),
                "arn:aws:lambda:" + scope.region() + ":" + scope.account() + ":function:" + f.name(), arch, creds,
                state.oboro.baseUrl(), Vpc.attached(c.vpcConfig()) ? (host, port) -> state.vpc.refusal(scope, c, port) : null);
    }

    // ================================================================== asynchronous invocation

    /** Queues an event (durably) and makes its first attempt now; its attempts continue the caller's X-Ray trace (or null). */
    void enqueue(Scope scope, String function, String qualifier, byte[] payload, String requestId, Instant now, String traceHeader) {
        LambdaState.AsyncEvent e = new LambdaState.AsyncEvent(requestId, function, qualifier, payload, 0, now, now,
                scope.account(), scope.region(), traceHeader);
        state.events.put(scope, requestId, e);
        state.oboro.workers().submit(() -> attempt(scope, requestId));
    }

    /** Re-arms the queued events after a restart. */
    void resume() {
        for (Scope scope : state.events.scopes()) {
            for (LambdaState.AsyncEvent e : state.events.values(scope)) {
                state.oboro.scheduler().schedule(e.nextAttemptAt(), () -> state.oboro.workers().submit(() -> attempt(scope, e.id())));
            }
        }
    }

    private void attempt(Scope scope, String id) {
        try {
            attemptNow(scope, id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "asynchronous invocation " + id + " failed", e);
        }
    }

    private void attemptNow(Scope scope, String id) {
        LambdaState.AsyncEvent e = state.events.get(scope, id);
        if (e == null) return;
        Instant now = state.oboro.clock().instant();
        LambdaState.Ref ref = new LambdaState.Ref(scope.account(), scope.region(), e.function(), e.qualifier());
        if (!state.functions.contains(scope, e.function())) {
            state.events.remove(scope, id);
            return;
        }
        FunctionEventInvokeConfig cfg = eventConfig(scope, e.function(), e.qualifier() == null ? LambdaState.LATEST : e.qualifier());
        int maxRetries = cfg == null || cfg.maximumRetryAttempts() == null ? 2 : cfg.maximumRetryAttempts();
        int maxAge = cfg == null || cfg.maximumEventAgeInSeconds() == null ? 21600 : cfg.maximumEventAgeInSeconds();
        Target t;
        try {
            t = resolve(ref, now);
        } catch (AwsException gone) {
            state.events.remove(scope, id);
            return;
        }
        if (now.isAfter(e.receivedAt().plusSeconds(maxAge))) {
            state.events.remove(scope, id);
            deliver(cfg, true, t, e, "EventAgeExceeded", null, null);
            return;
        }
        if (t.function().pending(now)) {
            reschedule(scope, e, now.plusSeconds(1), false);
            return;
        }
        Execution ex = execute(t, e.payload(), e.id(), null, e.traceHeader());
        if (ex.throttled()) {
            // Lambda keeps throttled events and retries them (up to the maximum event age) without counting attempts.
            reschedule(scope, e, now.plusSeconds(1), false);
            return;
        }
        int attempts = e.attempts() + 1;
        if (!ex.error()) {
            state.events.remove(scope, id);
            deliver(cfg, false, t, e.attempted(now), "Success", ex.payload(), null);
            return;
        }
        if (attempts <= maxRetries) {
            // "If the function returns an error, Lambda attempts to run it two more times, with a one-minute wait
            // between the first two attempts, and two minutes between the second and third attempts."
            Instant next = state.oboro.clock().instant().plus(attempts == 1 ? Duration.ofMinutes(1) : Duration.ofMinutes(2));
            reschedule(scope, e, next, true);
            return;
        }
        state.events.remove(scope, id);
        deliver(cfg, true, t, e.attempted(now), "RetriesExhausted", ex.payload(), "Unhandled");
    }

    private void reschedule(Scope scope, LambdaState.AsyncEvent e, Instant at, boolean countAttempt) {
        LambdaState.AsyncEvent next = countAttempt ? e.attempted(at)
                : e.at(at);
        state.events.put(scope, e.id(), next);
        state.oboro.scheduler().schedule(at, () -> state.oboro.workers().submit(() -> attempt(scope, e.id())));
    }

    /** Sends the invocation record to the on-success or on-failure destination, if one is configured. */
    private void deliver(FunctionEventInvokeConfig cfg, boolean failure, Target t, LambdaState.AsyncEvent e, String condition,
                         byte[] response, String functionError) {
        if (cfg == null || cfg.destinationConfig() == null) return;
        DestinationConfig d = cfg.destinationConfig();
        String destination = failure ? (d.onFailure() == null ? null : d.onFailure().destination())
                : (d.onSuccess() == null ? null : d.onSuccess().destination());
        if (destination == null) return;
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        record.put("version", "1.0");
        record.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(state.oboro.clock().instant()));
        ObjectNode rc = record.putObject("requestContext");
        rc.put("requestId", e.id());
        rc.put("functionArn", t.ref().unqualifiedArn() + ":" + (e.qualifier() == null ? LambdaState.LATEST : e.qualifier()));
        rc.put("condition", condition);
        rc.put("approximateInvokeCount", e.attempts());
        record.set("requestPayload", json(e.payload()));
        ObjectNode resp = record.putObject("responseContext");
        resp.put("statusCode", 200);
        resp.put("executedVersion", t.executedVersion());
        if (functionError != null) resp.put("functionError", functionError);
        if (response != null) record.set("responsePayload", json(response));
        byte[] body = record.toString().getBytes(StandardCharsets.UTF_8);
        Scope scope = t.ref().scope();
        Call call = state.internalCall(scope.account(), scope.region());
        try {
            String[] arn = destination.split(":");
            String service = arn.length > 2 ? arn[2] : "";
            switch (service) {
                case "lambda" -> {
                    LambdaState.Ref dest = LambdaState.ref(call, destination, null);
                    state.function(dest);
                    enqueue(dest.scope(), dest.name(), dest.qualifier(), body, Ids.requestId(), state.oboro.clock().instant(), null);
                }
                case "sqs" -> {
                    if (!state.oboro.services().has("sqs")) break;
                    Call as = state.internalCall(arn[4], arn[3]);
                    GetQueueUrlResponse q = state.oboro.services().call(as, "sqs", GetQueueUrlRequest.builder().queueName(arn[5]).queueOwnerAWSAccountId(arn[4]).build());
                    state.oboro.services().call(as, "sqs", SendMessageRequest.builder().queueUrl(q.queueUrl()).messageBody(new String(body, StandardCharsets.UTF_8)).build());
                }
                case "sns" -> {
                    if (!state.oboro.services().has("sns")) break;
                    state.oboro.services().call(state.internalCall(arn[4], arn[3]), "sns",
                            PublishRequest.builder().topicArn(destination).message(new String(body, StandardCharsets.UTF_8)).build());
                }
                default -> LOG.info("Lambda destination " + destination + " is not supported by Oboro yet");
            }
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "could not deliver to Lambda destination " + destination + ": " + ex.getMessage());
        }
    }

    private static JsonNode json(byte[] b) {
        if (b == null || b.length == 0) return JsonNodeFactory.instance.nullNode();
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            return JsonNodeFactory.instance.textNode(new String(b, StandardCharsets.UTF_8));
        }
    }

    // ================================================================== event invoke configs

    private FunctionEventInvokeConfig eventConfig(Scope scope, String function, String qualifier) {
        LambdaState.EventInvokeConfig c = state.eventConfigs.get(scope, function + "/" + qualifier);
        return c == null ? null : c.configuration();
    }

    private LambdaState.Ref configRef(Call call, String functionName, String qualifier) {
        LambdaState.Ref ref = LambdaState.ref(call, functionName, qualifier);
        state.function(ref);
        if (ref.qualifier() != null) state.requireQualifier(ref);
        return ref.qualifier() == null ? ref.qualified(LambdaState.LATEST) : ref;
    }

    private void checkDestinations(DestinationConfig d) {
        if (d == null) return;
        for (var dest : new Object[]{d.onSuccess() == null ? null : d.onSuccess().destination(), d.onFailure() == null ? null : d.onFailure().destination()}) {
            if (dest == null) continue;
            String s = (String) dest;
            if (!s.matches("arn:aws[a-zA-Z-]*:(lambda|sqs|sns|events|s3):.*")) {
                throw new AwsException("InvalidParameterValueException", "The destination ARN " + s + " is invalid.");
            }
        }
    }

    PutFunctionEventInvokeConfigResponse putFunctionEventInvokeConfig(Call call, PutFunctionEventInvokeConfigRequest req) {
        LambdaState.Ref ref = configRef(call, req.functionName(), req.qualifier());
        checkDestinations(req.destinationConfig());
        FunctionEventInvokeConfig c = FunctionEventInvokeConfig.builder().functionArn(ref.arn()).lastModified(call.now())
                .maximumRetryAttempts(req.maximumRetryAttempts()).maximumEventAgeInSeconds(req.maximumEventAgeInSeconds())
                .destinationConfig(req.destinationConfig() == null ? DestinationConfig.builder().build() : req.destinationConfig()).build();
        state.eventConfigs.put(ref.scope(), ref.name() + "/" + ref.qualifier(), new LambdaState.EventInvokeConfig(ref.name(), ref.qualifier(), c));
        return PutFunctionEventInvokeConfigResponse.builder().functionArn(c.functionArn()).lastModified(c.lastModified())
                .maximumRetryAttempts(c.maximumRetryAttempts()).maximumEventAgeInSeconds(c.maximumEventAgeInSeconds())
                .destinationConfig(c.destinationConfig()).build();
    }

    UpdateFunctionEventInvokeConfigResponse updateFunctionEventInvokeConfig(Call call, UpdateFunctionEventInvokeConfigRequest req) {
        LambdaState.Ref ref = configRef(call, req.functionName(), req.qualifier());
        checkDestinations(req.destinationConfig());
        FunctionEventInvokeConfig old = eventConfig(ref.scope(), ref.name(), ref.qualifier());
        FunctionEventInvokeConfig.Builder b = old == null ? FunctionEventInvokeConfig.builder().functionArn(ref.arn())
                .destinationConfig(DestinationConfig.builder().build()) : old.toBuilder();
        if (req.maximumRetryAttempts() != null) b.maximumRetryAttempts(req.maximumRetryAttempts());
        if (req.maximumEventAgeInSeconds() != null) b.maximumEventAgeInSeconds(req.maximumEventAgeInSeconds());
        if (req.destinationConfig() != null) {
            DestinationConfig od = old == null || old.destinationConfig() == null ? DestinationConfig.builder().build() : old.destinationConfig();
            b.destinationConfig(DestinationConfig.builder()
                    .onSuccess(req.destinationConfig().onSuccess() != null ? req.destinationConfig().onSuccess() : od.onSuccess())
                    .onFailure(req.destinationConfig().onFailure() != null ? req.destinationConfig().onFailure() : od.onFailure()).build());
        }
        FunctionEventInvokeConfig c = b.lastModified(call.now()).build();
        state.eventConfigs.put(ref.scope(), ref.name() + "/" + ref.qualifier(), new LambdaState.EventInvokeConfig(ref.name(), ref.qualifier(), c));
        return UpdateFunctionEventInvokeConfigResponse.builder().functionArn(c.functionArn()).lastModified(c.lastModified())
                .maximumRetryAttempts(c.maximumRetryAttempts()).maximumEventAgeInSeconds(c.maximumEventAgeInSeconds())
                .destinationConfig(c.destinationConfig()).build();
    }

    GetFunctionEventInvokeConfigResponse getFunctionEventInvokeConfig(Call call, GetFunctionEventInvokeConfigRequest req) {
        LambdaState.Ref ref = configRef(call, req.functionName(), req.qualifier());
        FunctionEventInvokeConfig c = eventConfig(ref.scope(), ref.name(), ref.qualifier());
        if (c == null) {
            throw new AwsException("ResourceNotFoundException", "The function " + ref.arn() + " doesn't have an EventInvokeConfig", 404);
        }
        return GetFunctionEventInvokeConfigResponse.builder().functionArn(c.functionArn()).lastModified(c.lastModified())
                .maximumRetryAttempts(c.maximumRetryAttempts()).maximumEventAgeInSeconds(c.maximumEventAgeInSeconds())
                .destinationConfig(c.destinationConfig()).build();
    }

    DeleteFunctionEventInvokeConfigResponse deleteFunctionEventInvokeConfig(Call call, DeleteFunctionEventInvokeConfigRequest req) {
        LambdaState.Ref ref = configRef(call, req.functionName(), req.qualifier());
        if (state.eventConfigs.remove(ref.scope(), ref.name() + "/" + ref.qualifier()) == null) {
            throw new AwsException("ResourceNotFoundException", "The function " + ref.arn() + " doesn't have an EventInvokeConfig", 404);
        }
        return DeleteFunctionEventInvokeConfigResponse.builder().build();
    }

    ListFunctionEventInvokeConfigsResponse listFunctionEventInvokeConfigs(Call call, ListFunctionEventInvokeConfigsRequest req) {
        LambdaState.Ref ref = LambdaState.ref(call, req.functionName(), null);
        state.function(ref);
        List<LambdaState.EventInvokeConfig> all = LambdaState.prefixed(state.eventConfigs, ref.scope(), ref.name() + "/");
        ListFunctionEventInvokeConfigsResponse.Builder b = ListFunctionEventInvokeConfigsResponse.builder();
        Pagination.Page<LambdaState.EventInvokeConfig> page = Pagination.page(call, req, all, LambdaState.EventInvokeConfig::qualifier, b, 50);
        return b.functionEventInvokeConfigs(page.items().stream().map(LambdaState.EventInvokeConfig::configuration).toList()).build();
    }
}
