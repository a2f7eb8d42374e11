package dev.oboro.tests.stepfunctions;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Executions publish AWS/States metrics that CloudWatch serves. */
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
class MetricsTest {
    final String account = Oboro.newAccount();

    @Test
    void startedSucceededAndFailedExecutionsAreCounted() {
        try (SfnClient sfn = Sfn.client(account); CloudWatchClient cw = Oboro.client(CloudWatchClient.builder(), account)) {
            String ok = Sfn.create(sfn, account, "metrics-ok", "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}");
            String bad = Sfn.create(sfn, account, "metrics-bad", "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\",\"Error\":\"E\"}}}");
            for (int i = 0; i < 3; i++) {
                String arn = sfn.startExecution(r -> r.stateMachineArn(ok)).executionArn();
                Sfn.await("execution " + arn, () -> sfn.describeExecution(r -> r.executionArn(arn)).status() == ExecutionStatus.SUCCEEDED);
            }
            String failed = sfn.startExecution(r -> r.stateMachineArn(bad)).executionArn();
            Sfn.await("failed execution", () -> sfn.describeExecution(r -> r.executionArn(failed)).status() == ExecutionStatus.FAILED);

            assertEquals(3.0, sum(cw, "ExecutionsStarted", ok));
            assertEquals(3.0, sum(cw, "ExecutionsSucceeded", ok));
            assertEquals(1.0, sum(cw, "ExecutionsStarted", bad));
            assertEquals(1.0, sum(cw, "ExecutionsFailed", bad));
            assertEquals(0.0, sum(cw, "ExecutionsFailed", ok));
        }
    }

    static double sum(CloudWatchClient cw, String metric, String machineArn) {
        Instant now = Oboro.server().oboro().clock().instant();
        List<Datapoint> points = cw.getMetricStatistics(r -> r.namespace("AWS/States").metricName(metric)
                .dimensions(Dimension.builder().name("StateMachineArn").value(machineArn).build())
                .startTime(now.minus(Duration.ofHours(1))).endTime(now.plus(Duration.ofMinutes(5)))
                .period(3600).statistics(Statistic.SUM)).datapoints();
        return points.stream().mapToDouble(Datapoint::sum).sum();
    }
}
