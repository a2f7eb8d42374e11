package dev.oboro.wire;

import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;

import java.util.ArrayList;
import java.util.List;

/**
 * What a handler of an operation whose output is an event stream returns: the operation's SDK
 * response (its status and header members) and the SDK event objects of the stream, in order
 * (e.g. Lambda's {@code InvokeWithResponseStreamResponseEvent.payloadChunkBuilder()...build()}).
 * The wire layer frames the events ({@code application/vnd.amazon.eventstream}, {@link EventStreams}).
 * The events may also come from a {@link Source} while the operation runs: each is then framed and sent
 * as it comes (the HTTP response is chunked).
 *
 * <p>It is an {@link SdkPojo} only so that it travels where responses travel; it has no fields of
 * its own: look at {@link #response()}.
 */
public final class EventStreamResponse implements SdkPojo {
    /** Events as they happen. */
    @FunctionalInterface
    public interface Source {
        /** The next event, waiting for it; null after the last. */
        SdkPojo next() throws java.io.IOException;
    }

    private final SdkPojo response;
    private List<SdkPojo> events;
    private Source source;

    public EventStreamResponse(SdkPojo response, List<? extends SdkPojo> events) {
        this.response = response;
        this.events = List.copyOf(events);
    }

    /** A stream whose events come from {@code source} as they happen. */
    public EventStreamResponse(SdkPojo response, Source source) {
        this.response = response;
        this.source = source;
    }

    public SdkPojo response() {
        return response;
    }

    /** The events not yet known (null when they all are): the wire layer sends each as it comes. */
    public Source source() {
        return source;
    }

    /** Every event; for a stream from a {@link Source}, waits for its end (an in-process caller gets them all). */
    public synchronized List<SdkPojo> events() {
        if (events == null) {
            List<SdkPojo> all = new ArrayList<>();
            try {
                for (SdkPojo e = source.next(); e != null; e = source.next()) all.add(e);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            events = List.copyOf(all);
            source = null;
        }
        return events;
    }

    @Override
    public List<SdkField<?>> sdkFields() {
        return List.of();
    }
}
