package dev.oboro.services.logs;

import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroupClass;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The door other services (Lambda, Batch, ECS, CloudTrail) use to write logs in-process, as AWS's
 * own services do: the group and stream are created when missing, and events go through the same
 * rules as {@code PutLogEvents} (too old, too new or expired events are dropped).
 *
 * <pre>{@code
 * LogWriter.of(oboro).append(account, region, "/aws/lambda/my-fn", "2024/01/01/[$LATEST]abc",
 *         List.of(new LogWriter.Event(call.now(), "START RequestId: ...")));
 * }</pre>
 */
public final class LogWriter {
    /** One log line and when it happened. */
    public record Event(Instant timestamp, String message) {
    }

    private final LogsState state;

    private LogWriter(LogsState state) {
        this.state = state;
    }

    /** The writer of that Oboro's CloudWatch Logs (loads the service if needed). */
    public static LogWriter of(Oboro oboro) {
        return new LogWriter(LogsState.of(oboro));
    }

    /** Appends events to a stream, creating the group and the stream if they do not exist; returns how many were kept. */
    public int append(String account, String region, String group, String stream, List<Event> events) {
        Scope scope = new Scope(account, region);
        long now = state.oboro.clock().millis();
        state.groups.putIfAbsent(scope, group, new Records.Group(group, now, null, null, new TreeMap<>(),
                LogGroupClass.STANDARD.toString()));
        state.streams.putIfAbsent(scope, LogsState.streamKey(group, stream),
                new Records.Stream(group, stream, now, null, null, null, null));
        if (events.isEmpty()) return 0;
        List<Event> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(Event::timestamp));
        List<InputLogEvent> in = new ArrayList<>(sorted.size());
        for (Event e : sorted) in.add(InputLogEvent.builder().timestamp(e.timestamp().toEpochMilli()).message(e.message()).build());
        Records.Group g = state.groups.get(scope, group);
        if (g == null) return 0; // deleted in between
        LogEvents.Accepted accepted = new LogEvents(state).accept(g, in, now);
        state.store(scope, group, stream, accepted.events(), now);
        return accepted.events().size();
    }
}
