package dev.oboro.services.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.services.stepfunctions.StepFunctions.Alias;
import dev.oboro.services.stepfunctions.StepFunctions.Execution;
import dev.oboro.services.stepfunctions.StepFunctions.StateMachine;
import dev.oboro.services.stepfunctions.StepFunctions.Version;
import dev.oboro.services.stepfunctions.asl.AslEngine;
import dev.oboro.services.stepfunctions.asl.Diagnostic;
import dev.oboro.services.stepfunctions.asl.Json;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.iam.model.GetRoleRequest;
import software.amazon.awssdk.services.iam.model.GetRoleResponse;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineAliasRequest;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineAliasResponse;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineRequest;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.DeleteStateMachineAliasRequest;
import software.amazon.awssdk.services.sfn.model.DeleteStateMachineAliasResponse;
import software.amazon.awssdk.services.sfn.model.DeleteStateMachineRequest;
import software.amazon.awssdk.services.sfn.model.DeleteStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.DeleteStateMachineVersionRequest;
import software.amazon.awssdk.services.sfn.model.DeleteStateMachineVersionResponse;
import software.amazon.awssdk.services.sfn.model.DescribeStateMachineAliasRequest;
import software.amazon.awssdk.services.sfn.model.DescribeStateMachineAliasResponse;
import software.amazon.awssdk.services.sfn.model.DescribeStateMachineRequest;
import software.amazon.awssdk.services.sfn.model.DescribeStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.ListStateMachineAliasesRequest;
import software.amazon.awssdk.services.sfn.model.ListStateMachineAliasesResponse;
import software.amazon.awssdk.services.sfn.model.ListStateMachineVersionsRequest;
import software.amazon.awssdk.services.sfn.model.ListStateMachineVersionsResponse;
import software.amazon.awssdk.services.sfn.model.ListStateMachinesRequest;
import software.amazon.awssdk.services.sfn.model.ListStateMachinesResponse;
import software.amazon.awssdk.services.sfn.model.LoggingConfiguration;
import software.amazon.awssdk.services.sfn.model.PublishStateMachineVersionRequest;
import software.amazon.awssdk.services.sfn.model.PublishStateMachineVersionResponse;
import software.amazon.awssdk.services.sfn.model.RoutingConfigurationListItem;
import software.amazon.awssdk.services.sfn.model.StateMachineAliasListItem;
import software.amazon.awssdk.services.sfn.model.StateMachineListItem;
import software.amazon.awssdk.services.sfn.model.StateMachineVersionListItem;
import software.amazon.awssdk.services.sfn.model.Tag;
import software.amazon.awssdk.services.sfn.model.TracingConfiguration;
import software.amazon.awssdk.services.sfn.model.UpdateStateMachineAliasRequest;
import software.amazon.awssdk.services.sfn.model.UpdateStateMachineAliasResponse;
import software.amazon.awssdk.services.sfn.model.UpdateStateMachineRequest;
import software.amazon.awssdk.services.sfn.model.UpdateStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.ValidateStateMachineDefinitionRequest;
import software.amazon.awssdk.services.sfn.model.ValidateStateMachineDefinitionResponse;
import software.amazon.awssdk.services.sfn.model.ValidateStateMachineDefinitionResultCode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * State machines, their versions and aliases, and definition validation.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
 */
final class StateMachines {
    static final int MAX_VERSIONS = 1000;
    static final int MAX_ALIASES = 100;

    private final StepFunctions sfn;

    StateMachines(StepFunctions sfn) {
        this.sfn = sfn;
    }

    // ------------------------------------------------------------------ create, describe, update, delete, list

