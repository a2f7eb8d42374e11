package dev.oboro.tests.cloudwatch;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.DimensionFilter;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricStatisticsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.cloudwatch.model.StatisticSet;
import software.amazon.awssdk.services.cloudwatch.model.StatusCode;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PutMetricData, GetMetricStatistics, GetMetricData and ListMetrics through the SDK v2 client (rpcv2-cbor). */
@ResourceLock(Oboro.CLOCK)
class MetricsTest {
    final String account = Oboro.newAccount();

    static Instant now() {
        return Oboro.server().oboro().clock().instant();
    }

    /** A whole minute ten minutes ago: the start of the data in each test. */
    static Instant base() {
        return now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
    }

    CloudWatchClient cw() {
        return Oboro.client(CloudWatchClient.builder(), account);
    }

    static Dimension dim(String n, String v) {
        return Dimension.builder().name(n).value(v).build();
    }

    static MetricDatum datum(String name, double value, Instant at, Dimension... dims) {
        return MetricDatum.builder().metricName(name).value(value).timestamp(at).dimensions(dims).unit(StandardUnit.PERCENT).build();
    }

    @Test
    void statisticsPerPeriodFromValuesAlignedToTheStartTime() {
        Instant t0 = base();
        try (CloudWatchClient cw = cw()) {
            cw.putMetricData(r -> r.namespace("App").metricData(
                    datum("Cpu", 10, t0.plusSeconds(5), dim("Host", "a")),
                    datum("Cpu", 30, t0.plusSeconds(50), dim("Host", "a")),
                    datum("Cpu", 80, t0.plusSeconds(70), dim("Host", "a")),
                    datum("Cpu", 999, t0.plusSeconds(70), dim("Host", "b"))));
            GetMetricStatisticsResponse r = cw.getMetricStatistics(q -> q.namespace("App").metricName("Cpu")
                    .dimensions(dim("Host", "a")).startTime(t0.plusSeconds(20)).endTime(t0.plusSeconds(180)).period(60)
                    .statistics(Statistic.SAMPLE_COUNT, Statistic.SUM, Statistic.AVERAGE, Statistic.MINIMUM, Statistic.MAXIMUM)
                    .extendedStatistics("p50"));
            assertEquals("Cpu", r.label());
            List<Datapoint> dps = r.datapoints();
            assertEquals(2, dps.size(), dps.toString());
            // StartTime is rounded down to the minute: periods start at t0 and t0+60
            Datapoint first = dps.get(0), second = dps.get(1);
            assertEquals(t0, first.timestamp());
            assertEquals(2.0, first.sampleCount());
            assertEquals(40.0, first.sum());
            assertEquals(20.0, first.average());
            assertEquals(10.0, first.minimum());
            assertEquals(30.0, first.maximum());
            assertEquals(StandardUnit.PERCENT, first.unit());
            assertEquals(10.0, first.extendedStatistics().get("p50"));
            assertEquals(t0.plusSeconds(60), second.timestamp());
            assertEquals(80.0, second.maximum());
        }
    }

    @Test
    void valuesWithCountsStatisticSetsAndPercentiles() {
        Instant t0 = base();
        try (CloudWatchClient cw = cw()) {
            cw.putMetricData(r -> r.namespace("App").metricData(
                    MetricDatum.builder().metricName("Latency").timestamp(t0).unit(StandardUnit.MILLISECONDS)
                            .values(10.0, 20.0, 100.0).counts(5.0, 4.0, 1.0).build()));
            Datapoint d = cw.getMetricStatistics(q -> q.namespace("App").metricName("Latency").startTime(t0)
                    .endTime(t0.plusSeconds(60)).period(60).statistics(Statistic.SAMPLE_COUNT, Statistic.SUM, Statistic.MAXIMUM)
                    .extendedStatistics("p50", "p90", "p100")).datapoints().get(0);
            assertEquals(10.0, d.sampleCount());
            assertEquals(50 + 80 + 100.0, d.sum());
            assertEquals(100.0, d.maximum());
            assertEquals(10.0, d.extendedStatistics().get("p50"));
            assertEquals(20.0, d.extendedStatistics().get("p90"));
            assertEquals(100.0, d.extendedStatistics().get("p100"));
            assertNull(d.average(), "only the requested statistics are returned");

            // a statistic set has no individual values: no percentiles for its period
            cw.putMetricData(r -> r.namespace("App").metricData(MetricDatum.builder().metricName("Batch").timestamp(t0)
                    .statisticValues(StatisticSet.builder().sampleCount(4.0).sum(10.0).minimum(1.0).maximum(4.0).build()).build()));
            Datapoint s = cw.getMetricStatistics(q -> q.namespace("App").metricName("Batch").startTime(t0)
                    .endTime(t0.plusSeconds(60)).period(60).statistics(Statistic.AVERAGE).extendedStatistics("p99")).datapoints().get(0);
            assertEquals(2.5, s.average());
            assertTrue(s.extendedStatistics().isEmpty(), s.toString());
        }
    }

