package dev.oboro.tests.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Java handlers run inside Oboro's JVM, each function in its own class loader. */
// Warm environments are time-driven state: a clock advance past their idle limit would reap them mid-test.
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// warm environments are part of what these tests check: no other class may advance the clock past the idle reaper meanwhile
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
class JavaRuntimeTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    LambdaClient lambda;

    static final String GREETER = """
            package sample;
            import com.amazonaws.services.lambda.runtime.Context;
            import com.amazonaws.services.lambda.runtime.RequestHandler;
            import java.util.Map;
            public class Greeter implements RequestHandler<Map<String, Object>, Map<String, Object>> {
                static int calls;
                public Map<String, Object> handleRequest(Map<String, Object> in, Context ctx) {
                    calls++;
                    ctx.getLogger().log("greeting " + in.get("name"));
                    System.out.println("stdout line");
                    if ("boom".equals(in.get("name"))) throw new IllegalStateException("no greeting for boom");
                    return Map.of("greeting", "Hello " + in.get("name"), "requestId", ctx.getAwsRequestId(),
                            "arn", ctx.getInvokedFunctionArn(), "function", ctx.getFunctionName(), "version", ctx.getFunctionVersion(),
                            "memory", ctx.getMemoryLimitInMB(), "remainingPositive", ctx.getRemainingTimeInMillis() > 0,
                            "calls", calls, "loader", Greeter.class.getClassLoader().getName());
                }
            }
            """;
    static final String STREAMS = """
            package sample;
            import com.amazonaws.services.lambda.runtime.Context;
            import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
            import java.io.*;
            public class Upper implements RequestStreamHandler {
                public void handleRequest(InputStream in, OutputStream out, Context ctx) throws IOException {
                    out.write(new String(in.readAllBytes()).toUpperCase().getBytes());
                }
            }
            """;
    static final String PLAIN = """
            package sample;
            public class Plain {
                public static String echo(String s) { return "echo:" + s; }
                public int length(java.util.List<String> words) { return words.size(); }
            }
            """;

    @BeforeAll
    void setUp() {
        lambda = Samples.client(account);
        byte[] jar = Samples.java(Map.of("sample/Greeter.java", GREETER, "sample/Upper.java", STREAMS, "sample/Plain.java", PLAIN));
        Samples.create(lambda, account, "greeter", "java21", "sample.Greeter::handleRequest", jar, null);
        Samples.create(lambda, account, "greeter2", "java21", "sample.Greeter", jar, null);
        Samples.create(lambda, account, "upper", "java17", "sample.Upper", jar, null);
        Samples.create(lambda, account, "echo", "java25", "sample.Plain::echo", jar, null);
        Samples.create(lambda, account, "length", "java21", "sample.Plain::length", jar, null);
        Samples.create(lambda, account, "missing", "java21", "sample.DoesNotExist::handleRequest", jar, null);
    }

    @AfterAll
    void tearDown() {
        lambda.close();
    }

    private JsonNode invoke(String name, String payload) throws Exception {
        InvokeResponse r = lambda.invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String(payload)));
        assertEquals(200, r.statusCode());
        assertNull(r.functionError(), () -> r.payload().asUtf8String());
        return JSON.readTree(r.payload().asByteArray());
    }

    @Test
    void requestHandlerGetsItsTypedInputAndAContext() throws Exception {
        JsonNode out = invoke("greeter", "{\"name\":\"Ada\"}");
        assertEquals("Hello Ada", out.get("greeting").asText());
        assertEquals("arn:aws:lambda:us-east-1:" + account + ":function:greeter", out.get("arn").asText());
        assertEquals("greeter", out.get("function").asText());
        assertEquals("$LATEST", out.get("version").asText());
        assertEquals(128, out.get("memory").asInt());
        assertTrue(out.get("remainingPositive").asBoolean());
        assertEquals(36, out.get("requestId").asText().length());
        assertEquals("lambda:greeter", out.get("loader").asText());
    }

    @Test
    void theEnvironmentStaysWarmAndFunctionsAreIsolated() throws Exception {
        int first = invoke("greeter", "{\"name\":\"a\"}").get("calls").asInt();
        int second = invoke("greeter", "{\"name\":\"b\"}").get("calls").asInt();
        assertEquals(first + 1, second, "static state survives in a warm environment");
        // the same class in another function has its own class loader and statics
        assertEquals(1, invoke("greeter2", "{\"name\":\"c\"}").get("calls").asInt());
    }

    @Test
    void streamAndPlainMethodHandlers() throws Exception {
        InvokeResponse r = lambda.invoke(b -> b.functionName("upper").payload(SdkBytes.fromUtf8String("\"abc\"")));
        assertEquals("\"ABC\"", r.payload().asUtf8String());
        assertEquals("echo:hi", invoke("echo", "\"hi\"").asText());
        assertEquals(3, invoke("length", "[\"a\",\"b\",\"c\"]").asInt());
    }

    @Test
    void aThrownExceptionIsAnUnhandledFunctionError() throws Exception {
        InvokeResponse r = lambda.invoke(b -> b.functionName("greeter").payload(SdkBytes.fromUtf8String("{\"name\":\"boom\"}")));
        assertEquals(200, r.statusCode());
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertEquals("no greeting for boom", err.get("errorMessage").asText());
        assertEquals("java.lang.IllegalStateException", err.get("errorType").asText());
        assertTrue(err.get("stackTrace").get(0).asText().startsWith("sample.Greeter.handleRequest(Greeter.java:"), err.toString());
    }

    @Test
    void aMissingHandlerClassIsReportedOnInvoke() throws Exception {
        InvokeResponse r = lambda.invoke(b -> b.functionName("missing").payload(SdkBytes.fromUtf8String("{}")));
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertEquals("java.lang.ClassNotFoundException", err.get("errorType").asText());
        assertEquals("sample.DoesNotExist", err.get("errorMessage").asText());
    }

    @Test
    void tailLogHasStartEndReportAndTheFunctionsOutput() {
        String name = "greeter";
        InvokeResponse r = lambda.invoke(b -> b.functionName(name).logType(LogType.TAIL).payload(SdkBytes.fromUtf8String("{\"name\":\"Log\"}")));
        String log = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        assertTrue(log.startsWith("START RequestId: "), log);
        assertTrue(log.contains(" Version: $LATEST\n"), log);
        assertTrue(log.contains("greeting Log\n"), log);
        assertTrue(log.contains("stdout line\n"), log);
        assertTrue(log.contains("\nEND RequestId: "), log);
        assertTrue(log.matches("(?s).*REPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\tBilled Duration: \\d+ ms\tMemory Size: 128 MB\tMax Memory Used: \\d+ MB\t\n$"), log);
        assertFalse(log.contains("Init Duration"), "a warm invocation has no init duration: " + log);
    }

    @Test
    void aColdStartReportsInitDuration() {
        byte[] jar = Samples.java(Map.of("sample/Upper.java", STREAMS));
        Samples.create(lambda, account, "cold", "java21", "sample.Upper", jar, null);
        InvokeResponse r = lambda.invoke(b -> b.functionName("cold").logType(LogType.TAIL).payload(SdkBytes.fromUtf8String("\"x\"")));
        String log = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        assertTrue(log.matches("(?s).*REPORT RequestId: .*\tInit Duration: [0-9.]+ ms\t\n$"), log);
    }
}
