package dev.oboro.tests.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.CloudWatchLogsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroup;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogGroupsTest {
    final String account = Oboro.newAccount();
    static final ObjectMapper JSON = new ObjectMapper();

    CloudWatchLogsClient logs() {
        return Oboro.client(CloudWatchLogsClient.builder(), account);
    }

    @Test
    void createWithTagsAndKmsKeyThenDescribe() {
        try (CloudWatchLogsClient logs = logs()) {
            logs.createLogGroup(r -> r.logGroupName("/app/web").tags(Map.of("team", "a", "env", "dev"))
                    .kmsKeyId("arn:aws:kms:us-east-1:" + account + ":key/1234"));
            LogGroup g = logs.describeLogGroups(r -> r.logGroupNamePrefix("/app/web")).logGroups().get(0);
            assertEquals("/app/web", g.logGroupName());
            assertEquals("arn:aws:logs:us-east-1:" + account + ":log-group:/app/web:*", g.arn());
            assertEquals("arn:aws:logs:us-east-1:" + account + ":log-group:/app/web", g.logGroupArn());
            assertEquals("arn:aws:kms:us-east-1:" + account + ":key/1234", g.kmsKeyId());
            assertNull(g.retentionInDays());
            assertEquals("STANDARD", g.logGroupClassAsString());
            assertTrue(g.creationTime() > 0);
            assertEquals(Map.of("team", "a", "env", "dev"), logs.listTagsLogGroup(r -> r.logGroupName("/app/web")).tags());

            ResourceAlreadyExistsException dup = assertThrows(ResourceAlreadyExistsException.class,
                    () -> logs.createLogGroup(r -> r.logGroupName("/app/web")));
            assertEquals("The specified log group already exists", dup.awsErrorDetails().errorMessage());
            assertEquals(400, dup.statusCode());
        }
    }

    @Test
    void invalidNameIsRefusedAsAwsDoes() {
        try (CloudWatchLogsClient logs = logs()) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> logs.createLogGroup(r -> r.logGroupName("bad name:1")));
            assertEquals("1 validation error detected: Value 'bad name:1' at 'logGroupName' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", e.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void describeByPrefixPatternAndPages() {
        try (CloudWatchLogsClient logs = logs()) {
            for (int i = 0; i < 7; i++) {
                int n = i;
                logs.createLogGroup(r -> r.logGroupName("/svc/g" + n));
            }
            logs.createLogGroup(r -> r.logGroupName("/other/Gx"));
            assertEquals(7, logs.describeLogGroups(r -> r.logGroupNamePrefix("/svc/")).logGroups().size());
            // pattern: case-sensitive substring
            List<String> byPattern = logs.describeLogGroups(r -> r.logGroupNamePattern("G")).logGroups().stream()
                    .map(LogGroup::logGroupName).toList();
            assertEquals(List.of("/other/Gx"), byPattern);
            CloudWatchLogsException both = assertThrows(CloudWatchLogsException.class,
                    () -> logs.describeLogGroups(r -> r.logGroupNamePrefix("/svc").logGroupNamePattern("g")));
            assertEquals("InvalidParameterException", both.awsErrorDetails().errorCode());

            List<String> paged = new ArrayList<>();
            var first = logs.describeLogGroups(r -> r.logGroupNamePrefix("/svc/").limit(3));
            assertEquals(3, first.logGroups().size());
            logs.describeLogGroupsPaginator(r -> r.logGroupNamePrefix("/svc/").limit(3))
                    .logGroups().forEach(g -> paged.add(g.logGroupName()));
            assertEquals(List.of("/svc/g0", "/svc/g1", "/svc/g2", "/svc/g3", "/svc/g4", "/svc/g5", "/svc/g6"), paged);
        }
    }

    @Test
    void cliPaginatesDescribeLogGroups() throws Exception {
        try (CloudWatchLogsClient logs = logs()) {
            for (int i = 0; i < 5; i++) {
                int n = i;
                logs.createLogGroup(r -> r.logGroupName("cli-" + n));
            }
        }
        JsonNode page = JSON.readTree(Cli.v2(account, "logs", "describe-log-groups", "--log-group-name-prefix", "cli-",
                "--max-items", "2", "--page-size", "1").ok().stdout());
        assertEquals(2, page.get("logGroups").size());
        String token = page.get("NextToken").asText();
        JsonNode rest = JSON.readTree(Cli.v2(account, "logs", "describe-log-groups", "--log-group-name-prefix", "cli-",
                "--starting-token", token).ok().stdout());
        List<String> names = new ArrayList<>();
        rest.get("logGroups").forEach(g -> names.add(g.get("logGroupName").asText()));
        assertEquals(List.of("cli-2", "cli-3", "cli-4"), names);
    }

    @Test
    void retentionTakesOnlyTheAllowedValues() {
        try (CloudWatchLogsClient logs = logs()) {
            logs.createLogGroup(r -> r.logGroupName("ret"));
            logs.putRetentionPolicy(r -> r.logGroupName("ret").retentionInDays(14));
            assertEquals(14, logs.describeLogGroups(r -> r.logGroupNamePrefix("ret")).logGroups().get(0).retentionInDays());
            InvalidParameterException bad = assertThrows(InvalidParameterException.class,
                    () -> logs.putRetentionPolicy(r -> r.logGroupName("ret").retentionInDays(2)));
            assertTrue(bad.awsErrorDetails().errorMessage().startsWith(
                    "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set:"),
                    bad.awsErrorDetails().errorMessage());
            logs.deleteRetentionPolicy(r -> r.logGroupName("ret"));
            assertNull(logs.describeLogGroups(r -> r.logGroupNamePrefix("ret")).logGroups().get(0).retentionInDays());
            ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class,
                    () -> logs.putRetentionPolicy(r -> r.logGroupName("nope").retentionInDays(1)));
            assertEquals("The specified log group does not exist.", missing.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void tagsThroughArnAndThroughName() {
        try (CloudWatchLogsClient logs = logs()) {
            logs.createLogGroup(r -> r.logGroupName("tagged"));
            String arn = "arn:aws:logs:us-east-1:" + account + ":log-group:tagged";
            logs.tagResource(r -> r.resourceArn(arn).tags(Map.of("a", "1", "b", "2")));
            assertEquals(Map.of("a", "1", "b", "2"), logs.listTagsForResource(r -> r.resourceArn(arn)).tags());
            logs.untagResource(r -> r.resourceArn(arn).tagKeys("a"));
            logs.tagLogGroup(r -> r.logGroupName("tagged").tags(Map.of("c", "3")));
            assertEquals(Map.of("b", "2", "c", "3"), logs.listTagsForResource(r -> r.resourceArn(arn)).tags());
            logs.untagLogGroup(r -> r.logGroupName("tagged").tags("b", "c"));
            assertTrue(logs.listTagsLogGroup(r -> r.logGroupName("tagged")).tags().isEmpty());
            assertThrows(ResourceNotFoundException.class, () -> logs.listTagsForResource(
                    r -> r.resourceArn("arn:aws:logs:us-east-1:" + account + ":log-group:absent")));
        }
    }

    @Test
    void deleteRemovesTheGroupAndItsStreams() {
        try (CloudWatchLogsClient logs = logs()) {
            logs.createLogGroup(r -> r.logGroupName("gone"));
            logs.createLogStream(r -> r.logGroupName("gone").logStreamName("s"));
            logs.deleteLogGroup(r -> r.logGroupName("gone"));
            assertFalse(logs.describeLogGroups(r -> r.logGroupNamePrefix("gone")).logGroups().stream()
                    .anyMatch(g -> g.logGroupName().equals("gone")));
            ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class, () -> logs.deleteLogGroup(r -> r.logGroupName("gone")));
            assertEquals("The specified log group does not exist.", e.awsErrorDetails().errorMessage());
            logs.createLogGroup(r -> r.logGroupName("gone"));
            assertTrue(logs.describeLogStreams(r -> r.logGroupName("gone")).logStreams().isEmpty());
        }
    }

    @Test
    void cliCreatesAndDescribes() throws Exception {
        Cli.v2(account, "logs", "create-log-group", "--log-group-name", "from-cli", "--tags", "k=v").ok();
        JsonNode out = JSON.readTree(Cli.v2(account, "logs", "describe-log-groups", "--log-group-name-prefix", "from-cli").ok().stdout());
        assertEquals("from-cli", out.get("logGroups").get(0).get("logGroupName").asText());
        Cli.Result dup = Cli.v2(account, "logs", "create-log-group", "--log-group-name", "from-cli");
        assertEquals(254, dup.exitCode());
        assertTrue(dup.stderr().contains("ResourceAlreadyExistsException"), dup.stderr());
    }
}
