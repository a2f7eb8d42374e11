package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reserved concurrency: the limit is enforced on invocations in flight; beyond it, TooManyRequestsException. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrencyTest {
    final String account = Oboro.newAccount();
    // no SDK retries: the test looks at the throttle itself
    final LambdaClient lambda = Oboro.client(LambdaClient.builder().overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none())), account);

    @AfterAll
    void tearDown() {
        lambda.close();
    }

    @Test
    void putGetDeleteReservedConcurrency() {
        Samples.create(lambda, account, "rc", "python3.12", "app.handler", Samples.python("def handler(e, c):\n    return 1\n"), null);
        assertEquals(5, lambda.putFunctionConcurrency(b -> b.functionName("rc").reservedConcurrentExecutions(5)).reservedConcurrentExecutions());
        assertEquals(5, lambda.getFunctionConcurrency(b -> b.functionName("rc")).reservedConcurrentExecutions());
        assertEquals(5, lambda.getFunction(b -> b.functionName("rc")).concurrency().reservedConcurrentExecutions());
        assertEquals(995, lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions());
        InvalidParameterValueException tooMuch = assertThrows(InvalidParameterValueException.class,
                () -> lambda.putFunctionConcurrency(b -> b.functionName("rc").reservedConcurrentExecutions(901)));
        assertEquals("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
                tooMuch.awsErrorDetails().errorMessage());
        lambda.deleteFunctionConcurrency(b -> b.functionName("rc"));
        assertNull(lambda.getFunctionConcurrency(b -> b.functionName("rc")).reservedConcurrentExecutions());
        assertEquals(1000, lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions());
    }

    @Test
    void reservedConcurrencyZeroThrottlesEverything() {
        Samples.create(lambda, account, "off", "python3.12", "app.handler", Samples.python("def handler(e, c):\n    return 1\n"), null);
        lambda.putFunctionConcurrency(b -> b.functionName("off").reservedConcurrentExecutions(0));
        TooManyRequestsException t = assertThrows(TooManyRequestsException.class, () -> lambda.invoke(b -> b.functionName("off")));
        assertEquals(429, t.statusCode());
        assertEquals("Rate Exceeded.", t.awsErrorDetails().errorMessage());
        assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", t.reasonAsString());
    }

    @Test
    void atReservedConcurrencyOneASecondConcurrentInvocationIsThrottled() throws Exception {
        // The function waits until a file appears, so the test controls how long the first invocation is in flight.
        Samples.create(lambda, account, "one", "python3.12", "app.handler", Samples.python("""
                import os, time
                def handler(event, context):
                    open(event["started"], "w").close()
                    while not os.path.exists(event["release"]):
                        time.sleep(0.01)
                    return "done"
                """), b -> b.timeout(30));
        lambda.putFunctionConcurrency(b -> b.functionName("one").reservedConcurrentExecutions(1));
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("throttle");
        String payload = "{\"started\":\"" + dir.resolve("started") + "\",\"release\":\"" + dir.resolve("release") + "\"}";
        CompletableFuture<InvokeResponse> first = CompletableFuture.supplyAsync(() -> lambda.invoke(b -> b.functionName("one")
                .payload(SdkBytes.fromUtf8String(payload))));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!java.nio.file.Files.exists(dir.resolve("started")) && System.nanoTime() < until) {
            new CountDownLatch(1).await(10, TimeUnit.MILLISECONDS);
        }
        assertTrue(java.nio.file.Files.exists(dir.resolve("started")), "the first invocation started");
        TooManyRequestsException t = assertThrows(TooManyRequestsException.class,
                () -> lambda.invoke(b -> b.functionName("one").payload(SdkBytes.fromUtf8String(payload))));
        assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", t.reasonAsString());
        java.nio.file.Files.createFile(dir.resolve("release"));
        assertEquals("\"done\"", first.get(30, TimeUnit.SECONDS).payload().asUtf8String());
        // capacity is back once the first invocation is done
        assertEquals("\"done\"", lambda.invoke(b -> b.functionName("one").payload(SdkBytes.fromUtf8String(payload))).payload().asUtf8String());
    }
}
