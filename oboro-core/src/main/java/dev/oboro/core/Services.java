package dev.oboro.core;

import dev.oboro.wire.AwsException;
import software.amazon.awssdk.core.SdkPojo;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The services Oboro has, and dispatch to their handlers by request type. A service's handlers
 * are created on its first call (or at start-up when it has persisted state).
 */
public final class Services {
    private static final Logger LOG = Logger.getLogger(Services.class.getName());

    /** A handler method bound to its object. */
    private record Handler(MethodHandle method, boolean takesCall) {
    }

    private final Oboro oboro;
    private final Map<String, ServiceProvider> providers = new TreeMap<>();
    private final Map<String, Map<Class<?>, Handler>> loaded = new ConcurrentHashMap<>();

    Services(Oboro oboro) {
        this.oboro = oboro;
        // A service is found by convention: dev.oboro.services.<model name without dashes>.Provider.
        // No shared registry file, so adding a service touches nothing outside its package.
        for (String name : oboro.models().entries().keySet()) {
            String cls = "dev.oboro.services." + name.replace("-", "") + ".Provider";
            try {
                Class<?> c = Class.forName(cls, true, Services.class.getClassLoader());
                ServiceProvider p = (ServiceProvider) c.getDeclaredConstructor().newInstance();
                providers.put(name, p);
            } catch (ClassNotFoundException e) {
                // not implemented yet
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create " + cls, e);
            }
        }
    }

    /** Runs every provider's {@link ServiceProvider#onStart} hook. */
    void start() {
        for (ServiceProvider p : providers.values()) {
            try {
                p.onStart(oboro);
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.SEVERE, "start hook of " + p.service() + " failed", e);
            }
        }
    }

    public boolean has(String service) {
        return providers.containsKey(service);
    }

    public List<String> names() {
        return new ArrayList<>(providers.keySet());
    }

    public boolean isLoaded(String service) {
        return loaded.containsKey(service);
    }

    /** Loads a service's handlers now (idempotent). */
    public void ensureLoaded(String service) {
        handlers(service);
    }

    private Map<Class<?>, Handler> handlers(String service) {
        Map<Class<?>, Handler> h = loaded.get(service);
        if (h != null) return h;
        synchronized (this) {
            h = loaded.get(service);
            if (h != null) return h;
            ServiceProvider p = providers.get(service);
            if (p == null) return Map.of();
            long t0 = System.nanoTime();
            h = index(p.handlers(oboro));
            loaded.put(service, h);
            LOG.fine(() -> "loaded " + service + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            return h;
        }
    }

    private static Map<Class<?>, Handler> index(List<Object> objects) {
        Map<Class<?>, Handler> out = new HashMap<>();
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (Object o : objects) {
            for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isStatic(m.getModifiers()) || m.isSynthetic() || m.isBridge()) continue;
                    Class<?>[] params = m.getParameterTypes();
                    Class<?> req = params.length == 0 ? null : params[params.length - 1];
                    if (req == null || !SdkPojo.class.isAssignableFrom(req) || !req.getSimpleName().endsWith("Request")) continue;
                    if (params.length == 2 && params[0] != Call.class) continue;
                    if (params.length > 2) continue;
                    if (out.containsKey(req)) throw new IllegalStateException("two handlers for " + req.getName());
                    try {
                        m.setAccessible(true);
                        out.put(req, new Handler(lookup.unreflect(m).bindTo(o), params.length == 2));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return out;
    }

    /** Whether the service has a handler for this request class. */
    public boolean handles(String service, Class<?> requestClass) {
        return handlers(service).containsKey(requestClass);
    }

    /**
     * Invokes the handler of a request. Services call each other through this too, with the
     * same typed requests a client would send.
     */
    public SdkPojo invoke(Call call, SdkPojo request) {
        Map<Class<?>, Handler> h = handlers(call.service());
        Handler handler = h.get(request.getClass());
        if (handler == null) throw notImplemented(call.service(), operationOf(request.getClass()));
        try {
            Object r = handler.takesCall ? handler.method.invoke(call, request) : handler.method.invoke(request);
            return (SdkPojo) r;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Calls another service's handler as the same caller: {@code call(c, "kms", DescribeKeyRequest...)}. */
    @SuppressWarnings("unchecked")
    public <R extends SdkPojo> R call(Call from, String service, SdkPojo request) {
        return (R) invoke(from.forService(service, operationOf(request.getClass())), request);
    }

    static String operationOf(Class<?> requestClass) {
        String n = requestClass.getSimpleName();
        return n.substring(0, n.length() - "Request".length());
    }

    public static AwsException notImplemented(String service, String operation) {
        return new AwsException("NotImplemented", "Oboro does not implement " + service + " " + operation + " yet", 501, false);
    }
}