    /**
     * Idempotent on name, definition, type, logging and tracing configuration (and publish/versionDescription); a
     * different roleArn or tags are ignored then, as AWS does. The same name with anything else different is
     * StateMachineAlreadyExists.
     */
    CreateStateMachineResponse createStateMachine(Call call, CreateStateMachineRequest req) {
        Arns.checkName(req.name());
        String type = req.typeAsString() == null ? "STANDARD" : req.typeAsString();
        boolean publish = Boolean.TRUE.equals(req.publish());
        if (!publish && req.versionDescription() != null) {
            throw new AwsException("ValidationException", "Version description can only be set when publish is true");
        }
        LoggingConfiguration logging = ExecutionLogs.check(call, req.loggingConfiguration());
        TracingConfiguration tracing = req.tracingConfiguration() == null ? TracingConfiguration.builder().enabled(false).build()
                : TracingConfiguration.builder().enabled(Boolean.TRUE.equals(req.tracingConfiguration().enabled())).build();
        Scope scope = call.scope();
        String arn = Arns.stateMachine(scope, req.name());
        StateMachine existing = sfn.machines.get(scope, arn);
        if (existing != null) {
            if ("DELETING".equals(existing.status())) {
                throw new AwsException("StateMachineDeleting", "State Machine is being deleted: '" + arn + "'");
            }
            boolean same = existing.definition().equals(req.definition()) && existing.type().equals(type)
                    && Objects.equals(existing.logging(), logging) && Objects.equals(existing.tracing(), tracing);
            Version current = versionOfRevision(scope, existing);
            if (same && publish) same = current != null && Objects.equals(current.description(), req.versionDescription());
            if (!same) throw new AwsException("StateMachineAlreadyExists", "State Machine Already Exists: '" + arn + "'");
            return CreateStateMachineResponse.builder().stateMachineArn(arn).creationDate(existing.creationDate())
                    .stateMachineVersionArn(publish ? current.arn() : null).build();
        }
        checkDefinition(req.definition(), type);
        checkRole(call, req.roleArn());
        Map<String, String> tags = new LinkedHashMap<>();
        if (req.hasTags()) for (Tag t : req.tags()) tags.put(t.key(), t.value());
        Tags.checkCount(arn, tags.size());
        Instant now = call.now();
        StateMachine m = new StateMachine(arn, req.name(), type, "ACTIVE", req.definition(), req.roleArn(), now, now, Ids.uuid(),
                logging, tracing, req.encryptionConfiguration(), tags, 0);
        if (!sfn.machines.putIfAbsent(scope, arn, m)) {
            throw new AwsException("StateMachineAlreadyExists", "State Machine Already Exists: '" + arn + "'");
        }
        String versionArn = publish ? publish(scope, m, req.versionDescription()).arn() : null;
        return CreateStateMachineResponse.builder().stateMachineArn(arn).creationDate(now).stateMachineVersionArn(versionArn).build();
    }

    DescribeStateMachineResponse describeStateMachine(Call call, DescribeStateMachineRequest req) {
        Arns.Parsed p = Arns.parse(req.stateMachineArn(), "stateMachine");
        if (p.isVersion()) {
            Version v = sfn.versions.get(call.scope(), p.arn());
            if (v == null) throw StepFunctions.machineDoesNotExist(p.arn());
            return DescribeStateMachineResponse.builder().stateMachineArn(v.arn()).name(v.name()).status("ACTIVE")
                    .definition(v.definition()).roleArn(v.roleArn()).type(v.type()).creationDate(v.creationDate())
                    .loggingConfiguration(v.logging()).tracingConfiguration(v.tracing()).revisionId(v.revisionId())
                    .description(v.description()).encryptionConfiguration(v.encryption()).build();
        }
        if (p.parts().length != 1) throw StepFunctions.machineDoesNotExist(p.arn());
        StateMachine m = sfn.machine(call.scope(), p.arn());
        return DescribeStateMachineResponse.builder().stateMachineArn(m.arn()).name(m.name()).status(m.status())
                .definition(m.definition()).roleArn(m.roleArn()).type(m.type()).creationDate(m.creationDate())
                .loggingConfiguration(m.logging()).tracingConfiguration(m.tracing()).revisionId(m.revisionId())
                .encryptionConfiguration(m.encryption()).build();
    }

