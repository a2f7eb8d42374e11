package dev.oboro.wire;

import java.io.IOException;
import java.util.Map;

/**
 * An HTTP body that comes or goes in pieces while it is produced: a request body read as it arrives
 * (a Lambda runtime's streamed response), or a response body sent as it is made (a streamed
 * invocation). The thread that handles the request pulls the pieces one at a time.
 */
@FunctionalInterface
public interface BodyStream {
    /**
     * The next piece, waiting for it; null at the end.
     *
     * @throws IOException when the body broke off (its connection closed, or the wait was interrupted)
     */
    byte[] next() throws IOException;

    /** A request body's trailer fields (names in lower case), once {@link #next()} has returned null; none for a response. */
    default Map<String, String> trailers() {
        return Map.of();
    }
}
