package dev.oboro.tests.cloudwatch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.time.Duration;
import java.util.function.BiFunction;

import static dev.oboro.tests.cloudwatch.MetricsCliTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Alarms through the AWS CLI v2.9 (query) and v1 (JSON 1.0 query mode). */
@ResourceLock(Oboro.CLOCK)
class AlarmsCliTest {
    @Test
    void cliV2QueryProtocol() throws Exception {
        alarms(Oboro.newAccount(), Cli::v2);
    }

    @Test
    void cliV1JsonQueryMode() throws Exception {
        Assumptions.assumeTrue(Cli.v1Path() != null, "no AWS CLI v1 on PATH");
        alarms(Oboro.newAccount(), Cli::v1);
    }

    static void alarms(String account, BiFunction<String, String[], Cli.Result> cli) throws Exception {
        for (String n : new String[]{"a1", "a2", "a3"}) {
            cli.apply(account, new String[]{"cloudwatch", "put-metric-alarm", "--alarm-name", n, "--namespace", "Cli", "--metric-name", "Load",
                    "--dimensions", "Name=Host,Value=" + n, "--statistic", "Maximum", "--period", "60", "--evaluation-periods", "1",
                    "--threshold", "5", "--comparison-operator", "GreaterThanOrEqualToThreshold", "--treat-missing-data", "ignore",
                    "--alarm-actions", "arn:aws:sns:us-east-1:" + account + ":t", "--tags", "Key=team,Value=ops"}).ok();
        }
        cli.apply(account, new String[]{"cloudwatch", "put-metric-data", "--namespace", "Cli", "--metric-name", "Load",
                "--dimensions", "Host=a2", "--value", "7"}).ok();
        Oboro.advance(Duration.ofSeconds(60));

        JsonNode a2 = json(cli.apply(account, new String[]{"cloudwatch", "describe-alarms", "--alarm-names", "a2"})).get("MetricAlarms").get(0);
        assertEquals("ALARM", a2.get("StateValue").asText());
        assertTrue(a2.get("StateReason").asText().startsWith("Threshold Crossed: 1 datapoint [7.0 ("), a2.toString());
        assertEquals("Host", a2.get("Dimensions").get(0).get("Name").asText());
        assertEquals("arn:aws:sns:us-east-1:" + account + ":t", a2.get("AlarmActions").get(0).asText());

        JsonNode p1 = json(cli.apply(account, new String[]{"cloudwatch", "describe-alarms", "--max-items", "2"}));
        assertEquals(2, p1.get("MetricAlarms").size());
        JsonNode p2 = json(cli.apply(account, new String[]{"cloudwatch", "describe-alarms", "--max-items", "2",
                "--starting-token", p1.get("NextToken").asText()}));
        assertEquals("a3", p2.get("MetricAlarms").get(0).get("AlarmName").asText());
        JsonNode small = json(cli.apply(account, new String[]{"cloudwatch", "describe-alarms", "--page-size", "1"}));
        assertEquals(3, small.get("MetricAlarms").size(), "the CLI follows the tokens of 1-item pages");

        cli.apply(account, new String[]{"cloudwatch", "set-alarm-state", "--alarm-name", "a1", "--state-value", "ALARM",
                "--state-reason", "manual"}).ok();
        JsonNode hist = json(cli.apply(account, new String[]{"cloudwatch", "describe-alarm-history", "--alarm-name", "a1",
                "--history-item-type", "StateUpdate"}));
        assertEquals("Alarm updated from INSUFFICIENT_DATA to ALARM", hist.get("AlarmHistoryItems").get(0).get("HistorySummary").asText());
        JsonNode tags = json(cli.apply(account, new String[]{"cloudwatch", "list-tags-for-resource", "--resource-arn",
                a2.get("AlarmArn").asText()}));
        assertEquals("ops", tags.get("Tags").get(0).get("Value").asText());

        Cli.Result nf = cli.apply(account, new String[]{"cloudwatch", "set-alarm-state", "--alarm-name", "ghost", "--state-value", "OK",
                "--state-reason", "x"});
        assertNotEquals(0, nf.exitCode());
        assertTrue(nf.stderr().contains("(ResourceNotFound)") && nf.stderr().contains("Alarm ghost not found"), nf.stderr());
        Cli.Result day = cli.apply(account, new String[]{"cloudwatch", "put-metric-alarm", "--alarm-name", "long", "--namespace", "Cli",
                "--metric-name", "Load", "--statistic", "Sum", "--period", "3600", "--evaluation-periods", "48", "--threshold", "1",
                "--comparison-operator", "GreaterThanThreshold"});
        assertTrue(day.stderr().contains("(ValidationError)") && day.stderr().contains("Metrics cannot be checked across more than a day"), day.stderr());

        cli.apply(account, new String[]{"cloudwatch", "delete-alarms", "--alarm-names", "a1", "a2"}).ok();
        JsonNode left = json(cli.apply(account, new String[]{"cloudwatch", "describe-alarms"}));
        assertEquals(1, left.get("MetricAlarms").size());
    }
}
