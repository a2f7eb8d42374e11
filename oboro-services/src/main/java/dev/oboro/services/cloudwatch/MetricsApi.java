package dev.oboro.services.cloudwatch;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.DimensionFilter;
import software.amazon.awssdk.services.cloudwatch.model.EntityMetricData;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricStatisticsRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricStatisticsResponse;
import software.amazon.awssdk.services.cloudwatch.model.ListMetricsRequest;
import software.amazon.awssdk.services.cloudwatch.model.ListMetricsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.RecentlyActive;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StatisticSet;
import software.amazon.awssdk.services.cloudwatch.model.StatusCode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** PutMetricData, ListMetrics, GetMetricStatistics, GetMetricData. */
final class MetricsApi {
    private static final long HOUR = 3600_000L;
    private static final long TWO_WEEKS = 14 * 24 * HOUR;
    /** CloudWatch accepts values between 2^-360 and 2^360 in magnitude (and zero). */
    private static final double MAX_VALUE = Math.pow(2, 360);
    private static final double MIN_VALUE = Math.pow(2, -360);

    private final MetricStore store;
    private final MetricQueries queries;

    MetricsApi(MetricStore store, MetricQueries queries) {
        this.store = store;
        this.queries = queries;
    }

    // ------------------------------------------------------------------ PutMetricData

    PutMetricDataResponse putMetricData(Call call, PutMetricDataRequest req) {
        if (req.namespace().startsWith("AWS/")) {
            // "AWS/" namespaces are reserved for AWS services (Oboro's own publish through Metrics)
            throw invalid("The value " + req.namespace() + " for parameter Namespace is invalid.");
        }
        List<MetricDatum> data = new ArrayList<>(req.metricData());
        if (req.hasEntityMetricData()) for (EntityMetricData e : req.entityMetricData()) data.addAll(e.metricData());
        if (data.isEmpty()) throw new AwsException("MissingParameter", "The parameter MetricData is required.", 400);
        ingest(call.scope(), req.namespace(), data, call.now().toEpochMilli());
        return PutMetricDataResponse.builder().build();
    }

    private record Pending(String name, List<MetricStore.Dim> dims, MetricStore.Point point) {
    }

