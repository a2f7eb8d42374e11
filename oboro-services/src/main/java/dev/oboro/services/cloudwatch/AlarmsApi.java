package dev.oboro.services.cloudwatch;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.cloudwatch.model.AlarmHistoryItem;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.CompositeAlarm;
import software.amazon.awssdk.services.cloudwatch.model.DeleteAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DeleteAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmHistoryRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmHistoryResponse;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsForMetricRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsForMetricResponse;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.DisableAlarmActionsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DisableAlarmActionsResponse;
import software.amazon.awssdk.services.cloudwatch.model.EnableAlarmActionsRequest;
import software.amazon.awssdk.services.cloudwatch.model.EnableAlarmActionsResponse;
import software.amazon.awssdk.services.cloudwatch.model.ListTagsForResourceRequest;
import software.amazon.awssdk.services.cloudwatch.model.ListTagsForResourceResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.PutCompositeAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutCompositeAlarmResponse;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmResponse;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.SetAlarmStateRequest;
import software.amazon.awssdk.services.cloudwatch.model.SetAlarmStateResponse;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.cloudwatch.model.Tag;
import software.amazon.awssdk.services.cloudwatch.model.TagResourceRequest;
import software.amazon.awssdk.services.cloudwatch.model.TagResourceResponse;
import software.amazon.awssdk.services.cloudwatch.model.UntagResourceRequest;
import software.amazon.awssdk.services.cloudwatch.model.UntagResourceResponse;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Metric and composite alarms: create, describe, history, state, actions, tags, delete. */
final class AlarmsApi {
    private static final Set<String> TREAT_MISSING = Set.of("breaching", "notBreaching", "ignore", "missing");
    /** CloudWatch keeps alarm history for 30 days. */
    private static final Duration HISTORY_RETENTION = Duration.ofDays(30);

    private final AlarmEngine engine;

    AlarmsApi(AlarmEngine engine) {
        this.engine = engine;
    }

    private static AwsException validation(String message) {
        return new AwsException("ValidationError", message, 400);
    }

    private static AwsException missing(String param) {
        return new AwsException("MissingParameter", "The parameter " + param + " is required.", 400);
    }

    private static AwsException exclusive(String a, String b) {
        return new AwsException("InvalidParameterCombination", "The parameters " + a + " and " + b
                + " are mutually exclusive and you have specified both.", 400);
    }

    // ------------------------------------------------------------------ PutMetricAlarm

