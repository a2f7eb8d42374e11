package dev.oboro.tests.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.DescribeStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.LogLevel;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StateMachineListItem;
import software.amazon.awssdk.services.sfn.model.StateMachineStatus;
import software.amazon.awssdk.services.sfn.model.Tag;
import software.amazon.awssdk.services.sfn.model.ValidateStateMachineDefinitionResponse;
import software.amazon.awssdk.services.sfn.model.ValidateStateMachineDefinitionResultCode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control plane: state machines, validation, tags, versions and aliases. */
class StateMachinesTest {
    static final String PASS = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}";
    static final String PASS2 = "{\"StartAt\":\"Q\",\"States\":{\"Q\":{\"Type\":\"Pass\",\"Result\":2,\"End\":true}}}";
    final String account = Oboro.newAccount();
    final ObjectMapper json = new ObjectMapper();

    static SfnException error(Runnable r) {
        return assertThrows(SfnException.class, r::run);
    }

    @Test
    void createDescribeUpdateDelete() {
        try (SfnClient sfn = Sfn.client(account)) {
            CreateStateMachineResponse created = sfn.createStateMachine(r -> r.name("orders").roleArn(Sfn.role(account)).definition(PASS)
                    .tags(Tag.builder().key("team").value("a").build()));
            assertEquals("arn:aws:states:us-east-1:" + account + ":stateMachine:orders", created.stateMachineArn());
            String arn = created.stateMachineArn();

            DescribeStateMachineResponse d = sfn.describeStateMachine(r -> r.stateMachineArn(arn));
            assertEquals("orders", d.name());
            assertEquals(StateMachineStatus.ACTIVE, d.status());
            assertEquals("STANDARD", d.typeAsString());
            assertEquals(PASS, d.definition());
            assertEquals(LogLevel.OFF, d.loggingConfiguration().level());
            assertFalse(d.loggingConfiguration().includeExecutionData());
            assertFalse(d.tracingConfiguration().enabled());
            assertNotNull(d.revisionId());

            // idempotent: same name and definition (a different role is ignored)
            CreateStateMachineResponse again = sfn.createStateMachine(r -> r.name("orders").roleArn(Sfn.role(account) + "2").definition(PASS));
            assertEquals(arn, again.stateMachineArn());
            assertEquals(created.creationDate(), again.creationDate());
            SfnException exists = error(() -> sfn.createStateMachine(r -> r.name("orders").roleArn(Sfn.role(account)).definition(PASS2)));
            assertEquals("StateMachineAlreadyExists", exists.awsErrorDetails().errorCode());
            assertEquals("State Machine Already Exists: '" + arn + "'", exists.awsErrorDetails().errorMessage());

            var updated = sfn.updateStateMachine(r -> r.stateMachineArn(arn).definition(PASS2)
                    .loggingConfiguration(l -> l.level(LogLevel.OFF)).tracingConfiguration(t -> t.enabled(true)));
            assertNotEquals(d.revisionId(), updated.revisionId());
            DescribeStateMachineResponse d2 = sfn.describeStateMachine(r -> r.stateMachineArn(arn));
            assertEquals(PASS2, d2.definition());
            assertTrue(d2.tracingConfiguration().enabled());
            assertEquals(updated.revisionId(), d2.revisionId());

            SfnException missing = error(() -> sfn.updateStateMachine(r -> r.stateMachineArn(arn)));
            assertEquals("MissingRequiredParameter", missing.awsErrorDetails().errorCode());

            sfn.deleteStateMachine(r -> r.stateMachineArn(arn));
            SfnException gone = error(() -> sfn.describeStateMachine(r -> r.stateMachineArn(arn)));
            assertEquals("StateMachineDoesNotExist", gone.awsErrorDetails().errorCode());
            assertEquals("State Machine Does Not Exist: '" + arn + "'", gone.awsErrorDetails().errorMessage());
            assertEquals(400, gone.statusCode());
        }
    }

    @Test
    void refusals() {
        try (SfnClient sfn = Sfn.client(account)) {
            SfnException bad = error(() -> sfn.createStateMachine(r -> r.name("bad").roleArn(Sfn.role(account))
                    .definition("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"Nowhere\"}}}")));
            assertEquals("InvalidDefinition", bad.awsErrorDetails().errorCode());
            assertTrue(bad.awsErrorDetails().errorMessage().startsWith(
                    "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next"),
                    bad.awsErrorDetails().errorMessage());

            SfnException name = error(() -> sfn.createStateMachine(r -> r.name("has space").roleArn(Sfn.role(account)).definition(PASS)));
            assertEquals("InvalidName", name.awsErrorDetails().errorCode());
            assertEquals("Invalid Name: 'has space'", name.awsErrorDetails().errorMessage());

            SfnException arn = error(() -> sfn.describeStateMachine(r -> r.stateMachineArn("not-an-arn")));
            assertEquals("InvalidArn", arn.awsErrorDetails().errorCode());
            SfnException type = error(() -> sfn.describeStateMachine(r -> r.stateMachineArn(
                    "arn:aws:states:us-east-1:" + account + ":activity:nope")));
            assertEquals("Invalid Arn: 'Resource type not valid in this context: activity'", type.awsErrorDetails().errorMessage());

            SfnException express = error(() -> sfn.createStateMachine(r -> r.name("ex").roleArn(Sfn.role(account)).type("EXPRESS")
                    .definition("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution.sync\",\"End\":true}}}")));
            assertEquals("InvalidDefinition", express.awsErrorDetails().errorCode());
            assertTrue(express.awsErrorDetails().errorMessage().contains("/States/T/Resource"), express.awsErrorDetails().errorMessage());

            SfnException logging = error(() -> sfn.createStateMachine(r -> r.name("logs").roleArn(Sfn.role(account)).definition(PASS)
                    .loggingConfiguration(l -> l.level(LogLevel.ALL))));
            assertEquals("InvalidLoggingConfiguration", logging.awsErrorDetails().errorCode());
            assertEquals("Invalid Logging Configuration: Must specify exactly one Log Destination.", logging.awsErrorDetails().errorMessage());

            SfnException desc = error(() -> sfn.createStateMachine(r -> r.name("v").roleArn(Sfn.role(account)).definition(PASS)
                    .versionDescription("first")));
            assertEquals("ValidationException", desc.awsErrorDetails().errorCode());
        }
    }

    @Test
    void roleMustBeAssumableWhenIamIsServed() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Oboro.server().oboro().services().has("iam"), "IAM is not served yet");
        try (SfnClient sfn = Sfn.client(account)) {
            SfnException denied = error(() -> sfn.createStateMachine(r -> r.name("norole")
                    .roleArn("arn:aws:iam::" + account + ":role/DoesNotExist").definition(PASS)));
            assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
            assertEquals("Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.",
                    denied.awsErrorDetails().errorMessage());
            try (var iam = Oboro.client(software.amazon.awssdk.services.iam.IamClient.builder(), account)) {
                iam.createRole(r -> r.roleName("ForLambdaOnly").assumeRolePolicyDocument(Sfn.TRUST.replace("states.amazonaws.com", "lambda.amazonaws.com")));
            }
            SfnException untrusted = error(() -> sfn.createStateMachine(r -> r.name("untrusted")
                    .roleArn("arn:aws:iam::" + account + ":role/ForLambdaOnly").definition(PASS)));
            assertEquals("AccessDeniedException", untrusted.awsErrorDetails().errorCode());
            // a role that exists and trusts Step Functions is accepted
            Sfn.create(sfn, account, "trusted", PASS);
        }
    }

    @Test
    void loggingConfigurationIsStored() {
        try (SfnClient sfn = Sfn.client(account)) {
            String group = "arn:aws:logs:us-east-1:" + account + ":log-group:sfn:*";
            try (var logs = Oboro.client(software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient.builder(), account)) {
                logs.createLogGroup(r -> r.logGroupName("sfn")); // the log group must exist
            }
            String arn = sfn.createStateMachine(r -> r.name("logged").roleArn(Sfn.role(account)).definition(PASS)
                    .loggingConfiguration(l -> l.level(LogLevel.ERROR).includeExecutionData(true)
                            .destinations(d -> d.cloudWatchLogsLogGroup(g -> g.logGroupArn(group))))).stateMachineArn();
            var log = sfn.describeStateMachine(r -> r.stateMachineArn(arn)).loggingConfiguration();
            assertEquals(LogLevel.ERROR, log.level());
            assertTrue(log.includeExecutionData());
            assertEquals(group, log.destinations().get(0).cloudWatchLogsLogGroup().logGroupArn());
        }
    }

    @Test
    void validateStateMachineDefinition() {
        try (SfnClient sfn = Sfn.client(account)) {
            ValidateStateMachineDefinitionResponse ok = sfn.validateStateMachineDefinition(r -> r.definition(PASS));
            assertEquals(ValidateStateMachineDefinitionResultCode.OK, ok.result());
            assertTrue(ok.diagnostics().isEmpty());
            ValidateStateMachineDefinitionResponse fail = sfn.validateStateMachineDefinition(r -> r.definition(
                    "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"Foo\"}}}"));
            assertEquals(ValidateStateMachineDefinitionResultCode.FAIL, fail.result());
            assertEquals("MISSING_TRANSITION_TARGET", fail.diagnostics().get(0).code());
            assertEquals("/States/A/Next", fail.diagnostics().get(0).location());
            assertEquals("ERROR", fail.diagnostics().get(0).severityAsString());
            assertFalse(fail.truncated());
        }
    }

    @Test
    void tags() {
        try (SfnClient sfn = Sfn.client(account)) {
            String arn = Sfn.create(sfn, account, "tagged", PASS);
            sfn.tagResource(r -> r.resourceArn(arn).tags(Tag.builder().key("a").value("1").build(), Tag.builder().key("b").value("2").build()));
            sfn.untagResource(r -> r.resourceArn(arn).tagKeys("a"));
            assertEquals(List.of(Tag.builder().key("b").value("2").build()), sfn.listTagsForResource(r -> r.resourceArn(arn)).tags());
            List<Tag> many = IntStream.range(0, 51).mapToObj(i -> Tag.builder().key("k" + i).value("v").build()).toList();
            SfnException tooMany = error(() -> sfn.tagResource(r -> r.resourceArn(arn).tags(many)));
            assertEquals("TooManyTags", tooMany.awsErrorDetails().errorCode());
            String activity = sfn.createActivity(r -> r.name("tagged-activity").tags(Tag.builder().key("x").value("y").build())).activityArn();
            assertEquals("y", sfn.listTagsForResource(r -> r.resourceArn(activity)).tags().get(0).value());
            SfnException missing = error(() -> sfn.listTagsForResource(r -> r.resourceArn(arn + "-nope")));
            assertEquals("ResourceNotFound", missing.awsErrorDetails().errorCode());
        }
    }

    @Test
    void versionsAndAliases() {
        try (SfnClient sfn = Sfn.client(account)) {
            var created = sfn.createStateMachine(r -> r.name("versioned").roleArn(Sfn.role(account)).definition(PASS)
                    .publish(true).versionDescription("first"));
            String arn = created.stateMachineArn();
            String v1 = created.stateMachineVersionArn();
            assertEquals(arn + ":1", v1);
            // publishing the same revision again gives the same version
            assertEquals(v1, sfn.publishStateMachineVersion(r -> r.stateMachineArn(arn)).stateMachineVersionArn());
            String v2 = sfn.updateStateMachine(r -> r.stateMachineArn(arn).definition(PASS2).publish(true).versionDescription("second"))
                    .stateMachineVersionArn();
            assertEquals(arn + ":2", v2);
            var dv1 = sfn.describeStateMachine(r -> r.stateMachineArn(v1));
            assertEquals(PASS, dv1.definition());
            assertEquals("first", dv1.description());
            assertEquals(List.of(v2, v1), sfn.listStateMachineVersions(r -> r.stateMachineArn(arn)).stateMachineVersions().stream()
                    .map(v -> v.stateMachineVersionArn()).toList());
            SfnException stale = error(() -> sfn.publishStateMachineVersion(r -> r.stateMachineArn(arn).revisionId(dv1.revisionId())));
            assertEquals("ConflictException", stale.awsErrorDetails().errorCode());

            SfnException sum = error(() -> sfn.createStateMachineAlias(r -> r.name("live").routingConfiguration(
                    c -> c.stateMachineVersionArn(v1).weight(50), c -> c.stateMachineVersionArn(v2).weight(40))));
            assertEquals("Sum of routing configuration weights must equal 100. Received: [50,40]", sum.awsErrorDetails().errorMessage());
            String alias = sfn.createStateMachineAlias(r -> r.name("live").description("prod").routingConfiguration(
                    c -> c.stateMachineVersionArn(v1).weight(100))).stateMachineAliasArn();
            assertEquals(arn + ":live", alias);
            SfnException conflict = error(() -> sfn.createStateMachineAlias(r -> r.name("live").routingConfiguration(
                    c -> c.stateMachineVersionArn(v2).weight(100))));
            assertEquals("ConflictException", conflict.awsErrorDetails().errorCode());

            // an alias sends every execution to its version; executions list by version and by alias
            String e1 = sfn.startExecution(r -> r.stateMachineArn(alias)).executionArn();
            var d1 = Sfn.awaitDone(sfn, e1);
            assertEquals(v1, d1.stateMachineVersionArn());
            assertEquals(alias, d1.stateMachineAliasArn());
            assertEquals("{}", d1.output());
            String e2 = sfn.startExecution(r -> r.stateMachineArn(v2)).executionArn();
            assertEquals("2", Sfn.awaitDone(sfn, e2).output());
            assertEquals(List.of(e1), sfn.listExecutions(r -> r.stateMachineArn(alias)).executions().stream().map(e -> e.executionArn()).toList());
            assertEquals(List.of(e2), sfn.listExecutions(r -> r.stateMachineArn(v2)).executions().stream().map(e -> e.executionArn()).toList());
            assertEquals(2, sfn.listExecutions(r -> r.stateMachineArn(arn)).executions().size());

            sfn.updateStateMachineAlias(r -> r.stateMachineAliasArn(alias).routingConfiguration(
                    c -> c.stateMachineVersionArn(v1).weight(30), c -> c.stateMachineVersionArn(v2).weight(70)));
            var da = sfn.describeStateMachineAlias(r -> r.stateMachineAliasArn(alias));
            assertEquals("prod", da.description());
            assertEquals(2, da.routingConfiguration().size());
            assertEquals(List.of(alias), sfn.listStateMachineAliases(r -> r.stateMachineArn(arn)).stateMachineAliases().stream()
                    .map(a -> a.stateMachineAliasArn()).toList());
            // weighted routing: both versions get executions
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 40 && seen.size() < 2; i++) {
                String e = sfn.startExecution(r -> r.stateMachineArn(alias)).executionArn();
                seen.add(sfn.describeExecution(r -> r.executionArn(e)).stateMachineVersionArn());
            }
            assertEquals(Set.of(v1, v2), seen);

            SfnException referenced = error(() -> sfn.deleteStateMachineVersion(r -> r.stateMachineVersionArn(v1)));
            assertEquals("ConflictException", referenced.awsErrorDetails().errorCode());
            assertEquals("Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [live]",
                    referenced.awsErrorDetails().errorMessage());
            sfn.deleteStateMachineAlias(r -> r.stateMachineAliasArn(alias));
            SfnException noAlias = error(() -> sfn.describeStateMachineAlias(r -> r.stateMachineAliasArn(alias)));
            assertEquals("ResourceNotFound", noAlias.awsErrorDetails().errorCode());
            sfn.deleteStateMachineVersion(r -> r.stateMachineVersionArn(v1));
            assertEquals(List.of(v2), sfn.listStateMachineVersions(r -> r.stateMachineArn(arn)).stateMachineVersions().stream()
                    .map(v -> v.stateMachineVersionArn()).toList());
            // numbers are never reused
            String v3 = sfn.updateStateMachine(r -> r.stateMachineArn(arn).definition(PASS).publish(true)).stateMachineVersionArn();
            assertEquals(arn + ":3", v3);
        }
    }

    @Test
    void sdkPaginatorAndMaxResultsBound() {
        String acct = Oboro.newAccount();
        try (SfnClient sfn = Sfn.client(acct)) {
            for (int i = 0; i < 23; i++) Sfn.create(sfn, acct, "m" + i, PASS);
            var first = sfn.listStateMachines(r -> r.maxResults(10));
            assertEquals(10, first.stateMachines().size());
            assertNotNull(first.nextToken());
            List<String> names = new ArrayList<>();
            sfn.listStateMachinesPaginator(r -> r.maxResults(4)).stateMachines().forEach(m -> names.add(m.name()));
            assertEquals(23, names.size());
            assertEquals(23, new HashSet<>(names).size());
            SfnException big = error(() -> sfn.listStateMachines(r -> r.maxResults(5000)));
            assertEquals("ValidationException", big.awsErrorDetails().errorCode());
            assertTrue(big.getMessage().contains("Member must have value less than or equal to 1000"), big.getMessage());
        }
    }

    @Test
    void cli() throws Exception {
        String acct = Oboro.newAccount();
        JsonNode created = json.readTree(Cli.v2(acct, "stepfunctions", "create-state-machine", "--name", "cli-machine",
                "--definition", PASS, "--role-arn", Sfn.role(acct)).ok().stdout());
        String arn = created.get("stateMachineArn").asText();
        try (SfnClient sfn = Sfn.client(acct)) {
            for (int i = 0; i < 6; i++) Sfn.create(sfn, acct, "more" + i, PASS);
        }
        JsonNode described = json.readTree(Cli.v2(acct, "stepfunctions", "describe-state-machine", "--state-machine-arn", arn).ok().stdout());
        assertEquals("ACTIVE", described.get("status").asText());
        assertEquals(PASS, described.get("definition").asText());
        JsonNode p1 = json.readTree(Cli.v2(acct, "stepfunctions", "list-state-machines", "--max-items", "4", "--page-size", "3").ok().stdout());
        assertEquals(4, p1.get("stateMachines").size());
        JsonNode p2 = json.readTree(Cli.v2(acct, "stepfunctions", "list-state-machines", "--max-items", "4",
                "--starting-token", p1.get("NextToken").asText()).ok().stdout());
        assertEquals(3, p2.get("stateMachines").size());
        assertNull(p2.get("NextToken"));
        Set<String> all = new HashSet<>();
        for (JsonNode p : List.of(p1, p2)) p.get("stateMachines").forEach(m -> all.add(m.get("name").asText()));
        assertEquals(7, all.size());
        Cli.Result missing = Cli.v2(acct, "stepfunctions", "describe-state-machine", "--state-machine-arn", arn + "x");
        assertEquals(254, missing.exitCode());
        assertTrue(missing.stderr().contains("StateMachineDoesNotExist"), missing.stderr());
        Cli.v2(acct, "stepfunctions", "delete-state-machine", "--state-machine-arn", arn).ok();
        JsonNode after = json.readTree(Cli.v2(acct, "stepfunctions", "list-state-machines").ok().stdout());
        List<String> names = new ArrayList<>();
        after.get("stateMachines").forEach(m -> names.add(m.get("name").asText()));
        assertFalse(names.contains("cli-machine"));
        assertEquals(6, names.size());
    }

    static List<String> names(List<StateMachineListItem> items) {
        return items.stream().map(StateMachineListItem::name).toList();
    }
}
