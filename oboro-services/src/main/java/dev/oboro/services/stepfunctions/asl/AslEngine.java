package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.services.stepfunctions.asl.ExecutionData.Frame;
import dev.oboro.services.stepfunctions.asl.ExecutionData.Timer;
import dev.oboro.services.stepfunctions.asl.StateMachine.StateDef;
import dev.oboro.services.stepfunctions.asl.TaskRequest.IntegrationPattern;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * The Amazon States Language engine: runs executions of state machines on the host's clock and scheduler,
 * hands Task work to a {@link TaskInvoker} and activity work to pollers, and writes the execution history AWS
 * writes. Thread-safe; each execution is processed under its own lock, one event at a time.
 */
public final class AslEngine {
    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final AslScheduler scheduler;
    private final TaskInvoker invoker;
    private final RandomGenerator random;
    private final EngineListener listener;
    private final String defaultRegion;
    private final MapRunner mapRunner;
    private final Map<String, Exec> executions = new ConcurrentHashMap<>();
    private final Map<String, String[]> tokens = new ConcurrentHashMap<>();
    /** Tokens of tasks that ended, true if by timing out: SendTask* answers TaskTimedOut / TaskDoesNotExist for them. */
    private final Map<String, Boolean> closedTokens = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) { return size() > 100_000; }
    });
    private final Map<String, ConcurrentLinkedDeque<String>> activityQueues = new ConcurrentHashMap<>();
    private final Map<String, StateMachine> parsed = new ConcurrentHashMap<>();

    /** The running form of one execution: its data plus what cannot be persisted (parsed definition, timer handles). */
    private static final class Exec {
        final ExecutionData d;
        final StateMachine sm;
        final JsonNode input;
        final ArrayDeque<Runnable> work = new ArrayDeque<>();
        final Map<String, AslScheduler.Handle> handles = new HashMap<>();
        boolean draining;
        String terminateCause;
        /** How many times the execution ended (a redrive can end it again within one piece of work). */
        int ends;

        Exec(ExecutionData d, StateMachine sm) {
            this.d = d;
            this.sm = sm;
            this.input = Json.parse(d.input == null ? "{}" : d.input);
        }
    }

    /** What {@link #start} needs: the execution's identity, its definition (already validated) and input. */
    public record StartRequest(String executionArn, String stateMachineArn, String name, String roleArn, String definition,
                               String input, String stateMachineVersionArn, String stateMachineAliasArn) {
        public StartRequest(String executionArn, String stateMachineArn, String name, String roleArn, String definition, String input) {
            this(executionArn, stateMachineArn, name, roleArn, definition, input, null, null);
        }
    }

    /** Outcome of SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat by token. */
    public enum TokenResult { OK, INVALID_TOKEN, TASK_DOES_NOT_EXIST, TASK_TIMED_OUT }

    private AslEngine(Builder b) {
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.scheduler = Objects.requireNonNull(b.scheduler, "scheduler");
        this.invoker = b.invoker == null ? r -> taskFailed(r.executionArn(), r.taskId(), "States.Runtime", "No task invoker is configured") : b.invoker;
        this.random = b.random == null ? new java.util.SplittableRandom() : b.random;
        this.listener = b.listener == null ? EngineListener.NONE : b.listener;
        this.defaultRegion = b.region;
        this.mapRunner = b.mapRunner;
    }

    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private Clock clock;
        private AslScheduler scheduler;
        private TaskInvoker invoker;
        private RandomGenerator random;
        private EngineListener listener;
        private String region = "us-east-1";
        private MapRunner mapRunner;

        public Builder clock(Clock c) { this.clock = c; return this; }
        public Builder scheduler(AslScheduler s) { this.scheduler = s; return this; }
        public Builder taskInvoker(TaskInvoker t) { this.invoker = t; return this; }
        /** Source of States.UUID, States.MathRandom, $uuid, $random, jitter and task tokens. */
        public Builder random(RandomGenerator r) { this.random = r; return this; }
        public Builder listener(EngineListener l) { this.listener = l; return this; }
        public Builder region(String r) { this.region = r; return this; }
        /** Runs distributed Map states as Map Runs of child executions; without one they run inline. */
        public Builder mapRunner(MapRunner m) { this.mapRunner = m; return this; }
        public AslEngine build() { return new AslEngine(this); }
    }

    // ------------------------------------------------------------------ public API

    /** Validate a definition as CreateStateMachine / ValidateStateMachineDefinition do. */
    public static List<Diagnostic> validate(String definition) { return Validator.validate(definition); }

    /** Start an execution: writes ExecutionStarted and runs until the first wait. */
    public ExecutionData start(StartRequest r) {
        ExecutionData d = new ExecutionData();
        d.executionArn = r.executionArn();
        d.stateMachineArn = r.stateMachineArn();
        d.stateMachineVersionArn = r.stateMachineVersionArn();
        d.stateMachineAliasArn = r.stateMachineAliasArn();
        d.name = r.name();
        d.roleArn = r.roleArn();
        d.definition = r.definition();
        d.input = r.input() == null ? "{}" : Json.write(Json.parse(r.input()));
        d.startDate = now();
        Exec x = new Exec(d, machine(r.definition()));
        if (executions.putIfAbsent(d.executionArn, x) != null) throw new IllegalStateException("Execution already exists: " + d.executionArn);
        act(x, () -> {
            ObjectNode det = Json.mapOf("input", d.input, "inputDetails", notTruncated(), "roleArn", d.roleArn,
                    "stateMachineAliasArn", d.stateMachineAliasArn, "stateMachineVersionArn", d.stateMachineVersionArn);
            Frame root = newFrame(x, null, "ROOT", 0, "", x.sm.root.startAt, x.input);
            emit(x, root, "ExecutionStarted", "executionStartedEventDetails", det, false);
            Integer t = x.sm.timeoutSeconds();
            if (t != null) addTimer(x, "EXECUTION_TIMEOUT", root.id, d.startDate.plusSeconds(t));
            schedule(x, root);
        });
        return d;
    }

    /** The live data of an execution (do not mutate); empty if unknown to this engine. */
    public Optional<ExecutionData> execution(String executionArn) {
        Exec x = executions.get(executionArn);
        return x == null ? Optional.empty() : Optional.of(x.d);
    }

    /** A deep copy of the execution's data, safe to persist. */
    public ExecutionData snapshot(String executionArn) {
        Exec x = require(executionArn);
        synchronized (x) {
            return ExecutionData.fromJson(x.d.toJson());
        }
    }

    /** Bring back an execution from its snapshot (after a restart): re-arms timers, re-queues activity tasks, re-invokes in-flight tasks. */
    public void restore(ExecutionData d) {
        Exec x = new Exec(d, machine(d.definition));
        if (executions.putIfAbsent(d.executionArn, x) != null) throw new IllegalStateException("Execution already exists: " + d.executionArn);
        synchronized (x) {
            for (Timer t : d.timers.values()) arm(x, t);
            for (Frame f : d.frames.values()) {
                if (!"WAIT_TASK".equals(f.phase)) continue;
                if (f.taskToken != null) tokens.put(f.taskToken, new String[] {d.executionArn, f.taskId});
                if ("MAP_RUN".equals(f.taskKind)) {
                    if (!f.taskRequest.path("submitted").asBoolean(false) && mapRunner != null) {
                        TaskRequest req = requestOf(f, x.d.executionArn);
                        act(x, () -> mapRunner.start(req));
                    }
                } else if ("ACTIVITY".equals(f.taskKind)) {
                    if (!f.activityStarted) activityQueues.computeIfAbsent(f.taskRequest.path("resource").asText(), k -> new ConcurrentLinkedDeque<>()).add(f.taskToken);
                } else if (!f.taskRequest.path("submitted").asBoolean(false)) {
                    TaskRequest req = requestOf(f, x.d.executionArn);
                    act(x, () -> invoker.invoke(req));
                }
            }
        }
    }

    /** Drop a (finished) execution from memory. */
    public void forget(String executionArn) {
        Exec x = executions.remove(executionArn);
        if (x != null) synchronized (x) { x.handles.values().forEach(AslScheduler.Handle::cancel); }
    }

    /** The history, oldest first, as SDK model objects. */
    public List<HistoryEvent> history(String executionArn) {
        Exec x = require(executionArn);
        List<ObjectNode> evs;
        synchronized (x) { evs = new ArrayList<>(x.d.events); }
        List<HistoryEvent> out = new ArrayList<>(evs.size());
        for (ObjectNode e : evs) out.add(SdkJson.build(HistoryEvent.builder(), e));
        return out;
    }

    /** The history in AWS JSON form. */
    public ArrayNode historyJson(String executionArn) {
        Exec x = require(executionArn);
        synchronized (x) { return x.d.eventsJson().deepCopy(); }
    }

    /** StopExecution: abort everything in flight and write ExecutionAborted. */
    public void stop(String executionArn, String error, String cause) {
        Exec x = require(executionArn);
        act(x, () -> {
            if (!x.d.isRunning()) return;
            Frame root = root(x);
            abortAll(x, false);
            emit(x, root, "ExecutionAborted", "executionAbortedEventDetails", Json.mapOf("error", error, "cause", cause), true);
            end(x, "ABORTED", null, error, cause);
        });
    }

    /**
     * The execution's state machine is being deleted: the execution stops (ExecutionAborted) at its next state
     * transition, as DeleteStateMachine documents.
     */
    public void terminateAtNextTransition(String executionArn, String cause) {
        Exec x = executions.get(executionArn);
        if (x != null) synchronized (x) { x.terminateCause = cause; }
    }

    /**
     * RedriveExecution: continue from the unsuccessful state with the input it had. A Parallel or inline Map state
     * re-runs only its branches and iterations that failed or were aborted (their successful results are kept); a
     * distributed Map redrives its Map Run (the host re-runs the unsuccessful child executions).
     */
    public void redrive(String executionArn) {
        Exec x = require(executionArn);
        act(x, () -> {
            if (x.d.isRunning() || "SUCCEEDED".equals(x.d.status)) throw new IllegalStateException("Execution is not redrivable: " + x.d.status);
            Frame root = root(x);
            x.d.redriveCount++;
            x.d.redriveDate = now();
            x.d.status = "RUNNING";
            x.d.stopDate = null;
            x.d.error = null;
            x.d.cause = null;
            x.d.output = null;
            long id = emit(x, root, "ExecutionRedriven", "executionRedrivenEventDetails", Json.mapOf("redriveCount", x.d.redriveCount), true);
            redriveFrame(x, root, id);
        });
    }

    private void redriveFrame(Exec x, Frame f, long source) {
        f.source = source;
        StateDef st = x.sm.state(f.scopeId, f.state);
        boolean fanOut = st != null && (st.type.equals("Parallel") || st.type.equals("Map"));
        if (fanOut && st.isDistributedMap() && mapRunner != null && f.mapRunArn != null) {
            resetTask(f);
            f.taskId = "t" + (++x.d.seq);
            f.taskKind = "MAP_RUN";
            f.taskRequest = mapRunRequest(x, null).put("submitted", true);
            f.phase = "WAIT_TASK";
            TaskRequest r = requestOf(f, x.d.executionArn);
            String mapRun = f.mapRunArn;
            x.work.add(() -> mapRunner.redrive(r, mapRun));
            return;
        }
        if (fanOut && !st.isDistributedMap() && f.results != null && !f.children.isEmpty()
                && (st.type.equals("Parallel") || f.items != null)) {
            List<Frame> again = new ArrayList<>();
            for (String id : f.children) {
                Frame c = x.d.frames.get(id);
                if (c != null && !"SUCCEEDED".equals(c.phase)) again.add(c);
            }
            if (!again.isEmpty()) {
                resetTask(f);
                f.phase = "WAIT_CHILDREN";
                f.failed = 0;
                f.redriving = new ArrayList<>();
                if (st.type.equals("Map")) {
                    // an inline Map re-runs its iterations within MaxConcurrency, as it ran them the first time
                    f.running = 0;
                    again.forEach(c -> f.redriving.add(c.id));
                    fillMap(x, f, st);
                    return;
                }
                f.running = again.size();
                for (Frame c : again) redriveFrame(x, c, source);
                return;
            }
        }
        resetTask(f);
        f.phase = "READY";
        // an iteration that starts over writes MapIterationStarted again, linked to its Map state's event
        if ("ITERATION".equals(f.kind)) f.source = -1;
        schedule(x, f);
    }

    private ObjectNode mapRunRequest(Exec x, ObjectNode params) {
        return Json.mapOf("resource", "arn:aws:states:::mapRun", "resourceType", "states", "resourceName", "mapRun", "suffix", "",
                "pattern", IntegrationPattern.REQUEST_RESPONSE.name(), "parameters", params, "region", defaultRegion(x));
    }

    /** The host created the Map Run of a distributed Map state: writes MapRunStarted. */
    public void mapRunStarted(String executionArn, String taskId, String mapRunArn) {
        Exec x = executions.get(executionArn);
        if (x == null) return;
        act(x, () -> {
            Frame f = taskFrame(x, taskId);
            if (f == null || !"MAP_RUN".equals(f.taskKind)) return;
            f.mapRunArn = mapRunArn;
            ObjectNode r = (ObjectNode) f.taskRequest;
            r.put("submitted", true);
            r.remove("parameters"); // the items now live with the Map Run
            emit(x, f, "MapRunStarted", "mapRunStartedEventDetails", Json.mapOf("mapRunArn", mapRunArn), true);
        });
    }

    /** The host redrove the Map Run of a distributed Map state: writes MapRunRedriven. */
    public void mapRunRedriven(String executionArn, String taskId, String mapRunArn, int redriveCount) {
        Exec x = executions.get(executionArn);
        if (x == null) return;
        act(x, () -> {
            Frame f = taskFrame(x, taskId);
            if (f == null || !"MAP_RUN".equals(f.taskKind)) return;
            emit(x, f, "MapRunRedriven", "mapRunRedrivenEventDetails", Json.mapOf("mapRunArn", mapRunArn, "redriveCount", redriveCount), true);
        });
    }

    /** The invoker's call succeeded (request-response result, .sync final result, or the .waitForTaskToken submission). */
    public void taskSucceeded(String executionArn, String taskId, String output) {
        Exec x = executions.get(executionArn);
        if (x == null) return;
        JsonNode out = Json.parse(output == null ? "null" : output);
        act(x, () -> {
            Frame f = taskFrame(x, taskId);
            if (f == null) return;
            IntegrationPattern p = IntegrationPattern.valueOf(f.taskRequest.path("pattern").asText());
            if (p == IntegrationPattern.WAIT_FOR_TASK_TOKEN && !f.taskRequest.path("submitted").asBoolean(false)) {
                submitted(x, f, out);
                return;
            }
            taskDone(x, f, out);
        });
    }

    /** A .sync job or .waitForTaskToken call was submitted; writes TaskSubmitted. */
    public void taskSubmitted(String executionArn, String taskId, String output) {
        Exec x = executions.get(executionArn);
        if (x == null) return;
        JsonNode out = Json.parse(output == null ? "null" : output);
        act(x, () -> {
            Frame f = taskFrame(x, taskId);
            if (f != null && !f.taskRequest.path("submitted").asBoolean(false)) submitted(x, f, out);
        });
    }

    public void taskFailed(String executionArn, String taskId, String error, String cause) {
        Exec x = executions.get(executionArn);
        if (x == null) return;
        act(x, () -> {
            Frame f = taskFrame(x, taskId);
            if (f != null) taskError(x, f, error, cause);
        });
    }

    public void taskHeartbeat(String executionArn, String taskId) {
        Exec x = executions.get(executionArn);
        if (x == null) return;
        act(x, () -> {
            Frame f = taskFrame(x, taskId);
            if (f != null) heartbeat(x, f);
        });
    }

    /** SendTaskSuccess for a .waitForTaskToken task or an activity. */
    public TokenResult sendTaskSuccess(String taskToken, String output) {
        JsonNode out = Json.parse(output);
        return byToken(taskToken, (x, f) -> taskDone(x, f, out));
    }

    public TokenResult sendTaskFailure(String taskToken, String error, String cause) {
        return byToken(taskToken, (x, f) -> taskError(x, f, error, cause));
    }

    public TokenResult sendTaskHeartbeat(String taskToken) {
        return byToken(taskToken, (x, f) -> heartbeat(x, f));
    }

    /** GetActivityTask: hand out the oldest queued task of the activity (writes ActivityStarted), if any. */
    public Optional<ActivityTask> pollActivityTask(String activityArn, String workerName) {
        ConcurrentLinkedDeque<String> q = activityQueues.get(activityArn);
        if (q == null) return Optional.empty();
        String token;
        while ((token = q.poll()) != null) {
            String[] ref = tokens.get(token);
            if (ref == null) continue;
            Exec x = executions.get(ref[0]);
            if (x == null) continue;
            ActivityTask[] got = new ActivityTask[1];
            String tk = token;
            act(x, () -> {
                Frame f = taskFrame(x, ref[1]);
                if (f == null || f.activityStarted) return;
                f.activityStarted = true;
                emit(x, f, "ActivityStarted", "activityStartedEventDetails", Json.mapOf("workerName", workerName), true);
                Integer hb = f.taskRequest.hasNonNull("heartbeatSeconds") ? f.taskRequest.get("heartbeatSeconds").intValue() : null;
                if (hb != null) addTimer(x, "HEARTBEAT", f.id, now().plusSeconds(hb));
                got[0] = new ActivityTask(tk, Json.write(f.taskRequest.get("parameters")));
            });
            if (got[0] != null) return Optional.of(got[0]);
        }
        return Optional.empty();
    }

    /** Number of activity tasks waiting for a worker. */
    public int pendingActivityTasks(String activityArn) {
        ConcurrentLinkedDeque<String> q = activityQueues.get(activityArn);
        return q == null ? 0 : q.size();
    }

    /** TestState: evaluate one state in isolation. */
    public TestStateResult testState(TestStateRequest request) { return new TestStateRunner(this, clock, random).run(request); }

    // ------------------------------------------------------------------ driving

    private Exec require(String arn) {
        Exec x = executions.get(arn);
        if (x == null) throw new IllegalArgumentException("Execution does not exist: " + arn);
        return x;
    }

    StateMachine machine(String definition) {
        StateMachine sm = parsed.get(definition);
        if (sm == null) {
            sm = StateMachine.parse(definition);
            if (parsed.size() > 1000) parsed.clear();
            parsed.put(definition, sm);
        }
        return sm;
    }

    /** Run r under the execution's lock; work queued while draining (also re-entrant calls) runs in order. */
    private void act(Exec x, Runnable r) {
        boolean finished;
        synchronized (x) {
            x.work.add(r);
            if (x.draining) return;
            x.draining = true;
            int endsBefore = x.ends;
            int eventsBefore = x.d.events.size();
            try {
                Runnable n;
                while ((n = x.work.poll()) != null) {
                    try {
                        n.run();
                    } catch (IllegalStateException | IllegalArgumentException e) {
                        if (n == r) { x.work.clear(); throw e; }
                        internalFailure(x, e);
                    } catch (RuntimeException e) {
                        internalFailure(x, e);
                    }
                }
            } finally {
                x.draining = false;
            }
            finished = x.ends != endsBefore && !x.d.isRunning();
            if (x.d.events.size() > eventsBefore) listener.eventsAppended(x.d, eventsBefore);
            listener.executionChanged(x.d);
        }
        if (finished) listener.executionFinished(x.d);
    }

    private void internalFailure(Exec x, RuntimeException e) {
        if (!x.d.isRunning()) return;
        Frame root = root(x);
        abortAll(x, false);
        String cause = "Internal error in the state machine engine: " + e;
        emit(x, root, "ExecutionFailed", "executionFailedEventDetails", Json.mapOf("error", "States.Runtime", "cause", cause), true);
        end(x, "FAILED", null, "States.Runtime", cause);
    }

    private void schedule(Exec x, Frame f) { x.work.add(() -> runFrame(x, f)); }

    private TokenResult byToken(String token, java.util.function.BiConsumer<Exec, Frame> fn) {
        String[] ref = tokens.get(token);
        if (ref == null) {
            Boolean timedOut = closedTokens.get(token);
            return timedOut == null ? TokenResult.INVALID_TOKEN : timedOut ? TokenResult.TASK_TIMED_OUT : TokenResult.TASK_DOES_NOT_EXIST;
        }
        Exec x = executions.get(ref[0]);
        if (x == null) return TokenResult.TASK_DOES_NOT_EXIST;
        boolean[] ok = new boolean[1];
        act(x, () -> {
            Frame f = taskFrame(x, ref[1]);
            if (f == null) return;
            ok[0] = true;
            fn.accept(x, f);
        });
        return ok[0] ? TokenResult.OK : TokenResult.TASK_DOES_NOT_EXIST;
    }

    private Frame taskFrame(Exec x, String taskId) {
        if (!x.d.isRunning()) return null;
        for (Frame f : x.d.frames.values()) if ("WAIT_TASK".equals(f.phase) && taskId.equals(f.taskId)) return f;
        return null;
    }

    private Frame root(Exec x) { return x.d.frames.values().iterator().next(); }

    private Instant now() { return clock.instant(); }

    // ------------------------------------------------------------------ frames

    private Frame newFrame(Exec x, Frame parent, String kind, int index, String scopeId, String state, JsonNode input) {
        Frame f = new Frame();
        f.id = "f" + (++x.d.seq);
        f.parentId = parent == null ? null : parent.id;
        f.kind = kind;
        f.index = index;
        f.scopeId = scopeId;
        f.state = state;
        f.stateInput = input;
        f.source = -1;
        f.vars = Json.obj();
        x.d.frames.put(f.id, f);
        return f;
    }

    private void runFrame(Exec x, Frame f) {
        if (f.source < 0) {
            Frame p = x.d.frames.get(f.parentId);
            f.source = p == null ? 0 : p.source;
            if ("ITERATION".equals(f.kind) && "READY".equals(f.phase)) {
                StateDef mapState = x.sm.state(p.scopeId, p.state);
                emit(x, f, "MapIterationStarted", "mapIterationStartedEventDetails", Json.mapOf("name", mapState.name, "index", f.index), true);
            }
        }
        while (x.d.isRunning() && "READY".equals(f.phase)) enter(x, f);
    }

    private void enter(Exec x, Frame f) {
        if (x.terminateCause != null) {
            Frame root = root(x);
            abortAll(x, false);
            emit(x, root, "ExecutionAborted", "executionAbortedEventDetails", Json.mapOf("cause", x.terminateCause), true);
            end(x, "ABORTED", null, null, x.terminateCause);
            return;
        }
        StateDef st = x.sm.state(f.scopeId, f.state);
        f.phase = "RUNNING";
        f.retryCount = 0;
        f.retryAttempts.clear();
        f.enteredTime = now();
        f.output = null;
        f.enteredEventId = emit(x, f, st.type + "StateEntered", "stateEnteredEventDetails",
                Json.mapOf("name", st.name, "input", Json.write(DataFlow.nz(f.stateInput)), "inputDetails", notTruncated()), true);
        execute(x, f, st);
    }

    /** The part of a state that runs again on retry. */
    private void execute(Exec x, Frame f, StateDef st) {
        try {
            switch (st.type) {
                case "Pass" -> pass(x, f, st);
                case "Succeed" -> succeed(x, f, st);
                case "Fail" -> fail(x, f, st);
                case "Choice" -> choice(x, f, st);
                case "Wait" -> startWait(x, f, st);
                case "Task" -> startTask(x, f, st);
                case "Parallel" -> startParallel(x, f, st);
                case "Map" -> startMap(x, f, st);
                default -> throw AslError.runtime("Unsupported state type " + st.type);
            }
        } catch (AslError e) {
            handleError(x, f, st, e.error(), prefixed(f, st, e.cause()));
        }
    }

    private static String prefixed(Frame f, StateDef st, String cause) {
        return "An error occurred while executing the state '" + st.name + "' (entered at the event id #" + f.enteredEventId + "). " + cause;
    }

    // ------------------------------------------------------------------ evaluation contexts

    ObjectNode contextObject(Exec x, Frame f, StateDef st) {
        ExecutionData d = x.d;
        ObjectNode exec = Json.mapOf("Id", d.executionArn, "Input", x.input, "Name", d.name, "RoleArn", d.roleArn,
                "StartTime", ISO_MILLIS.format(d.startDate), "RedriveCount", d.redriveCount);
        if (d.redriveDate != null) exec.put("RedriveTime", ISO_MILLIS.format(d.redriveDate));
        ObjectNode ctx = Json.obj();
        ctx.set("Execution", exec);
        ctx.set("State", Json.mapOf("EnteredTime", f.enteredTime == null ? null : ISO_MILLIS.format(f.enteredTime), "Name", st.name, "RetryCount", f.retryCount));
        ctx.set("StateMachine", Json.mapOf("Id", d.stateMachineArn, "Name", machineName(d.stateMachineArn)));
        if (f.taskToken != null) ctx.set("Task", Json.mapOf("Token", f.taskToken));
        return ctx;
    }

    static String machineName(String arn) {
        if (arn == null) return null;
        String[] p = arn.split(":");
        return p.length > 6 ? p[6] : arn;
    }

    private Function<String, JsonNode> variables(Exec x, Frame f) {
        return name -> {
            Frame cur = f;
            while (cur != null) {
                JsonNode v = cur.vars == null ? null : cur.vars.get(name);
                if (v != null) return v;
                Frame parent = cur.parentId == null ? null : x.d.frames.get(cur.parentId);
                if ("ITERATION".equals(cur.kind) && parent != null && x.sm.state(parent.scopeId, parent.state).isDistributedMap()) return null;
                cur = parent;
            }
            return null;
        };
    }

    private PathContext pathCtx(Exec x, Frame f, StateDef st, JsonNode input) {
        return new PathContext(input, contextObject(x, f, st), variables(x, f), random);
    }

    private JsonataEval.Bindings bindings(Exec x, Frame f, StateDef st, JsonNode result, JsonNode errorOutput) {
        ObjectNode states = Json.obj();
        states.set("input", DataFlow.nz(f.stateInput));
        if (result != null) states.set("result", result);
        if (errorOutput != null) states.set("errorOutput", errorOutput);
        states.set("context", contextObject(x, f, st));
        return new JsonataEval.Bindings(states, variables(x, f), random, now());
    }

    /** A field that may be a JSONata expression in JSONata states; returns the literal otherwise. */
    private JsonNode field(Exec x, Frame f, StateDef st, String name, JsonNode result) {
        JsonNode v = st.get(name);
        if (v == null) return null;
        if (st.jsonata) return JsonataEval.template(v, bindings(x, f, st, result, null), name);
        return v;
    }

    // ------------------------------------------------------------------ simple states

    private void pass(Exec x, Frame f, StateDef st) {
        JsonNode raw = DataFlow.nz(f.stateInput);
        if (st.jsonata) {
            JsonataEval.Bindings b = bindings(x, f, st, null, null);
            JsonNode out = st.has("Output") ? required(JsonataEval.template(st.get("Output"), b, "Output"), "Output") : raw;
            ObjectNode assign = st.has("Assign") ? (ObjectNode) JsonataEval.template(st.get("Assign"), b, "Assign") : null;
            exitAndTransition(x, f, st, out, assign, nextOf(st));
            return;
        }
        PathContext ctx = pathCtx(x, f, st, raw);
        JsonNode effective = DataFlow.selectPath(st.node, "InputPath", ctx);
        JsonNode result = st.has("Parameters") ? DataFlow.payload(st.get("Parameters"), ctx.withInput(effective)) : effective;
        if (st.has("Result")) result = st.get("Result");
        ObjectNode assign = st.has("Assign") ? (ObjectNode) DataFlow.payload(st.get("Assign"), ctx.withInput(result)) : null;
        JsonNode afterResult = DataFlow.resultPath(st.node, raw, result);
        JsonNode out = DataFlow.selectPath(st.node, "OutputPath", ctx.withInput(afterResult));
        exitAndTransition(x, f, st, out, assign, nextOf(st));
    }

    private void succeed(Exec x, Frame f, StateDef st) {
        JsonNode raw = DataFlow.nz(f.stateInput);
        JsonNode out;
        if (st.jsonata) {
            out = st.has("Output") ? required(JsonataEval.template(st.get("Output"), bindings(x, f, st, null, null), "Output"), "Output") : raw;
        } else {
            PathContext ctx = pathCtx(x, f, st, raw);
            JsonNode effective = DataFlow.selectPath(st.node, "InputPath", ctx);
            out = DataFlow.selectPath(st.node, "OutputPath", ctx.withInput(effective));
        }
        emit(x, f, "SucceedStateExited", "stateExitedEventDetails", exitedDetails(st, out, null), true);
        frameSucceeded(x, f, out);
    }

    private void fail(Exec x, Frame f, StateDef st) {
        String error, cause;
        if (st.jsonata) {
            JsonataEval.Bindings b = bindings(x, f, st, null, null);
            JsonNode e = JsonataEval.template(st.get("Error"), b, "Error"), c = JsonataEval.template(st.get("Cause"), b, "Cause");
            error = e == null ? null : e.asText();
            cause = c == null ? null : c.asText();
        } else {
            PathContext ctx = pathCtx(x, f, st, DataFlow.nz(f.stateInput));
            error = st.text("Error");
            cause = st.text("Cause");
            if (st.has("ErrorPath")) error = pathString(ctx, st.text("ErrorPath"), "ErrorPath");
            if (st.has("CausePath")) cause = pathString(ctx, st.text("CausePath"), "CausePath");
        }
        frameFailed(x, f, error, cause);
    }

    private static String pathString(PathContext ctx, String expr, String field) {
        JsonNode v = Intrinsics.looksLikeCall(expr) ? Intrinsics.eval(expr, ctx) : ctx.resolve(expr);
        if (v == null) throw AslError.runtime("The JSONPath '" + expr + "' specified for the field '" + field + "' could not be found in the input '" + Json.write(ctx.input()) + "'");
        if (!v.isTextual()) throw AslError.runtime("The value of the field '" + field + "' must be a string, but was " + Json.typeName(v));
        return v.textValue();
    }

    private void choice(Exec x, Frame f, StateDef st) {
        JsonNode raw = DataFlow.nz(f.stateInput);
        if (st.jsonata) {
            JsonataEval.Bindings b = bindings(x, f, st, null, null);
            for (JsonNode rule : st.node.path("Choices")) {
                JsonNode c = JsonataEval.eval(rule.path("Condition").asText(), b, "Condition");
                if (c == null || !c.isBoolean()) throw new AslError("States.QueryEvaluationError", "The Condition field must evaluate to a boolean value, but was " + Json.typeName(c));
                if (c.booleanValue()) {
                    JsonNode out = rule.has("Output") ? required(JsonataEval.template(rule.get("Output"), b, "Output"), "Output")
                            : st.has("Output") ? required(JsonataEval.template(st.get("Output"), b, "Output"), "Output") : raw;
                    JsonNode assignTpl = rule.has("Assign") ? rule.get("Assign") : st.get("Assign");
                    ObjectNode assign = assignTpl == null ? null : (ObjectNode) JsonataEval.template(assignTpl, b, "Assign");
                    exitAndTransition(x, f, st, out, assign, rule.path("Next").asText());
                    return;
                }
            }
            if (!st.has("Default")) throw new AslError("States.NoChoiceMatched", "No Matches!");
            JsonNode out = st.has("Output") ? required(JsonataEval.template(st.get("Output"), b, "Output"), "Output") : raw;
            ObjectNode assign = st.has("Assign") ? (ObjectNode) JsonataEval.template(st.get("Assign"), b, "Assign") : null;
            exitAndTransition(x, f, st, out, assign, st.text("Default"));
            return;
        }
        PathContext ctx = pathCtx(x, f, st, raw);
        JsonNode effective = DataFlow.selectPath(st.node, "InputPath", ctx);
        PathContext ectx = ctx.withInput(effective);
        String next = null;
        JsonNode assignTpl = st.get("Assign");
        for (JsonNode rule : st.node.path("Choices")) {
            if (ChoiceRules.eval(rule, ectx)) {
                next = rule.path("Next").asText();
                if (rule.has("Assign")) assignTpl = rule.get("Assign");
                break;
            }
        }
        if (next == null) {
            if (!st.has("Default")) throw new AslError("States.NoChoiceMatched", "No Matches!");
            next = st.text("Default");
        }
        ObjectNode assign = assignTpl == null ? null : (ObjectNode) DataFlow.payload(assignTpl, ectx);
        JsonNode out = DataFlow.selectPath(st.node, "OutputPath", ectx);
        exitAndTransition(x, f, st, out, assign, next);
    }

    private void startWait(Exec x, Frame f, StateDef st) {
        JsonNode raw = DataFlow.nz(f.stateInput);
        Instant until;
        JsonNode out;
        ObjectNode assign = null;
        if (st.jsonata) {
            JsonataEval.Bindings b = bindings(x, f, st, null, null);
            until = waitUntil(f, st.has("Seconds") ? JsonataEval.template(st.get("Seconds"), b, "Seconds") : null,
                    st.has("Timestamp") ? JsonataEval.template(st.get("Timestamp"), b, "Timestamp") : null, "Seconds", "Timestamp");
            out = st.has("Output") ? required(JsonataEval.template(st.get("Output"), b, "Output"), "Output") : raw;
            if (st.has("Assign")) assign = (ObjectNode) JsonataEval.template(st.get("Assign"), b, "Assign");
        } else {
            PathContext ctx = pathCtx(x, f, st, raw);
            JsonNode effective = DataFlow.selectPath(st.node, "InputPath", ctx);
            PathContext ectx = ctx.withInput(effective);
            JsonNode seconds = st.get("Seconds"), ts = st.get("Timestamp");
            String sf = "Seconds", tf = "Timestamp";
            if (st.has("SecondsPath")) {
                seconds = ectx.resolve(st.text("SecondsPath"));
                sf = "SecondsPath";
                if (seconds == null) throw AslError.runtime("Invalid path '" + st.text("SecondsPath") + "' : No results for path: " + JsonPath.compile(st.text("SecondsPath")).normalized());
            }
            if (st.has("TimestampPath")) {
                ts = ectx.resolve(st.text("TimestampPath"));
                tf = "TimestampPath";
                if (ts == null) throw AslError.runtime("Invalid path '" + st.text("TimestampPath") + "' : No results for path: " + JsonPath.compile(st.text("TimestampPath")).normalized());
            }
            until = waitUntil(f, seconds, ts, sf, tf);
            if (st.has("Assign")) assign = (ObjectNode) DataFlow.payload(st.get("Assign"), ectx);
            out = DataFlow.selectPath(st.node, "OutputPath", ectx);
        }
        f.output = out;
        f.childInput = assign;
        f.phase = "WAIT_TIMER";
        addTimer(x, "WAIT", f.id, until);
    }

    private Instant waitUntil(Frame f, JsonNode seconds, JsonNode ts, String sf, String tf) {
        if (seconds != null) {
            if (!Json.isInteger(seconds) || seconds.longValue() < 0)
                throw AslError.runtime("The " + sf + " field must be a non-negative integer, but was " + Json.write(seconds));
            return f.enteredTime.plusSeconds(seconds.longValue());
        }
        java.time.OffsetDateTime t = ChoiceRules.timestamp(ts);
        if (t == null) throw AslError.runtime("The " + tf + " field must be an ISO-8601 timestamp, but was " + Json.write(DataFlow.nz(ts)));
        return t.toInstant();
    }

    private void waitDone(Exec x, Frame f) {
        StateDef st = x.sm.state(f.scopeId, f.state);
        f.phase = "RUNNING";
        ObjectNode assign = f.childInput instanceof ObjectNode o ? o : null;
        f.childInput = null;
        exitAndTransition(x, f, st, f.output, assign, nextOf(st));
        schedule(x, f);
    }

    private static JsonNode required(JsonNode v, String field) {
        if (v == null) throw new AslError("States.QueryEvaluationError", "The JSONata expression specified for the field '" + field + "' returned nothing (undefined).");
        return v;
    }

    // ------------------------------------------------------------------ transitions

    private ObjectNode exitedDetails(StateDef st, JsonNode out, ObjectNode assign) {
        ObjectNode det = Json.mapOf("name", st.name, "output", Json.write(out), "outputDetails", notTruncated());
        if (assign != null) {
            ObjectNode av = Json.obj();
            assign.fields().forEachRemaining(e -> av.put(e.getKey(), Json.write(e.getValue())));
            det.set("assignedVariables", av);
            det.set("assignedVariablesDetails", notTruncated());
        }
        return det;
    }

    /** Writes the Exited event, applies Assign, then ends the frame (next == null) or moves to next. */
    private void exitAndTransition(Exec x, Frame f, StateDef st, JsonNode out, ObjectNode assign, String next) {
        emit(x, f, st.type + "StateExited", "stateExitedEventDetails", exitedDetails(st, out, assign), true);
        if (assign != null) assign.fields().forEachRemaining(e -> f.vars.set(e.getKey(), e.getValue()));
        if (next == null) {
            frameSucceeded(x, f, out);
            return;
        }
        f.state = next;
        f.stateInput = out;
        f.phase = "READY";
    }

    private static String nextOf(StateDef st) { return st.end ? null : st.next; }

    private void frameSucceeded(Exec x, Frame f, JsonNode out) {
        f.phase = "SUCCEEDED";
        f.output = out;
        switch (f.kind) {
            case "ROOT" -> {
                emit(x, f, "ExecutionSucceeded", "executionSucceededEventDetails", Json.mapOf("output", Json.write(out), "outputDetails", notTruncated()), true);
                end(x, "SUCCEEDED", out, null, null);
            }
            case "BRANCH" -> childSucceeded(x, f);
            default -> {
                Frame p = x.d.frames.get(f.parentId);
                emit(x, f, "MapIterationSucceeded", "mapIterationSucceededEventDetails", Json.mapOf("name", p.state, "index", f.index), false);
                childSucceeded(x, f);
            }
        }
    }

    private void frameFailed(Exec x, Frame f, String error, String cause) {
        f.phase = "FAILED";
        f.error = error;
        f.cause = cause;
        switch (f.kind) {
            case "ROOT" -> {
                abortAll(x, false);
                emit(x, f, "ExecutionFailed", "executionFailedEventDetails", Json.mapOf("error", error, "cause", cause), true);
                end(x, "FAILED", null, error, cause);
            }
            case "BRANCH" -> childFailed(x, f);
            default -> {
                Frame p = x.d.frames.get(f.parentId);
                emit(x, f, "MapIterationFailed", "mapIterationFailedEventDetails", Json.mapOf("name", p.state, "index", f.index), false);
                childFailed(x, f);
            }
        }
    }

    private void end(Exec x, String status, JsonNode output, String error, String cause) {
        ExecutionData d = x.d;
        x.ends++;
        d.status = status;
        d.stopDate = now();
        d.output = output == null ? null : Json.write(output);
        d.error = error;
        d.cause = cause;
        for (String id : new ArrayList<>(d.timers.keySet())) cancelTimer(x, id);
        for (Frame f : d.frames.values()) if (f.taskToken != null) closeToken(f.taskToken, false);
        x.work.clear();
    }

    // ------------------------------------------------------------------ errors, retry, catch

    static boolean errorMatches(JsonNode errorEquals, String error) {
        boolean runtime = "States.Runtime".equals(error) || "States.DataLimitExceeded".equals(error);
        for (JsonNode e : errorEquals) {
            String n = e.asText();
            if (n.equals(error)) return !runtime || !"States.Runtime".equals(error);
            if (runtime) continue;
            if (n.equals("States.ALL")) return true;
            if (n.equals("States.TaskFailed") && !"States.Timeout".equals(error) && !error.startsWith("States.") ) return true;
            if (n.equals("States.TaskFailed") && (error.equals("States.HeartbeatTimeout") || error.equals("States.Permissions"))) return true;
        }
        return false;
    }

    private void handleError(Exec x, Frame f, StateDef st, String error, String cause) {
        if (!x.d.isRunning()) return;
        boolean handles = st.type.equals("Task") || st.type.equals("Parallel") || st.type.equals("Map");
        if (handles && st.has("Retry")) {
            int i = 0;
            for (JsonNode r : st.get("Retry")) {
                if (errorMatches(r.path("ErrorEquals"), error)) {
                    while (f.retryAttempts.size() <= i) f.retryAttempts.add(0);
                    int attempts = f.retryAttempts.get(i);
                    int max = r.has("MaxAttempts") ? r.get("MaxAttempts").intValue() : 3;
                    if (attempts < max) {
                        double interval = r.has("IntervalSeconds") ? r.get("IntervalSeconds").doubleValue() : 1;
                        double backoff = r.has("BackoffRate") ? r.get("BackoffRate").doubleValue() : 2.0;
                        double delay = interval * Math.pow(backoff, attempts);
                        if (r.has("MaxDelaySeconds")) delay = Math.min(delay, r.get("MaxDelaySeconds").doubleValue());
                        if ("FULL".equals(r.path("JitterStrategy").asText())) delay = random.nextDouble() * delay;
                        f.retryAttempts.set(i, attempts + 1);
                        f.retryCount++;
                        f.phase = "WAIT_RETRY";
                        resetTask(f);
                        addTimer(x, "RETRY", f.id, now().plusNanos((long) (delay * 1e9)));
                        return;
                    }
                    break;
                }
                i++;
            }
        }
        if (handles && st.has("Catch")) {
            for (JsonNode c : st.get("Catch")) {
                if (!errorMatches(c.path("ErrorEquals"), error)) continue;
                ObjectNode errorOutput = Json.mapOf("Error", error, "Cause", cause);
                resetTask(f);
                try {
                    JsonNode out;
                    ObjectNode assign = null;
                    if (st.jsonata) {
                        JsonataEval.Bindings b = bindings(x, f, st, null, errorOutput);
                        out = c.has("Output") ? required(JsonataEval.template(c.get("Output"), b, "Output"), "Output") : errorOutput;
                        if (c.has("Assign")) assign = (ObjectNode) JsonataEval.template(c.get("Assign"), b, "Assign");
                    } else {
                        PathContext ctx = pathCtx(x, f, st, errorOutput);
                        if (c.has("Assign")) assign = (ObjectNode) DataFlow.payload(c.get("Assign"), ctx);
                        JsonNode rp = c.get("ResultPath");
                        out = rp == null ? errorOutput : rp.isNull() ? DataFlow.nz(f.stateInput) : DataFlow.applyResultPath(rp.asText(), DataFlow.nz(f.stateInput), errorOutput);
                    }
                    f.phase = "RUNNING";
                    exitAndTransition(x, f, st, out, assign, c.path("Next").asText());
                    schedule(x, f);
                } catch (AslError e) {
                    frameFailed(x, f, e.error(), prefixed(f, st, e.cause()));
                }
                return;
            }
        }
        resetTask(f);
        frameFailed(x, f, error, cause);
    }

    private void closeToken(String token, boolean timedOut) {
        tokens.remove(token);
        closedTokens.putIfAbsent(token, timedOut);
    }

    private void resetTask(Frame f) {
        if (f.taskToken != null) closeToken(f.taskToken, false);
        f.taskId = null;
        f.taskToken = null;
        f.taskKind = null;
        f.taskRequest = null;
        f.activityStarted = false;
    }

    private void retryNow(Exec x, Frame f) {
        StateDef st = x.sm.state(f.scopeId, f.state);
        f.phase = "RUNNING";
        execute(x, f, st);
        schedule(x, f);
    }

    // ------------------------------------------------------------------ Task

    record Resource(String kind, String type, String name, String suffix, IntegrationPattern pattern, String region) {}

    static Resource resource(String arn, String defaultRegion) {
        String[] p = arn.split(":", 6);
        String region = p.length > 3 && !p[3].isEmpty() ? p[3] : defaultRegion;
        if (p.length >= 6 && p[2].equals("states") && p[5].startsWith("activity:")) return new Resource("ACTIVITY", "activity", arn, "", IntegrationPattern.REQUEST_RESPONSE, region);
        if (p.length >= 6 && p[2].equals("lambda") && p[5].startsWith("function:")) return new Resource("LAMBDA", "lambda", arn, "", IntegrationPattern.REQUEST_RESPONSE, region);
        String rest = p.length >= 6 ? p[5] : arn;
        IntegrationPattern pattern = IntegrationPattern.REQUEST_RESPONSE;
        String suffix = "";
        if (rest.endsWith(".sync:2")) { pattern = IntegrationPattern.SYNC2; suffix = ".sync:2"; }
        else if (rest.endsWith(".sync")) { pattern = IntegrationPattern.SYNC; suffix = ".sync"; }
        else if (rest.endsWith(".waitForTaskToken")) { pattern = IntegrationPattern.WAIT_FOR_TASK_TOKEN; suffix = ".waitForTaskToken"; }
        rest = rest.substring(0, rest.length() - suffix.length());
        int colon = rest.lastIndexOf(':');
        String type = colon < 0 ? rest : rest.substring(0, colon);
        String name = colon < 0 ? rest : rest.substring(colon + 1);
        return new Resource("SERVICE", type, name, suffix, pattern, region);
    }

    private Integer intField(Exec x, Frame f, StateDef st, String name, PathContext ctx) {
        if (st.has(name)) {
            JsonNode v = field(x, f, st, name, null);
            if (v == null || !Json.isInteger(v) || v.longValue() <= 0) throw AslError.runtime("The value of the field '" + name + "' must be a positive integer, but was " + (v == null ? "undefined" : Json.write(v)));
            return v.intValue();
        }
        if (!st.jsonata && st.has(name + "Path")) {
            JsonNode v = ctx.resolve(st.text(name + "Path"));
            if (v == null || !Json.isInteger(v) || v.longValue() <= 0) throw AslError.runtime("The value of the field '" + name + "Path' must resolve to a positive integer, but was " + (v == null ? "undefined" : Json.write(v)));
            return v.intValue();
        }
        return null;
    }

    private void startTask(Exec x, Frame f, StateDef st) {
        String arn = st.text("Resource");
        Resource res = resource(arn, defaultRegion(x));
        if (res.pattern == IntegrationPattern.WAIT_FOR_TASK_TOKEN || res.kind.equals("ACTIVITY")) f.taskToken = newToken();
        JsonNode raw = DataFlow.nz(f.stateInput);
        JsonNode params;
        JsonNode credentials = null;
        PathContext ctx = pathCtx(x, f, st, raw);
        if (st.jsonata) {
            params = st.has("Arguments") ? required(JsonataEval.template(st.get("Arguments"), bindings(x, f, st, null, null), "Arguments"), "Arguments") : raw;
            if (st.has("Credentials")) credentials = JsonataEval.template(st.get("Credentials"), bindings(x, f, st, null, null), "Credentials");
        } else {
            JsonNode effective = DataFlow.selectPath(st.node, "InputPath", ctx);
            params = st.has("Parameters") ? DataFlow.payload(st.get("Parameters"), ctx.withInput(effective)) : effective;
            if (st.has("Credentials")) credentials = DataFlow.payload(st.get("Credentials"), ctx.withInput(effective));
        }
        Integer timeout = intField(x, f, st, "TimeoutSeconds", ctx);
        Integer heartbeat = intField(x, f, st, "HeartbeatSeconds", ctx);
        f.taskId = "t" + (++x.d.seq);
        f.taskKind = res.kind;
        ObjectNode req = Json.mapOf("resource", arn, "resourceType", res.type, "resourceName", res.name, "suffix", res.suffix,
                "pattern", res.pattern.name(), "parameters", params, "timeoutSeconds", timeout, "heartbeatSeconds", heartbeat,
                "credentials", credentials, "region", res.region);
        f.taskRequest = req;
        f.phase = "WAIT_TASK";
        if (f.taskToken != null) tokens.put(f.taskToken, new String[] {x.d.executionArn, f.taskId});
        Instant now = now();
        if (timeout != null) addTimer(x, "TASK_TIMEOUT", f.id, now.plusSeconds(timeout));
        switch (res.kind) {
            case "ACTIVITY" -> {
                emit(x, f, "ActivityScheduled", "activityScheduledEventDetails", Json.mapOf("resource", arn, "input", Json.write(params),
                        "inputDetails", notTruncated(), "timeoutInSeconds", timeout == null ? null : (long) timeout, "heartbeatInSeconds", heartbeat == null ? null : (long) heartbeat), true);
                activityQueues.computeIfAbsent(arn, k -> new ConcurrentLinkedDeque<>()).add(f.taskToken);
                listener.activityTaskScheduled(arn);
            }
            case "LAMBDA" -> {
                long scheduled = emit(x, f, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", Json.mapOf("resource", arn, "input", Json.write(params),
                        "inputDetails", notTruncated(), "timeoutInSeconds", timeout == null ? null : (long) timeout), true);
                req.put("scheduledEventId", scheduled);
                emit(x, f, "LambdaFunctionStarted", null, null, true);
                if (heartbeat != null) addTimer(x, "HEARTBEAT", f.id, now.plusSeconds(heartbeat));
                TaskRequest r = requestOf(f, x.d.executionArn);
                x.work.add(() -> invoker.invoke(r));
            }
            default -> {
                long scheduled = emit(x, f, "TaskScheduled", "taskScheduledEventDetails", Json.mapOf("resourceType", res.type, "resource", res.name + res.suffix,
                        "region", res.region, "parameters", Json.write(params), "timeoutInSeconds", timeout == null ? null : (long) timeout,
                        "heartbeatInSeconds", heartbeat == null ? null : (long) heartbeat), true);
                req.put("scheduledEventId", scheduled);
                emit(x, f, "TaskStarted", "taskStartedEventDetails", Json.mapOf("resourceType", res.type, "resource", res.name + res.suffix), true);
                if (heartbeat != null) addTimer(x, "HEARTBEAT", f.id, now.plusSeconds(heartbeat));
                TaskRequest r = requestOf(f, x.d.executionArn);
                x.work.add(() -> invoker.invoke(r));
            }
        }
    }

    private String defaultRegion(Exec x) {
        String[] p = x.d.executionArn == null ? new String[0] : x.d.executionArn.split(":");
        return p.length > 3 && !p[3].isEmpty() ? p[3] : defaultRegion;
    }

    private String newToken() {
        byte[] b = new byte[96];
        random.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }


    private static TaskRequest requestOf(Frame f, String executionArn) {
        JsonNode r = f.taskRequest;
        return new TaskRequest(executionArn, f.taskId, f.state, r.path("resource").asText(), r.path("resourceType").asText(),
                r.path("resourceName").asText(), IntegrationPattern.valueOf(r.path("pattern").asText()), r.get("parameters"), f.taskToken,
                r.hasNonNull("timeoutSeconds") ? r.get("timeoutSeconds").intValue() : null,
                r.hasNonNull("heartbeatSeconds") ? r.get("heartbeatSeconds").intValue() : null,
                r.get("credentials"), r.path("region").asText(), r.path("scheduledEventId").asLong(0));
    }

    private void submitted(Exec x, Frame f, JsonNode out) {
        ((ObjectNode) f.taskRequest).put("submitted", true);
        emit(x, f, "TaskSubmitted", "taskSubmittedEventDetails", Json.mapOf("resourceType", f.taskRequest.path("resourceType").asText(),
                "resource", f.taskRequest.path("resourceName").asText() + f.taskRequest.path("suffix").asText(),
                "output", Json.write(out), "outputDetails", notTruncated()), true);
    }

    private void taskDone(Exec x, Frame f, JsonNode result) {
        StateDef st = x.sm.state(f.scopeId, f.state);
        cancelTimers(x, f.id);
        if ("MAP_RUN".equals(f.taskKind)) {
            emit(x, f, "MapRunSucceeded", null, null, true);
            emit(x, f, "MapStateSucceeded", null, null, false);
            resetTask(f);
            f.phase = "RUNNING";
            finishState(x, f, st, result);
            schedule(x, f);
            return;
        }
        switch (f.taskKind) {
            case "ACTIVITY" -> emit(x, f, "ActivitySucceeded", "activitySucceededEventDetails", Json.mapOf("output", Json.write(result), "outputDetails", notTruncated()), true);
            case "LAMBDA" -> emit(x, f, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", Json.mapOf("output", Json.write(result), "outputDetails", notTruncated()), true);
            default -> emit(x, f, "TaskSucceeded", "taskSucceededEventDetails", Json.mapOf("resourceType", f.taskRequest.path("resourceType").asText(),
                    "resource", f.taskRequest.path("resourceName").asText() + f.taskRequest.path("suffix").asText(),
                    "output", Json.write(result), "outputDetails", notTruncated()), true);
        }
        resetTask(f);
        f.phase = "RUNNING";
        finishState(x, f, st, result);
        schedule(x, f);
    }

    private void taskError(Exec x, Frame f, String error, String cause) {
        StateDef st = x.sm.state(f.scopeId, f.state);
        cancelTimers(x, f.id);
        if ("MAP_RUN".equals(f.taskKind)) {
            emit(x, f, "MapRunFailed", "mapRunFailedEventDetails", Json.mapOf("error", error, "cause", cause), true);
            emit(x, f, "MapStateFailed", null, null, false);
            f.phase = "RUNNING";
            handleError(x, f, st, error == null ? "" : error, cause);
            schedule(x, f);
            return;
        }
        switch (f.taskKind) {
            case "ACTIVITY" -> emit(x, f, "ActivityFailed", "activityFailedEventDetails", Json.mapOf("error", error, "cause", cause), true);
            case "LAMBDA" -> emit(x, f, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails", Json.mapOf("error", error, "cause", cause), true);
            default -> emit(x, f, "TaskFailed", "taskFailedEventDetails", Json.mapOf("resourceType", f.taskRequest.path("resourceType").asText(),
                    "resource", f.taskRequest.path("resourceName").asText() + f.taskRequest.path("suffix").asText(), "error", error, "cause", cause), true);
        }
        f.phase = "RUNNING";
        handleError(x, f, st, error == null ? "" : error, cause);
        schedule(x, f);
    }

    private void taskTimedOut(Exec x, Frame f, String error) {
        StateDef st = x.sm.state(f.scopeId, f.state);
        TaskRequest req = requestOf(f, x.d.executionArn);
        cancelTimers(x, f.id);
        if (f.taskToken != null) closeToken(f.taskToken, true);
        String cause = null;
        switch (f.taskKind) {
            case "ACTIVITY" -> emit(x, f, "ActivityTimedOut", "activityTimedOutEventDetails", Json.mapOf("error", error, "cause", cause), true);
            case "LAMBDA" -> emit(x, f, "LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails", Json.mapOf("error", error, "cause", cause), true);
            default -> emit(x, f, "TaskTimedOut", "taskTimedOutEventDetails", Json.mapOf("resourceType", f.taskRequest.path("resourceType").asText(),
                    "resource", f.taskRequest.path("resourceName").asText() + f.taskRequest.path("suffix").asText(), "error", error, "cause", cause), true);
        }
        if (!"ACTIVITY".equals(f.taskKind)) x.work.add(() -> invoker.cancel(req));
        f.phase = "RUNNING";
        handleError(x, f, st, error, cause);
        schedule(x, f);
    }

    private void heartbeat(Exec x, Frame f) {
        JsonNode hb = f.taskRequest.get("heartbeatSeconds");
        if (hb == null || hb.isNull()) return;
        for (Timer t : new ArrayList<>(x.d.timers.values())) if (t.frameId.equals(f.id) && t.kind.equals("HEARTBEAT")) cancelTimer(x, t.id);
        addTimer(x, "HEARTBEAT", f.id, now().plusSeconds(hb.intValue()));
    }

    /** Result processing shared by Task, Parallel and Map: ResultSelector, ResultPath, OutputPath / Output, Assign. */
    private void finishState(Exec x, Frame f, StateDef st, JsonNode result) {
        try {
            JsonNode raw = DataFlow.nz(f.stateInput);
            JsonNode out;
            ObjectNode assign = null;
            if (st.jsonata) {
                JsonataEval.Bindings b = bindings(x, f, st, result, null);
                out = st.has("Output") ? required(JsonataEval.template(st.get("Output"), b, "Output"), "Output") : result;
                if (st.has("Assign")) assign = (ObjectNode) JsonataEval.template(st.get("Assign"), b, "Assign");
            } else {
                PathContext ctx = pathCtx(x, f, st, result);
                JsonNode selected = st.has("ResultSelector") ? DataFlow.payload(st.get("ResultSelector"), ctx) : result;
                if (st.has("Assign")) assign = (ObjectNode) DataFlow.payload(st.get("Assign"), ctx.withInput(selected));
                JsonNode afterResultPath = DataFlow.resultPath(st.node, raw, selected);
                out = DataFlow.selectPath(st.node, "OutputPath", ctx.withInput(afterResultPath));
            }
            exitAndTransition(x, f, st, out, assign, nextOf(st));
        } catch (AslError e) {
            handleError(x, f, st, e.error(), prefixed(f, st, e.cause()));
        }
    }

    // ------------------------------------------------------------------ Parallel and Map

    private void startParallel(Exec x, Frame f, StateDef st) {
        JsonNode raw = DataFlow.nz(f.stateInput);
        JsonNode in;
        if (st.jsonata) {
            in = st.has("Arguments") ? required(JsonataEval.template(st.get("Arguments"), bindings(x, f, st, null, null), "Arguments"), "Arguments") : raw;
        } else {
            PathContext ctx = pathCtx(x, f, st, raw);
            JsonNode effective = DataFlow.selectPath(st.node, "InputPath", ctx);
            in = st.has("Parameters") ? DataFlow.payload(st.get("Parameters"), ctx.withInput(effective)) : effective;
        }
        long started = emit(x, f, "ParallelStateStarted", null, null, true);
        startChildren(x, f);
        f.results = Json.arr();
        for (int i = 0; i < st.branches.size(); i++) f.results.addNull();
        f.running = st.branches.size();
        f.phase = "WAIT_CHILDREN";
        int i = 0;
        for (StateMachine.Scope b : st.branches) {
            Frame c = newFrame(x, f, "BRANCH", i++, b.id, b.startAt, in);
            c.source = started;
            f.children.add(c.id);
            schedule(x, c);
        }
    }

    private void startChildren(Exec x, Frame f) {
        for (String id : f.children) x.d.frames.remove(id);
        f.children.clear();
        f.succeeded = 0;
        f.failed = 0;
        f.running = 0;
        f.nextItem = 0;
    }

    private void startMap(Exec x, Frame f, StateDef st) {
        JsonNode raw = DataFlow.nz(f.stateInput);
        JsonNode items;
        JsonNode effective;
        PathContext ctx = pathCtx(x, f, st, raw);
        if (st.jsonata) {
            effective = raw;
            items = st.has("Items") ? JsonataEval.template(st.get("Items"), bindings(x, f, st, null, null), "Items") : raw;
            if (items == null || !items.isArray()) throw new AslError("States.QueryEvaluationError", "The Items field must evaluate to a JSON array, but was " + Json.typeName(items));
        } else {
            effective = DataFlow.selectPath(st.node, "InputPath", ctx);
            String ip = st.has("ItemsPath") ? st.text("ItemsPath") : "$";
            items = ctx.withInput(effective).resolve(ip);
            if (items == null) throw AslError.runtime("Invalid path '" + ip + "' : No results for path: " + JsonPath.compile(ip).normalized());
            if (!items.isArray()) throw AslError.runtime("Invalid path '" + ip + "': Map state input must be an array, but was " + Json.typeName(items));
        }
        // Item batching: each iteration gets {"Items": [...], "BatchInput": ...}.
        JsonNode batcher = st.get("ItemBatcher");
        List<JsonNode> units = new ArrayList<>();
        if (batcher != null) {
            int maxItems = batcher.has("MaxItemsPerBatch") ? field(x, f, st, batcher, "MaxItemsPerBatch", ctx) : Integer.MAX_VALUE;
            int maxBytes = batcher.has("MaxInputBytesPerBatch") ? field(x, f, st, batcher, "MaxInputBytesPerBatch", ctx) : 256 * 1024;
            JsonNode batchInput = batcher.has("BatchInput") ? (st.jsonata ? JsonataEval.template(batcher.get("BatchInput"), bindings(x, f, st, null, null), "BatchInput")
                    : DataFlow.payload(batcher.get("BatchInput"), ctx.withInput(effective))) : null;
            ArrayNode cur = null;
            int bytes = 0;
            for (JsonNode it : items) {
                int sz = Json.write(it).length();
                if (cur == null || cur.size() >= maxItems || (bytes + sz > maxBytes && cur.size() > 0)) {
                    ObjectNode batch = Json.obj();
                    cur = batch.putArray("Items");
                    if (batchInput != null) batch.set("BatchInput", batchInput);
                    units.add(batch);
                    bytes = 0;
                }
                cur.add(it);
                bytes += sz;
            }
        } else {
            items.forEach(units::add);
        }
        JsonNode selector = st.has("ItemSelector") ? st.get("ItemSelector") : st.get("Parameters");
        ArrayNode inputs = Json.arr();
        for (int i = 0; i < units.size(); i++) {
            JsonNode item = units.get(i);
            if (selector == null) { inputs.add(item); continue; }
            ObjectNode c = contextObject(x, f, st);
            c.set("Map", Json.mapOf("Item", Json.mapOf("Index", i, "Value", item)));
            if (st.jsonata) {
                ObjectNode states = Json.obj();
                states.set("input", raw);
                states.set("context", c);
                inputs.add(DataFlow.nz(JsonataEval.template(selector, new JsonataEval.Bindings(states, variables(x, f), random, now()), "ItemSelector")));
            } else {
                inputs.add(DataFlow.payload(selector, new PathContext(effective, c, variables(x, f), random)));
            }
        }
        int maxConc = 0;
        if (st.has("MaxConcurrency")) {
            JsonNode v = field(x, f, st, "MaxConcurrency", null);
            maxConc = v == null ? 0 : v.intValue();
        } else if (!st.jsonata && st.has("MaxConcurrencyPath")) {
            JsonNode v = ctx.resolve(st.text("MaxConcurrencyPath"));
            if (v == null || !Json.isInteger(v) || v.intValue() < 0) throw AslError.runtime("The MaxConcurrencyPath field must resolve to a non-negative integer");
            maxConc = v.intValue();
        }
        Integer tolCount = null;
        Double tolPct = null;
        if (st.has("ToleratedFailureCount")) tolCount = DataFlow.nz(field(x, f, st, "ToleratedFailureCount", null)).intValue();
        else if (!st.jsonata && st.has("ToleratedFailureCountPath")) tolCount = DataFlow.nz(ctx.resolve(st.text("ToleratedFailureCountPath"))).intValue();
        if (st.has("ToleratedFailurePercentage")) tolPct = DataFlow.nz(field(x, f, st, "ToleratedFailurePercentage", null)).doubleValue();
        else if (!st.jsonata && st.has("ToleratedFailurePercentagePath")) tolPct = DataFlow.nz(ctx.resolve(st.text("ToleratedFailurePercentagePath"))).doubleValue();

        emit(x, f, "MapStateStarted", "mapStateStartedEventDetails", Json.mapOf("length", inputs.size()), true);
        if (st.isDistributedMap() && mapRunner != null) {
            ObjectNode params = Json.mapOf("label", st.has("Label") ? st.text("Label") : st.name,
                    "executionType", st.node.path("ItemProcessor").path("ProcessorConfig").path("ExecutionType").asText("STANDARD"),
                    "maxConcurrency", maxConc, "toleratedFailureCount", tolCount, "toleratedFailurePercentage", tolPct);
            ObjectNode proc = ((ObjectNode) st.get("ItemProcessor")).deepCopy();
            proc.remove("ProcessorConfig");
            if (!proc.has("QueryLanguage") && st.processor.jsonata) proc.put("QueryLanguage", "JSONata");
            params.put("definition", Json.write(proc));
            params.set("items", inputs);
            ArrayNode counts = params.putArray("itemCounts");
            for (JsonNode u : units) counts.add(batcher != null ? u.path("Items").size() : 1);
            startChildren(x, f);
            f.taskId = "t" + (++x.d.seq);
            f.taskKind = "MAP_RUN";
            f.taskRequest = mapRunRequest(x, params);
            f.mapRunArn = null;
            f.phase = "WAIT_TASK";
            TaskRequest r = requestOf(f, x.d.executionArn);
            x.work.add(() -> mapRunner.start(r));
            return;
        }
        startChildren(x, f);
        f.items = inputs;
        f.results = Json.arr();
        for (int i = 0; i < inputs.size(); i++) f.results.addNull();
        f.maxConcurrency = maxConc;
        f.toleratedCount = tolCount;
        f.toleratedPercent = tolPct;
        f.phase = "WAIT_CHILDREN";
        fillMap(x, f, st);
    }

    private int field(Exec x, Frame f, StateDef st, JsonNode obj, String name, PathContext ctx) {
        JsonNode v = obj.get(name);
        if (st.jsonata && JsonataEval.isExpression(v)) v = JsonataEval.eval(v.textValue(), bindings(x, f, st, null, null), name);
        if (v == null || !Json.isInteger(v)) throw AslError.runtime("The value of the field '" + name + "' must be an integer");
        return v.intValue();
    }

    private void fillMap(Exec x, Frame f, StateDef st) {
        while (!f.redriving.isEmpty() && (f.maxConcurrency <= 0 || f.running < f.maxConcurrency)) {
            Frame c = x.d.frames.get(f.redriving.remove(0));
            if (c == null) continue;
            f.running++;
            redriveFrame(x, c, f.source);
        }
        while (f.nextItem < f.items.size() && (f.maxConcurrency <= 0 || f.running < f.maxConcurrency)) {
            int i = f.nextItem++;
            Frame c = newFrame(x, f, "ITERATION", i, st.processor.id, st.processor.startAt, f.items.get(i));
            f.children.add(c.id);
            f.running++;
            schedule(x, c);
        }
        if (f.running == 0 && f.redriving.isEmpty() && f.nextItem >= f.items.size()) {
            emit(x, f, "MapStateSucceeded", null, null, false);
            f.phase = "RUNNING";
            JsonNode results = f.results;
            f.items = null;
            finishState(x, f, st, results);
            schedule(x, f);
        }
    }

    private void childSucceeded(Exec x, Frame c) {
        Frame p = x.d.frames.get(c.parentId);
        if (p == null || !"WAIT_CHILDREN".equals(p.phase)) return;
        p.results.set(c.index, DataFlow.nz(c.output));
        p.source = Math.max(p.source, c.source);
        p.running--;
        p.succeeded++;
        StateDef st = x.sm.state(p.scopeId, p.state);
        if ("BRANCH".equals(c.kind)) {
            if (p.running == 0) {
                emit(x, p, "ParallelStateSucceeded", null, null, false);
                p.phase = "RUNNING";
                JsonNode results = p.results;
                finishState(x, p, st, results);
                schedule(x, p);
            }
        } else {
            fillMap(x, p, st);
        }
    }

    private void childFailed(Exec x, Frame c) {
        Frame p = x.d.frames.get(c.parentId);
        if (p == null || !"WAIT_CHILDREN".equals(p.phase)) return;
        p.source = Math.max(p.source, c.source);
        p.running--;
        p.failed++;
        StateDef st = x.sm.state(p.scopeId, p.state);
        if ("ITERATION".equals(c.kind) && (p.toleratedCount != null || p.toleratedPercent != null)) {
            int total = p.items.size();
            boolean exceeded = (p.toleratedCount != null && p.failed > p.toleratedCount)
                    || (p.toleratedPercent != null && total > 0 && p.failed * 100.0 / total > p.toleratedPercent)
                    || (p.toleratedCount == null && p.toleratedPercent != null && total == 0);
            if (!exceeded) {
                p.results.set(c.index, Json.mapOf("Error", c.error, "Cause", c.cause));
                fillMap(x, p, st);
                return;
            }
            abortChildren(x, p);
            emit(x, p, "MapStateFailed", null, null, false);
            p.phase = "RUNNING";
            handleError(x, p, st, "States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded");
            schedule(x, p);
            return;
        }
        abortChildren(x, p);
        emit(x, p, "BRANCH".equals(c.kind) ? "ParallelStateFailed" : "MapStateFailed", null, null, false);
        p.phase = "RUNNING";
        handleError(x, p, st, c.error, c.cause);
        schedule(x, p);
    }

    private void abortChildren(Exec x, Frame p) {
        for (String id : p.children) {
            Frame c = x.d.frames.get(id);
            if (c != null) {
                abortFrame(x, c, true);
                p.source = Math.max(p.source, c.source);
            }
        }
    }

    /** Stop a frame and everything under it; writes the *Aborted events when a sibling's failure caused it. */
    private void abortFrame(Exec x, Frame f, boolean writeEvents) {
        String ph = f.phase;
        if (ph.equals("SUCCEEDED") || ph.equals("FAILED") || ph.equals("ABORTED")) return;
        boolean started = f.source >= 0;
        cancelTimers(x, f.id);
        StateDef st = started && !ph.equals("READY") ? x.sm.state(f.scopeId, f.state) : null;
        if (ph.equals("WAIT_TASK")) {
            TaskRequest r = requestOf(f, x.d.executionArn);
            if ("MAP_RUN".equals(f.taskKind)) {
                String mapRun = f.mapRunArn;
                // at once, not queued: ending the execution drops queued work
                if (mapRun != null && mapRunner != null) mapRunner.abort(r, mapRun);
                if (writeEvents && mapRun != null) emit(x, f, "MapRunAborted", null, null, true);
            } else if (!"ACTIVITY".equals(f.taskKind)) {
                invoker.cancel(r);
            }
            resetTask(f);
        }
        if (ph.equals("WAIT_CHILDREN")) abortChildren(x, f);
        f.phase = "ABORTED";
        if (writeEvents && st != null && (st.type.equals("Task") || st.type.equals("Wait") || st.type.equals("Parallel") || st.type.equals("Map"))) {
            emit(x, f, st.type + "StateAborted", null, null, true);
        }
        if (writeEvents && started && "ITERATION".equals(f.kind)) {
            Frame p = x.d.frames.get(f.parentId);
            emit(x, f, "MapIterationAborted", "mapIterationAbortedEventDetails", Json.mapOf("name", p.state, "index", f.index), false);
        }
    }

    private void abortAll(Exec x, boolean writeEvents) {
        for (Frame f : new ArrayList<>(x.d.frames.values())) {
            if (f.kind.equals("ROOT")) {
                if (f.phase.equals("WAIT_TASK") || f.phase.equals("WAIT_CHILDREN") || f.phase.equals("WAIT_TIMER") || f.phase.equals("WAIT_RETRY")) {
                    abortFrame(x, f, writeEvents);
                    f.phase = "ABORTED";
                }
            }
        }
        for (Frame f : x.d.frames.values()) if (f.taskToken != null) closeToken(f.taskToken, false);
    }

    // ------------------------------------------------------------------ timers

    private void addTimer(Exec x, String kind, String frameId, Instant at) {
        Timer t = new Timer();
        t.id = "timer" + (++x.d.seq);
        t.kind = kind;
        t.frameId = frameId;
        t.at = at;
        x.d.timers.put(t.id, t);
        arm(x, t);
    }

    private void arm(Exec x, Timer t) {
        String arn = x.d.executionArn;
        String id = t.id;
        x.handles.put(id, scheduler.schedule(t.at, () -> fire(arn, id)));
    }

    private void cancelTimer(Exec x, String id) {
        x.d.timers.remove(id);
        AslScheduler.Handle h = x.handles.remove(id);
        if (h != null) h.cancel();
    }

    private void cancelTimers(Exec x, String frameId) {
        for (Timer t : new ArrayList<>(x.d.timers.values())) if (t.frameId.equals(frameId)) cancelTimer(x, t.id);
    }

    private void fire(String arn, String timerId) {
        Exec x = executions.get(arn);
        if (x == null) return;
        act(x, () -> {
            x.handles.remove(timerId);
            Timer t = x.d.timers.remove(timerId);
            if (t == null || !x.d.isRunning()) return;
            Frame f = x.d.frames.get(t.frameId);
            if (f == null) return;
            switch (t.kind) {
                case "WAIT" -> { if ("WAIT_TIMER".equals(f.phase)) waitDone(x, f); }
                case "RETRY" -> { if ("WAIT_RETRY".equals(f.phase)) retryNow(x, f); }
                case "TASK_TIMEOUT" -> { if ("WAIT_TASK".equals(f.phase)) taskTimedOut(x, f, "States.Timeout"); }
                case "HEARTBEAT" -> { if ("WAIT_TASK".equals(f.phase)) taskTimedOut(x, f, "States.HeartbeatTimeout"); }
                case "EXECUTION_TIMEOUT" -> {
                    Frame root = root(x);
                    abortAll(x, false);
                    emit(x, root, "ExecutionTimedOut", "executionTimedOutEventDetails", Json.mapOf("error", "States.Timeout",
                            "cause", "The execution timed out after " + Duration.between(x.d.startDate, now()).toSeconds() + " seconds."), true);
                    end(x, "TIMED_OUT", null, "States.Timeout", null);
                }
                default -> { }
            }
        });
    }

    // ------------------------------------------------------------------ history

    private long emit(Exec x, Frame f, String type, String detailsKey, ObjectNode details, boolean updateSource) {
        long id = x.d.nextEventId++;
        ObjectNode e = Json.obj();
        e.put("id", id);
        e.put("previousEventId", Math.max(0, f.source));
        Instant ts = now();
        e.put("timestamp", new BigDecimal(ts.getEpochSecond()).add(BigDecimal.valueOf(ts.getNano() / 1_000_000, 3)));
        e.put("type", type);
        if (detailsKey != null && details != null) e.set(detailsKey, details);
        x.d.events.add(e);
        if (updateSource) f.source = id;
        return id;
    }

    private static ObjectNode notTruncated() { return Json.mapOf("truncated", false); }
}
