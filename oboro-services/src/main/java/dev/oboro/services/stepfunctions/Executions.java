package dev.oboro.services.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.services.stepfunctions.StepFunctions.Alias;
import dev.oboro.services.stepfunctions.StepFunctions.Execution;
import dev.oboro.services.stepfunctions.StepFunctions.StateMachine;
import dev.oboro.services.stepfunctions.StepFunctions.Version;
import dev.oboro.services.stepfunctions.asl.AslEngine;
import dev.oboro.services.stepfunctions.asl.ExecutionData;
import dev.oboro.services.stepfunctions.asl.Json;
import dev.oboro.services.stepfunctions.asl.TestStateResult;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.sfn.model.BillingDetails;
import software.amazon.awssdk.services.sfn.model.CloudWatchEventsExecutionDataDetails;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.DescribeStateMachineForExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeStateMachineForExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionRedriveStatus;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.InspectionData;
import software.amazon.awssdk.services.sfn.model.InspectionLevel;
import software.amazon.awssdk.services.sfn.model.ListExecutionsRequest;
import software.amazon.awssdk.services.sfn.model.ListExecutionsResponse;
import software.amazon.awssdk.services.sfn.model.RedriveExecutionRequest;
import software.amazon.awssdk.services.sfn.model.RedriveExecutionResponse;
import software.amazon.awssdk.services.sfn.model.RoutingConfigurationListItem;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StopExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StopExecutionResponse;
import software.amazon.awssdk.services.sfn.model.TestStateRequest;
import software.amazon.awssdk.services.sfn.model.TestStateResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Executions: start (async and, for EXPRESS, sync), describe, stop, list, history, redrive, and TestState.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
final class Executions {
    /** A closed STANDARD execution's name can be used again after 90 days. */
    static final Duration NAME_REUSE = Duration.ofDays(90);
    /** A failed, aborted or timed-out execution can be redriven for 14 days after it stopped. */
    static final Duration REDRIVE_WINDOW = Duration.ofDays(14);

    /** The parent {@code .sync} task of a nested execution. */
    record Parent(String executionArn, String taskId, String pattern) {
    }

    /** What an execution runs: the machine, and the version (and alias) it was started through. */
    record Target(StateMachine machine, Version version, Alias alias) {
        String definition() {
            return version != null ? version.definition() : machine.definition();
        }

        String roleArn() {
            return version != null ? version.roleArn() : machine.roleArn();
        }
    }

    /** A checked, named execution about to start ({@code existing}: an idempotent repeat of a running one). */
    record Prepared(String arn, Instant startDate, Target target, String name, String input, String traceHeader,
                    boolean existing, boolean express) {
    }

    private final StepFunctions sfn;

    Executions(StepFunctions sfn) {
        this.sfn = sfn;
    }

    // ------------------------------------------------------------------ start

    StartExecutionResponse startExecution(Call call, StartExecutionRequest req) {
        Prepared p = prepare(call.scope(), req.stateMachineArn(), req.name(), req.input(), req.traceHeader(), null);
        Instant start = launch(p);
        return StartExecutionResponse.builder().executionArn(p.arn()).startDate(start).build();
    }

