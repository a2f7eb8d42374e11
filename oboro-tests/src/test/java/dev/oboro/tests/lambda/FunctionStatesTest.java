package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A new function is Pending and an update InProgress until Oboro's clock moves past them. */
@ResourceLock(Oboro.CLOCK)
class FunctionStatesTest {
    final String account = Oboro.newAccount();

    @Test
    void pendingThenActiveAndInProgressThenSuccessful() {
        try (LambdaClient lambda = Samples.client(account)) {
            byte[] code = Samples.python("def handler(e, c):\n    return 1\n");
            var created = lambda.createFunction(b -> b.functionName("states").runtime("python3.12").handler("app.handler")
                    .role(Samples.role(account)).code(c -> c.zipFile(SdkBytes.fromByteArray(code))));
            assertEquals("Pending", created.stateAsString());
            assertEquals("InProgress", created.lastUpdateStatusAsString());
            Oboro.advance(Duration.ofSeconds(1));
            var active = lambda.getFunctionConfiguration(b -> b.functionName("states"));
            assertEquals("Active", active.stateAsString());
            assertEquals("Successful", active.lastUpdateStatusAsString());
            var updated = lambda.updateFunctionConfiguration(b -> b.functionName("states").memorySize(256));
            assertEquals("Active", updated.stateAsString());
            assertEquals("InProgress", updated.lastUpdateStatusAsString());
            Oboro.advance(Duration.ofSeconds(1));
            assertEquals("Successful", lambda.getFunctionConfiguration(b -> b.functionName("states")).lastUpdateStatusAsString());
        }
    }
}
