package dev.oboro.services.xray;

import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import software.amazon.awssdk.services.xray.model.UnprocessedTraceSegment;

import java.time.Instant;
import java.util.List;

/**
 * The door Lambda and API Gateway use to send segments in-process when tracing is active: the same
 * checks and storage as {@code PutTraceSegments}, without a request.
 *
 * <pre>{@code
 * TraceWriter xray = TraceWriter.of(oboro);
 * String traceId = TraceWriter.newTraceId(call.now());
 * xray.put(account, region, List.of(segmentJson));
 * }</pre>
 */
public final class TraceWriter {
    private final TraceStore store;

    private TraceWriter(TraceStore store) {
        this.store = store;
    }

    public static TraceWriter of(Oboro oboro) {
        return new TraceWriter(TraceStore.of(oboro));
    }

    /** Stores segment documents (JSON text); returns the ones refused. */
    public List<UnprocessedTraceSegment> put(String account, String region, List<String> segmentDocuments) {
        return store.put(new Scope(account, region), segmentDocuments);
    }

    /** {@code 1-<epoch seconds in 8 hex digits>-<24 hex digits>}, as X-Ray trace ids are. */
    public static String newTraceId(Instant at) {
        return String.format("1-%08x-%s", at.getEpochSecond(), Ids.hex(24));
    }

    /** 16 hex digits, as segment ids are. */
    public static String newSegmentId() {
        return Ids.hex(16);
    }
}
