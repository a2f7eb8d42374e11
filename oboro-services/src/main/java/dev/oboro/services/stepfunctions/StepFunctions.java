package dev.oboro.services.stepfunctions;

import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.core.time.Scheduler;
import dev.oboro.services.stepfunctions.asl.AslEngine;
import dev.oboro.services.stepfunctions.asl.EngineListener;
import dev.oboro.services.stepfunctions.asl.ExecutionData;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.sfn.model.EncryptionConfiguration;
import software.amazon.awssdk.services.sfn.model.LoggingConfiguration;
import software.amazon.awssdk.services.sfn.model.RoutingConfigurationListItem;
import software.amazon.awssdk.services.sfn.model.TracingConfiguration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Step Functions service's state and its one ASL engine: the tables (per account and region), the engine
 * driven by Oboro's clock and scheduler, and what the engine tells us (persist a changed execution, wake
 * activity pollers, finish sync executions, notify a parent of a nested execution, publish metrics).
 *
 * <p>Running STANDARD executions are persisted as the engine's {@link ExecutionData} on every change and restored
 * when the service loads, so they survive a restart with their timers. EXPRESS executions live in memory only, as
 * AWS keeps no history for them.
 */
final class StepFunctions implements EngineListener {
    private static final Logger LOG = Logger.getLogger(StepFunctions.class.getName());

    /** A state machine as stored: its current revision and the settings AWS describes. */
    record StateMachine(String arn, String name, String type, String status, String definition, String roleArn,
                        Instant creationDate, Instant updateDate, String revisionId, LoggingConfiguration logging,
                        TracingConfiguration tracing, EncryptionConfiguration encryption, Map<String, String> tags,
                        long lastVersion) {
        StateMachine withStatus(String s) {
            return new StateMachine(arn, name, type, s, definition, roleArn, creationDate, updateDate, revisionId, logging, tracing,
                    encryption, tags, lastVersion);
        }

        StateMachine withTags(Map<String, String> t) {
            return new StateMachine(arn, name, type, status, definition, roleArn, creationDate, updateDate, revisionId, logging, tracing,
                    encryption, t, lastVersion);
        }

        StateMachine withLastVersion(long v) {
            return new StateMachine(arn, name, type, status, definition, roleArn, creationDate, updateDate, revisionId, logging, tracing,
                    encryption, tags, v);
        }
    }

    /** A published, immutable version of a state machine ({@code <machine arn>:<number>}). */
    record Version(String arn, String stateMachineArn, long number, String name, String type, String definition,
                   String roleArn, String revisionId, String description, Instant creationDate, LoggingConfiguration logging,
                   TracingConfiguration tracing, EncryptionConfiguration encryption) {
    }

    /** An alias routing executions to one or two versions by weight ({@code <machine arn>:<alias name>}). */
    record Alias(String arn, String stateMachineArn, String name, String description, List<RoutingConfigurationListItem> routing,
                 Instant creationDate, Instant updateDate) {
    }

    record Activity(String arn, String name, Instant creationDate, Map<String, String> tags, EncryptionConfiguration encryption) {
    }

    /**
     * A STANDARD execution: its summary as DescribeExecution shows it, the engine's snapshot ({@code data}), and,
     * for an execution started by a {@code states:startExecution.sync} task, the parent task to notify.
     */
    record Execution(String arn, String stateMachineArn, String versionArn, String aliasArn, String name, String status,
                     Instant startDate, Instant stopDate, String input, String output, String error, String cause,
                     int redriveCount, Instant redriveDate, String traceHeader, String parentArn, String parentTaskId,
                     String parentPattern, String data, String mapRunArn) {
        Execution with(ExecutionData d) {
            return new Execution(arn, stateMachineArn, versionArn, aliasArn, name, d.status, d.startDate != null ? d.startDate : startDate,
                    d.stopDate, input, d.output,
                    d.error, d.cause, d.redriveCount, d.redriveDate, traceHeader, parentArn, parentTaskId, parentPattern, d.toJson(), mapRunArn);
        }
    }

    /** The publisher of the AWS/States metrics (CloudWatch's in-process metrics door). */
    interface MetricsSink {
        void put(String account, String region, String metric, Map<String, String> dimensions, double value, String unit);

        MetricsSink NONE = (a, r, m, d, v, u) -> { };
    }

    final Oboro oboro;
    final Table<StateMachine> machines;
    final Table<Version> versions;
    final Table<Alias> aliases;
    final Table<Activity> activities;
    final Table<Execution> executions;
    final AslEngine engine;
    final Integrations integrations;
    final ExecutionLogs logs = new ExecutionLogs(this);
    final ExecutionTraces traces = new ExecutionTraces(this);
    final MapRuns mapRuns;
    /** Trace headers of executions started since load (EXPRESS ones have no record to keep it in). */
    private final Map<String, String> traceHeaders = new ConcurrentHashMap<>();
    volatile MetricsSink metrics = this::publish;
    /** Executions the engine holds in memory (running ones, and finished ones not yet forgotten). */
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<ExecutionData>> syncWaiters = new ConcurrentHashMap<>();
    private final Map<String, Waiter> activityWaiters = new ConcurrentHashMap<>();

