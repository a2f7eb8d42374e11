package dev.oboro.services.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Credential;
import dev.oboro.core.Identities;
import dev.oboro.core.Identity;
import dev.oboro.services.iam.Permissions;
import dev.oboro.core.Ids;
import dev.oboro.core.RawRoute;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import dev.oboro.wire.WireRequest;
import dev.oboro.wire.WireResponse;
import software.amazon.awssdk.services.lambda.model.Cors;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.FunctionUrlConfig;
import software.amazon.awssdk.services.lambda.model.InvokeMode;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers function URLs on Oboro's port: by host ({@code <url-id>.lambda-url.<region>.localhost[:port]},
 * which resolves to the loopback address in most resolvers) or, without DNS, by path
 * ({@code /_oboro/lambda-url/<url-id>/<path>}). The function gets the function URL event (payload
 * format 2.0) and its response is read as Lambda reads it; with {@code InvokeMode RESPONSE_STREAM}, a
 * streamed response is answered from its prelude (as soon as it is complete) and its body, passed on
 * piece by piece while the function writes it.
 *
 * <p>Access as in Lambda: with {@code AWS_IAM} the request must carry a SigV4 {@code Authorization}
 * (or presigned query) with an access key Oboro knows; a caller of the function's account must be
 * allowed {@code lambda:InvokeFunctionUrl} on the function by its identity policies (IAM's
 * {@link Permissions} door; the root always is) or by the function's resource policy; a caller from
 * another account needs both: its identity policies and a resource-policy statement allowing it
 * {@code lambda:InvokeFunctionUrl} and {@code lambda:InvokeFunction}. An explicit Deny in its
 * identity policies refuses it in any case. With {@code NONE} the function's resource policy must allow {@code "*"}
 * both actions (function URLs created since October 2025 need both), as {@code AddPermission}
 * with {@code FunctionUrlAuthType NONE} and with {@code InvokedViaFunctionUrl} writes them.
 * Signatures are not verified (as everywhere in Oboro).
 */
final class UrlEndpoint implements RawRoute {
    /**
     * The body's message of a refused request as function URLs answer it since 2026 (quoted in
     * brikis98/devops-book#9 and ant-media/Ant-Media-Server#7827; before, it was just "Forbidden").
     */
    static final String FORBIDDEN = "Forbidden. For troubleshooting Function URL authorization issues, see: "
            + "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PATH_PREFIX = "/_oboro/lambda-url/";
    private static final Pattern HOST = Pattern.compile("([a-z0-9]+)\\.lambda-url\\.([a-z0-9-]+)\\.localhost(?::\\d+)?\\.?",
            Pattern.CASE_INSENSITIVE);
    private static final DateTimeFormatter EVENT_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private final LambdaState state;
    private final FunctionUrls urls;
    private final Invocations invocations;

    UrlEndpoint(LambdaState state, FunctionUrls urls, Invocations invocations) {
        this.state = state;
        this.urls = urls;
        this.invocations = invocations;
    }

    @Override
    public WireResponse handle(WireRequest req, String sourceIp) {
        String urlId;
        String path;
        String host = req.header("host");
        Matcher m = host == null ? null : HOST.matcher(host);
        if (m != null && m.matches()) {
            urlId = m.group(1).toLowerCase(Locale.ROOT);
            path = req.path();
        } else if (req.path().startsWith(PATH_PREFIX)) {
            String rest = req.path().substring(PATH_PREFIX.length());
            int slash = rest.indexOf('/');
            urlId = slash < 0 ? rest : rest.substring(0, slash);
            path = slash < 0 ? "/" : rest.substring(slash);
        } else {
            return null;
        }
        LambdaState.FunctionUrl u = urls.byUrlId(urlId);
        if (u == null) return message(404, "Not Found", null);
        FunctionUrlConfig c = u.configuration();
        Scope scope = FunctionUrls.scopeOf(u);
        String requestId = Ids.uuid();
        Cors cors = c.cors();
        String origin = req.header("origin");
        if (cors != null && req.method().equals("OPTIONS") && origin != null && req.header("access-control-request-method") != null) {
            return preflight(cors, origin, req.header("access-control-request-method"), requestId);
        }
        Identity caller;
        try {
            caller = authorize(req, u, scope);
        } catch (AwsException e) {
            return withCors(message(403, e.getMessage(), requestId), cors, origin);
        }
        byte[] event = event(req, sourceIp, path, urlId, host == null ? urls.url(urlId, scope.region()) : host, scope, caller, requestId, c);
        LambdaState.Ref ref = new LambdaState.Ref(scope.account(), scope.region(), u.function(), u.qualifier());
        Invocations.Execution ex;
        try {
            Invocations.Target t = invocations.resolve(ref, state.oboro.clock().instant());
            Instant at = state.oboro.clock().instant();
            if (t.function().pending(at) || t.function().failed(at)) return withCors(message(503, "Service Unavailable", requestId), cors, origin);
            if (c.invokeMode() == InvokeMode.RESPONSE_STREAM) {
                Invocations.Live live = invocations.executeLive(t, event, requestId, null, null);
                WireResponse streaming;
                try {
                    streaming = live.finished() ? null : streaming(live, requestId);
                } catch (IOException e) {
                    return withCors(message(502, "Internal Server Error", requestId), cors, origin);
                }
                if (streaming != null) return withCors(streaming, cors, origin);
                ex = live.execution();
            } else {
                ex = invocations.execute(t, event, requestId, null);
            }
        } catch (AwsException e) {
            return withCors(message(e.status() == 0 ? 500 : e.status(), e.getMessage(), requestId), cors, origin);
        }
        if (ex.throttled()) return withCors(message(429, "Rate Exceeded.", requestId), cors, origin);
        if (ex.error()) return withCors(message(502, "Internal Server Error", requestId), cors, origin);
        if (c.invokeMode() == InvokeMode.RESPONSE_STREAM && ex.streamed()) {
            return withCors(streamed(ex.payload(), ex.streamContentType(), requestId), cors, origin);
        }
        return withCors(response(ex.payload(), requestId), cors, origin);
    }

