package dev.oboro.wire;

import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallLocation;
import software.amazon.awssdk.core.traits.LocationTrait;
import software.amazon.awssdk.core.traits.PayloadTrait;
import software.amazon.awssdk.utils.builder.SdkBuilder;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reflection over the AWS SDK for Java v2 model classes: request/response classes by operation
 * name, builders, and the fields of each shape. Everything is cached per class.
 */
public final class SdkShapes {
    private static final Map<Class<?>, Method> BUILDER_METHODS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, List<SdkField<?>>> FIELDS = new ConcurrentHashMap<>();
    private static final Map<String, Class<?>> CLASSES = new ConcurrentHashMap<>();
    private static final Class<?> MISSING = Void.class;

    private SdkShapes() {
    }

    /** The request class of an operation, e.g. {@code ec2.model.RunInstancesRequest}, or null. */
    public static Class<?> requestClass(ServiceModel svc, String operation) {
        Class<?> c = modelClass(svc.sdkPackage(), operation + "Request");
        return c != null ? c : modelClass(svc.sdkPackage(), sdkName(operation) + "Request");
    }

    public static Class<?> responseClass(ServiceModel svc, String operation) {
        Class<?> c = modelClass(svc.sdkPackage(), operation + "Response");
        return c != null ? c : modelClass(svc.sdkPackage(), sdkName(operation) + "Response");
    }

    /**
     * The SDK's Java name of a model name: a run of capitals (an acronym) keeps only its first
     * letter capital, so {@code EnableVolumeIO} is {@code EnableVolumeIo} and
     * {@code DescribeDBInstances} is {@code DescribeDbInstances}.
     */
    static String sdkName(String modelName) {
        StringBuilder sb = new StringBuilder(modelName.length());
        int n = modelName.length();
        for (int i = 0; i < n; i++) {
            char c = modelName.charAt(i);
            boolean prevUpper = i > 0 && Character.isUpperCase(modelName.charAt(i - 1));
            boolean nextLower = i + 1 < n && Character.isLowerCase(modelName.charAt(i + 1));
            // inside an acronym; its last capital starts the next word when a lower-case letter follows
            sb.append(Character.isUpperCase(c) && prevUpper && !nextLower ? Character.toLowerCase(c) : c);
        }
        return sb.toString();
    }

    public static Class<?> modelClass(String sdkPackage, String simpleName) {
        Class<?> c = CLASSES.computeIfAbsent(sdkPackage + ".model." + simpleName, n -> {
            try {
                return Class.forName(n, false, SdkShapes.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                return MISSING;
            }
        });
        return c == MISSING ? null : c;
    }

    /** A fresh builder of a model class (the builder is itself an {@link SdkPojo}). */
    public static SdkPojo builder(Class<?> modelClass) {
        Method m = BUILDER_METHODS.computeIfAbsent(modelClass, c -> {
            try {
                return c.getMethod("builder");
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(c + " is not an SDK model class", e);
            }
        });
        try {
            return (SdkPojo) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static <T> T build(SdkPojo builder) {
        return (T) ((SdkBuilder<?, ?>) builder).build();
    }

    public static List<SdkField<?>> fields(Class<?> modelClass) {
        return FIELDS.computeIfAbsent(modelClass, c -> builder(c).sdkFields());
    }

    public static List<SdkField<?>> fields(SdkPojo pojo) {
        return FIELDS.computeIfAbsent(pojo.getClass(), c -> pojo.sdkFields());
    }

    public static MarshallLocation location(SdkField<?> f) {
        LocationTrait t = f.getTrait(LocationTrait.class);
        return t == null ? MarshallLocation.PAYLOAD : t.location();
    }

    /** The name a client sends (request side). */
    public static String sendName(SdkField<?> f) {
        LocationTrait t = f.getTrait(LocationTrait.class);
        return t == null || t.locationName() == null ? f.memberName() : t.locationName();
    }

    /** The name a client reads (response side). */
    public static String readName(SdkField<?> f) {
        LocationTrait t = f.getTrait(LocationTrait.class);
        if (t == null) return f.memberName();
        if (t.unmarshallLocationName() != null) return t.unmarshallLocationName();
        return t.locationName() == null ? f.memberName() : t.locationName();
    }

    public static boolean isExplicitPayload(SdkField<?> f) {
        return f.getTrait(PayloadTrait.class) != null;
    }

    public static SdkField<?> fieldByMember(Class<?> modelClass, String memberName) {
        for (SdkField<?> f : fields(modelClass)) {
            if (f.memberName().equals(memberName)) return f;
        }
        return null;
    }

    /** The model class a builder builds: {@code FooRequest$BuilderImpl} -> {@code FooRequest}. */
    public static Class<?> builtClass(SdkPojo builder) {
        Class<?> c = builder.getClass();
        return c.getEnclosingClass() != null ? c.getEnclosingClass() : c;
    }
}
