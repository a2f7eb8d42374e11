package dev.oboro.wire;

import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;

import java.util.List;

/**
 * What a handler of an operation whose output is an event stream returns: the operation's SDK
 * response (its status and header members) and the SDK event objects of the stream, in order
 * (e.g. Lambda's {@code InvokeWithResponseStreamResponseEvent.payloadChunkBuilder()...build()}).
 * The wire layer frames the events ({@code application/vnd.amazon.eventstream}, {@link EventStreams}).
 *
 * <p>It is an {@link SdkPojo} only so that it travels where responses travel; it has no fields of
 * its own: look at {@link #response()}.
 */
public final class EventStreamResponse implements SdkPojo {
    private final SdkPojo response;
    private final List<SdkPojo> events;

    public EventStreamResponse(SdkPojo response, List<? extends SdkPojo> events) {
        this.response = response;
        this.events = List.copyOf(events);
    }

    public SdkPojo response() {
        return response;
    }

    public List<SdkPojo> events() {
        return events;
    }

    @Override
    public List<SdkField<?>> sdkFields() {
        return List.of();
    }
}
