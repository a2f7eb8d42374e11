package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Builds SDK model objects from their AWS JSON form using the fields' own metadata, so the engine can keep
 * history events as plain JSON (persistable) and hand out {@code HistoryEvent} objects without per-type code.
 */
final class SdkJson {
    private SdkJson() {}

    @SuppressWarnings("unchecked")
    static <T> T build(SdkPojo builder, JsonNode json) {
        fill(builder, json);
        return (T) ((SdkBuilder<?, ?>) builder).build();
    }

    private static void fill(SdkPojo builder, JsonNode json) {
        for (SdkField<?> f : builder.sdkFields()) {
            JsonNode v = json.get(f.locationName());
            if (v == null || v.isNull()) continue;
            f.set(builder, convert(f, v));
        }
    }

    private static Object convert(SdkField<?> f, JsonNode v) {
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.STRING) return v.isTextual() ? v.textValue() : Json.write(v);
        if (t == MarshallingType.LONG) return v.longValue();
        if (t == MarshallingType.INTEGER) return v.intValue();
        if (t == MarshallingType.BOOLEAN) return v.booleanValue();
        if (t == MarshallingType.DOUBLE) return v.doubleValue();
        if (t == MarshallingType.INSTANT) {
            if (v.isNumber()) {
                BigDecimal bd = v.decimalValue();
                return Instant.ofEpochSecond(bd.longValue(), bd.remainder(BigDecimal.ONE).movePointRight(9).longValue());
            }
            return Instant.parse(v.textValue());
        }
        if (t == MarshallingType.SDK_POJO) {
            SdkPojo b = f.constructor().get();
            return build(b, v);
        }
        if (t == MarshallingType.LIST) {
            SdkField<?> member = f.getRequiredTrait(ListTrait.class).memberFieldInfo();
            List<Object> out = new ArrayList<>();
            for (JsonNode c : v) out.add(convert(member, c));
            return out;
        }
        if (t == MarshallingType.MAP) {
            SdkField<?> value = f.getRequiredTrait(MapTrait.class).valueFieldInfo();
            Map<String, Object> out = new LinkedHashMap<>();
            v.fields().forEachRemaining(e -> out.put(e.getKey(), convert(value, e.getValue())));
            return out;
        }
        throw new IllegalArgumentException("Unsupported field type " + t + " for " + f.locationName());
    }
}
