package dev.oboro.wire;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * An HTTP request as the wire layer sees it: header names are lower case; {@code path} is the raw
 * (still percent-encoded) path; {@code rawQuery} is the raw query string without '?'. A request whose
 * server chose to stream its body has it as {@code stream} (read as it arrives) and an empty {@code body}.
 */
public record WireRequest(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body, BodyStream stream) {

    public WireRequest(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        this(method, path, rawQuery, headers, body, null);
    }

    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public boolean isForm() {
        String ct = header("content-type");
        return ct != null && ct.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33);
    }

    /** Query parameters, and for a form-encoded POST the form fields too. */
    public NavigableMap<String, String> params() {
        NavigableMap<String, String> p = QueryCodec.parseForm(rawQuery);
        if (isForm() && body != null && body.length > 0) {
            p.putAll(QueryCodec.parseForm(new String(body, StandardCharsets.UTF_8)));
        }
        return p;
    }
}