    /** Validates every datum first (a request is stored whole or not at all), then stores them. */
    void ingest(Scope scope, String namespace, List<MetricDatum> data, long now) {
        if (data.size() > 1000) {
            throw invalid("The collection MetricData must not have a size greater than 1000.");
        }
        List<Pending> pending = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) pending.add(check(data.get(i), "MetricData.member." + (i + 1), now));
        Set<String> metricIds = new HashSet<>();
        for (Pending p : pending) {
            store.put(scope, namespace, p.name(), p.dims(), p.point(), now);
            metricIds.add(MetricStore.metricId(namespace, p.name(), p.dims()));
        }
        AlarmEngine engine = AlarmEngine.running(store.oboro());
        if (engine != null) engine.dataArrived(scope, metricIds);
    }

    private static Pending check(MetricDatum d, String at, long now) {
        if (d.metricName() == null || d.metricName().isEmpty()) {
            throw new AwsException("MissingParameter", "The parameter " + at + ".MetricName is required.", 400);
        }
        boolean hasValue = d.value() != null;
        boolean hasValues = d.hasValues() && !d.values().isEmpty();
        StatisticSet ss = d.statisticValues();
        if (hasValue && hasValues) throw exclusive(at, "Value", "Values");
        if (hasValue && ss != null) throw exclusive(at, "Value", "StatisticValues");
        if (hasValues && ss != null) throw exclusive(at, "Values", "StatisticValues");
        if (!hasValue && !hasValues && ss == null) {
            throw new AwsException("InvalidParameterCombination", "At least one of the parameters " + at + ".Value, "
                    + at + ".StatisticValues or " + at + ".Values must be specified.", 400);
        }
        if (d.hasCounts() && !d.counts().isEmpty() && !hasValues) {
            throw new AwsException("InvalidParameterCombination", "The parameter " + at + ".Counts can only be specified with "
                    + at + ".Values.", 400);
        }
        Set<String> names = new HashSet<>();
        if (d.hasDimensions()) {
            for (int j = 0; j < d.dimensions().size(); j++) {
                var dim = d.dimensions().get(j);
                String dp = at + ".Dimensions.member." + (j + 1);
                if (dim.name() == null || dim.name().isEmpty()) throw new AwsException("MissingParameter", "The parameter " + dp + ".Name is required.", 400);
                if (dim.value() == null || dim.value().isEmpty()) throw new AwsException("MissingParameter", "The parameter " + dp + ".Value is required.", 400);
                if (!names.add(dim.name())) {
                    throw invalid("The value " + dim.name() + " for parameter " + dp + ".Name is invalid: dimension names must be unique.");
                }
            }
        }
        long ts = d.timestamp() == null ? now : d.timestamp().toEpochMilli();
        if (ts < now - TWO_WEEKS) {
            throw invalid("The parameter " + at + ".Timestamp must specify a time no more than two weeks in the past.");
        }
        if (ts > now + 2 * HOUR) {
            throw invalid("The parameter " + at + ".Timestamp must specify a time no more than two hours in the future.");
        }
        int res = d.storageResolution() == null ? 60 : d.storageResolution();
        if (res != 1 && res != 60) {
            throw invalid("The value " + res + " for parameter " + at + ".StorageResolution is invalid. Valid values are 1 and 60.");
        }
        // standard resolution keeps one-minute granularity, high resolution one second
        long granularity = res == 60 ? 60_000 : 1000;
        long stored = ts - Math.floorMod(ts, granularity);
        String unit = d.unit() == null ? "None" : d.unitAsString();
        MetricStore.Point p;
        if (hasValue) {
            checkValue(d.value(), at + ".Value");
            p = new MetricStore.Point(stored, unit, single(d.value()), null, null, null, null, null);
        } else if (hasValues) {
            if (d.values().size() > 150) throw invalid("The collection " + at + ".Values must not have a size greater than 150.");
            List<Double> counts = d.hasCounts() && !d.counts().isEmpty() ? d.counts() : null;
            if (counts != null && counts.size() != d.values().size()) {
                throw invalid("The parameters " + at + ".Values and " + at + ".Counts must be of the same size.");
            }
            for (int j = 0; j < d.values().size(); j++) checkValue(d.values().get(j), at + ".Values.member." + (j + 1));
            if (counts != null) {
                for (int j = 0; j < counts.size(); j++) {
                    Double c = counts.get(j);
                    if (c == null || c.isNaN() || c.isInfinite() || c < 0) {
                        throw invalid("The value " + c + " for parameter " + at + ".Counts.member." + (j + 1) + " is invalid.");
                    }
                }
            }
            p = new MetricStore.Point(stored, unit, List.copyOf(d.values()), counts == null ? null : List.copyOf(counts), null, null, null, null);
        } else {
            checkValue(ss.sampleCount(), at + ".StatisticValues.SampleCount");
            checkValue(ss.sum(), at + ".StatisticValues.Sum");
            checkValue(ss.minimum(), at + ".StatisticValues.Minimum");
            checkValue(ss.maximum(), at + ".StatisticValues.Maximum");
            if (ss.sampleCount() <= 0) throw invalid("The value " + ss.sampleCount() + " for parameter " + at + ".StatisticValues.SampleCount is invalid.");
            if (ss.minimum() > ss.maximum()) {
                throw invalid("The parameter " + at + ".StatisticValues.Maximum must be greater than " + at + ".StatisticValues.Minimum.");
            }
            p = new MetricStore.Point(stored, unit, null, null, ss.sampleCount(), ss.sum(), ss.minimum(), ss.maximum());
        }
        return new Pending(d.metricName(), MetricStore.dims(d.dimensions()), p);
    }

    private static final List<Double> ZERO = List.of(0.0);
    private static final List<Double> ONE = List.of(1.0);

    /**
     * One value as a datapoint's list: 0 and 1 (status checks, error counts: most datapoints AWS
     * services publish) share one list, which keeps millions of stored datapoints small.
     */
    private static List<Double> single(double v) {
        if (v == 0.0 && Double.doubleToRawLongBits(v) == 0L) return ZERO;
        return v == 1.0 ? ONE : List.of(v);
    }

    private static void checkValue(Double v, String param) {
        if (v == null) throw new AwsException("MissingParameter", "The parameter " + param + " is required.", 400);
        double a = Math.abs(v);
        if (v.isNaN() || v.isInfinite() || a > MAX_VALUE || (a != 0 && a < MIN_VALUE)) {
            throw invalid("The value " + v + " for parameter " + param + " is invalid.");
        }
    }

    private static AwsException exclusive(String at, String a, String b) {
        return new AwsException("InvalidParameterCombination", "The parameters " + at + "." + a + " and " + at + "." + b
                + " are mutually exclusive and you have specified both.", 400);
    }

    static AwsException invalid(String message) {
        return new AwsException("InvalidParameterValue", message, 400);
    }

    // ------------------------------------------------------------------ ListMetrics

    ListMetricsResponse listMetrics(Call call, ListMetricsRequest req) {
        long now = call.now().toEpochMilli();
        long since = req.recentlyActive() == RecentlyActive.PT3_H ? now - 3 * HOUR : now - MetricStore.LIST_WINDOW_MS;
        List<Map.Entry<String, MetricStore.MetricRow>> rows = new ArrayList<>();
        for (Map.Entry<String, MetricStore.MetricRow> e : store.metrics().entries(call.scope()).entrySet()) {
            MetricStore.MetricRow m = e.getValue();
            if (m.lastPublished() < since) continue;
            if (req.namespace() != null && !req.namespace().equals(m.namespace())) continue;
            if (req.metricName() != null && !req.metricName().equals(m.metricName())) continue;
            if (req.hasDimensions() && !matches(m.dimensions(), req.dimensions())) continue;
            rows.add(e);
        }
        ListMetricsResponse.Builder b = ListMetricsResponse.builder();
        // CloudWatch returns up to 500 metrics per call
        Pagination.Page<Map.Entry<String, MetricStore.MetricRow>> page = Pagination.page(call, req, rows, Map.Entry::getKey, (SdkPojo) b, 500);
        List<Metric> metrics = new ArrayList<>();
        for (Map.Entry<String, MetricStore.MetricRow> e : page.items()) {
            MetricStore.MetricRow m = e.getValue();
            metrics.add(Metric.builder().namespace(m.namespace()).metricName(m.metricName())
                    .dimensions(m.dimensions().stream().map(MetricStore.Dim::sdk).toList()).build());
        }
        return b.metrics(metrics).build();
    }

    /** A metric matches when it has every filtered dimension (with the filtered value, if one is given). */
    private static boolean matches(List<MetricStore.Dim> dims, List<DimensionFilter> filters) {
        for (DimensionFilter f : filters) {
            boolean found = false;
            for (MetricStore.Dim d : dims) {
                if (d.name().equals(f.name()) && (f.value() == null || f.value().equals(d.value()))) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ GetMetricStatistics

    GetMetricStatisticsResponse getMetricStatistics(Call call, GetMetricStatisticsRequest req) {
        long now = call.now().toEpochMilli();
        long start = req.startTime().toEpochMilli(), end = req.endTime().toEpochMilli();
        int period = req.period();
        if (start >= end) throw invalid("The parameter StartTime must be less than the parameter EndTime.");
        // GetMetricStatistics takes 1, 5, 10, 30 or a multiple of 60 (GetMetricData also takes 20)
        if (period < 60 ? !(period == 1 || period == 5 || period == 10 || period == 30) : period % 60 != 0) {
            throw invalid("The parameter Period must be a multiple of 60.");
        }
        if (!req.hasStatistics() && !req.hasExtendedStatistics()) {
            throw new AwsException("InvalidParameterCombination", "Must specify either Statistics or ExtendedStatistics", 400);
        }
        if (req.hasExtendedStatistics()) {
            for (int i = 0; i < req.extendedStatistics().size(); i++) {
                String s = req.extendedStatistics().get(i);
                if (!Agg.isExtended(s)) {
                    throw invalid("The value " + s + " for parameter ExtendedStatistics.member." + (i + 1) + " is not supported.");
                }
            }
        }
        long aligned = MetricQueries.alignStart(start, period, now);
        long periods = (end - aligned + period * 1000L - 1) / (period * 1000L);
        if (periods > 1440) {
            throw new AwsException("InvalidParameterCombination", String.format("You have requested up to %,d datapoints, which exceeds "
                    + "the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", periods), 400);
        }
        List<Datapoint> out = new ArrayList<>();
        queries.buckets(call.scope(), req.namespace(), req.metricName(), MetricStore.dims(req.dimensions()), req.unitAsString(), false,
                aligned, end, period).forEach((t, byUnit) -> byUnit.forEach((unit, agg) -> {
            Datapoint.Builder d = Datapoint.builder().timestamp(Instant.ofEpochMilli(t)).unit(unit);
            for (String s : req.statisticsAsStrings()) {
                switch (s) {
                    case "SampleCount" -> d.sampleCount(agg.sampleCount());
                    case "Sum" -> d.sum(agg.sum());
                    case "Average" -> d.average(agg.average());
                    case "Minimum" -> d.minimum(agg.minimum());
                    case "Maximum" -> d.maximum(agg.maximum());
                    default -> {
                    }
                }
            }
            if (req.hasExtendedStatistics()) {
                Map<String, Double> ext = new LinkedHashMap<>();
                for (String s : req.extendedStatistics()) {
                    Double v = agg.stat(s);
                    if (v != null) ext.put(s, v);
                }
                if (!ext.isEmpty()) d.extendedStatistics(ext);
            }
            out.add(d.build());
        }));
        return GetMetricStatisticsResponse.builder().label(req.metricName()).datapoints(out).build();
    }

    // ------------------------------------------------------------------ GetMetricData

    private record Cell(int result, int position) {
        String key() {
            return String.format("%05d|%07d", result, position);
        }
    }

    GetMetricDataResponse getMetricData(Call call, GetMetricDataRequest req) {
        long now = call.now().toEpochMilli();
        long start = req.startTime().toEpochMilli(), end = req.endTime().toEpochMilli();
        if (start >= end) throw invalid("The parameter StartTime must be less than the parameter EndTime.");
        if (req.metricDataQueries().size() > 500) {
            throw invalid("The collection MetricDataQueries must not have a size greater than 500.");
        }
        List<MetricQueries.Result> results = queries.run(call.scope(), req.metricDataQueries(), start, end, now, "MetricDataQueries");
        boolean ascending = req.scanBy() == ScanBy.TIMESTAMP_ASCENDING;
        List<List<Map.Entry<Long, Double>>> ordered = new ArrayList<>();
        List<Cell> cells = new ArrayList<>();
        for (int r = 0; r < results.size(); r++) {
            List<Map.Entry<Long, Double>> pts = new ArrayList<>((ascending ? results.get(r).points() : results.get(r).points().descendingMap()).entrySet());
            ordered.add(pts);
            for (int i = 0; i < pts.size(); i++) cells.add(new Cell(r, i));
        }
        GetMetricDataResponse.Builder b = GetMetricDataResponse.builder();
        // MaxDatapoints defaults to 100,800 per call
        Pagination.Page<Cell> page = Pagination.page(call, req, cells, Cell::key, (SdkPojo) b, 100_800);
        Map<Integer, List<Cell>> byResult = new LinkedHashMap<>();
        for (Cell c : page.items()) byResult.computeIfAbsent(c.result(), k -> new ArrayList<>()).add(c);
        Cell last = page.items().isEmpty() ? null : page.items().get(page.items().size() - 1);
        List<MetricDataResult> out = new ArrayList<>();
        for (int r = 0; r < results.size(); r++) {
            List<Cell> mine = byResult.getOrDefault(r, List.of());
            List<Instant> ts = new ArrayList<>();
            List<Double> vs = new ArrayList<>();
            for (Cell c : mine) {
                Map.Entry<Long, Double> e = ordered.get(r).get(c.position());
                ts.add(Instant.ofEpochMilli(e.getKey()));
                vs.add(e.getValue());
            }
            boolean partial = page.truncated() && last != null && (r > last.result() ? !ordered.get(r).isEmpty()
                    : r == last.result() && last.position() < ordered.get(r).size() - 1);
            out.add(MetricDataResult.builder().id(results.get(r).id()).label(results.get(r).label())
                    .timestamps(ts).values(vs).statusCode(partial ? StatusCode.PARTIAL_DATA : StatusCode.COMPLETE).build());
        }
        return b.metricDataResults(out).build();
    }
}
