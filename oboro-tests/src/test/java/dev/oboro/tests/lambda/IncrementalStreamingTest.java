package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamCompleteEvent;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamRequest;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Response streaming is incremental: what a function writes reaches the caller while it still runs. The
 * function writes a first piece, then waits until a gate file exists, which the test creates only once it
 * has received that piece; so the first piece must arrive before the function can finish.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncrementalStreamingTest {
    /** Every wait for a piece of the stream is bounded by this. */
    static final long WAIT_SECONDS = 10;
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);
    // no retries: a throttled call is answered once
    final LambdaAsyncClient async = LambdaAsyncClient.builder().endpointOverride(Oboro.endpoint()).region(Region.US_EAST_1)
            .credentialsProvider(Oboro.credentials(account)).overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
    final HttpClient http = HttpClient.newHttpClient();
    Path gates;

    // The gated handler gives up after 20 s (longer than the test waits) so that a failed test leaves no function hanging.
    static final String NODE = """
            const fs = require('fs');
            exports.gated = awslambda.streamifyResponse(async (event, responseStream) => {
              const gate = event.gate || event.queryStringParameters.gate;
              let out = responseStream;
              if (event.gate) responseStream.setContentType('text/plain');
              else out = awslambda.HttpResponseStream.from(responseStream, { statusCode: 202, headers: { 'x-gate': 'first' } });
              out.write('first|');
              const until = Date.now() + 20000;
              while (!fs.existsSync(gate)) {
                if (Date.now() > until) { out.end('gave up'); return; }
                await new Promise((r) => setTimeout(r, 5));
              }
              console.log('gate opened');
              if ((event.fail || (event.queryStringParameters || {}).fail) === 'yes') throw new RangeError('failed after the gate');
              out.write('second');
              out.end();
            });
            exports.hangs = awslambda.streamifyResponse(async (event, responseStream) => {
              responseStream.setContentType('text/plain');
              responseStream.write('before the timeout');
              await new Promise(() => {});
            });
            """;

    @BeforeAll
    void functions() throws IOException {
        Assumptions.assumeTrue(Samples.hasNode(), "node is not installed");
        gates = Files.createTempDirectory("oboro-gates");
        byte[] zip = Samples.zip(Map.of("index.js", NODE));
        Samples.create(lambda, account, "gated", "nodejs20.x", "index.gated", zip, null);
        Samples.create(lambda, account, "hangs", "nodejs20.x", "index.hangs", zip, b -> b.timeout(1));
        Samples.create(lambda, account, "off", "nodejs20.x", "index.gated", zip, null);
        lambda.putFunctionConcurrency(b -> b.functionName("off").reservedConcurrentExecutions(0));
    }

    @AfterAll
    void tearDown() {
        Samples.deleteAll(lambda);
        lambda.close();
        async.close();
    }

    /** An InvokeWithResponseStream call in flight: the chunks as they arrive, the final event, and its end. */
    record Call(BlockingQueue<byte[]> chunks, AtomicReference<InvokeWithResponseStreamCompleteEvent> complete, CompletableFuture<Void> done) {
        String next() throws InterruptedException {
            byte[] c = chunks.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(c, "no chunk within " + WAIT_SECONDS + " s");
            return new String(c, StandardCharsets.UTF_8);
        }

        /** Waits for the end of the call; the chunks that came since the last taken. */
        String rest() throws Exception {
            done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            List<byte[]> left = new ArrayList<>();
            chunks.drainTo(left);
            StringBuilder s = new StringBuilder();
            left.forEach(b -> s.append(new String(b, StandardCharsets.UTF_8)));
            return s.toString();
        }
    }

    private Call stream(String function, String payload) {
        BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        AtomicReference<InvokeWithResponseStreamCompleteEvent> complete = new AtomicReference<>();
        InvokeWithResponseStreamResponseHandler handler = InvokeWithResponseStreamResponseHandler.builder()
                .subscriber(InvokeWithResponseStreamResponseHandler.Visitor.builder()
                        .onPayloadChunk(c -> chunks.add(c.payload().asByteArray()))
                        .onInvokeComplete(complete::set).build())
                .build();
        InvokeWithResponseStreamRequest req = InvokeWithResponseStreamRequest.builder().functionName(function).logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String(payload)).build();
        return new Call(chunks, complete, async.invokeWithResponseStream(req, handler));
    }

    private Path gate(String name) {
        return gates.resolve(name);
    }

    private static void open(Path gate) throws IOException {
        Files.createFile(gate);
    }

    @Test
    void payloadChunksArriveWhileTheFunctionRuns() throws Exception {
        Path gate = gate("sdk");
        Call call = stream("gated", "{\"gate\":\"" + gate + "\"}");
        assertEquals("first|", call.next());
        assertFalse(call.done().isDone(), "the stream ended before the function could finish");
        open(gate);
        assertEquals("second", call.rest());
        InvokeWithResponseStreamCompleteEvent complete = call.complete().get();
        assertNull(complete.errorCode());
        String log = new String(Base64.getDecoder().decode(complete.logResult()), StandardCharsets.UTF_8);
        assertTrue(log.contains("gate opened") && log.contains("REPORT RequestId"), log);
    }

    @Test
    void anErrorAfterTheFirstChunkEndsTheStreamWithInvokeComplete() throws Exception {
        Path gate = gate("sdk-fail");
        Call call = stream("gated", "{\"gate\":\"" + gate + "\",\"fail\":\"yes\"}");
        assertEquals("first|", call.next());
        open(gate);
        assertEquals("", call.rest());
        assertEquals("RangeError", call.complete().get().errorCode());
        assertEquals("failed after the gate", call.complete().get().errorDetails());
    }

    @Test
    void aTimeoutAfterTheFirstChunkEndsTheStreamWithSandboxTimedout() throws Exception {
        Call call = stream("hangs", "{}");
        assertEquals("before the timeout", call.next());
        assertEquals("", call.rest());
        InvokeWithResponseStreamCompleteEvent complete = call.complete().get();
        assertEquals("Sandbox.Timedout", complete.errorCode());
        assertTrue(complete.errorDetails().contains("Task timed out after 1.00 seconds"), complete.errorDetails());
    }

    @Test
    void aThrottledStreamIsRefusedBeforeItBegins() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stream("off", "{\"gate\":\"" + gate("never") + "\"}").done().get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(TooManyRequestsException.class, e.getCause());
    }


    /** Reads {@code n} bytes, or fails after the bound. */
    private static String read(InputStream in, int n) throws Exception {
        CompletableFuture<byte[]> f = CompletableFuture.supplyAsync(() -> {
            try {
                return in.readNBytes(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return new String(f.get(WAIT_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    }

    private HttpResponse<InputStream> get(String urlId, Path gate, String more) throws Exception {
        URI uri = Oboro.endpoint().resolve("/_oboro/lambda-url/" + urlId + "/?gate="
                + URLEncoder.encode(gate.toString(), StandardCharsets.UTF_8) + more);
        return http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream())
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void functionUrlSendsStatusHeadersAndTheFirstPieceWhileTheFunctionRuns() throws Exception {
        String id = Samples.publicStreamingUrl(lambda, "gated");
        Path gate = gate("url");
        HttpResponse<InputStream> r = get(id, gate, "");
        assertEquals(202, r.statusCode());
        assertEquals("first", r.headers().firstValue("x-gate").orElse(null));
        try (InputStream body = r.body()) {
            assertEquals("first|", read(body, 6));
            open(gate);
            assertEquals("second", read(body, Integer.MAX_VALUE));
        }

        // an error after the response began breaks the body off: the client sees it incomplete
        Path failing = gate("url-fail");
        HttpResponse<InputStream> f = get(id, failing, "&fail=yes");
        assertEquals(202, f.statusCode());
        try (InputStream body = f.body()) {
            assertEquals("first|", read(body, 6));
            open(failing);
            ExecutionException broken = assertThrows(ExecutionException.class, () -> read(body, Integer.MAX_VALUE));
            assertInstanceOf(IOException.class, broken.getCause().getCause(), String.valueOf(broken.getCause()));
        }
    }
}
