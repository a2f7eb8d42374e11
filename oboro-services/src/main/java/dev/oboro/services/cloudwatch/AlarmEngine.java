package dev.oboro.services.cloudwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.core.time.Scheduler;
import dev.oboro.wire.JsonCodec;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.cloudwatch.model.AlarmHistoryItem;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.CompositeAlarm;
import software.amazon.awssdk.services.cloudwatch.model.HistoryItemType;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.Tag;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Alarms on Oboro's clock: each metric alarm has one scheduler task, due at the end of its current
 * period; the task evaluates the alarm's last EvaluationPeriods periods and arms the next. Tasks are
 * not persisted: they are armed again from the alarms table when the service loads (the next due
 * time follows from the period and the clock). State changes write history, run actions and
 * re-evaluate the composite alarms that refer to the alarm.
 */
final class AlarmEngine {
    private static final Logger LOG = Logger.getLogger(AlarmEngine.class.getName());
    static final String ALARMS = "cloudwatch.alarms";
    static final String HISTORY = "cloudwatch.history";
    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter REASON_DATE = DateTimeFormatter.ofPattern("dd/MM/yy HH:mm:ss").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter DATA_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter COMPOSITE_DATE = DateTimeFormatter.ofPattern("EEEE dd MMMM, yyyy HH:mm:ss 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime() & 0xFFFFFFFFFFL);

    /** An alarm: exactly one of {@code metric} and {@code composite} is set. */
    record AlarmRow(MetricAlarm metric, CompositeAlarm composite, List<Tag> tags) {
        boolean isComposite() {
            return composite != null;
        }

        String name() {
            return isComposite() ? composite.alarmName() : metric.alarmName();
        }

        String arn() {
            return isComposite() ? composite.alarmArn() : metric.alarmArn();
        }

        String state() {
            return isComposite() ? composite.stateValueAsString() : metric.stateValueAsString();
        }

        Instant stateUpdated() {
            return isComposite() ? composite.stateUpdatedTimestamp() : metric.stateUpdatedTimestamp();
        }

        boolean actionsEnabled() {
            return !Boolean.FALSE.equals(isComposite() ? composite.actionsEnabled() : metric.actionsEnabled());
        }

        List<String> actions(String state) {
            return switch (state) {
                case "ALARM" -> isComposite() ? composite.alarmActions() : metric.alarmActions();
                case "OK" -> isComposite() ? composite.okActions() : metric.okActions();
                default -> isComposite() ? composite.insufficientDataActions() : metric.insufficientDataActions();
            };
        }

        List<String> allActions() {
            List<String> out = new ArrayList<>();
            for (String s : List.of("ALARM", "OK", "INSUFFICIENT_DATA")) out.addAll(actions(s));
            return out;
        }

        String type() {
            return isComposite() ? "CompositeAlarm" : "MetricAlarm";
        }

        SdkPojo sdk() {
            return isComposite() ? composite : metric;
        }
    }

    private final Oboro oboro;
    private final Table<AlarmRow> alarms;
    private final Table<AlarmHistoryItem> history;
    private final MetricQueries queries;
    private final Map<String, Scheduler.Task> tasks = new ConcurrentHashMap<>();
    private final Object lock = new Object();

    AlarmEngine(Oboro oboro, MetricQueries queries) {
        this.oboro = oboro;
        this.queries = queries;
        this.alarms = oboro.store().table(ALARMS, AlarmRow.class);
        this.history = oboro.store().table(HISTORY, AlarmHistoryItem.class);
        armAll();
        oboro.store().onReset(this::armAll);
        RUNNING.put(oboro, this);
    }

    Table<AlarmRow> alarms() {
        return alarms;
    }

    Table<AlarmHistoryItem> history() {
        return history;
    }

    // ------------------------------------------------------------------ timers

    /** Cancels every task and arms one per metric alarm in the store. */
    void armAll() {
        for (Iterator<Scheduler.Task> it = tasks.values().iterator(); it.hasNext(); ) {
            it.next().cancel();
            it.remove();
        }
        for (Scope s : alarms.scopes()) {
            for (AlarmRow r : alarms.values(s)) if (!r.isComposite()) arm(s, r.metric());
        }
    }

    static int period(MetricAlarm a) {
        if (a.period() != null) return a.period();
        int p = 0;
        for (MetricDataQuery q : a.metrics()) {
            Integer qp = q.metricStat() != null ? q.metricStat().period() : q.period();
            if (qp != null && (p == 0 || qp < p)) p = qp;
        }
        return p == 0 ? 60 : p;
    }

    /** Arms the evaluation at the end of the alarm's current period. */
    void arm(Scope s, MetricAlarm a) {
        String key = s + "|" + a.alarmName();
        long p = period(a) * 1000L;
        long now = oboro.clock().instant().toEpochMilli();
        long due = (Math.floorDiv(now, p) + 1) * p;
        Instant configured = a.alarmConfigurationUpdatedTimestamp();
        Scheduler.Task t = oboro.scheduler().schedule(Instant.ofEpochMilli(due), () -> tick(s, a.alarmName(), configured, due));
        Scheduler.Task old = tasks.put(key, t);
        if (old != null) old.cancel();
    }

    void disarm(Scope s, String name) {
        Scheduler.Task old = tasks.remove(s + "|" + name);
        if (old != null) old.cancel();
    }

    private void tick(Scope s, String name, Instant configured, long due) {
        AlarmRow r = alarms.get(s, name);
        // the alarm was deleted or reconfigured (and re-armed) since this task was armed
        if (r == null || r.isComposite() || !configured.equals(r.metric().alarmConfigurationUpdatedTimestamp())) return;
        try {
            evaluate(s, r.metric(), due);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "evaluating alarm " + name + " failed", e);
        }
        synchronized (lock) {
            AlarmRow now = alarms.get(s, name);
            if (now == null || now.isComposite()) return;
            if (idle(s, now.metric(), due)) {
                // nothing to evaluate until data arrives (dataArrived arms it again): long clock
                // advances do not run an empty evaluation every period of every alarm
                Scheduler.Task cur = tasks.get(s + "|" + name);
                if (cur != null && cur.dueAt().toEpochMilli() == due) tasks.remove(s + "|" + name, cur);
                return;
            }
            arm(s, now.metric());
        }
    }

