package dev.oboro.services.logs;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.CreateLogStreamRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.CreateLogStreamResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.DeleteLogStreamRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.DeleteLogStreamResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogStreamsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogStreamsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OrderBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/** Log streams: create, delete, describe (by name or by last event time, either direction). */
final class LogStreams {
    private final LogsState state;

    LogStreams(LogsState state) {
        this.state = state;
    }

    CreateLogStreamResponse createLogStream(Call call, CreateLogStreamRequest req) {
        LogsState.checkName("logStreamName", req.logStreamName(), LogsState.STREAM_NAME, "[^:*]*");
        state.group(call.scope(), req.logGroupName());
        Records.Stream s = new Records.Stream(req.logGroupName(), req.logStreamName(), call.now().toEpochMilli(),
                null, null, null, null);
        if (!state.streams.putIfAbsent(call.scope(), LogsState.streamKey(req.logGroupName(), req.logStreamName()), s)) {
            throw new AwsException("ResourceAlreadyExistsException", "The specified log stream already exists");
        }
        return CreateLogStreamResponse.builder().build();
    }

    DeleteLogStreamResponse deleteLogStream(Call call, DeleteLogStreamRequest req) {
        state.group(call.scope(), req.logGroupName());
        state.stream(call.scope(), req.logGroupName(), req.logStreamName());
        state.deleteStream(call.scope(), req.logGroupName(), req.logStreamName());
        return DeleteLogStreamResponse.builder().build();
    }

    DescribeLogStreamsResponse describeLogStreams(Call call, DescribeLogStreamsRequest req) {
        String group = state.groupName(call, req.logGroupName(), req.logGroupIdentifier());
        boolean byTime = req.orderBy() == OrderBy.LAST_EVENT_TIME;
        if (byTime && req.logStreamNamePrefix() != null) {
            throw new AwsException("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.");
        }
        state.group(call.scope(), group);
        boolean descending = Boolean.TRUE.equals(req.descending());
        List<Records.Stream> list = new ArrayList<>();
        for (Records.Stream s : state.streamsOf(call.scope(), group)) {
            if (req.logStreamNamePrefix() == null || s.name().startsWith(req.logStreamNamePrefix())) list.add(s);
        }
        // The pagination key must sort the way the list is ordered: descending orders use an
        // inverted key, so tokens stay stateless in both directions.
        Function<Records.Stream, String> ascendingKey = byTime
                ? s -> String.format("%020d", s.lastEventTimestamp() == null ? 0 : s.lastEventTimestamp()) + " " + s.name()
                : Records.Stream::name;
        Function<Records.Stream, String> key = descending ? s -> invert(ascendingKey.apply(s)) : ascendingKey;
        list.sort(Comparator.comparing(key));
        DescribeLogStreamsResponse.Builder out = DescribeLogStreamsResponse.builder();
        Pagination.Page<Records.Stream> page = Pagination.page(call, req, list, key, out);
        List<LogStream> streams = new ArrayList<>();
        for (Records.Stream s : page.items()) {
            streams.add(LogStream.builder()
                    .logStreamName(s.name())
                    .creationTime(s.creationTime())
                    .firstEventTimestamp(s.firstEventTimestamp())
                    .lastEventTimestamp(s.lastEventTimestamp())
                    .lastIngestionTime(s.lastIngestionTime())
                    .uploadSequenceToken(s.uploadSequenceToken())
                    .arn(LogsState.groupArn(call, group) + ":log-stream:" + s.name())
                    // AWS reports 0 for streams created after June 17, 2019 (the member is deprecated)
                    .storedBytes(0L)
                    .build());
        }
        return out.logStreams(streams).build();
    }

    /** A key that sorts in the reverse order of {@code s}: each char inverted, then a terminator above them all. */
    static String invert(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 1);
        for (int i = 0; i < s.length(); i++) sb.append((char) (0xFFFE - s.charAt(i)));
        return sb.append('\uFFFF').toString();
    }
}
