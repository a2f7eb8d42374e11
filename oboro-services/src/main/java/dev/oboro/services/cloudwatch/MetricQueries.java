package dev.oboro.services.cloudwatch;

import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Statistics over stored datapoints, shared by GetMetricStatistics, GetMetricData and alarm
 * evaluation: periods are laid out from an aligned start time, datapoints fall into the period
 * that contains their timestamp.
 */
final class MetricQueries {
    private static final Pattern QUERY_ID = Pattern.compile("[a-z][a-zA-Z0-9_]*");
    private static final long DAY = 24 * 3600 * 1000L;

    private final MetricStore store;

    MetricQueries(MetricStore store) {
        this.store = store;
    }

    MetricStore store() {
        return store;
    }

    /**
     * Rounds a start time down as CloudWatch does
     * (<a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html">StartTime</a>):
     * periods under a minute to that many seconds; otherwise to the minute when the start is less
     * than 15 days ago, to 5 minutes up to 63 days, else to the hour.
     */
    static long alignStart(long startMs, int periodSec, long nowMs) {
        long unit;
        if (periodSec < 60) unit = periodSec * 1000L;
        else {
            long age = nowMs - startMs;
            unit = age <= 15 * DAY ? 60_000 : age <= 63 * DAY ? 300_000 : 3_600_000;
        }
        return startMs - Math.floorMod(startMs, unit);
    }

    static boolean validPeriod(int p) {
        return p == 1 || p == 5 || p == 10 || p == 20 || p == 30 || (p >= 60 && p % 60 == 0);
    }

    /** Period start -> unit -> statistics of the datapoints in [start, end). */
    TreeMap<Long, Map<String, Agg>> buckets(Scope scope, String namespace, String metricName, List<MetricStore.Dim> dims,
                                            String unit, boolean mergeUnits, long start, long end, int periodSec) {
        long periodMs = periodSec * 1000L;
        String id = MetricStore.metricId(namespace, metricName, dims);
        TreeMap<Long, Map<String, Agg>> out = new TreeMap<>();
        if (!MetricRetention.periodServes(store.oboro().clock().millis() - start, periodMs)) return out;
        for (MetricStore.Point p : store.scan(scope, id, start, end).values()) {
            if (unit != null && !unit.equals(p.unit())) continue;
            long b = start + Math.floorDiv(p.at() - start, periodMs) * periodMs;
            out.computeIfAbsent(b, k -> new LinkedHashMap<>()).computeIfAbsent(mergeUnits ? "" : p.unit(), k -> new Agg()).add(p);
        }
        return out;
    }

    /** One statistic per period (units merged unless {@code unit} is given); periods without data are absent. */
    TreeMap<Long, Double> series(Scope scope, Metric metric, int periodSec, String stat, String unit, long start, long end) {
        TreeMap<Long, Double> out = new TreeMap<>();
        buckets(scope, metric.namespace(), metric.metricName(), MetricStore.dims(metric.dimensions()), unit, true, start, end, periodSec)
                .forEach((t, byUnit) -> {
                    Double v = byUnit.get("").stat(stat);
                    if (v != null) out.put(t, v);
                });
        return out;
    }

    /** The result of one returned query. */
    record Result(String id, String label, TreeMap<Long, Double> points) {
    }

    /**
     * Runs GetMetricData queries (MetricStat and metric math) over [start, end) and returns the
     * results of the queries whose ReturnData is not false, in request order.
     */
    List<Result> run(Scope scope, List<MetricDataQuery> queries, long start, long end, long now, String paramPrefix) {
        Map<String, MetricDataQuery> byId = new LinkedHashMap<>();
        Map<String, Integer> index = new HashMap<>();
        int minPeriod = 0;
        for (int i = 0; i < queries.size(); i++) {
            MetricDataQuery q = queries.get(i);
            String at = paramPrefix + ".member." + (i + 1);
            if (q.id() == null || !QUERY_ID.matcher(q.id()).matches()) {
                throw new AwsException("ValidationError", "Invalid metric data query Id '" + q.id() + "' at " + at
                        + ".Id: an Id must start with a lowercase letter and contain only letters, numbers and underscores.", 400);
            }
            if (byId.put(q.id(), q) != null) {
                throw new AwsException("ValidationError", "The Id " + q.id() + " is used by more than one element of " + paramPrefix + ".", 400);
            }
            index.put(q.id(), i);
            boolean stat = q.metricStat() != null, expr = q.expression() != null;
            if (stat == expr) {
                if (!stat) throw new AwsException("ValidationError", "The parameter " + at + ".MetricStat is required.\n", 400);
                throw new AwsException("ValidationError", "Exactly one of " + at + ".MetricStat and " + at
                        + ".Expression must be specified.", 400);
            }
            if (stat) {
                MetricStat ms = q.metricStat();
                if (ms.metric() == null || ms.metric().metricName() == null || ms.metric().namespace() == null) {
                    throw new AwsException("MissingParameter", "The parameter " + at + ".MetricStat.Metric.MetricName is required.", 400);
                }
                if (ms.period() == null || !validPeriod(ms.period())) {
                    throw new AwsException("InvalidParameterValue", "The value " + ms.period() + " for parameter " + at
                            + ".MetricStat.Period is invalid: it must be 1, 5, 10, 20, 30 or a multiple of 60.", 400);
                }
                if (!Agg.known(ms.stat())) {
                    throw new AwsException("InvalidParameterValue", "The value " + ms.stat() + " for parameter " + at
                            + ".MetricStat.Stat is not a supported statistic.", 400);
                }
                minPeriod = minPeriod == 0 ? ms.period() : Math.min(minPeriod, ms.period());
            }
        }
        Evaluator ev = new Evaluator(scope, byId, start, end, now, minPeriod == 0 ? 60 : minPeriod);
        List<Result> out = new ArrayList<>();
        for (MetricDataQuery q : queries) {
            if (Boolean.FALSE.equals(q.returnData())) continue;
            MetricMath.Val v = ev.value(q.id());
            if (v instanceof MetricMath.Series s) {
                out.add(new Result(q.id(), q.label() != null ? q.label() : s.label(), s.points()));
            } else if (v instanceof MetricMath.Scalar sc) {
                TreeMap<Long, Double> pts = new TreeMap<>();
                for (long t : ev.grid(q)) pts.put(t, sc.v());
                out.add(new Result(q.id(), q.label() != null ? q.label() : q.id(), pts));
            } else {
                for (MetricMath.Series s : ((MetricMath.Arr) v).items()) {
                    out.add(new Result(q.id(), q.label() != null ? q.label() + " " + s.label() : s.label(), s.points()));
                }
            }
        }
        return out;
    }