    // ------------------------------------------------------------------ access

    private Identity authorize(WireRequest req, LambdaState.FunctionUrl u, Scope scope) {
        FunctionUrlAuthType type = u.configuration().authType();
        AwsException forbidden = new AwsException("AccessDeniedException", FORBIDDEN, 403);
        Identity caller = null;
        if (type == FunctionUrlAuthType.AWS_IAM) {
            Credential cred = Credential.of(req);
            if (cred == null || cred.accessKeyId() == null || cred.accessKeyId().isEmpty()) throw forbidden;
            try {
                caller = state.oboro.identities().resolve(cred.accessKeyId());
            } catch (Identities.InvalidAccessKey e) {
                throw new AwsException("UnrecognizedClientException", "The security token included in the request is invalid.", 403);
            }
            String key = cred.accessKeyId();
            if ((key.startsWith("AKIA") || key.startsWith("ASIA")) && "Root".equals(caller.type())) {
                throw new AwsException("UnrecognizedClientException", "The security token included in the request is invalid.", 403);
            }
            if (caller.expiresAt() != null && state.oboro.clock().instant().isAfter(caller.expiresAt())) {
                throw new AwsException("ExpiredTokenException", "The security token included in the request is expired", 403);
            }
        }
        List<JsonNode> statements = statements(scope, u);
        if (caller != null) {
            // IAM auth: the caller's identity policies, then the function's resource policy (either suffices in its own
            // account; another account's caller needs both); an explicit Deny in its identity policies always refuses
            Permissions.Decision identity = identityDecision(caller, u, scope);
            if (identity == Permissions.Decision.EXPLICIT_DENY) throw forbidden;
            boolean sameAccount = caller.account().equals(scope.account());
            if (sameAccount && identity == Permissions.Decision.ALLOWED) return caller;
            if (!sameAccount && identity != Permissions.Decision.ALLOWED) throw forbidden;
        }
        if (!allowed(statements, "lambda:InvokeFunctionUrl", caller, type) || !allowed(statements, "lambda:InvokeFunction", caller, type)) {
            throw forbidden;
        }
        return caller;
    }

    /** What the caller's identity policies say of {@code lambda:InvokeFunctionUrl} on the function (the root may do anything). */
    private Permissions.Decision identityDecision(Identity caller, LambdaState.FunctionUrl u, Scope scope) {
        if ("Root".equals(caller.type())) return Permissions.Decision.ALLOWED;
        if (!state.oboro.services().has("iam")) return Permissions.Decision.IMPLICIT_DENY;
        String arn = "arn:aws:lambda:" + scope.region() + ":" + scope.account() + ":function:" + u.function()
                + (u.qualifier() == null ? "" : ":" + u.qualifier());
        return Permissions.of(state.oboro).evaluate(caller.arn(), "lambda:InvokeFunctionUrl", arn,
                Map.of("lambda:FunctionUrlAuthType", List.of(FunctionUrlAuthType.AWS_IAM.toString()))).decision();
    }

