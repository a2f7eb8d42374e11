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
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamCompleteEvent;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamRequest;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamResponse;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Response streaming: Node.js handlers wrapped by {@code awslambda.streamifyResponse}, custom runtimes posting a
 * streamed response, {@code InvokeWithResponseStream} through the SDK's async client (event-stream frames), and
 * function URLs in {@code RESPONSE_STREAM} mode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponseStreamingTest {
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);
    final LambdaAsyncClient async = LambdaAsyncClient.builder().endpointOverride(Oboro.endpoint()).region(Region.US_EAST_1)
            .credentialsProvider(Oboro.credentials(account)).build();

    static final String NODE = """
            const { Readable } = require('stream');
            const { pipeline } = require('stream/promises');
            exports.words = awslambda.streamifyResponse(async (event, responseStream, context) => {
              responseStream.setContentType('text/plain');
              for (const w of ['one ', 'two ', 'three']) {
                responseStream.write(w);
                await new Promise((r) => setTimeout(r, 2));
                if (event.fail === w.trim()) throw new TypeError('broke after ' + w.trim());
              }
              console.log('streamed for', context.awsRequestId);
              responseStream.end();
            });
            exports.big = awslambda.streamifyResponse(async (event, responseStream) => {
              await pipeline(Readable.from([Buffer.alloc(50000, 'a'), Buffer.alloc(50000, 'b')]), responseStream);
            });
            exports.http = awslambda.streamifyResponse(async (event, responseStream) => {
              const s = awslambda.HttpResponseStream.from(responseStream,
                { statusCode: 201, headers: { 'content-type': 'text/csv', 'x-stream': 'yes' }, cookies: ['a=1; Path=/', 'b=2'] });
              s.write('a,b\\n');
              s.write(event.rawPath + ',2\\n');
              s.end();
            });
            exports.buffered = async (event) => ({ hello: event.name });
            """;

    /** A custom runtime that streams its response with curl (chunked, in streaming mode). */
    static final String STREAMING_BOOTSTRAP = """
            #!/bin/sh
            set -eu
            while true; do
              HEADERS="$(mktemp)"
              curl -sS -D "$HEADERS" -o /dev/null "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next"
              REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              printf 'streamed by curl' | curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" \\
                -H 'Lambda-Runtime-Function-Response-Mode: streaming' -H 'Transfer-Encoding: chunked' -H 'Content-Type: text/plain' \\
                --data-binary @- > /dev/null
              rm -f "$HEADERS"
            done
            """;

    @BeforeAll
    void functions() {
        Assumptions.assumeTrue(Samples.hasNode(), "node is not installed");
        byte[] zip = Samples.zip(Map.of("index.js", NODE));
        for (String h : List.of("words", "big", "http", "buffered")) {
            Samples.create(lambda, account, h, "nodejs20.x", "index." + h, zip, null);
        }
    }

    @AfterAll
    void tearDown() {
        Samples.deleteAll(lambda);
        lambda.close();
        async.close();
    }

    record Streamed(InvokeWithResponseStreamResponse response, List<byte[]> chunks, InvokeWithResponseStreamCompleteEvent complete) {
        String text() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunks.forEach(out::writeBytes);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private Streamed stream(String function, String payload, Consumer<InvokeWithResponseStreamRequest.Builder> more) throws Exception {
        AtomicReference<InvokeWithResponseStreamResponse> response = new AtomicReference<>();
        List<byte[]> chunks = new ArrayList<>();
        AtomicReference<InvokeWithResponseStreamCompleteEvent> complete = new AtomicReference<>();
        InvokeWithResponseStreamResponseHandler handler = InvokeWithResponseStreamResponseHandler.builder()
                .onResponse(response::set)
                .subscriber(InvokeWithResponseStreamResponseHandler.Visitor.builder()
                        .onPayloadChunk(c -> chunks.add(c.payload().asByteArray()))
                        .onInvokeComplete(complete::set).build())
                .build();
        InvokeWithResponseStreamRequest.Builder b = InvokeWithResponseStreamRequest.builder().functionName(function)
                .payload(SdkBytes.fromUtf8String(payload));
        if (more != null) more.accept(b);
        async.invokeWithResponseStream(b.build(), handler).get(60, TimeUnit.SECONDS);
        return new Streamed(response.get(), chunks, complete.get());
    }

    @Test
    void streamedHandlerSendsPayloadChunksThenInvokeComplete() throws Exception {
        Streamed s = stream("words", "{}", b -> b.logType(LogType.TAIL));
        assertEquals(200, s.response().statusCode());
        assertEquals("$LATEST", s.response().executedVersion());
        assertEquals("one two three", s.text());
        assertNull(s.complete().errorCode());
        String log = new String(Base64.getDecoder().decode(s.complete().logResult()), StandardCharsets.UTF_8);
        assertTrue(log.contains("streamed for") && log.contains("REPORT RequestId"), log);
    }

    @Test
    void errorAfterTheStreamBeganEndsItWithTheErrorInInvokeComplete() throws Exception {
        Streamed s = stream("words", "{\"fail\":\"two\"}", null);
        assertEquals("one two ", s.text());
        assertEquals("TypeError", s.complete().errorCode());
        assertEquals("broke after two", s.complete().errorDetails());
        assertNull(s.complete().logResult());
    }

    @Test
    void largeStreamsArriveInSeveralChunks() throws Exception {
        Streamed s = stream("big", "{}", null);
        assertTrue(s.chunks().size() > 1, "chunks: " + s.chunks().size());
        assertEquals("a".repeat(50000) + "b".repeat(50000), s.text());
    }

    @Test
    void bufferedHandlerAnswersItsResponseAsTheStream() throws Exception {
        Streamed s = stream("buffered", "{\"name\":\"x\"}", null);
        assertEquals("{\"hello\":\"x\"}", s.text());
        assertNull(s.complete().errorCode());
    }

    @Test
    void plainInvokeOfAStreamingHandlerReturnsTheWholeStream() {
        InvokeResponse r = lambda.invoke(b -> b.functionName("words").payload(SdkBytes.fromUtf8String("{}")));
        assertNull(r.functionError());
        assertEquals("one two three", r.payload().asUtf8String());
        InvokeResponse failed = lambda.invoke(b -> b.functionName("words").payload(SdkBytes.fromUtf8String("{\"fail\":\"one\"}")));
        assertEquals("Unhandled", failed.functionError());
        assertTrue(failed.payload().asUtf8String().contains("\"errorType\":\"TypeError\""), failed.payload().asUtf8String());
    }

    @Test
    void refusesWhatLambdaRefuses() throws Exception {
        ExecutionException unknown = assertThrows(ExecutionException.class, () -> stream("absent", "{}", null));
        assertInstanceOf(ResourceNotFoundException.class, unknown.getCause());
        ExecutionException event = assertThrows(ExecutionException.class, () -> stream("words", "{}", b -> b.invocationType("Event")));
        LambdaException e = assertInstanceOf(LambdaException.class, event.getCause());
        assertEquals(400, e.statusCode());
        assertEquals("ValidationException", e.awsErrorDetails().errorCode());
        assertTrue(e.awsErrorDetails().errorMessage().startsWith("1 validation error detected: Value 'Event' at 'invocationType' failed to satisfy "
                + "constraint: Member must satisfy enum value set: ["), e.awsErrorDetails().errorMessage());
        ExecutionException json = assertThrows(ExecutionException.class, () -> stream("words", "{not json", null));
        assertEquals("InvalidRequestContentException", ((LambdaException) json.getCause()).awsErrorDetails().errorCode());
        Streamed dry = stream("words", "{}", b -> b.invocationType("DryRun"));
        assertEquals(204, dry.response().statusCode());
        assertTrue(dry.chunks().isEmpty());
    }

    @Test
    void customRuntimeStreamsItsResponse() throws Exception {
        Samples.create(lambda, account, "curl", "provided.al2023", "x", Samples.zip(Map.of("bootstrap", STREAMING_BOOTSTRAP)), null);
        Streamed s = stream("curl", "{}", null);
        assertEquals("streamed by curl", s.text());
        assertNull(s.complete().errorCode());
    }


    @Test
    void functionUrlInStreamModeAnswersFromThePreludeAndBody() {
        String id = Samples.publicStreamingUrl(lambda, "http");
        HttpResponse<String> r = Oboro.http(HttpRequest.newBuilder(Oboro.endpoint().resolve("/_oboro/lambda-url/" + id + "/report")));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("text/csv", r.headers().firstValue("content-type").orElse(null));
        assertEquals("yes", r.headers().firstValue("x-stream").orElse(null));
        assertEquals(List.of("a=1; Path=/", "b=2"), r.headers().allValues("set-cookie"));
        assertEquals("a,b\n/report,2\n", r.body());

        String plain = Samples.publicStreamingUrl(lambda, "words");
        HttpResponse<String> p = Oboro.http(HttpRequest.newBuilder(Oboro.endpoint().resolve("/_oboro/lambda-url/" + plain + "/")));
        assertEquals(200, p.statusCode());
        assertEquals("text/plain", p.headers().firstValue("content-type").orElse(null));
        assertEquals("one two three", p.body());
    }
}