    UpdateStateMachineResponse updateStateMachine(Call call, UpdateStateMachineRequest req) {
        Arns.Parsed p = Arns.parse(req.stateMachineArn(), "stateMachine");
        if (p.parts().length != 1) throw StepFunctions.machineDoesNotExist(p.arn());
        Scope scope = call.scope();
        StateMachine m = sfn.machine(scope, p.arn());
        if (req.definition() == null && req.roleArn() == null && req.loggingConfiguration() == null
                && req.tracingConfiguration() == null && req.encryptionConfiguration() == null) {
            throw new AwsException("MissingRequiredParameter",
                    "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified");
        }
        boolean publish = Boolean.TRUE.equals(req.publish());
        if (!publish && req.versionDescription() != null) {
            throw new AwsException("ValidationException", "Version description can only be set when publish is true");
        }
        if (req.definition() != null) checkDefinition(req.definition(), m.type());
        if (req.roleArn() != null) checkRole(call, req.roleArn());
        LoggingConfiguration logging = req.loggingConfiguration() != null ? ExecutionLogs.check(call, req.loggingConfiguration()) : null;
        Instant now = call.now();
        StateMachine updated = sfn.machines.update(scope, m.arn(), cur -> {
            String def = req.definition() != null ? req.definition() : cur.definition();
            String role = req.roleArn() != null ? req.roleArn() : cur.roleArn();
            LoggingConfiguration log = req.loggingConfiguration() != null ? logging : cur.logging();
            TracingConfiguration tr = req.tracingConfiguration() != null
                    ? TracingConfiguration.builder().enabled(Boolean.TRUE.equals(req.tracingConfiguration().enabled())).build() : cur.tracing();
            var enc = req.encryptionConfiguration() != null ? req.encryptionConfiguration() : cur.encryption();
            boolean changed = !def.equals(cur.definition()) || !Objects.equals(role, cur.roleArn()) || !Objects.equals(log, cur.logging())
                    || !Objects.equals(tr, cur.tracing()) || !Objects.equals(enc, cur.encryption());
            return new StateMachine(cur.arn(), cur.name(), cur.type(), cur.status(), def, role, cur.creationDate(), now,
                    changed ? Ids.uuid() : cur.revisionId(), log, tr, enc, cur.tags(), cur.lastVersion());
        });
        String versionArn = publish ? publish(scope, updated, req.versionDescription()).arn() : null;
        return UpdateStateMachineResponse.builder().updateDate(now).revisionId(updated.revisionId())
                .stateMachineVersionArn(versionArn).build();
    }

    /**
     * DeleteStateMachine is asynchronous: the machine is DELETING, its versions and aliases go at once, its running
     * executions stop at their next state transition, and the machine goes when none runs any more.
     */
    DeleteStateMachineResponse deleteStateMachine(Call call, DeleteStateMachineRequest req) {
        Arns.Parsed p = Arns.parse(req.stateMachineArn(), "stateMachine");
        Scope scope = call.scope();
        StateMachine m = p.parts().length == 1 ? sfn.machines.get(scope, p.arn()) : null;
        if (m == null) return DeleteStateMachineResponse.builder().build();
        StateMachine deleting = sfn.machines.update(scope, m.arn(), cur -> cur == null ? null : cur.withStatus("DELETING"));
        for (Alias a : List.copyOf(sfn.aliases.values(scope))) if (a.stateMachineArn().equals(m.arn())) sfn.aliases.remove(scope, a.arn());
        for (Version v : List.copyOf(sfn.versions.values(scope))) if (v.stateMachineArn().equals(m.arn())) sfn.versions.remove(scope, v.arn());
        boolean running = false;
        for (Execution e : sfn.executions.values(scope)) {
            if (e.stateMachineArn().equals(m.arn()) && "RUNNING".equals(e.status())) {
                running = true;
                sfn.terminate(e.arn());
            }
        }
        if (!running && deleting != null) sfn.removeIfIdle(scope, deleting);
        return DeleteStateMachineResponse.builder().build();
    }

    ListStateMachinesResponse listStateMachines(Call call, ListStateMachinesRequest req) {
        List<StateMachine> all = new ArrayList<>(sfn.machines.values(call.scope()));
        ListStateMachinesResponse.Builder b = ListStateMachinesResponse.builder();
        Pagination.Page<StateMachine> page = Pagination.page(call, req, all, StateMachine::arn, b);
        return b.stateMachines(page.items().stream().map(m -> StateMachineListItem.builder()
                .stateMachineArn(m.arn()).name(m.name()).type(m.type()).creationDate(m.creationDate()).build()).toList())
                .build();
    }

