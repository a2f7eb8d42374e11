package dev.oboro.services.autoscaling;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.services.autoscaling.AsgState.Group;
import dev.oboro.services.autoscaling.AsgState.HookWait;
import dev.oboro.services.autoscaling.AsgState.Member;
import dev.oboro.services.autoscaling.AsgState.Policy;
import dev.oboro.services.autoscaling.AsgState.Refresh;
import dev.oboro.services.autoscaling.AsgState.Scheduled;
import dev.oboro.services.cloudwatch.AlarmAction;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.autoscaling.model.Alarm;
import software.amazon.awssdk.services.autoscaling.model.CancelInstanceRefreshRequest;
import software.amazon.awssdk.services.autoscaling.model.CancelInstanceRefreshResponse;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionRequest;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionResponse;
import software.amazon.awssdk.services.autoscaling.model.DeleteLifecycleHookRequest;
import software.amazon.awssdk.services.autoscaling.model.DeleteLifecycleHookResponse;
import software.amazon.awssdk.services.autoscaling.model.DeletePolicyRequest;
import software.amazon.awssdk.services.autoscaling.model.DeletePolicyResponse;
import software.amazon.awssdk.services.autoscaling.model.DeleteScheduledActionRequest;
import software.amazon.awssdk.services.autoscaling.model.DeleteScheduledActionResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeInstanceRefreshesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeInstanceRefreshesResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeLifecycleHookTypesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeLifecycleHookTypesResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeLifecycleHooksRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeLifecycleHooksResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribePoliciesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribePoliciesResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeScheduledActionsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeScheduledActionsResponse;
import software.amazon.awssdk.services.autoscaling.model.ExecutePolicyRequest;
import software.amazon.awssdk.services.autoscaling.model.ExecutePolicyResponse;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefresh;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefreshLivePoolProgress;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefreshProgressDetails;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.autoscaling.model.LifecycleHook;
import software.amazon.awssdk.services.autoscaling.model.PutLifecycleHookRequest;
import software.amazon.awssdk.services.autoscaling.model.PutLifecycleHookResponse;
import software.amazon.awssdk.services.autoscaling.model.PutScalingPolicyRequest;
import software.amazon.awssdk.services.autoscaling.model.PutScalingPolicyResponse;
import software.amazon.awssdk.services.autoscaling.model.PutScheduledUpdateGroupActionRequest;
import software.amazon.awssdk.services.autoscaling.model.PutScheduledUpdateGroupActionResponse;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatRequest;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatResponse;
import software.amazon.awssdk.services.autoscaling.model.RefreshPreferences;
import software.amazon.awssdk.services.autoscaling.model.ScalingPolicy;
import software.amazon.awssdk.services.autoscaling.model.ScheduledUpdateGroupAction;
import software.amazon.awssdk.services.autoscaling.model.StartInstanceRefreshRequest;
import software.amazon.awssdk.services.autoscaling.model.StartInstanceRefreshResponse;
import software.amazon.awssdk.services.autoscaling.model.StepAdjustment;
import software.amazon.awssdk.services.autoscaling.model.TargetTrackingConfiguration;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.DeleteAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Scaling policies (simple, step and target tracking, driven by CloudWatch alarms through
 * {@code AlarmActions}), scheduled actions, lifecycle hooks and instance refreshes.
 */
final class Scaling {
    private static final Map<Oboro, Scaling> RUNNING = Collections.synchronizedMap(new WeakHashMap<>());
    private static final List<String> TRANSITIONS = List.of("autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING");

    private final AsgState st;
    private final Reconciler rec;

    Scaling(AsgState st, Reconciler rec) {
        this.st = st;
        this.rec = rec;
        RUNNING.put(st.oboro, this);
    }

    static Scaling of(Oboro oboro) {
        return RUNNING.get(oboro);
    }

    // ------------------------------------------------------------------ policies

