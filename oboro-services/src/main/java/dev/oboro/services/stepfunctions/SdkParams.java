package dev.oboro.services.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.wire.JsonCodec;
import dev.oboro.wire.SdkShapes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON a Task state exchanges with an AWS SDK integration, in terms of the SDK model classes. Step Functions
 * writes every API member in PascalCase, even where the service's own API is camelCase
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html), so parameters are
 * matched to members by name with the first letter in either case, and results are written with PascalCase
 * member names. Map keys are data and keep their case.
 */
final class SdkParams {
    private SdkParams() {
    }

    /** Builds an SDK request (or any model object) from Task parameters. */
    static <T> T read(Class<T> modelClass, JsonNode params) {
        JsonNode members = toMembers(SdkShapes.fields(modelClass), params == null ? JsonNodeFactory.instance.objectNode() : params);
        return JsonCodec.MEMBERS.read(modelClass, members);
    }

    /** The JSON result of an SDK response, PascalCase members. */
    static JsonNode write(SdkPojo response) {
        try {
            JsonNode n = JsonCodec.MEMBERS.mapper().readTree(JsonCodec.MEMBERS.write(response, f -> true));
            return toPascal(SdkShapes.fields(response), n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode toMembers(List<SdkField<?>> fields, JsonNode node) {
        if (!node.isObject()) return node;
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (SdkField<?> f : fields) {
            String m = f.memberName();
            JsonNode v = node.get(m);
            if (v == null) v = node.get(flip(m));
            if (v == null) continue;
            out.set(m, convert(f, v, true));
        }
        return out;
    }

    private static JsonNode toPascal(List<SdkField<?>> fields, JsonNode node) {
        if (!node.isObject()) return node;
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (SdkField<?> f : fields) {
            JsonNode v = node.get(f.memberName());
            if (v == null) continue;
            out.set(upper(f.memberName()), convert(f, v, false));
        }
        return out;
    }

    private static JsonNode convert(SdkField<?> f, JsonNode v, boolean in) {
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.SDK_POJO && v.isObject()) {
            List<SdkField<?>> fields = SdkShapes.fields((SdkPojo) f.constructor().get());
            return in ? toMembers(fields, v) : toPascal(fields, v);
        }
        if (t == MarshallingType.LIST && v.isArray()) {
            SdkField<?> member = f.getRequiredTrait(ListTrait.class).memberFieldInfo();
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (JsonNode e : v) a.add(convert(member, e, in));
            return a;
        }
        if (t == MarshallingType.MAP && v.isObject()) {
            SdkField<?> value = f.getRequiredTrait(MapTrait.class).valueFieldInfo();
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                o.set(e.getKey(), convert(value, e.getValue(), in));
            }
            return o;
        }
        return v;
    }

    static String upper(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String flip(String s) {
        if (s.isEmpty()) return s;
        char c = s.charAt(0);
        return (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c)) + s.substring(1);
    }
}
