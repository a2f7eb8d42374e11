package dev.oboro.tests.cloudwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same metric operations through the AWS CLI v2.9 (query protocol) and the AWS CLI v1 /
 * botocore 1.4x (JSON 1.0 with x-amzn-query-mode): request lists, timestamps, errors, pagination.
 */
@ResourceLock(Oboro.CLOCK)
class MetricsCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(Cli.Result r) throws Exception {
        return JSON.readTree(r.ok().stdout());
    }

    /** CLI v2 prints ISO-8601; CLI v1 prints the epoch seconds of the JSON protocol as it got them. */
    static Instant instant(JsonNode n) {
        if (n.isNumber()) return Instant.ofEpochMilli(Math.round(n.asDouble() * 1000));
        return java.time.OffsetDateTime.parse(n.asText()).toInstant();
    }

    @Test
    void cliV2QueryProtocol() throws Exception {
        roundTrip(Oboro.newAccount(), Cli::v2);
    }

    @Test
    void cliV1JsonQueryMode() throws Exception {
        Assumptions.assumeTrue(Cli.v1Path() != null, "no AWS CLI v1 on PATH");
        roundTrip(Oboro.newAccount(), Cli::v1);
    }


    private static Cli.Result run(BiFunction<String, String[], Cli.Result> cli, String account, String... args) {
        return cli.apply(account, args);
    }

    static void roundTrip(String account, BiFunction<String, String[], Cli.Result> cli) throws Exception {
        Instant t0 = Oboro.server().oboro().clock().instant().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
        String data = "[{\"MetricName\":\"Cpu\",\"Dimensions\":[{\"Name\":\"Host\",\"Value\":\"a\"},{\"Name\":\"Env\",\"Value\":\"prod\"}],"
                + "\"Timestamp\":\"" + t0.plusSeconds(10) + "\",\"Value\":40,\"Unit\":\"Percent\"},"
                + "{\"MetricName\":\"Cpu\",\"Dimensions\":[{\"Name\":\"Host\",\"Value\":\"a\"},{\"Name\":\"Env\",\"Value\":\"prod\"}],"
                + "\"Timestamp\":\"" + t0.plusSeconds(20) + "\",\"Values\":[10,20],\"Counts\":[1,1],\"Unit\":\"Percent\"},"
                + "{\"MetricName\":\"Mem\",\"Dimensions\":[{\"Name\":\"Host\",\"Value\":\"b\"}],\"Timestamp\":\"" + t0 + "\","
                + "\"StatisticValues\":{\"SampleCount\":2,\"Sum\":10,\"Minimum\":4,\"Maximum\":6}},"
                + "{\"MetricName\":\"Disk\",\"Value\":1,\"Timestamp\":\"" + t0 + "\"}]";
        run(cli, account, "cloudwatch", "put-metric-data", "--namespace", "Cli", "--metric-data", data).ok();

        JsonNode stats = json(run(cli, account, "cloudwatch", "get-metric-statistics", "--namespace", "Cli", "--metric-name", "Cpu",
                "--dimensions", "Name=Host,Value=a", "Name=Env,Value=prod", "--start-time", t0.toString(),
                "--end-time", t0.plusSeconds(120).toString(), "--period", "60", "--statistics", "Average", "Maximum", "SampleCount",
                "--extended-statistics", "p50"));
        assertEquals("Cpu", stats.get("Label").asText());
        JsonNode dp = stats.get("Datapoints").get(0);
        assertEquals(3.0, dp.get("SampleCount").asDouble());
        assertEquals(40.0, dp.get("Maximum").asDouble());
        assertEquals(70.0 / 3, dp.get("Average").asDouble(), 1e-9);
        assertEquals(20.0, dp.get("ExtendedStatistics").get("p50").asDouble());
        assertEquals("Percent", dp.get("Unit").asText());
        assertEquals(t0, instant(dp.get("Timestamp")));

        JsonNode mem = json(run(cli, account, "cloudwatch", "get-metric-statistics", "--namespace", "Cli", "--metric-name", "Mem",
                "--dimensions", "Name=Host,Value=b", "--start-time", t0.toString(), "--end-time", t0.plusSeconds(60).toString(),
                "--period", "60", "--statistics", "Sum", "Minimum"));
        assertEquals(10.0, mem.get("Datapoints").get(0).get("Sum").asDouble());
        assertEquals(4.0, mem.get("Datapoints").get(0).get("Minimum").asDouble());

        JsonNode list = json(run(cli, account, "cloudwatch", "list-metrics", "--namespace", "Cli", "--dimensions", "Name=Host"));
        assertEquals(2, list.get("Metrics").size());
        JsonNode all = json(run(cli, account, "cloudwatch", "list-metrics", "--namespace", "Cli"));
        assertEquals(3, all.get("Metrics").size());

        // --max-items / --starting-token over the three metrics
        JsonNode p1 = json(run(cli, account, "cloudwatch", "list-metrics", "--namespace", "Cli", "--max-items", "2"));
        assertEquals(2, p1.get("Metrics").size());
        String token = p1.get("NextToken").asText();
        JsonNode p2 = json(run(cli, account, "cloudwatch", "list-metrics", "--namespace", "Cli", "--max-items", "2", "--starting-token", token));
        assertEquals(1, p2.get("Metrics").size());
        assertNotEquals(p1.get("Metrics").get(0), p2.get("Metrics").get(0));

        JsonNode md = json(run(cli, account, "cloudwatch", "get-metric-data", "--start-time", t0.toString(),
                "--end-time", t0.plusSeconds(60).toString(), "--metric-data-queries",
                "[{\"Id\":\"m\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"Cli\",\"MetricName\":\"Mem\",\"Dimensions\":[{\"Name\":\"Host\",\"Value\":\"b\"}]},"
                        + "\"Period\":60,\"Stat\":\"Average\"},\"ReturnData\":false},{\"Id\":\"e\",\"Expression\":\"m * 2\",\"Label\":\"double\"}]"));
        JsonNode res = md.get("MetricDataResults").get(0);
        assertEquals("e", res.get("Id").asText());
        assertEquals("double", res.get("Label").asText());
        assertEquals(10.0, res.get("Values").get(0).asDouble());
        assertEquals("Complete", res.get("StatusCode").asText());

        // errors come back with AWS's code and message in each protocol
        Cli.Result bad = run(cli, account, "cloudwatch", "put-metric-data", "--namespace", "AWS/EC2", "--metric-name", "X", "--value", "1");
        assertNotEquals(0, bad.exitCode());
        assertTrue(bad.stderr().contains("(InvalidParameterValue)") && bad.stderr().contains("The value AWS/EC2 for parameter Namespace is invalid."),
                bad.stderr());
        Cli.Result missing = run(cli, account, "cloudwatch", "get-metric-statistics", "--namespace", "Cli", "--metric-name", "Cpu",
                "--start-time", t0.toString(), "--end-time", t0.toString(), "--period", "60", "--statistics", "Sum");
        assertTrue(missing.stderr().contains("(InvalidParameterValue)") && missing.stderr().contains("StartTime must be less than"),
                missing.stderr());
        Cli.Result combo = run(cli, account, "cloudwatch", "put-metric-data", "--namespace", "Cli", "--metric-data",
                "[{\"MetricName\":\"X\",\"Value\":1,\"StatisticValues\":{\"SampleCount\":1,\"Sum\":1,\"Minimum\":1,\"Maximum\":1}}]");
        assertTrue(combo.stderr().contains("(InvalidParameterCombination)"), combo.stderr());
        assertNotNull(combo.stderr());
    }
}
