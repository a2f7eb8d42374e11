package dev.oboro.services.lambda;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.http.HttpServer;
import dev.oboro.wire.WireRequest;
import dev.oboro.wire.WireResponse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An execution environment that is a child process speaking the Lambda Runtime API: Python and
 * Node.js through the small bootstrap programs Oboro ships, {@code provided} runtimes through the
 * function's own {@code bootstrap}.
 *
 * <p>A runtime may stream its response ({@code Lambda-Runtime-Function-Response-Mode: streaming}, chunked,
 * an error after the start in the trailers): the Runtime API reads that body as it arrives and passes each
 * piece on to the invocation's {@link StreamSink} at once; the whole stream is the invocation's result too.
 *
 * <p>Each environment gets its own Runtime API listener on a loopback port
 * ({@code AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>}): a runtime (curl in a shell script, the Rust or
 * Go runtime clients) treats that variable as a bare host:port, so a path prefix on Oboro's main
 * port would not identify the environment; a port of its own does, and needs no routing.
 *
 * <p>Output (stdout and stderr merged) becomes the invocation's log. Oboro's bootstraps write a
 * marker line after each invocation so the log is complete before the response is answered; for
 * custom runtimes Oboro waits until the pipe is drained.
 */
final class ProcessEnvironment implements Environment {
    private static final Logger LOG = Logger.getLogger(ProcessEnvironment.class.getName());
    static final String DONE_MARKER = "\u0000oboro-invocation-done\u0000";
    /**
     * Lambda gives the init phase 10 seconds; when it runs longer, init is retried within the first
     * invocation's own timeout. Oboro allows the sum, which also absorbs slow starts on a busy machine.
     */
    private static final long INIT_LIMIT_MILLIS = 10_000;

    /** An invocation in flight: the request, and the runtime's answer. */
    private record InFlight(Request request, long deadline, CompletableFuture<Answer> answer) {
    }

    /** {@code streamContentType}: the content type of a streamed response (null: buffered); {@code errorDocument}: a streamed response's error. */
    private record Answer(byte[] body, boolean error, String errorType, String streamContentType, byte[] errorDocument) {
    }

    private static final class InitFailure extends Exception {
        final byte[] body;
        final String errorType;

        InitFailure(byte[] body, String errorType) {
            super(errorType, null, false, false);
            this.body = body;
            this.errorType = errorType;
        }
    }

    private final Spec spec;
    private final String logStream;
    private final boolean marksDone;
    private final HttpServer api;
    private final Process process;
    private final EgressProxy egress;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<Long> initDone = new CompletableFuture<>();
    private final LinkedBlockingQueue<Request> next = new LinkedBlockingQueue<>();
    private final StringBuilder log = new StringBuilder();
    private final Object markerLock = new Object();
    private long markers;
    private volatile boolean readerBusy;
    private volatile long lines;
    private volatile InFlight current;
    private volatile boolean usable = true;
    private boolean reportedInit;
    private InputStream stdout;

