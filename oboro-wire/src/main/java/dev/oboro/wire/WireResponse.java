package dev.oboro.wire;

import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response produced by a codec. */
public record WireResponse(int status, Map<String, String> headers, byte[] body) {
    public WireResponse {
        headers = headers == null ? new LinkedHashMap<>() : headers;
        body = body == null ? new byte[0] : body;
    }

    public static WireResponse of(int status, String contentType, byte[] body) {
        Map<String, String> h = new LinkedHashMap<>();
        if (contentType != null) h.put("Content-Type", contentType);
        return new WireResponse(status, h, body);
    }
}
