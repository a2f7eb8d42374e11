package dev.oboro.tests.cloudwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.services.cloudwatch.AlarmAction;
import dev.oboro.services.cloudwatch.AlarmActions;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmHistoryItem;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.CompositeAlarm;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmHistoryResponse;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.HistoryItemType;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.cloudwatch.model.Tag;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metric and composite alarms through the SDK v2 client, evaluated on Oboro's clock. */
@ResourceLock(Oboro.CLOCK)
class AlarmsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter REASON_DATE = DateTimeFormatter.ofPattern("dd/MM/yy HH:mm:ss").withZone(ZoneOffset.UTC);
    final String account = Oboro.newAccount();

    static Instant now() {
        return Oboro.server().oboro().clock().instant();
    }

    CloudWatchClient cw() {
        return Oboro.client(CloudWatchClient.builder(), account);
    }

    static Consumer<PutMetricAlarmRequest.Builder> cpuAlarm(String name) {
        return r -> r.alarmName(name).namespace("App").metricName("Cpu").dimensions(Dimension.builder().name("Host").value(name).build())
                .statistic(Statistic.AVERAGE).period(60).evaluationPeriods(1).threshold(80.0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                // tests set states by hand; "ignore" keeps them when a period ends without data
                .treatMissingData("ignore");
    }

    static void put(CloudWatchClient cw, String host, double value, Instant at) {
        cw.putMetricData(r -> r.namespace("App").metricData(MetricDatum.builder().metricName("Cpu")
                .dimensions(Dimension.builder().name("Host").value(host).build()).value(value).timestamp(at).build()));
    }

    static MetricAlarm alarm(CloudWatchClient cw, String name) {
        return cw.describeAlarms(r -> r.alarmNames(name)).metricAlarms().get(0);
    }

    static List<AlarmHistoryItem> history(CloudWatchClient cw, String name, HistoryItemType type) {
        return cw.describeAlarmHistory(r -> r.alarmName(name).historyItemType(type)).alarmHistoryItems();
    }

    /** Issue 3's scenario: publish a metric, advance the clock, the alarm goes to ALARM with history and runs its action. */
    @Test
    void metricAlarmGoesToAlarmOnTheClockWithHistoryAndActions() throws Exception {
        String stop = "arn:aws:automate:us-east-1:ec2:stop";
        String topic = "arn:aws:sns:us-east-1:" + account + ":ops";
        List<AlarmAction> invoked = new CopyOnWriteArrayList<>();
        try (AutoCloseable reg = AlarmActions.of(Oboro.server().oboro()).register("arn:aws:automate:*:ec2:stop", a -> {
            if (a.call().account().equals(account)) invoked.add(a);
        }); CloudWatchClient cw = cw()) {
            cw.putMetricAlarm(cpuAlarm("web-1").andThen(r -> r.alarmActions(stop, topic).okActions(topic).treatMissingData("ignore")));
            MetricAlarm created = alarm(cw, "web-1");
            assertEquals(StateValue.INSUFFICIENT_DATA, created.stateValue());
            assertEquals("Unchecked: Initial alarm creation", created.stateReason());
            assertEquals("arn:aws:cloudwatch:us-east-1:" + account + ":alarm:web-1", created.alarmArn());
            assertTrue(created.actionsEnabled());

            Instant at = now();
            put(cw, "web-1", 95, at);
            assertEquals(StateValue.INSUFFICIENT_DATA, alarm(cw, "web-1").stateValue(), "nothing happens before the period ends");
            Oboro.advance(Duration.ofSeconds(60));

            MetricAlarm fired = alarm(cw, "web-1");
            assertEquals(StateValue.ALARM, fired.stateValue());
            Instant minute = at.truncatedTo(ChronoUnit.MINUTES);
            assertEquals("Threshold Crossed: 1 datapoint [95.0 (" + REASON_DATE.format(minute) + ")] was greater than the threshold (80.0).",
                    fired.stateReason());
            JsonNode data = JSON.readTree(fired.stateReasonData());
            assertEquals("Average", data.get("statistic").asText());
            assertEquals(60, data.get("period").asInt());
            assertEquals(95.0, data.get("recentDatapoints").get(0).asDouble());
            assertEquals(80.0, data.get("threshold").asDouble());

            assertEquals(1, invoked.size(), "the registered EC2 action ran once");
            AlarmAction a = invoked.get(0);
            assertEquals(stop, a.actionArn());
            assertEquals("web-1", a.alarmName());
            assertEquals("INSUFFICIENT_DATA", a.oldState());
            assertEquals("ALARM", a.newState());
            assertEquals(fired.stateReason(), a.reason());

            List<AlarmHistoryItem> updates = history(cw, "web-1", HistoryItemType.STATE_UPDATE);
            assertEquals(1, updates.size());
            assertEquals("Alarm updated from INSUFFICIENT_DATA to ALARM", updates.get(0).historySummary());
            assertEquals(AlarmType.METRIC_ALARM, updates.get(0).alarmType());
            JsonNode h = JSON.readTree(updates.get(0).historyData());
            assertEquals("INSUFFICIENT_DATA", h.get("oldState").get("stateValue").asText());
            assertEquals("ALARM", h.get("newState").get("stateValue").asText());
            assertEquals(95.0, h.get("newState").get("stateReasonData").get("recentDatapoints").get(0).asDouble());
            List<String> actions = history(cw, "web-1", HistoryItemType.ACTION).stream().map(AlarmHistoryItem::historySummary).toList();
            assertTrue(actions.contains("Successfully executed action " + stop), actions.toString());
            assertTrue(actions.contains("Successfully executed action " + topic), "unregistered SNS actions are recorded: " + actions);
            assertEquals("Alarm \"web-1\" created", history(cw, "web-1", HistoryItemType.CONFIGURATION_UPDATE).get(0).historySummary());

            // back under the threshold: OK, and the OK action (SNS, no handler) is recorded
            put(cw, "web-1", 10, now());
            Oboro.advance(Duration.ofSeconds(60));
            MetricAlarm ok = alarm(cw, "web-1");
            assertEquals(StateValue.OK, ok.stateValue());
            assertTrue(ok.stateReason().startsWith("Threshold Crossed: 1 datapoint [10.0 ("), ok.stateReason());
            assertTrue(ok.stateReason().endsWith(")] was not greater than the threshold (80.0)."), ok.stateReason());
            assertEquals(1, invoked.size());
            List<AlarmAction> recorded = AlarmActions.of(Oboro.server().oboro()).invocations().stream()
                    .filter(x -> x.call().account().equals(account) && x.actionArn().equals(topic)).toList();
            assertEquals(List.of("ALARM", "OK"), recorded.stream().map(AlarmAction::newState).toList());
            assertFalse(recorded.get(0).handled());

            // newest first by default, oldest first on request
            List<AlarmHistoryItem> all = cw.describeAlarmHistory(r -> r.alarmName("web-1")).alarmHistoryItems();
            assertEquals("Alarm \"web-1\" created", all.get(all.size() - 1).historySummary());
            List<AlarmHistoryItem> asc = cw.describeAlarmHistory(r -> r.alarmName("web-1").scanBy(ScanBy.TIMESTAMP_ASCENDING)).alarmHistoryItems();
            assertEquals("Alarm \"web-1\" created", asc.get(0).historySummary());
            List<String> paged = new ArrayList<>();
            String token = null;
            do {
                String t = token;
                DescribeAlarmHistoryResponse r = cw.describeAlarmHistory(q -> q.alarmName("web-1").maxRecords(2).nextToken(t));
                r.alarmHistoryItems().forEach(i -> paged.add(i.historySummary()));
                token = r.nextToken();
            } while (token != null);
            assertEquals(all.stream().map(AlarmHistoryItem::historySummary).toList(), paged);
        }
    }

    @Test
    void datapointsToAlarmAndMissingDataTreatment() {
        try (CloudWatchClient cw = cw()) {
            Instant b0 = now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(60);
            cw.putMetricAlarm(cpuAlarm("m-of-n").andThen(r -> r.statistic(Statistic.MAXIMUM).evaluationPeriods(3).datapointsToAlarm(2).treatMissingData("missing")
                    .threshold(50.0).comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)));
            for (String t : List.of("missing", "ignore", "breaching", "notBreaching")) {
                cw.putMetricAlarm(cpuAlarm("empty-" + t).andThen(r -> r.treatMissingData(t)));
            }
            // one datapoint per minute, published ahead (CloudWatch takes timestamps up to two hours ahead)
            put(cw, "m-of-n", 60, b0);
            put(cw, "m-of-n", 10, b0.plusSeconds(60));
            put(cw, "m-of-n", 70, b0.plusSeconds(120));
            Oboro.advance(Duration.between(now(), b0.plusSeconds(61)));
            assertEquals(StateValue.ALARM, alarm(cw, "m-of-n").stateValue(), "the only datapoint present breaches");
            Oboro.advance(Duration.ofSeconds(60));
            assertEquals(StateValue.OK, alarm(cw, "m-of-n").stateValue(), "1 of 2 present breaching, 2 needed");
            Oboro.advance(Duration.ofSeconds(60));
            MetricAlarm a = alarm(cw, "m-of-n");
            assertEquals(StateValue.ALARM, a.stateValue());
            assertEquals("Threshold Crossed: 2 out of the last 3 datapoints [70.0 (" + REASON_DATE.format(b0.plusSeconds(120)) + "), 60.0 ("
                    + REASON_DATE.format(b0) + ")] were greater than or equal to the threshold (50.0) (minimum 2 datapoints for OK -> ALARM transition).",
                    a.stateReason());
            assertEquals(3, history(cw, "m-of-n", HistoryItemType.STATE_UPDATE).size());

            assertEquals(StateValue.INSUFFICIENT_DATA, alarm(cw, "empty-missing").stateValue());
            assertEquals(StateValue.INSUFFICIENT_DATA, alarm(cw, "empty-ignore").stateValue());
            MetricAlarm breaching = alarm(cw, "empty-breaching");
            assertEquals(StateValue.ALARM, breaching.stateValue());
            assertEquals("Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].",
                    breaching.stateReason());
            MetricAlarm fine = alarm(cw, "empty-notBreaching");
            assertEquals(StateValue.OK, fine.stateValue());
            assertEquals("Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
                    fine.stateReason());

            // data stops: with "missing" the alarm goes to INSUFFICIENT_DATA once every period in range is empty
            Oboro.advance(Duration.ofMinutes(3));
            MetricAlarm gone = alarm(cw, "m-of-n");
            assertEquals(StateValue.INSUFFICIENT_DATA, gone.stateValue());
            assertEquals("Insufficient Data: 3 datapoints were unknown.", gone.stateReason());
        }
    }

    @Test
    void quietAlarmsWakeWhenDataArrivesAfterALongPause() {
        try (CloudWatchClient cw = cw()) {
            cw.putMetricAlarm(cpuAlarm("sleeper").andThen(r -> r.treatMissingData("missing")));
            put(cw, "sleeper", 99, now());
            Oboro.advance(Duration.ofSeconds(60));
            assertEquals(StateValue.ALARM, alarm(cw, "sleeper").stateValue());
            Oboro.advance(Duration.ofMinutes(2));
            assertEquals(StateValue.INSUFFICIENT_DATA, alarm(cw, "sleeper").stateValue());
            // ten days without data: nothing changes, then the next datapoint is evaluated at the end of its period
            Oboro.advance(Duration.ofDays(10));
            assertEquals(StateValue.INSUFFICIENT_DATA, alarm(cw, "sleeper").stateValue());
            put(cw, "sleeper", 97, now());
            Oboro.advance(Duration.ofSeconds(60));
            MetricAlarm a = alarm(cw, "sleeper");
            assertEquals(StateValue.ALARM, a.stateValue());
            assertTrue(a.stateReason().startsWith("Threshold Crossed: 1 datapoint [97.0 ("), a.stateReason());
            assertEquals(List.of("Alarm updated from INSUFFICIENT_DATA to ALARM", "Alarm updated from ALARM to INSUFFICIENT_DATA",
                            "Alarm updated from INSUFFICIENT_DATA to ALARM"),
                    history(cw, "sleeper", HistoryItemType.STATE_UPDATE).stream().map(AlarmHistoryItem::historySummary).toList());
        }
    }

    @Test
    void metricMathAlarm() {
        try (CloudWatchClient cw = cw()) {
            MetricDataQuery requests = MetricDataQuery.builder().id("req").returnData(false).metricStat(MetricStat.builder()
                    .metric(Metric.builder().namespace("Api").metricName("Requests").build()).period(60).stat("Sum").build()).build();
            MetricDataQuery errors = MetricDataQuery.builder().id("err").returnData(false).metricStat(MetricStat.builder()
                    .metric(Metric.builder().namespace("Api").metricName("Errors").build()).period(60).stat("Sum").build()).build();
            MetricDataQuery rate = MetricDataQuery.builder().id("rate").expression("100 * err / req").label("Error %").build();
            cw.putMetricAlarm(r -> r.alarmName("error-rate").metrics(requests, errors, rate).evaluationPeriods(1).threshold(10.0)
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD));
            Instant at = now();
            cw.putMetricData(r -> r.namespace("Api").metricData(
                    MetricDatum.builder().metricName("Requests").value(50.0).timestamp(at).build(),
                    MetricDatum.builder().metricName("Errors").value(10.0).timestamp(at).build()));
            Oboro.advance(Duration.ofSeconds(60));
            MetricAlarm a = alarm(cw, "error-rate");
            assertEquals(StateValue.ALARM, a.stateValue());
            assertTrue(a.stateReason().startsWith("Threshold Crossed: 1 datapoint [20.0 ("), a.stateReason());
            assertEquals(3, a.metrics().size());
            assertEquals(List.of("error-rate"), cw.describeAlarmsForMetric(r -> r.namespace("Api").metricName("Errors"))
                    .metricAlarms().stream().map(MetricAlarm::alarmName).toList());
        }
    }

    @Test
    void describeFiltersSetAlarmStateAndPagination() {
        try (CloudWatchClient cw = cw()) {
            for (String n : List.of("db-1", "db-2", "web-9")) cw.putMetricAlarm(cpuAlarm(n).andThen(r -> r.alarmActions(
                    n.startsWith("db") ? "arn:aws:sns:us-east-1:" + account + ":dba" : "arn:aws:automate:us-east-1:ec2:reboot")));
            cw.setAlarmState(r -> r.alarmName("db-2").stateValue(StateValue.ALARM).stateReason("testing").stateReasonData("{\"why\":1}"));
            MetricAlarm db2 = alarm(cw, "db-2");
            assertEquals(StateValue.ALARM, db2.stateValue());
            assertEquals("testing", db2.stateReason());
            assertEquals("{\"why\":1}", db2.stateReasonData());

            assertEquals(List.of("db-2"), names(cw.describeAlarms(r -> r.stateValue(StateValue.ALARM))));
            assertEquals(List.of("db-1", "db-2"), names(cw.describeAlarms(r -> r.alarmNamePrefix("db-"))));
            assertEquals(List.of("web-9"), names(cw.describeAlarms(r -> r.actionPrefix("arn:aws:automate:"))));
            assertEquals(List.of("db-1", "web-9"), names(cw.describeAlarms(r -> r.alarmNames("web-9", "db-1", "nope"))));
            DescribeAlarmsResponse p1 = cw.describeAlarms(r -> r.maxRecords(2));
            assertEquals(List.of("db-1", "db-2"), names(p1));
            DescribeAlarmsResponse p2 = cw.describeAlarms(r -> r.maxRecords(2).nextToken(p1.nextToken()));
            assertEquals(List.of("web-9"), names(p2));
            assertEquals(null, p2.nextToken());
            assertEquals(List.of("db-1"), cw.describeAlarmsForMetric(r -> r.namespace("App").metricName("Cpu")
                    .dimensions(Dimension.builder().name("Host").value("db-1").build())).metricAlarms().stream().map(MetricAlarm::alarmName).toList());

            CloudWatchException nf = assertThrows(CloudWatchException.class, () -> cw.setAlarmState(r -> r.alarmName("nope")
                    .stateValue(StateValue.OK).stateReason("x")));
            assertEquals("ResourceNotFound", nf.awsErrorDetails().errorCode());
            assertEquals(404, nf.statusCode());
            CloudWatchException bad = assertThrows(CloudWatchException.class, () -> cw.setAlarmState(r -> r.alarmName("db-1")
                    .stateValue(StateValue.OK).stateReason("x").stateReasonData("{not json")));
            assertEquals("InvalidFormat", bad.awsErrorDetails().errorCode());
            CloudWatchException both = assertThrows(CloudWatchException.class, () -> cw.describeAlarms(r -> r.alarmNames("a").alarmNamePrefix("b")));
            assertEquals("InvalidParameterCombination", both.awsErrorDetails().errorCode());

            cw.deleteAlarms(r -> r.alarmNames("db-1", "never-existed"));
            assertEquals(List.of("db-2", "web-9"), names(cw.describeAlarms()));
        }
    }

    static List<String> names(DescribeAlarmsResponse r) {
        List<String> out = new ArrayList<>();
        r.metricAlarms().forEach(a -> out.add(a.alarmName()));
        r.compositeAlarms().forEach(a -> out.add(a.alarmName()));
        return out;
    }

    @Test
    void compositeAlarmsFollowTheirChildren() throws Exception {
        List<AlarmAction> invoked = new CopyOnWriteArrayList<>();
        String page = "arn:aws:sns:us-east-1:" + account + ":page";
        try (AutoCloseable reg = AlarmActions.of(Oboro.server().oboro()).register("arn:aws:sns:*:" + account + ":page", invoked::add);
             CloudWatchClient cw = cw()) {
            cw.putMetricAlarm(cpuAlarm("cpu"));
            cw.putMetricAlarm(cpuAlarm("maintenance"));
            cw.putCompositeAlarm(r -> r.alarmName("service-down").alarmRule("ALARM(\"cpu\") AND NOT ALARM(maintenance)").alarmActions(page));
            CompositeAlarm c = cw.describeAlarms(r -> r.alarmTypes(AlarmType.COMPOSITE_ALARM)).compositeAlarms().get(0);
            assertEquals(StateValue.OK, c.stateValue(), "evaluated on creation");
            assertEquals("ALARM(\"cpu\") AND NOT ALARM(maintenance)", c.alarmRule());
            assertTrue(cw.describeAlarms().compositeAlarms().isEmpty(), "without AlarmTypes only metric alarms are listed");

            cw.setAlarmState(r -> r.alarmName("cpu").stateValue(StateValue.ALARM).stateReason("hot"));
            CompositeAlarm fired = cw.describeAlarms(r -> r.alarmNames("service-down").alarmTypes(AlarmType.COMPOSITE_ALARM)).compositeAlarms().get(0);
            assertEquals(StateValue.ALARM, fired.stateValue());
            String cpuArn = "arn:aws:cloudwatch:us-east-1:" + account + ":alarm:cpu";
            assertTrue(fired.stateReason().startsWith(cpuArn + " transitioned to ALARM at "), fired.stateReason());
            assertEquals(cpuArn, JSON.readTree(fired.stateReasonData()).get("triggeringAlarms").get(0).get("arn").asText());
            assertEquals(1, invoked.size());
            assertEquals("service-down", invoked.get(0).alarmName());
            List<AlarmHistoryItem> h = cw.describeAlarmHistory(r -> r.alarmName("service-down").alarmTypes(AlarmType.COMPOSITE_ALARM)
                    .historyItemType(HistoryItemType.STATE_UPDATE)).alarmHistoryItems();
            assertEquals("Alarm updated from OK to ALARM", h.get(0).historySummary());
            assertEquals(AlarmType.COMPOSITE_ALARM, h.get(0).alarmType());

            cw.setAlarmState(r -> r.alarmName("maintenance").stateValue(StateValue.ALARM).stateReason("window"));
            assertEquals(StateValue.OK, cw.describeAlarms(r -> r.alarmNames("service-down").alarmTypes(AlarmType.COMPOSITE_ALARM))
                    .compositeAlarms().get(0).stateValue());

            assertEquals(List.of("cpu", "maintenance"), names(cw.describeAlarms(r -> r.childrenOfAlarmName("service-down"))));
            assertEquals(List.of("service-down"), names(cw.describeAlarms(r -> r.parentsOfAlarmName("cpu"))));

            CloudWatchException del = assertThrows(CloudWatchException.class, () -> cw.deleteAlarms(r -> r.alarmNames("cpu")));
            assertEquals("ValidationError", del.awsErrorDetails().errorCode());
            assertEquals("Cannot delete cpu as there are composite alarm(s) depending on it.", del.awsErrorDetails().errorMessage());
            CloudWatchException missing = assertThrows(CloudWatchException.class, () -> cw.putCompositeAlarm(r -> r.alarmName("x")
                    .alarmRule("ALARM(cpu) OR ALARM(ghost)")));
            assertEquals("Could not save the composite alarm as alarms [ghost] in the alarm rule do not exist", missing.awsErrorDetails().errorMessage());
            cw.deleteAlarms(r -> r.alarmNames("service-down", "cpu"));
            assertEquals(List.of("maintenance"), names(cw.describeAlarms(r -> r.alarmTypes(AlarmType.METRIC_ALARM, AlarmType.COMPOSITE_ALARM))));
        }
    }

    @Test
    void disabledActionsDoNotRunAndTags() throws Exception {
        List<AlarmAction> invoked = new CopyOnWriteArrayList<>();
        try (AutoCloseable reg = AlarmActions.of(Oboro.server().oboro()).register("arn:aws:automate:*:ec2:terminate", a -> {
            if (a.call().account().equals(account)) invoked.add(a);
        }); CloudWatchClient cw = cw()) {
            cw.putMetricAlarm(cpuAlarm("quiet").andThen(r -> r.alarmActions("arn:aws:automate:us-east-1:ec2:terminate")
                    .tags(Tag.builder().key("team").value("ops").build())));
            cw.disableAlarmActions(r -> r.alarmNames("quiet"));
            assertFalse(alarm(cw, "quiet").actionsEnabled());
            cw.setAlarmState(r -> r.alarmName("quiet").stateValue(StateValue.ALARM).stateReason("x"));
            assertTrue(invoked.isEmpty());
            assertTrue(history(cw, "quiet", HistoryItemType.ACTION).isEmpty());
            cw.enableAlarmActions(r -> r.alarmNames("quiet"));
            cw.setAlarmState(r -> r.alarmName("quiet").stateValue(StateValue.OK).stateReason("x"));
            cw.setAlarmState(r -> r.alarmName("quiet").stateValue(StateValue.ALARM).stateReason("y"));
            assertEquals(1, invoked.size());

            String arn = alarm(cw, "quiet").alarmArn();
            assertEquals(List.of(Tag.builder().key("team").value("ops").build()), cw.listTagsForResource(r -> r.resourceARN(arn)).tags());
            cw.tagResource(r -> r.resourceARN(arn).tags(Tag.builder().key("env").value("prod").build(), Tag.builder().key("team").value("sre").build()));
            assertEquals(List.of("team=sre", "env=prod"), cw.listTagsForResource(r -> r.resourceARN(arn)).tags().stream()
                    .map(t -> t.key() + "=" + t.value()).toList());
            cw.untagResource(r -> r.resourceARN(arn).tagKeys("team"));
            assertEquals(List.of("env"), cw.listTagsForResource(r -> r.resourceARN(arn)).tags().stream().map(Tag::key).toList());
            CloudWatchException nf = assertThrows(CloudWatchException.class, () -> cw.listTagsForResource(r -> r.resourceARN(arn + "-nope")));
            assertEquals("ResourceNotFoundException", nf.awsErrorDetails().errorCode());
            assertEquals(404, nf.statusCode());
        }
    }

    @Test
    void putMetricAlarmErrors() {
        try (CloudWatchClient cw = cw()) {
            MetricsTest.assertError("ValidationError", "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400).",
                    () -> cw.putMetricAlarm(cpuAlarm("x").andThen(r -> r.period(3600).evaluationPeriods(25))));
            MetricsTest.assertError("ValidationError", "DatapointsToAlarm must be less than or equal to EvaluationPeriods.",
                    () -> cw.putMetricAlarm(cpuAlarm("x").andThen(r -> r.evaluationPeriods(2).datapointsToAlarm(3))));
            MetricsTest.assertError("InvalidParameterCombination", "The parameters Statistic and ExtendedStatistic are mutually exclusive "
                    + "and you have specified both.", () -> cw.putMetricAlarm(cpuAlarm("x").andThen(r -> r.extendedStatistic("p99"))));
            MetricsTest.assertError("MissingParameter", "The parameter EvaluationPeriods is required.",
                    () -> cw.putMetricAlarm(cpuAlarm("x").andThen(r -> r.evaluationPeriods(null))));
            MetricsTest.assertError("ValidationError", "Invalid region us-west-2 specified. Only us-east-1 is supported.",
                    () -> cw.putMetricAlarm(cpuAlarm("x").andThen(r -> r.alarmActions("arn:aws:automate:us-west-2:ec2:stop"))));
            MetricDataQuery m = MetricDataQuery.builder().id("m").metricStat(MetricStat.builder()
                    .metric(Metric.builder().namespace("Api").metricName("Requests").build()).period(60).stat("Sum").build()).build();
            MetricsTest.assertError("ValidationError", "Exactly one element of the metrics list should return data.",
                    () -> cw.putMetricAlarm(r -> r.alarmName("x").metrics(m, MetricDataQuery.builder().id("e").expression("m*2").build())
                            .evaluationPeriods(1).threshold(1.0).comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)));
            assertTrue(cw.describeAlarms().metricAlarms().isEmpty());
        }
    }
}
