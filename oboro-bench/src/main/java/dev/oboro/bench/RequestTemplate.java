package dev.oboro.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP/1.1 request the load generator sends over and over on a keep-alive connection.
 *
 * <p>The request is rendered to bytes once. A body may hold the placeholder {@value #SEQ}, replaced
 * by a number unique within the run on every send, for operations that need a fresh name or
 * idempotency token per call (CreateHostedZone's CallerReference, say); the Content-Length is
 * then computed per request.
 *
 * @param name   short name used in the report, e.g. {@code sts:GetCallerIdentity}
 * @param expect a string the first response body on each connection must contain (null: any 2xx)
 */
record RequestTemplate(String name, String method, String path, Map<String, String> headers, String body,
                       String expect) {

    static final String SEQ = "{{seq}}";

    /** Fixed credentials and date: Oboro does not verify signatures, it reads the credential scope. */
    private static final String AMZ_DATE = "20260101T000000Z";

    static String authorization(String signingName) {
        return "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/" + signingName
                + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000";
    }

    /** An operation of the {@code query} or {@code ec2} protocol: a form POST to {@code /}. */
    static RequestTemplate awsQuery(String signingName, String action, String version, String extraParams,
                                    String expect) {
        String body = "Action=" + action + "&Version=" + version
                + (extraParams == null || extraParams.isEmpty() ? "" : "&" + extraParams);
        return new RequestTemplate(signingName + ":" + action, "POST", "/", Map.of(
                "Content-Type", "application/x-www-form-urlencoded; charset=utf-8",
                "Authorization", authorization(signingName),
                "X-Amz-Date", AMZ_DATE), body, expect);
    }

    /** An operation of the {@code json} 1.0/1.1 protocol: a POST to {@code /} with X-Amz-Target. */
    static RequestTemplate awsJson(String signingName, String target, String jsonVersion, String body,
                                   String expect) {
        String op = target.substring(target.indexOf('.') + 1);
        return new RequestTemplate(signingName + ":" + op, "POST", "/", Map.of(
                "Content-Type", "application/x-amz-json-" + jsonVersion,
                "X-Amz-Target", target,
                "Authorization", authorization(signingName),
                "X-Amz-Date", AMZ_DATE), body, expect);
    }

    /** An operation of the {@code rest-json} or {@code rest-xml} protocol. */
    static RequestTemplate awsRest(String signingName, String operation, String method, String path,
                                   String contentType, String body, String expect) {
        Map<String, String> h = new LinkedHashMap<>();
        if (contentType != null) h.put("Content-Type", contentType);
        h.put("Authorization", authorization(signingName));
        h.put("X-Amz-Date", AMZ_DATE);
        return new RequestTemplate(signingName + ":" + operation, method, path, h, body, expect);
    }

    /** A plain GET, e.g. for health checks. */
    static RequestTemplate get(String name, String path, String expect) {
        return new RequestTemplate(name, "GET", path, Map.of(), null, expect);
    }

    /** Binds the template to a host header; the result renders the bytes to send. */
    Rendered render(String hostHeader) {
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostHeader).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("User-Agent: oboro-bench\r\n");
        if (body == null) return new Rendered((head + "\r\n").getBytes(StandardCharsets.UTF_8), null, null);
        if (!body.contains(SEQ)) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            head.append("Content-Length: ").append(b.length).append("\r\n\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[h.length + b.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(b, 0, all, h.length, b.length);
            return new Rendered(all, null, null);
        }
        List<String> parts = new ArrayList<>();
        int from = 0;
        for (int at; (at = body.indexOf(SEQ, from)) >= 0; from = at + SEQ.length()) parts.add(body.substring(from, at));
        parts.add(body.substring(from));
        return new Rendered(null, head.toString(), parts.toArray(String[]::new));
    }

    /** A template bound to a host: fixed bytes, or a head plus body parts around {{seq}}. */
    static final class Rendered {
        private final byte[] fixed;
        private final String head;
        private final String[] bodyParts;

        private Rendered(byte[] fixed, String head, String[] bodyParts) {
            this.fixed = fixed;
            this.head = head;
            this.bodyParts = bodyParts;
        }

        byte[] bytes(long seq) {
            if (fixed != null) return fixed;
            String s = Long.toString(seq);
            StringBuilder body = new StringBuilder(bodyParts[0]);
            for (int i = 1; i < bodyParts.length; i++) body.append(s).append(bodyParts[i]);
            byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
            return (head + "Content-Length: " + b.length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
        }
    }
}
