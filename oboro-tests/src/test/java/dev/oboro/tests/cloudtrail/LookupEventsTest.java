package dev.oboro.tests.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.InvalidLookupAttributesException;
import software.amazon.awssdk.services.cloudtrail.model.InvalidTimeRangeException;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttribute;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sts.StsClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every call through the gateway is in the caller's event history. */
class LookupEventsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    final String other = Oboro.newAccount();

    CloudTrailClient trail(String acct) {
        return Oboro.client(CloudTrailClient.builder(), acct);
    }

    static JsonNode doc(Event e) {
        try {
            return JSON.readTree(e.cloudTrailEvent());
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    static List<Event> lookup(CloudTrailClient ct, LookupAttributeKey key, String value) {
        return ct.lookupEvents(r -> r.lookupAttributes(LookupAttribute.builder().attributeKey(key).attributeValue(value).build())).events();
    }

    @Test
    void callsOfTwoAccountsAreEachInTheirOwnHistory() {
        try (StsClient sts = Oboro.client(StsClient.builder(), account); StsClient sts2 = Oboro.client(StsClient.builder(), other)) {
            sts.getCallerIdentity();
            sts2.getCallerIdentity();
            sts2.getCallerIdentity();
        }
        try (CloudTrailClient ct = trail(account); CloudTrailClient ct2 = trail(other)) {
            List<Event> mine = lookup(ct, LookupAttributeKey.EVENT_NAME, "GetCallerIdentity");
            assertEquals(1, mine.size());
            Event e = mine.get(0);
            assertEquals("sts.amazonaws.com", e.eventSource());
            assertEquals("true", e.readOnly());
            assertEquals("root", e.username());
            assertEquals(account, e.accessKeyId());
            JsonNode d = doc(e);
            assertEquals("Root", d.at("/userIdentity/type").asText());
            assertEquals("arn:aws:iam::" + account + ":root", d.at("/userIdentity/arn").asText());
            assertEquals(account, d.at("/userIdentity/accountId").asText());
            assertEquals(account, d.at("/userIdentity/principalId").asText());
            assertEquals(account, d.at("/userIdentity/accessKeyId").asText());
            assertEquals(account, d.get("recipientAccountId").asText());
            assertEquals("us-east-1", d.get("awsRegion").asText());
            assertEquals("GetCallerIdentity", d.get("eventName").asText());
            assertEquals("AwsApiCall", d.get("eventType").asText());
            assertTrue(d.get("readOnly").asBoolean());
            assertEquals(e.eventId(), d.get("eventID").asText());
            assertNotNull(d.get("requestID").asText());
            assertEquals("127.0.0.1", d.get("sourceIPAddress").asText());
            assertTrue(d.get("userAgent").asText().contains("aws-sdk-java"), d.get("userAgent").asText());
            assertTrue(d.get("requestParameters").isNull());

            assertEquals(2, lookup(ct2, LookupAttributeKey.EVENT_NAME, "GetCallerIdentity").size());
        }
    }

    @Test
    void failedCallsCarryTheErrorAndWritesTheirParameters() {
        try (CloudWatchLogsClient logs = Oboro.client(CloudWatchLogsClient.builder(), account)) {
            assertThrows(ResourceNotFoundException.class, () -> logs.deleteLogGroup(r -> r.logGroupName("never-made")));
            logs.createLogGroup(r -> r.logGroupName("audited").kmsKeyId("k1"));
        }
        try (CloudTrailClient ct = trail(account)) {
            Event failed = lookup(ct, LookupAttributeKey.EVENT_NAME, "DeleteLogGroup").get(0);
            JsonNode d = doc(failed);
            assertEquals("ResourceNotFoundException", d.get("errorCode").asText());
            assertEquals("The specified log group does not exist.", d.get("errorMessage").asText());
            assertEquals("logs.amazonaws.com", failed.eventSource());
            assertEquals("false", failed.readOnly());
            assertEquals("never-made", d.at("/requestParameters/logGroupName").asText());
            assertTrue(d.get("responseElements").isNull());

            Event created = lookup(ct, LookupAttributeKey.RESOURCE_NAME, "audited").get(0);
            assertEquals("CreateLogGroup", created.eventName());
            assertEquals("AWS::Logs::LogGroup", created.resources().get(0).resourceType());
            assertEquals("audited", created.resources().get(0).resourceName());
            JsonNode c = doc(created);
            assertFalse(c.has("errorCode"));
            assertEquals("k1", c.at("/requestParameters/kmsKeyId").asText());
            assertEquals(1, lookup(ct, LookupAttributeKey.RESOURCE_TYPE, "AWS::Logs::LogGroup").stream()
                    .filter(e -> e.eventName().equals("CreateLogGroup")).count());
        }
    }

    @Test
    void lookupAttributesTimeRangeAndPages() throws Exception {
        Instant before = Oboro.server().oboro().clock().instant();
        try (Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account)) {
            for (int i = 0; i < 7; i++) ec2.describeRegions();
        }
        try (CloudTrailClient ct = trail(account)) {
            List<Event> ec2 = lookup(ct, LookupAttributeKey.EVENT_SOURCE, "ec2.amazonaws.com");
            assertEquals(7, ec2.size());
            Event one = ec2.get(3);
            assertEquals(List.of(one.eventId()), lookup(ct, LookupAttributeKey.EVENT_ID, one.eventId()).stream().map(Event::eventId).toList());
            assertTrue(lookup(ct, LookupAttributeKey.READ_ONLY, "false").stream().noneMatch(e -> e.eventName().equals("DescribeRegions")));
            assertTrue(lookup(ct, LookupAttributeKey.READ_ONLY, "true").stream().anyMatch(e -> e.eventName().equals("DescribeRegions")));

            // newest first, paged
            List<String> ids = new ArrayList<>();
            LookupEventsResponse p1 = ct.lookupEvents(r -> r.maxResults(3).lookupAttributes(attr(LookupAttributeKey.EVENT_NAME, "DescribeRegions")));
            assertEquals(3, p1.events().size());
            assertNotNull(p1.nextToken());
            ct.lookupEventsPaginator(r -> r.maxResults(3).lookupAttributes(attr(LookupAttributeKey.EVENT_NAME, "DescribeRegions")))
                    .events().forEach(e -> ids.add(e.eventId()));
            assertEquals(ec2.stream().map(Event::eventId).toList(), ids);
            for (int i = 1; i < ec2.size(); i++) assertFalse(ec2.get(i).eventTime().isAfter(ec2.get(i - 1).eventTime()));

            // time range
            Instant after = Oboro.server().oboro().clock().instant().plusSeconds(1);
            assertEquals(7, ct.lookupEvents(r -> r.startTime(before.minusSeconds(1)).endTime(after)
                    .lookupAttributes(attr(LookupAttributeKey.EVENT_NAME, "DescribeRegions"))).events().size());
            assertEquals(0, ct.lookupEvents(r -> r.startTime(after).endTime(after.plusSeconds(60))
                    .lookupAttributes(attr(LookupAttributeKey.EVENT_NAME, "DescribeRegions"))).events().size());

            assertThrows(InvalidLookupAttributesException.class, () -> ct.lookupEvents(r -> r.lookupAttributes(
                    attr(LookupAttributeKey.EVENT_NAME, "A"), attr(LookupAttributeKey.USERNAME, "B"))));
            assertThrows(InvalidTimeRangeException.class, () -> ct.lookupEvents(r -> r.startTime(after).endTime(before)));
        }
        // CLI: pagination across pages of the one history
        JsonNode first = JSON.readTree(Cli.v2(account, "cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=EventName,AttributeValue=DescribeRegions", "--max-items", "4", "--page-size", "2").ok().stdout());
        assertEquals(4, first.get("Events").size());
        JsonNode rest = JSON.readTree(Cli.v2(account, "cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=EventName,AttributeValue=DescribeRegions", "--starting-token", first.get("NextToken").asText()).ok().stdout());
        assertEquals(3, rest.get("Events").size());
    }

    @Test
    void lookupEventsIsItselfRecordedAsARead() {
        try (CloudTrailClient ct = trail(other)) {
            ct.lookupEvents(r -> r.maxResults(1));
            List<Event> lookups = lookup(ct, LookupAttributeKey.EVENT_NAME, "LookupEvents");
            assertFalse(lookups.isEmpty());
            assertEquals("cloudtrail.amazonaws.com", lookups.get(0).eventSource());
            assertEquals("true", lookups.get(0).readOnly());
        }
    }

    static LookupAttribute attr(LookupAttributeKey k, String v) {
        return LookupAttribute.builder().attributeKey(k).attributeValue(v).build();
    }
}
