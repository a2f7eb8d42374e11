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
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.PublishLayerVersionResponse;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Python functions run as child processes speaking the Lambda Runtime API through Oboro's bootstrap. */
// Warm environments are time-driven state: a clock advance past their idle limit would reap them mid-test.
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// warm environments are part of what these tests check: no other class may advance the clock past the idle reaper meanwhile
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
class PythonRuntimeTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);

    @AfterAll
    void tearDown() {
        lambda.close();
    }

    private InvokeResponse invoke(String name, String payload) {
        return lambda.invoke(b -> b.functionName(name).logType(LogType.TAIL).payload(SdkBytes.fromUtf8String(payload)));
    }

    private static String log(InvokeResponse r) {
        return new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    }

    @Test
    void handlerSeesEventContextAndTheStandardEnvironment() throws Exception {
        Samples.create(lambda, account, "py-env", "python3.12", "app.handler", Samples.python("""
                import os
                def handler(event, context):
                    print("hello from python")
                    keys = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION", "_HANDLER", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
                            "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
                            "GREETING", "AWS_LAMBDA_FUNCTION_VERSION"]
                    return {"event": event, "env": {k: os.environ.get(k) for k in keys},
                            "requestId": context.aws_request_id, "arn": context.invoked_function_arn,
                            "remaining": context.get_remaining_time_in_millis(), "cwd": os.getcwd()}
                """), b -> b.memorySize(256).timeout(20).environment(e -> e.variables(Map.of("GREETING", "hi"))));
        InvokeResponse r = invoke("py-env", "{\"a\": 1}");
        assertNull(r.functionError(), r.payload().asUtf8String());
        JsonNode out = JSON.readTree(r.payload().asByteArray());
        assertEquals(1, out.get("event").get("a").asInt());
        JsonNode env = out.get("env");
        assertEquals("py-env", env.get("AWS_LAMBDA_FUNCTION_NAME").asText());
        assertEquals("us-east-1", env.get("AWS_REGION").asText());
        assertEquals("app.handler", env.get("_HANDLER").asText());
        assertTrue(env.get("AWS_LAMBDA_RUNTIME_API").asText().startsWith("127.0.0.1:"));
        assertEquals(Oboro.endpoint().toString(), env.get("AWS_ENDPOINT_URL").asText());
        // a session of the execution role (RoleCredentialsTest checks whose)
        assertTrue(env.get("AWS_ACCESS_KEY_ID").asText().startsWith("ASIA"), env.get("AWS_ACCESS_KEY_ID").asText());
        assertEquals("256", env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").asText());
        assertEquals("/aws/lambda/py-env", env.get("AWS_LAMBDA_LOG_GROUP_NAME").asText());
        assertEquals("$LATEST", env.get("AWS_LAMBDA_FUNCTION_VERSION").asText());
        assertEquals("hi", env.get("GREETING").asText());
        assertEquals(env.get("LAMBDA_TASK_ROOT").asText(), out.get("cwd").asText());
        assertTrue(out.get("remaining").asInt() > 10000 && out.get("remaining").asInt() <= 20000, out.toString());
        assertEquals("arn:aws:lambda:us-east-1:" + account + ":function:py-env", out.get("arn").asText());
        String log = log(r);
        assertTrue(log.contains("hello from python\n"), log);
        assertTrue(log.contains("Memory Size: 256 MB"), log);
        assertTrue(log.contains("\tInit Duration: "), "first invocation is a cold start: " + log);
        String warm = log(invoke("py-env", "{}"));
        assertTrue(!warm.contains("Init Duration"), "second invocation reuses the warm environment: " + warm);
    }

    @Test
    void anExceptionIsAnUnhandledErrorWithPythonsErrorDocument() throws Exception {
        Samples.create(lambda, account, "py-error", "python3.12", "app.handler", Samples.python("""
                def handler(event, context):
                    raise ValueError("bad value " + str(event["n"]))
                """), null);
        InvokeResponse r = invoke("py-error", "{\"n\": 7}");
        assertEquals(200, r.statusCode());
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertEquals("bad value 7", err.get("errorMessage").asText());
        assertEquals("ValueError", err.get("errorType").asText());
        assertTrue(err.get("stackTrace").get(0).asText().contains("app.py"), err.toString());
        assertTrue(log(r).contains("[ERROR] ValueError: bad value 7"), log(r));
        // the environment survives a handled-by-runtime error
        assertEquals("Unhandled", invoke("py-error", "{\"n\": 8}").functionError());
    }

    @Test
    void aMissingModuleIsAnImportModuleError() throws Exception {
        Samples.create(lambda, account, "py-nomodule", "python3.12", "nothere.handler", Samples.python("x = 1\n"), null);
        InvokeResponse r = invoke("py-nomodule", "{}");
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertEquals("Runtime.ImportModuleError", err.get("errorType").asText());
        assertEquals("Unable to import module 'nothere': No module named 'nothere'", err.get("errorMessage").asText());
    }

    @Test
    void aLayersModuleIsImportableFromOpt() throws Exception {
        byte[] layerZip = Samples.zip(Map.of("python/greetings.py", "def greet(n):\n    return 'layer says hi to ' + n\n"));
        PublishLayerVersionResponse layer = lambda.publishLayerVersion(b -> b.layerName("greetings")
                .content(c -> c.zipFile(SdkBytes.fromByteArray(layerZip))).compatibleRuntimesWithStrings("python3.12"));
        // a second layer: both are on the path, in the order the function lists them
        byte[] override = Samples.zip(Map.of("python/shout.py", "def shout(s):\n    return s.upper()\n"));
        PublishLayerVersionResponse layer2 = lambda.publishLayerVersion(b -> b.layerName("shout")
                .content(c -> c.zipFile(SdkBytes.fromByteArray(override))));
        Samples.create(lambda, account, "py-layer", "python3.12", "app.handler", Samples.python("""
                import greetings, shout
                def handler(event, context):
                    return shout.shout(greetings.greet(event["name"]))
                """), b -> b.layers(layer.layerVersionArn(), layer2.layerVersionArn()));
        InvokeResponse r = invoke("py-layer", "{\"name\": \"ada\"}");
        assertNull(r.functionError(), r.payload().asUtf8String());
        assertEquals("\"LAYER SAYS HI TO ADA\"", r.payload().asUtf8String());
    }

    @Test
    void aFunctionThatRunsPastItsTimeoutIsStopped() throws Exception {
        Samples.create(lambda, account, "py-slow", "python3.12", "app.handler", Samples.python("""
                import time
                def handler(event, context):
                    print("going to sleep")
                    time.sleep(30)
                    return "woke up"
                """), b -> b.timeout(1));
        long t0 = System.nanoTime();
        InvokeResponse r = invoke("py-slow", "{}");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 25_000, "the caller gets an answer at the timeout, not after 30 s: " + ms + " ms");
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertEquals("Sandbox.Timedout", err.get("errorType").asText());
        assertTrue(err.get("errorMessage").asText().endsWith("Task timed out after 1.00 seconds"), err.toString());
        String log = log(r);
        assertTrue(log.contains("going to sleep"), log);
        assertTrue(log.contains("Task timed out after 1.00 seconds"), log);
        // the next invocation gets a fresh environment (cold start)
        InvokeResponse again = invoke("py-slow", "{}");
        assertTrue(log(again).contains("Init Duration"), log(again));
    }

    @Test
    void dryRunAndEventInvocationTypes() {
        Samples.create(lambda, account, "py-types", "python3.12", "app.handler", Samples.python("def handler(e, c):\n    return 1\n"), null);
        assertEquals(204, lambda.invoke(b -> b.functionName("py-types").invocationType("DryRun")).statusCode());
        assertEquals(202, lambda.invoke(b -> b.functionName("py-types").invocationType("Event").payload(SdkBytes.fromUtf8String("{}"))).statusCode());
    }
}