    ValidateStateMachineDefinitionResponse validateStateMachineDefinition(Call call, ValidateStateMachineDefinitionRequest req) {
        String type = req.typeAsString() == null ? "STANDARD" : req.typeAsString();
        List<Diagnostic> all = diagnostics(req.definition(), type);
        boolean warnings = "WARNING".equals(req.severityAsString());
        List<Diagnostic> shown = all.stream().filter(d -> warnings || d.isError()).toList();
        int max = req.maxResults() == null || req.maxResults() == 0 ? 100 : req.maxResults();
        boolean truncated = shown.size() > max;
        if (truncated) shown = shown.subList(0, max);
        boolean fail = all.stream().anyMatch(Diagnostic::isError);
        return ValidateStateMachineDefinitionResponse.builder()
                .result(fail ? ValidateStateMachineDefinitionResultCode.FAIL : ValidateStateMachineDefinitionResultCode.OK)
                .diagnostics(shown.stream().map(Diagnostic::toSdk).toList()).truncated(truncated).build();
    }

    // ------------------------------------------------------------------ versions

    PublishStateMachineVersionResponse publishStateMachineVersion(Call call, PublishStateMachineVersionRequest req) {
        Arns.Parsed p = Arns.parse(req.stateMachineArn(), "stateMachine");
        if (p.parts().length != 1) throw StepFunctions.machineDoesNotExist(p.arn());
        StateMachine m = sfn.machine(call.scope(), p.arn());
        if (req.revisionId() != null && !req.revisionId().equals(m.revisionId())) {
            throw new AwsException("ConflictException", "Failed to publish the State Machine version for revision " + req.revisionId()
                    + ". The current State Machine revision is " + m.revisionId() + ".");
        }
        Version v = publish(call.scope(), m, req.description());
        return PublishStateMachineVersionResponse.builder().stateMachineVersionArn(v.arn()).creationDate(v.creationDate()).build();
    }

    /** Publishes the current revision, or gives back the version that already has it (publishing is idempotent). */
    private Version publish(Scope scope, StateMachine m, String description) {
        synchronized (sfn.versions) {
            Version existing = versionOfRevision(scope, m);
            if (existing != null) return existing;
            long count = sfn.versions.values(scope).stream().filter(v -> v.stateMachineArn().equals(m.arn())).count();
            if (count >= MAX_VERSIONS) {
                throw new AwsException("ServiceQuotaExceededException", "The maximum number of versions (" + MAX_VERSIONS
                        + ") for the state machine " + m.arn() + " has been reached.");
            }
            // version numbers only grow: a deleted version's number is never given again
            StateMachine bumped = sfn.machines.update(scope, m.arn(), cur -> cur.withLastVersion(cur.lastVersion() + 1));
            long n = bumped.lastVersion();
            Version v = new Version(m.arn() + ":" + n, m.arn(), n, m.name(), m.type(), bumped.definition(), bumped.roleArn(),
                    bumped.revisionId(), description, sfn.oboro.clock().instant(), bumped.logging(), bumped.tracing(), bumped.encryption());
            sfn.versions.put(scope, v.arn(), v);
            return v;
        }
    }

    private Version versionOfRevision(Scope scope, StateMachine m) {
        for (Version v : sfn.versions.values(scope)) {
            if (v.stateMachineArn().equals(m.arn()) && v.revisionId().equals(m.revisionId())) return v;
        }
        return null;
    }

    ListStateMachineVersionsResponse listStateMachineVersions(Call call, ListStateMachineVersionsRequest req) {
        Arns.Parsed p = Arns.parse(req.stateMachineArn(), "stateMachine");
        if (p.parts().length != 1) throw StepFunctions.machineDoesNotExist(p.arn());
        StateMachine m = sfn.machine(call.scope(), p.arn());
        List<Version> all = new ArrayList<>(sfn.versions.values(call.scope()).stream().filter(v -> v.stateMachineArn().equals(m.arn())).toList());
        all.sort(Comparator.comparing(StateMachines::newestFirst));
        ListStateMachineVersionsResponse.Builder b = ListStateMachineVersionsResponse.builder();
        Pagination.Page<Version> page = Pagination.page(call, req, all, StateMachines::newestFirst, b);
        return b.stateMachineVersions(page.items().stream().map(v -> StateMachineVersionListItem.builder()
                .stateMachineVersionArn(v.arn()).creationDate(v.creationDate()).build()).toList()).build();
    }

