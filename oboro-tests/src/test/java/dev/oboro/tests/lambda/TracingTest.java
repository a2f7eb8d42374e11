package dev.oboro.tests.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.TracingMode;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.Segment;
import software.amazon.awssdk.services.xray.model.Trace;
import software.amazon.awssdk.services.xray.model.TraceSummary;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** X-Ray traces of invocations: Active and PassThrough tracing, propagation to the function and from the caller. */
// Warm environments are time-driven state: a clock advance past their idle limit would reap them mid-test.
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CODE = """
            import os
            def handler(event, context):
                if event.get("fail"):
                    raise ValueError("broken on purpose")
                return {"trace": os.environ.get("_X_AMZN_TRACE_ID")}
            """;
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);
    final XRayClient xray = Oboro.client(XRayClient.builder(), account);

    @AfterAll
    void tearDown() {
        lambda.close();
        xray.close();
    }

    private InvokeResponse invoke(String name, String payload, String traceHeader) {
        return lambda.invoke(b -> {
            b.functionName(name).payload(SdkBytes.fromUtf8String(payload));
            if (traceHeader != null) b.overrideConfiguration(o -> o.putHeader("X-Amzn-Trace-Id", traceHeader));
        });
    }

    private static Map<String, String> header(String h) {
        Map<String, String> m = new HashMap<>();
        for (String p : h.split(";")) m.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
        return m;
    }

    /** The segments of a trace, once both of Lambda's have been written (they are written off the invocation's path). */
    private Map<String, JsonNode> segments(String traceId) throws Exception {
        long until = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<Trace> traces = xray.batchGetTraces(b -> b.traceIds(traceId)).traces();
            if (!traces.isEmpty() && traces.get(0).segments().size() >= 2) {
                Map<String, JsonNode> byOrigin = new HashMap<>();
                for (Segment s : traces.get(0).segments()) {
                    JsonNode doc = JSON.readTree(s.document());
                    byOrigin.put(doc.path("origin").asText(), doc);
                }
                return byOrigin;
            }
            assertTrue(System.nanoTime() < until, "no complete trace " + traceId);
            Thread.onSpinWait();
            Thread.sleep(20);
        }
    }

    private static List<String> names(JsonNode subsegments) {
        List<String> out = new ArrayList<>();
        subsegments.forEach(s -> out.add(s.path("name").asText()));
        return out;
    }

    @Test
    void activeTracingWritesTheLambdaAndFunctionSegmentsAndTheFunctionSeesTheTrace() throws Exception {
        Samples.create(lambda, account, "traced", "python3.12", "app.handler", Samples.python(CODE),
                b -> b.tracingConfig(t -> t.mode(TracingMode.ACTIVE)));
        InvokeResponse cold = invoke("traced", "{}", null);
        assertNull(cold.functionError(), cold.payload().asUtf8String());
        Map<String, String> h = header(JSON.readTree(cold.payload().asByteArray()).path("trace").asText());
        assertEquals("1", h.get("Sampled"));
        String traceId = h.get("Root");
        Map<String, JsonNode> segs = segments(traceId);
        JsonNode service = segs.get("AWS::Lambda");
        JsonNode fn = segs.get("AWS::Lambda::Function");
        assertNotNull(service, segs.toString());
        assertNotNull(fn, segs.toString());
        assertEquals("traced", service.path("name").asText());
        assertEquals(200, service.path("http").path("response").path("status").asInt());
        assertEquals(service.path("id").asText(), fn.path("parent_id").asText());
        assertEquals(fn.path("id").asText(), h.get("Parent"), "the function's parent is its function segment");
        assertEquals(List.of("Initialization", "Invocation", "Overhead"), names(fn.path("subsegments")));
        assertEquals("arn:aws:lambda:us-east-1:" + account + ":function:traced", fn.path("aws").path("function_arn").asText());

        Map<String, String> warm = header(JSON.readTree(invoke("traced", "{}", null).payload().asByteArray()).path("trace").asText());
        assertFalse(warm.get("Root").equals(traceId), "each invocation is a new trace");
        assertEquals(List.of("Invocation", "Overhead"), names(segments(warm.get("Root")).get("AWS::Lambda::Function").path("subsegments")),
                "a warm invocation has no Initialization");

        double t = Long.parseLong(traceId.substring(2, 10), 16);
        List<TraceSummary> summaries = xray.getTraceSummaries(b -> b.startTime(Instant.ofEpochSecond((long) t - 60))
                .endTime(Instant.ofEpochSecond((long) t + 60))).traceSummaries();
        TraceSummary s = summaries.stream().filter(x -> x.id().equals(traceId)).findFirst().orElseThrow();
        assertFalse(s.hasFault());
    }

    @Test
    void aJavaFunctionReadsItsInvocationsTraceHeaderWhereLambdasJavaRuntimePutsIt() throws Exception {
        Samples.create(lambda, account, "traced-java", "java21", "sample.Trace::handle", Samples.java(Map.of("sample/Trace.java", """
                package sample;
                import java.util.Map;
                public class Trace {
                    public Map<String, String> handle(Map<String, Object> in) {
                        String seenByOtherThreads;
                        try {
                            var holder = new String[1];
                            Thread t = Thread.ofPlatform().start(() -> holder[0] = String.valueOf(System.getProperty("com.amazonaws.xray.traceHeader")));
                            t.join();
                            seenByOtherThreads = holder[0];
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return Map.of("trace", String.valueOf(System.getProperty("com.amazonaws.xray.traceHeader")), "child", seenByOtherThreads);
                    }
                }
                """)), b -> b.tracingConfig(t -> t.mode(TracingMode.ACTIVE)));
        String root = String.format("1-%08x-%s", Instant.now().getEpochSecond(), "00112233445566778899aabb");
        for (int i = 0; i < 2; i++) { // cold, then warm: each invocation its own header
            String caller = i == 0 ? root : root.replace("0011", "2233");
            JsonNode out = JSON.readTree(invoke("traced-java", "{}", "Root=" + caller + ";Parent=53995c3f42cd8ad8;Sampled=1").payload().asByteArray());
            Map<String, String> h = header(out.path("trace").asText());
            assertEquals(caller, h.get("Root"), out.toString());
            assertEquals("1", h.get("Sampled"));
            assertEquals(segments(caller).get("AWS::Lambda::Function").path("id").asText(), h.get("Parent"), "the function's parent is its function segment");
            assertEquals(out.path("trace").asText(), out.path("child").asText(), "threads the function starts see it too");
        }
        assertNull(System.getProperty("com.amazonaws.xray.traceHeader"), "Oboro's own threads do not see a function's trace");
    }

    @Test
    void aFunctionErrorIsAFaultAndTheCallersTraceIsContinued() throws Exception {
        Samples.create(lambda, account, "traced-err", "python3.12", "app.handler", Samples.python(CODE),
                b -> b.tracingConfig(t -> t.mode(TracingMode.ACTIVE)));
        String root = String.format("1-%08x-%s", Instant.now().getEpochSecond(), "0123456789abcdef01234567");
        InvokeResponse r = invoke("traced-err", "{\"fail\": true}", "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1");
        assertEquals("Unhandled", r.functionError());
        Map<String, JsonNode> segs = segments(root);
        assertEquals("53995c3f42cd8ad8", segs.get("AWS::Lambda").path("parent_id").asText(), "continues the caller's segment");
        JsonNode fn = segs.get("AWS::Lambda::Function");
        assertTrue(fn.path("fault").asBoolean(), fn.toString());
        JsonNode ex = fn.path("cause").path("exceptions").get(0);
        assertEquals("ValueError", ex.path("type").asText());
        assertEquals("broken on purpose", ex.path("message").asText());
        TraceSummary s = xray.getTraceSummaries(b -> b.startTime(Instant.now().minusSeconds(3600 * 24 * 400))
                .endTime(Instant.now().plusSeconds(3600L * 24 * 400))).traceSummaries().stream()
                .filter(x -> x.id().equals(root)).findFirst().orElseThrow();
        assertTrue(s.hasFault());

        // A caller that decided not to sample: Lambda records nothing and the function sees Sampled=0 on that trace.
        String unsampled = String.format("1-%08x-%s", Instant.now().getEpochSecond(), "fedcba9876543210fedcba98");
        Map<String, String> h = header(JSON.readTree(invoke("traced-err", "{}", "Root=" + unsampled + ";Sampled=0").payload().asByteArray())
                .path("trace").asText());
        assertEquals(unsampled, h.get("Root"));
        assertEquals("0", h.get("Sampled"));
    }

    @Test
    void anAsynchronousInvokeContinuesTheCallersTrace() throws Exception {
        Samples.create(lambda, account, "traced-async", "python3.12", "app.handler", Samples.python(CODE),
                b -> b.tracingConfig(t -> t.mode(TracingMode.ACTIVE)));
        String root = String.format("1-%08x-%s", Instant.now().getEpochSecond(), "a1b2c3d4e5f6a7b8c9d0e1f2");
        InvokeResponse r = lambda.invoke(b -> b.functionName("traced-async").invocationType("Event").payload(SdkBytes.fromUtf8String("{}"))
                .overrideConfiguration(o -> o.putHeader("X-Amzn-Trace-Id", "Root=" + root + ";Parent=0a1b2c3d4e5f6a7b;Sampled=1")));
        assertEquals(202, r.statusCode());
        Map<String, JsonNode> segs = segments(root);
        assertEquals("0a1b2c3d4e5f6a7b", segs.get("AWS::Lambda").path("parent_id").asText(), "the queued event runs in the caller's trace");
        assertEquals(segs.get("AWS::Lambda").path("id").asText(), segs.get("AWS::Lambda::Function").path("parent_id").asText());
    }

    @Test
    void passThroughTracesOnlyWhatTheCallerSampled() throws Exception {
        Samples.create(lambda, account, "passthrough", "python3.12", "app.handler", Samples.python(CODE), null);
        Map<String, String> h = header(JSON.readTree(invoke("passthrough", "{}", null).payload().asByteArray()).path("trace").asText());
        assertEquals("0", h.get("Sampled"), "not sampled without an upstream decision");
        Thread.sleep(200);
        assertTrue(xray.batchGetTraces(b -> b.traceIds(h.get("Root"))).traces().isEmpty(), "PassThrough records no unsampled trace");

        String root = String.format("1-%08x-%s", Instant.now().getEpochSecond(), "00112233445566778899aabb");
        Map<String, String> up = header(JSON.readTree(invoke("passthrough", "{}", "Root=" + root + ";Parent=1111222233334444;Sampled=1")
                .payload().asByteArray()).path("trace").asText());
        assertEquals(root, up.get("Root"));
        assertEquals("1", up.get("Sampled"));
        assertEquals("1111222233334444", segments(root).get("AWS::Lambda").path("parent_id").asText());
    }
}
