package dev.oboro.services.cloudwatch;

import dev.oboro.core.Call;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How Oboro's services publish their AWS metrics ({@code AWS/EC2}, {@code AWS/Lambda}, ...) into
 * CloudWatch, in process. The datapoints are stored exactly as if a client had sent PutMetricData
 * (same validation, same storage; alarms on them evaluate as usual), except that the reserved
 * {@code AWS/} namespaces are allowed.
 *
 * <pre>{@code
 * Metrics.put(call, "AWS/Lambda", "Invocations", Map.of("FunctionName", name), 1, "Count");
 * Metrics.put(oboro, account, region, "AWS/EC2", "CPUUtilization", Map.of("InstanceId", id), 12.5, "Percent", at);
 * }</pre>
 */
public final class Metrics {
    private Metrics() {
    }

    /** One value, now, in the account and region of {@code call}. */
    public static void put(Call call, String namespace, String metricName, Map<String, String> dimensions, double value, String unit) {
        put(call.oboro(), call.account(), call.region(), namespace, metricName, dimensions, value, unit, call.now());
    }

    /** One value at a timestamp (null: now) in an account and region; {@code unit} is a StandardUnit name or null. */
    public static void put(Oboro oboro, String account, String region, String namespace, String metricName,
                           Map<String, String> dimensions, double value, String unit, Instant timestamp) {
        List<Dimension> dims = new ArrayList<>();
        if (dimensions != null) dimensions.forEach((k, v) -> dims.add(Dimension.builder().name(k).value(v).build()));
        put(oboro, account, region, namespace, List.of(MetricDatum.builder().metricName(metricName).dimensions(dims)
                .value(value).unit(unit).timestamp(timestamp).build()));
    }

    /** Any data PutMetricData accepts (values with counts, statistic sets, storage resolution). */
    public static void put(Oboro oboro, String account, String region, String namespace, List<MetricDatum> data) {
        MetricStore store = new MetricStore(oboro);
        new MetricsApi(store, new MetricQueries(store)).ingest(new Scope(account, region), namespace, data,
                oboro.clock().instant().toEpochMilli());
    }
}