    @Test
    void unitFilterAndDimensionsMustMatchExactly() {
        Instant t0 = base();
        try (CloudWatchClient cw = cw()) {
            cw.putMetricData(r -> r.namespace("App").metricData(
                    MetricDatum.builder().metricName("Size").timestamp(t0).value(1.0).unit(StandardUnit.BYTES).build(),
                    MetricDatum.builder().metricName("Size").timestamp(t0).value(2.0).unit(StandardUnit.KILOBYTES).build(),
                    MetricDatum.builder().metricName("Size").timestamp(t0).value(3.0).dimensions(dim("A", "1")).build()));
            List<Datapoint> all = cw.getMetricStatistics(q -> q.namespace("App").metricName("Size").startTime(t0)
                    .endTime(t0.plusSeconds(60)).period(60).statistics(Statistic.SUM)).datapoints();
            assertEquals(2, all.size(), "one datapoint per unit: " + all);
            List<Datapoint> kb = cw.getMetricStatistics(q -> q.namespace("App").metricName("Size").startTime(t0)
                    .endTime(t0.plusSeconds(60)).period(60).statistics(Statistic.SUM).unit(StandardUnit.KILOBYTES)).datapoints();
            assertEquals(1, kb.size());
            assertEquals(2.0, kb.get(0).sum());
            List<Datapoint> dimmed = cw.getMetricStatistics(q -> q.namespace("App").metricName("Size").dimensions(dim("A", "1"))
                    .startTime(t0).endTime(t0.plusSeconds(60)).period(60).statistics(Statistic.SUM)).datapoints();
            assertEquals(3.0, dimmed.get(0).sum());
            assertEquals(StandardUnit.NONE, dimmed.get(0).unit());
        }
    }

    @Test
    void listMetricsFiltersByNamespaceNameAndDimensions() {
        Instant t0 = base();
        try (CloudWatchClient cw = cw()) {
            cw.putMetricData(r -> r.namespace("Shop").metricData(
                    datum("Orders", 1, t0, dim("Region", "eu"), dim("Tier", "gold")),
                    datum("Orders", 1, t0, dim("Region", "us")),
                    datum("Refunds", 1, t0, dim("Region", "eu"))));
            cw.putMetricData(r -> r.namespace("Other").metricData(datum("Orders", 1, t0)));
            assertEquals(3, cw.listMetrics(r -> r.namespace("Shop")).metrics().size());
            assertEquals(3, cw.listMetrics(r -> r.metricName("Orders")).metrics().size());
            List<Metric> eu = cw.listMetrics(r -> r.namespace("Shop").dimensions(DimensionFilter.builder().name("Region").value("eu").build())).metrics();
            assertEquals(2, eu.size());
            List<Metric> tiered = cw.listMetrics(r -> r.dimensions(DimensionFilter.builder().name("Tier").build())).metrics();
            assertEquals(1, tiered.size());
            Metric m = tiered.get(0);
            assertEquals("Orders", m.metricName());
            assertEquals(List.of(dim("Region", "eu"), dim("Tier", "gold")), m.dimensions());
            assertEquals(4, cw.listMetrics(r -> r.recentlyActive("PT3H")).metrics().size());
            // ListMetrics shows metrics that received data in the past two weeks
            Oboro.advance(Duration.ofDays(15));
            assertEquals(0, cw.listMetrics(r -> r.namespace("Shop")).metrics().size());
        }
    }

