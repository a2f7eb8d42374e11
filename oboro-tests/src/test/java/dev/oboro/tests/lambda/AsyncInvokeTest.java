package dev.oboro.tests.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asynchronous invocation: a failing event is retried after one minute and after two more (on
 * Oboro's clock), then its invocation record goes to the on-failure destination (here another
 * function).
 */
@ResourceLock(Oboro.CLOCK)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsyncInvokeTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);

    @AfterAll
    void tearDown() {
        lambda.close();
    }

    /** Each function appends one line per invocation to a file, so the test can see attempts as they happen. */
    static byte[] recorder(boolean fail) {
        return Samples.python("""
                import json, os
                def handler(event, context):
                    with open(os.environ["OUT"], "a") as f:
                        f.write(json.dumps({"requestId": context.aws_request_id, "event": event}) + "\\n")
                    if %s:
                        raise RuntimeError("attempt failed")
                    return "ok"
                """.formatted(fail ? "True" : "False"));
    }

    static List<String> lines(Path p) throws Exception {
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }

    static void awaitLines(Path p, int n) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lines(p).size() < n && System.nanoTime() < until) new CountDownLatch(1).await(20, TimeUnit.MILLISECONDS);
        assertEquals(n, lines(p).size(), "lines in " + p);
    }

    /** Advances the clock 5 s at a time (letting each due attempt run) until the file has n lines; returns the seconds advanced. */
    static long advanceUntil(Path p, int n) throws Exception {
        long advanced = 0;
        while (lines(p).size() < n && advanced < 600) {
            Oboro.advance(Duration.ofSeconds(5));
            advanced += 5;
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (lines(p).size() < n && System.nanoTime() < until) new CountDownLatch(1).await(10, TimeUnit.MILLISECONDS);
        }
        awaitLines(p, n);
        return advanced;
    }

    @Test
    void aFailingEventIsRetriedTwiceThenLandsInItsOnFailureDestination() throws Exception {
        Path dir = Files.createTempDirectory("async");
        Path attempts = dir.resolve("attempts");
        Path failures = dir.resolve("failures");
        Samples.create(lambda, account, "dlq-target", "python3.12", "app.handler", recorder(false),
                b -> b.environment(e -> e.variables(Map.of("OUT", failures.toString()))));
        Samples.create(lambda, account, "flaky", "python3.12", "app.handler", recorder(true),
                b -> b.environment(e -> e.variables(Map.of("OUT", attempts.toString()))));
        String dest = "arn:aws:lambda:us-east-1:" + account + ":function:dlq-target";
        lambda.putFunctionEventInvokeConfig(b -> b.functionName("flaky").destinationConfig(d -> d.onFailure(f -> f.destination(dest))));
        assertEquals(dest, lambda.getFunctionEventInvokeConfig(b -> b.functionName("flaky")).destinationConfig().onFailure().destination());

        assertEquals(202, lambda.invoke(b -> b.functionName("flaky").invocationType("Event").payload(SdkBytes.fromUtf8String("{\"order\": 7}"))).statusCode());
        awaitLines(attempts, 1);
        // The clock moves in 5 s steps while attempts run on their own threads: allow one step either way.
        long first = advanceUntil(attempts, 2);
        assertTrue(first >= 55 && first <= 70, "the first retry comes a minute later: after " + first + " s");
        long second = advanceUntil(attempts, 3);
        assertTrue(second >= 115 && second <= 130, "the second retry two minutes after that: after " + second + " s");
        awaitLines(failures, 1);
        // every attempt carries the same request id
        List<String> ids = lines(attempts).stream().map(l -> {
            try {
                return JSON.readTree(l).get("requestId").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).distinct().toList();
        assertEquals(1, ids.size());
        JsonNode record = JSON.readTree(lines(failures).get(0)).get("event");
        assertEquals("1.0", record.get("version").asText());
        assertEquals("RetriesExhausted", record.get("requestContext").get("condition").asText());
        assertEquals(3, record.get("requestContext").get("approximateInvokeCount").asInt());
        assertEquals(ids.get(0), record.get("requestContext").get("requestId").asText());
        assertEquals("arn:aws:lambda:us-east-1:" + account + ":function:flaky:$LATEST", record.get("requestContext").get("functionArn").asText());
        assertEquals(7, record.get("requestPayload").get("order").asInt());
        assertEquals("Unhandled", record.get("responseContext").get("functionError").asText());
        assertEquals("attempt failed", record.get("responsePayload").get("errorMessage").asText());
        assertEquals("RuntimeError", record.get("responsePayload").get("errorType").asText());
    }

    @Test
    void maximumRetryAttemptsZeroGivesUpAtOnce() throws Exception {
        Path dir = Files.createTempDirectory("async0");
        Path attempts = dir.resolve("attempts");
        Path failures = dir.resolve("failures");
        Samples.create(lambda, account, "dest0", "python3.12", "app.handler", recorder(false),
                b -> b.environment(e -> e.variables(Map.of("OUT", failures.toString()))));
        Samples.create(lambda, account, "once", "python3.12", "app.handler", recorder(true),
                b -> b.environment(e -> e.variables(Map.of("OUT", attempts.toString()))));
        lambda.putFunctionEventInvokeConfig(b -> b.functionName("once").maximumRetryAttempts(0)
                .destinationConfig(d -> d.onFailure(f -> f.destination("arn:aws:lambda:us-east-1:" + account + ":function:dest0"))));
        lambda.invoke(b -> b.functionName("once").invocationType("Event").payload(SdkBytes.fromUtf8String("{}")));
        awaitLines(failures, 1);
        assertEquals(1, lines(attempts).size());
        assertEquals(1, lambda.listFunctionEventInvokeConfigs(b -> b.functionName("once")).functionEventInvokeConfigs().size());
        lambda.deleteFunctionEventInvokeConfig(b -> b.functionName("once"));
        ResourceNotFoundException none = assertThrows(ResourceNotFoundException.class,
                () -> lambda.getFunctionEventInvokeConfig(b -> b.functionName("once")));
        assertTrue(none.awsErrorDetails().errorMessage().endsWith("function:once:$LATEST doesn't have an EventInvokeConfig"), none.getMessage());
    }
}
