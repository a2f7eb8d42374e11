package dev.oboro.core;

import dev.oboro.wire.WireRequest;
import dev.oboro.wire.WireResponse;

/**
 * An HTTP endpoint that is not an AWS API call: function URLs, API Gateway invoke URLs, instance
 * metadata. Checked before the AWS identification of a request.
 */
public interface RawRoute {
    /** The response, or null if this route does not serve the request. */
    WireResponse handle(WireRequest request, String sourceIp);
}
