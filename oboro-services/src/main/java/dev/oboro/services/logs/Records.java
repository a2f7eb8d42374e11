package dev.oboro.services.logs;

import java.util.List;
import java.util.Map;

/** The persisted state of CloudWatch Logs. Times are epoch milliseconds, as the API gives them. */
final class Records {
    private Records() {
    }

    record Group(String name, long creationTime, Integer retentionInDays, String kmsKeyId, Map<String, String> tags,
                 String logGroupClass) {
        Group withRetention(Integer days) {
            return new Group(name, creationTime, days, kmsKeyId, tags, logGroupClass);
        }

        Group withKmsKeyId(String key) {
            return new Group(name, creationTime, retentionInDays, key, tags, logGroupClass);
        }

        Group withTags(Map<String, String> t) {
            return new Group(name, creationTime, retentionInDays, kmsKeyId, t, logGroupClass);
        }
    }

    record Stream(String group, String name, long creationTime, Long firstEventTimestamp, Long lastEventTimestamp,
                  Long lastIngestionTime, String uploadSequenceToken) {
    }

    /** One event; {@code seq} is unique in the service and orders events of the same millisecond by arrival. */
    record Event(long timestamp, long seq, long ingestionTime, String message) {
    }

    /** The events one PutLogEvents (or one in-process append) stored: one row per batch, not per event. */
    record Chunk(String group, String stream, List<Event> events) {
    }
}
