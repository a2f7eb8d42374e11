package dev.oboro.services.cloudwatch;

import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where metrics and their datapoints live. A metric is its namespace, name and dimension set; its
 * id is a hash of those. Each published datum is one row of {@code cloudwatch.datapoints} keyed
 * {@code <metric id>|<15-digit epoch millis>|<seq>}, so a statistics query scans exactly the rows of
 * one metric in its time range ({@link Table#range}).
 */
final class MetricStore {
    static final String METRICS = "cloudwatch.metrics";
    static final String POINTS = "cloudwatch.datapoints";
    /** ListMetrics shows metrics that received data in the last two weeks. */
    static final long LIST_WINDOW_MS = 14L * 24 * 3600 * 1000;
    /** The last-published time of a metric is refreshed at most once a minute (one write, not one per datum). */
    private static final long TOUCH_MS = 60_000;

    record Dim(String name, String value) {
        Dimension sdk() {
            return Dimension.builder().name(name).value(value).build();
        }
    }

    /** A metric: what ListMetrics returns, and when it last received data (ingestion time). */
    record MetricRow(String namespace, String metricName, List<Dim> dimensions, long lastPublished) {
    }

    /**
     * One published datum: raw values (with optional counts) or a statistic set; {@code at} is the
     * timestamp truncated to the storage resolution.
     */
    record Point(long at, String unit, List<Double> values, List<Double> counts,
                 Double sampleCount, Double sum, Double min, Double max) {
    }

    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime() & 0xFFFFFFFFFFL);

    private final Oboro oboro;
    private final Table<MetricRow> metrics;
    private final Table<Point> points;

    MetricStore(Oboro oboro) {
        this(oboro, true);
    }

    MetricStore(Oboro oboro, boolean armRetention) {
        this.oboro = oboro;
        this.metrics = oboro.store().table(METRICS, MetricRow.class);
        this.points = oboro.store().table(POINTS, Point.class);
        if (armRetention) MetricRetention.arm(oboro);
    }

    Oboro oboro() {
        return oboro;
    }

    Table<MetricRow> metrics() {
        return metrics;
    }

    static List<Dim> dims(List<Dimension> dimensions) {
        List<Dim> out = new ArrayList<>();
        if (dimensions != null) for (Dimension d : dimensions) out.add(new Dim(d.name(), d.value()));
        out.sort(Comparator.comparing(Dim::name).thenComparing(Dim::value, Comparator.nullsFirst(Comparator.naturalOrder())));
        return out;
    }

    static String metricId(String namespace, String metricName, List<Dim> sortedDims) {
        StringBuilder sb = new StringBuilder();
        sb.append(namespace).append('\n').append(metricName);
        for (Dim d : sortedDims) sb.append('\n').append(d.name()).append('=').append(d.value());
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores one datum durably and marks its metric as recently published. */
    void put(Scope scope, String namespace, String metricName, List<Dim> sortedDims, Point p, long nowMs) {
        String id = metricId(namespace, metricName, sortedDims);
        metrics.update(scope, id, old -> old != null && old.lastPublished() > nowMs - TOUCH_MS
                ? old : new MetricRow(namespace, metricName, sortedDims, nowMs));
        points.put(scope, id + "|" + pad(p.at()) + "|" + Long.toString(SEQ.incrementAndGet(), 36), p);
    }

    /** Replaces datapoints of a metric (by key) with one that stands for them all (retention's aggregation). */
    void replace(Scope scope, String metricId, List<String> keys, Point merged) {
        points.put(scope, metricId + "|" + pad(merged.at()) + "|" + Long.toString(SEQ.incrementAndGet(), 36), merged);
        for (String key : keys) points.remove(scope, key);
    }

    void remove(Scope scope, String key) {
        points.remove(scope, key);
    }

    /** The datapoints of a metric with timestamps in [fromMs, toMs), in time order. */
    NavigableMap<String, Point> scan(Scope scope, String metricId, long fromMs, long toMs) {
        return points.range(scope, metricId + "|" + pad(Math.max(0, fromMs)), metricId + "|" + pad(Math.max(0, toMs)));
    }

    /** Whether the metric has any datapoint at or after {@code fromMs} (including ones published ahead of time). */
    boolean hasDataSince(Scope scope, String metricId, long fromMs) {
        return !points.range(scope, metricId + "|" + pad(Math.max(0, fromMs)), metricId + "|~").isEmpty();
    }

    private static String pad(long ms) {
        String s = Long.toString(ms);
        return "0".repeat(Math.max(0, 15 - s.length())) + s;
    }
}
