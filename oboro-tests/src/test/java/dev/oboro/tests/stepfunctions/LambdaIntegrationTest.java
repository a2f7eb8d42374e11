package dev.oboro.tests.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Task states that run Lambda functions: the optimised lambda:invoke integration and a plain function ARN. */
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
class LambdaIntegrationTest {
    final String account = Oboro.newAccount();
    final ObjectMapper json = new ObjectMapper();

    @Test
    void taskStatesInvokeRealFunctions() throws Exception {
        String fn = pythonFunction(account, "doubler", "def handler(event, context):\n    return {'n': event['n'] * 2}\n");
        String failing = pythonFunction(account, "failer", "def handler(event, context):\n    raise ValueError('no good')\n");
        String definition = """
                {"StartAt":"Invoke","States":{
                  "Invoke":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                            "Parameters":{"FunctionName":"%s","Payload.$":"$"},
                            "ResultSelector":{"n.$":"$.Payload.n","status.$":"$.StatusCode"},"Next":"Plain"},
                  "Plain":{"Type":"Task","Resource":"%s","Next":"Fails"},
                  "Fails":{"Type":"Task","Resource":"%s",
                           "Catch":[{"ErrorEquals":["ValueError"],"ResultPath":"$.error","Next":"Done"}],"End":true},
                  "Done":{"Type":"Pass","End":true}}}""".formatted(fn, fn, failing);
        try (SfnClient sfn = Sfn.client(account)) {
            String machine = Sfn.create(sfn, account, "with-lambda", definition);
            String exec = sfn.startExecution(r -> r.stateMachineArn(machine).input("{\"n\":5}")).executionArn();
            Sfn.await("execution", () -> sfn.describeExecution(r -> r.executionArn(exec)).status() != ExecutionStatus.RUNNING);
            DescribeExecutionResponse d = sfn.describeExecution(r -> r.executionArn(exec));
            assertEquals(ExecutionStatus.SUCCEEDED, d.status(), d.error() + " " + d.cause());
            JsonNode out = json.readTree(d.output());
            assertEquals(20, out.get("n").asInt(), d.output()); // 5 → 10 (lambda:invoke) → 20 (plain ARN)
            assertEquals("ValueError", out.get("error").get("Error").asText(), d.output());
            assertTrue(out.get("error").get("Cause").asText().contains("no good"), d.output());
            var types = sfn.getExecutionHistory(r -> r.executionArn(exec)).events().stream().map(e -> e.type()).toList();
            assertTrue(types.contains(HistoryEventType.TASK_SUCCEEDED), types.toString());
            assertTrue(types.contains(HistoryEventType.LAMBDA_FUNCTION_SUCCEEDED), types.toString());
            assertTrue(types.contains(HistoryEventType.LAMBDA_FUNCTION_FAILED), types.toString());
        }
    }

    /** A Python function of the account (and its role), Active when returned. */
    static String pythonFunction(String account, String name, String code) throws Exception {
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
        try (IamClient iam = Oboro.client(IamClient.builder(), account)) {
            if (iam.listRoles().roles().stream().noneMatch(r -> r.roleName().equals("fn-role"))) {
                iam.createRole(r -> r.roleName("fn-role").assumeRolePolicyDocument(trust));
            }
        }
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("app.py"));
            z.write(code.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        try (LambdaClient lambda = Oboro.client(LambdaClient.builder(), account)) {
            String arn = lambda.createFunction(b -> b.functionName(name).runtime("python3.12").handler("app.handler")
                    .role("arn:aws:iam::" + account + ":role/fn-role").timeout(60)
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(zip.toByteArray())))).functionArn();
            lambda.waiter().waitUntilFunctionActiveV2(software.amazon.awssdk.services.lambda.model.GetFunctionRequest.builder().functionName(name).build(), WaiterOverrideConfiguration.builder()
                    .backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(50))).maxAttempts(400).build());
            return arn;
        }
    }
}