    private List<JsonNode> statements(Scope scope, LambdaState.FunctionUrl u) {
        List<JsonNode> out = new ArrayList<>();
        String prefix = u.function() + "/" + (u.qualifier() == null ? "" : u.qualifier()) + "/";
        for (LambdaState.PolicyStatement s : LambdaState.prefixed(state.policies, scope, prefix)) {
            try {
                out.add(JSON.readTree(s.json()));
            } catch (IOException e) {
                // not a statement
            }
        }
        return out;
    }

    /** Whether a statement allows the action to the caller (null: anonymous) through a function URL of this auth type. */
    private static boolean allowed(List<JsonNode> statements, String action, Identity caller, FunctionUrlAuthType type) {
        for (JsonNode s : statements) {
            if (!"Allow".equals(s.path("Effect").asText())) continue;
            if (!matches(s.path("Action"), a -> a.equalsIgnoreCase(action) || a.equals("lambda:*") || a.equals("*"))) continue;
            if (!principalMatches(s.path("Principal"), caller)) continue;
            if (conditionsHold(s.path("Condition"), type)) return true;
        }
        return false;
    }

    private static boolean principalMatches(JsonNode p, Identity caller) {
        if (p.isTextual()) return p.asText().equals("*");
        JsonNode aws = p.path("AWS");
        return matches(aws, v -> v.equals("*") || (caller != null && (v.equals(caller.account())
                || v.equals("arn:aws:iam::" + caller.account() + ":root") || v.equals(caller.arn())
                || (caller.sourceArn() != null && v.equals(caller.sourceArn())))));
    }

    /** The condition keys Lambda writes into its statements, evaluated for a function URL request; any other key does not hold. */
    private static boolean conditionsHold(JsonNode condition, FunctionUrlAuthType type) {
        if (condition.isMissingNode() || condition.isNull()) return true;
        for (Map.Entry<String, JsonNode> op : condition.properties()) {
            for (Map.Entry<String, JsonNode> k : op.getValue().properties()) {
                String key = k.getKey().toLowerCase(Locale.ROOT);
                String value = k.getValue().isArray() && !k.getValue().isEmpty() ? k.getValue().get(0).asText() : k.getValue().asText();
                boolean holds = switch (key) {
                    case "lambda:functionurlauthtype" -> value.equals(type.toString());
                    case "lambda:invokedviafunctionurl" -> value.equalsIgnoreCase("true");
                    default -> false;
                };
                if (!holds) return false;
            }
        }
        return true;
    }

    private static boolean matches(JsonNode n, Predicate<String> p) {
        if (n.isTextual()) return p.test(n.asText());
        if (n.isArray()) for (JsonNode e : n) if (e.isTextual() && p.test(e.asText())) return true;
        return false;
    }

    // ------------------------------------------------------------------ event and response

