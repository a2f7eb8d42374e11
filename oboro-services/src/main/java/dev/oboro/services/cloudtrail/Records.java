package dev.oboro.services.cloudtrail;

import software.amazon.awssdk.services.cloudtrail.model.EventSelector;
import software.amazon.awssdk.services.cloudtrail.model.Trail;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** CloudTrail's persisted state. */
final class Records {
    private Records() {
    }

    /** A resource an event names: {@code AWS::IAM::Role} {@code my-role}. */
    record Resource(String type, String name) {
    }

    /** One recorded event: the lookup attributes and the event document ({@code CloudTrailEvent}). */
    record Event(String eventId, Instant eventTime, String eventName, String eventSource, String username,
                 String accessKeyId, boolean readOnly, List<Resource> resources, String json) {
    }

    /** A trail: its configuration as the API shows it, and its logging state. */
    record TrailState(Trail trail, boolean logging, Instant startLoggingTime, Instant stopLoggingTime,
                      Instant latestCloudWatchLogsDeliveryTime, String latestCloudWatchLogsDeliveryError,
                      Map<String, String> tags, List<EventSelector> eventSelectors) {
        TrailState withTrail(Trail t) {
            return new TrailState(t, logging, startLoggingTime, stopLoggingTime, latestCloudWatchLogsDeliveryTime,
                    latestCloudWatchLogsDeliveryError, tags, eventSelectors);
        }

        TrailState withLogging(boolean on, Instant at) {
            return new TrailState(trail, on, on ? at : startLoggingTime, on ? stopLoggingTime : at,
                    latestCloudWatchLogsDeliveryTime, latestCloudWatchLogsDeliveryError, tags, eventSelectors);
        }

        TrailState withDelivery(Instant at, String error) {
            return new TrailState(trail, logging, startLoggingTime, stopLoggingTime, error == null ? at : latestCloudWatchLogsDeliveryTime,
                    error, tags, eventSelectors);
        }

        TrailState withTags(Map<String, String> t) {
            return new TrailState(trail, logging, startLoggingTime, stopLoggingTime, latestCloudWatchLogsDeliveryTime,
                    latestCloudWatchLogsDeliveryError, t, eventSelectors);
        }

        TrailState withEventSelectors(List<EventSelector> s) {
            return new TrailState(trail, logging, startLoggingTime, stopLoggingTime, latestCloudWatchLogsDeliveryTime,
                    latestCloudWatchLogsDeliveryError, tags, s);
        }
    }
}
