package dev.oboro.tests.cloudwatch;

import dev.oboro.core.Config;
import dev.oboro.server.OboroServer;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Datapoints and alarms survive a restart, and the alarm's evaluation is armed again when CloudWatch resumes. */
class AlarmPersistenceTest {
    final String account = Oboro.newAccount();

    CloudWatchClient client(OboroServer s) {
        return CloudWatchClient.builder().endpointOverride(URI.create(s.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(Oboro.credentials(account)).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @Test
    void alarmsEvaluateAfterARestart(@TempDir Path dir) throws Exception {
        Config config = Config.defaults().withPort(0).withDataDir(dir);
        try (OboroServer first = OboroServer.start(config); CloudWatchClient cw = client(first)) {
            cw.putMetricAlarm(r -> r.alarmName("durable").namespace("App").metricName("Queue").statistic(Statistic.MAXIMUM)
                    .period(60).evaluationPeriods(1).threshold(100.0).comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD));
            Instant at = first.oboro().clock().instant();
            cw.putMetricData(r -> r.namespace("App").metricData(d -> d.metricName("Queue").value(500.0).timestamp(at)));
        }
        try (OboroServer second = OboroServer.start(config); CloudWatchClient cw = client(second)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!second.oboro().services().isLoaded("cloudwatch") && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            assertTrue(second.oboro().services().isLoaded("cloudwatch"), "CloudWatch resumes at start-up because it has state");
            second.oboro().scheduler().advance(Duration.ofSeconds(60));
            MetricAlarm a = cw.describeAlarms(r -> r.alarmNames("durable")).metricAlarms().get(0);
            assertEquals(StateValue.ALARM, a.stateValue(), a.stateReason());
            assertTrue(a.stateReason().startsWith("Threshold Crossed: 1 datapoint [500.0 ("), a.stateReason());
        }
    }
}
