package dev.oboro.tests.stepfunctions;

import dev.oboro.tests.support.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A running execution (waiting on a Wait state) survives kill -9 and finishes when the clock passes its wait. */
class RestartTest {
    static final String ACCOUNT = "222233334444";

    static SfnClient sfn(URI endpoint) {
        return SfnClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCOUNT, "x")))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(20)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    static void advance(URI endpoint, String duration) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint.resolve("/_oboro/clock"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"advance\":\"" + duration + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void aWaitingExecutionSurvivesKill9(@TempDir Path data) throws Exception {
        String exec;
        try (ServerProcess s = ServerProcess.start(data); SfnClient sfn = sfn(s.endpoint());
             IamClient iam = IamClient.builder().endpointOverride(s.endpoint()).region(Region.AWS_GLOBAL)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCOUNT, "x")))
                     .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            iam.createRole(r -> r.roleName("R").assumeRolePolicyDocument(Sfn.TRUST));
            String sm = sfn.createStateMachine(r -> r.name("durable").roleArn("arn:aws:iam::" + ACCOUNT + ":role/R")
                    .definition(TimeDrivenTest.WAIT_HOUR)).stateMachineArn();
            exec = sfn.startExecution(r -> r.stateMachineArn(sm).name("survivor").input("{\"a\":1}")).executionArn();
            advance(s.endpoint(), "PT30M");
            s.kill9();
        }
        try (ServerProcess s = ServerProcess.start(data); SfnClient sfn = sfn(s.endpoint())) {
            assertEquals(ExecutionStatus.RUNNING, sfn.describeExecution(r -> r.executionArn(exec)).status());
            advance(s.endpoint(), "PT29M");
            assertEquals(ExecutionStatus.RUNNING, sfn.describeExecution(r -> r.executionArn(exec)).status());
            advance(s.endpoint(), "PT2M");
            DescribeExecutionResponse d = sfn.describeExecution(r -> r.executionArn(exec));
            assertEquals(ExecutionStatus.SUCCEEDED, d.status());
            assertEquals("\"awake\"", d.output());
            List<String> types = Sfn.types(Sfn.history(sfn, exec));
            assertEquals(List.of("ExecutionStarted", "WaitStateEntered", "WaitStateExited", "PassStateEntered", "PassStateExited",
                    "ExecutionSucceeded"), types);
        }
    }

    @Test
    void aMapRunSurvivesKill9(@TempDir Path data) throws Exception {
        String standard;
        String express;
        try (ServerProcess s = ServerProcess.start(data); SfnClient sfn = sfn(s.endpoint());
             IamClient iam = IamClient.builder().endpointOverride(s.endpoint()).region(Region.AWS_GLOBAL)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCOUNT, "x")))
                     .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            iam.createRole(r -> r.roleName("R").assumeRolePolicyDocument(Sfn.TRUST));
            String waitHour = "{\"Check\":{\"Type\":\"Wait\",\"Seconds\":3600,\"End\":true}}";
            String sm1 = sfn.createStateMachine(r -> r.name("fan-standard").roleArn("arn:aws:iam::" + ACCOUNT + ":role/R")
                    .definition(MapRunsTest.machine("DISTRIBUTED", "STANDARD", "\"MaxConcurrency\":1,", waitHour))).stateMachineArn();
            String sm2 = sfn.createStateMachine(r -> r.name("fan-express").roleArn("arn:aws:iam::" + ACCOUNT + ":role/R")
                    .definition(MapRunsTest.machine("DISTRIBUTED", "EXPRESS", "", "{\"Check\":{\"Type\":\"Wait\",\"Seconds\":60,\"End\":true}}")))
                    .stateMachineArn();
            standard = sfn.startExecution(r -> r.stateMachineArn(sm1).input("[1,2]")).executionArn();
            express = sfn.startExecution(r -> r.stateMachineArn(sm2).input("[1,2,3]")).executionArn();
            s.kill9();
        }
        try (ServerProcess s = ServerProcess.start(data); SfnClient sfn = sfn(s.endpoint())) {
            String mapRun = sfn.listMapRuns(r -> r.executionArn(standard)).mapRuns().get(0).mapRunArn();
            var d = sfn.describeMapRun(r -> r.mapRunArn(mapRun));
            assertEquals(1L, d.executionCounts().running());
            assertEquals(1L, d.executionCounts().pending());
            advance(s.endpoint(), "PT61M"); // the first child ends, the second starts; the EXPRESS children started again and ended
            assertEquals(ExecutionStatus.SUCCEEDED, sfn.describeExecution(r -> r.executionArn(express)).status());
            assertEquals(ExecutionStatus.RUNNING, sfn.describeExecution(r -> r.executionArn(standard)).status());
            advance(s.endpoint(), "PT61M");
            DescribeExecutionResponse done = sfn.describeExecution(r -> r.executionArn(standard));
            assertEquals(ExecutionStatus.SUCCEEDED, done.status());
            assertEquals("[1,2]", done.output());
            assertEquals(2, sfn.listExecutions(r -> r.mapRunArn(mapRun)).executions().size());
        }
    }
}