    /**
     * Whether a single-metric alarm would only repeat itself: its metric has no datapoint from the
     * start of its next evaluation window on, and its state is the one missing data leads to.
     */
    private boolean idle(Scope s, MetricAlarm a, long due) {
        if (a.hasMetrics() && !a.metrics().isEmpty()) return false;
        long p = period(a) * 1000L;
        long nextFrom = due + p - a.evaluationPeriods() * p;
        String id = MetricStore.metricId(a.namespace(), a.metricName(), MetricStore.dims(a.dimensions()));
        if (queries.store().hasDataSince(s, id, nextFrom)) return false;
        String treat = a.treatMissingData() == null ? "missing" : a.treatMissingData();
        String state = a.stateValueAsString();
        return switch (treat) {
            case "ignore" -> true;
            case "breaching" -> "ALARM".equals(state);
            case "notBreaching" -> "OK".equals(state);
            default -> "INSUFFICIENT_DATA".equals(state);
        };
    }

    /** New datapoints: arms the idle alarms on those metrics. */
    void dataArrived(Scope s, java.util.Set<String> metricIds) {
        synchronized (lock) {
            for (AlarmRow r : alarms.values(s)) {
                if (r.isComposite() || tasks.containsKey(s + "|" + r.name())) continue;
                MetricAlarm a = r.metric();
                if (a.metricName() == null) continue;
                if (metricIds.contains(MetricStore.metricId(a.namespace(), a.metricName(), MetricStore.dims(a.dimensions())))) arm(s, a);
            }
        }
    }