    /**
     * Retention: after 15 days, 1-minute datapoints are aggregated to 5 minutes, and a query of that
     * age must ask for a multiple of 5 minutes; after 455 days the data is gone.
     */
    @Test
    void oldDatapointsAreAggregatedThenExpire() {
        Instant t0 = now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        try (CloudWatchClient cw = cw()) {
            List<MetricDatum> minutes = new ArrayList<>();
            for (int m = 0; m < 10; m++) minutes.add(datum("Aging", m, t0.plus(Duration.ofMinutes(m))));
            cw.putMetricData(r -> r.namespace("Retention").metricData(minutes));
            Oboro.advance(Duration.ofDays(16));
            GetMetricStatisticsResponse byMinute = cw.getMetricStatistics(q -> q.namespace("Retention").metricName("Aging")
                    .startTime(t0).endTime(t0.plus(Duration.ofMinutes(10))).period(60).statistics(Statistic.SAMPLE_COUNT));
            assertEquals(List.of(), byMinute.datapoints(), "a start 16 days ago needs a period of a multiple of 300 seconds");
            GetMetricStatisticsResponse byFive = cw.getMetricStatistics(q -> q.namespace("Retention").metricName("Aging")
                    .startTime(t0).endTime(t0.plus(Duration.ofMinutes(10))).period(300)
                    .statistics(Statistic.SAMPLE_COUNT, Statistic.SUM, Statistic.MINIMUM, Statistic.MAXIMUM));
            List<Datapoint> dps = new ArrayList<>(byFive.datapoints());
            dps.sort(java.util.Comparator.comparing(Datapoint::timestamp));
            assertEquals(2, dps.size(), dps.toString());
            assertEquals(5.0, dps.get(0).sampleCount());
            assertEquals(0 + 1 + 2 + 3 + 4, dps.get(0).sum());
            assertEquals(9.0, dps.get(1).maximum());
            assertEquals(5.0, dps.get(1).minimum());
            Oboro.advance(Duration.ofDays(440));
            GetMetricStatisticsResponse gone = cw.getMetricStatistics(q -> q.namespace("Retention").metricName("Aging")
                    .startTime(t0).endTime(t0.plus(Duration.ofMinutes(10))).period(3600).statistics(Statistic.SAMPLE_COUNT));
            assertEquals(List.of(), gone.datapoints());
        }
    }

    @Test
    void putMetricDataErrors() {
        Instant t0 = base();
        try (CloudWatchClient cw = cw()) {
            assertError("InvalidParameterValue", "The value AWS/EC2 for parameter Namespace is invalid.",
                    () -> cw.putMetricData(r -> r.namespace("AWS/EC2").metricData(datum("X", 1, t0))));
            assertError("InvalidParameterCombination", "The parameters MetricData.member.1.Value and MetricData.member.1.Values "
                    + "are mutually exclusive and you have specified both.",
                    () -> cw.putMetricData(r -> r.namespace("App").metricData(MetricDatum.builder().metricName("X").value(1.0).values(1.0).build())));
            assertError("InvalidParameterValue", "The parameters MetricData.member.2.Values and MetricData.member.2.Counts must be of the same size.",
                    () -> cw.putMetricData(r -> r.namespace("App").metricData(datum("X", 1, t0),
                            MetricDatum.builder().metricName("X").values(1.0, 2.0).counts(1.0).build())));
            assertError("InvalidParameterValue", "The parameter MetricData.member.1.Timestamp must specify a time no more than two weeks in the past.",
                    () -> cw.putMetricData(r -> r.namespace("App").metricData(datum("X", 1, now().minus(Duration.ofDays(15))))));
            assertError("InvalidParameterValue", "The value 5 for parameter MetricData.member.1.StorageResolution is invalid. Valid values are 1 and 60.",
                    () -> cw.putMetricData(r -> r.namespace("App").metricData(MetricDatum.builder().metricName("X").value(1.0).storageResolution(5).build())));
            assertError("MissingParameter", null, () -> cw.putMetricData(r -> r.namespace("App").metricData(
                    MetricDatum.builder().value(1.0).build())));
            // nothing of a refused request is stored
            assertTrue(cw.listMetrics(r -> r.namespace("App").metricName("X")).metrics().isEmpty());
        }
    }

