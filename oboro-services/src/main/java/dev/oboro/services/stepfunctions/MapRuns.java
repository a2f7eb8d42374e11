package dev.oboro.services.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.services.stepfunctions.StepFunctions.Execution;
import dev.oboro.services.stepfunctions.asl.AslEngine;
import dev.oboro.services.stepfunctions.asl.ExecutionData;
import dev.oboro.services.stepfunctions.asl.Json;
import dev.oboro.services.stepfunctions.asl.MapRunner;
import dev.oboro.services.stepfunctions.asl.TaskRequest;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.sfn.model.DescribeMapRunRequest;
import software.amazon.awssdk.services.sfn.model.DescribeMapRunResponse;
import software.amazon.awssdk.services.sfn.model.ListMapRunsRequest;
import software.amazon.awssdk.services.sfn.model.ListMapRunsResponse;
import software.amazon.awssdk.services.sfn.model.MapRunExecutionCounts;
import software.amazon.awssdk.services.sfn.model.MapRunItemCounts;
import software.amazon.awssdk.services.sfn.model.MapRunListItem;
import software.amazon.awssdk.services.sfn.model.UpdateMapRunRequest;
import software.amazon.awssdk.services.sfn.model.UpdateMapRunResponse;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Map Runs: a distributed Map state ({@code ProcessorConfig.Mode: DISTRIBUTED}) runs each iteration (or batch) as a
 * child execution of its ItemProcessor, STANDARD (persisted, redrivable, listed by {@code ListExecutions} with the
 * Map Run's ARN) or EXPRESS per {@code ExecutionType}, at most MaxConcurrency at a time (0: no limit), failing the
 * Map Run when the failures exceed the tolerated count or percentage. DescribeMapRun, ListMapRuns, UpdateMapRun.
 *
 * <p>The Map Run and one row per iteration are records, so a Map Run survives a restart: STANDARD children restore
 * themselves; EXPRESS children in flight (kept in memory only, as AWS keeps no history for them) start again.
 * Engine calls are never made while holding this class's lock, and chains of children that end at once run from a
 * loop, not recursively.
 */
final class MapRuns implements MapRunner {
    private static final Logger LOG = Logger.getLogger(MapRuns.class.getName());
    static final String THRESHOLD = "States.ExceedToleratedFailureThreshold";
    static final String THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded";

    /** A Map Run as DescribeMapRun shows it, with what it needs to run its children. */
    record MapRun(String arn, String executionArn, String parentTaskId, String stateMachineArn, String status, Instant startDate,
                  Instant stopDate, int maxConcurrency, Long toleratedFailureCount, Float toleratedFailurePercentage,
                  String executionType, String definition, String roleArn, String traceHeader, int total, int redriveCount,
                  Instant redriveDate) {
        MapRun with(String s, Instant stop) {
            return new MapRun(arn, executionArn, parentTaskId, stateMachineArn, s, startDate, stop, maxConcurrency, toleratedFailureCount,
                    toleratedFailurePercentage, executionType, definition, roleArn, traceHeader, total, redriveCount, redriveDate);
        }

        /** The run as a redrive of the parent takes it over: the parent's new task, and (if it ended) running again. */
        MapRun redrivenBy(String taskId, boolean again, Instant at) {
            return new MapRun(arn, executionArn, taskId, stateMachineArn, again ? "RUNNING" : status, startDate, null, maxConcurrency,
                    toleratedFailureCount, toleratedFailurePercentage, executionType, definition, roleArn, traceHeader, total,
                    again ? redriveCount + 1 : redriveCount, again ? at : redriveDate);
        }

        boolean express() {
            return "EXPRESS".equals(executionType);
        }
    }

    /** One iteration: PENDING, PENDING_REDRIVE, RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED. */
    record Item(String mapRunArn, int index, String input, int itemCount, String status, String executionArn, String output,
                String error, String cause) {
        Item with(String s, String exec, String out, String err, String why) {
            return new Item(mapRunArn, index, input, itemCount, s, exec, out, err, why);
        }
    }

    private final StepFunctions sfn;
    final Table<MapRun> runs;
    final Table<Item> items;
    /** Running child execution → its item's key. */
    private final Map<String, String> childOf = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final ThreadLocal<ArrayDeque<Runnable>> pump = new ThreadLocal<>();

    MapRuns(StepFunctions sfn) {
        this.sfn = sfn;
        this.runs = sfn.oboro.store().table("stepfunctions.mapruns", MapRun.class);
        this.items = sfn.oboro.store().table("stepfunctions.maprunitems", Item.class);
    }

    private static String key(String mapRunArn, int index) {
        return mapRunArn + "|" + String.format("%08d", index);
    }

    private List<Item> itemsOf(Scope scope, String mapRunArn) {
        return new ArrayList<>(items.range(scope, mapRunArn + "|", mapRunArn + "|~").values());
    }

    /** Runs engine work after the current piece: chains of children that finish at once loop here instead of recursing. */
    private void run(List<Runnable> work) {
        ArrayDeque<Runnable> q = pump.get();
        if (q != null) {
            q.addAll(work);
            return;
        }
        q = new ArrayDeque<>(work);
        pump.set(q);
        try {
            Runnable r;
            while ((r = q.poll()) != null) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "map run work failed", e);
                }
            }
        } finally {
            pump.remove();
        }
    }

    // ------------------------------------------------------------------ MapRunner (the engine's side)

    @Override
    public void start(TaskRequest r) {
        Arns.Parsed parent = Arns.parse(r.executionArn());
        Scope scope = parent.scope();
        JsonNode p = r.parameters();
        ExecutionData pd = sfn.engine.execution(r.executionArn()).orElse(null);
        String machine = Arns.parse(pd == null ? null : pd.stateMachineArn).name();
        String label = p.path("label").asText();
        String arn = Arns.mapRun(scope, machine, label, Ids.uuid());
        Instant now = sfn.oboro.clock().instant();
        ArrayNode inputs = (ArrayNode) p.get("items");
        MapRun run = new MapRun(arn, r.executionArn(), r.taskId(), Arns.stateMachine(scope, machine + "/" + label), "RUNNING", now, null,
                p.path("maxConcurrency").asInt(0),
                p.hasNonNull("toleratedFailureCount") ? p.get("toleratedFailureCount").asLong() : null,
                p.hasNonNull("toleratedFailurePercentage") ? (float) p.get("toleratedFailurePercentage").asDouble() : null,
                p.path("executionType").asText("STANDARD"), p.path("definition").asText(), pd == null ? null : pd.roleArn,
                sfn.traceHeader(r.executionArn()), inputs.size(), 0, null);
        for (int i = 0; i < inputs.size(); i++) {
            items.put(scope, key(arn, i), new Item(arn, i, Json.write(inputs.get(i)), p.path("itemCounts").path(i).asInt(1), "PENDING",
                    null, null, null, null));
        }
        runs.put(scope, arn, run);
        sfn.engine.mapRunStarted(r.executionArn(), r.taskId(), arn);
        List<Runnable> work;
        synchronized (lock) {
            work = advance(scope, arn);
        }
        run(work);
    }

    @Override
    public void redrive(TaskRequest r, String mapRunArn) {
        Scope scope = Arns.parse(mapRunArn).scope();
        List<Runnable> work;
        MapRun after;
        synchronized (lock) {
            MapRun run = runs.get(scope, mapRunArn);
            if (run == null) {
                work = List.of(() -> sfn.engine.taskFailed(r.executionArn(), r.taskId(), "States.Runtime", "The Map Run no longer exists: " + mapRunArn));
                after = null;
            } else {
                boolean again = !"RUNNING".equals(run.status());
                if (again) {
                    for (Item it : itemsOf(scope, mapRunArn)) {
                        if (it.status().equals("FAILED") || it.status().equals("TIMED_OUT") || it.status().equals("ABORTED")) {
                            // STANDARD children are redriven (same ARN, redriveCount + 1); EXPRESS ones run again as new executions
                            items.put(scope, key(mapRunArn, it.index()), it.with(run.express() ? "PENDING" : "PENDING_REDRIVE",
                                    run.express() ? null : it.executionArn(), null, null, null));
                        }
                    }
                }
                run = run.redrivenBy(r.taskId(), again, sfn.oboro.clock().instant());
                runs.put(scope, mapRunArn, run);
                after = run;
                work = new ArrayList<>();
            }
        }
        if (after != null) {
            MapRun a = after;
            sfn.engine.mapRunRedriven(r.executionArn(), r.taskId(), mapRunArn, a.redriveCount());
            synchronized (lock) {
                work = advance(scope, mapRunArn);
            }
        }
        run(work);
    }

    @Override
    public void abort(TaskRequest r, String mapRunArn) {
        Scope scope = Arns.parse(mapRunArn).scope();
        List<String> stop = new ArrayList<>();
        synchronized (lock) {
            MapRun run = runs.get(scope, mapRunArn);
            if (run == null || !"RUNNING".equals(run.status())) return;
            runs.put(scope, mapRunArn, run.with("ABORTED", sfn.oboro.clock().instant()));
            for (Item it : itemsOf(scope, mapRunArn)) if ("RUNNING".equals(it.status())) stop.add(it.executionArn());
        }
        // children stop on their own threads: the parent's lock is held here
        for (String child : stop) sfn.oboro.workers().execute(() -> stopChild(child));
    }

    private void stopChild(String child) {
        try {
            if (sfn.engine.execution(child).isPresent()) sfn.engine.stop(child, null, null);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "stop map run child", e);
        }
    }

    // ------------------------------------------------------------------ children

    /** A child execution ended (called for every finished execution; ignores the ones that are not children). */
    void childFinished(ExecutionData d) {
        String k = childOf.remove(d.executionArn);
        if (k == null) return;
        Scope scope = Arns.parse(d.executionArn).scope();
        List<Runnable> work;
        synchronized (lock) {
            Item it = items.get(scope, k);
            if (it == null) return;
            MapRun run = runs.get(scope, it.mapRunArn());
            String status = switch (d.status) {
                case "SUCCEEDED" -> "SUCCEEDED";
                case "TIMED_OUT" -> "TIMED_OUT";
                case "ABORTED" -> "ABORTED";
                default -> "FAILED";
            };
            items.put(scope, k, it.with(status, it.executionArn(), d.output, d.error, d.cause));
            if (run == null || !"RUNNING".equals(run.status())) return;
            work = advance(scope, run.arn());
        }
        run(work);
    }

    /**
     * Under the lock: decides what happens next for a running Map Run (fail it past the threshold, finish it, or
     * start children up to MaxConcurrency) and returns the engine calls to make after the lock is released.
     */
    private List<Runnable> advance(Scope scope, String arn) {
        MapRun run = runs.get(scope, arn);
        List<Runnable> work = new ArrayList<>();
        if (run == null || !"RUNNING".equals(run.status())) return work;
        List<Item> all = itemsOf(scope, arn);
        int running = 0, failed = 0, open = 0;
        for (Item it : all) {
            switch (it.status()) {
                case "RUNNING" -> { running++; open++; }
                case "PENDING", "PENDING_REDRIVE" -> open++;
                case "FAILED", "TIMED_OUT", "ABORTED" -> failed++;
                default -> { }
            }
        }
        if (exceeded(run, failed)) {
            runs.put(scope, arn, run.with("FAILED", sfn.oboro.clock().instant()));
            for (Item it : all) {
                if ("RUNNING".equals(it.status())) {
                    String child = it.executionArn();
                    work.add(() -> sfn.oboro.workers().execute(() -> stopChild(child)));
                }
            }
            work.add(() -> sfn.engine.taskFailed(run.executionArn(), run.parentTaskId(), THRESHOLD, THRESHOLD_CAUSE));
            return work;
        }
        if (open == 0) {
            runs.put(scope, arn, run.with("SUCCEEDED", sfn.oboro.clock().instant()));
            ArrayNode results = Json.MAPPER.createArrayNode();
            for (Item it : all) {
                if ("SUCCEEDED".equals(it.status())) results.add(Json.parse(it.output() == null ? "null" : it.output()));
                else results.add(Json.MAPPER.createObjectNode().put("Error", it.error()).put("Cause", it.cause()));
            }
            String out = Json.write(results);
            work.add(() -> sfn.engine.taskSucceeded(run.executionArn(), run.parentTaskId(), out));
            return work;
        }
        for (Item it : all) {
            if (run.maxConcurrency() > 0 && running >= run.maxConcurrency()) break;
            if (!it.status().startsWith("PENDING")) continue;
            boolean again = "PENDING_REDRIVE".equals(it.status());
            String child = again ? it.executionArn() : childArn(scope, run);
            items.put(scope, key(arn, it.index()), it.with("RUNNING", child, null, null, null));
            childOf.put(child, key(arn, it.index()));
            running++;
            if (again) work.add(() -> redriveChild(scope, child));
            else work.add(() -> startChild(scope, run, child, it));
        }
        return work;
    }

    private static boolean exceeded(MapRun run, int failed) {
        if (failed == 0) return false;
        boolean limited = run.toleratedFailureCount() != null || run.toleratedFailurePercentage() != null;
        if (!limited) return true;
        if (run.toleratedFailureCount() != null && failed > run.toleratedFailureCount()) return true;
        return run.toleratedFailurePercentage() != null && run.total() > 0 && failed * 100.0 / run.total() > run.toleratedFailurePercentage();
    }

    private static String childArn(Scope scope, MapRun run) {
        String machine = Arns.parse(run.stateMachineArn()).name();
        String name = Ids.uuid();
        return run.express() ? Arns.expressExecution(scope, machine, name, Ids.uuid()) : Arns.execution(scope, machine, name);
    }

    private void startChild(Scope scope, MapRun run, String child, Item it) {
        Arns.Parsed a = Arns.parse(child);
        String name = a.parts()[1];
        Instant now = sfn.oboro.clock().instant();
        if (!run.express()) {
            sfn.executions.put(scope, child, new Execution(child, run.stateMachineArn(), null, null, name, "RUNNING", now, null, it.input(),
                    null, null, null, 0, null, run.traceHeader(), null, null, null, null, run.arn()));
        }
        sfn.started(child);
        sfn.traced(child, run.traceHeader());
        sfn.publishStarted(scope.account(), scope.region(), run.stateMachineArn());
        try {
            sfn.engine.start(new AslEngine.StartRequest(child, run.stateMachineArn(), name, run.roleArn(), run.definition(), it.input()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not start map run child " + child, e);
        }
    }

    private void redriveChild(Scope scope, String child) {
        Execution e = sfn.executions.get(scope, child);
        if (e == null) return;
        sfn.ensureInEngine(e);
        sfn.started(child);
        sfn.engine.redrive(child);
    }

    /** After a restart: re-link running STANDARD children, start again the EXPRESS ones that were lost, carry on. */
    void restore() {
        List<Scope> scopes = runs.scopes();
        for (Scope scope : scopes) {
            for (MapRun run : List.copyOf(runs.values(scope))) {
                if (!"RUNNING".equals(run.status())) continue;
                for (Item it : itemsOf(scope, run.arn())) {
                    if (!"RUNNING".equals(it.status())) continue;
                    if (run.express() || !sfn.engine.execution(it.executionArn()).isPresent()) {
                        items.put(scope, key(run.arn(), it.index()), it.with("PENDING", null, null, null, null));
                    } else {
                        childOf.put(it.executionArn(), key(run.arn(), it.index()));
                    }
                }
                // while restoring, task integrations run off this thread
                List<Runnable> work;
                synchronized (lock) {
                    work = advance(scope, run.arn());
                }
                run(work);
            }
        }
    }

    void onReset() {
        childOf.clear();
    }

    // ------------------------------------------------------------------ API

    DescribeMapRunResponse describeMapRun(Call call, DescribeMapRunRequest req) {
        MapRun run = find(call, req.mapRunArn());
        long[] items = new long[9];
        long[] execs = new long[9];
        for (Item it : itemsOf(call.scope(), run.arn())) {
            int slot = switch (it.status()) {
                case "PENDING" -> 0;
                case "RUNNING" -> 1;
                case "SUCCEEDED" -> 2;
                case "FAILED" -> 3;
                case "TIMED_OUT" -> 4;
                case "ABORTED" -> 5;
                default -> 6; // PENDING_REDRIVE
            };
            items[slot] += it.itemCount();
            execs[slot]++;
            items[7] += it.itemCount();
            execs[7]++;
        }
        return DescribeMapRunResponse.builder().mapRunArn(run.arn()).executionArn(run.executionArn()).status(run.status())
                .startDate(run.startDate()).stopDate(run.stopDate()).maxConcurrency(run.maxConcurrency())
                .toleratedFailurePercentage(run.toleratedFailurePercentage() == null ? 0f : run.toleratedFailurePercentage())
                .toleratedFailureCount(run.toleratedFailureCount() == null ? 0L : run.toleratedFailureCount())
                .itemCounts(MapRunItemCounts.builder().pending(items[0] + items[6]).running(items[1]).succeeded(items[2]).failed(items[3])
                        .timedOut(items[4]).aborted(items[5]).total(items[7]).resultsWritten(0L).failuresNotRedrivable(0L)
                        .pendingRedrive(items[6]).build())
                .executionCounts(MapRunExecutionCounts.builder().pending(execs[0] + execs[6]).running(execs[1]).succeeded(execs[2])
                        .failed(execs[3]).timedOut(execs[4]).aborted(execs[5]).total(execs[7]).resultsWritten(0L)
                        .failuresNotRedrivable(0L).pendingRedrive(execs[6]).build())
                .redriveCount(run.redriveCount()).redriveDate(run.redriveDate()).build();
    }

    ListMapRunsResponse listMapRuns(Call call, ListMapRunsRequest req) {
        Arns.parse(req.executionArn(), "execution");
        if (sfn.executions.get(call.scope(), req.executionArn()) == null) {
            throw new AwsException("ExecutionDoesNotExist", "Execution Does Not Exist: '" + req.executionArn() + "'");
        }
        List<MapRun> mine = new ArrayList<>();
        for (MapRun r : runs.values(call.scope())) if (r.executionArn().equals(req.executionArn())) mine.add(r);
        mine.sort(Comparator.comparing(MapRun::startDate).reversed().thenComparing(MapRun::arn));
        ListMapRunsResponse.Builder b = ListMapRunsResponse.builder();
        Pagination.Page<MapRun> page = Pagination.page(call, req, mine,
                r -> String.format("%019d", Long.MAX_VALUE - r.startDate().toEpochMilli()) + "|" + r.arn(), b);
        return b.mapRuns(page.items().stream().map(r -> MapRunListItem.builder().executionArn(r.executionArn()).mapRunArn(r.arn())
                .stateMachineArn(r.stateMachineArn()).startDate(r.startDate()).stopDate(r.stopDate()).build()).toList()).build();
    }

    UpdateMapRunResponse updateMapRun(Call call, UpdateMapRunRequest req) {
        find(call, req.mapRunArn());
        if (req.maxConcurrency() == null && req.toleratedFailureCount() == null && req.toleratedFailurePercentage() == null) {
            throw new AwsException("ValidationException", "At least one of the parameters maxConcurrency, toleratedFailurePercentage or "
                    + "toleratedFailureCount must be specified");
        }
        List<Runnable> work;
        synchronized (lock) {
            runs.update(call.scope(), req.mapRunArn(), r -> new MapRun(r.arn(), r.executionArn(), r.parentTaskId(), r.stateMachineArn(),
                    r.status(), r.startDate(), r.stopDate(), req.maxConcurrency() != null ? req.maxConcurrency() : r.maxConcurrency(),
                    req.toleratedFailureCount() != null ? req.toleratedFailureCount() : r.toleratedFailureCount(),
                    req.toleratedFailurePercentage() != null ? req.toleratedFailurePercentage() : r.toleratedFailurePercentage(),
                    r.executionType(), r.definition(), r.roleArn(), r.traceHeader(), r.total(), r.redriveCount(), r.redriveDate()));
            work = advance(call.scope(), req.mapRunArn());
        }
        run(work);
        return UpdateMapRunResponse.builder().build();
    }

    /** The child executions of a Map Run, for ListExecutions with mapRunArn. */
    List<Execution> children(Call call, String mapRunArn) {
        MapRun run = find(call, mapRunArn);
        if (run.express()) {
            throw new AwsException("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
        }
        List<Execution> out = new ArrayList<>();
        for (Execution e : sfn.executions.values(call.scope())) if (mapRunArn.equals(e.mapRunArn())) out.add(e);
        return out;
    }

    private MapRun find(Call call, String arn) {
        Arns.parse(arn, "mapRun");
        MapRun run = runs.get(call.scope(), arn);
        if (run == null) throw new AwsException("ResourceNotFound", "Resource not found: '" + arn + "'");
        return run;
    }
}