    private static final Map<Oboro, AlarmEngine> RUNNING = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** The alarm engine of an Oboro whose CloudWatch has loaded, or null (then it has no alarms in memory). */
    static AlarmEngine running(Oboro oboro) {
        return RUNNING.get(oboro);
    }

    // ------------------------------------------------------------------ metric alarms

    private record Outcome(String state, String reason, ObjectNode data) {
    }

    /** Evaluates a metric alarm over the EvaluationPeriods periods that end at {@code end}. */
    void evaluate(Scope s, MetricAlarm a, long end) {
        int period = period(a);
        long p = period * 1000L;
        int n = a.evaluationPeriods();
        int m = a.datapointsToAlarm() != null ? a.datapointsToAlarm() : n;
        long from = end - n * p;
        TreeMap<Long, Double> values = new TreeMap<>();
        Map<Long, Double> samples = new TreeMap<>();
        if (a.hasMetrics() && !a.metrics().isEmpty()) {
            List<MetricQueries.Result> res = queries.run(s, a.metrics(), from, end, end, "Metrics");
            if (!res.isEmpty()) values.putAll(res.get(0).points());
        } else {
            String stat = a.statistic() != null ? a.statisticAsString() : a.extendedStatistic();
            queries.buckets(s, a.namespace(), a.metricName(), MetricStore.dims(a.dimensions()), a.unitAsString(), true, from, end, period)
                    .forEach((t, byUnit) -> {
                        Agg agg = byUnit.get("");
                        Double v = agg.stat(stat);
                        if (v != null) {
                            values.put(t, v);
                            samples.put(t, agg.sampleCount());
                        }
                    });
        }
        Outcome o = decide(a, values, samples, end, from, n, m, period);
        if (o == null || o.state().equals(a.stateValueAsString())) return;
        transition(s, a.alarmName(), o.state(), o.reason(), o.data().toString(), Instant.ofEpochMilli(end), 0);
    }

    private static boolean breaches(String op, double v, double threshold) {
        return switch (op) {
            case "GreaterThanOrEqualToThreshold" -> v >= threshold;
            case "GreaterThanThreshold" -> v > threshold;
            case "LessThanThreshold" -> v < threshold;
            case "LessThanOrEqualToThreshold" -> v <= threshold;
            default -> false;
        };
    }

    private static String words(String op) {
        return switch (op) {
            case "GreaterThanOrEqualToThreshold" -> "greater than or equal to";
            case "GreaterThanThreshold" -> "greater than";
            case "LessThanThreshold" -> "less than";
            case "LessThanOrEqualToThreshold" -> "less than or equal to";
            default -> op;
        };
    }