    @Test
    void getMetricStatisticsErrors() {
        Instant t0 = base();
        try (CloudWatchClient cw = cw()) {
            assertError("InvalidParameterCombination", "You have requested up to 1,441 datapoints, which exceeds the limit of 1,440. "
                            + "You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
                    () -> cw.getMetricStatistics(q -> q.namespace("App").metricName("Cpu").startTime(t0)
                            .endTime(t0.plus(Duration.ofMinutes(1441))).period(60).statistics(Statistic.SUM)));
            assertError("InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.",
                    () -> cw.getMetricStatistics(q -> q.namespace("App").metricName("Cpu").startTime(t0).endTime(t0)
                            .period(60).statistics(Statistic.SUM)));
            assertError("InvalidParameterValue", "The parameter Period must be a multiple of 60.",
                    () -> cw.getMetricStatistics(q -> q.namespace("App").metricName("Cpu").startTime(t0).endTime(t0.plusSeconds(600))
                            .period(90).statistics(Statistic.SUM)));
            assertError("InvalidParameterCombination", "Must specify either Statistics or ExtendedStatistics",
                    () -> cw.getMetricStatistics(q -> q.namespace("App").metricName("Cpu").startTime(t0).endTime(t0.plusSeconds(600)).period(60)));
            assertError("MissingParameter", "The parameter Period is required.",
                    () -> cw.getMetricStatistics(q -> q.namespace("App").metricName("Cpu").startTime(t0).endTime(t0.plusSeconds(600))
                            .statistics(Statistic.SUM)));
        }
    }

    static MetricDataQuery stat(String id, String metric, String stat, boolean returnData) {
        return MetricDataQuery.builder().id(id).returnData(returnData).metricStat(MetricStat.builder()
                .metric(Metric.builder().namespace("Web").metricName(metric).build()).period(60).stat(stat).build()).build();
    }

    static MetricDataQuery expr(String id, String expression) {
        return MetricDataQuery.builder().id(id).expression(expression).build();
    }

