package dev.oboro.services.lambda;

import java.nio.file.Path;
import java.util.Map;

/**
 * One Lambda execution environment: the function's code loaded and initialised once, then
 * invoked one request at a time while it stays warm. Implementations: {@link JvmEnvironment}
 * (Java handlers in Oboro's JVM) and {@link ProcessEnvironment} (a child process speaking the
 * Lambda Runtime API).
 */
interface Environment extends AutoCloseable {

    /**
     * What an environment runs: one function version's code and configuration, resolved. {@code egress}
     * decides the outbound connections of a function in a VPC (null: not in a VPC, direct access).
     */
    record Spec(String account, String region, String function, String version, String revisionId, String runtime,
                String handler, int memoryMb, int timeoutSeconds, Map<String, String> variables, Path taskRoot, Path opt,
                String logGroup, String unqualifiedArn, String architecture, Map<String, String> credentials,
                String endpoint, EgressProxy.Policy egress) {
        /** Environments are shared only between invocations of the same code and configuration. */
        String poolKey() {
            return account + "/" + region + "/" + function + "/" + version + "/" + revisionId;
        }

        String functionKey() {
            return account + "/" + region + "/" + function;
        }

        String versionKey() {
            return functionKey() + "/" + version;
        }

        /** The same environment with one more variable (set after the standard ones). */
        Spec withVariable(String name, String value) {
            Map<String, String> v = new java.util.LinkedHashMap<>(variables == null ? Map.of() : variables);
            v.put(name, value);
            return new Spec(account, region, function, version, revisionId, runtime, handler, memoryMb, timeoutSeconds, v, taskRoot, opt,
                    logGroup, unqualifiedArn, architecture, credentials, endpoint, egress);
        }
    }

    /**
     * One invocation. The function's timeout counts from when the runtime receives the event, after
     * the init phase (which has its own limit), as in Lambda.
     */
    record Request(String requestId, byte[] payload, long timeoutMillis, String invokedArn, String clientContext, String traceId,
                   StreamSink sink) {
        Request(String requestId, byte[] payload, long timeoutMillis, String invokedArn, String clientContext, String traceId) {
            this(requestId, payload, timeoutMillis, invokedArn, clientContext, traceId, null);
        }
    }

    /**
     * Where a streamed response goes while the function writes it (to the caller of InvokeWithResponseStream
     * or of a function URL), besides the whole stream in the {@link Result}.
     */
    interface StreamSink {
        /** One piece of the stream, as the runtime sent it; {@code contentType} is the stream's. */
        void piece(String contentType, byte[] piece);
    }

    /**
     * What an invocation produced: the response or error payload, whether it was an error, the
     * function's own log output, the init duration when this invocation was a cold start (else -1),
     * the peak memory in MB, and whether the environment can be used again; for a streamed response, the
 * the stream's content type and, when it failed after it began, the error document.
     */
    record Result(byte[] payload, boolean error, String errorType, String log, double initMillis, long maxMemoryMb,
                  boolean timedOut, boolean reusable, String streamContentType, byte[] errorDocument) {
        /** A buffered response (or error: its document is the payload). */
        Result(byte[] payload, boolean error, String errorType, String log, double initMillis, long maxMemoryMb,
               boolean timedOut, boolean reusable) {
            this(payload, error, errorType, log, initMillis, maxMemoryMb, timedOut, reusable, null, null);
        }

        /** Whether the function streamed its response (then {@code payload} is the stream, and an error's document is {@code errorDocument}). */
        boolean streamed() {
            return streamContentType != null;
        }
    }

    /**
     * Runs the init phase now if it has not run (provisioned concurrency starts environments ahead
     * of invocations); the invocation that follows then reports no init duration. Default: nothing
     * to do ahead.
     */
    default void initialise() {
    }

    /** Runs one invocation, at most until the request's deadline. One caller at a time. */
    Result invoke(Request request);

    /** The CloudWatch Logs stream this environment writes to. */
    String logStream();

    @Override
    void close();
}