    PutMetricAlarmResponse putMetricAlarm(Call call, PutMetricAlarmRequest req) {
        Scope s = call.scope();
        boolean math = req.hasMetrics() && !req.metrics().isEmpty();
        if (math) {
            if (req.metricName() != null) throw exclusive("MetricName", "Metrics");
            if (req.namespace() != null) throw exclusive("Namespace", "Metrics");
            if (req.statistic() != null || req.extendedStatistic() != null) throw exclusive(req.statistic() != null ? "Statistic" : "ExtendedStatistic", "Metrics");
            if (req.period() != null) throw exclusive("Period", "Metrics");
            long returning = req.metrics().stream().filter(q -> !Boolean.FALSE.equals(q.returnData())).count();
            if (returning != 1) throw validation("Exactly one element of the metrics list should return data.");
            for (int i = 0; i < req.metrics().size(); i++) {
                MetricDataQuery q = req.metrics().get(i);
                if (q.metricStat() != null && q.metricStat().period() == null) throw missing("Metrics.member." + (i + 1) + ".MetricStat.Period");
            }
        } else {
            if (req.metricName() == null) throw missing("MetricName");
            if (req.namespace() == null) throw missing("Namespace");
            if (req.period() == null) throw missing("Period");
            if (req.statistic() != null && req.extendedStatistic() != null) throw exclusive("Statistic", "ExtendedStatistic");
            if (req.statistic() == null && req.extendedStatistic() == null) {
                throw new AwsException("InvalidParameterCombination", "Must specify either Statistic or ExtendedStatistic", 400);
            }
            if (req.extendedStatistic() != null && !Agg.isExtended(req.extendedStatistic())) {
                throw MetricsApi.invalid("The value " + req.extendedStatistic() + " for parameter ExtendedStatistic is not supported.");
            }
        }
        if (req.evaluationPeriods() == null) throw missing("EvaluationPeriods");
        if (req.comparisonOperator() == null) throw missing("ComparisonOperator");
        if (req.threshold() == null && req.thresholdMetricId() == null) throw missing("Threshold");
        if (req.thresholdMetricId() != null) {
            throw new AwsException("InvalidParameterValue", "Oboro does not evaluate anomaly detection thresholds (ThresholdMetricId) yet.", 400);
        }
        MetricAlarm probe = MetricAlarm.builder().period(req.period()).metrics(req.metrics()).build();
        int period = AlarmEngine.period(probe);
        if (!(period == 10 || period == 20 || period == 30 || (period >= 60 && period % 60 == 0))) {
            throw MetricsApi.invalid("The value " + period + " for parameter Period is invalid. Valid values are 10, 20, 30 and any multiple of 60.");
        }
        if ((long) period * req.evaluationPeriods() > 86400) {
            throw validation("Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400).");
        }
        if (req.datapointsToAlarm() != null && req.datapointsToAlarm() > req.evaluationPeriods()) {
            throw validation("DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
        }
        if (req.treatMissingData() != null && !TREAT_MISSING.contains(req.treatMissingData())) {
            throw MetricsApi.invalid("The value " + req.treatMissingData() + " for parameter TreatMissingData is invalid. "
                    + "Valid values are breaching, notBreaching, ignore and missing.");
        }
        checkActions(call, req.alarmActions(), "AlarmActions");
        checkActions(call, req.okActions(), "OKActions");
        checkActions(call, req.insufficientDataActions(), "InsufficientDataActions");
        Instant now = call.now();
        AlarmEngine.AlarmRow before = engine.alarms().get(s, req.alarmName());
        if (before != null && before.isComposite()) {
            throw validation("The alarm " + req.alarmName() + " is a composite alarm: it cannot be updated with PutMetricAlarm.");
        }
        MetricAlarm.Builder b = MetricAlarm.builder()
                .alarmName(req.alarmName()).alarmArn(call.arn("cloudwatch", "alarm:" + req.alarmName()))
                .alarmDescription(req.alarmDescription()).alarmConfigurationUpdatedTimestamp(now)
                .actionsEnabled(req.actionsEnabled() == null || req.actionsEnabled())
                .okActions(req.okActions()).alarmActions(req.alarmActions()).insufficientDataActions(req.insufficientDataActions())
                .metricName(req.metricName()).namespace(req.namespace()).statistic(req.statisticAsString())
                .extendedStatistic(req.extendedStatistic()).dimensions(req.dimensions()).period(req.period())
                .unit(req.unitAsString()).evaluationPeriods(req.evaluationPeriods()).datapointsToAlarm(req.datapointsToAlarm())
                .threshold(req.threshold()).comparisonOperator(req.comparisonOperatorAsString())
                .treatMissingData(req.treatMissingData()).evaluateLowSampleCountPercentile(req.evaluateLowSampleCountPercentile())
                .metrics(math ? req.metrics() : null);
        if (before == null) {
            b.stateValue(StateValue.INSUFFICIENT_DATA).stateReason("Unchecked: Initial alarm creation")
                    .stateUpdatedTimestamp(now).stateTransitionedTimestamp(now);
        } else {
            MetricAlarm old = before.metric();
            b.stateValue(old.stateValue()).stateReason(old.stateReason()).stateReasonData(old.stateReasonData())
                    .stateUpdatedTimestamp(old.stateUpdatedTimestamp()).stateTransitionedTimestamp(old.stateTransitionedTimestamp());
        }
        List<Tag> tags = before != null ? mergeTags(before.tags(), req.tags()) : req.hasTags() ? List.copyOf(req.tags()) : List.of();
        AlarmEngine.AlarmRow row = new AlarmEngine.AlarmRow(b.build(), null, tags);
        engine.alarms().put(s, req.alarmName(), row);
        engine.configured(s, before, row, now);
        engine.arm(s, row.metric());
        return PutMetricAlarmResponse.builder().build();
    }

    private static List<Tag> mergeTags(List<Tag> existing, List<Tag> added) {
        Map<String, Tag> m = new LinkedHashMap<>();
        if (existing != null) for (Tag t : existing) m.put(t.key(), t);
        if (added != null) for (Tag t : added) m.put(t.key(), t);
        return List.copyOf(m.values());
    }

    /** Action ARNs must be ARNs; EC2 instance actions must name the alarm's own region. */
    private static void checkActions(Call call, List<String> arns, String param) {
        if (arns == null) return;
        for (String arn : arns) {
            if (!arn.startsWith("arn:") || arn.split(":", -1).length < 6) {
                throw validation("Invalid arn syntax: " + arn);
            }
            if (arn.startsWith("arn:aws:automate:")) {
                String region = arn.split(":")[3];
                if (!region.equals(call.region())) {
                    throw validation("Invalid region " + region + " specified. Only " + call.region() + " is supported.");
                }
            }
        }
    }

    // ------------------------------------------------------------------ PutCompositeAlarm

    PutCompositeAlarmResponse putCompositeAlarm(Call call, PutCompositeAlarmRequest req) {
        Scope s = call.scope();
        AlarmRule rule = AlarmRule.parse(req.alarmRule());
        List<String> unknown = new ArrayList<>();
        for (String ref : rule.references()) {
            if (engine.find(s, ref) == null && !ref.equals(req.alarmName()) && !unknown.contains(ref)) unknown.add(ref);
        }
        if (!unknown.isEmpty()) {
            throw validation("Could not save the composite alarm as alarms [" + String.join(", ", unknown) + "] in the alarm rule do not exist");
        }
        if (rule.references().contains(req.alarmName()) || rule.references().contains(call.arn("cloudwatch", "alarm:" + req.alarmName()))) {
            throw validation("The alarm rule of " + req.alarmName() + " cannot refer to the alarm itself.");
        }
        checkActions(call, req.alarmActions(), "AlarmActions");
        checkActions(call, req.okActions(), "OKActions");
        checkActions(call, req.insufficientDataActions(), "InsufficientDataActions");
        Instant now = call.now();
        AlarmEngine.AlarmRow before = engine.alarms().get(s, req.alarmName());
        if (before != null && !before.isComposite()) {
            throw validation("The alarm " + req.alarmName() + " is a metric alarm: it cannot be updated with PutCompositeAlarm.");
        }
        CompositeAlarm.Builder b = CompositeAlarm.builder().alarmName(req.alarmName())
                .alarmArn(call.arn("cloudwatch", "alarm:" + req.alarmName())).alarmDescription(req.alarmDescription())
                .alarmRule(req.alarmRule()).alarmConfigurationUpdatedTimestamp(now)
                .actionsEnabled(req.actionsEnabled() == null || req.actionsEnabled())
                .alarmActions(req.alarmActions()).okActions(req.okActions()).insufficientDataActions(req.insufficientDataActions())
                .actionsSuppressor(req.actionsSuppressor()).actionsSuppressorWaitPeriod(req.actionsSuppressorWaitPeriod())
                .actionsSuppressorExtensionPeriod(req.actionsSuppressorExtensionPeriod());
        if (before == null) {
            b.stateValue(StateValue.INSUFFICIENT_DATA).stateReason("Unchecked: Initial alarm creation")
                    .stateUpdatedTimestamp(now).stateTransitionedTimestamp(now);
        } else {
            CompositeAlarm old = before.composite();
            b.stateValue(old.stateValue()).stateReason(old.stateReason()).stateReasonData(old.stateReasonData())
                    .stateUpdatedTimestamp(old.stateUpdatedTimestamp()).stateTransitionedTimestamp(old.stateTransitionedTimestamp());
        }
        List<Tag> tags = before != null ? mergeTags(before.tags(), req.tags()) : req.hasTags() ? List.copyOf(req.tags()) : List.of();
        AlarmEngine.AlarmRow row = new AlarmEngine.AlarmRow(null, b.build(), tags);
        engine.alarms().put(s, req.alarmName(), row);
        engine.configured(s, before, row, now);
        engine.evaluateComposite(s, row, null, now, 0);
        return PutCompositeAlarmResponse.builder().build();
    }

    // ------------------------------------------------------------------ DescribeAlarms

    DescribeAlarmsResponse describeAlarms(Call call, DescribeAlarmsRequest req) {
        Scope s = call.scope();
        if (req.hasAlarmNames() && !req.alarmNames().isEmpty() && req.alarmNamePrefix() != null) {
            throw exclusive("AlarmNames", "AlarmNamePrefix");
        }
        boolean family = req.childrenOfAlarmName() != null || req.parentsOfAlarmName() != null;
        if (family && (req.alarmNamePrefix() != null || (req.hasAlarmNames() && !req.alarmNames().isEmpty())
                || req.stateValue() != null || req.actionPrefix() != null)) {
            throw new AwsException("InvalidParameterCombination", "If you specify ChildrenOfAlarmName or ParentsOfAlarmName, "
                    + "you cannot specify any other parameters in the request except for MaxRecords and NextToken.", 400);
        }
        Set<String> types = new LinkedHashSet<>();
        if (req.hasAlarmTypes() && !req.alarmTypes().isEmpty()) types.addAll(req.alarmTypesAsStrings());
        else if (!family) types.add("MetricAlarm"); // DescribeAlarms lists only metric alarms unless AlarmTypes says otherwise
        else types.addAll(List.of("MetricAlarm", "CompositeAlarm"));
        Set<String> only = null;
        if (req.childrenOfAlarmName() != null) {
            only = new LinkedHashSet<>();
            AlarmEngine.AlarmRow parent = engine.alarms().get(s, req.childrenOfAlarmName());
            if (parent != null && parent.isComposite()) {
                for (String ref : AlarmRule.parse(parent.composite().alarmRule()).references()) {
                    AlarmEngine.AlarmRow c = engine.find(s, ref);
                    if (c != null) only.add(c.name());
                }
            }
        } else if (req.parentsOfAlarmName() != null) {
            only = new LinkedHashSet<>();
            AlarmEngine.AlarmRow child = engine.alarms().get(s, req.parentsOfAlarmName());
            if (child != null) for (AlarmEngine.AlarmRow p : engine.parents(s, child)) only.add(p.name());
        }
        List<AlarmEngine.AlarmRow> rows = new ArrayList<>();
        for (AlarmEngine.AlarmRow r : engine.alarms().values(s)) {
            if (!types.contains(r.type())) continue;
            if (only != null && !only.contains(r.name())) continue;
            if (req.hasAlarmNames() && !req.alarmNames().isEmpty() && !req.alarmNames().contains(r.name())) continue;
            if (req.alarmNamePrefix() != null && !r.name().startsWith(req.alarmNamePrefix())) continue;
            if (req.stateValue() != null && !req.stateValueAsString().equals(r.state())) continue;
            if (req.actionPrefix() != null && r.allActions().stream().noneMatch(a -> a.startsWith(req.actionPrefix()))) continue;
            rows.add(r);
        }
        DescribeAlarmsResponse.Builder b = DescribeAlarmsResponse.builder();
        Pagination.Page<AlarmEngine.AlarmRow> page = Pagination.page(call, req, rows, AlarmEngine.AlarmRow::name, (SdkPojo) b, 50);
        List<MetricAlarm> metric = new ArrayList<>();
        List<CompositeAlarm> composite = new ArrayList<>();
        for (AlarmEngine.AlarmRow r : page.items()) {
            if (r.isComposite()) composite.add(r.composite());
            else metric.add(r.metric());
        }
        return b.metricAlarms(metric).compositeAlarms(composite).build();
    }

    DescribeAlarmsForMetricResponse describeAlarmsForMetric(Call call, DescribeAlarmsForMetricRequest req) {
        List<MetricStore.Dim> dims = req.hasDimensions() ? MetricStore.dims(req.dimensions()) : null;
        List<MetricAlarm> out = new ArrayList<>();
        for (AlarmEngine.AlarmRow r : engine.alarms().values(call.scope())) {
            if (r.isComposite()) continue;
            MetricAlarm a = r.metric();
            boolean match;
            if (a.metricName() != null) {
                match = req.metricName().equals(a.metricName()) && req.namespace().equals(a.namespace())
                        && (dims == null || dims.equals(MetricStore.dims(a.dimensions())))
                        && (req.statistic() == null || req.statisticAsString().equals(a.statisticAsString()))
                        && (req.extendedStatistic() == null || req.extendedStatistic().equals(a.extendedStatistic()))
                        && (req.period() == null || req.period().equals(a.period()))
                        && (req.unit() == null || req.unitAsString().equals(a.unitAsString()));
            } else {
                match = a.metrics().stream().anyMatch(q -> q.metricStat() != null
                        && req.metricName().equals(q.metricStat().metric().metricName())
                        && req.namespace().equals(q.metricStat().metric().namespace())
                        && (dims == null || dims.equals(MetricStore.dims(q.metricStat().metric().dimensions()))));
            }
            if (match) out.add(a);
        }
        return DescribeAlarmsForMetricResponse.builder().metricAlarms(out).build();
    }

    // ------------------------------------------------------------------ history

    private record Entry(String key, AlarmHistoryItem item) {
    }

    DescribeAlarmHistoryResponse describeAlarmHistory(Call call, DescribeAlarmHistoryRequest req) {
        Instant oldest = call.now().minus(HISTORY_RETENTION);
        Set<String> types = req.hasAlarmTypes() && !req.alarmTypes().isEmpty() ? new LinkedHashSet<>(req.alarmTypesAsStrings())
                : Set.of("MetricAlarm"); // like DescribeAlarms, metric alarms unless AlarmTypes says otherwise
        boolean ascending = req.scanBy() == ScanBy.TIMESTAMP_ASCENDING;
        List<Entry> items = new ArrayList<>();
        for (Map.Entry<String, AlarmHistoryItem> e : engine.history().entries(call.scope()).entrySet()) {
            AlarmHistoryItem h = e.getValue();
            if (h.timestamp().isBefore(oldest)) continue;
            if (req.alarmName() != null && !req.alarmName().equals(h.alarmName())) continue;
            if (!types.contains(h.alarmTypeAsString())) continue;
            if (req.historyItemType() != null && !req.historyItemTypeAsString().equals(h.historyItemTypeAsString())) continue;
            if (req.startDate() != null && h.timestamp().isBefore(req.startDate())) continue;
            if (req.endDate() != null && !h.timestamp().isBefore(req.endDate())) continue;
            // the page key must grow in the order returned: newest first inverts the stored key
            items.add(new Entry(ascending ? e.getKey() : invert(e.getKey()), h));
        }
        items.sort(Comparator.comparing(Entry::key));
        DescribeAlarmHistoryResponse.Builder b = DescribeAlarmHistoryResponse.builder();
        Pagination.Page<Entry> page = Pagination.page(call, req, items, Entry::key, (SdkPojo) b, 50);
        return b.alarmHistoryItems(page.items().stream().map(Entry::item).toList()).build();
    }

    /** A key that sorts in the reverse order of the original (for the same length and alphabet). */
    private static String invert(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (char c : key.toCharArray()) sb.append((char) ('~' - c + '!'));
        return sb.toString();
    }

    // ------------------------------------------------------------------ state, actions, delete

    SetAlarmStateResponse setAlarmState(Call call, SetAlarmStateRequest req) {
        AlarmEngine.AlarmRow r = engine.alarms().get(call.scope(), req.alarmName());
        if (r == null) throw new AwsException("ResourceNotFound", "Alarm " + req.alarmName() + " not found", 404);
        if (req.stateReasonData() != null) {
            try {
                AlarmEngine.JSON.readTree(req.stateReasonData());
            } catch (IOException e) {
                throw new AwsException("InvalidFormat", "StateReasonData is not valid JSON.", 400);
            }
        }
        engine.transition(call.scope(), req.alarmName(), req.stateValueAsString(), req.stateReason(), req.stateReasonData(), call.now(), 0);
        return SetAlarmStateResponse.builder().build();
    }

    EnableAlarmActionsResponse enableAlarmActions(Call call, EnableAlarmActionsRequest req) {
        setActionsEnabled(call, req.alarmNames(), true);
        return EnableAlarmActionsResponse.builder().build();
    }

    DisableAlarmActionsResponse disableAlarmActions(Call call, DisableAlarmActionsRequest req) {
        setActionsEnabled(call, req.alarmNames(), false);
        return DisableAlarmActionsResponse.builder().build();
    }

    private void setActionsEnabled(Call call, List<String> names, boolean enabled) {
        for (String n : names) {
            engine.alarms().update(call.scope(), n, r -> r == null ? null : r.isComposite()
                    ? new AlarmEngine.AlarmRow(null, r.composite().toBuilder().actionsEnabled(enabled).build(), r.tags())
                    : new AlarmEngine.AlarmRow(r.metric().toBuilder().actionsEnabled(enabled).build(), null, r.tags()));
        }
    }

    DeleteAlarmsResponse deleteAlarms(Call call, DeleteAlarmsRequest req) {
        Scope s = call.scope();
        Set<String> deleting = new LinkedHashSet<>(req.alarmNames());
        List<String> blocked = new ArrayList<>();
        for (String n : deleting) {
            AlarmEngine.AlarmRow r = engine.alarms().get(s, n);
            if (r == null) continue;
            for (AlarmEngine.AlarmRow parent : engine.parents(s, r)) {
                if (!deleting.contains(parent.name())) {
                    blocked.add(n);
                    break;
                }
            }
        }
        if (!blocked.isEmpty()) {
            // no alarm is deleted when one cannot be
            throw validation("Cannot delete " + String.join(",", blocked) + " as there are composite alarm(s) depending on "
                    + (blocked.size() == 1 ? "it." : "them."));
        }
        for (String n : deleting) {
            engine.disarm(s, n);
            engine.alarms().remove(s, n);
        }
        return DeleteAlarmsResponse.builder().build();
    }

    // ------------------------------------------------------------------ tags

    private AlarmEngine.AlarmRow byArn(Call call, String arn) {
        String prefix = call.arn("cloudwatch", "alarm:");
        AlarmEngine.AlarmRow r = arn.startsWith(prefix) ? engine.alarms().get(call.scope(), arn.substring(prefix.length())) : null;
        if (r == null) throw new AwsException("ResourceNotFoundException", "The specified resource " + arn + " does not exist.", 404);
        return r;
    }

    ListTagsForResourceResponse listTagsForResource(Call call, ListTagsForResourceRequest req) {
        return ListTagsForResourceResponse.builder().tags(byArn(call, req.resourceARN()).tags()).build();
    }

    TagResourceResponse tagResource(Call call, TagResourceRequest req) {
        AlarmEngine.AlarmRow r = byArn(call, req.resourceARN());
        engine.alarms().update(call.scope(), r.name(), old -> old == null ? null
                : new AlarmEngine.AlarmRow(old.metric(), old.composite(), mergeTags(old.tags(), req.tags())));
        return TagResourceResponse.builder().build();
    }

    UntagResourceResponse untagResource(Call call, UntagResourceRequest req) {
        AlarmEngine.AlarmRow r = byArn(call, req.resourceARN());
        engine.alarms().update(call.scope(), r.name(), old -> old == null ? null
                : new AlarmEngine.AlarmRow(old.metric(), old.composite(),
                old.tags().stream().filter(t -> !req.tagKeys().contains(t.key())).toList()));
        return UntagResourceResponse.builder().build();
    }

    static AlarmType type(AlarmEngine.AlarmRow r) {
        return AlarmEngine.typeOf(r);
    }
}
