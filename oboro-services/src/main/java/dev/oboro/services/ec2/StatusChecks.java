package dev.oboro.services.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.core.time.Scheduler;
import dev.oboro.services.cloudwatch.AlarmAction;
import dev.oboro.services.cloudwatch.AlarmActions;
import dev.oboro.services.cloudwatch.Metrics;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusResponse;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.InstanceStatusDetails;
import software.amazon.awssdk.services.ec2.model.InstanceStatusSummary;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceMaintenanceOptionsRequest;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceMaintenanceOptionsResponse;
import software.amazon.awssdk.services.ec2.model.RebootInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Status checks, the {@code AWS/EC2} metrics, and recovery.
 *
 * <ul>
 *   <li>A running instance's system and instance checks are {@code initializing} for
 *       {@link #INITIALIZING} after each boot, then {@code ok} unless the fault
 *       {@code ec2.instance-status} has failed one of them ({@code impaired}, with ImpairedSince).
 *       A stop and start (a new host) or a recovery clears a system failure; a reboot clears an
 *       instance failure.</li>
 *   <li>Each minute, one scheduler task per account and region with running instances publishes
 *       {@code StatusCheckFailed}, {@code StatusCheckFailed_System}, {@code StatusCheckFailed_Instance}
 *       and (every five minutes, or every minute with detailed monitoring) {@code CPUUtilization}
 *       through CloudWatch's {@link Metrics}. No running instances, no task.</li>
 *   <li>Alarm actions {@code arn:aws:automate:<region>:ec2:recover|stop|terminate|reboot} act on the
 *       alarm's {@code InstanceId} dimension. Recovery migrates the instance to new hardware as part of
 *       a reboot: {@code running} → {@code pending} → {@code running}, with the same id, private IPs,
 *       Elastic IPs, public IPv4 address and metadata.
 *       https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-recover.html</li>
 *   <li>Simplified automatic recovery ({@code ModifyInstanceMaintenanceOptions} AutoRecovery
 *       {@code default}) recovers a supported instance {@link #AUTO_RECOVERY_AFTER} after its system
 *       check fails, without an alarm. Types without {@code AutoRecoverySupported}, instances with
 *       instance-store volumes or {@code host} tenancy are not recovered; at most three recoveries a
 *       day.</li>
 * </ul>
 */
final class StatusChecks implements Ec2State.InstanceListener {
    static final Duration INITIALIZING = Duration.ofMinutes(2);
    static final Duration AUTO_RECOVERY_AFTER = Duration.ofMinutes(3);
    static final int RECOVERIES_PER_DAY = 3;

    /**
     * Injected failures of one instance and its recoveries; {@code recoverAt} is when simplified
     * automatic recovery acts (re-armed from here when the service loads).
     */
    record Health(String instanceId, Instant systemImpairedSince, Instant instanceImpairedSince, Instant recoverAt,
                  List<Instant> recoveries) {
        Health withSystem(Instant since, Instant recover) {
            return new Health(instanceId, since, instanceImpairedSince, recover, recoveries);
        }

        Health withInstance(Instant since) {
            return new Health(instanceId, systemImpairedSince, since, recoverAt, recoveries);
        }

        Health recovered(Instant at) {
            List<Instant> r = new ArrayList<>(recoveries);
            r.add(at);
            r.removeIf(t -> t.isBefore(at.minus(Duration.ofDays(1))));
            return new Health(instanceId, null, instanceImpairedSince, null, List.copyOf(r));
        }

        boolean healthy() {
            return systemImpairedSince == null && instanceImpairedSince == null && recoverAt == null && recoveries.isEmpty();
        }
    }

    private final Ec2State st;
    private final Instances instances;
    private final Table<Health> health;
    private final Filters<InstanceStatus> filters;
    private final Map<Scope, Scheduler.Task> tickers = new ConcurrentHashMap<>();

    StatusChecks(Ec2State st, Instances instances) {
        this.st = st;
        this.instances = instances;
        this.health = st.oboro.store().table("ec2.instancehealth", Health.class);
        this.filters = new Filters<>(Map.<String, Function<InstanceStatus, Collection<String>>>of(
                "availability-zone", i -> List.of(i.availabilityZone()),
                "instance-state-code", i -> List.of(String.valueOf(i.instanceState().code())),
                "instance-state-name", i -> List.of(i.instanceState().nameAsString()),
                "instance-status.status", i -> List.of(i.instanceStatus().statusAsString()),
                "instance-status.reachability", i -> i.instanceStatus().details().stream().map(InstanceStatusDetails::statusAsString).toList(),
                "system-status.status", i -> List.of(i.systemStatus().statusAsString()),
                "system-status.reachability", i -> i.systemStatus().details().stream().map(InstanceStatusDetails::statusAsString).toList()));
        st.instanceListeners.add(this);
        st.oboro.gateway().admin().registerFault("ec2.instance-status", this::statusFault);
        AlarmActions actions = AlarmActions.of(st.oboro);
        for (String verb : List.of("recover", "stop", "terminate", "reboot")) {
            actions.register("arn:aws:automate:*:ec2:" + verb, a -> alarmAction(a, verb));
        }
        armAll();
        st.oboro.store().onReset(() -> {
            tickers.values().forEach(Scheduler.Task::cancel);
            tickers.clear();
        });
    }

    private void armAll() {
        for (Scope s : health.scopes()) {
            for (Health h : health.values(s)) if (h.recoverAt() != null) armRecovery(s, h);
        }
        for (Scope s : st.instances.scopes()) {
            if (st.instances.values(s).stream().anyMatch(i -> i.state().equals("running"))) ensureTicker(s);
        }
    }

    // ------------------------------------------------------------------ the checks

    private enum Check { SYSTEM, INSTANCE }

    /** {@code ok}, {@code impaired}, {@code initializing} or {@code not-applicable}. */
    private String status(Instances.Inst i, Health h, Check c, Instant now) {
        if (!i.state().equals("running")) return "not-applicable";
        Instant impaired = h == null ? null : c == Check.SYSTEM ? h.systemImpairedSince() : h.instanceImpairedSince();
        if (impaired != null) return "impaired";
        if (i.lastBoot() != null && now.isBefore(i.lastBoot().plus(INITIALIZING))) return "initializing";
        return "ok";
    }

    private InstanceStatusSummary summary(Instances.Inst i, Health h, Check c, Instant now) {
        String status = status(i, h, c, now);
        if (status.equals("not-applicable")) return InstanceStatusSummary.builder().status(status).build();
        Instant impaired = h == null ? null : c == Check.SYSTEM ? h.systemImpairedSince() : h.instanceImpairedSince();
        String reach = switch (status) {
            case "impaired" -> "failed";
            case "initializing" -> "initializing";
            default -> "passed";
        };
        return InstanceStatusSummary.builder().status(status)
                .details(InstanceStatusDetails.builder().name("reachability").status(reach).impairedSince(impaired).build()).build();
    }

    DescribeInstanceStatusResponse describeInstanceStatus(Call call, DescribeInstanceStatusRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeInstanceStatus");
        Scope s = st.scope(call);
        boolean byId = req.hasInstanceIds() && !req.instanceIds().isEmpty();
        if (req.maxResults() != null && byId) {
            throw Ec2Errors.invalidParameterCombination("The parameter instancesSet cannot be used with the parameter maxResults");
        }
        Paging.check(call, req);
        Collection<Instances.Inst> all = byId ? instances.find(s, req.instanceIds()) : st.instances.values(s);
        boolean includeAll = Boolean.TRUE.equals(req.includeAllInstances());
        Instant now = call.now();
        List<InstanceStatus> statuses = new ArrayList<>();
        for (Instances.Inst i : all) {
            if (!includeAll && !i.state().equals("running")) continue;
            Health h = health.get(s, i.id());
            statuses.add(InstanceStatus.builder().instanceId(i.id()).availabilityZone(i.az()).availabilityZoneId(zoneId(s, i.az()))
                    .instanceState(Instances.state(i.state())).systemStatus(summary(i, h, Check.SYSTEM, now))
                    .instanceStatus(summary(i, h, Check.INSTANCE, now)).events(List.of()).build());
        }
        List<InstanceStatus> matched = filters.apply(req.filters(), statuses);
        DescribeInstanceStatusResponse.Builder b = DescribeInstanceStatusResponse.builder();
        Pagination.Page<InstanceStatus> page = Paging.page(call, req, matched, InstanceStatus::instanceId, b);
        return b.instanceStatuses(page.items()).build();
    }

    private String zoneId(Scope s, String zone) {
        Catalog.RegionInfo r = st.catalog.region(s.region());
        if (r == null) return null;
        return r.zones().stream().filter(z -> z.zoneName().equals(zone)).map(z -> z.zoneId()).findFirst().orElse(null);
    }

    ModifyInstanceMaintenanceOptionsResponse modifyInstanceMaintenanceOptions(Call call, ModifyInstanceMaintenanceOptionsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ModifyInstanceMaintenanceOptions");
        Scope s = st.scope(call);
        if (req.instanceId() == null) throw Ec2Errors.missingParameter("InstanceId");
        Instances.Inst i = instances.find(s, List.of(req.instanceId())).get(0);
        if (i.state().equals("terminated") || i.state().equals("shutting-down")) {
            throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in a state from which it can be modified.");
        }
        String wanted = req.autoRecoveryAsString();
        if (wanted != null && !wanted.equals("default") && !wanted.equals("disabled")) {
            throw Ec2Errors.invalidParameterValue("Value (" + wanted + ") for parameter autoRecovery is invalid. Valid values: disabled, default");
        }
        Instances.Inst after = wanted == null ? i : st.instances.update(s, i.id(), old -> old == null ? null : old.withAutoRecovery(wanted));
        String now = after == null || after.autoRecovery() == null ? "default" : after.autoRecovery();
        if ("disabled".equals(now)) {
            health.update(s, i.id(), h -> h == null || h.recoverAt() == null ? h : h.withSystem(h.systemImpairedSince(), null));
        } else {
            Health h = health.get(s, i.id());
            if (h != null && h.systemImpairedSince() != null && h.recoverAt() == null && autoRecoverable(after) == null) {
                Health armed = health.update(s, i.id(), old -> old.withSystem(old.systemImpairedSince(), call.now().plus(AUTO_RECOVERY_AFTER)));
                armRecovery(s, armed);
            }
        }
        return ModifyInstanceMaintenanceOptionsResponse.builder().instanceId(i.id()).autoRecovery(now)
                .rebootMigration(req.rebootMigrationAsString() == null ? "default" : req.rebootMigrationAsString()).build();
    }

    // ------------------------------------------------------------------ the fault

    /**
     * {@code POST /_oboro/faults/ec2.instance-status {"account", "region", "instanceId", "check":
     * "system"|"instance", "status": "impaired"|"ok"}}: fails (or restores) a check of a running
     * instance, as a host hardware or network failure (system) or a broken guest (instance) would.
     */
    private JsonNode statusFault(JsonNode body) {
        String account = body.path("account").asText(st.oboro.identities().defaultAccount());
        String region = body.path("region").asText(st.oboro.config().defaultRegion());
        String id = body.path("instanceId").asText(null);
        String check = body.path("check").asText("system");
        String status = body.path("status").asText("impaired");
        if (id == null) throw new IllegalArgumentException("expected {\"account\", \"region\", \"instanceId\", \"check\": \"system\"|\"instance\"}");
        if (!check.equals("system") && !check.equals("instance")) throw new IllegalArgumentException("check must be system or instance");
        if (!status.equals("impaired") && !status.equals("ok")) throw new IllegalArgumentException("status must be impaired or ok");
        Scope s = new Scope(account, region);
        Instances.Inst i = st.instances.get(s, id);
        if (i == null) throw new IllegalArgumentException("no instance " + id + " in " + s);
        if (status.equals("impaired") && !i.state().equals("running")) throw new IllegalArgumentException("instance " + id + " is " + i.state());
        Instant now = st.oboro.clock().instant();
        Health h = health.get(s, id);
        if (h == null) h = new Health(id, null, null, null, List.of());
        boolean impair = status.equals("impaired");
        if (check.equals("system")) {
            Instant since = impair ? (h.systemImpairedSince() != null ? h.systemImpairedSince() : now) : null;
            Instant recoverAt = impair && autoRecoverable(i) == null && !"disabled".equals(i.autoRecovery()) ? since.plus(AUTO_RECOVERY_AFTER) : null;
            h = h.withSystem(since, recoverAt);
        } else {
            h = h.withInstance(impair ? (h.instanceImpairedSince() != null ? h.instanceImpairedSince() : now) : null);
        }
        health.put(s, id, h);
        if (h.recoverAt() != null) armRecovery(s, h);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("instanceId", id);
        n.put("systemStatus", status(i, h, Check.SYSTEM, now));
        n.put("instanceStatus", status(i, h, Check.INSTANCE, now));
        if (h.recoverAt() != null) n.put("automaticRecoveryAt", h.recoverAt().toString());
        return n;
    }

    // ------------------------------------------------------------------ recovery

    /** Why an instance cannot be recovered, or null when it can. */
    private String autoRecoverable(Instances.Inst i) {
        InstanceTypes.Facts f = st.catalog.type(i.instanceType());
        if (f == null || !f.autoRecovery()) return "The instance type " + i.instanceType() + " does not support recovery.";
        if (f.instanceStorage() || i.rootDeviceType().equals("instance-store")) {
            return "The instance " + i.id() + " has instance store volumes, which recovery does not support.";
        }
        if ("host".equals(i.launch().tenancy())) return "The instance " + i.id() + " runs on a Dedicated Host, which recovery does not support.";
        return null;
    }

    private void armRecovery(Scope s, Health h) {
        st.oboro.scheduler().schedule(h.recoverAt(), () -> {
            Health now = health.get(s, h.instanceId());
            if (now == null || now.recoverAt() == null || st.oboro.clock().instant().isBefore(now.recoverAt())) return;
            try {
                recover(s, h.instanceId());
            } catch (AwsException e) {
                health.update(s, h.instanceId(), old -> old == null ? null : old.withSystem(old.systemImpairedSince(), null));
            }
        });
    }

    /** Migrates a running instance to new hardware as part of a reboot, keeping everything it is. */
    void recover(Scope s, String id) {
        Instances.Inst i = st.instances.get(s, id);
        if (i == null) throw Ec2Errors.notFound("InvalidInstanceID.NotFound", "instance", id);
        if (!i.state().equals("running")) {
            throw Ec2Errors.incorrectInstanceState("The instance '" + id + "' is not in a state from which it can be recovered.");
        }
        String why = autoRecoverable(i);
        if (why != null) throw Ec2Errors.unsupportedOperation(why);
        Instant now = st.oboro.clock().instant();
        Health h = health.get(s, id);
        if (h != null && h.recoveries().stream().filter(t -> t.isAfter(now.minus(Duration.ofDays(1)))).count() >= RECOVERIES_PER_DAY) {
            throw Ec2Errors.unsupportedOperation("The instance " + id + " has reached the maximum of " + RECOVERIES_PER_DAY + " recoveries a day.");
        }
        health.put(s, id, (h == null ? new Health(id, null, null, null, List.of()) : h).recovered(now));
        instances.transition(s, id, old -> old.state().equals("running") ? old.withState("pending", now.plus(Instances.PENDING), "", null, null) : old);
    }

    private void alarmAction(AlarmAction a, String verb) throws Exception {
        Call call = a.call();
        String id = instanceOf(a);
        Call ec2 = Call.internal(st.oboro, call.account(), call.region(), "ec2");
        switch (verb) {
            case "recover" -> recover(call.scope(), id);
            case "stop" -> st.oboro.services().call(ec2, "ec2", StopInstancesRequest.builder().instanceIds(id).build());
            case "terminate" -> st.oboro.services().call(ec2, "ec2", TerminateInstancesRequest.builder().instanceIds(id).build());
            default -> st.oboro.services().call(ec2, "ec2", RebootInstancesRequest.builder().instanceIds(id).build());
        }
    }

    /** The InstanceId dimension of the alarm whose action this is. */
    private String instanceOf(AlarmAction a) {
        DescribeAlarmsResponse r = st.oboro.services().call(a.call(), "cloudwatch", DescribeAlarmsRequest.builder().alarmNames(a.alarmName()).build());
        for (MetricAlarm m : r.metricAlarms()) {
            for (Dimension d : m.dimensions()) if (d.name().equals("InstanceId")) return d.value();
        }
        throw Ec2Errors.invalidParameterValue("The alarm " + a.alarmName() + " has no InstanceId dimension for an EC2 action.");
    }

    // ------------------------------------------------------------------ reacting to lifecycle changes

    @Override
    public void changed(Scope s, Instances.Inst before, Instances.Inst after) {
        if (after != null && after.state().equals("running")) ensureTicker(s);
        String id = before != null ? before.id() : after == null ? null : after.id();
        if (id == null) return;
        Health h = health.get(s, id);
        if (h == null) return;
        if (after == null || after.state().equals("terminated") || after.state().equals("shutting-down")) {
            health.remove(s, id);
        } else if (after.state().equals("stopped")) {
            // a stopped instance starts on new hardware: the system failure stays behind
            health.put(s, id, h.withSystem(null, null).withInstance(null));
        } else if (before != null && after.state().equals("running") && before.state().equals("running")
                && after.lastBoot() != null && !after.lastBoot().equals(before.lastBoot())) {
            // a reboot brings a broken guest back
            health.put(s, id, h.withInstance(null));
        }
    }

    // ------------------------------------------------------------------ metrics

    /**
     * How much of a long clock jump the per-minute metrics replay: when the clock is advanced by
     * days, publishing every minute of every running instance would cost millions of datapoints, so
     * the ticker skips to the last hour of the jump (alarms then see that hour's data).
     */
    static final Duration REPLAY = Duration.ofHours(1);

    private synchronized void ensureTicker(Scope s) {
        if (tickers.containsKey(s)) return;
        Instant next = st.oboro.clock().instant().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        Instant replayFrom = st.oboro.scheduler().horizon().minus(REPLAY).truncatedTo(ChronoUnit.MINUTES);
        Instant at = next.isBefore(replayFrom) ? replayFrom : next;
        tickers.put(s, st.oboro.scheduler().schedule(at, () -> tick(s, at)));
    }

    /** Publishes one minute of AWS/EC2 metrics for the running instances of a scope, and arms the next minute. */
    private void tick(Scope s, Instant at) {
        synchronized (this) {
            tickers.remove(s);
        }
        List<MetricDatum> data = new ArrayList<>();
        boolean any = false;
        boolean fiveMinute = at.getEpochSecond() / 60 % 5 == 0;
        for (Instances.Inst i : st.instances.values(s)) {
            if (!i.state().equals("running")) continue;
            any = true;
            Health h = health.get(s, i.id());
            double sys = h != null && h.systemImpairedSince() != null ? 1 : 0;
            double inst = h != null && h.instanceImpairedSince() != null ? 1 : 0;
            List<Dimension> dims = List.of(Dimension.builder().name("InstanceId").value(i.id()).build());
            data.add(datum("StatusCheckFailed_System", dims, sys, "Count", at));
            data.add(datum("StatusCheckFailed_Instance", dims, inst, "Count", at));
            data.add(datum("StatusCheckFailed", dims, Math.max(sys, inst), "Count", at));
            if (fiveMinute || i.attrs().monitoring()) data.add(datum("CPUUtilization", dims, cpu(i.id(), at), "Percent", at));
        }
        for (int from = 0; from < data.size(); from += 1000) {
            Metrics.put(st.oboro, s.account(), s.region(), "AWS/EC2", data.subList(from, Math.min(data.size(), from + 1000)));
        }
        if (any) ensureTicker(s);
    }

    private static MetricDatum datum(String name, List<Dimension> dims, double value, String unit, Instant at) {
        return MetricDatum.builder().metricName(name).dimensions(dims).value(value).unit(unit).timestamp(at).build();
    }

    /** A steady, deterministic load: a per-instance base of 1–9 % and a slow daily wave. */
    static double cpu(String instanceId, Instant at) {
        double base = 1 + Math.floorMod(instanceId.hashCode(), 800) / 100.0;
        double wave = 2 * Math.sin(2 * Math.PI * (at.getEpochSecond() % 86400) / 86400.0);
        return Math.round(Math.max(0.1, base + wave) * 100) / 100.0;
    }

    static Map<String, String> dims(String id) {
        Map<String, String> m = new TreeMap<>();
        m.put("InstanceId", id);
        return m;
    }
}
