package dev.oboro.tests.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Node.js through Oboro's bootstrap, and custom runtimes through the function's own bootstrap (a shell script with curl). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessRuntimesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);

    static final String BASH_BOOTSTRAP = """
            #!/bin/sh
            set -eu
            cd "$LAMBDA_TASK_ROOT"
            while true; do
              HEADERS="$(mktemp)"
              EVENT=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
              REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              echo "handling $REQUEST_ID with $_HANDLER"
              if [ "$EVENT" = '"fail"' ]; then
                curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/error" \\
                  -H 'Lambda-Runtime-Function-Error-Type: Custom.Failure' -d '{"errorMessage":"asked to fail","errorType":"Custom.Failure"}' > /dev/null
              else
                curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" \\
                  -d "{\\"echo\\": $EVENT, \\"fn\\": \\"$AWS_LAMBDA_FUNCTION_NAME\\"}" > /dev/null
              fi
              rm -f "$HEADERS"
            done
            """;

    @AfterAll
    void tearDown() {
        lambda.close();
    }

    private static String log(InvokeResponse r) {
        return new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    }

    @Test
    void providedRuntimeRunsTheZipsOwnShellBootstrap() throws Exception {
        Samples.create(lambda, account, "sh-fn", "provided.al2023", "function.handler",
                Samples.zip(Map.of("bootstrap", BASH_BOOTSTRAP)), null);
        InvokeResponse r = lambda.invoke(b -> b.functionName("sh-fn").logType(LogType.TAIL).payload(SdkBytes.fromUtf8String("{\"x\": 42}")));
        assertNull(r.functionError(), r.payload().asUtf8String());
        JsonNode out = JSON.readTree(r.payload().asByteArray());
        assertEquals(42, out.get("echo").get("x").asInt());
        assertEquals("sh-fn", out.get("fn").asText());
        assertTrue(log(r).contains("with function.handler"), log(r));

        InvokeResponse failed = lambda.invoke(b -> b.functionName("sh-fn").payload(SdkBytes.fromUtf8String("\"fail\"")));
        assertEquals("Unhandled", failed.functionError());
        assertEquals("asked to fail", JSON.readTree(failed.payload().asByteArray()).get("errorMessage").asText());
        // and it keeps serving in the same environment
        assertEquals(1, JSON.readTree(lambda.invoke(b -> b.functionName("sh-fn").payload(SdkBytes.fromUtf8String("1"))).payload().asByteArray()).get("echo").asInt());
    }

    @Test
    void providedRuntimeWithoutBootstrapIsAnInvalidEntrypoint() throws Exception {
        Samples.create(lambda, account, "sh-none", "provided.al2", "x", Samples.zip(Map.of("README", "no bootstrap")), null);
        InvokeResponse r = lambda.invoke(b -> b.functionName("sh-none").payload(SdkBytes.fromUtf8String("{}")));
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertEquals("Runtime.InvalidEntrypoint", err.get("errorType").asText());
        assertTrue(err.get("errorMessage").asText().contains("Couldn't find valid bootstrap(s)"), err.toString());
    }

    @Test
    void aBootstrapThatExitsIsARuntimeExitError() throws Exception {
        Samples.create(lambda, account, "sh-exit", "provided.al2023", "x", Samples.zip(Map.of("bootstrap", "#!/bin/sh\necho dying\nexit 3\n")), null);
        InvokeResponse r = lambda.invoke(b -> b.functionName("sh-exit").logType(LogType.TAIL).payload(SdkBytes.fromUtf8String("{}")));
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertEquals("Runtime.ExitError", err.get("errorType").asText());
        assertTrue(err.get("errorMessage").asText().endsWith("Error: Runtime exited with error: exit status 3"), err.toString());
        assertTrue(log(r).contains("dying"), log(r));
    }

    @Test
    void nodeHandlersAsyncAndCallbackStyle() throws Exception {
        Assumptions.assumeTrue(Samples.hasNode(), "node is not installed");
        Samples.create(lambda, account, "node-fn", "nodejs20.x", "index.handler", Samples.zip(Map.of("index.js", """
                exports.handler = async (event, context) => {
                  console.log('node got', JSON.stringify(event));
                  if (event.fail) throw new TypeError('node failure');
                  return { sum: event.a + event.b, fn: context.functionName, left: context.getRemainingTimeInMillis() > 0 };
                };
                """)), null);
        InvokeResponse r = lambda.invoke(b -> b.functionName("node-fn").logType(LogType.TAIL).payload(SdkBytes.fromUtf8String("{\"a\":2,\"b\":3}")));
        assertNull(r.functionError(), r.payload().asUtf8String());
        JsonNode out = JSON.readTree(r.payload().asByteArray());
        assertEquals(5, out.get("sum").asInt());
        assertEquals("node-fn", out.get("fn").asText());
        assertTrue(out.get("left").asBoolean());
        assertTrue(log(r).matches("(?s).*\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\t[0-9a-f-]{36}\tINFO\tnode got \\{\"a\":2,\"b\":3}\n.*"), log(r));

        InvokeResponse failed = lambda.invoke(b -> b.functionName("node-fn").payload(SdkBytes.fromUtf8String("{\"fail\":true}")));
        assertEquals("Unhandled", failed.functionError());
        JsonNode err = JSON.readTree(failed.payload().asByteArray());
        assertEquals("TypeError", err.get("errorType").asText());
        assertEquals("node failure", err.get("errorMessage").asText());
        assertTrue(err.get("trace").get(0).asText().startsWith("TypeError: node failure"), err.toString());

        Samples.create(lambda, account, "node-cb", "nodejs22.x", "lib/main.run", Samples.zip(Map.of("lib/main.mjs", """
                export const run = (event, context, callback) => { callback(null, 'called back ' + event); };
                """)), null);
        assertEquals("\"called back 7\"", lambda.invoke(b -> b.functionName("node-cb").payload(SdkBytes.fromUtf8String("7"))).payload().asUtf8String());
    }

    @Test
    void nodeInitErrorGoesThroughInitError() throws Exception {
        Assumptions.assumeTrue(Samples.hasNode(), "node is not installed");
        Samples.create(lambda, account, "node-missing", "nodejs20.x", "nothere.handler", Samples.zip(Map.of("index.js", "")), null);
        InvokeResponse r = lambda.invoke(b -> b.functionName("node-missing").payload(SdkBytes.fromUtf8String("{}")));
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertEquals("Runtime.ImportModuleError", err.get("errorType").asText());
        assertTrue(err.get("errorMessage").asText().startsWith("Cannot find module 'nothere'"), err.toString());
    }
}