    private static String newestFirst(Version v) {
        return String.format("%019d", Long.MAX_VALUE - v.number());
    }

    DeleteStateMachineVersionResponse deleteStateMachineVersion(Call call, DeleteStateMachineVersionRequest req) {
        Arns.Parsed p = Arns.parse(req.stateMachineVersionArn(), "stateMachine");
        if (!p.isVersion()) {
            throw new AwsException("ValidationException", "1 validation error detected: Value '" + p.arn()
                    + "' at 'stateMachineVersionArn' failed to satisfy constraint: Member must be a state machine version ARN");
        }
        Scope scope = call.scope();
        Version v = sfn.versions.get(scope, p.arn());
        if (v == null) return DeleteStateMachineVersionResponse.builder().build();
        List<String> referencing = sfn.aliases.values(scope).stream()
                .filter(a -> a.routing().stream().anyMatch(r -> r.stateMachineVersionArn().equals(v.arn())))
                .map(Alias::name).toList();
        if (!referencing.isEmpty()) {
            throw new AwsException("ConflictException", "Version to be deleted must not be referenced by an alias. "
                    + "Current list of aliases referencing this version: [" + String.join(", ", referencing) + "]");
        }
        sfn.versions.remove(scope, v.arn());
        return DeleteStateMachineVersionResponse.builder().build();
    }

    // ------------------------------------------------------------------ aliases

    /** Idempotent for the same routing and description; the same name with another routing is a ConflictException. */
    CreateStateMachineAliasResponse createStateMachineAlias(Call call, CreateStateMachineAliasRequest req) {
        checkAliasName(req.name());
        Scope scope = call.scope();
        String machineArn = checkRouting(scope, req.routingConfiguration());
        String arn = machineArn + ":" + req.name();
        synchronized (sfn.aliases) {
            Alias existing = sfn.aliases.get(scope, arn);
            if (existing != null) {
                if (sameRouting(existing.routing(), req.routingConfiguration()) && Objects.equals(existing.description(), req.description())) {
                    return CreateStateMachineAliasResponse.builder().stateMachineAliasArn(arn).creationDate(existing.creationDate()).build();
                }
                throw new AwsException("ConflictException", "Failed to create alias because an alias with the same name and a "
                        + "different routing configuration already exists.");
            }
            long count = sfn.aliases.values(scope).stream().filter(a -> a.stateMachineArn().equals(machineArn)).count();
            if (count >= MAX_ALIASES) {
                throw new AwsException("ServiceQuotaExceededException", "The maximum number of aliases (" + MAX_ALIASES
                        + ") for the state machine " + machineArn + " has been reached.");
            }
            Instant now = call.now();
            sfn.aliases.put(scope, arn, new Alias(arn, machineArn, req.name(), req.description(), List.copyOf(req.routingConfiguration()), now, now));
            return CreateStateMachineAliasResponse.builder().stateMachineAliasArn(arn).creationDate(now).build();
        }
    }

    DescribeStateMachineAliasResponse describeStateMachineAlias(Call call, DescribeStateMachineAliasRequest req) {
        Alias a = alias(call, req.stateMachineAliasArn());
        return DescribeStateMachineAliasResponse.builder().stateMachineAliasArn(a.arn()).name(a.name()).description(a.description())
                .routingConfiguration(a.routing()).creationDate(a.creationDate()).updateDate(a.updateDate()).build();
    }

    UpdateStateMachineAliasResponse updateStateMachineAlias(Call call, UpdateStateMachineAliasRequest req) {
        if (req.description() == null && !req.hasRoutingConfiguration()) {
            throw new AwsException("MissingRequiredParameter", "Either the description or the RoutingConfiguration must be specified");
        }
        Alias a = alias(call, req.stateMachineAliasArn());
        if (req.hasRoutingConfiguration()) {
            String machineArn = checkRouting(call.scope(), req.routingConfiguration());
            if (!machineArn.equals(a.stateMachineArn())) {
                throw new AwsException("ValidationException", "Routing configuration must contain state machine version ARNs of the alias's state machine: "
                        + a.stateMachineArn());
            }
        }
        Instant now = call.now();
        sfn.aliases.update(call.scope(), a.arn(), cur -> new Alias(cur.arn(), cur.stateMachineArn(), cur.name(),
                req.description() != null ? req.description() : cur.description(),
                req.hasRoutingConfiguration() ? List.copyOf(req.routingConfiguration()) : cur.routing(), cur.creationDate(), now));
        return UpdateStateMachineAliasResponse.builder().updateDate(now).build();
    }

