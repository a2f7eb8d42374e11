package dev.oboro.services.logs;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.RejectedLogEventsInfo;
import software.amazon.awssdk.services.cloudwatchlogs.model.SearchedLogStream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PutLogEvents, GetLogEvents and FilterLogEvents. The batch rules are those of
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html.
 */
final class LogEvents {
    static final long MAX_BATCH_BYTES = 1_048_576;
    static final long EVENT_OVERHEAD = 26;
    static final long MAX_EVENT_BYTES = 1_048_576 - EVENT_OVERHEAD;
    static final long TOO_NEW_MS = 2 * 3_600_000L;
    static final long TOO_OLD_MS = 14 * LogsState.DAY_MS;
    static final long SPAN_MS = LogsState.DAY_MS;
    static final int MAX_GET = 10_000;
    private static final Pattern TOKEN = Pattern.compile("([fb])/(\\d{20})(\\d{36})/s");

    private final LogsState state;

    LogEvents(LogsState state) {
        this.state = state;
    }

    // ------------------------------------------------------------------ PutLogEvents

    PutLogEventsResponse putLogEvents(Call call, PutLogEventsRequest req) {
        Scope scope = call.scope();
        Records.Group group = state.group(scope, req.logGroupName());
        state.stream(scope, req.logGroupName(), req.logStreamName());
        List<InputLogEvent> in = req.logEvents();
        long bytes = 0;
        for (int i = 0; i < in.size(); i++) {
            InputLogEvent e = in.get(i);
            if (i > 0 && e.timestamp() < in.get(i - 1).timestamp()) {
                throw new AwsException("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.");
            }
            long size = e.message().getBytes(StandardCharsets.UTF_8).length;
            if (size > MAX_EVENT_BYTES) {
                throw new AwsException("InvalidParameterException", "Log event too large: " + (size + EVENT_OVERHEAD)
                        + " bytes exceeds limit of " + MAX_BATCH_BYTES);
            }
            bytes += size + EVENT_OVERHEAD;
        }
        if (bytes > MAX_BATCH_BYTES) {
            throw new AwsException("InvalidParameterException", "Upload too large: " + bytes + " bytes exceeds limit of " + MAX_BATCH_BYTES);
        }
        if (in.get(in.size() - 1).timestamp() - in.get(0).timestamp() > SPAN_MS) {
            throw new AwsException("InvalidParameterException",
                    "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
        }
        long now = call.now().toEpochMilli();
        Accepted accepted = accept(group, in, now);
        Records.Stream s = state.store(scope, req.logGroupName(), req.logStreamName(), accepted.events(), now);
        PutLogEventsResponse.Builder out = PutLogEventsResponse.builder().nextSequenceToken(s.uploadSequenceToken());
        if (accepted.rejected() != null) out.rejectedLogEventsInfo(accepted.rejected());
        return out.build();
    }

    record Accepted(List<Records.Event> events, RejectedLogEventsInfo rejected) {
    }

    /**
     * Splits a chronological batch into the events kept and AWS's rejectedLogEventsInfo: events
     * more than 2 hours in the future are too new, more than 14 days old too old, and older than
     * the group's retention expired; the others are kept.
     */
    Accepted accept(Records.Group group, List<InputLogEvent> in, long now) {
        Integer tooNewStart = null, tooOldEnd = null, expiredEnd = null;
        List<Records.Event> keep = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            InputLogEvent e = in.get(i);
            long ts = e.timestamp();
            if (ts > now + TOO_NEW_MS) {
                if (tooNewStart == null) tooNewStart = i;
            } else if (group.retentionInDays() != null && ts < now - group.retentionInDays() * LogsState.DAY_MS) {
                expiredEnd = i;
            } else if (ts < now - TOO_OLD_MS) {
                tooOldEnd = i;
            } else {
                keep.add(new Records.Event(ts, state.nextSeq(), now, e.message()));
            }
        }
        RejectedLogEventsInfo rejected = tooNewStart == null && tooOldEnd == null && expiredEnd == null ? null
                : RejectedLogEventsInfo.builder().tooNewLogEventStartIndex(tooNewStart).tooOldLogEventEndIndex(tooOldEnd)
                .expiredLogEventEndIndex(expiredEnd).build();
        return new Accepted(keep, rejected);
    }

    // ------------------------------------------------------------------ GetLogEvents

