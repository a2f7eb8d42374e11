package dev.oboro.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkNumber;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.traits.TimestampFormatTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * JSON and CBOR bodies of SDK model objects, for the json 1.0/1.1, rest-json and rpcv2-cbor
 * protocols. Member names come from the SDK field metadata; nothing is per operation.
 */
public final class JsonCodec {
    public static final JsonCodec JSON = new JsonCodec(new ObjectMapper(), false, false);
    public static final JsonCodec CBOR = new JsonCodec(new ObjectMapper(new CBORFactory()), true, false);
    /**
     * JSON keyed by the SDK member names both ways (the botocore member names): for Oboro's own
     * persisted state and for catalogs recorded in AWS's JSON form.
     */
    public static final JsonCodec MEMBERS = new JsonCodec(new ObjectMapper(), false, true);
    /**
     * Member names with the first letter in lower case ({@code RoleArn} -> {@code roleArn},
     * {@code DBInstanceIdentifier} -> {@code dBInstanceIdentifier}): the form of CloudTrail's
     * requestParameters and responseElements.
     */
    public static final JsonCodec LOWER_CAMEL_MEMBERS = new JsonCodec(new ObjectMapper(), false, true, true);

    private final ObjectMapper mapper;
    private final JsonFactory factory;
    private final boolean cbor;
    private final boolean memberNames;
    private final boolean lowerCamel;

    private JsonCodec(ObjectMapper mapper, boolean cbor, boolean memberNames) {
        this(mapper, cbor, memberNames, false);
    }

    private JsonCodec(ObjectMapper mapper, boolean cbor, boolean memberNames, boolean lowerCamel) {
        this.mapper = mapper;
        this.factory = mapper.getFactory();
        this.cbor = cbor;
        this.memberNames = memberNames;
        this.lowerCamel = lowerCamel;
    }

    private String memberName(SdkField<?> f) {
        String n = f.memberName();
        if (!lowerCamel || n.isEmpty() || Character.isLowerCase(n.charAt(0))) return n;
        return Character.toLowerCase(n.charAt(0)) + n.substring(1);
    }

    private String inName(SdkField<?> f) {
        return memberNames ? memberName(f) : SdkShapes.sendName(f);
    }

