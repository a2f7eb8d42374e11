package dev.oboro.services.lambda;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What an in-process Java function reads as system properties: while a thread runs an invocation
 * (and in the threads it starts), {@code aws.accessKeyId}, {@code aws.secretAccessKey},
 * {@code aws.sessionToken}, {@code aws.region} and {@code aws.endpointUrl} are the function's own, so
 * an AWS SDK it builds with the default providers signs as the function's execution role session
 * and talks to Oboro (the SDK for Java reads these properties before the environment variables,
 * which in one JVM cannot differ per function). As Lambda's Java runtime does, the invocation's
 * X-Ray trace header is {@code com.amazonaws.xray.traceHeader} while it runs (the X-Ray SDK for Java
 * reads it). Every other thread sees the JVM's properties.
 */
final class JvmProperties extends Properties {
    private static final InheritableThreadLocal<Map<String, String>> OVERLAY = new InheritableThreadLocal<>();
    private static volatile boolean installed;

    private JvmProperties() {
    }

    /** Replaces the system properties by an overlaying copy, once. */
    static synchronized void install() {
        if (installed) return;
        Properties current = System.getProperties();
        if (!(current instanceof JvmProperties)) {
            JvmProperties p = new JvmProperties();
            p.putAll(current);
            System.setProperties(p);
        }
        installed = true;
    }

    /** The properties a function's invocation threads see. */
    static Map<String, String> of(Environment.Spec spec) {
        Map<String, String> m = new LinkedHashMap<>();
        Map<String, String> c = spec.credentials() == null ? Map.of() : spec.credentials();
        if (c.get("AWS_ACCESS_KEY_ID") != null) m.put("aws.accessKeyId", c.get("AWS_ACCESS_KEY_ID"));
        if (c.get("AWS_SECRET_ACCESS_KEY") != null) {
            m.put("aws.secretAccessKey", c.get("AWS_SECRET_ACCESS_KEY"));
            m.put("aws.secretKey", c.get("AWS_SECRET_ACCESS_KEY"));
        }
        if (c.get("AWS_SESSION_TOKEN") != null) m.put("aws.sessionToken", c.get("AWS_SESSION_TOKEN"));
        m.put("aws.region", spec.region());
        if (spec.endpoint() != null) m.put("aws.endpointUrl", spec.endpoint());
        return Map.copyOf(m);
    }

    /** The property through which Lambda's Java runtime hands an invocation its X-Ray trace header. */
    static final String TRACE_HEADER = "com.amazonaws.xray.traceHeader";

    static void enter(Map<String, String> properties) {
        OVERLAY.set(properties);
    }

    /** The function's properties with this invocation's trace header, if it has one. */
    static Map<String, String> withTrace(Map<String, String> properties, String traceHeader) {
        if (traceHeader == null) return properties;
        Map<String, String> m = new HashMap<>(properties);
        m.put(TRACE_HEADER, traceHeader);
        return m;
    }

    static void leave() {
        OVERLAY.remove();
    }

    @Override
    public String getProperty(String key) {
        Map<String, String> o = OVERLAY.get();
        if (o != null) {
            String v = o.get(key);
            if (v != null) return v;
        }
        return super.getProperty(key);
    }

    @Override
    public String getProperty(String key, String defaultValue) {
        String v = getProperty(key);
        return v == null ? defaultValue : v;
    }
}