    ProcessEnvironment(Spec spec, String logStream, List<String> command, boolean marksDone, Map<String, String> extraEnv) throws IOException {
        this.spec = spec;
        this.logStream = logStream;
        this.marksDone = marksDone;
        this.api = HttpServer.small(this::serve, ProcessEnvironment::streamedResponse);
        int port;
        try {
            port = api.start("127.0.0.1", 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the Runtime API", e);
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(spec.taskRoot().toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.clear();
        String runtimeApi = "127.0.0.1:" + port;
        env.putAll(standardVariables(spec, logStream, runtimeApi, path));
        env.putAll(extraEnv);
        if (spec.variables() != null) env.putAll(spec.variables());
        this.egress = spec.egress() == null ? null : new EgressProxy(spec.egress(), spec.endpoint());
        if (egress != null) env.putAll(egress.variables(runtimeApi));
        try {
            this.process = pb.start();
        } catch (IOException e) {
            api.close();
            if (egress != null) egress.close();
            throw e;
        }
        process.getOutputStream().close();
        this.stdout = process.getInputStream();
        Thread.ofPlatform().daemon().name("lambda-out-" + spec.function()).start(this::readOutput);
        process.onExit().thenRun(this::exited);
    }

    /** The variables Lambda sets in every execution environment (plus AWS_ENDPOINT_URL pointing at Oboro). */
    static Map<String, String> standardVariables(Spec spec, String logStream, String runtimeApi, String systemPath) {
        Map<String, String> env = new LinkedHashMap<>();
        String opt = spec.opt() == null ? null : spec.opt().toString();
        env.put("PATH", (opt == null ? "" : opt + "/bin:") + systemPath);
        env.put("LD_LIBRARY_PATH", (opt == null ? "" : opt + "/lib:") + spec.taskRoot() + "/lib");
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("LAMBDA_TASK_ROOT", spec.taskRoot().toString());
        env.put("LAMBDA_RUNTIME_DIR", Bootstraps.dir().toString());
        env.put("_HANDLER", spec.handler());
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + spec.runtime());
        env.put("AWS_REGION", spec.region());
        env.put("AWS_DEFAULT_REGION", spec.region());
        env.put("AWS_LAMBDA_FUNCTION_NAME", spec.function());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", spec.version());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", spec.logGroup());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", logStream);
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        env.put("AWS_ENDPOINT_URL", spec.endpoint());
        if (opt != null) env.put("OBORO_LAMBDA_OPT", opt);
        env.putAll(spec.credentials());
        return env;
    }

    // ------------------------------------------------------------------ Runtime API

    private WireResponse serve(WireRequest ex, String sourceIp) {
        String path = ex.path();
        String method = ex.method();
        byte[] body = ex.body();
        if (!path.startsWith("/2018-06-01/runtime/")) return reply(404, "{\"errorMessage\":\"Not found\",\"errorType\":\"NotFound\"}");
        if (method.equals("GET") && path.equals("/2018-06-01/runtime/invocation/next")) {
            if (!initDone.isDone()) initDone.complete(System.nanoTime());
            Request r = null;
            try {
                while (r == null) {
                    r = next.poll(1, TimeUnit.SECONDS);
                    if (r == null && !usable) return reply(500, "{\"errorMessage\":\"environment shutting down\"}");
                }
            } catch (InterruptedException e) {
                return reply(500, "{\"errorMessage\":\"environment shutting down\"}");
            }
            WireResponse out = WireResponse.of(200, "application/json", r.payload());
            var h = out.headers();
            h.put("Lambda-Runtime-Aws-Request-Id", r.requestId());
            InFlight f = current;
            long deadline = f != null && f.request() == r ? f.deadline() : System.currentTimeMillis() + r.timeoutMillis();
            h.put("Lambda-Runtime-Deadline-Ms", Long.toString(deadline));
            h.put("Lambda-Runtime-Invoked-Function-Arn", r.invokedArn());
            if (r.traceId() != null) h.put("Lambda-Runtime-Trace-Id", r.traceId());
            if (r.clientContext() != null) h.put("Lambda-Runtime-Client-Context", r.clientContext());
            return out;
        }
        if (method.equals("POST") && path.equals("/2018-06-01/runtime/init/error")) {
            initDone.completeExceptionally(new InitFailure(body, errorType(ex, body)));
            return reply(202, "{\"status\":\"OK\"}");
        }
        String prefix = "/2018-06-01/runtime/invocation/";
        if (method.equals("POST") && path.startsWith(prefix)) {
            String rest = path.substring(prefix.length());
            int slash = rest.indexOf('/');
            String id = slash < 0 ? rest : rest.substring(0, slash);
            String what = slash < 0 ? "" : rest.substring(slash + 1);
            InFlight f = current;
            if (f == null || !f.request().requestId().equals(id)) {
                return reply(400, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
            }
            if (what.equals("response")) {
                if (ex.stream() != null) {
                    try {
                        body = read(ex, f.request().sink());
                    } catch (IOException e) {
                        // the runtime went away mid-stream: its exit (or the timeout) ends the invocation
                        return reply(500, "{\"errorMessage\":\"the response stream broke off\"}");
                    }
                }
                f.answer().complete(answer(ex, body));
                return reply(202, "{\"status\":\"OK\"}");
            }
            if (what.equals("error")) {
                f.answer().complete(new Answer(body, true, errorType(ex, body), null, null));
                return reply(202, "{\"status\":\"OK\"}");
            }
        }
        return reply(404, "{\"errorMessage\":\"Not found\",\"errorType\":\"NotFound\"}");
    }

    /** A response posted in streaming mode: its body is read as it arrives (see {@link HttpServer#small(HttpServer.Handler, java.util.function.Predicate)}). */
    private static boolean streamedResponse(WireRequest head) {
        return head.method().equals("POST") && head.path().endsWith("/response")
                && "streaming".equalsIgnoreCase(head.header("lambda-runtime-function-response-mode"));
    }

    /** Reads a streamed response as it arrives, handing each piece on to the sink; the whole stream. */
    private static byte[] read(WireRequest ex, StreamSink sink) throws IOException {
        String contentType = ex.header("content-type") == null ? "application/octet-stream" : ex.header("content-type");
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        for (byte[] piece = ex.stream().next(); piece != null; piece = ex.stream().next()) {
            whole.writeBytes(piece);
            if (sink != null && piece.length > 0) sink.piece(contentType, piece);
        }
        return whole.toByteArray();
    }

    /** A request header, or a trailer field of a streamed body (read to its end). */
    private static String field(WireRequest ex, String name) {
        String t = ex.stream() == null ? null : ex.stream().trailers().get(name);
        return t != null ? t : ex.header(name);
    }

    /**
     * A runtime's response. In streaming mode ({@code Lambda-Runtime-Function-Response-Mode: streaming},
     * the body sent chunked) the body is the stream as written, its {@code Content-Type} the stream's, and
     * an error after the stream began comes in the trailers {@code Lambda-Runtime-Function-Error-Type} and
     * {@code Lambda-Runtime-Function-Error-Body} (the error document, base64-encoded).
     */
    private static Answer answer(WireRequest ex, byte[] body) {
        if (!"streaming".equalsIgnoreCase(ex.header("lambda-runtime-function-response-mode"))) return new Answer(body, false, null, null, null);
        String contentType = ex.header("content-type") == null ? "application/octet-stream" : ex.header("content-type");
        String type = field(ex, "lambda-runtime-function-error-type");
        if (type == null) return new Answer(body, false, null, contentType, null);
        String encoded = field(ex, "lambda-runtime-function-error-body");
        byte[] doc;
        try {
            doc = encoded == null ? null : java.util.Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            doc = encoded.getBytes(StandardCharsets.UTF_8);
        }
        return new Answer(body, true, type, contentType, doc);
    }

    private static String errorType(WireRequest ex, byte[] body) {
        String t = ex.header("lambda-runtime-function-error-type");
        if (t != null) return t;
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("errorType").asText(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static WireResponse reply(int status, String json) {
        return WireResponse.of(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ output

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                readerBusy = true;
                lines++;
                if (line.equals(DONE_MARKER)) {
                    synchronized (markerLock) {
                        markers++;
                        markerLock.notifyAll();
                    }
                } else {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                }
                readerBusy = false;
            }
        } catch (IOException ignored) {
            // the process ended
        } finally {
            readerBusy = false;
            synchronized (markerLock) {
                markers = Long.MAX_VALUE / 2;
                markerLock.notifyAll();
            }
        }
    }

    private String drainLog() {
        synchronized (log) {
            String s = log.toString();
            log.setLength(0);
            return s;
        }
    }

    /** Waits until the output of the invocation just answered has been read. */
    private void awaitOutput(long expectedMarkers) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(marksDone ? 1000 : 50);
        try {
            if (marksDone) {
                synchronized (markerLock) {
                    while (markers < expectedMarkers) {
                        long left = until - System.nanoTime();
                        if (left <= 0) return;
                        TimeUnit.NANOSECONDS.timedWait(markerLock, left);
                    }
                }
                return;
            }
            // No marker from a custom runtime: wait until the output has been quiet for a moment. (Not
            // InputStream.available(): it shares a lock with the reader's blocking read and would wait for the next line.)
            long seen = -1;
            while (System.nanoTime() < until) {
                long now = lines;
                if (now == seen && !readerBusy) return;
                seen = now;
                Thread.sleep(3);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void exited() {
        int code = process.exitValue();
        String msg = "Runtime exited with error: " + (code > 128 ? "signal: " + signalName(code - 128) : "exit status " + code);
        initDone.completeExceptionally(new InitFailure(null, "Runtime.ExitError:" + msg));
        InFlight f = current;
        if (f != null) f.answer().complete(new Answer(null, true, "Runtime.ExitError:" + msg, null, null));
        usable = false;
    }

    private static String signalName(int sig) {
        return switch (sig) {
            case 9 -> "killed";
            case 15 -> "terminated";
            case 11 -> "segmentation fault";
            case 6 -> "aborted";
            default -> "signal " + sig;
        };
    }

    // ------------------------------------------------------------------ invoke

    private long invocations;

    /** Waits for the runtime's first {@code /next} (its init done); the init log is not part of any invocation's. */
    @Override
    public void initialise() {
        try {
            initDone.get(INIT_LIMIT_MILLIS, TimeUnit.MILLISECONDS);
            reportedInit = true;
            drainLog();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the first invocation reports the failed init, as it would without provisioning
        }
    }

    @Override
    public Result invoke(Request req) {
        double init = -1;
        String pre = "";
        if (!reportedInit) {
            reportedInit = true;
            try {
                long at = initDone.get(INIT_LIMIT_MILLIS + req.timeoutMillis(), TimeUnit.MILLISECONDS);
                init = (at - startNanos) / 1e6;
                pre = drainLog();
            } catch (TimeoutException e) {
                usable = false;
                kill();
                return new Result(null, true, null, drainLog(), (System.nanoTime() - startNanos) / 1e6, peakMemory(), true, false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                usable = false;
                kill();
                return new Result(null, true, null, drainLog(), -1, 0, true, false);
            } catch (ExecutionException e) {
                usable = false;
                InitFailure f = e.getCause() instanceof InitFailure i ? i : new InitFailure(null, "Runtime.Unknown");
                init = (System.nanoTime() - startNanos) / 1e6;
                awaitOutput(Long.MAX_VALUE / 2);
                kill();
                return initError(req, f, drainLog(), init);
            }
        }
        if (!usable) {
            return new Result(exitError(req, "Runtime.ExitError", "Runtime exited"), true, "Runtime.ExitError", drainLog(), init, 0, false, false);
        }
        long deadline = System.currentTimeMillis() + req.timeoutMillis();
        InFlight f = new InFlight(req, deadline, new CompletableFuture<>());
        current = f;
        long expected = ++invocations;
        next.add(req);
        long waitMillis = Math.max(1, deadline - System.currentTimeMillis());
        Answer a;
        try {
            a = f.answer().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            usable = false;
            kill();
            current = null;
            return new Result(null, true, null, pre + drainLog(), init, peakMemory(), true, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            usable = false;
            kill();
            return new Result(null, true, null, pre + drainLog(), init, 0, true, false);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        current = null;
        if (a.errorType() != null && a.errorType().startsWith("Runtime.ExitError:")) {
            awaitOutput(Long.MAX_VALUE / 2);
            String msg = a.errorType().substring("Runtime.ExitError:".length());
            return new Result(exitError(req, "Runtime.ExitError", msg), true, "Runtime.ExitError", pre + drainLog(), init,
                    peakMemory(), false, false);
        }
        awaitOutput(expected);
        String out = pre + drainLog();
        long mem = peakMemory();
        if (a.streamContentType() != null) {
            byte[] doc = !a.error() ? null : a.errorDocument() == null || a.errorDocument().length == 0
                    ? exitError(req, a.errorType(), "Unknown error") : a.errorDocument();
            return new Result(a.body(), a.error(), a.errorType(), out, init, mem, false, true, a.streamContentType(), doc);
        }
        if (a.error()) {
            byte[] body = a.body() == null || a.body().length == 0 ? exitError(req, a.errorType(), "Unknown error") : a.body();
            return new Result(body, true, a.errorType(), out, init, mem, false, true);
        }
        return new Result(a.body(), false, null, out, init, mem, false, true);
    }

    private Result initError(Request req, InitFailure f, String log, double init) {
        if (f.errorType != null && f.errorType.startsWith("Runtime.ExitError:")) {
            String msg = f.errorType.substring("Runtime.ExitError:".length());
            return new Result(exitError(req, "Runtime.ExitError", msg), true, "Runtime.ExitError", log, init, 0, false, false);
        }
        byte[] body = f.body == null || f.body.length == 0 ? exitError(req, f.errorType, "Init error") : f.body;
        return new Result(body, true, f.errorType, log, init, 0, false, false);
    }

    /** {@code {"errorType":"Runtime.ExitError","errorMessage":"RequestId: ... Error: Runtime exited with error: exit status 1"}} */
    private static byte[] exitError(Request req, String type, String message) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("errorType", type == null ? "Runtime.Unknown" : type);
        n.put("errorMessage", "RequestId: " + req.requestId() + " Error: " + message);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Peak resident memory of the process (VmHWM), in MB. */
    private long peakMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return Math.max(1, kb / 1024);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // process gone or no procfs
        }
        return 0;
    }

    boolean usable() {
        return usable && process.isAlive();
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public String logStream() {
        return logStream;
    }

    @Override
    public void close() {
        usable = false;
        kill();
        api.close();
        if (egress != null) egress.close();
    }

    static List<String> command(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