    private String outName(SdkField<?> f) {
        return memberNames ? memberName(f) : SdkShapes.readName(f);
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** Parses a body; an empty body is an empty object. Malformed input is a client error. */
    public JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) return JsonNodeFactory.instance.objectNode();
        try {
            JsonNode n = mapper.readTree(body);
            if (n == null || n.isMissingNode()) return JsonNodeFactory.instance.objectNode();
            return n;
        } catch (IOException e) {
            throw ValidationException.malformed("", cbor ? "Malformed CBOR body" : "Malformed JSON body: " + (e instanceof JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage()));
        }
    }

    // ---------------------------------------------------------------- reading

    /** Fills a builder from a JSON object, using the names a client sends. */
    public void readStructure(SdkPojo builder, JsonNode node, String path, Predicate<SdkField<?>> include) {
        if (!node.isObject()) {
            throw ValidationException.malformed(path, "Expected an object at '" + display(path) + "'");
        }
        for (SdkField<?> f : SdkShapes.fields(builder)) {
            if (!include.test(f)) continue;
            JsonNode v = node.get(inName(f));
            if (v == null || v.isNull()) continue;
            f.set(builder, readValue(f, v, join(path, f.memberName())));
        }
    }

    public Object readValue(SdkField<?> f, JsonNode n, String path) {
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.SDK_POJO) {
            SdkPojo b = f.constructor().get();
            readStructure(b, n, path, x -> true);
            return SdkShapes.build(b);
        }
        if (t == MarshallingType.LIST) {
            if (!n.isArray()) throw typeError(path, "a list");
            SdkField<?> member = f.getRequiredTrait(ListTrait.class).memberFieldInfo();
            List<Object> out = new ArrayList<>(n.size());
            int i = 0;
            for (JsonNode e : n) {
                out.add(e.isNull() ? null : readValue(member, e, path + "[" + i++ + "]"));
            }
            return out;
        }
        if (t == MarshallingType.MAP) {
            if (!n.isObject()) throw typeError(path, "a map");
            SdkField<?> value = f.getRequiredTrait(MapTrait.class).valueFieldInfo();
            Map<String, Object> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), e.getValue().isNull() ? null : readValue(value, e.getValue(), path + "." + e.getKey()));
            }
            return out;
        }
        if (t == MarshallingType.DOCUMENT) return toDocument(n);
        return readScalar(t, n, path, Scalars.format(f, TimestampFormatTrait.Format.UNIX_TIMESTAMP));
    }

    private Object readScalar(MarshallingType<?> t, JsonNode n, String path, TimestampFormatTrait.Format tf) {
        if (t == MarshallingType.STRING) {
            if (!n.isTextual()) throw typeError(path, "a string");
            return n.textValue();
        }
        if (t == MarshallingType.BOOLEAN) {
            if (!n.isBoolean()) throw typeError(path, "a boolean");
            return n.booleanValue();
        }
        if (t == MarshallingType.INTEGER || t == MarshallingType.LONG || t == MarshallingType.SHORT || t == MarshallingType.BYTE) {
            if (!n.isIntegralNumber()) throw typeError(path, "an integer");
            if (t == MarshallingType.LONG) {
                if (!n.canConvertToLong()) throw typeError(path, "a long integer");
                return n.longValue();
            }
            if (!n.canConvertToInt()) throw typeError(path, "an integer");
            if (t == MarshallingType.SHORT) return (short) n.intValue();
            if (t == MarshallingType.BYTE) return (byte) n.intValue();
            return n.intValue();
        }
        if (t == MarshallingType.DOUBLE || t == MarshallingType.FLOAT || t == MarshallingType.BIG_DECIMAL) {
            double d;
            if (n.isNumber()) d = n.doubleValue();
            else if (n.isTextual() && (n.textValue().equals("NaN") || n.textValue().endsWith("Infinity"))) d = Double.parseDouble(n.textValue());
            else throw typeError(path, "a number");
            if (t == MarshallingType.FLOAT) return (float) d;
            if (t == MarshallingType.BIG_DECIMAL) return n.isNumber() ? n.decimalValue() : BigDecimal.valueOf(d);
            return d;
        }
        if (t == MarshallingType.INSTANT) {
            if (n.isNumber()) {
                if (tf == TimestampFormatTrait.Format.UNIX_TIMESTAMP_MILLIS) return Instant.ofEpochMilli(n.longValue());
                return Scalars.fromEpochSeconds(n.decimalValue());
            }
            if (n.isTextual()) {
                try {
                    return Scalars.parseInstant(n.textValue(), tf);
                } catch (RuntimeException e) {
                    throw typeError(path, "a timestamp");
                }
            }
            throw typeError(path, "a timestamp");
        }
        if (t == MarshallingType.SDK_BYTES) {
            if (n.isBinary()) {
                try {
                    return SdkBytes.fromByteArray(n.binaryValue());
                } catch (IOException e) {
                    throw typeError(path, "a blob");
                }
            }
            if (!n.isTextual()) throw typeError(path, "a base64-encoded blob");
            try {
                return SdkBytes.fromByteArray(Base64.getDecoder().decode(n.textValue()));
            } catch (IllegalArgumentException e) {
                throw typeError(path, "a base64-encoded blob");
            }
        }
        throw typeError(path, "a value of type " + t);
    }

    private static ValidationException typeError(String path, String expected) {
        return ValidationException.malformed(path, "Invalid value at '" + display(path) + "': expected " + expected);
    }

    static String display(String path) {
        return path.isEmpty() ? "body" : path;
    }

    static String join(String path, String member) {
        return path.isEmpty() ? member : path + "." + member;
    }

    public static Document toDocument(JsonNode n) {
        if (n == null || n.isNull()) return Document.fromNull();
        if (n.isTextual()) return Document.fromString(n.textValue());
        if (n.isBoolean()) return Document.fromBoolean(n.booleanValue());
        if (n.isNumber()) return Document.fromNumber(SdkNumber.fromBigDecimal(n.decimalValue()));
        if (n.isArray()) {
            List<Document> l = new ArrayList<>();
            n.forEach(e -> l.add(toDocument(e)));
            return Document.fromList(l);
        }
        Map<String, Document> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), toDocument(e.getValue())));
        return Document.fromMap(m);
    }

    // ---------------------------------------------------------------- writing

    /** The body of a structure: its members that pass {@code include}, by the names a client reads. */
    public byte[] write(SdkPojo pojo, Predicate<SdkField<?>> include) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            writeStructure(g, pojo, include);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes a document value as a body. */
    public byte[] write(Document d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            writeDocument(g, d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes an arbitrary tree (error bodies). */
    public byte[] write(ObjectNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a whole model object of the given class from a tree. */
    public <T> T read(Class<T> modelClass, JsonNode node) {
        SdkPojo b = SdkShapes.builder(modelClass);
        readStructure(b, node, "", x -> true);
        return SdkShapes.build(b);
    }

    public void writeStructure(JsonGenerator g, SdkPojo pojo, Predicate<SdkField<?>> include) throws IOException {
        g.writeStartObject();
        for (SdkField<?> f : SdkShapes.fields(pojo)) {
            if (!include.test(f)) continue;
            Object v = f.getValueOrDefault(pojo);
            if (v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap) continue;
            g.writeFieldName(outName(f));
            writeValue(g, f, v);
        }
        g.writeEndObject();
    }

    private void writeValue(JsonGenerator g, SdkField<?> f, Object v) throws IOException {
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.SDK_POJO) {
            writeStructure(g, (SdkPojo) v, x -> true);
        } else if (t == MarshallingType.LIST) {
            SdkField<?> member = f.getRequiredTrait(ListTrait.class).memberFieldInfo();
            g.writeStartArray();
            for (Object e : (List<?>) v) {
                if (e == null) g.writeNull();
                else writeValue(g, member, e);
            }
            g.writeEndArray();
        } else if (t == MarshallingType.MAP) {
            SdkField<?> value = f.getRequiredTrait(MapTrait.class).valueFieldInfo();
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                if (e.getValue() == null) g.writeNull();
                else writeValue(g, value, e.getValue());
            }
            g.writeEndObject();
        } else if (t == MarshallingType.DOCUMENT) {
            writeDocument(g, (Document) v);
        } else {
            writeScalar(g, v, Scalars.format(f, TimestampFormatTrait.Format.UNIX_TIMESTAMP));
        }
    }

    private void writeScalar(JsonGenerator g, Object v, TimestampFormatTrait.Format tf) throws IOException {
        if (v instanceof String s) g.writeString(s);
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else if (v instanceof Integer i) g.writeNumber(i);
        else if (v instanceof Long l) g.writeNumber(l);
        else if (v instanceof Short s) g.writeNumber(s);
        else if (v instanceof Byte b) g.writeNumber(b);
        else if (v instanceof Double d) writeDouble(g, d);
        else if (v instanceof Float fl) writeDouble(g, fl.doubleValue());
        else if (v instanceof BigDecimal bd) g.writeNumber(bd);
        else if (v instanceof Instant i) writeInstant(g, i, tf);
        else if (v instanceof SdkBytes b) g.writeBinary(b.asByteArrayUnsafe());
        else g.writeString(String.valueOf(v));
    }

    private void writeDouble(JsonGenerator g, double d) throws IOException {
        if (Double.isNaN(d) || Double.isInfinite(d)) g.writeString(Scalars.formatDouble(d));
        else if (cbor) g.writeNumber(d);
        else g.writeNumber(BigDecimal.valueOf(d));
    }

    private void writeInstant(JsonGenerator g, Instant i, TimestampFormatTrait.Format tf) throws IOException {
        if (cbor) {
            // RPCv2 CBOR: tag 1 (epoch-based date/time) with seconds as a double.
            ((CBORGenerator) g).writeTag(1);
            g.writeNumber(i.toEpochMilli() / 1000.0);
            return;
        }
        switch (tf) {
            case UNIX_TIMESTAMP -> g.writeNumber(Scalars.epochSeconds(i));
            case UNIX_TIMESTAMP_MILLIS -> g.writeNumber(i.toEpochMilli());
            default -> g.writeString(Scalars.formatInstant(i, tf));
        }
    }

    private void writeDocument(JsonGenerator g, Document d) throws IOException {
        if (d == null || d.isNull()) g.writeNull();
        else if (d.isString()) g.writeString(d.asString());
        else if (d.isBoolean()) g.writeBoolean(d.asBoolean());
        else if (d.isNumber()) g.writeNumber(d.asNumber().bigDecimalValue());
        else if (d.isList()) {
            g.writeStartArray();
            for (Document e : d.asList()) writeDocument(g, e);
            g.writeEndArray();
        } else {
            g.writeStartObject();
            for (Map.Entry<String, Document> e : d.asMap().entrySet()) {
                g.writeFieldName(e.getKey());
                writeDocument(g, e.getValue());
            }
            g.writeEndObject();
        }
    }
}
