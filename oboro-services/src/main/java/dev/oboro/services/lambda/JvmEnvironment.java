package dev.oboro.services.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A Java execution environment inside Oboro's JVM: the function's classes (task root, its
 * {@code lib/*.jar} and the layers' {@code java/lib/*.jar}) in a class loader of their own whose
 * parent sees only the JDK and the {@code aws-lambda-java-core} interfaces, one handler instance
 * per environment (as in Lambda, static and instance state survive while the environment is warm).
 *
 * <p>Handlers: {@link RequestHandler} (input and output converted with Jackson to and from the
 * declared types), {@link RequestStreamHandler}, or a plain {@code package.Class::method} taking
 * (input[, Context]) or (InputStream, OutputStream[, Context]).
 *
 * <p>Each invocation runs on its own virtual thread so the caller can return at the timeout. A
 * thread cannot be killed in the JVM: after a timeout the environment is discarded and the
 * thread is interrupted, but code that ignores interruption keeps running until it ends.
 *
 * <p>Limitation: the JVM has one process environment, so {@code System.getenv()} in an
 * in-process function shows Oboro's, not the function's variables. The function's credentials,
 * region and endpoint reach it as system properties instead ({@link JvmProperties}), which the AWS
 * SDK for Java reads first; so does the invocation's trace header, as {@code com.amazonaws.xray.traceHeader}
 * (where Lambda's Java runtime puts it). The AWS SDK for Java adds that header to its own calls only
 * when the environment variable {@code AWS_LAMBDA_FUNCTION_NAME} is set, which an in-process function's
 * JVM does not have: an X-Ray SDK recorder continues the trace, the bare SDK does not.
 */
final class JvmEnvironment implements Environment {
    /** The parent of every function class loader: the JDK, plus Lambda's handler interfaces as the Java runtime provides them. */
    private static final ClassLoader RUNTIME_PARENT = new ClassLoader("oboro-lambda-java-runtime", ClassLoader.getPlatformClassLoader()) {
        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("com.amazonaws.services.lambda.runtime.")) return Context.class.getClassLoader().loadClass(name);
            return super.loadClass(name, resolve);
        }
    };

    private static final ThreadLocal<StringBuilder> SINK = new ThreadLocal<>();
    private static volatile boolean outputInstalled;

    private interface Call {
        void run(InputStream in, OutputStream out, Context ctx) throws Throwable;
    }

    private final Spec spec;
    private final String logStream;
    private final URLClassLoader loader;
    private final ObjectMapper mapper;
    private final StringBuilder initLog = new StringBuilder();
    private final Map<String, String> properties;
    private Call call;
    private byte[] initError;
    private String initErrorType;
    private double initMillis;
    private boolean reportedInit;
    private volatile boolean usable = true;

    JvmEnvironment(Spec spec, String logStream) {
        this.spec = spec;
        this.logStream = logStream;
        installOutput();
        JvmProperties.install();
        this.properties = JvmProperties.of(spec);
        this.loader = new URLClassLoader("lambda:" + spec.function(), classPath(spec), RUNTIME_PARENT);
        this.mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .typeFactory(com.fasterxml.jackson.databind.type.TypeFactory.defaultInstance().withClassLoader(loader))
                .build();
        long t0 = System.nanoTime();
        SINK.set(initLog);
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        me.setContextClassLoader(loader);
        JvmProperties.enter(properties);
        try {
            this.call = load(spec.handler());
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause()
                    : t instanceof ExceptionInInitializerError eie && eie.getCause() != null ? eie.getCause() : t;
            this.initError = errorJson(cause);
            this.initErrorType = cause.getClass().getName();
            initLog.append(cause).append('\n');
        } finally {
            me.setContextClassLoader(before);
            JvmProperties.leave();
            SINK.remove();
        }
        this.initMillis = (System.nanoTime() - t0) / 1e6;
    }

    private static URL[] classPath(Spec spec) {
        List<URL> urls = new ArrayList<>();
        try {
            urls.add(spec.taskRoot().toUri().toURL());
            addJars(urls, spec.taskRoot().resolve("lib"));
            if (spec.opt() != null) addJars(urls, spec.opt().resolve("java").resolve("lib"));
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
        return urls.toArray(URL[]::new);
    }

    private static void addJars(List<URL> urls, Path dir) throws MalformedURLException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".jar")).sorted().toList()) urls.add(p.toUri().toURL());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Resolves the handler string into a call, instantiating the handler class (its static and instance initialisers are the init phase). */
    private Call load(String handler) throws Exception {
        String className = handler;
        String methodName = null;
        int sep = handler.indexOf("::");
        if (sep >= 0) {
            className = handler.substring(0, sep);
            methodName = handler.substring(sep + 2);
        }
        Class<?> cls = Class.forName(className, true, loader);
        Object instance = null;
        if (methodName == null || hasInstanceMethod(cls, methodName)) {
            var ctor = cls.getDeclaredConstructor();
            ctor.setAccessible(true);
            instance = ctor.newInstance();
        }
        if (methodName == null || methodName.equals("handleRequest")) {
            if (instance instanceof RequestStreamHandler h) return h::handleRequest;
            if (instance instanceof RequestHandler<?, ?> h) {
                @SuppressWarnings("unchecked") RequestHandler<Object, Object> rh = (RequestHandler<Object, Object>) h;
                JavaType in = inputType(cls);
                return (input, out, ctx) -> writeOutput(out, rh.handleRequest(readInput(input, in), ctx));
            }
            if (methodName == null) {
                throw new NoSuchMethodException("Class " + className + " does not implement RequestHandler with concrete type parameters");
            }
        }
        Method m = findMethod(cls, methodName);
        m.setAccessible(true);
        Object target = Modifier.isStatic(m.getModifiers()) ? null : instance;
        Class<?>[] p = m.getParameterTypes();
        if (p.length >= 2 && p[0] == InputStream.class && p[1] == OutputStream.class) {
            boolean withCtx = p.length == 3;
            return (input, out, ctx) -> invoke(m, target, withCtx ? new Object[]{input, out, ctx} : new Object[]{input, out});
        }
        JavaType in = p.length == 0 ? null : mapper.getTypeFactory().constructType(m.getGenericParameterTypes()[0]);
        boolean isVoid = m.getReturnType() == void.class;
        return (input, out, ctx) -> {
            Object[] args = switch (p.length) {
                case 0 -> new Object[0];
                case 1 -> new Object[]{readInput(input, in)};
                default -> new Object[]{readInput(input, in), ctx};
            };
            Object result = invoke(m, target, args);
            writeOutput(out, isVoid ? null : result);
        };
    }

    private static boolean hasInstanceMethod(Class<?> cls, String name) {
        for (Method m : cls.getMethods()) if (m.getName().equals(name) && !Modifier.isStatic(m.getModifiers())) return true;
        for (Method m : cls.getDeclaredMethods()) if (m.getName().equals(name) && !Modifier.isStatic(m.getModifiers())) return true;
        return false;
    }

    private static Method findMethod(Class<?> cls, String name) throws NoSuchMethodException {
        Method best = null;
        for (Class<?> c = cls; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (!m.getName().equals(name) || m.isBridge() || m.isSynthetic() || m.getParameterCount() > 3) continue;
                if (best == null || m.getParameterCount() > best.getParameterCount()) best = m;
            }
        }
        if (best == null) throw new NoSuchMethodException("No public method named " + name + " with appropriate method signature found on class " + cls.getName());
        return best;
    }

    private static Object invoke(Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The I of RequestHandler&lt;I, O&gt; as implemented by the handler class. */
    private JavaType inputType(Class<?> cls) {
        Type t = findRequestHandlerArg(cls, cls);
        return mapper.getTypeFactory().constructType(t == null ? Object.class : t);
    }

    private static Type findRequestHandlerArg(Type type, Class<?> origin) {
        Class<?> raw = type instanceof Class<?> c ? c : type instanceof ParameterizedType pt ? (Class<?>) pt.getRawType() : null;
        if (raw == null) return null;
        if (type instanceof ParameterizedType pt && raw == RequestHandler.class) {
            Type arg = pt.getActualTypeArguments()[0];
            return arg instanceof TypeVariable<?> ? Object.class : arg;
        }
        for (Type i : raw.getGenericInterfaces()) {
            Type r = findRequestHandlerArg(i, origin);
            if (r != null) return r;
        }
        return raw.getGenericSuperclass() == null ? null : findRequestHandlerArg(raw.getGenericSuperclass(), origin);
    }

    private Object readInput(InputStream in, JavaType type) throws IOException {
        if (type == null) return null;
        byte[] bytes = in.readAllBytes();
        if (type.getRawClass() == InputStream.class) return new ByteArrayInputStream(bytes);
        if (bytes.length == 0) return null;
        return mapper.readValue(bytes, type);
    }

    private void writeOutput(OutputStream out, Object value) throws IOException {
        if (value instanceof byte[] b) out.write(b);
        else out.write(mapper.writeValueAsBytes(value));
    }

    // ------------------------------------------------------------------ invoke

    /** The handler was loaded in the constructor: a successful init is not reported by the first invocation. */
    @Override
    public void initialise() {
        if (initError == null) reportedInit = true;
    }

    @Override
    public Result invoke(Request req) {
        double init = -1;
        if (!reportedInit) {
            reportedInit = true;
            init = initMillis;
        }
        String pre = init >= 0 ? initLog.toString() : "";
        if (initError != null) {
            usable = false;
            return new Result(initError, true, initErrorType, pre, init, 0, false, false);
        }
        StringBuilder log = new StringBuilder();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long deadline = System.currentTimeMillis() + req.timeoutMillis();
        InvocationContext ctx = new InvocationContext(req, deadline, log);
        long[] allocated = {0};
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        Map<String, String> invocationProperties = JvmProperties.withTrace(properties, req.traceId());
        Thread t = Thread.ofVirtual().name("lambda-" + spec.function()).unstarted(() -> {
            SINK.set(log);
            JvmProperties.enter(invocationProperties);
            Thread.currentThread().setContextClassLoader(loader);
            long a0 = allocatedBytes();
            try {
                call.run(new ByteArrayInputStream(req.payload()), out, ctx);
                done.complete(null);
            } catch (Throwable e) {
                done.complete(e);
            } finally {
                allocated[0] = allocatedBytes() - a0;
                JvmProperties.leave();
                SINK.remove();
            }
        });
        t.start();
        long waitMillis = Math.max(1, deadline - System.currentTimeMillis());
        Throwable failure;
        try {
            failure = done.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            usable = false;
            t.interrupt();
            return new Result(null, true, null, pre + snapshot(log), init, memory(allocated[0]), true, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            t.interrupt();
            usable = false;
            return new Result(null, true, null, pre + snapshot(log), init, 0, true, false);
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        if (failure != null) {
            String text = failure.toString();
            synchronized (log) {
                log.append(text).append('\n');
                for (StackTraceElement el : failure.getStackTrace()) log.append('\t').append(frame(el)).append('\n');
            }
            return new Result(errorJson(failure), true, failure.getClass().getName(), pre + snapshot(log), init,
                    memory(allocated[0]), false, true);
        }
        return new Result(out.toByteArray(), false, null, pre + snapshot(log), init, memory(allocated[0]), false, true);
    }

    private static String snapshot(StringBuilder log) {
        synchronized (log) {
            return log.toString();
        }
    }

    private long memory(long allocatedBytes) {
        long mb = Math.max(1, allocatedBytes >> 20);
        return Math.min(mb, spec.memoryMb());
    }

    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean tm && tm.isThreadAllocatedMemorySupported()) {
            try {
                return tm.getCurrentThreadAllocatedBytes();
            } catch (UnsupportedOperationException e) {
                return 0; // virtual threads on some JDKs
            }
        }
        return 0;
    }

    /** The error document Lambda's Java runtime returns: errorMessage, errorType, stackTrace (and the cause). */
    static byte[] errorJson(Throwable t) {
        return errorNode(t).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode errorNode(Throwable t) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("errorMessage", t.getMessage());
        n.put("errorType", t.getClass().getName());
        ArrayNode st = n.putArray("stackTrace");
        for (StackTraceElement e : t.getStackTrace()) st.add(frame(e));
        if (t.getCause() != null && t.getCause() != t) n.set("cause", errorNode(t.getCause()));
        return n;
    }

    /** A stack frame as Lambda's Java runtime prints it: {@code pkg.Class.method(File.java:12)}, no loader or module prefix. */
    static String frame(StackTraceElement e) {
        String where = e.isNativeMethod() ? "Native Method"
                : e.getFileName() == null ? "Unknown Source"
                : e.getLineNumber() >= 0 ? e.getFileName() + ":" + e.getLineNumber() : e.getFileName();
        return e.getClassName() + "." + e.getMethodName() + "(" + where + ")";
    }

    boolean usable() {
        return usable;
    }

    @Override
    public String logStream() {
        return logStream;
    }

    @Override
    public void close() {
        usable = false;
        try {
            loader.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    // ------------------------------------------------------------------ context and output

    private final class InvocationContext implements Context, LambdaLogger {
        private final Request req;
        private final long deadline;
        private final StringBuilder log;

        InvocationContext(Request req, long deadline, StringBuilder log) {
            this.req = req;
            this.deadline = deadline;
            this.log = log;
        }

        @Override
        public String getAwsRequestId() {
            return req.requestId();
        }

        @Override
        public String getLogGroupName() {
            return spec.logGroup();
        }

        @Override
        public String getLogStreamName() {
            return logStream;
        }

        @Override
        public String getFunctionName() {
            return spec.function();
        }

        @Override
        public String getFunctionVersion() {
            return spec.version();
        }

        @Override
        public String getInvokedFunctionArn() {
            return req.invokedArn();
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return (int) Math.max(0, deadline - System.currentTimeMillis());
        }

        @Override
        public int getMemoryLimitInMB() {
            return spec.memoryMb();
        }

        @Override
        public LambdaLogger getLogger() {
            return this;
        }

        @Override
        public void log(String message) {
            synchronized (log) {
                log.append(message);
                if (!message.endsWith("\n")) log.append('\n');
            }
        }

        @Override
        public void log(byte[] message) {
            log(new String(message, StandardCharsets.UTF_8));
        }
    }

    /**
     * Routes System.out/err of threads running a function invocation into that invocation's log;
     * everything else goes where it went before. Installed once, on the first Java environment.
     */
    private static synchronized void installOutput() {
        if (outputInstalled) return;
        System.setOut(new PrintStream(new Demux(System.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Demux(System.err), true, StandardCharsets.UTF_8));
        outputInstalled = true;
    }

    private static final class Demux extends OutputStream {
        private final PrintStream original;

        Demux(PrintStream original) {
            this.original = original;
        }

        @Override
        public void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            StringBuilder sink = SINK.get();
            if (sink == null) {
                original.write(b, off, len);
                return;
            }
            synchronized (sink) {
                sink.append(new String(b, off, len, StandardCharsets.UTF_8));
            }
        }

        @Override
        public void flush() {
            if (SINK.get() == null) original.flush();
        }
    }
}