    private byte[] event(WireRequest req, String sourceIp, String path, String urlId, String host, Scope scope, Identity caller,
                         String requestId, FunctionUrlConfig c) {
        Instant now = state.oboro.clock().instant();
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("version", "2.0");
        e.put("routeKey", "$default");
        e.put("rawPath", path);
        e.put("rawQueryString", req.rawQuery() == null ? "" : req.rawQuery());
        List<String> cookies = new ArrayList<>();
        ObjectNode headers = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, List<String>> h : req.headers().entrySet()) {
            if (h.getKey().equals("cookie")) {
                for (String v : h.getValue()) for (String part : v.split(";")) if (!part.isBlank()) cookies.add(part.trim());
                continue;
            }
            headers.put(h.getKey(), String.join(",", h.getValue()));
        }
        if (!cookies.isEmpty()) cookies.forEach(e.putArray("cookies")::add);
        e.set("headers", headers);
        if (req.rawQuery() != null && !req.rawQuery().isEmpty()) {
            Map<String, List<String>> q = new LinkedHashMap<>();
            for (String pair : req.rawQuery().split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
            ObjectNode qs = e.putObject("queryStringParameters");
            q.forEach((k, v) -> qs.put(k, String.join(",", v)));
        }
        ObjectNode rc = e.putObject("requestContext");
        rc.put("accountId", caller == null ? "anonymous" : caller.account());
        rc.put("apiId", urlId);
        if (caller != null) {
            ObjectNode iam = rc.putObject("authorizer").putObject("iam");
            iam.put("accessKey", caller.accessKeyId());
            iam.put("accountId", caller.account());
            iam.put("callerId", caller.principalId());
            iam.putNull("cognitoIdentity");
            iam.put("principalOrgId", (String) null);
            iam.put("userArn", caller.arn());
            iam.put("userId", caller.principalId());
        }
        String domain = host.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        rc.put("domainName", domain);
        rc.put("domainPrefix", urlId);
        ObjectNode http = rc.putObject("http");
        http.put("method", req.method());
        http.put("path", path);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", sourceIp == null ? "127.0.0.1" : sourceIp);
        http.put("userAgent", req.header("user-agent"));
        rc.put("requestId", requestId);
        rc.put("routeKey", "$default");
        rc.put("stage", "$default");
        rc.put("time", EVENT_TIME.format(now));
        rc.put("timeEpoch", now.toEpochMilli());
        byte[] body = req.body() == null ? new byte[0] : req.body();
        if (body.length > 0) {
            boolean text = isText(req.header("content-type"));
            e.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
            e.put("isBase64Encoded", !text);
        } else {
            e.put("isBase64Encoded", false);
        }
        return e.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Lambda passes text bodies as they are and base64-encodes the rest. */
    private static boolean isText(String contentType) {
        if (contentType == null) return false;
        String ct = contentType.toLowerCase(Locale.ROOT);
        return ct.startsWith("text/") || ct.contains("json") || ct.contains("xml") || ct.contains("javascript")
                || ct.startsWith("application/x-www-form-urlencoded");
    }

    /**
     * The HTTP response of a function's result: an object with {@code statusCode} is read as
     * statusCode/headers/body/isBase64Encoded/cookies; anything else is a 200 {@code application/json}
     * response whose body is what the function returned.
     */
    private static WireResponse response(byte[] payload, String requestId) {
        JsonNode r = null;
        try {
            if (payload != null && payload.length > 0) r = JSON.readTree(payload);
        } catch (IOException e) {
            r = null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-RequestId", requestId);
        if (r == null || !r.isObject() || !r.has("statusCode")) {
            headers.put("Content-Type", "application/json");
            return new WireResponse(200, headers, payload);
        }
        int status = r.path("statusCode").asInt(200);
        headers.put("Content-Type", "application/json");
        putHeaders(headers, r);
        JsonNode b = r.path("body");
        byte[] body;
        if (b.isMissingNode() || b.isNull()) body = new byte[0];
        else if (r.path("isBase64Encoded").asBoolean(false)) body = Base64.getDecoder().decode(b.asText());
        else body = (b.isTextual() ? b.asText() : b.toString()).getBytes(StandardCharsets.UTF_8);
        return new WireResponse(status, headers, body);
    }

    static final String HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";
    private static final int DELIMITER = 8;

    /**
     * The HTTP response of a streamed result ({@code InvokeMode RESPONSE_STREAM}): a stream of Lambda's
     * HTTP integration type ({@code awslambda.HttpResponseStream.from}) is a JSON prelude
     * ({@code statusCode}, {@code headers}, {@code cookies}), 8 null bytes, then the body; any other
     * stream is a 200 response of its content type.
     */
    static WireResponse streamed(byte[] stream, String contentType, String requestId) {
        byte[] body = stream == null ? new byte[0] : stream;
        int delimiter = integration(contentType) ? delimiter(body) : -1;
        WireResponse head = head(contentType, delimiter < 0 ? null : java.util.Arrays.copyOfRange(body, 0, delimiter), requestId);
        if (delimiter >= 0) body = java.util.Arrays.copyOfRange(body, delimiter + DELIMITER, body.length);
        return new WireResponse(head.status(), head.headers(), body);
    }

    private static boolean integration(String contentType) {
        return contentType.toLowerCase(Locale.ROOT).startsWith(HTTP_INTEGRATION);
    }

    /**
     * The status and headers of a streamed response: from the prelude of Lambda's HTTP integration type
     * (its JSON; null or unreadable: none), else a 200 of the stream's content type.
     */
    private static WireResponse head(String contentType, byte[] prelude, String requestId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-RequestId", requestId);
        if (!integration(contentType)) {
            headers.put("Content-Type", contentType);
            return new WireResponse(200, headers, null);
        }
        headers.put("Content-Type", "application/octet-stream");
        JsonNode p = null;
        try {
            p = prelude == null ? null : JSON.readTree(prelude);
        } catch (IOException e) {
            p = null;
        }
        if (p == null || !p.isObject()) return new WireResponse(200, headers, null);
        putHeaders(headers, p);
        return new WireResponse(p.path("statusCode").asInt(200), headers, null);
    }

    /**
     * The response to a function streaming while it runs: its status and headers once the prelude is
     * complete (at once for a stream of another type), then the body as the pieces come. Null when the
     * invocation ended before its prelude did (it is answered from its result). An error after the
     * response began breaks the body off (the connection closes before its last chunk).
     */
    private static WireResponse streaming(Invocations.Live live, String requestId) throws IOException {
        String contentType = live.stream().contentType();
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
        int delimiter = -1;
        while (integration(contentType) && delimiter < 0) {
            byte[] piece = live.stream().next();
            if (piece == null) return null;
            seen.writeBytes(piece);
            delimiter = delimiter(seen.toByteArray());
        }
        byte[] sofar = seen.toByteArray();
        WireResponse head = head(contentType, delimiter < 0 ? null : java.util.Arrays.copyOfRange(sofar, 0, delimiter), requestId);
        byte[][] first = {delimiter < 0 ? new byte[0] : java.util.Arrays.copyOfRange(sofar, delimiter + DELIMITER, sofar.length)};
        return WireResponse.streamed(head.status(), head.headers(), () -> {
            if (first[0] != null) {
                byte[] b = first[0];
                first[0] = null;
                return b;
            }
            byte[] piece = live.stream().next();
            if (piece == null && live.execution().error()) throw new IOException("the function failed after its response began");
            return piece;
        });
    }

    /** A function's {@code headers} (replacing ours of the same name) and {@code cookies} (as Set-Cookie). */
    private static void putHeaders(Map<String, String> headers, JsonNode r) {
        for (Map.Entry<String, JsonNode> h : r.path("headers").properties()) {
            String name = h.getKey();
            headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
            headers.put(name, h.getValue().asText());
        }
        List<String> setCookies = new ArrayList<>();
        for (JsonNode ck : r.path("cookies")) setCookies.add(ck.asText());
        // several values of one header: one line each (see HttpServer)
        if (!setCookies.isEmpty()) headers.put("Set-Cookie", String.join("\n", setCookies));
    }

    /** Where the 8 null bytes after the prelude start, or -1. */
    private static int delimiter(byte[] b) {
        int run = 0;
        for (int i = 0; i < b.length; i++) {
            run = b[i] == 0 ? run + 1 : 0;
            if (run == DELIMITER) return i - DELIMITER + 1;
        }
        return -1;
    }

    private static WireResponse message(int status, String message, String requestId) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("Message", message);
        WireResponse r = WireResponse.of(status, "application/json", n.toString().getBytes(StandardCharsets.UTF_8));
        if (requestId != null) r.headers().put("x-amzn-RequestId", requestId);
        if (status == 403) r.headers().put("x-amzn-ErrorType", "AccessDeniedException");
        return r;
    }

    // ------------------------------------------------------------------ CORS

    private static boolean originAllowed(Cors cors, String origin) {
        if (!cors.hasAllowOrigins()) return false;
        for (String o : cors.allowOrigins()) if (o.equals("*") || o.equalsIgnoreCase(origin)) return true;
        return false;
    }

    private static WireResponse preflight(Cors cors, String origin, String method, String requestId) {
        WireResponse r = new WireResponse(200, new LinkedHashMap<>(), new byte[0]);
        r.headers().put("x-amzn-RequestId", requestId);
        boolean methodAllowed = cors.hasAllowMethods() && cors.allowMethods().stream().anyMatch(m -> m.equals("*") || m.equalsIgnoreCase(method));
        if (!originAllowed(cors, origin) || !methodAllowed) return r;
        allowOrigin(r, cors, origin);
        r.headers().put("Access-Control-Allow-Methods", String.join(",", cors.allowMethods()));
        if (cors.hasAllowHeaders() && !cors.allowHeaders().isEmpty()) r.headers().put("Access-Control-Allow-Headers", String.join(",", cors.allowHeaders()));
        if (cors.maxAge() != null) r.headers().put("Access-Control-Max-Age", cors.maxAge().toString());
        return r;
    }

    private static void allowOrigin(WireResponse r, Cors cors, String origin) {
        boolean any = cors.allowOrigins().contains("*");
        r.headers().put("Access-Control-Allow-Origin", any && !Boolean.TRUE.equals(cors.allowCredentials()) ? "*" : origin);
        if (Boolean.TRUE.equals(cors.allowCredentials())) r.headers().put("Access-Control-Allow-Credentials", "true");
        r.headers().put("Vary", "Origin");
    }

    private static WireResponse withCors(WireResponse r, Cors cors, String origin) {
        if (cors == null || origin == null || !originAllowed(cors, origin)) return r;
        allowOrigin(r, cors, origin);
        if (cors.hasExposeHeaders() && !cors.exposeHeaders().isEmpty()) {
            r.headers().put("Access-Control-Expose-Headers", String.join(",", cors.exposeHeaders()));
        }
        return r;
    }
}
