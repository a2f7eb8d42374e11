package dev.oboro.tests.stepfunctions;

import dev.oboro.tests.support.Oboro;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Step Functions test helpers: clients with long timeouts (sync executions and long polls), roles, awaits. */
final class Sfn {
    private Sfn() {
    }

    static SfnClient client(String account) {
        software.amazon.awssdk.services.sfn.SfnClientBuilder b = SfnClient.builder().overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(90))
                .apiCallAttemptTimeout(Duration.ofSeconds(90)).retryStrategy(r -> r.maxAttempts(1))
                // StartSyncExecution and TestState go to "sync-<host>" unless host prefixes are off
                .putAdvancedOption(software.amazon.awssdk.core.client.config.SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true));
        b.httpClientBuilder(software.amazon.awssdk.http.apache.ApacheHttpClient.builder()
                .socketTimeout(Duration.ofSeconds(90)));
        b.endpointOverride(Oboro.endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(Oboro.credentials(account));
        return b.build();
    }

    static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"states.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    private static final java.util.Set<String> ROLES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The execution role of the account's state machines: an IAM role Step Functions may assume (created once). */
    static String role(String account) {
        if (ROLES.add(account)) {
            try (var iam = Oboro.client(software.amazon.awssdk.services.iam.IamClient.builder(), account)) {
                iam.createRole(r -> r.roleName("StepFunctionsRole").assumeRolePolicyDocument(TRUST));
            } catch (software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException e) {
                // made by another test of the account
            }
        }
        return "arn:aws:iam::" + account + ":role/StepFunctionsRole";
    }

    static String create(SfnClient sfn, String account, String name, String definition) {
        return sfn.createStateMachine(r -> r.name(name).roleArn(role(account)).definition(definition)).stateMachineArn();
    }

    static String createExpress(SfnClient sfn, String account, String name, String definition) {
        return sfn.createStateMachine(r -> r.name(name).roleArn(role(account)).definition(definition).type("EXPRESS")).stateMachineArn();
    }

    /** Waits (bounded, polling) for a condition that becomes true on another thread. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.onSpinWait();
            try {
                Thread.sleep(10); // polling a condition with a bound, not waiting for behaviour
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static DescribeExecutionResponse awaitDone(SfnClient sfn, String executionArn) {
        DescribeExecutionResponse[] last = new DescribeExecutionResponse[1];
        await("execution " + executionArn + " to finish", () -> {
            last[0] = sfn.describeExecution(r -> r.executionArn(executionArn));
            return last[0].status() != ExecutionStatus.RUNNING;
        });
        return last[0];
    }

    static List<HistoryEvent> history(SfnClient sfn, String executionArn) {
        List<HistoryEvent> out = new ArrayList<>();
        sfn.getExecutionHistoryPaginator(r -> r.executionArn(executionArn)).events().forEach(out::add);
        return out;
    }

    static List<String> types(List<HistoryEvent> events) {
        return events.stream().map(HistoryEvent::typeAsString).toList();
    }
}