    StartSyncExecutionResponse startSyncExecution(Call call, StartSyncExecutionRequest req) {
        Target t = resolve(call.scope(), req.stateMachineArn());
        if (!"EXPRESS".equals(t.machine().type())) {
            throw new AwsException("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
        }
        Prepared p = prepare(call.scope(), req.stateMachineArn(), req.name(), req.input(), req.traceHeader(), null);
        CompletableFuture<ExecutionData> done = sfn.awaitFinish(p.arn());
        ExecutionData d;
        try {
            sfn.traced(p.arn(), p.traceHeader());
            d = sfn.engine.start(startRequest(p));
            sfn.started(p.arn());
            sfn.publishStarted(call.account(), call.region(), p.target().machine().arn());
            // the engine runs until the first wait; a Wait state holds the answer until the clock passes it
            if (d.isRunning()) d = done.join();
        } catch (CancellationException e) {
            throw new AwsException("InternalFailure", "The execution was dropped by a reset", 500, false);
        } finally {
            sfn.stopWaiting(p.arn());
        }
        long billed = Math.max(100, (Duration.between(d.startDate, d.stopDate).toMillis() + 99) / 100 * 100);
        return StartSyncExecutionResponse.builder()
                .executionArn(d.executionArn).stateMachineArn(d.stateMachineArn).name(d.name)
                .startDate(d.startDate).stopDate(d.stopDate).status(d.status)
                .error(d.error).cause(d.cause)
                .input(d.input).inputDetails(included())
                .output(d.output).outputDetails(d.output == null ? null : included())
                .traceHeader(p.traceHeader())
                .billingDetails(BillingDetails.builder().billedMemoryUsedInMB(64L).billedDurationInMilliseconds(billed).build())
                .build();
    }

    /**
     * Checks a start and names the execution. A STANDARD name is unique for 90 days: the same name and input as a
     * running execution is an idempotent repeat; a different input, or a closed execution, is ExecutionAlreadyExists.
     * The STANDARD record is reserved here, so two concurrent starts cannot both win.
     */
    Prepared prepare(Scope scope, String targetArn, String name, String input, String traceHeader, Parent parent) {
        Target t = resolve(scope, targetArn);
        if ("DELETING".equals(t.machine().status())) {
            throw new AwsException("StateMachineDeleting", "State Machine is being deleted: '" + t.machine().arn() + "'");
        }
        String in;
        try {
            in = Json.write(Json.parse(input == null ? "{}" : input));
        } catch (RuntimeException e) {
            throw new AwsException("InvalidExecutionInput", "Invalid State Machine Execution Input: '" + firstLine(e.getMessage()) + "'");
        }
        String execName = name == null ? Ids.uuid() : name;
        Arns.checkName(execName);
        Instant now = sfn.oboro.clock().instant();
        var tracing = t.version() != null ? t.version().tracing() : t.machine().tracing();
        traceHeader = ExecutionTraces.header(traceHeader, tracing != null && Boolean.TRUE.equals(tracing.enabled()), now);
        if ("EXPRESS".equals(t.machine().type())) {
            return new Prepared(Arns.expressExecution(scope, t.machine().name(), execName, Ids.uuid()), now, t, execName, in,
                    traceHeader, false, true);
        }
        String arn = Arns.execution(scope, t.machine().name(), execName);
        Execution record = new Execution(arn, t.machine().arn(), t.version() == null ? null : t.version().arn(),
                t.alias() == null ? null : t.alias().arn(), execName, "RUNNING", now, null, in, null, null, null, 0, null,
                traceHeader, parent == null ? null : parent.executionArn(), parent == null ? null : parent.taskId(),
                parent == null ? null : parent.pattern(), null, null);
        synchronized (sfn.executions) {
            Execution existing = sfn.executions.get(scope, arn);
            if (existing != null) {
                if ("RUNNING".equals(existing.status()) && existing.input().equals(in)) {
                    return new Prepared(arn, existing.startDate(), t, execName, in, traceHeader, true, false);
                }
                boolean reusable = !"RUNNING".equals(existing.status()) && existing.stopDate() != null
                        && existing.stopDate().plus(NAME_REUSE).isBefore(now);
                if (!reusable) throw new AwsException("ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
            }
            sfn.executions.put(scope, arn, record);
        }
        return new Prepared(arn, now, t, execName, in, traceHeader, false, false);
    }

    /** Starts a prepared execution in the engine; returns its start date. */
    Instant launch(Prepared p) {
        if (p.existing()) return p.startDate();
        Arns.Parsed a = Arns.parse(p.arn());
        sfn.started(p.arn());
        sfn.traced(p.arn(), p.traceHeader());
        sfn.publishStarted(a.account(), a.region(), p.target().machine().arn());
        ExecutionData d = sfn.engine.start(startRequest(p));
        return d.startDate;
    }

    private static AslEngine.StartRequest startRequest(Prepared p) {
        Target t = p.target();
        return new AslEngine.StartRequest(p.arn(), t.machine().arn(), p.name(), t.roleArn(), t.definition(), p.input(),
                t.version() == null ? null : t.version().arn(), t.alias() == null ? null : t.alias().arn());
    }

    /** The machine an ARN names: unqualified (latest revision), a version, or an alias (a version chosen by weight). */
    Target resolve(Scope scope, String arn) {
        Arns.Parsed p = Arns.parse(arn, "stateMachine");
        if (p.parts().length > 2) throw Arns.invalid(arn);
        StateMachine m = sfn.machines.get(scope, p.unqualified());
        if (m == null) throw StepFunctions.machineDoesNotExist(arn);
        if (p.isVersion()) {
            Version v = sfn.versions.get(scope, arn);
            if (v == null) throw StepFunctions.machineDoesNotExist(arn);
            return new Target(m, v, null);
        }
        if (p.isAlias()) {
            Alias a = sfn.aliases.get(scope, arn);
            if (a == null) throw StepFunctions.machineDoesNotExist(arn);
            Version v = sfn.versions.get(scope, pick(a.routing()));
            if (v == null) throw StepFunctions.machineDoesNotExist(arn);
            return new Target(m, v, a);
        }
        return new Target(m, null, null);
    }

    /** Weighted routing: each version gets its weight in percent of the executions. */
    private static String pick(List<RoutingConfigurationListItem> routing) {
        int roll = ThreadLocalRandom.current().nextInt(100);
        int acc = 0;
        for (RoutingConfigurationListItem r : routing) {
            acc += r.weight();
            if (roll < acc) return r.stateMachineVersionArn();
        }
        return routing.get(routing.size() - 1).stateMachineVersionArn();
    }

    // ------------------------------------------------------------------ describe, stop, list

    DescribeExecutionResponse describeExecution(Call call, DescribeExecutionRequest req) {
        Execution e = find(call, req.executionArn());
        DescribeExecutionResponse.Builder b = DescribeExecutionResponse.builder()
                .executionArn(e.arn()).stateMachineArn(e.stateMachineArn()).name(e.name()).status(e.status())
                .startDate(e.startDate()).stopDate(e.stopDate())
                .input(e.input()).inputDetails(included())
                .output(e.output()).outputDetails(e.output() == null ? null : included())
                .error(e.error()).cause(e.cause()).traceHeader(e.traceHeader())
                .stateMachineVersionArn(e.versionArn()).stateMachineAliasArn(e.aliasArn())
                .redriveCount(e.redriveCount()).redriveDate(e.redriveDate()).mapRunArn(e.mapRunArn());
        String notRedrivable = notRedrivable(call, e);
        if (notRedrivable == null) b.redriveStatus(ExecutionRedriveStatus.REDRIVABLE);
        else b.redriveStatus(ExecutionRedriveStatus.NOT_REDRIVABLE).redriveStatusReason(notRedrivable);
        return b.build();
    }

    StopExecutionResponse stopExecution(Call call, StopExecutionRequest req) {
        Execution e = find(call, req.executionArn());
        if ("RUNNING".equals(e.status()) && sfn.engine.execution(e.arn()).isPresent()) {
            sfn.engine.stop(e.arn(), req.error(), req.cause());
            e = sfn.executions.get(call.scope(), e.arn());
        }
        return StopExecutionResponse.builder().stopDate(e.stopDate() == null ? call.now() : e.stopDate()).build();
    }

    ListExecutionsResponse listExecutions(Call call, ListExecutionsRequest req) {
        if (req.stateMachineArn() == null && req.mapRunArn() == null) {
            throw new AwsException("ValidationException", "1 validation error detected: Must provide a StateMachine ARN or MapRun ARN");
        }
        if (req.stateMachineArn() != null && req.mapRunArn() != null) {
            throw new AwsException("ValidationException", "Must provide only one of StateMachine ARN or MapRun ARN");
        }
        if (req.stateMachineArn() == null) return list(call, req, sfn.mapRuns.children(call, req.mapRunArn()));
        Arns.Parsed p = Arns.parse(req.stateMachineArn(), "stateMachine");
        StateMachine m = sfn.machines.get(call.scope(), p.unqualified());
        if (m == null) throw StepFunctions.machineDoesNotExist(req.stateMachineArn());
        if (p.isVersion() && sfn.versions.get(call.scope(), p.arn()) == null) throw StepFunctions.machineDoesNotExist(p.arn());
        if (p.isAlias() && sfn.aliases.get(call.scope(), p.arn()) == null) throw StepFunctions.machineDoesNotExist(p.arn());
        if ("EXPRESS".equals(m.type())) {
            throw new AwsException("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
        }
        List<Execution> all = new ArrayList<>();
        for (Execution e : sfn.executions.values(call.scope())) {
            if (!e.stateMachineArn().equals(m.arn())) continue;
            if (p.isVersion() && !p.arn().equals(e.versionArn())) continue;
            if (p.isAlias() && !p.arn().equals(e.aliasArn())) continue;
            all.add(e);
        }
        return list(call, req, all);
    }

    private ListExecutionsResponse list(Call call, ListExecutionsRequest req, List<Execution> executions) {
        String status = req.statusFilterAsString();
        String redrive = req.redriveFilterAsString();
        List<Execution> all = new ArrayList<>();
        for (Execution e : executions) {
            if (status != null && !status.equals(e.status())) continue;
            if ("REDRIVEN".equals(redrive) && e.redriveCount() == 0) continue;
            if ("NOT_REDRIVEN".equals(redrive) && e.redriveCount() > 0) continue;
            all.add(e);
        }
        // newest first, as AWS lists them; the key sorts the same way so tokens stay stable
        all.sort(Comparator.comparing(Executions::listKey));
        ListExecutionsResponse.Builder b = ListExecutionsResponse.builder();
        Pagination.Page<Execution> page = Pagination.page(call, req, all, Executions::listKey, b);
        return b.executions(page.items().stream().map(e -> ExecutionListItem.builder()
                .executionArn(e.arn()).stateMachineArn(e.stateMachineArn()).name(e.name()).status(e.status())
                .startDate(e.startDate()).stopDate(e.stopDate())
                .stateMachineVersionArn(e.versionArn()).stateMachineAliasArn(e.aliasArn())
                .redriveCount(e.redriveCount()).redriveDate(e.redriveDate()).mapRunArn(e.mapRunArn())
                .itemCount(e.mapRunArn() == null ? null : 1).build()).toList()).build();
    }

    private static String listKey(Execution e) {
        long nanos = e.startDate().getEpochSecond() * 1_000_000_000L + e.startDate().getNano();
        return String.format("%019d", Long.MAX_VALUE - nanos) + "|" + e.arn();
    }

    GetExecutionHistoryResponse getExecutionHistory(Call call, GetExecutionHistoryRequest req) {
        Execution e = find(call, req.executionArn());
        List<ObjectNode> events = events(e);
        boolean reverse = Boolean.TRUE.equals(req.reverseOrder());
        boolean data = !Boolean.FALSE.equals(req.includeExecutionData());
        if (reverse) Collections.reverse(events);
        GetExecutionHistoryResponse.Builder b = GetExecutionHistoryResponse.builder();
        Pagination.Page<ObjectNode> page = Pagination.page(call, req, events, ev -> {
            long id = ev.path("id").asLong();
            return String.format("%019d", reverse ? Long.MAX_VALUE - id : id);
        }, b);
        List<HistoryEvent> out = new ArrayList<>(page.items().size());
        for (ObjectNode ev : page.items()) out.add(ExecutionData.historyEvent(data ? ev : withoutData(ev)));
        return b.events(out).build();
    }

    private List<ObjectNode> events(Execution e) {
        if (sfn.engine.execution(e.arn()).isPresent()) {
            try {
                List<ObjectNode> out = new ArrayList<>();
                sfn.engine.historyJson(e.arn()).forEach(n -> out.add((ObjectNode) n));
                return out;
            } catch (IllegalArgumentException gone) {
                // finished and forgotten meanwhile: the record has it
            }
        }
        Execution fresh = sfn.executions.get(Arns.parse(e.arn()).scope(), e.arn());
        if (fresh == null || fresh.data() == null) return new ArrayList<>();
        return new ArrayList<>(ExecutionData.fromJson(fresh.data()).events);
    }

    /** includeExecutionData=false: the events without their input and output. */
    private static ObjectNode withoutData(ObjectNode ev) {
        ObjectNode copy = ev.deepCopy();
        for (Map.Entry<String, JsonNode> f : copy.properties()) {
            if (f.getValue() instanceof ObjectNode details) {
                details.remove(List.of("input", "output", "inputDetails", "outputDetails"));
            }
        }
        return copy;
    }

    RedriveExecutionResponse redriveExecution(Call call, RedriveExecutionRequest req) {
        Execution e = find(call, req.executionArn());
        String reason = notRedrivable(call, e);
        if (reason != null) throw new AwsException("ExecutionNotRedrivable", reason);
        if (e.mapRunArn() != null) {
            // "To redrive a workflow that includes a Distributed Map state whose Map Run failed, you must redrive the
            // parent workflow": a Map Run's children are redriven by their Map Run, not one by one.
            throw new AwsException("ExecutionNotRedrivable", "Execution is a child workflow execution of Map Run " + e.mapRunArn()
                    + " and cannot be redriven directly. Redrive its parent execution to redrive the Map Run.");
        }
        sfn.ensureInEngine(e);
        sfn.started(e.arn());
        try {
            sfn.engine.redrive(e.arn());
        } catch (IllegalStateException ex) {
            throw new AwsException("ExecutionNotRedrivable", "Execution is " + e.status() + " and cannot be redriven.");
        }
        Execution after = sfn.executions.get(call.scope(), e.arn());
        return RedriveExecutionResponse.builder().redriveDate(after.redriveDate()).build();
    }

    /** Why an execution cannot be redriven, or null if it can (FAILED, ABORTED or TIMED_OUT within 14 days). */
    private String notRedrivable(Call call, Execution e) {
        if ("RUNNING".equals(e.status()) || "SUCCEEDED".equals(e.status())) {
            return "Execution is " + e.status() + " and cannot be redriven.";
        }
        if (e.stopDate() != null && e.stopDate().plus(REDRIVE_WINDOW).isBefore(call.now())) {
            return "Execution can no longer be redriven: it stopped more than 14 days ago";
        }
        if (e.data() == null) return "Execution has no state to redrive";
        return null;
    }

    DescribeStateMachineForExecutionResponse describeStateMachineForExecution(Call call, DescribeStateMachineForExecutionRequest req) {
        Execution e = find(call, req.executionArn());
        StateMachine m = sfn.machines.get(call.scope(), e.stateMachineArn());
        Version v = e.versionArn() == null ? null : sfn.versions.get(call.scope(), e.versionArn());
        String definition;
        String role;
        if (sfn.engine.execution(e.arn()).isPresent()) {
            ExecutionData d = sfn.engine.execution(e.arn()).get();
            definition = d.definition;
            role = d.roleArn;
        } else if (e.data() != null) {
            ExecutionData d = ExecutionData.fromJson(e.data());
            definition = d.definition;
            role = d.roleArn;
        } else {
            definition = v != null ? v.definition() : m == null ? null : m.definition();
            role = v != null ? v.roleArn() : m == null ? null : m.roleArn();
        }
        DescribeStateMachineForExecutionResponse.Builder b = DescribeStateMachineForExecutionResponse.builder()
                .stateMachineArn(e.versionArn() != null ? e.versionArn() : e.stateMachineArn())
                .name(Arns.parse(e.stateMachineArn()).name()).definition(definition).roleArn(role);
        if (v != null) {
            b.updateDate(v.creationDate()).revisionId(v.revisionId()).loggingConfiguration(v.logging()).tracingConfiguration(v.tracing());
        } else if (m != null) {
            b.updateDate(m.updateDate()).revisionId(m.revisionId()).loggingConfiguration(m.logging()).tracingConfiguration(m.tracing());
        }
        return b.build();
    }

    private Execution find(Call call, String arn) {
        Arns.parse(arn, "execution");
        Execution e = sfn.executions.get(call.scope(), arn);
        if (e == null) throw new AwsException("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
        return e;
    }

    // ------------------------------------------------------------------ TestState

    /**
     * TestState: one state, once, with a mocked result or error, or with its task really called (the same
     * integrations executions use). https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
     */
    TestStateResponse testState(Call call, TestStateRequest req) {
        try {
            JsonNode st = Json.parse(req.definition());
            if (!st.isObject() || !st.has("Type")) throw new IllegalArgumentException("a state definition needs a Type");
        } catch (RuntimeException e) {
            throw new AwsException("InvalidDefinition", "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
                    + firstLine(e.getMessage()) + "'");
        }
        if (req.input() != null) {
            try {
                Json.parse(req.input());
            } catch (RuntimeException e) {
                throw new AwsException("InvalidExecutionInput", "Invalid State Machine Execution Input: '" + firstLine(e.getMessage()) + "'");
            }
        }
        String mockResult = req.mock() == null ? null : req.mock().result();
        String mockError = req.mock() == null || req.mock().errorOutput() == null ? null : req.mock().errorOutput().error();
        String mockCause = req.mock() == null || req.mock().errorOutput() == null ? null : req.mock().errorOutput().cause();
        var request = new dev.oboro.services.stepfunctions.asl.TestStateRequest(req.definition(), req.input(), req.roleArn(),
                req.variables(), mockResult, mockError, mockCause, r -> sfn.integrations.runForTest(call, r));
        TestStateResult r;
        try {
            r = sfn.engine.testState(request);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new AwsException("InvalidDefinition", "Invalid State Machine Definition: '" + firstLine(e.getMessage()) + "'");
        }
        TestStateResponse.Builder b = TestStateResponse.builder().status(r.status()).output(r.output()).error(r.error())
                .cause(r.cause()).nextState(r.nextState());
        InspectionLevel level = req.inspectionLevel() == null ? InspectionLevel.INFO : req.inspectionLevel();
        if (level != InspectionLevel.INFO && r.inspection() != null) {
            TestStateResult.Inspection i = r.inspection();
            ObjectNode vars = Json.MAPPER.createObjectNode();
            if (i.variables() != null) i.variables().forEach((k, v) -> vars.set(k, Json.parse(v)));
            b.inspectionData(InspectionData.builder().input(i.input()).afterInputPath(i.afterInputPath())
                    .afterParameters(i.afterParameters()).afterArguments(i.afterArguments()).result(i.result())
                    .afterResultSelector(i.afterResultSelector()).afterResultPath(i.afterResultPath())
                    .variables(vars.isEmpty() ? null : Json.write(vars)).build());
        }
        return b.build();
    }

    // ------------------------------------------------------------------ helpers

    private static CloudWatchEventsExecutionDataDetails included() {
        return CloudWatchEventsExecutionDataDetails.builder().included(true).build();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