    DeleteStateMachineAliasResponse deleteStateMachineAlias(Call call, DeleteStateMachineAliasRequest req) {
        Arns.Parsed p = Arns.parse(req.stateMachineAliasArn(), "stateMachine");
        if (!p.isAlias()) throw Arns.invalid(p.arn());
        sfn.aliases.remove(call.scope(), p.arn());
        return DeleteStateMachineAliasResponse.builder().build();
    }

    ListStateMachineAliasesResponse listStateMachineAliases(Call call, ListStateMachineAliasesRequest req) {
        Arns.Parsed p = Arns.parse(req.stateMachineArn(), "stateMachine");
        if (p.parts().length != 1) throw StepFunctions.machineDoesNotExist(p.arn());
        StateMachine m = sfn.machine(call.scope(), p.arn());
        List<Alias> all = sfn.aliases.values(call.scope()).stream().filter(a -> a.stateMachineArn().equals(m.arn())).toList();
        ListStateMachineAliasesResponse.Builder b = ListStateMachineAliasesResponse.builder();
        Pagination.Page<Alias> page = Pagination.page(call, req, all, Alias::arn, b);
        return b.stateMachineAliases(page.items().stream().map(a -> StateMachineAliasListItem.builder()
                .stateMachineAliasArn(a.arn()).creationDate(a.creationDate()).build()).toList()).build();
    }

    private Alias alias(Call call, String arn) {
        Arns.Parsed p = Arns.parse(arn, "stateMachine");
        if (!p.isAlias()) throw Arns.invalid(arn);
        Alias a = sfn.aliases.get(call.scope(), arn);
        if (a == null) throw new AwsException("ResourceNotFound", "Request references a resource that does not exist.");
        return a;
    }

    private static void checkAliasName(String name) {
        if (!Arns.validAliasName(name)) {
            throw new AwsException("ValidationException", "1 validation error detected: Value '" + name + "' at 'name' failed to satisfy "
                    + "constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$");
        }
    }

    /** Checks a routing configuration (distinct existing versions of one machine, weights summing to 100); returns the machine ARN. */
    private String checkRouting(Scope scope, List<RoutingConfigurationListItem> routing) {
        List<String> arns = routing.stream().map(RoutingConfigurationListItem::stateMachineVersionArn).toList();
        String received = "[" + String.join(", ", arns) + "]";
        if (new HashSet<>(arns).size() != arns.size()) {
            throw new AwsException("ValidationException", "Routing configuration must contain distinct state machine version ARNs. Received: " + received);
        }
        int sum = 0;
        for (RoutingConfigurationListItem r : routing) sum += r.weight();
        if (sum != 100) {
            throw new AwsException("ValidationException", "Sum of routing configuration weights must equal 100. Received: "
                    + routing.stream().map(r -> String.valueOf(r.weight())).collect(Collectors.joining(",", "[", "]")));
        }
        String machineArn = null;
        for (String arn : arns) {
            Arns.Parsed p = Arns.parse(arn, "stateMachine");
            if (!p.isVersion()) {
                throw new AwsException("ValidationException", "Routing configuration must contain state machine version ARNs. Received: " + received);
            }
            if (machineArn != null && !machineArn.equals(p.unqualified())) {
                throw new AwsException("ValidationException", "Routing configuration must contain state machine version ARNs of the same state machine. Received: " + received);
            }
            machineArn = p.unqualified();
            if (sfn.versions.get(scope, arn) == null) throw new AwsException("ResourceNotFound", "Resource not found: '" + arn + "'");
        }
        return machineArn;
    }

