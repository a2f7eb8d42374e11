package dev.oboro.tests.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.services.logs.LogWriter;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OrderBy;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streams and events; holds the clock because the batch rules are relative to Oboro's now. */
@ResourceLock(Oboro.CLOCK)
class LogEventsTest {
    final String account = Oboro.newAccount();
    static final ObjectMapper JSON = new ObjectMapper();
    static final long HOUR = 3_600_000L, DAY = 24 * HOUR;

    CloudWatchLogsClient logs() {
        return Oboro.client(CloudWatchLogsClient.builder(), account);
    }

    static long now() {
        return Oboro.server().oboro().clock().millis();
    }

    static InputLogEvent ev(long ts, String msg) {
        return InputLogEvent.builder().timestamp(ts).message(msg).build();
    }

    void groupAndStream(CloudWatchLogsClient logs, String group, String stream) {
        logs.createLogGroup(r -> r.logGroupName(group));
        logs.createLogStream(r -> r.logGroupName(group).logStreamName(stream));
    }

    @Test
    void streamsCarryTheirEventTimesAndOrderByLastEventTime() {
        try (CloudWatchLogsClient logs = logs()) {
            logs.createLogGroup(r -> r.logGroupName("g"));
            for (String s : List.of("b", "a", "c")) logs.createLogStream(r -> r.logGroupName("g").logStreamName(s));
            ResourceAlreadyExistsException dup = assertThrows(ResourceAlreadyExistsException.class,
                    () -> logs.createLogStream(r -> r.logGroupName("g").logStreamName("a")));
            assertEquals("The specified log stream already exists", dup.awsErrorDetails().errorMessage());
            long t = now();
            logs.putLogEvents(r -> r.logGroupName("g").logStreamName("c").logEvents(ev(t - 3000, "c1")));
            logs.putLogEvents(r -> r.logGroupName("g").logStreamName("a").logEvents(ev(t - 2000, "a1"), ev(t - 1000, "a2")));
            logs.putLogEvents(r -> r.logGroupName("g").logStreamName("b").logEvents(ev(t - 5000, "b1")));

            List<LogStream> byName = logs.describeLogStreams(r -> r.logGroupName("g")).logStreams();
            assertEquals(List.of("a", "b", "c"), byName.stream().map(LogStream::logStreamName).toList());
            LogStream a = byName.get(0);
            assertEquals(t - 2000, a.firstEventTimestamp());
            assertEquals(t - 1000, a.lastEventTimestamp());
            assertTrue(a.lastIngestionTime() >= t - 1000);
            assertTrue(a.uploadSequenceToken() != null && !a.uploadSequenceToken().isEmpty());
            assertEquals("arn:aws:logs:us-east-1:" + account + ":log-group:g:log-stream:a", a.arn());

            List<String> latestFirst = new ArrayList<>();
            logs.describeLogStreamsPaginator(r -> r.logGroupName("g").orderBy(OrderBy.LAST_EVENT_TIME).descending(true).limit(1))
                    .logStreams().forEach(s -> latestFirst.add(s.logStreamName()));
            assertEquals(List.of("a", "c", "b"), latestFirst);
            List<String> byNameDesc = new ArrayList<>();
            logs.describeLogStreamsPaginator(r -> r.logGroupName("g").descending(true).limit(2))
                    .logStreams().forEach(s -> byNameDesc.add(s.logStreamName()));
            assertEquals(List.of("c", "b", "a"), byNameDesc);

            InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> logs.describeLogStreams(
                    r -> r.logGroupName("g").orderBy(OrderBy.LAST_EVENT_TIME).logStreamNamePrefix("a")));
            assertEquals("Cannot order by LastEventTime with a logStreamNamePrefix.", e.awsErrorDetails().errorMessage());
            ResourceNotFoundException nf = assertThrows(ResourceNotFoundException.class,
                    () -> logs.createLogStream(r -> r.logGroupName("absent").logStreamName("x")));
            assertEquals("The specified log group does not exist.", nf.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void putLogEventsBatchRules() {
        try (CloudWatchLogsClient logs = logs()) {
            groupAndStream(logs, "rules", "s");
            long t = now();
            InvalidParameterException order = assertThrows(InvalidParameterException.class, () -> logs.putLogEvents(
                    r -> r.logGroupName("rules").logStreamName("s").logEvents(ev(t, "b"), ev(t - 10, "a"))));
            assertEquals("Log events in a single PutLogEvents request must be in chronological order.", order.awsErrorDetails().errorMessage());
            InvalidParameterException span = assertThrows(InvalidParameterException.class, () -> logs.putLogEvents(
                    r -> r.logGroupName("rules").logStreamName("s").logEvents(ev(t - 25 * HOUR, "a"), ev(t, "b"))));
            assertEquals("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
                    span.awsErrorDetails().errorMessage());
            ResourceNotFoundException noStream = assertThrows(ResourceNotFoundException.class, () -> logs.putLogEvents(
                    r -> r.logGroupName("rules").logStreamName("nope").logEvents(ev(t, "a"))));
            assertEquals("The specified log stream does not exist.", noStream.awsErrorDetails().errorMessage());

            // too old (older than 14 days), kept, too new (more than 2 hours ahead): the valid ones are stored
            long old = t - 15 * DAY;
            PutLogEventsResponse r1 = logs.putLogEvents(r -> r.logGroupName("rules").logStreamName("s").logEvents(
                    ev(old, "old1"), ev(old + 1000, "old2")));
            assertEquals(1, r1.rejectedLogEventsInfo().tooOldLogEventEndIndex());
            PutLogEventsResponse r2 = logs.putLogEvents(r -> r.logGroupName("rules").logStreamName("s").logEvents(
                    ev(t, "ok"), ev(t + 3 * HOUR, "new1"), ev(t + 4 * HOUR, "new2")));
            assertEquals(1, r2.rejectedLogEventsInfo().tooNewLogEventStartIndex());
            assertNull(r2.rejectedLogEventsInfo().tooOldLogEventEndIndex());
            assertEquals(List.of("ok"), logs.getLogEvents(r -> r.logGroupName("rules").logStreamName("s").startFromHead(true))
                    .events().stream().map(OutputLogEvent::message).toList());

            // older than the group's retention: expired
            logs.putRetentionPolicy(r -> r.logGroupName("rules").retentionInDays(1));
            PutLogEventsResponse r3 = logs.putLogEvents(r -> r.logGroupName("rules").logStreamName("s").logEvents(
                    ev(t - 25 * HOUR, "expired1"), ev(t - 24 * HOUR - 60_000, "expired2"), ev(t - 23 * HOUR, "kept")));
            assertEquals(1, r3.rejectedLogEventsInfo().expiredLogEventEndIndex());
            assertNull(r3.rejectedLogEventsInfo().tooOldLogEventEndIndex());
        }
    }

    @Test
    void getLogEventsTokensWalkBothWaysAndRepeatAtTheEnd() {
        try (CloudWatchLogsClient logs = logs()) {
            groupAndStream(logs, "tok", "s");
            long t = now() - 10_000;
            List<InputLogEvent> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) batch.add(ev(t + i, "m" + i));
            logs.putLogEvents(r -> r.logGroupName("tok").logStreamName("s").logEvents(batch));

            GetLogEventsResponse head = logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s").startFromHead(true).limit(2));
            assertEquals(List.of("m0", "m1"), messages(head));
            assertTrue(head.nextForwardToken().startsWith("f/"), head.nextForwardToken());
            assertTrue(head.nextBackwardToken().startsWith("b/"), head.nextBackwardToken());
            GetLogEventsResponse next = logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s").nextToken(head.nextForwardToken()).limit(2));
            assertEquals(List.of("m2", "m3"), messages(next));
            GetLogEventsResponse last = logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s").nextToken(next.nextForwardToken()).limit(2));
            assertEquals(List.of("m4"), messages(last));
            GetLogEventsResponse end = logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s").nextToken(last.nextForwardToken()));
            assertTrue(end.events().isEmpty());
            assertEquals(last.nextForwardToken(), end.nextForwardToken(), "the same token back at the end of the stream");
            // a new event shows up on the same token
            logs.putLogEvents(r -> r.logGroupName("tok").logStreamName("s").logEvents(ev(t + 10, "m5")));
            assertEquals(List.of("m5"), messages(logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s").nextToken(end.nextForwardToken()))));

            GetLogEventsResponse back = logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s").nextToken(next.nextBackwardToken()));
            assertEquals(List.of("m0", "m1"), messages(back));
            GetLogEventsResponse start = logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s").nextToken(back.nextBackwardToken()));
            assertTrue(start.events().isEmpty());
            assertEquals(back.nextBackwardToken(), start.nextBackwardToken());

            // without startFromHead: the latest events
            assertEquals(List.of("m4", "m5"), messages(logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s").limit(2))));
            // time range: [startTime, endTime)
            assertEquals(List.of("m1", "m2"), messages(logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s")
                    .startFromHead(true).startTime(t + 1).endTime(t + 3))));
            InvalidParameterException bad = assertThrows(InvalidParameterException.class,
                    () -> logs.getLogEvents(r -> r.logGroupName("tok").logStreamName("s").nextToken("garbage")));
            assertEquals("InvalidParameterException", bad.awsErrorDetails().errorCode());
        }
    }

    static List<String> messages(GetLogEventsResponse r) {
        return r.events().stream().map(OutputLogEvent::message).toList();
    }

    List<String> filter(CloudWatchLogsClient logs, String group, String pattern) {
        List<String> out = new ArrayList<>();
        logs.filterLogEventsPaginator(r -> r.logGroupName(group).filterPattern(pattern)).events()
                .forEach(e -> out.add(e.message()));
        return out;
    }

    @Test
    void filterPatterns() {
        try (CloudWatchLogsClient logs = logs()) {
            groupAndStream(logs, "f", "s1");
            logs.createLogStream(r -> r.logGroupName("f").logStreamName("s2"));
            long t = now() - 60_000;
            logs.putLogEvents(r -> r.logGroupName("f").logStreamName("s1").logEvents(
                    ev(t, "ERROR disk full"),
                    ev(t + 1, "WARN slow request"),
                    ev(t + 2, "INFO user logged in"),
                    ev(t + 3, "{\"level\":\"ERROR\",\"latency\":250,\"user\":{\"id\":7},\"tags\":[\"a\",\"b\"]}"),
                    ev(t + 4, "{\"level\":\"INFO\",\"latency\":20,\"user\":{\"id\":8},\"ok\":true}")));
            logs.putLogEvents(r -> r.logGroupName("f").logStreamName("s2").logEvents(
                    ev(t + 5, "127.0.0.1 frank GET /index.html 200 1534"),
                    ev(t + 6, "10.0.0.2 alice POST /api 500 12"),
                    ev(t + 7, "ERROR timeout Exception")));

            String json1 = "{\"level\":\"ERROR\",\"latency\":250,\"user\":{\"id\":7},\"tags\":[\"a\",\"b\"]}";
            String json2 = "{\"level\":\"INFO\",\"latency\":20,\"user\":{\"id\":8},\"ok\":true}";
            // terms match anywhere in the message, JSON ones included
            assertEquals(List.of("ERROR disk full", json1, "ERROR timeout Exception"), filter(logs, "f", "ERROR"));
            assertEquals(List.of("ERROR disk full", json1), filter(logs, "f", "ERROR -Exception"));
            assertEquals(List.of("ERROR disk full", "WARN slow request", json1, "ERROR timeout Exception"), filter(logs, "f", "?ERROR ?WARN"));
            assertEquals(List.of("INFO user logged in"), filter(logs, "f", "\"logged in\""));
            assertEquals(List.of("ERROR disk full", "ERROR timeout Exception"), filter(logs, "f", "%ERROR (disk|timeout)%"));
            assertEquals(List.of(json1), filter(logs, "f", "{ $.level = \"ERROR\" }"));
            assertEquals(List.of(json2), filter(logs, "f", "{ $.level != \"ERROR\" }"));
            assertEquals(List.of(json1), filter(logs, "f", "{ $.latency > 100 }"));
            assertEquals(List.of(json2), filter(logs, "f", "{ $.latency < 100 && $.user.id = 8 }"));
            assertEquals(List.of(json1, json2), filter(logs, "f", "{ ($.latency > 200) || ($.ok IS TRUE) }"));
            assertEquals(List.of(json1), filter(logs, "f", "{ $.tags[1] = \"b\" }"));
            assertEquals(List.of(json1), filter(logs, "f", "{ $.level = \"ERR*\" }"));
            assertEquals(List.of(json1), filter(logs, "f", "{ $.ok NOT EXISTS }"));

            assertEquals(List.of("10.0.0.2 alice POST /api 500 12"), filter(logs, "f", "[ip, user, method, path, status=5*, size]"));
            assertEquals(List.of("127.0.0.1 frank GET /index.html 200 1534"), filter(logs, "f", "[..., status=200, size>1000]"));
            assertEquals(List.of("10.0.0.2 alice POST /api 500 12"), filter(logs, "f", "[ip, user=\"alice\", ...]"));

            InvalidParameterException bad = assertThrows(InvalidParameterException.class,
                    () -> logs.filterLogEvents(r -> r.logGroupName("f").filterPattern("{ $.level = }")));
            assertEquals("InvalidParameterException", bad.awsErrorDetails().errorCode());
        }
    }

    @Test
    void filterByStreamsTimeAndPages() throws Exception {
        try (CloudWatchLogsClient logs = logs()) {
            groupAndStream(logs, "p", "app-1");
            logs.createLogStream(r -> r.logGroupName("p").logStreamName("app-2"));
            logs.createLogStream(r -> r.logGroupName("p").logStreamName("web-1"));
            long t = now() - 60_000;
            for (String s : List.of("app-1", "app-2", "web-1")) {
                List<InputLogEvent> batch = new ArrayList<>();
                for (int i = 0; i < 4; i++) batch.add(ev(t + i * 10, s + " line " + i));
                logs.putLogEvents(r -> r.logGroupName("p").logStreamName(s).logEvents(batch));
            }
            var byPrefix = logs.filterLogEvents(r -> r.logGroupName("p").logStreamNamePrefix("app-"));
            assertEquals(8, byPrefix.events().size());
            assertEquals(2, byPrefix.searchedLogStreams().size());
            // interleaved by time across streams
            assertEquals(List.of("app-1 line 0", "app-2 line 0", "app-1 line 1"), byPrefix.events().subList(0, 3).stream()
                    .map(FilteredLogEvent::message).toList());
            var named = logs.filterLogEvents(r -> r.logGroupName("p").logStreamNames("web-1").startTime(t + 10).endTime(t + 20));
            assertEquals(List.of("web-1 line 1", "web-1 line 2"), named.events().stream().map(FilteredLogEvent::message).toList());
            assertEquals("web-1", named.events().get(0).logStreamName());
            assertEquals(56, named.events().get(0).eventId().length());
            assertThrows(InvalidParameterException.class, () -> logs.filterLogEvents(
                    r -> r.logGroupName("p").logStreamNames("web-1").logStreamNamePrefix("app")));

            var page1 = logs.filterLogEvents(r -> r.logGroupName("p").filterPattern("line").limit(5));
            assertEquals(5, page1.events().size());
            var page2 = logs.filterLogEvents(r -> r.logGroupName("p").filterPattern("line").limit(5).nextToken(page1.nextToken()));
            var page3 = logs.filterLogEvents(r -> r.logGroupName("p").filterPattern("line").limit(5).nextToken(page2.nextToken()));
            assertEquals(2, page3.events().size());
            assertNull(page3.nextToken());
            assertNotEquals(page1.nextToken(), page2.nextToken());
        }
        // CLI: --max-items/--starting-token
        JsonNode first = JSON.readTree(Cli.v2(account, "logs", "filter-log-events", "--log-group-name", "p",
                "--filter-pattern", "line", "--max-items", "7", "--page-size", "3").ok().stdout());
        assertEquals(7, first.get("events").size());
        JsonNode rest = JSON.readTree(Cli.v2(account, "logs", "filter-log-events", "--log-group-name", "p",
                "--filter-pattern", "line", "--starting-token", first.get("NextToken").asText()).ok().stdout());
        assertEquals(5, rest.get("events").size());
    }

    @Test
    void cliPutAndGet() throws Exception {
        Cli.v2(account, "logs", "create-log-group", "--log-group-name", "cli").ok();
        Cli.v2(account, "logs", "create-log-stream", "--log-group-name", "cli", "--log-stream-name", "s").ok();
        long t = now();
        Cli.v2(account, "logs", "put-log-events", "--log-group-name", "cli", "--log-stream-name", "s", "--log-events",
                "timestamp=" + t + ",message=hello", "timestamp=" + (t + 1) + ",message=world").ok();
        JsonNode out = JSON.readTree(Cli.v2(account, "logs", "get-log-events", "--log-group-name", "cli",
                "--log-stream-name", "s", "--start-from-head").ok().stdout());
        assertEquals(2, out.get("events").size());
        assertEquals("hello", out.get("events").get(0).get("message").asText());
        assertTrue(out.get("nextForwardToken").asText().startsWith("f/"));
    }

    @Test
    void logWriterCreatesGroupAndStreamForOtherServices() {
        var oboro = Oboro.server().oboro();
        Instant now = oboro.clock().instant();
        int kept = LogWriter.of(oboro).append(account, "us-east-1", "/aws/lambda/fn", "2024/01/01/[$LATEST]abc",
                List.of(new LogWriter.Event(now.minusMillis(2), "START RequestId: 1"), new LogWriter.Event(now.minusMillis(1), "END RequestId: 1")));
        assertEquals(2, kept);
        try (CloudWatchLogsClient logs = logs()) {
            assertEquals(List.of("START RequestId: 1", "END RequestId: 1"), messages(logs.getLogEvents(
                    r -> r.logGroupName("/aws/lambda/fn").logStreamName("2024/01/01/[$LATEST]abc").startFromHead(true))));
        }
    }
}
