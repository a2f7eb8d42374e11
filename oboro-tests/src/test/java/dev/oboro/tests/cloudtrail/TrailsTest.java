package dev.oboro.tests.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.CreateTrailResponse;
import software.amazon.awssdk.services.cloudtrail.model.GetTrailStatusResponse;
import software.amazon.awssdk.services.cloudtrail.model.InvalidHomeRegionException;
import software.amazon.awssdk.services.cloudtrail.model.InvalidTrailNameException;
import software.amazon.awssdk.services.cloudtrail.model.ReadWriteType;
import software.amazon.awssdk.services.cloudtrail.model.Tag;
import software.amazon.awssdk.services.cloudtrail.model.Trail;
import software.amazon.awssdk.services.cloudtrail.model.TrailAlreadyExistsException;
import software.amazon.awssdk.services.cloudtrail.model.TrailNotFoundException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sts.StsClient;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrailsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();

    CloudTrailClient ct(String region) {
        return Oboro.client(CloudTrailClient.builder(), Oboro.credentials(account), region);
    }

    @Test
    void trailLifecycle() {
        try (CloudTrailClient ct = ct("us-east-1")) {
            CreateTrailResponse created = ct.createTrail(r -> r.name("main-trail").s3BucketName("audit-bucket").s3KeyPrefix("p")
                    .isMultiRegionTrail(true).enableLogFileValidation(true).tagsList(Tag.builder().key("k").value("v").build()));
            String arn = "arn:aws:cloudtrail:us-east-1:" + account + ":trail/main-trail";
            assertEquals(arn, created.trailARN());
            assertTrue(created.includeGlobalServiceEvents());
            assertTrue(created.logFileValidationEnabled());

            Trail t = ct.getTrail(r -> r.name("main-trail")).trail();
            assertEquals("audit-bucket", t.s3BucketName());
            assertEquals("us-east-1", t.homeRegion());
            assertTrue(t.isMultiRegionTrail());
            assertFalse(ct.getTrailStatus(r -> r.name("main-trail")).isLogging(), "a new trail does not log until started");

            ct.startLogging(r -> r.name(arn));
            GetTrailStatusResponse on = ct.getTrailStatus(r -> r.name("main-trail"));
            assertTrue(on.isLogging());
            assertNotNull(on.startLoggingTime());
            ct.stopLogging(r -> r.name("main-trail"));
            GetTrailStatusResponse off = ct.getTrailStatus(r -> r.name("main-trail"));
            assertFalse(off.isLogging());
            assertNotNull(off.stopLoggingTime());

            ct.updateTrail(r -> r.name("main-trail").s3BucketName("other-bucket").isMultiRegionTrail(false));
            assertEquals("other-bucket", ct.describeTrails(r -> r.trailNameList("main-trail")).trailList().get(0).s3BucketName());
            assertEquals(List.of("v"), ct.listTags(r -> r.resourceIdList(arn)).resourceTagList().get(0).tagsList().stream().map(Tag::value).toList());

            TrailAlreadyExistsException dup = assertThrows(TrailAlreadyExistsException.class,
                    () -> ct.createTrail(r -> r.name("main-trail").s3BucketName("b")));
            assertEquals("TrailAlreadyExistsException", dup.awsErrorDetails().errorCode());
            ct.deleteTrail(r -> r.name("main-trail"));
            TrailNotFoundException nf = assertThrows(TrailNotFoundException.class, () -> ct.getTrail(r -> r.name("main-trail")));
            assertEquals("Unknown trail: " + arn + " for the user: " + account, nf.awsErrorDetails().errorMessage());
            assertTrue(ct.describeTrails().trailList().isEmpty());
        }
    }

    @Test
    void trailNamesFollowAwsRules() {
        try (CloudTrailClient ct = ct("us-east-1")) {
            for (String bad : List.of("ab", "-abc", "abc-", "my--trail", "my trail", "192.168.5.4")) {
                InvalidTrailNameException e = assertThrows(InvalidTrailNameException.class,
                        () -> ct.createTrail(r -> r.name(bad).s3BucketName("b")), bad);
                assertEquals(400, e.statusCode());
            }
        }
    }

    @Test
    void multiRegionTrailsShowAsShadowTrailsElsewhereAndChangeOnlyAtHome() {
        try (CloudTrailClient east = ct("us-east-1"); CloudTrailClient west = ct("eu-west-1")) {
            east.createTrail(r -> r.name("everywhere").s3BucketName("b").isMultiRegionTrail(true));
            east.createTrail(r -> r.name("here-only").s3BucketName("b"));
            List<String> inWest = west.describeTrails().trailList().stream().map(Trail::name).toList();
            assertEquals(List.of("everywhere"), inWest);
            assertTrue(west.describeTrails(r -> r.includeShadowTrails(false)).trailList().isEmpty());
            assertEquals("us-east-1", west.getTrail(r -> r.name("everywhere")).trail().homeRegion());
            assertThrows(InvalidHomeRegionException.class, () -> west.startLogging(r -> r.name("everywhere")));
            assertEquals(2, west.listTrails(r -> { }).trails().size());
        }
    }

    @Test
    void aLoggingTrailDeliversEventsToItsLogGroup() throws Exception {
        String group = "CloudTrail/audit";
        try (CloudWatchLogsClient logs = Oboro.client(CloudWatchLogsClient.builder(), account);
             CloudTrailClient ct = ct("us-east-1");
             StsClient sts = Oboro.client(StsClient.builder(), account);
             Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account)) {
            logs.createLogGroup(r -> r.logGroupName(group));
            String groupArn = "arn:aws:logs:us-east-1:" + account + ":log-group:" + group + ":*";
            ct.createTrail(r -> r.name("to-logs").s3BucketName("b").cloudWatchLogsLogGroupArn(groupArn)
                    .cloudWatchLogsRoleArn("arn:aws:iam::" + account + ":role/CloudTrail_CloudWatchLogs_Role"));
            sts.getCallerIdentity(); // before logging starts: not delivered
            ct.startLogging(r -> r.name("to-logs"));
            ec2.describeRegions();
            ct.putEventSelectors(r -> r.trailName("to-logs").eventSelectors(b -> b.readWriteType(ReadWriteType.WRITE_ONLY).includeManagementEvents(true)));
            sts.getCallerIdentity(); // a read: no longer selected
            ct.lookupEvents(r -> r.maxResults(1)); // finishes recording what is queued

            String stream = account + "_CloudTrail_us-east-1";
            List<String> names = logs.getLogEvents(r -> r.logGroupName(group).logStreamName(stream).startFromHead(true)).events().stream()
                    .map(OutputLogEvent::message).map(TrailsTest::eventName).toList();
            assertEquals(List.of("StartLogging", "DescribeRegions", "PutEventSelectors"), names);
            assertNotNull(ct.getTrailStatus(r -> r.name("to-logs")).latestCloudWatchLogsDeliveryTime());
            assertEquals(ReadWriteType.WRITE_ONLY, ct.getEventSelectors(r -> r.trailName("to-logs")).eventSelectors().get(0).readWriteType());
        }
    }

    static String eventName(String json) {
        try {
            return JSON.readTree(json).get("eventName").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void cli() throws Exception {
        JsonNode created = JSON.readTree(Cli.v2(account, "cloudtrail", "create-trail", "--name", "cli-trail",
                "--s3-bucket-name", "bucket").ok().stdout());
        assertEquals("cli-trail", created.get("Name").asText());
        Cli.v2(account, "cloudtrail", "start-logging", "--name", "cli-trail").ok();
        JsonNode status = JSON.readTree(Cli.v2(account, "cloudtrail", "get-trail-status", "--name", "cli-trail").ok().stdout());
        assertTrue(status.get("IsLogging").asBoolean());
        JsonNode described = JSON.readTree(Cli.v2(account, "cloudtrail", "describe-trails").ok().stdout());
        assertEquals("cli-trail", described.get("trailList").get(0).get("Name").asText());
        Cli.Result missing = Cli.v2(account, "cloudtrail", "get-trail", "--name", "nope");
        assertEquals(254, missing.exitCode());
        assertTrue(missing.stderr().contains("TrailNotFoundException"), missing.stderr());
    }
}