    private final class Evaluator {
        private final Scope scope;
        private final Map<String, MetricDataQuery> byId;
        private final long start, end, now;
        private final int defaultPeriod;
        private final Map<String, MetricMath.Val> done = new HashMap<>();
        private final Set<String> inProgress = new HashSet<>();

        Evaluator(Scope scope, Map<String, MetricDataQuery> byId, long start, long end, long now, int defaultPeriod) {
            this.scope = scope;
            this.byId = byId;
            this.start = start;
            this.end = end;
            this.now = now;
            this.defaultPeriod = defaultPeriod;
        }

        int period(MetricDataQuery q) {
            if (q.metricStat() != null) return q.metricStat().period();
            return q.period() != null ? q.period() : defaultPeriod;
        }

        List<Long> grid(MetricDataQuery q) {
            int p = period(q);
            long s = alignStart(start, p, now);
            List<Long> g = new ArrayList<>();
            for (long t = s; t < end; t += p * 1000L) g.add(t);
            return g;
        }

        MetricMath.Val value(String id) {
            MetricMath.Val v = done.get(id);
            if (v != null) return v;
            MetricDataQuery q = byId.get(id);
            if (q == null) return null;
            if (!inProgress.add(id)) {
                throw new AwsException("ValidationError", "Circular dependency in metric math expression " + id, 400);
            }
            try {
                if (q.metricStat() != null) {
                    MetricStat ms = q.metricStat();
                    int p = ms.period();
                    long s = alignStart(start, p, now);
                    v = new MetricMath.Series(id, q.label() != null ? q.label() : ms.metric().metricName(),
                            series(scope, ms.metric(), p, ms.stat(), ms.unitAsString(), s, end));
                } else {
                    v = evaluate(q);
                }
            } finally {
                inProgress.remove(id);
            }
            done.put(id, v);
            return v;
        }

        private MetricMath.Val evaluate(MetricDataQuery q) {
            try {
                MetricMath.Node node = MetricMath.parse(q.expression());
                MetricMath.Context ctx = new MetricMath.Context() {
                    @Override
                    public MetricMath.Val ref(String id) {
                        MetricMath.Val v = value(id);
                        if (v == null) throw new MetricMath.MathError("Unrecognized metric or expression id " + id);
                        return v;
                    }

                    @Override
                    public List<MetricMath.Series> metrics() {
                        List<MetricMath.Series> out = new ArrayList<>();
                        for (MetricDataQuery o : byId.values()) {
                            if (o.metricStat() != null) out.add((MetricMath.Series) value(o.id()));
                        }
                        return out;
                    }

                    @Override
                    public List<Long> grid() {
                        return Evaluator.this.grid(q);
                    }

                    @Override
                    public int period() {
                        return Evaluator.this.period(q);
                    }
                };
                MetricMath.Val v = node.eval(ctx);
                if (v instanceof MetricMath.Series s && q.label() != null) v = new MetricMath.Series(q.id(), q.label(), s.points());
                else if (v instanceof MetricMath.Series s) v = new MetricMath.Series(q.id(), q.id(), s.points());
                return v;
            } catch (MetricMath.MathError | ArithmeticException e) {
                throw new AwsException("ValidationError", "Error in expression " + q.id() + ": " + e.getMessage(), 400);
            }
        }
    }
}