    /**
     * The state the datapoints call for, following
     * <a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html">how
     * alarms treat missing data</a>; null when the alarm keeps its state (ignore, nothing present).
     */
    private static Outcome decide(MetricAlarm a, TreeMap<Long, Double> values, Map<Long, Double> samples, long end, long from,
                                  int n, int m, int period) {
        String op = a.comparisonOperatorAsString();
        double threshold = a.threshold() == null ? 0 : a.threshold();
        String treat = a.treatMissingData() == null ? "missing" : a.treatMissingData();
        long p = period * 1000L;
        List<Long> present = new ArrayList<>(); // newest first
        List<Long> breaching = new ArrayList<>();
        List<Long> fine = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            long t = end - (k + 1) * p;
            Double v = values.get(t);
            if (v == null) continue;
            present.add(t);
            if (breaches(op, v, threshold)) breaching.add(t);
            else fine.add(t);
        }
        int missing = n - present.size();
        int bad = breaching.size() + ("breaching".equals(treat) ? missing : 0);
        String state;
        if (present.isEmpty() && ("missing".equals(treat) || "ignore".equals(treat))) {
            if ("ignore".equals(treat)) return null;
            state = "INSUFFICIENT_DATA";
        } else if (bad >= m || ("missing".equals(treat) || "ignore".equals(treat)) && present.size() < m && breaching.size() == present.size()) {
            state = "ALARM";
        } else {
            state = "OK";
        }
        ObjectNode data = JSON.createObjectNode();
        data.put("version", "1.0");
        data.put("queryDate", DATA_DATE.format(Instant.ofEpochMilli(end)));
        data.put("startDate", DATA_DATE.format(Instant.ofEpochMilli(from)));
        if (a.statistic() != null) data.put("statistic", a.statisticAsString());
        if (a.extendedStatistic() != null) data.put("extendedStatistic", a.extendedStatistic());
        if (a.unit() != null) data.put("unit", a.unitAsString());
        data.put("period", period);
        ArrayNode recent = data.putArray("recentDatapoints");
        for (int i = present.size() - 1; i >= 0; i--) recent.add(values.get(present.get(i)));
        data.put("threshold", threshold);
        ArrayNode evaluated = data.putArray("evaluatedDatapoints");
        for (long t : present) {
            ObjectNode e = evaluated.addObject();
            e.put("timestamp", DATA_DATE.format(Instant.ofEpochMilli(t)));
            if (samples.containsKey(t)) e.put("sampleCount", samples.get(t));
            e.put("value", values.get(t));
        }
        String reason;
        if (state.equals("INSUFFICIENT_DATA")) {
            reason = "Insufficient Data: " + n + (n == 1 ? " datapoint was unknown." : " datapoints were unknown.");
        } else if (present.isEmpty()) {
            String as = "breaching".equals(treat) ? "Breaching" : "NonBreaching";
            reason = "Threshold Crossed: no datapoints were received for " + n + (n == 1 ? " period" : " periods") + " and " + n
                    + " missing " + (n == 1 ? "datapoint was" : "datapoints were") + " treated as [" + as + "].";
        } else {
            boolean alarm = state.equals("ALARM");
            List<Long> listed = alarm ? breaching : fine;
            int count = alarm ? bad : n - bad;
            StringBuilder list = new StringBuilder();
            for (long t : listed) {
                if (list.length() > 0) list.append(", ");
                list.append(values.get(t)).append(" (").append(REASON_DATE.format(Instant.ofEpochMilli(t))).append(')');
            }
            String cmp = (alarm ? "" : "not ") + words(op) + " the threshold (" + threshold + ")";
            if (n == 1) {
                reason = "Threshold Crossed: 1 datapoint [" + list + "] was " + cmp + ".";
            } else {
                int min = alarm ? m : n - m + 1;
                reason = "Threshold Crossed: " + count + " out of the last " + n + " datapoints [" + list + "] "
                        + (count == 1 ? "was " : "were ") + cmp + " (minimum " + min + (min == 1 ? " datapoint" : " datapoints")
                        + " for " + (alarm ? "OK -> ALARM" : "ALARM -> OK") + " transition).";
            }
        }
        return new Outcome(state, reason, data);
    }

    // ------------------------------------------------------------------ state changes

    /**
     * Moves an alarm to a state (no-op when already there): stores it, writes the StateUpdate
     * history item, runs the state's actions and re-evaluates the composite alarms above it.
     */
    void transition(Scope s, String name, String newState, String reason, String reasonData, Instant now, int depth) {
        synchronized (lock) {
            AlarmRow before = alarms.get(s, name);
            if (before == null || before.state().equals(newState)) return;
            AlarmRow after = alarms.update(s, name, old -> old == null ? null : withState(old, newState, reason, reasonData, now));
            if (after == null) return;
            ObjectNode h = JSON.createObjectNode();
            h.put("version", "1.0");
            h.set("oldState", stateNode(before));
            h.set("newState", stateNode(after));
            addHistory(s, after, HistoryItemType.STATE_UPDATE, "Alarm updated from " + before.state() + " to " + newState, h.toString(), now);
            runActions(s, after, before.state(), newState, reason, reasonData, now);
            if (depth < 10) {
                for (AlarmRow parent : parents(s, after)) evaluateComposite(s, parent, after, now, depth + 1);
            }
        }
    }

    private static AlarmRow withState(AlarmRow r, String state, String reason, String data, Instant now) {
        if (r.isComposite()) {
            return new AlarmRow(null, r.composite().toBuilder().stateValue(state).stateReason(reason).stateReasonData(data)
                    .stateUpdatedTimestamp(now).stateTransitionedTimestamp(now).build(), r.tags());
        }
        return new AlarmRow(r.metric().toBuilder().stateValue(state).stateReason(reason).stateReasonData(data)
                .stateUpdatedTimestamp(now).stateTransitionedTimestamp(now).build(), null, r.tags());
    }

    private static ObjectNode stateNode(AlarmRow r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("stateValue", r.state());
        String reason = r.isComposite() ? r.composite().stateReason() : r.metric().stateReason();
        String data = r.isComposite() ? r.composite().stateReasonData() : r.metric().stateReasonData();
        if (reason != null) n.put("stateReason", reason);
        if (data != null) {
            try {
                n.set("stateReasonData", JSON.readTree(data));
            } catch (IOException e) {
                n.put("stateReasonData", data);
            }
        }
        return n;
    }

    void addHistory(Scope s, AlarmRow r, HistoryItemType type, String summary, String data, Instant at) {
        AlarmHistoryItem item = AlarmHistoryItem.builder().alarmName(r.name()).alarmType(r.type()).timestamp(at)
                .historyItemType(type).historySummary(summary).historyData(data).build();
        // CloudWatch keeps alarm history for 30 days
        String cutoff = Long.toString(Math.max(0, at.toEpochMilli() - 30L * 24 * 3600 * 1000));
        for (String old : List.copyOf(history.range(s, "0", "0".repeat(Math.max(0, 15 - cutoff.length())) + cutoff).keySet())) {
            history.remove(s, old);
        }
        String ms = Long.toString(at.toEpochMilli());
        // fixed-width key: time order, and the order of items written in the same millisecond
        history.put(s, "0".repeat(Math.max(0, 15 - ms.length())) + ms + "|" + String.format("%016x", SEQ.incrementAndGet()), item);
    }

    private void runActions(Scope s, AlarmRow r, String oldState, String newState, String reason, String data, Instant now) {
        if (!r.actionsEnabled()) return;
        AlarmActions registry = AlarmActions.of(oboro);
        for (String arn : r.actions(newState)) {
            AlarmActionHandler handler = registry.handlerFor(arn);
            Call call = Call.internal(oboro, s.account(), s.region(), "cloudwatch");
            String error = null;
            if (handler != null) {
                try {
                    handler.execute(new AlarmAction(call, arn, r.name(), r.arn(), oldState, newState, reason, data, now, true, null));
                } catch (Exception e) {
                    error = e.getMessage() == null ? e.toString() : e.getMessage();
                }
            }
            registry.record(new AlarmAction(call, arn, r.name(), r.arn(), oldState, newState, reason, data, now, handler != null, error));
            ObjectNode h = JSON.createObjectNode();
            h.put("actionState", error == null ? "Succeeded" : "Failed");
            h.put("stateUpdateTimestamp", now.toEpochMilli());
            if (arn.startsWith("arn:aws:sns:")) h.put("notificationResource", arn);
            else h.put("actionResource", arn);
            if (error != null) h.put("error", error);
            addHistory(s, r, HistoryItemType.ACTION, error == null ? "Successfully executed action " + arn
                    : "Failed to execute action " + arn + ". Received error: \"" + error + "\"", h.toString(), now);
        }
    }

    // ------------------------------------------------------------------ composite alarms

    /** An alarm by name or ARN (in this scope). */
    AlarmRow find(Scope s, String nameOrArn) {
        String name = nameOrArn;
        int i = nameOrArn.indexOf(":alarm:");
        if (nameOrArn.startsWith("arn:") && i > 0) name = nameOrArn.substring(i + ":alarm:".length());
        return alarms.get(s, name);
    }

    /** The composite alarms whose rule refers to {@code child}. */
    List<AlarmRow> parents(Scope s, AlarmRow child) {
        List<AlarmRow> out = new ArrayList<>();
        for (AlarmRow r : alarms.values(s)) {
            if (!r.isComposite()) continue;
            for (String ref : AlarmRule.parse(r.composite().alarmRule()).references()) {
                if (ref.equals(child.name()) || ref.equals(child.arn())) {
                    out.add(r);
                    break;
                }
            }
        }
        return out;
    }

    /** Evaluates a composite alarm's rule; {@code trigger} is the child whose change caused it (or null). */
    void evaluateComposite(Scope s, AlarmRow composite, AlarmRow trigger, Instant now, int depth) {
        AlarmRule rule = AlarmRule.parse(composite.composite().alarmRule());
        boolean on = rule.eval(ref -> {
            AlarmRow r = find(s, ref);
            return r == null ? null : r.state();
        });
        String state = on ? "ALARM" : "OK";
        if (state.equals(composite.state())) return;
        AlarmRow t = trigger;
        if (t == null) {
            for (String ref : rule.references()) {
                t = find(s, ref);
                if (t != null) break;
            }
        }
        String reason;
        ObjectNode data = JSON.createObjectNode();
        ArrayNode triggering = data.putArray("triggeringAlarms");
        if (t != null) {
            Instant at = t.stateUpdated() != null ? t.stateUpdated() : now;
            reason = t.arn() + " transitioned to " + t.state() + " at " + COMPOSITE_DATE.format(at);
            ObjectNode e = triggering.addObject();
            e.put("arn", t.arn());
            ObjectNode st = e.putObject("state");
            st.put("value", t.state());
            st.put("timestamp", DATA_DATE.format(at));
        } else {
            reason = "Alarm rule evaluated to " + (on ? "TRUE" : "FALSE");
        }
        transition(s, composite.name(), state, reason, data.toString(), now, depth);
    }

    // ------------------------------------------------------------------ configuration history

    /** Writes the ConfigurationUpdate item of a created or updated alarm, as CloudWatch words it. */
    void configured(Scope s, AlarmRow before, AlarmRow after, Instant now) {
        ObjectNode h = JSON.createObjectNode();
        h.put("version", "1.0");
        JsonNode current = camel(after.sdk());
        if (before == null) {
            h.put("type", "Create");
            h.set("createdAlarm", current);
            addHistory(s, after, HistoryItemType.CONFIGURATION_UPDATE, "Alarm \"" + after.name() + "\" created", h.toString(), now);
        } else {
            h.put("type", "Update");
            h.set("updatedAlarm", current);
            JsonNode old = camel(before.sdk());
            ObjectNode changed = h.putObject("originalUpdatedFields");
            old.fields().forEachRemaining(e -> {
                if (!e.getKey().startsWith("state") && !e.getKey().equals("alarmConfigurationUpdatedTimestamp")
                        && !e.getValue().equals(current.get(e.getKey()))) changed.set(e.getKey(), e.getValue());
            });
            addHistory(s, after, HistoryItemType.CONFIGURATION_UPDATE, "Alarm \"" + after.name() + "\" updated", h.toString(), now);
        }
    }

    /** An SDK object as JSON with lowerCamel keys (as CloudWatch's history data writes alarms). */
    static JsonNode camel(SdkPojo pojo) {
        try {
            return camelKeys(JSON.readTree(JsonCodec.MEMBERS.write(pojo, f -> true)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode camelKeys(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = JSON.createObjectNode();
            n.fields().forEachRemaining(e -> o.set(Character.toLowerCase(e.getKey().charAt(0)) + e.getKey().substring(1), camelKeys(e.getValue())));
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = JSON.createArrayNode();
            n.forEach(e -> a.add(camelKeys(e)));
            return a;
        }
        return n;
    }

    static AlarmType typeOf(AlarmRow r) {
        return r.isComposite() ? AlarmType.COMPOSITE_ALARM : AlarmType.METRIC_ALARM;
    }
}
