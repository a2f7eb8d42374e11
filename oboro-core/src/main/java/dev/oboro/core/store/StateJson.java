package dev.oboro.core.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.oboro.wire.JsonCodec;
import software.amazon.awssdk.core.SdkPojo;

import java.io.IOException;

/**
 * The JSON form of persisted state: plain records through Jackson, and any AWS SDK model object
 * inside them through the wire layer's codec keyed by member names.
 */
public final class StateJson {
    private StateJson() {
    }

    public static final ObjectMapper MAPPER = create();

    private static ObjectMapper create() {
        ObjectMapper m = new ObjectMapper();
        m.registerModule(new JavaTimeModule());
        m.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        m.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        SimpleModule sdk = new SimpleModule("sdk-pojos") {
            @Override
            public void setupModule(SetupContext context) {
                super.setupModule(context);
                context.addDeserializers(new Deserializers.Base() {
                    @Override
                    public JsonDeserializer<?> findBeanDeserializer(JavaType type, DeserializationConfig config, BeanDescription beanDesc) {
                        if (SdkPojo.class.isAssignableFrom(type.getRawClass()) && !type.isInterface()) {
                            return new PojoDeserializer(type.getRawClass());
                        }
                        return null;
                    }
                });
            }
        };
        sdk.addSerializer(SdkPojo.class, new StdSerializer<>(SdkPojo.class) {
            @Override
            public void serialize(SdkPojo value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                JsonCodec.MEMBERS.writeStructure(gen, value, f -> true);
            }
        });
        m.registerModule(sdk);
        return m;
    }

    private static final class PojoDeserializer extends JsonDeserializer<Object> {
        private final Class<?> type;

        PojoDeserializer(Class<?> type) {
            this.type = type;
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode n = p.readValueAsTree();
            return JsonCodec.MEMBERS.read(type, n);
        }
    }
}
