package dev.oboro.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.protocol.MarshallLocation;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.traits.TimestampFormatTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Predicate;

/**
 * The generic codec: decodes any operation's request from any protocol into its SDK request
 * object, and encodes SDK response objects and AWS errors back. Nothing here knows an operation.
 */
public final class WireCodec {
    private WireCodec() {
    }

    private static final Predicate<SdkField<?>> ALL = f -> true;
    private static final Predicate<SdkField<?>> BODY = f -> SdkShapes.location(f) == MarshallLocation.PAYLOAD;

    // ================================================================ requests

    /** Decodes and validates a request. Bad input throws {@link ValidationException}. */
    public static SdkPojo decodeRequest(ServiceModel svc, String operation, Protocol protocol, WireRequest req,
                                        Map<String, String> pathParams) {
        Class<?> cls = SdkShapes.requestClass(svc, operation);
        if (cls == null) throw new IllegalStateException("no SDK request class for " + svc.name() + "." + operation);
        SdkPojo b = SdkShapes.builder(cls);
        switch (protocol) {
            case EC2, QUERY -> QueryCodec.readStructure(b, req.params(), "", protocol == Protocol.EC2, "");
            case JSON -> JsonCodec.JSON.readStructure(b, JsonCodec.JSON.parse(req.body()), "", ALL);
            case RPCV2_CBOR -> JsonCodec.CBOR.readStructure(b, JsonCodec.CBOR.parse(req.body()), "", ALL);
            case REST_JSON, REST_XML -> bindRest(b, protocol, req, pathParams == null ? Map.of() : pathParams);
        }
        SdkPojo built = SdkShapes.build(b);
        ServiceModel.Operation op = svc.operation(operation);
        // EC2 bounds its page sizes in the service, per operation, with its own messages (ec2.Paging)
        String pageSize = protocol == Protocol.EC2 && op != null && op.paginator() != null ? op.paginator().limitKey() : null;
        Validator.validate(svc, op == null ? null : op.input(), built, pageSize);
        return built;
    }