    @Test
    void getMetricDataWithMetricMath() {
        Instant t0 = base();
        try (CloudWatchClient cw = cw()) {
            List<MetricDatum> data = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                data.add(MetricDatum.builder().metricName("Requests").timestamp(t0.plusSeconds(60L * i)).value(100.0 * (i + 1)).build());
                if (i != 2) data.add(MetricDatum.builder().metricName("Errors").timestamp(t0.plusSeconds(60L * i)).value(5.0 * (i + 1)).build());
            }
            cw.putMetricData(r -> r.namespace("Web").metricData(data));
            GetMetricDataResponse r = cw.getMetricData(q -> q.startTime(t0).endTime(t0.plusSeconds(240)).scanBy(ScanBy.TIMESTAMP_ASCENDING)
                    .metricDataQueries(stat("req", "Requests", "Sum", false), stat("err", "Errors", "Sum", true),
                            expr("rate", "100 * err / req").toBuilder().label("Error rate").build(),
                            expr("total", "SUM([req, err])"),
                            expr("filled", "FILL(err, 0)"),
                            expr("growth", "DIFF(req)"),
                            expr("avgall", "AVG(req)"),
                            expr("high", "IF(req > 250, req)")));
            List<MetricDataResult> res = r.metricDataResults();
            assertEquals(List.of("err", "rate", "total", "filled", "growth", "avgall", "high"), res.stream().map(MetricDataResult::id).toList(),
                    "only ReturnData queries, in request order");
            MetricDataResult err = res.get(0);
            assertEquals("Errors", err.label());
            assertEquals(List.of(t0, t0.plusSeconds(60), t0.plusSeconds(180)), err.timestamps());
            assertEquals(List.of(5.0, 10.0, 20.0), err.values());
            assertEquals(StatusCode.COMPLETE, err.statusCode());
            MetricDataResult rate = res.get(1);
            assertEquals("Error rate", rate.label());
            assertEquals(List.of(5.0, 5.0, 5.0), rate.values(), "series meet on the timestamps both have");
            assertEquals(List.of(105.0, 210.0, 300.0, 420.0), res.get(2).values());
            assertEquals(List.of(5.0, 10.0, 0.0, 20.0), res.get(3).values());
            assertEquals(List.of(100.0, 100.0, 100.0), res.get(4).values());
            assertEquals(250.0, res.get(5).values().get(0), "a scalar is drawn over every period");
            assertEquals(4, res.get(5).values().size());
            assertEquals(List.of(300.0, 400.0), res.get(6).values());

            // newest first by default
            GetMetricDataResponse desc = cw.getMetricData(q -> q.startTime(t0).endTime(t0.plusSeconds(240))
                    .metricDataQueries(stat("req", "Requests", "Maximum", true)));
            assertEquals(List.of(400.0, 300.0, 200.0, 100.0), desc.metricDataResults().get(0).values());
        }
    }

    @Test
    void getMetricDataPagesByMaxDatapoints() {
        Instant t0 = base();
        try (CloudWatchClient cw = cw()) {
            List<MetricDatum> data = new ArrayList<>();
            for (int i = 0; i < 5; i++) data.add(MetricDatum.builder().metricName("Requests").timestamp(t0.plusSeconds(60L * i)).value((double) i).build());
            cw.putMetricData(r -> r.namespace("Web").metricData(data));
            List<Double> seen = new ArrayList<>();
            String token = null;
            int pages = 0;
            do {
                String t = token;
                GetMetricDataResponse r = cw.getMetricData(q -> q.startTime(t0).endTime(t0.plusSeconds(300)).maxDatapoints(2).nextToken(t)
                        .scanBy(ScanBy.TIMESTAMP_ASCENDING).metricDataQueries(stat("m", "Requests", "Sum", true)));
                seen.addAll(r.metricDataResults().get(0).values());
                assertEquals(r.nextToken() == null ? StatusCode.COMPLETE : StatusCode.PARTIAL_DATA, r.metricDataResults().get(0).statusCode());
                token = r.nextToken();
                pages++;
            } while (token != null);
            assertEquals(List.of(0.0, 1.0, 2.0, 3.0, 4.0), seen);
            assertEquals(3, pages);
        }
    }

    @Test
    void getMetricDataErrors() {
        Instant t0 = base();
        try (CloudWatchClient cw = cw()) {
            assertError("ValidationError", "Error in expression e1: Unrecognized function NOPE",
                    () -> cw.getMetricData(q -> q.startTime(t0).endTime(t0.plusSeconds(60)).metricDataQueries(expr("e1", "NOPE(1)"))));
            assertError("ValidationError", "Error in expression e1: Unrecognized metric or expression id m9",
                    () -> cw.getMetricData(q -> q.startTime(t0).endTime(t0.plusSeconds(60)).metricDataQueries(expr("e1", "m9 * 2"))));
            CloudWatchException e = assertThrows(CloudWatchException.class, () -> cw.getMetricData(q -> q.startTime(t0)
                    .endTime(t0.plusSeconds(60)).metricDataQueries(MetricDataQuery.builder().id("Bad").expression("1").build())));
            assertEquals("ValidationError", e.awsErrorDetails().errorCode());
        }
    }

    static void assertError(String code, String message, org.junit.jupiter.api.function.Executable call) {
        CloudWatchException e = assertThrows(CloudWatchException.class, call);
        assertEquals(code, e.awsErrorDetails().errorCode(), e.toString());
        assertEquals(400, e.statusCode());
        if (message != null) assertEquals(message, e.awsErrorDetails().errorMessage());
        assertNotNull(e.requestId());
        assertFalse(e.awsErrorDetails().errorMessage().isEmpty());
    }
}