    /**
     * Tokens are positions between events: {@code f/K/s} means "the events after K",
     * {@code b/K/s} "the events before K". A read that finds nothing more in its direction
     * answers the token it was given, as AWS does, so a poller can keep sending it.
     */
    GetLogEventsResponse getLogEvents(Call call, GetLogEventsRequest req) {
        String groupName = state.groupName(call, req.logGroupName(), req.logGroupIdentifier());
        state.group(call.scope(), groupName);
        state.stream(call.scope(), groupName, req.logStreamName());
        NavigableMap<LogsState.Key, Records.Event> all = state.events(call.scope(), groupName, req.logStreamName());
        NavigableMap<LogsState.Key, Records.Event> view = all;
        if (req.startTime() != null) view = view.tailMap(new LogsState.Key(req.startTime(), 0), true);
        if (req.endTime() != null) view = view.headMap(new LogsState.Key(req.endTime(), 0), false);
        int limit = req.limit() == null ? MAX_GET : req.limit();

        String token = req.nextToken();
        List<Records.Event> events;
        LogsState.Key emptyForward, emptyBackward;
        String sameForward = null, sameBackward = null;
        if (token != null) {
            Matcher m = TOKEN.matcher(token);
            if (!m.matches()) throw new AwsException("InvalidParameterException", "The specified nextToken is invalid.");
            LogsState.Key k = new LogsState.Key(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
            if (m.group(1).equals("f")) {
                events = first(view.tailMap(k, false), limit);
                sameForward = token;
                emptyForward = k;
                emptyBackward = k.next();
            } else {
                events = last(view.headMap(k, false), limit);
                sameBackward = token;
                emptyBackward = k;
                emptyForward = k.previous();
            }
        } else if (Boolean.TRUE.equals(req.startFromHead())) {
            events = first(view, limit);
            LogsState.Key start = new LogsState.Key(req.startTime() == null ? 0 : req.startTime(), 0);
            emptyForward = start;
            emptyBackward = start;
        } else {
            events = last(view, limit);
            LogsState.Key end = view.isEmpty() ? new LogsState.Key(req.startTime() == null ? 0 : req.startTime(), 0) : view.lastKey();
            emptyForward = end;
            emptyBackward = end.next();
        }
        List<OutputLogEvent> out = new ArrayList<>(events.size());
        for (Records.Event e : events) {
            out.add(OutputLogEvent.builder().timestamp(e.timestamp()).message(e.message()).ingestionTime(e.ingestionTime()).build());
        }
        String forward, backward;
        if (events.isEmpty()) {
            forward = sameForward != null ? sameForward : token("f", emptyForward);
            backward = sameBackward != null ? sameBackward : token("b", emptyBackward);
        } else {
            forward = token("f", LogsState.Key.of(events.get(events.size() - 1)));
            backward = token("b", LogsState.Key.of(events.get(0)));
        }
        return GetLogEventsResponse.builder().events(out).nextForwardToken(forward).nextBackwardToken(backward).build();
    }

    private static String token(String direction, LogsState.Key k) {
        return direction + "/" + k.digits() + "/s";
    }

    /** The first events up to {@code limit} and 1 MB, as one GetLogEvents response holds. */
    private static List<Records.Event> first(NavigableMap<LogsState.Key, Records.Event> m, int limit) {
        List<Records.Event> out = new ArrayList<>();
        long bytes = 0;
        for (Records.Event e : m.values()) {
            bytes += LogsState.StreamEvents.size(e) + EVENT_OVERHEAD;
            if (out.size() >= limit || (bytes > MAX_BATCH_BYTES && !out.isEmpty())) break;
            out.add(e);
        }
        return out;
    }

    private static List<Records.Event> last(NavigableMap<LogsState.Key, Records.Event> m, int limit) {
        List<Records.Event> out = new ArrayList<>();
        long bytes = 0;
        for (Records.Event e : m.descendingMap().values()) {
            bytes += LogsState.StreamEvents.size(e) + EVENT_OVERHEAD;
            if (out.size() >= limit || (bytes > MAX_BATCH_BYTES && !out.isEmpty())) break;
            out.add(e);
        }
        java.util.Collections.reverse(out);
        return out;
    }

    // ------------------------------------------------------------------ FilterLogEvents

    record Found(String stream, Records.Event event) {
        String key() {
            return LogsState.Key.of(event).digits();
        }
    }

    FilterLogEventsResponse filterLogEvents(Call call, FilterLogEventsRequest req) {
        String groupName = state.groupName(call, req.logGroupName(), req.logGroupIdentifier());
        if (req.hasLogStreamNames() && req.logStreamNamePrefix() != null) {
            throw new AwsException("InvalidParameterException", "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
        }
        if (req.startTime() != null && req.endTime() != null && req.startTime() > req.endTime()) {
            throw new AwsException("InvalidParameterException", "endTime must be greater than or equal to startTime.");
        }
        state.group(call.scope(), groupName);
        FilterPattern pattern = FilterPattern.parse(req.filterPattern());
        List<Records.Stream> streams = new ArrayList<>();
        for (Records.Stream s : state.streamsOf(call.scope(), groupName)) {
            if (req.hasLogStreamNames() && !req.logStreamNames().contains(s.name())) continue;
            if (req.logStreamNamePrefix() != null && !s.name().startsWith(req.logStreamNamePrefix())) continue;
            streams.add(s);
        }
        if (req.hasLogStreamNames() && streams.isEmpty()) {
            throw new AwsException("ResourceNotFoundException", "The specified log stream does not exist.");
        }
        List<Found> found = new ArrayList<>();
        for (Records.Stream s : streams) {
            NavigableMap<LogsState.Key, Records.Event> view = state.events(call.scope(), groupName, s.name());
            if (req.startTime() != null) view = view.tailMap(new LogsState.Key(req.startTime(), 0), true);
            if (req.endTime() != null) view = view.headMap(new LogsState.Key(req.endTime() + 1, 0), false);
            for (Records.Event e : view.values()) {
                if (pattern.matches(e.message())) found.add(new Found(s.name(), e));
            }
        }
        found.sort(Comparator.comparing(Found::key));
        FilterLogEventsResponse.Builder out = FilterLogEventsResponse.builder();
        Pagination.Page<Found> page = Pagination.page(call, req, found, Found::key, out, MAX_GET);
        List<FilteredLogEvent> events = new ArrayList<>(page.items().size());
        for (Found f : page.items()) {
            events.add(FilteredLogEvent.builder().logStreamName(f.stream()).timestamp(f.event().timestamp())
                    .message(f.event().message()).ingestionTime(f.event().ingestionTime()).eventId(f.key()).build());
        }
        List<SearchedLogStream> searched = streams.stream()
                .map(s -> SearchedLogStream.builder().logStreamName(s.name()).searchedCompletely(true).build()).toList();
        return out.events(events).searchedLogStreams(searched).build();
    }
}
