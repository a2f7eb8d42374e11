package dev.oboro.wire;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP response produced by a codec. With a {@code stream}, the body is sent as it is made
 * (HTTP chunked transfer, each piece as it comes) and {@code body} is ignored.
 */
public record WireResponse(int status, Map<String, String> headers, byte[] body, BodyStream stream) {
    public WireResponse {
        headers = headers == null ? new LinkedHashMap<>() : headers;
        body = body == null ? new byte[0] : body;
    }

    public WireResponse(int status, Map<String, String> headers, byte[] body) {
        this(status, headers, body, null);
    }

    /** A response whose body is sent piece by piece as {@code stream} yields them. */
    public static WireResponse streamed(int status, Map<String, String> headers, BodyStream stream) {
        return new WireResponse(status, headers, null, stream);
    }

    public static WireResponse of(int status, String contentType, byte[] body) {
        Map<String, String> h = new LinkedHashMap<>();
        if (contentType != null) h.put("Content-Type", contentType);
        return new WireResponse(status, h, body);
    }
}