    private static void bindRest(SdkPojo b, Protocol protocol, WireRequest req, Map<String, String> pathParams) {
        Map<String, List<String>> query = parseQueryMulti(req.rawQuery());
        SdkField<?> payloadField = null;
        for (SdkField<?> f : SdkShapes.fields(b)) {
            String name = SdkShapes.sendName(f);
            String path = f.memberName();
            switch (SdkShapes.location(f)) {
                case PATH, GREEDY_PATH -> {
                    String v = pathParams.get(name);
                    if (v != null) f.set(b, scalar(f, v, TimestampFormatTrait.Format.ISO_8601, path));
                }
                case QUERY_PARAM -> {
                    if (f.marshallingType() == MarshallingType.MAP) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        query.forEach((k, vs) -> m.put(k, vs.get(0)));
                        if (!m.isEmpty()) f.set(b, m);
                    } else if (f.marshallingType() == MarshallingType.LIST) {
                        List<String> vs = query.get(name);
                        if (vs != null) {
                            SdkField<?> member = f.getRequiredTrait(ListTrait.class).memberFieldInfo();
                            List<Object> out = new ArrayList<>();
                            for (String v : vs) out.add(scalar(member, v, TimestampFormatTrait.Format.ISO_8601, path));
                            f.set(b, out);
                        }
                    } else {
                        List<String> vs = query.get(name);
                        if (vs != null) f.set(b, scalar(f, vs.get(0), TimestampFormatTrait.Format.ISO_8601, path));
                    }
                }
                case HEADER -> {
                    if (f.marshallingType() == MarshallingType.MAP) {
                        String prefix = name.toLowerCase(Locale.ROOT);
                        Map<String, Object> m = new LinkedHashMap<>();
                        req.headers().forEach((k, vs) -> {
                            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), vs.get(0));
                        });
                        if (!m.isEmpty()) f.set(b, m);
                    } else if (f.marshallingType() == MarshallingType.LIST) {
                        String v = req.header(name);
                        if (v != null) {
                            SdkField<?> member = f.getRequiredTrait(ListTrait.class).memberFieldInfo();
                            List<Object> out = new ArrayList<>();
                            for (String part : v.split(",")) out.add(scalar(member, part.trim(), TimestampFormatTrait.Format.RFC_822, path));
                            f.set(b, out);
                        }
                    } else {
                        String v = req.header(name);
                        if (v != null) f.set(b, scalar(f, v, TimestampFormatTrait.Format.RFC_822, path));
                    }
                }
                case PAYLOAD -> {
                    if (SdkShapes.isExplicitPayload(f)) payloadField = f;
                }
                default -> {
                }
            }
        }
        byte[] body = req.body() == null ? new byte[0] : req.body();
        if (payloadField != null) {
            MarshallingType<?> t = payloadField.marshallingType();
            if (t == MarshallingType.SDK_BYTES) {
                if (body.length > 0) payloadField.set(b, SdkBytes.fromByteArray(body));
            } else if (t == MarshallingType.STRING) {
                if (body.length > 0) payloadField.set(b, new String(body, StandardCharsets.UTF_8));
            } else if (t == MarshallingType.DOCUMENT) {
                if (body.length > 0) payloadField.set(b, JsonCodec.toDocument(JsonCodec.JSON.parse(body)));
            } else if (body.length > 0) {
                SdkPojo nested = payloadField.constructor().get();
                if (protocol == Protocol.REST_XML) XmlCodec.readStructure(nested, XmlCodec.parse(body), payloadField.memberName(), ALL);
                else JsonCodec.JSON.readStructure(nested, JsonCodec.JSON.parse(body), payloadField.memberName(), ALL);
                payloadField.set(b, SdkShapes.build(nested));
            }
        } else if (body.length > 0) {
            if (protocol == Protocol.REST_XML) XmlCodec.readStructure(b, XmlCodec.parse(body), "", BODY);
            else JsonCodec.JSON.readStructure(b, JsonCodec.JSON.parse(body), "", BODY);
        }
    }

    private static Object scalar(SdkField<?> f, String v, TimestampFormatTrait.Format dflt, String path) {
        try {
            return Scalars.parse(f.marshallingType(), v, Scalars.format(f, dflt));
        } catch (IllegalArgumentException e) {
            throw ValidationException.malformed(path, "Invalid value '" + v + "' for " + path);
        }
    }

    public static Map<String, List<String>> parseQueryMulti(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = RestRoutes.decode(eq < 0 ? pair : pair.substring(0, eq)).replace('+', ' ');
            String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    /** First values of the query parameters, for route matching. */
    public static Map<String, String> firstValues(Map<String, List<String>> q) {
        Map<String, String> m = new LinkedHashMap<>();
        q.forEach((k, v) -> m.put(k, v.get(0)));
        return m;
    }

    // ================================================================ responses

    public static WireResponse encodeResponse(ServiceModel svc, String operation, Protocol protocol, SdkPojo resp, String requestId) {
        ServiceModel.Operation op = svc.operation(operation);
        if (resp instanceof EventStreamResponse es) {
            // the response's status and header members as usual; the body is the framed events
            WireResponse r = encodeResponse(svc, operation, protocol, es.response(), requestId);
            EventStreamResponse.Source source = es.source();
            WireResponse out = source == null ? new WireResponse(r.status(), r.headers(), EventStreams.encode(protocol, es.events()))
                    : WireResponse.streamed(r.status(), r.headers(), () -> {
                        SdkPojo e = source.next();
                        return e == null ? null : EventStreams.event(protocol, e);
                    });
            out.headers().keySet().removeIf(k -> k.equalsIgnoreCase("Content-Type"));
            out.headers().put("Content-Type", EventStreams.CONTENT_TYPE);
            return out;
        }
        return switch (protocol) {
            case JSON -> {
                WireResponse r = WireResponse.of(200, "application/x-amz-json-" + jsonVersion(svc), JsonCodec.JSON.write(resp, ALL));
                r.headers().put("x-amzn-RequestId", requestId);
                yield r;
            }
            case RPCV2_CBOR -> {
                WireResponse r = WireResponse.of(200, "application/cbor", JsonCodec.CBOR.write(resp, ALL));
                r.headers().put("smithy-protocol", "rpc-v2-cbor");
                r.headers().put("x-amzn-RequestId", requestId);
                yield r;
            }
            case QUERY -> {
                XmlCodec.Xml x = new XmlCodec.Xml();
                x.open(operation + "Response", svc.xmlNamespace());
                if (op != null && op.resultWrapper() != null) {
                    x.open(op.resultWrapper());
                    XmlCodec.writeMembers(x, resp, ALL);
                    x.close(op.resultWrapper());
                }
                x.open("ResponseMetadata").element("RequestId", requestId).close("ResponseMetadata");
                x.close(operation + "Response");
                WireResponse r = WireResponse.of(200, "text/xml", x.bytes());
                r.headers().put("x-amzn-RequestId", requestId);
                yield r;
            }
            case EC2 -> {
                XmlCodec.Xml x = new XmlCodec.Xml();
                x.open(operation + "Response", ec2Namespace(svc));
                x.element("requestId", requestId);
                XmlCodec.writeMembers(x, resp, ALL);
                x.close(operation + "Response");
                WireResponse r = WireResponse.of(200, "text/xml;charset=UTF-8", x.bytes());
                r.headers().put("x-amzn-RequestId", requestId);
                yield r;
            }
            case REST_JSON, REST_XML -> encodeRest(svc, op, protocol, resp, requestId);
        };
    }

    private static WireResponse encodeRest(ServiceModel svc, ServiceModel.Operation op, Protocol protocol, SdkPojo resp, String requestId) {
        int status = op == null ? 200 : op.successCode();
        Map<String, String> headers = new LinkedHashMap<>();
        SdkField<?> payloadField = null;
        boolean hasBodyMembers = false;
        for (SdkField<?> f : SdkShapes.fields(resp)) {
            Object v = f.getValueOrDefault(resp);
            MarshallLocation loc = SdkShapes.location(f);
            if (loc == MarshallLocation.PAYLOAD) {
                if (SdkShapes.isExplicitPayload(f)) payloadField = f;
                else if (v != null && !(v instanceof SdkAutoConstructList) && !(v instanceof SdkAutoConstructMap)) hasBodyMembers = true;
                continue;
            }
            if (v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap) continue;
            if (loc == MarshallLocation.STATUS_CODE) {
                status = ((Number) v).intValue();
            } else if (loc == MarshallLocation.HEADER) {
                String name = SdkShapes.readName(f);
                if (v instanceof Map<?, ?> m) {
                    m.forEach((k, val) -> headers.put(name + k, String.valueOf(val)));
                } else if (v instanceof List<?> l) {
                    List<String> parts = new ArrayList<>();
                    for (Object e : l) parts.add(Scalars.format(e, TimestampFormatTrait.Format.RFC_822));
                    headers.put(name, String.join(",", parts));
                } else {
                    headers.put(name, Scalars.format(v, Scalars.format(f, TimestampFormatTrait.Format.RFC_822)));
                }
            }
        }
        byte[] body = new byte[0];
        String contentType = null;
        if (payloadField != null) {
            String root = op != null && op.outputRoot() != null ? op.outputRoot() : SdkShapes.readName(payloadField);
            Payload p = payload(payloadField.getValueOrDefault(resp), protocol, root, svc.xmlNamespace());
            if (p != null) {
                body = p.bytes();
                contentType = p.contentType();
            }
        } else if (protocol == Protocol.REST_XML) {
            if (hasBodyMembers) {
                XmlCodec.Xml x = new XmlCodec.Xml();
                String root = op != null && op.outputRoot() != null ? op.outputRoot() : "Response";
                x.open(root, svc.xmlNamespace());
                XmlCodec.writeMembers(x, resp, BODY);
                x.close(root);
                body = x.bytes();
                contentType = "application/xml";
            }
        } else if (status != 204) {
            body = JsonCodec.JSON.write(resp, BODY);
            contentType = "application/json";
        }
        WireResponse r = new WireResponse(status, headers, body);
        if (contentType != null && !headers.containsKey("Content-Type")) r.headers().put("Content-Type", contentType);
        r.headers().put("x-amzn-RequestId", requestId);
        return r;
    }

    /** The bytes and content type of an explicit payload member's value. */
    record Payload(byte[] bytes, String contentType) {
    }

    /** A blob or string payload as it is, a document or structure serialised ({@code xmlRoot}: its element in rest-xml); null: no payload. */
    static Payload payload(Object v, Protocol protocol, String xmlRoot, String xmlNamespace) {
        if (v instanceof SdkBytes bytes) return new Payload(bytes.asByteArray(), "application/octet-stream");
        if (v instanceof String s) return new Payload(s.getBytes(StandardCharsets.UTF_8), "text/plain");
        if (v instanceof Document d) return new Payload(JsonCodec.JSON.write(d), "application/json");
        if (v instanceof SdkPojo p) {
            if (protocol != Protocol.REST_XML) return new Payload(JsonCodec.JSON.write(p, ALL), "application/json");
            XmlCodec.Xml x = new XmlCodec.Xml();
            x.open(xmlRoot, xmlNamespace);
            XmlCodec.writeMembers(x, p, ALL);
            x.close(xmlRoot);
            return new Payload(x.bytes(), "application/xml");
        }
        return null;
    }

    static String jsonVersion(ServiceModel svc) {
        return svc.jsonVersion() == null ? "1.1" : svc.jsonVersion();
    }

    static String ec2Namespace(ServiceModel svc) {
        String ns = svc.xmlNamespace() == null ? "http://ec2.amazonaws.com/doc/" + svc.apiVersion() : svc.xmlNamespace();
        return ns.endsWith("/") ? ns : ns + "/";
    }

    // ================================================================ errors

    /**
     * Encodes an AWS error in the protocol's own format. {@code shapeName} is the model's error
     * shape for the code (used as {@code __type} in JSON for query-compatible services), or null.
     */
    public static WireResponse encodeError(ServiceModel svc, Protocol protocol, String code, String shapeName, String message,
                                           int status, boolean sender, Map<String, Object> fields, String requestId) {
        String type = sender ? "Sender" : "Receiver";
        switch (protocol) {
            case JSON, RPCV2_CBOR -> {
                ObjectNode n = JsonNodeFactory.instance.objectNode();
                String jsonType = svc != null && svc.queryCompatible() && shapeName != null ? shapeName : code;
                n.put("__type", jsonType);
                if (message != null) n.put("message", message);
                putFields(n, fields);
                boolean cbor = protocol == Protocol.RPCV2_CBOR;
                WireResponse r = WireResponse.of(status, cbor ? "application/cbor" : "application/x-amz-json-" + (svc == null ? "1.1" : jsonVersion(svc)),
                        cbor ? JsonCodec.CBOR.write(n) : JsonCodec.JSON.write(n));
                if (cbor) r.headers().put("smithy-protocol", "rpc-v2-cbor");
                r.headers().put("x-amzn-RequestId", requestId);
                r.headers().put("x-amzn-ErrorType", jsonType);
                if (svc != null && svc.queryCompatible()) r.headers().put("x-amzn-query-error", code + ";" + type);
                return r;
            }
            case REST_JSON -> {
                ObjectNode n = JsonNodeFactory.instance.objectNode();
                n.put("Type", sender ? "User" : "Service");
                if (message != null) n.put("message", message);
                putFields(n, fields);
                WireResponse r = WireResponse.of(status, "application/json", JsonCodec.JSON.write(n));
                r.headers().put("x-amzn-RequestId", requestId);
                r.headers().put("x-amzn-ErrorType", code);
                return r;
            }
            case EC2 -> {
                XmlCodec.Xml x = new XmlCodec.Xml();
                x.open("Response").open("Errors").open("Error").element("Code", code);
                if (message != null) x.element("Message", message);
                x.close("Error").close("Errors").element("RequestID", requestId).close("Response");
                WireResponse r = WireResponse.of(status, "text/xml;charset=UTF-8", x.bytes());
                r.headers().put("x-amzn-RequestId", requestId);
                return r;
            }
            default -> { // QUERY, REST_XML
                XmlCodec.Xml x = new XmlCodec.Xml();
                x.open("ErrorResponse", svc == null ? null : svc.xmlNamespace()).open("Error")
                        .element("Type", type).element("Code", code);
                if (message != null) x.element("Message", message);
                if (fields != null) fields.forEach((k, v) -> x.element(k, String.valueOf(v)));
                x.close("Error").element("RequestId", requestId).close("ErrorResponse");
                WireResponse r = WireResponse.of(status, "text/xml", x.bytes());
                r.headers().put("x-amzn-RequestId", requestId);
                return r;
            }
        }
    }

    private static void putFields(ObjectNode n, Map<String, Object> fields) {
        if (fields == null) return;
        fields.forEach((k, v) -> {
            if (v instanceof Number num) n.put(k, num.doubleValue());
            else if (v instanceof Boolean b) n.put(k, b);
            else n.put(k, String.valueOf(v));
        });
    }

}