    private void publish(String account, String region, String metric, Map<String, String> dimensions, double value, String unit) {
        dev.oboro.services.cloudwatch.Metrics.put(oboro, account, region, "AWS/States", metric, dimensions, value, unit, null);
    }

    StepFunctions(Oboro oboro) {
        this.oboro = oboro;
        this.machines = oboro.store().table("stepfunctions.statemachines", StateMachine.class);
        this.versions = oboro.store().table("stepfunctions.versions", Version.class);
        this.aliases = oboro.store().table("stepfunctions.aliases", Alias.class);
        this.activities = oboro.store().table("stepfunctions.activities", Activity.class);
        this.executions = oboro.store().table("stepfunctions.executions", Execution.class);
        this.integrations = new Integrations(this);
        this.mapRuns = new MapRuns(this);
        Scheduler scheduler = oboro.scheduler();
        this.engine = AslEngine.builder()
                .clock(oboro.clock())
                .scheduler((at, task) -> {
                    Scheduler.Task t = scheduler.schedule(at, task);
                    return t::cancel;
                })
                .taskInvoker(integrations)
                .mapRunner(mapRuns)
                .listener(this)
                .region(oboro.config().defaultRegion())
                .build();
        oboro.store().onReset(this::onReset);
    }

    /** Gives every persisted running execution back to the engine: its timers re-arm at their absolute instants. */
    void restoreRunning() {
        integrations.restoring = true;
        try {
            restoreAll();
            mapRuns.restore();
        } finally {
            integrations.restoring = false;
        }
    }

    private void restoreAll() {
        for (Scope s : executions.scopes()) {
            for (Execution e : List.copyOf(executions.values(s))) {
                if (!"RUNNING".equals(e.status()) || e.data() == null) continue;
                try {
                    engine.restore(ExecutionData.fromJson(e.data()));
                    live.add(e.arn());
                } catch (RuntimeException ex) {
                    LOG.log(Level.SEVERE, "could not restore execution " + e.arn(), ex);
                }
            }
        }
    }

    private void onReset() {
        for (String arn : List.copyOf(live)) engine.forget(arn);
        live.clear();
        syncWaiters.values().forEach(f -> f.cancel(false));
        syncWaiters.clear();
        mapRuns.onReset();
        restoreRunning();
    }

    // ------------------------------------------------------------------ engine

    void started(String executionArn) {
        live.add(executionArn);
    }

    /** Registers a waiter for a sync execution before it starts (it may finish while starting). */
    CompletableFuture<ExecutionData> awaitFinish(String executionArn) {
        CompletableFuture<ExecutionData> f = new CompletableFuture<>();
        syncWaiters.put(executionArn, f);
        return f;
    }

    void traced(String executionArn, String traceHeader) {
        if (traceHeader != null) traceHeaders.put(executionArn, traceHeader);
    }

    /** The trace header an execution started with (null if none). */
    String traceHeader(String executionArn) {
        String h = traceHeaders.get(executionArn);
        if (h != null || executionArn.contains(":express:")) return h;
        Execution e = executions.get(Arns.parse(executionArn).scope(), executionArn);
        return e == null ? null : e.traceHeader();
    }

    /** The X-Ray trace header a task of a running execution passes to the service it calls (null if the execution has none). */
    String taskTraceHeader(String executionArn, long scheduledEventId) {
        String header = traceHeader(executionArn);
        if (header == null) return null;
        ExecutionData d = engine.execution(executionArn).orElse(null);
        TracingConfiguration tracing = d == null ? null : tracingFor(d);
        return ExecutionTraces.taskHeader(header, tracing != null && Boolean.TRUE.equals(tracing.enabled()), executionArn, scheduledEventId);
    }

    void stopWaiting(String executionArn) {
        syncWaiters.remove(executionArn);
    }

    /** Makes sure the engine holds a (finished) execution, for redrive. */
    void ensureInEngine(Execution e) {
        if (engine.execution(e.arn()).isPresent()) return;
        engine.restore(ExecutionData.fromJson(e.data()));
        live.add(e.arn());
    }

    @Override
    public void executionChanged(ExecutionData d) {
        if (d.executionArn.contains(":express:")) return;
        Scope scope = Arns.parse(d.executionArn).scope();
        Execution updated = executions.update(scope, d.executionArn, e -> e == null ? null : e.with(d));
        if (updated != null && d.isRunning()) {
            StateMachine m = machineOf(scope, updated.stateMachineArn());
            if (m == null || "DELETING".equals(m.status())) terminate(d.executionArn);
        }
    }

    /** AWS: "On the next state transition, the state machine's executions are terminated." */
    void terminate(String executionArn) {
        engine.terminateAtNextTransition(executionArn, "The state machine was deleted.");
    }

