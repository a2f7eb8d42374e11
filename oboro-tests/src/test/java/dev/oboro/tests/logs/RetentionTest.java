package dev.oboro.tests.logs;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Retention deletes events as Oboro's clock passes: a daily sweep. */
@ResourceLock(Oboro.CLOCK)
class RetentionTest {
    final String account = Oboro.newAccount();

    @Test
    void eventsOlderThanTheRetentionAreDeletedAsTheClockPasses() {
        try (CloudWatchLogsClient logs = Oboro.client(CloudWatchLogsClient.builder(), account)) {
            for (String g : List.of("short", "forever")) {
                logs.createLogGroup(r -> r.logGroupName(g));
                logs.createLogStream(r -> r.logGroupName(g).logStreamName("s"));
            }
            logs.putRetentionPolicy(r -> r.logGroupName("short").retentionInDays(1));
            long t = Oboro.server().oboro().clock().millis();
            for (String g : List.of("short", "forever")) {
                logs.putLogEvents(r -> r.logGroupName(g).logStreamName("s").logEvents(
                        InputLogEvent.builder().timestamp(t - 1000).message("old").build(),
                        InputLogEvent.builder().timestamp(t).message("new").build()));
            }
            assertEquals(List.of("old", "new"), messages(logs, "short"));

            Oboro.advance(Duration.ofHours(12));
            assertEquals(List.of("old", "new"), messages(logs, "short"), "still within the day of retention");

            // after the retention has passed and a sweep has run
            Oboro.advance(Duration.ofDays(2));
            assertEquals(List.of(), messages(logs, "short"));
            assertEquals(0L, logs.describeLogGroups(r -> r.logGroupNamePrefix("short")).logGroups().get(0).storedBytes());
            assertEquals(List.of("old", "new"), messages(logs, "forever"), "no retention: kept");

            // the stream itself stays
            assertEquals(1, logs.describeLogStreams(r -> r.logGroupName("short")).logStreams().size());
        }
    }

    static List<String> messages(CloudWatchLogsClient logs, String group) {
        return logs.getLogEvents(r -> r.logGroupName(group).logStreamName("s").startFromHead(true))
                .events().stream().map(OutputLogEvent::message).toList();
    }
}
