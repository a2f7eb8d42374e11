package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON helpers shared by the engine. Values are Jackson trees; they are never mutated once published. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, true)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("asl-instant")
                    .addSerializer(java.time.Instant.class, new com.fasterxml.jackson.databind.JsonSerializer<java.time.Instant>() {
                        @Override
                        public void serialize(java.time.Instant v, com.fasterxml.jackson.core.JsonGenerator g,
                                com.fasterxml.jackson.databind.SerializerProvider p) throws java.io.IOException {
                            g.writeString(v.toString());
                        }
                    })
                    .addDeserializer(java.time.Instant.class, new com.fasterxml.jackson.databind.JsonDeserializer<java.time.Instant>() {
                        @Override
                        public java.time.Instant deserialize(com.fasterxml.jackson.core.JsonParser p,
                                com.fasterxml.jackson.databind.DeserializationContext c) throws java.io.IOException {
                            return java.time.Instant.parse(p.getValueAsString());
                        }
                    }));
    static final JsonNodeFactory F = JsonNodeFactory.withExactBigDecimals(true);

    private Json() {}

    public static JsonNode parse(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    /** Compact JSON as AWS writes it in history events and outputs. */
    public static String write(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n == null ? NullNode.instance : n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode obj() { return F.objectNode(); }
    static ArrayNode arr() { return F.arrayNode(); }
    static JsonNode text(String s) { return s == null ? NullNode.instance : F.textNode(s); }

    /** JSON type name as AWS uses in messages. */
    static String typeName(JsonNode n) {
        if (n == null || n.isMissingNode()) return "undefined";
        if (n.isNull()) return "null";
        if (n.isTextual()) return "string";
        if (n.isNumber()) return "number";
        if (n.isBoolean()) return "boolean";
        if (n.isArray()) return "array";
        return "object";
    }

    /** Convert a Jackson tree to plain Java values (Map/List/String/Number/Boolean/null) for JSONata. */
    static Object toJava(JsonNode n) {
        if (n == null || n.isMissingNode()) return null;
        switch (n.getNodeType()) {
            case OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    var e = it.next();
                    m.put(e.getKey(), toJava(e.getValue()));
                }
                return m;
            }
            case ARRAY: {
                List<Object> l = new ArrayList<>(n.size());
                for (JsonNode c : n) l.add(toJava(c));
                return l;
            }
            case STRING: return n.textValue();
            case BOOLEAN: return n.booleanValue();
            case NUMBER:
                if (n.isIntegralNumber()) return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
                return n.doubleValue();
            case NULL: return com.dashjoin.jsonata.Jsonata.NULL_VALUE;
            default: return null;
        }
    }

    /** Convert a JSONata result back to a tree. Returns null for JSONata "undefined". */
    static JsonNode fromJava(Object o) {
        if (o == null) return null;
        if (o == com.dashjoin.jsonata.Jsonata.NULL_VALUE) return NullNode.instance;
        if (o instanceof JsonNode j) return j;
        if (o instanceof String s) return F.textNode(s);
        if (o instanceof Boolean b) return F.booleanNode(b);
        if (o instanceof Integer i) return F.numberNode(i);
        if (o instanceof Long l) return F.numberNode(l);
        if (o instanceof java.math.BigInteger bi) return F.numberNode(bi);
        if (o instanceof BigDecimal bd) return number(bd.doubleValue());
        if (o instanceof Number num) return number(num.doubleValue());
        if (o instanceof Map<?, ?> m) {
            ObjectNode on = obj();
            for (var e : m.entrySet()) {
                JsonNode v = fromJava(e.getValue());
                if (v != null) on.set(String.valueOf(e.getKey()), v);
            }
            return on;
        }
        if (o instanceof List<?> l) {
            ArrayNode an = arr();
            for (Object x : l) {
                JsonNode v = fromJava(x);
                if (v != null) an.add(v);
            }
            return an;
        }
        if (o instanceof Object[] a) return fromJava(List.of(a));
        return F.textNode(String.valueOf(o)); // functions and other non-JSON values
    }

    /** Numbers that are whole print as integers, as JavaScript-based JSONata does. */
    static JsonNode number(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15) return F.numberNode((long) d);
        return F.numberNode(d);
    }

    static boolean isInteger(JsonNode n) {
        if (n == null || !n.isNumber()) return false;
        if (n.isIntegralNumber()) return true;
        BigDecimal bd = n.decimalValue();
        return bd.signum() == 0 || bd.scale() <= 0 || bd.stripTrailingZeros().scale() <= 0;
    }

    static ObjectNode mapOf(Object... kv) {
        ObjectNode o = obj();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            if (v == null) continue;
            if (v instanceof JsonNode j) o.set((String) kv[i], j);
            else if (v instanceof String s) o.put((String) kv[i], s);
            else if (v instanceof Integer n) o.put((String) kv[i], n);
            else if (v instanceof Long n) o.put((String) kv[i], n);
            else if (v instanceof Boolean b) o.put((String) kv[i], b);
            else o.set((String) kv[i], MAPPER.valueToTree(v));
        }
        return o;
    }
}