    @Override
    public void executionFinished(ExecutionData d) {
        Arns.Parsed p = Arns.parse(d.executionArn);
        String account = p.account();
        String region = p.region();
        publishFinished(account, region, d);
        String traceHeader = traceHeaders.remove(d.executionArn);
        Execution e = p.type().equals("express") ? null : executions.get(p.scope(), d.executionArn);
        if (traceHeader == null && e != null) traceHeader = e.traceHeader();
        TracingConfiguration tracing = tracingFor(d);
        traces.finished(d, traceHeader, tracing != null && Boolean.TRUE.equals(tracing.enabled()));
        CompletableFuture<ExecutionData> waiter = syncWaiters.remove(d.executionArn);
        if (waiter != null) waiter.complete(d);
        mapRuns.childFinished(d);
        if (!p.type().equals("express")) {
            if (e != null && e.parentArn() != null) integrations.childFinished(e);
            StateMachine m = machines.get(p.scope(), d.stateMachineArn);
            if (m != null && "DELETING".equals(m.status())) removeIfIdle(p.scope(), m);
        }
        engine.forget(d.executionArn);
        live.remove(d.executionArn);
    }

    @Override
    public void eventsAppended(ExecutionData d, int fromIndex) {
        logs.appended(d, fromIndex);
    }

    /** The logging configuration an execution runs under: its version's, else its machine's (a Map Run child: the parent machine's). */
    LoggingConfiguration loggingFor(ExecutionData d) {
        Scope scope = Arns.parse(d.executionArn).scope();
        if (d.stateMachineVersionArn != null) {
            Version v = versions.get(scope, d.stateMachineVersionArn);
            if (v != null) return v.logging();
        }
        StateMachine m = machineOf(scope, d.stateMachineArn);
        return m == null ? null : m.logging();
    }

    TracingConfiguration tracingFor(ExecutionData d) {
        Scope scope = Arns.parse(d.executionArn).scope();
        if (d.stateMachineVersionArn != null) {
            Version v = versions.get(scope, d.stateMachineVersionArn);
            if (v != null) return v.tracing();
        }
        StateMachine m = machineOf(scope, d.stateMachineArn);
        return m == null ? null : m.tracing();
    }

    /** The state machine of an execution's machine ARN ({@code <machine>/<map label>} for Map Run children). */
    StateMachine machineOf(Scope scope, String stateMachineArn) {
        String name = Arns.parse(stateMachineArn).name();
        int slash = name.indexOf('/');
        return machines.get(scope, Arns.stateMachine(scope, slash < 0 ? name : name.substring(0, slash)));
    }

    @Override
    public void activityTaskScheduled(String activityArn) {
        Waiter w = activityWaiters.get(activityArn);
        if (w != null) w.signal();
    }

    Waiter activityWaiter(String activityArn) {
        return activityWaiters.computeIfAbsent(activityArn, k -> new Waiter());
    }

    /** Removes a DELETING state machine once none of its executions runs (with its versions and aliases). */
    void removeIfIdle(Scope scope, StateMachine m) {
        for (Execution e : executions.values(scope)) {
            if (e.stateMachineArn().equals(m.arn()) && "RUNNING".equals(e.status())) return;
        }
        machines.remove(scope, m.arn());
    }

    // ------------------------------------------------------------------ metrics

    void publishStarted(String account, String region, String stateMachineArn) {
        try {
            metrics.put(account, region, "ExecutionsStarted", Map.of("StateMachineArn", stateMachineArn), 1, "Count");
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "metrics", e);
        }
    }

    private void publishFinished(String account, String region, ExecutionData d) {
        String metric = switch (d.status) {
            case "SUCCEEDED" -> "ExecutionsSucceeded";
            case "FAILED" -> "ExecutionsFailed";
            case "ABORTED" -> "ExecutionsAborted";
            case "TIMED_OUT" -> "ExecutionsTimedOut";
            default -> null;
        };
        if (metric == null) return;
        try {
            Map<String, String> dims = Map.of("StateMachineArn", d.stateMachineArn);
            metrics.put(account, region, metric, dims, 1, "Count");
            if (d.startDate != null && d.stopDate != null) {
                metrics.put(account, region, "ExecutionTime", dims, Duration.between(d.startDate, d.stopDate).toMillis(), "Milliseconds");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "metrics", e);
        }
    }

    // ------------------------------------------------------------------ lookups

    StateMachine machine(Scope scope, String arn) {
        StateMachine m = machines.get(scope, arn);
        if (m == null) throw machineDoesNotExist(arn);
        return m;
    }

    static AwsException machineDoesNotExist(String arn) {
        return new AwsException("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
    }

    /** A monitor that long polls wait on; {@link #signal} wakes them. */
    static final class Waiter {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long version;

        long version() {
            lock.lock();
            try {
                return version;
            } finally {
                lock.unlock();
            }
        }

        void signal() {
            lock.lock();
            try {
                version++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until signalled after {@code seen} or until the deadline ({@link System#nanoTime()}). */
        void await(long seen, long deadlineNanos) throws InterruptedException {
            lock.lock();
            try {
                while (version == seen) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) return;
                    changed.await(left, TimeUnit.NANOSECONDS);
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
