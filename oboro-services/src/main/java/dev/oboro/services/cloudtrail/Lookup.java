package dev.oboro.services.cloudtrail;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.EventCategory;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttribute;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsRequest;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;
import software.amazon.awssdk.services.cloudtrail.model.Resource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code LookupEvents}: the event history of the caller's account and region, newest first
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 */
final class Lookup {
    private final Recorder recorder;

    Lookup(Recorder recorder) {
        this.recorder = recorder;
    }

    LookupEventsResponse lookupEvents(Call call, LookupEventsRequest req) {
        if (req.hasLookupAttributes() && req.lookupAttributes().size() > 1) {
            throw new AwsException("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.");
        }
        Instant end = req.endTime() == null ? call.now() : req.endTime();
        Instant start = req.startTime() == null ? call.now().minus(Recorder.HISTORY) : req.startTime();
        if (start.isAfter(end)) {
            throw new AwsException("InvalidTimeRangeException", "The start time must not be after the end time.");
        }
        LookupEventsResponse.Builder out = LookupEventsResponse.builder();
        if (req.eventCategory() == EventCategory.INSIGHT) return out.events(List.of()).build();
        Predicate<Records.Event> attribute = req.hasLookupAttributes() ? matcher(req.lookupAttributes().get(0)) : e -> true;

        recorder.flush();
        List<Map.Entry<String, Records.Event>> matching = new ArrayList<>();
        for (Map.Entry<String, Recorder.Recorded> e : recorder.history(call.scope()).entrySet()) {
            Instant at = e.getValue().at();
            if (at.isAfter(end)) continue;
            if (at.isBefore(start)) break; // newest first: the rest are older still
            Records.Event ev = e.getValue().event();
            if (attribute.test(ev)) matching.add(Map.entry(e.getKey(), ev));
        }
        Pagination.Page<Map.Entry<String, Records.Event>> page = Pagination.page(call, req, matching, Map.Entry::getKey, out, 50);
        List<Event> events = new ArrayList<>(page.items().size());
        for (Map.Entry<String, Records.Event> e : page.items()) events.add(toEvent(e.getValue()));
        return out.events(events).build();
    }

    private static Predicate<Records.Event> matcher(LookupAttribute a) {
        String v = a.attributeValue();
        if (a.attributeKey() == null || a.attributeKey() == LookupAttributeKey.UNKNOWN_TO_SDK_VERSION) {
            throw new AwsException("InvalidLookupAttributesException", "Unknown lookup attribute: " + a.attributeKeyAsString());
        }
        if (v == null || v.isEmpty()) {
            throw new AwsException("InvalidLookupAttributesException", "The attribute value must not be empty.");
        }
        return switch (a.attributeKey()) {
            case EVENT_ID -> e -> v.equals(e.eventId());
            case EVENT_NAME -> e -> v.equals(e.eventName());
            case READ_ONLY -> e -> v.equalsIgnoreCase(Boolean.toString(e.readOnly()));
            case USERNAME -> e -> v.equals(e.username());
            case RESOURCE_TYPE -> e -> e.resources().stream().anyMatch(r -> v.equals(r.type()));
            case RESOURCE_NAME -> e -> e.resources().stream().anyMatch(r -> v.equals(r.name()));
            case EVENT_SOURCE -> e -> v.equals(e.eventSource());
            case ACCESS_KEY_ID -> e -> v.equals(e.accessKeyId());
            default -> throw new AwsException("InvalidLookupAttributesException", "Unknown lookup attribute: " + a.attributeKeyAsString());
        };
    }

    private static Event toEvent(Records.Event e) {
        List<Resource> resources = e.resources().stream()
                .map(r -> Resource.builder().resourceType(r.type()).resourceName(r.name()).build()).toList();
        return Event.builder()
                .eventId(e.eventId())
                .eventName(e.eventName())
                .readOnly(Boolean.toString(e.readOnly()))
                .accessKeyId(e.accessKeyId())
                .eventTime(e.eventTime())
                .eventSource(e.eventSource())
                .username(e.username())
                .resources(resources)
                .cloudTrailEvent(e.json())
                .build();
    }
}