    PutScalingPolicyResponse putScalingPolicy(Call call, PutScalingPolicyRequest req) {
        Scope s = call.scope();
        String type = req.policyType() == null ? "SimpleScaling" : req.policyType();
        switch (type) {
            case "SimpleScaling" -> {
                if (req.scalingAdjustment() == null) throw AsgState.validation("ScalingAdjustment is required for policy type SimpleScaling.");
                checkAdjustmentType(req.adjustmentType());
            }
            case "StepScaling" -> {
                if (req.stepAdjustments().isEmpty()) throw AsgState.validation("StepAdjustments is required for policy type StepScaling.");
                checkAdjustmentType(req.adjustmentType());
            }
            case "TargetTrackingScaling" -> {
                TargetTrackingConfiguration t = req.targetTrackingConfiguration();
                if (t == null) throw AsgState.validation("TargetTrackingConfiguration is required for policy type TargetTrackingScaling.");
                if (t.predefinedMetricSpecification() == null && t.customizedMetricSpecification() == null) {
                    throw AsgState.validation("Either PredefinedMetricSpecification or CustomizedMetricSpecification must be provided.");
                }
            }
            case "PredictiveScaling" -> throw AsgState.validation("Oboro does not implement predictive scaling policies.");
            default -> throw AsgState.validation("Invalid policy type " + type + ".");
        }
        Policy old;
        ScalingPolicy p;
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            String key = AsgState.key(g.name(), req.policyName());
            old = st.policies.get(s, key);
            String arn = old != null ? old.p().policyARN() : call.arn("autoscaling", "scalingPolicy:" + Ids.uuid() + ":autoScalingGroupName/"
                    + g.name() + ":policyName/" + req.policyName());
            p = ScalingPolicy.builder().autoScalingGroupName(g.name()).policyName(req.policyName()).policyARN(arn).policyType(type)
                    .adjustmentType(req.adjustmentType()).minAdjustmentStep(req.minAdjustmentStep()).minAdjustmentMagnitude(req.minAdjustmentMagnitude())
                    .scalingAdjustment(req.scalingAdjustment()).cooldown(req.cooldown()).stepAdjustments(req.stepAdjustments())
                    .metricAggregationType(type.equals("StepScaling") ? (req.metricAggregationType() == null ? "Average" : req.metricAggregationType()) : null)
                    .estimatedInstanceWarmup(req.estimatedInstanceWarmup()).targetTrackingConfiguration(req.targetTrackingConfiguration())
                    .enabled(req.enabled() == null || req.enabled()).alarms(List.of()).build();
            if (type.equals("TargetTrackingScaling")) {
                // AWS creates and owns two alarms per target tracking policy
                if (old != null) deleteAlarms(s, old.p());
                p = p.toBuilder().alarms(targetTrackingAlarms(s, g, p)).build();
            }
            st.policies.put(s, key, new Policy(p, List.of(), null));
        }
        return PutScalingPolicyResponse.builder().policyARN(p.policyARN()).alarms(p.alarms()).build();
    }

    private static void checkAdjustmentType(String t) {
        if (t == null) throw AsgState.validation("AdjustmentType is required.");
        if (!List.of("ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity").contains(t)) {
            throw AsgState.validation("Invalid adjustment type " + t + ".");
        }
    }

    /**
     * {@code TargetTracking-<group>-AlarmHigh-<uuid>} (3 of 3 minutes above the target) and
     * {@code ...-AlarmLow-<uuid>} (15 of 15 minutes below 90% of it), as AWS makes them.
     */
    private List<Alarm> targetTrackingAlarms(Scope s, Group g, ScalingPolicy p) {
        TargetTrackingConfiguration t = p.targetTrackingConfiguration();
        String namespace;
        String metric;
        String stat;
        List<Dimension> dims = new ArrayList<>();
        if (t.predefinedMetricSpecification() != null) {
            String pm = t.predefinedMetricSpecification().predefinedMetricTypeAsString();
            namespace = "AWS/EC2";
            stat = "Average";
            metric = switch (pm) {
                case "ASGAverageNetworkIn" -> "NetworkIn";
                case "ASGAverageNetworkOut" -> "NetworkOut";
                case "ALBRequestCountPerTarget" -> "RequestCountPerTarget";
                default -> "CPUUtilization";
            };
            if (pm.equals("ALBRequestCountPerTarget")) {
                namespace = "AWS/ApplicationELB";
                stat = "Sum";
                String label = t.predefinedMetricSpecification().resourceLabel();
                dims.add(Dimension.builder().name("TargetGroup").value(label == null ? "" : label.substring(label.indexOf('/') + 1)).build());
            } else {
                dims.add(Dimension.builder().name("AutoScalingGroupName").value(g.name()).build());
            }
        } else {
            var c = t.customizedMetricSpecification();
            namespace = c.namespace();
            metric = c.metricName();
            stat = c.statisticAsString() == null ? "Average" : c.statisticAsString();
            for (var d : c.dimensions()) dims.add(Dimension.builder().name(d.name()).value(d.value()).build());
        }
        double target = t.targetValue();
        Call cw = st.serviceCall(s);
        List<Alarm> out = new ArrayList<>();
        String uuid = Ids.uuid();
        String desc = "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + p.policyARN() + ".";
        String high = "TargetTracking-" + g.name() + "-AlarmHigh-" + uuid;
        put(cw, PutMetricAlarmRequest.builder().alarmName(high).alarmDescription(desc).namespace(namespace).metricName(metric)
                .dimensions(dims).statistic(stat).period(60).evaluationPeriods(3).datapointsToAlarm(3).threshold(target)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD).alarmActions(p.policyARN()).build());
        out.add(Alarm.builder().alarmName(high).alarmARN(cw.arn("cloudwatch", "alarm:" + high)).build());
        if (!Boolean.TRUE.equals(t.disableScaleIn())) {
            String low = "TargetTracking-" + g.name() + "-AlarmLow-" + Ids.uuid();
            put(cw, PutMetricAlarmRequest.builder().alarmName(low).alarmDescription(desc).namespace(namespace).metricName(metric)
                    .dimensions(dims).statistic(stat).period(60).evaluationPeriods(15).datapointsToAlarm(15).threshold(target * 0.9)
                    .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD).alarmActions(p.policyARN()).build());
            out.add(Alarm.builder().alarmName(low).alarmARN(cw.arn("cloudwatch", "alarm:" + low)).build());
        }
        return out;
    }

    private void put(Call cw, PutMetricAlarmRequest r) {
        st.oboro.services().call(cw, "cloudwatch", r);
    }

    private void deleteAlarms(Scope s, ScalingPolicy p) {
        if (p.alarms().isEmpty() || !"TargetTrackingScaling".equals(p.policyType())) return;
        try {
            st.oboro.services().call(st.serviceCall(s), "cloudwatch", DeleteAlarmsRequest.builder()
                    .alarmNames(p.alarms().stream().map(Alarm::alarmName).toList()).build());
        } catch (AwsException e) {
            // already gone
        }
    }

    DescribePoliciesResponse describePolicies(Call call, DescribePoliciesRequest req) {
        Scope s = call.scope();
        if (req.autoScalingGroupName() != null) st.group(s, req.autoScalingGroupName());
        List<Map.Entry<String, Policy>> all = new ArrayList<>();
        for (Map.Entry<String, Policy> e : st.policies.entries(s).entrySet()) {
            ScalingPolicy p = e.getValue().p();
            if (req.autoScalingGroupName() != null && !p.autoScalingGroupName().equals(req.autoScalingGroupName())) continue;
            if (req.hasPolicyNames() && !req.policyNames().isEmpty() && !req.policyNames().contains(p.policyName())
                    && !req.policyNames().contains(p.policyARN())) continue;
            if (req.hasPolicyTypes() && !req.policyTypes().isEmpty() && !req.policyTypes().contains(p.policyType())) continue;
            all.add(e);
        }
        DescribePoliciesResponse.Builder b = DescribePoliciesResponse.builder();
        Pagination.Page<Map.Entry<String, Policy>> page = Pagination.page(call, req, all, Map.Entry::getKey, b, Groups.pageSize(req.maxRecords(), 50));
        List<ScalingPolicy> out = new ArrayList<>();
        for (var e : page.items()) {
            ScalingPolicy p = e.getValue().p();
            if (!"TargetTrackingScaling".equals(p.policyType())) p = p.toBuilder().alarms(alarmsNaming(s, p.policyARN())).build();
            out.add(p);
        }
        return b.scalingPolicies(out).build();
    }

    /** The CloudWatch alarms whose actions name a policy (as DescribePolicies lists them). */
    private List<Alarm> alarmsNaming(Scope s, String arn) {
        try {
            DescribeAlarmsResponse r = st.oboro.services().call(st.serviceCall(s), "cloudwatch",
                    DescribeAlarmsRequest.builder().actionPrefix(arn).build());
            return r.metricAlarms().stream().map(a -> Alarm.builder().alarmName(a.alarmName()).alarmARN(a.alarmArn()).build()).toList();
        } catch (AwsException e) {
            return List.of();
        }
    }

    DeletePolicyResponse deletePolicy(Call call, DeletePolicyRequest req) {
        Scope s = call.scope();
        synchronized (st.lock(s)) {
            Policy p = policy(s, req.autoScalingGroupName(), req.policyName());
            st.policies.remove(s, AsgState.key(p.p().autoScalingGroupName(), p.p().policyName()));
            deleteAlarms(s, p.p());
        }
        return DeletePolicyResponse.builder().build();
    }

    private Policy policy(Scope s, String group, String nameOrArn) {
        for (Policy p : st.policies.values(s)) {
            if (nameOrArn != null && (nameOrArn.equals(p.p().policyARN())
                    || nameOrArn.equals(p.p().policyName()) && (group == null || group.equals(p.p().autoScalingGroupName())))) {
                return p;
            }
        }
        if (group != null) st.group(s, group);
        throw AsgState.validation("No such policy: " + nameOrArn);
    }

    ExecutePolicyResponse executePolicy(Call call, ExecutePolicyRequest req) {
        Scope s = call.scope();
        synchronized (st.lock(s)) {
            Policy p = policy(s, req.autoScalingGroupName(), req.policyName());
            ScalingPolicy sp = p.p();
            Group g = st.group(s, sp.autoScalingGroupName());
            if (sp.policyType().equals("TargetTrackingScaling")) {
                throw AsgState.validation("ExecutePolicy is not supported for a target tracking scaling policy.");
            }
            if (sp.policyType().equals("StepScaling") && (req.metricValue() == null || req.breachThreshold() == null)) {
                throw AsgState.validation("MetricValue and BreachThreshold are required for a step scaling policy.");
            }
            if (Boolean.TRUE.equals(req.honorCooldown()) && g.cooldownUntil() != null && call.now().isBefore(g.cooldownUntil())) {
                throw new AwsException("ScalingActivityInProgress", "The operation can't be performed because there are scaling activities in progress.", 400);
            }
            execute(s, g, sp, req.metricValue(), req.breachThreshold(), null, false, call.now());
        }
        rec.kick(s);
        return ExecutePolicyResponse.builder().build();
    }

    /** Carries out a policy: a new desired capacity, with the cause AWS words for alarms or users. */
    private void execute(Scope s, Group g, ScalingPolicy p, Double value, Double threshold, String alarm, boolean fromAlarm, Instant now) {
        if (Boolean.FALSE.equals(p.enabled())) return;
        int current = g.desired();
        int target;
        List<Member> ms = st.membersOf(s, g.name());
        int warmup = p.estimatedInstanceWarmup() != null ? p.estimatedInstanceWarmup()
                : g.g().defaultInstanceWarmup() != null ? g.g().defaultInstanceWarmup() : g.g().defaultCooldown();
        long warming = ms.stream().filter(m -> m.active() && (m.inServiceAt() == null || now.isBefore(m.inServiceAt().plusSeconds(warmup)))).count();
        switch (p.policyType()) {
            case "StepScaling" -> {
                if (value == null || threshold == null) return;
                double diff = value - threshold;
                StepAdjustment step = null;
                for (StepAdjustment a : p.stepAdjustments()) {
                    double lo = a.metricIntervalLowerBound() == null ? Double.NEGATIVE_INFINITY : a.metricIntervalLowerBound();
                    double hi = a.metricIntervalUpperBound() == null ? Double.POSITIVE_INFINITY : a.metricIntervalUpperBound();
                    if (diff >= lo && diff < hi || diff == hi && hi == Double.POSITIVE_INFINITY) step = a;
                }
                if (step == null) return;
                // instances still warming up count: a repeated breach adds only the difference
                int base = (int) (current - (step.scalingAdjustment() > 0 ? warming : 0));
                target = adjust(p.adjustmentType(), step.scalingAdjustment(), base, p.minAdjustmentMagnitude());
                if (step.scalingAdjustment() > 0) target = Math.max(target, current);
            }
            case "TargetTrackingScaling" -> {
                if (value == null) return;
                double goal = p.targetTrackingConfiguration().targetValue();
                int proportional = (int) Math.ceil(current * value / goal);
                if (value > goal) {
                    target = Math.max(current + 1, proportional);
                } else {
                    if (Boolean.TRUE.equals(p.targetTrackingConfiguration().disableScaleIn()) || warming > 0) return;
                    target = Math.min(current - 1, Math.max(proportional, 0));
                }
            }
            default -> {
                if (fromAlarm && g.cooldownUntil() != null && now.isBefore(g.cooldownUntil())) return;
                target = adjust(p.adjustmentType(), p.scalingAdjustment(), current, p.minAdjustmentMagnitude());
            }
        }
        target = Math.max(g.g().minSize(), Math.min(g.g().maxSize(), target));
        Group next = g;
        if (p.policyType().equals("SimpleScaling")) {
            next = next.withCooldown(now.plusSeconds(p.cooldown() != null ? p.cooldown() : g.g().defaultCooldown()));
        }
        if (target != current) {
            String cause = fromAlarm
                    ? AsgState.at(now) + " a monitor alarm " + alarm + " in state ALARM triggered policy " + p.policyName()
                    + " changing the desired capacity from " + current + " to " + target + "."
                    : AsgState.at(now) + " a user request executed policy " + p.policyName() + " changing the desired capacity from "
                    + current + " to " + target + ".";
            next = next.with(g.g().toBuilder().desiredCapacity(target).build()).withCause(cause);
        }
        if (next != g) st.groups.put(s, g.name(), next);
    }

    /** https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html#as-scaling-adjustment */
    static int adjust(String type, int adj, int current, Integer minMagnitude) {
        return switch (type == null ? "ChangeInCapacity" : type) {
            case "ExactCapacity" -> adj;
            case "PercentChangeInCapacity" -> {
                double delta = current * adj / 100.0;
                int d;
                if (delta > 0 && delta < 1) d = 1;
                else if (delta < 0 && delta > -1) d = -1;
                else d = (int) delta; // towards zero
                if (minMagnitude != null && Math.abs(d) < minMagnitude) d = d < 0 ? -minMagnitude : minMagnitude;
                yield current + d;
            }
            default -> current + adj;
        };
    }

    /** A CloudWatch alarm named one of this service's policies: carried out on the clock, off the alarm's thread. */
    void onAlarmAction(AlarmAction a) {
        Scope s = new Scope(a.call().account(), a.call().region());
        Instant now = a.timestamp();
        st.oboro.scheduler().schedule(st.oboro.clock().instant(), () -> {
            synchronized (st.lock(s)) {
                Policy p = null;
                for (Policy x : st.policies.values(s)) if (x.p().policyARN().equals(a.actionArn())) p = x;
                if (p == null) return;
                String key = AsgState.key(p.p().autoScalingGroupName(), p.p().policyName());
                List<String> inAlarm = new ArrayList<>(p.alarmsInAlarm());
                inAlarm.remove(a.alarmName());
                if ("ALARM".equals(a.newState())) inAlarm.add(a.alarmName());
                st.policies.put(s, key, new Policy(p.p(), inAlarm, now));
                Group g = st.groups.get(s, p.p().autoScalingGroupName());
                if (g == null || !"ALARM".equals(a.newState()) || g.suspended("AlarmNotification")) return;
                double[] points = Reconciler.datapoints(a.reasonData());
                execute(s, g, p.p(), points.length == 0 ? null : points[points.length - 1], Reconciler.threshold(a.reasonData()),
                        a.alarmName(), true, now);
            }
            rec.kick(s);
        });
    }

    /** CloudWatch invokes Auto Scaling actions again every minute an alarm stays in ALARM. */
    private void repeatAlarms(Scope s, Instant now) {
        for (Map.Entry<String, Policy> e : List.copyOf(st.policies.entries(s).entrySet())) {
            Policy p = e.getValue();
            if (p.alarmsInAlarm().isEmpty() || p.lastRepeat() != null && now.isBefore(p.lastRepeat().plusSeconds(60))) continue;
            DescribeAlarmsResponse r;
            try {
                r = st.oboro.services().call(st.serviceCall(s), "cloudwatch", DescribeAlarmsRequest.builder().alarmNames(p.alarmsInAlarm()).build());
            } catch (AwsException ex) {
                continue;
            }
            List<String> still = new ArrayList<>();
            Group g = st.groups.get(s, p.p().autoScalingGroupName());
            for (MetricAlarm a : r.metricAlarms()) {
                if (!"ALARM".equals(a.stateValueAsString())) continue;
                still.add(a.alarmName());
                if (g != null && !g.suspended("AlarmNotification")) {
                    double[] points = Reconciler.datapoints(a.stateReasonData());
                    execute(s, g, p.p(), points.length == 0 ? null : points[points.length - 1], a.threshold(), a.alarmName(), true, now);
                    g = st.groups.get(s, g.name());
                }
            }
            st.policies.put(s, e.getKey(), new Policy(p.p(), still, now));
        }
    }

    // ------------------------------------------------------------------ scheduled actions

    PutScheduledUpdateGroupActionResponse putScheduledUpdateGroupAction(Call call, PutScheduledUpdateGroupActionRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        if (req.minSize() == null && req.maxSize() == null && req.desiredCapacity() == null) {
            throw AsgState.validation("At least one of MinSize, MaxSize, or DesiredCapacity must be specified.");
        }
        Instant start = req.startTime() != null ? req.startTime() : req.time();
        if (start != null && start.isBefore(now)) throw AsgState.validation("Given start time is in the past");
        if (start != null && req.endTime() != null && !req.endTime().isAfter(start)) {
            throw AsgState.validation("Given end time is before the start time");
        }
        ZoneId zone = ZoneOffset.UTC;
        if (req.timeZone() != null) {
            try {
                zone = ZoneId.of(req.timeZone());
            } catch (RuntimeException e) {
                throw AsgState.validation("Invalid time zone: " + req.timeZone());
            }
        }
        Instant nextRun;
        if (req.recurrence() != null) {
            Cron c = Cron.parse(req.recurrence());
            if (c == null) throw AsgState.validation("Given recurrence string is invalid: " + req.recurrence());
            nextRun = c.next((start != null ? start : now).minusSeconds(60), zone);
            if (start != null && nextRun.isBefore(start)) nextRun = c.next(start, zone);
        } else {
            nextRun = start != null ? start : now;
        }
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            String key = AsgState.key(g.name(), req.scheduledActionName());
            Scheduled old = st.scheduled.get(s, key);
            String arn = old != null ? old.action().scheduledActionARN() : call.arn("autoscaling", "scheduledUpdateGroupAction:" + Ids.uuid()
                    + ":autoScalingGroupName/" + g.name() + ":scheduledActionName/" + req.scheduledActionName());
            ScheduledUpdateGroupAction a = ScheduledUpdateGroupAction.builder().autoScalingGroupName(g.name())
                    .scheduledActionName(req.scheduledActionName()).scheduledActionARN(arn).time(nextRun).startTime(nextRun)
                    .endTime(req.endTime()).recurrence(req.recurrence()).minSize(req.minSize()).maxSize(req.maxSize())
                    .desiredCapacity(req.desiredCapacity()).timeZone(req.timeZone()).build();
            st.scheduled.put(s, key, new Scheduled(a, nextRun));
        }
        rec.kick(s);
        return PutScheduledUpdateGroupActionResponse.builder().build();
    }

    DescribeScheduledActionsResponse describeScheduledActions(Call call, DescribeScheduledActionsRequest req) {
        Scope s = call.scope();
        if (req.autoScalingGroupName() != null) st.group(s, req.autoScalingGroupName());
        List<Map.Entry<String, Scheduled>> all = new ArrayList<>();
        for (var e : st.scheduled.entries(s).entrySet()) {
            ScheduledUpdateGroupAction a = e.getValue().action();
            if (req.autoScalingGroupName() != null && !a.autoScalingGroupName().equals(req.autoScalingGroupName())) continue;
            if (req.hasScheduledActionNames() && !req.scheduledActionNames().isEmpty() && !req.scheduledActionNames().contains(a.scheduledActionName())) continue;
            if (req.startTime() != null && a.startTime().isBefore(req.startTime())) continue;
            if (req.endTime() != null && a.startTime().isAfter(req.endTime())) continue;
            all.add(e);
        }
        DescribeScheduledActionsResponse.Builder b = DescribeScheduledActionsResponse.builder();
        var page = Pagination.page(call, req, all, Map.Entry::getKey, b, Groups.pageSize(req.maxRecords(), 50));
        return b.scheduledUpdateGroupActions(page.items().stream().map(e -> e.getValue().action()).toList()).build();
    }

    DeleteScheduledActionResponse deleteScheduledAction(Call call, DeleteScheduledActionRequest req) {
        Scope s = call.scope();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            if (st.scheduled.remove(s, AsgState.key(g.name(), req.scheduledActionName())) == null) {
                throw AsgState.validation("Scheduled Update Group Action name not found - Could not find scheduled action "
                        + req.scheduledActionName() + " for group " + g.name());
            }
        }
        return DeleteScheduledActionResponse.builder().build();
    }

    /** Runs the scheduled actions that are due; returns the next run time. */
    private Instant runScheduled(Scope s, Instant now) {
        Instant next = null;
        for (Map.Entry<String, Scheduled> e : List.copyOf(st.scheduled.entries(s).entrySet())) {
            Scheduled sc = e.getValue();
            ScheduledUpdateGroupAction a = sc.action();
            if (sc.nextRun() != null && !now.isBefore(sc.nextRun())) {
                Group g = st.groups.get(s, a.autoScalingGroupName());
                if (g != null && !g.suspended("ScheduledActions") && !"Delete in progress".equals(g.g().status())) apply(s, g, a, now);
                Instant after = null;
                if (a.recurrence() != null) {
                    Cron c = Cron.parse(a.recurrence());
                    after = c == null ? null : c.next(now, a.timeZone() == null ? ZoneOffset.UTC : ZoneId.of(a.timeZone()));
                    if (after != null && a.endTime() != null && after.isAfter(a.endTime())) after = null;
                }
                if (after == null) {
                    st.scheduled.remove(s, e.getKey());
                    continue;
                }
                st.scheduled.put(s, e.getKey(), new Scheduled(a.toBuilder().time(after).startTime(after).build(), after));
                sc = st.scheduled.get(s, e.getKey());
            }
            if (sc.nextRun() != null && (next == null || sc.nextRun().isBefore(next))) next = sc.nextRun();
        }
        return next;
    }

    private void apply(Scope s, Group g, ScheduledUpdateGroupAction a, Instant now) {
        int min = a.minSize() != null ? a.minSize() : g.g().minSize();
        int max = a.maxSize() != null ? a.maxSize() : g.g().maxSize();
        int desired = a.desiredCapacity() != null ? a.desiredCapacity() : g.desired();
        if (min > max) return;
        desired = Math.max(min, Math.min(max, desired));
        Group next = g.with(g.g().toBuilder().minSize(min).maxSize(max).desiredCapacity(desired).build());
        if (desired != g.desired()) {
            next = next.withCause(AsgState.at(now) + " a scheduled action update of AutoScalingGroup constraints to min: " + min + ", max: " + max
                    + ", desired: " + desired + " changing the desired capacity from " + g.desired() + " to " + desired + ".  "
                    + AsgState.at(now) + " the scheduled action " + a.scheduledActionName() + " executed.");
        }
        st.groups.put(s, g.name(), next);
        rec.kick(s);
    }

    // ------------------------------------------------------------------ lifecycle hooks

    PutLifecycleHookResponse putLifecycleHook(Call call, PutLifecycleHookRequest req) {
        Scope s = call.scope();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            String key = AsgState.key(g.name(), req.lifecycleHookName());
            LifecycleHook old = st.hooks.get(s, key);
            String transition = req.lifecycleTransition() != null ? req.lifecycleTransition() : old == null ? null : old.lifecycleTransition();
            if (transition == null || !TRANSITIONS.contains(transition)) {
                throw AsgState.validation("Invalid Lifecycle Transition name: " + transition);
            }
            int hb = req.heartbeatTimeout() != null ? req.heartbeatTimeout() : old == null ? 3600 : old.heartbeatTimeout();
            if (hb < 30 || hb > 7200) throw AsgState.validation("Heartbeat timeout must be between 30 and 7200 seconds");
            String result = req.defaultResult() != null ? req.defaultResult() : old == null ? "ABANDON" : old.defaultResult();
            if (!result.equals("CONTINUE") && !result.equals("ABANDON")) {
                throw AsgState.validation("Valid values for DefaultResult are CONTINUE and ABANDON");
            }
            if (old == null && st.hooks.values(s).stream().filter(h -> h.autoScalingGroupName().equals(g.name())).count() >= 50) {
                throw new AwsException("LimitExceeded", "Exceeded the maximum number of lifecycle hooks (50) for the group " + g.name(), 400);
            }
            st.hooks.put(s, key, LifecycleHook.builder().lifecycleHookName(req.lifecycleHookName()).autoScalingGroupName(g.name())
                    .lifecycleTransition(transition).roleARN(req.roleARN()).notificationTargetARN(req.notificationTargetARN())
                    .notificationMetadata(req.notificationMetadata()).heartbeatTimeout(hb).globalTimeout(Math.min(172800, 100 * hb))
                    .defaultResult(result).build());
        }
        return PutLifecycleHookResponse.builder().build();
    }

    DescribeLifecycleHooksResponse describeLifecycleHooks(Call call, DescribeLifecycleHooksRequest req) {
        Scope s = call.scope();
        Group g = st.group(s, req.autoScalingGroupName());
        List<LifecycleHook> out = st.hooks.values(s).stream().filter(h -> h.autoScalingGroupName().equals(g.name())
                && (!req.hasLifecycleHookNames() || req.lifecycleHookNames().isEmpty() || req.lifecycleHookNames().contains(h.lifecycleHookName()))).toList();
        return DescribeLifecycleHooksResponse.builder().lifecycleHooks(out).build();
    }

    DeleteLifecycleHookResponse deleteLifecycleHook(Call call, DeleteLifecycleHookRequest req) {
        Scope s = call.scope();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            if (st.hooks.remove(s, AsgState.key(g.name(), req.lifecycleHookName())) == null) {
                throw AsgState.validation("No Lifecycle Hook found with name " + req.lifecycleHookName() + " for group " + g.name());
            }
        }
        return DeleteLifecycleHookResponse.builder().build();
    }

    DescribeLifecycleHookTypesResponse describeLifecycleHookTypes(DescribeLifecycleHookTypesRequest req) {
        return DescribeLifecycleHookTypesResponse.builder().lifecycleHookTypes(TRANSITIONS).build();
    }

    CompleteLifecycleActionResponse completeLifecycleAction(Call call, CompleteLifecycleActionRequest req) {
        Scope s = call.scope();
        String result = req.lifecycleActionResult();
        if (!"CONTINUE".equals(result) && !"ABANDON".equals(result)) {
            throw AsgState.validation("Valid values for LifecycleActionResult are CONTINUE and ABANDON");
        }
        synchronized (st.lock(s)) {
            Member m = waiting(s, req.autoScalingGroupName(), req.lifecycleHookName(), req.instanceId(), req.lifecycleActionToken());
            List<HookWait> waits = new ArrayList<>();
            for (HookWait w : m.hooks()) waits.add(w.hook().equals(req.lifecycleHookName()) ? new HookWait(w.hook(), w.deadline(), result) : w);
            Member cur = m.withHooks(waits, m.token());
            st.members.put(s, m.id(), cur);
            rec.completeIfDone(s, cur, call.now());
        }
        rec.kick(s);
        return CompleteLifecycleActionResponse.builder().build();
    }

    RecordLifecycleActionHeartbeatResponse recordLifecycleActionHeartbeat(Call call, RecordLifecycleActionHeartbeatRequest req) {
        Scope s = call.scope();
        synchronized (st.lock(s)) {
            Member m = waiting(s, req.autoScalingGroupName(), req.lifecycleHookName(), req.instanceId(), req.lifecycleActionToken());
            LifecycleHook h = st.hooks.get(s, AsgState.key(m.group(), req.lifecycleHookName()));
            List<HookWait> waits = new ArrayList<>();
            for (HookWait w : m.hooks()) {
                waits.add(w.hook().equals(req.lifecycleHookName()) ? new HookWait(w.hook(), call.now().plusSeconds(h.heartbeatTimeout()), null) : w);
            }
            st.members.put(s, m.id(), m.withHooks(waits, m.token()));
        }
        return RecordLifecycleActionHeartbeatResponse.builder().build();
    }

    private Member waiting(Scope s, String group, String hook, String instanceId, String token) {
        Group g = st.group(s, group);
        if (!st.hooks.contains(s, AsgState.key(g.name(), hook))) {
            throw AsgState.validation("No Lifecycle Hook found with name " + hook + " for group " + g.name());
        }
        for (Member m : st.membersOf(s, g.name())) {
            boolean match = instanceId != null ? m.id().equals(instanceId) : token != null && token.equals(m.token());
            if (match && m.hooks().stream().anyMatch(w -> w.hook().equals(hook) && w.result() == null)) return m;
        }
        throw AsgState.validation(instanceId != null ? "No active Lifecycle Action found with instance ID " + instanceId
                : "No active Lifecycle Action found with token " + token);
    }

    // ------------------------------------------------------------------ instance refresh

    StartInstanceRefreshResponse startInstanceRefresh(Call call, StartInstanceRefreshRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        String id = Ids.uuid();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            if (activeRefresh(s, g.name()) != null) {
                throw new AwsException("InstanceRefreshInProgress", "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.", 400);
            }
            RefreshPreferences given = req.preferences();
            RefreshPreferences p = (given == null ? RefreshPreferences.builder() : given.toBuilder())
                    .minHealthyPercentage(given == null || given.minHealthyPercentage() == null ? 90 : given.minHealthyPercentage())
                    .skipMatching(given != null && Boolean.TRUE.equals(given.skipMatching()))
                    .maxHealthyPercentage(given == null || given.maxHealthyPercentage() == null ? 100 : given.maxHealthyPercentage())
                    .instanceWarmup(given == null ? null : given.instanceWarmup()).build();
            if (p.minHealthyPercentage() < 0 || p.minHealthyPercentage() > 100) {
                throw AsgState.validation("MinHealthyPercentage must be between 0 and 100.");
            }
            LaunchTemplateSpecification want = req.desiredConfiguration() != null && req.desiredConfiguration().launchTemplate() != null
                    ? req.desiredConfiguration().launchTemplate() : Reconciler.groupTemplate(g);
            List<String> toReplace = new ArrayList<>();
            for (Member m : st.membersOf(s, g.name())) {
                if (!m.active()) continue;
                if (Boolean.TRUE.equals(p.skipMatching()) && want != null && m.launchTemplate() != null
                        && (want.launchTemplateId() == null || want.launchTemplateId().equals(m.launchTemplate().launchTemplateId()))
                        && (want.version() == null ? "$Default" : want.version()).equals(m.launchTemplate().version())) continue;
                toReplace.add(m.id());
            }
            toReplace.sort(null);
            InstanceRefresh r = InstanceRefresh.builder().instanceRefreshId(id).autoScalingGroupName(g.name()).status("Pending")
                    .startTime(now).percentageComplete(0).instancesToUpdate(toReplace.size()).preferences(p)
                    .desiredConfiguration(req.desiredConfiguration()).strategy(req.strategy() == null ? "Rolling" : req.strategyAsString()).build();
            st.refreshes.put(s, refreshKey(g.name(), now, id), new Refresh(r, toReplace, 0));
        }
        rec.kick(s);
        return StartInstanceRefreshResponse.builder().instanceRefreshId(id).build();
    }

    private static String refreshKey(String group, Instant at, String id) {
        return group + "|" + String.format("%019d", Long.MAX_VALUE - at.toEpochMilli()) + "|" + id;
    }

    DescribeInstanceRefreshesResponse describeInstanceRefreshes(Call call, DescribeInstanceRefreshesRequest req) {
        Scope s = call.scope();
        Group g = st.group(s, req.autoScalingGroupName());
        List<Map.Entry<String, Refresh>> all = new ArrayList<>();
        for (var e : st.refreshes.range(s, g.name() + "|", g.name() + "}").entrySet()) {
            if (req.hasInstanceRefreshIds() && !req.instanceRefreshIds().isEmpty() && !req.instanceRefreshIds().contains(e.getValue().r().instanceRefreshId())) continue;
            all.add(e);
        }
        DescribeInstanceRefreshesResponse.Builder b = DescribeInstanceRefreshesResponse.builder();
        var page = Pagination.page(call, req, all, Map.Entry::getKey, b, Groups.pageSize(req.maxRecords(), 50));
        return b.instanceRefreshes(page.items().stream().map(e -> e.getValue().r()).toList()).build();
    }

    CancelInstanceRefreshResponse cancelInstanceRefresh(Call call, CancelInstanceRefreshRequest req) {
        Scope s = call.scope();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            Map.Entry<String, Refresh> e = activeEntry(s, g.name());
            if (e == null) {
                throw new AwsException("ActiveInstanceRefreshNotFound", "No in progress or pending Instance Refresh found for Auto Scaling group "
                        + g.name(), 400);
            }
            Refresh r = e.getValue();
            st.refreshes.put(s, e.getKey(), new Refresh(r.r().toBuilder().status("Cancelling").build(), r.toReplace(), r.replaced()));
            rec.kick(s);
            return CancelInstanceRefreshResponse.builder().instanceRefreshId(r.r().instanceRefreshId()).build();
        }
    }

    Refresh activeRefresh(Scope s, String group) {
        Map.Entry<String, Refresh> e = activeEntry(s, group);
        return e == null ? null : e.getValue();
    }

    private Map.Entry<String, Refresh> activeEntry(Scope s, String group) {
        for (var e : st.refreshes.range(s, group + "|", group + "}").entrySet()) {
            String status = e.getValue().r().statusAsString();
            if (status.equals("Pending") || status.equals("InProgress") || status.equals("Cancelling")) return e;
        }
        return null;
    }

    /** Moves each refresh one step: replaces the next batch once the previous one is in service and warm. */
    private Instant advanceRefreshes(Scope s, Instant now) {
        Instant next = null;
        for (Group g : List.copyOf(st.groups.values(s))) {
            Map.Entry<String, Refresh> e = activeEntry(s, g.name());
            if (e == null) continue;
            Refresh rf = e.getValue();
            InstanceRefresh r = rf.r();
            if (r.statusAsString().equals("Cancelling")) {
                st.refreshes.put(s, e.getKey(), new Refresh(r.toBuilder().status("Cancelled").endTime(now)
                        .statusReason("Instance Refresh was cancelled by a user request.").build(), rf.toReplace(), rf.replaced()));
                continue;
            }
            if (r.statusAsString().equals("Pending")) r = r.toBuilder().status("InProgress").statusReason(null).build();
            if (g.suspended("InstanceRefresh")) {
                st.refreshes.put(s, e.getKey(), new Refresh(r, rf.toReplace(), rf.replaced()));
                continue;
            }
            RefreshPreferences p = r.preferences();
            int warmup = p.instanceWarmup() != null ? p.instanceWarmup() : g.g().defaultInstanceWarmup() != null
                    ? g.g().defaultInstanceWarmup() : g.g().healthCheckGracePeriod() == null ? 0 : g.g().healthCheckGracePeriod();
            List<Member> ms = st.membersOf(s, g.name());
            List<String> toReplace = new ArrayList<>(rf.toReplace());
            toReplace.removeIf(id -> ms.stream().noneMatch(m -> m.id().equals(id) && m.active()));
            boolean inFlight = false;
            int warm = 0;
            for (Member m : ms) {
                if (m.terminating()) inFlight = true;
                else if (m.active()) {
                    Instant ready = m.inServiceAt() == null ? null : m.inServiceAt().plusSeconds(warmup);
                    boolean isNew = !m.launchedAt().isBefore(r.startTime());
                    if (m.state().equals("InService") && (!isNew || !now.isBefore(ready))) warm++;
                    else {
                        inFlight = true;
                        if (ready != null && (next == null || ready.isBefore(next))) next = ready;
                    }
                }
            }
            if (ms.stream().filter(Member::active).count() < g.desired()) inFlight = true;
            int replaced = rf.replaced();
            if (!inFlight && toReplace.isEmpty()) {
                int total = r.instancesToUpdate();
                r = r.toBuilder().status("Successful").endTime(now).percentageComplete(100).statusReason(null)
                        .progressDetails(progress(total, total, 0)).build();
                st.refreshes.put(s, e.getKey(), new Refresh(r, List.of(), replaced));
                if (r.desiredConfiguration() != null) {
                    var dc = r.desiredConfiguration();
                    var b = g.g().toBuilder();
                    if (dc.launchTemplate() != null) b.launchTemplate(dc.launchTemplate()).launchConfigurationName(null).mixedInstancesPolicy((software.amazon.awssdk.services.autoscaling.model.MixedInstancesPolicy) null);
                    if (dc.mixedInstancesPolicy() != null) b.mixedInstancesPolicy(dc.mixedInstancesPolicy()).launchConfigurationName(null).launchTemplate((LaunchTemplateSpecification) null);
                    st.groups.put(s, g.name(), g.with(b.build()));
                }
                continue;
            }
            if (!inFlight && !toReplace.isEmpty()) {
                int minHealthy = (int) Math.ceil(g.desired() * p.minHealthyPercentage() / 100.0);
                int batch = Math.max(1, Math.min(toReplace.size(), warm - minHealthy));
                for (String id : List.copyOf(toReplace.subList(0, batch))) {
                    Member m = st.members.get(s, id);
                    rec.beginTermination(s, st.serviceCall(s), g, m, AsgState.at(now) + " an instance was taken out of service in response to an instance refresh.  "
                            + AsgState.at(now) + " instance " + id + " was selected for termination.", now);
                    toReplace.remove(id);
                    replaced++;
                }
                rec.kick(s);
            }
            int total = Math.max(1, r.instancesToUpdate());
            int done = Math.max(0, r.instancesToUpdate() - toReplace.size() - (inFlight ? Math.max(0, replaced - (r.instancesToUpdate() - toReplace.size())) : 0));
            int pct = Math.min(99, (int) ((replaced - (inFlight ? 1 : 0)) * 100L / total));
            r = r.toBuilder().percentageComplete(Math.max(0, pct)).progressDetails(progress(r.instancesToUpdate(), done, toReplace.size()))
                    .statusReason("Waiting for instances to warm up before continuing. For example: instances still warming up or being replaced.").build();
            st.refreshes.put(s, e.getKey(), new Refresh(r, toReplace, replaced));
        }
        return next;
    }

    private static InstanceRefreshProgressDetails progress(int total, int done, int left) {
        return InstanceRefreshProgressDetails.builder().livePoolProgress(InstanceRefreshLivePoolProgress.builder()
                .percentageComplete(total == 0 ? 100 : Math.min(100, done * 100 / Math.max(1, total))).instancesToUpdate(left).build()).build();
    }

    // ------------------------------------------------------------------ the sweep's other steps

    void beforeSweep(Scope s, Instant now) {
        synchronized (st.lock(s)) {
            repeatAlarms(s, now);
        }
    }

    Instant afterSweep(Scope s, Instant now) {
        synchronized (st.lock(s)) {
            Instant a = runScheduled(s, now);
            Instant b = advanceRefreshes(s, now);
            if (a == null) return b;
            if (b == null) return a;
            return a.isBefore(b) ? a : b;
        }
    }

    /** Removes a group and what belongs to it (policies and their alarms, hooks, scheduled actions). */
    void deleteGroupNow(Scope s, String name) {
        st.groups.remove(s, name);
        for (var e : List.copyOf(st.policies.entries(s).entrySet())) {
            if (e.getValue().p().autoScalingGroupName().equals(name)) {
                st.policies.remove(s, e.getKey());
                deleteAlarms(s, e.getValue().p());
            }
        }
        for (String k : List.copyOf(st.hooks.range(s, name + "|", name + "}").keySet())) st.hooks.remove(s, k);
        for (String k : List.copyOf(st.scheduled.range(s, name + "|", name + "}").keySet())) st.scheduled.remove(s, k);
        for (String k : List.copyOf(st.refreshes.range(s, name + "|", name + "}").keySet())) st.refreshes.remove(s, k);
    }
}
