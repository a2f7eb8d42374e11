package dev.oboro.services.lambda;

import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.services.cloudwatch.Metrics;
import dev.oboro.services.logs.LogWriter;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where invocations report: log lines to CloudWatch Logs ({@code /aws/lambda/<name>}, one stream
 * per execution environment) and metrics to CloudWatch ({@code AWS/Lambda}), through the in-process
 * doors those services open for AWS services ({@link LogWriter}, {@link Metrics}: the public
 * PutMetricData refuses {@code AWS/} namespaces), off the invocation's path on one background
 * thread that batches them.
 */
final class Telemetry {
    private static final Logger LOG = Logger.getLogger(Telemetry.class.getName());

    private record LogBatch(Scope scope, String group, String stream, List<LogWriter.Event> events) {
    }

    private record Metric(Scope scope, MetricDatum datum) {
    }

    private final Oboro oboro;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();

    Telemetry(Oboro oboro) {
        this.oboro = oboro;
        Thread.ofVirtual().name("lambda-telemetry").start(this::drain);
    }

    void reset() {
    }

    /** Queues log lines of one environment's stream; each line is one event. */
    void log(Scope scope, String group, String stream, String text, Instant at) {
        if (text.isEmpty()) return;
        List<LogWriter.Event> events = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) events.add(new LogWriter.Event(at, line));
        }
        queue.add(new LogBatch(scope, group, stream, events));
    }

    /** Queues the metrics of one invocation (or throttle) in AWS/Lambda. */
    void invocation(Scope scope, String function, String resource, String executedVersion, Double durationMs, boolean error,
                    boolean throttled, int concurrent, Instant at) {
        List<Dimension> fn = List.of(Dimension.builder().name("FunctionName").value(function).build());
        List<List<Dimension>> dims = new ArrayList<>();
        dims.add(fn);
        dims.add(List.of());
        if (resource != null) {
            dims.add(List.of(Dimension.builder().name("FunctionName").value(function).build(),
                    Dimension.builder().name("Resource").value(resource).build()));
        }
        if (executedVersion != null && !LambdaState.LATEST.equals(executedVersion)) {
            dims.add(List.of(Dimension.builder().name("FunctionName").value(function).build(),
                    Dimension.builder().name("ExecutedVersion").value(executedVersion).build()));
        }
        for (List<Dimension> d : dims) {
            if (throttled) {
                queue.add(new Metric(scope, datum("Throttles", 1, StandardUnit.COUNT, d, at)));
                continue;
            }
            queue.add(new Metric(scope, datum("Invocations", 1, StandardUnit.COUNT, d, at)));
            queue.add(new Metric(scope, datum("Errors", error ? 1 : 0, StandardUnit.COUNT, d, at)));
            if (durationMs != null) queue.add(new Metric(scope, datum("Duration", durationMs, StandardUnit.MILLISECONDS, d, at)));
        }
        queue.add(new Metric(scope, datum("ConcurrentExecutions", concurrent, StandardUnit.COUNT, fn, at)));
        queue.add(new Metric(scope, datum("ConcurrentExecutions", concurrent, StandardUnit.COUNT, List.of(), at)));
    }

    /**
     * The provisioned-concurrency metrics of one invocation of a version or alias that has a
     * provisioned concurrency config: whether a provisioned environment served it (else it spilled
     * over to an on-demand one), and how many provisioned environments were busy.
     */
    void provisioned(Scope scope, String function, String resource, boolean served, int busyProvisioned, Instant at) {
        List<List<Dimension>> dims = List.of(List.of(Dimension.builder().name("FunctionName").value(function).build()),
                List.of(Dimension.builder().name("FunctionName").value(function).build(),
                        Dimension.builder().name("Resource").value(function + ":" + resource).build()));
        for (List<Dimension> d : dims) {
            queue.add(new Metric(scope, datum(served ? "ProvisionedConcurrencyInvocations" : "ProvisionedConcurrencySpilloverInvocations",
                    1, StandardUnit.COUNT, d, at)));
            queue.add(new Metric(scope, datum("ProvisionedConcurrentExecutions", busyProvisioned, StandardUnit.COUNT, d, at)));
        }
    }

    private static MetricDatum datum(String name, double value, StandardUnit unit, List<Dimension> dims, Instant at) {
        return MetricDatum.builder().metricName(name).value(value).unit(unit).dimensions(dims).timestamp(at).build();
    }

    private void drain() {
        List<Object> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch, 5000);
                flush(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "lambda telemetry failed", e);
            } finally {
                batch.clear();
            }
        }
    }

    private void flush(List<Object> batch) {
        boolean logs = oboro.services().has("logs");
        boolean metrics = oboro.services().has("cloudwatch");
        Map<String, LogBatch> byStream = new LinkedHashMap<>();
        Map<Scope, List<MetricDatum>> byScope = new LinkedHashMap<>();
        for (Object o : batch) {
            if (o instanceof LogBatch l && logs) {
                byStream.merge(l.scope() + "|" + l.group() + "|" + l.stream(), l, (a, b) -> {
                    List<LogWriter.Event> all = new ArrayList<>(a.events());
                    all.addAll(b.events());
                    return new LogBatch(a.scope(), a.group(), a.stream(), all);
                });
            } else if (o instanceof Metric m && metrics) {
                byScope.computeIfAbsent(m.scope(), k -> new ArrayList<>()).add(m.datum());
            }
        }
        if (!byStream.isEmpty()) {
            LogWriter writer = LogWriter.of(oboro);
            byStream.values().forEach(b -> writer.append(b.scope().account(), b.scope().region(), b.group(), b.stream(), b.events()));
        }
        byScope.forEach((scope, data) -> {
            for (int i = 0; i < data.size(); i += 1000) {
                Metrics.put(oboro, scope.account(), scope.region(), "AWS/Lambda", data.subList(i, Math.min(data.size(), i + 1000)));
            }
        });
    }
}
