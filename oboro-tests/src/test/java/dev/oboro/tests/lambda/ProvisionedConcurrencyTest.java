package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigListItem;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigNotFoundException;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;
import software.amazon.awssdk.services.lambda.model.PutProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Provisioned concurrency: configs on versions and aliases, IN_PROGRESS → READY on the clock with environments really started. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ResourceLock(Oboro.CLOCK)
class ProvisionedConcurrencyTest {
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);
    static final String CODE = "import os\nstarted = os.getpid()\ndef handler(e, c):\n    return {'pid': started, 'init': os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']}\n";

    @AfterAll
    void tearDown() {
        Samples.deleteAll(lambda);
        lambda.close();
    }

    private GetProvisionedConcurrencyConfigResponse awaitReady(String function, String qualifier) throws InterruptedException {
        return ObservabilityTest.await(() -> lambda.getProvisionedConcurrencyConfig(b -> b.functionName(function).qualifier(qualifier)),
                r -> r.status() == ProvisionedConcurrencyStatusEnum.READY);
    }

    private static String log(InvokeResponse r) {
        return new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    }

    @Test
    void aVersionIsReadyOnTheClockAndItsFirstInvocationIsWarm() throws Exception {
        Samples.create(lambda, account, "warm", "python3.12", "app.handler", Samples.python(CODE), b -> b.publish(true));
        PutProvisionedConcurrencyConfigResponse put = lambda.putProvisionedConcurrencyConfig(b -> b.functionName("warm").qualifier("1")
                .provisionedConcurrentExecutions(2));
        assertEquals(ProvisionedConcurrencyStatusEnum.IN_PROGRESS, put.status());
        assertEquals(2, put.requestedProvisionedConcurrentExecutions());
        assertEquals(0, put.allocatedProvisionedConcurrentExecutions());
        Oboro.advance(Duration.ofSeconds(10));
        assertEquals(ProvisionedConcurrencyStatusEnum.IN_PROGRESS,
                lambda.getProvisionedConcurrencyConfig(b -> b.functionName("warm").qualifier("1")).status());
        Oboro.advance(Duration.ofSeconds(20));
        GetProvisionedConcurrencyConfigResponse ready = awaitReady("warm", "1");
        assertEquals(ProvisionedConcurrencyStatusEnum.READY, ready.status());
        assertEquals(2, ready.allocatedProvisionedConcurrentExecutions());
        assertEquals(2, ready.availableProvisionedConcurrentExecutions());

        InvokeResponse first = lambda.invoke(b -> b.functionName("warm").qualifier("1").logType(LogType.TAIL));
        assertFalse(log(first).contains("Init Duration"), "a provisioned environment was started ahead: " + log(first));
        assertTrue(first.payload().asUtf8String().contains("provisioned-concurrency"), first.payload().asUtf8String());
        // $LATEST has no provisioned concurrency: its first invocation is a cold start
        InvokeResponse cold = lambda.invoke(b -> b.functionName("warm").logType(LogType.TAIL));
        assertTrue(log(cold).contains("Init Duration"), log(cold));
        assertTrue(cold.payload().asUtf8String().contains("on-demand"), cold.payload().asUtf8String());

        List<ProvisionedConcurrencyConfigListItem> list = lambda.listProvisionedConcurrencyConfigs(b -> b.functionName("warm"))
                .provisionedConcurrencyConfigs();
        assertEquals(1, list.size());
        assertEquals("arn:aws:lambda:us-east-1:" + account + ":function:warm:1", list.get(0).functionArn());

        try (CloudWatchClient cw = Oboro.client(CloudWatchClient.builder(), account)) {
            Set<String> names = ObservabilityTest.await(() -> cw.listMetrics(b -> b.namespace("AWS/Lambda")).metrics().stream()
                    .filter(m -> m.dimensions().stream().anyMatch(d -> d.value().equals("warm"))).map(Metric::metricName)
                    .collect(Collectors.toSet()), s -> s.containsAll(Set.of("ProvisionedConcurrencyInvocations", "ProvisionedConcurrentExecutions")));
            assertTrue(names.containsAll(Set.of("ProvisionedConcurrencyInvocations", "ProvisionedConcurrentExecutions")), names.toString());
        }

        lambda.deleteProvisionedConcurrencyConfig(b -> b.functionName("warm").qualifier("1"));
        ProvisionedConcurrencyConfigNotFoundException gone = assertThrows(ProvisionedConcurrencyConfigNotFoundException.class,
                () -> lambda.getProvisionedConcurrencyConfig(b -> b.functionName("warm").qualifier("1")));
        assertEquals("No Provisioned Concurrency Config found for this function", gone.awsErrorDetails().errorMessage());
        assertTrue(lambda.listProvisionedConcurrencyConfigs(b -> b.functionName("warm")).provisionedConcurrencyConfigs().isEmpty());
    }

    @Test
    void anAliasIsProvisionedThroughItsVersion() throws Exception {
        Samples.create(lambda, account, "aliased", "python3.12", "app.handler", Samples.python(CODE), b -> b.publish(true));
        lambda.createAlias(b -> b.functionName("aliased").name("live").functionVersion("1"));
        lambda.putProvisionedConcurrencyConfig(b -> b.functionName("aliased").qualifier("live").provisionedConcurrentExecutions(1));
        ResourceConflictException both = assertThrows(ResourceConflictException.class,
                () -> lambda.putProvisionedConcurrencyConfig(b -> b.functionName("aliased").qualifier("1").provisionedConcurrentExecutions(1)));
        assertEquals(409, both.statusCode());
        Oboro.advance(Duration.ofSeconds(30));
        awaitReady("aliased", "live");
        InvokeResponse r = lambda.invoke(b -> b.functionName("aliased").qualifier("live").logType(LogType.TAIL));
        assertFalse(log(r).contains("Init Duration"), log(r));
        assertEquals("1", r.executedVersion());
        // the alias moves to version 2: its provisioned concurrency is allocated there anew
        lambda.updateFunctionConfiguration(b -> b.functionName("aliased").description("v2"));
        Samples.awaitActive(lambda, "aliased");
        lambda.publishVersion(b -> b.functionName("aliased"));
        lambda.updateAlias(b -> b.functionName("aliased").name("live").functionVersion("2"));
        assertEquals(ProvisionedConcurrencyStatusEnum.IN_PROGRESS,
                lambda.getProvisionedConcurrencyConfig(b -> b.functionName("aliased").qualifier("live")).status());
        Oboro.advance(Duration.ofSeconds(30));
        awaitReady("aliased", "live");
        InvokeResponse moved = lambda.invoke(b -> b.functionName("aliased").qualifier("live").logType(LogType.TAIL));
        assertEquals("2", moved.executedVersion());
        assertFalse(log(moved).contains("Init Duration"), log(moved));
        lambda.deleteAlias(b -> b.functionName("aliased").name("live"));
        assertTrue(lambda.listProvisionedConcurrencyConfigs(b -> b.functionName("aliased")).provisionedConcurrencyConfigs().isEmpty());
    }

    @Test
    void aWeightedAliasSplitsItsProvisionedConcurrencyBetweenItsVersions() throws Exception {
        Samples.create(lambda, account, "canary", "python3.12", "app.handler", Samples.python(CODE), b -> b.publish(true));
        lambda.updateFunctionConfiguration(b -> b.functionName("canary").description("v2"));
        Samples.awaitActive(lambda, "canary");
        lambda.publishVersion(b -> b.functionName("canary"));
        lambda.createAlias(b -> b.functionName("canary").name("live").functionVersion("1")
                .routingConfig(r -> r.additionalVersionWeights(Map.of("2", 0.5))));
        lambda.putProvisionedConcurrencyConfig(b -> b.functionName("canary").qualifier("live").provisionedConcurrentExecutions(2));
        Oboro.advance(Duration.ofSeconds(30));
        assertEquals(2, awaitReady("canary", "live").allocatedProvisionedConcurrentExecutions());
        Map<String, Set<String>> inits = new HashMap<>();
        for (int i = 0; i < 60 && inits.size() < 2; i++) {
            InvokeResponse r = lambda.invoke(b -> b.functionName("canary").qualifier("live").logType(LogType.TAIL));
            assertFalse(log(r).contains("Init Duration"), "version " + r.executedVersion() + " had a provisioned environment: " + log(r));
            String init = r.payload().asUtf8String().contains("\"provisioned-concurrency\"") ? "provisioned-concurrency" : "on-demand";
            inits.computeIfAbsent(r.executedVersion(), k -> new HashSet<>()).add(init);
        }
        assertEquals(Map.of("1", Set.of("provisioned-concurrency"), "2", Set.of("provisioned-concurrency")), inits);
        // new weights: allocated anew
        lambda.updateAlias(b -> b.functionName("canary").name("live").routingConfig(r -> r.additionalVersionWeights(Map.of())));
        assertEquals(ProvisionedConcurrencyStatusEnum.IN_PROGRESS,
                lambda.getProvisionedConcurrencyConfig(b -> b.functionName("canary").qualifier("live")).status());
        Oboro.advance(Duration.ofSeconds(30));
        awaitReady("canary", "live");
        InvokeResponse v2 = lambda.invoke(b -> b.functionName("canary").qualifier("2").logType(LogType.TAIL));
        assertTrue(log(v2).contains("Init Duration"), "version 2 has no share any more: " + log(v2));
    }

    @Test
    void aProvisionedEnvironmentIsReplacedWhenTheRoleSessionIsRenewed() throws Exception {
        Samples.create(lambda, account, "renew", "python3.12", "app.handler", Samples.python(
                "import os\ndef handler(e, c):\n    return {'key': os.environ['AWS_ACCESS_KEY_ID'], 'init': os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']}\n"),
                b -> b.publish(true));
        lambda.putProvisionedConcurrencyConfig(b -> b.functionName("renew").qualifier("1").provisionedConcurrentExecutions(1));
        Oboro.advance(Duration.ofSeconds(30));
        awaitReady("renew", "1");
        String before = lambda.invoke(b -> b.functionName("renew").qualifier("1")).payload().asUtf8String();
        assertTrue(before.contains("provisioned-concurrency"), before);
        // 50 minutes on, the role session has under 15 minutes left: the environment started with it is not used again
        Oboro.advance(Duration.ofMinutes(50));
        String after = lambda.invoke(b -> b.functionName("renew").qualifier("1")).payload().asUtf8String();
        assertTrue(after.contains("on-demand"), after);
        String key = after.replaceAll(".*\"key\": \"([A-Z0-9]+)\".*", "$1");
        assertFalse(before.contains(key), before + " / " + after);
        // and a provisioned environment with the new session takes its place
        String replaced = ObservabilityTest.await(() -> lambda.invoke(b -> b.functionName("renew").qualifier("1")).payload().asUtf8String(),
                p -> p.contains("provisioned-concurrency"));
        assertTrue(replaced.contains("provisioned-concurrency") && replaced.contains(key), replaced);
    }

    @Test
    void latestAndMissingQualifiersAreRefused() {
        Samples.create(lambda, account, "plain", "python3.12", "app.handler", Samples.python(CODE), null);
        InvalidParameterValueException latest = assertThrows(InvalidParameterValueException.class,
                () -> lambda.putProvisionedConcurrencyConfig(b -> b.functionName("plain").qualifier("$LATEST").provisionedConcurrentExecutions(1)));
        assertEquals("Provisioned Concurrency Configs cannot be applied to unpublished function versions.", latest.awsErrorDetails().errorMessage());
        assertThrows(ResourceNotFoundException.class,
                () -> lambda.putProvisionedConcurrencyConfig(b -> b.functionName("plain").qualifier("7").provisionedConcurrentExecutions(1)));
        assertThrows(ProvisionedConcurrencyConfigNotFoundException.class,
                () -> lambda.getProvisionedConcurrencyConfig(b -> b.functionName("plain").qualifier("1")));
    }

    @Test
    void provisionedConcurrencyCountsAgainstReservedAndAccountConcurrency() {
        Samples.create(lambda, account, "limited", "python3.12", "app.handler", Samples.python(CODE), b -> b.publish(true));
        int before = lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions();
        lambda.putProvisionedConcurrencyConfig(b -> b.functionName("limited").qualifier("1").provisionedConcurrentExecutions(3));
        assertEquals(before - 3, lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions());
        InvalidParameterValueException lower = assertThrows(InvalidParameterValueException.class,
                () -> lambda.putFunctionConcurrency(b -> b.functionName("limited").reservedConcurrentExecutions(2)));
        assertTrue(lower.awsErrorDetails().errorMessage().contains("provisioned concurrency"), lower.awsErrorDetails().errorMessage());
        lambda.putFunctionConcurrency(b -> b.functionName("limited").reservedConcurrentExecutions(4));
        assertEquals(before - 4, lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions());
        InvalidParameterValueException over = assertThrows(InvalidParameterValueException.class,
                () -> lambda.putProvisionedConcurrencyConfig(b -> b.functionName("limited").qualifier("1").provisionedConcurrentExecutions(5)));
        assertEquals("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
                over.awsErrorDetails().errorMessage());
        lambda.deleteFunctionConcurrency(b -> b.functionName("limited"));
        assertThrows(InvalidParameterValueException.class,
                () -> lambda.putProvisionedConcurrencyConfig(b -> b.functionName("limited").qualifier("1").provisionedConcurrentExecutions(before)));
        lambda.deleteProvisionedConcurrencyConfig(b -> b.functionName("limited").qualifier("1"));
        assertEquals(before, lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions());
    }
}