    private static boolean sameRouting(List<RoutingConfigurationListItem> a, List<RoutingConfigurationListItem> b) {
        Map<String, Integer> x = new LinkedHashMap<>();
        a.forEach(r -> x.put(r.stateMachineVersionArn(), r.weight()));
        Map<String, Integer> y = new LinkedHashMap<>();
        b.forEach(r -> y.put(r.stateMachineVersionArn(), r.weight()));
        return x.equals(y);
    }

    // ------------------------------------------------------------------ checks

    /** The definition as CreateStateMachine checks it: InvalidDefinition with each error's code, message and location. */
    static void checkDefinition(String definition, String type) {
        List<Diagnostic> errors = diagnostics(definition, type).stream().filter(Diagnostic::isError).toList();
        if (!errors.isEmpty()) throw new AwsException("InvalidDefinition", Diagnostic.invalidDefinitionMessage(errors));
    }

    static List<Diagnostic> diagnostics(String definition, String type) {
        List<Diagnostic> out = new ArrayList<>(AslEngine.validate(definition));
        if ("EXPRESS".equals(type) && out.stream().noneMatch(Diagnostic::isError)) {
            expressChecks(Json.parse(definition), "", out);
        }
        return out;
    }

    /**
     * Express workflows support neither activities nor the .sync and .waitForTaskToken integration patterns
     * (https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html).
     */
    private static void expressChecks(JsonNode scope, String path, List<Diagnostic> out) {
        scope.path("States").properties().forEach(e -> {
            JsonNode st = e.getValue();
            String at = path + "/States/" + e.getKey();
            String resource = st.path("Resource").asText("");
            if ("Task".equals(st.path("Type").asText())) {
                if (resource.endsWith(".sync") || resource.endsWith(".sync:2")) {
                    out.add(Diagnostic.error("SCHEMA_VALIDATION_FAILED", "Express state machine does not support '.sync' service integration", at + "/Resource"));
                } else if (resource.endsWith(".waitForTaskToken")) {
                    out.add(Diagnostic.error("SCHEMA_VALIDATION_FAILED", "Express state machine does not support '.waitForTaskToken' service integration", at + "/Resource"));
                } else if (resource.matches("arn:aws[a-z-]*:states:[^:]*:[^:]*:activity:.*")) {
                    out.add(Diagnostic.error("SCHEMA_VALIDATION_FAILED", "Express state machine does not support Activity ARN", at + "/Resource"));
                }
            }
            int i = 0;
            for (JsonNode b : st.path("Branches")) expressChecks(b, at + "/Branches[" + i++ + "]", out);
            JsonNode proc = st.has("ItemProcessor") ? st.get("ItemProcessor") : st.get("Iterator");
            if (proc != null) expressChecks(proc, at + (st.has("ItemProcessor") ? "/ItemProcessor" : "/Iterator"), out);
        });
    }

    /**
     * The role must be an IAM role that Step Functions may assume. When IAM is served, a role of the caller's own
     * account is looked up: a missing role, or one whose trust policy does not name states.amazonaws.com (or the
     * regional principal), is refused as AWS refuses it.
     */
    private void checkRole(Call call, String roleArn) {
        if (roleArn == null || !roleArn.matches("arn:aws[a-z-]*:iam::\\d{12}:role/.+")) throw Arns.invalid(roleArn);
        String account = roleArn.split(":")[4];
        if (!account.equals(call.account()) || !sfn.oboro.services().has("iam")) return;
        String roleName = roleArn.substring(roleArn.lastIndexOf('/') + 1);
        GetRoleResponse role;
        try {
            role = sfn.oboro.services().call(call, "iam", GetRoleRequest.builder().roleName(roleName).build());
        } catch (AwsException e) {
            if ("NoSuchEntity".equals(e.code())) throw cannotAssume();
            return; // IAM without GetRole yet: nothing to check against
        }
        String policy = role.role() == null ? null : role.role().assumeRolePolicyDocument();
        if (policy != null) {
            String doc = policy.trim().startsWith("{") ? policy : URLDecoder.decode(policy, StandardCharsets.UTF_8);
            if (!doc.matches("(?s).*states(\\.[a-z0-9-]+)?\\.amazonaws\\.com.*")) throw cannotAssume();
        }
    }

    private static AwsException cannotAssume() {
        return new AwsException("AccessDeniedException",
                "Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.");
    }
}
