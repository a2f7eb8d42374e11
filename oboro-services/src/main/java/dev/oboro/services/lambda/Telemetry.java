package dev.oboro.services.lambda;

import dev.oboro.core.Call;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;
import software.amazon.awssdk.services.cloudwatchlogs.model.CreateLogGroupRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.CreateLogStreamRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where invocations report: log lines to CloudWatch Logs ({@code /aws/lambda/<name>}, one stream
 * per execution environment) and metrics to CloudWatch ({@code AWS/Lambda}). Both go through the
 * other services' handlers with the same typed requests a client would send
 * ({@code CreateLogGroup}/{@code CreateLogStream}/{@code PutLogEvents}, {@code PutMetricData}),
 * off the invocation's path on one background thread that batches them. When Oboro has no such
 * service (yet) the records are dropped.
 */
final class Telemetry {
    private static final Logger LOG = Logger.getLogger(Telemetry.class.getName());

    private record LogBatch(Scope scope, String group, String stream, List<InputLogEvent> events) {
    }

    private record Metric(Scope scope, MetricDatum datum) {
    }

    private final Oboro oboro;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Set<String> knownStreams = ConcurrentHashMap.newKeySet();

    Telemetry(Oboro oboro) {
        this.oboro = oboro;
        Thread.ofVirtual().name("lambda-telemetry").start(this::drain);
    }

    void reset() {
        knownStreams.clear();
    }

    /** Queues log lines of one environment's stream; each line is one event. */
    void log(Scope scope, String group, String stream, String text, Instant at) {
        if (text.isEmpty()) return;
        List<InputLogEvent> events = new ArrayList<>();
        long ts = at.toEpochMilli();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) events.add(InputLogEvent.builder().timestamp(ts).message(line).build());
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
        boolean logs = oboro.services().has("logs") && oboro.services().handles("logs", PutLogEventsRequest.class);
        boolean metrics = oboro.services().has("cloudwatch") && oboro.services().handles("cloudwatch", PutMetricDataRequest.class);
        Map<String, LogBatch> byStream = new LinkedHashMap<>();
        Map<Scope, List<MetricDatum>> byScope = new LinkedHashMap<>();
        for (Object o : batch) {
            if (o instanceof LogBatch l && logs) {
                byStream.merge(l.scope() + "|" + l.group() + "|" + l.stream(), l, (a, b) -> {
                    List<InputLogEvent> all = new ArrayList<>(a.events());
                    all.addAll(b.events());
                    return new LogBatch(a.scope(), a.group(), a.stream(), all);
                });
            } else if (o instanceof Metric m && metrics) {
                byScope.computeIfAbsent(m.scope(), k -> new ArrayList<>()).add(m.datum());
            }
        }
        byStream.values().forEach(this::putLogs);
        byScope.forEach((scope, data) -> {
            Call call = Call.internal(oboro, scope.account(), scope.region(), "lambda");
            for (int i = 0; i < data.size(); i += 1000) {
                List<MetricDatum> part = data.subList(i, Math.min(data.size(), i + 1000));
                try {
                    oboro.services().call(call, "cloudwatch", PutMetricDataRequest.builder().namespace("AWS/Lambda").metricData(part).build());
                } catch (AwsException e) {
                    LOG.log(Level.FINE, "PutMetricData for Lambda failed: " + e.getMessage());
                }
            }
        });
    }

    private void putLogs(LogBatch b) {
        Call call = Call.internal(oboro, b.scope().account(), b.scope().region(), "lambda");
        String key = b.scope() + "|" + b.group() + "|" + b.stream();
        if (!knownStreams.contains(key)) {
            ignoreExists(() -> oboro.services().call(call, "logs", CreateLogGroupRequest.builder().logGroupName(b.group()).build()));
            ignoreExists(() -> oboro.services().call(call, "logs", CreateLogStreamRequest.builder().logGroupName(b.group()).logStreamName(b.stream()).build()));
            knownStreams.add(key);
        }
        try {
            for (int i = 0; i < b.events().size(); i += 10000) {
                oboro.services().call(call, "logs", PutLogEventsRequest.builder().logGroupName(b.group()).logStreamName(b.stream())
                        .logEvents(b.events().subList(i, Math.min(b.events().size(), i + 10000))).build());
            }
        } catch (AwsException e) {
            if (e.code().equals("ResourceNotFoundException")) knownStreams.remove(key); // deleted meanwhile: recreate next time
            LOG.log(Level.FINE, "PutLogEvents for Lambda failed: " + e.getMessage());
        }
    }

    private static void ignoreExists(Runnable r) {
        try {
            r.run();
        } catch (AwsException e) {
            if (!e.code().equals("ResourceAlreadyExistsException")) throw e;
        }
    }
}
