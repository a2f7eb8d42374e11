package dev.oboro.services.lambda;

import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The execution environments of all functions, and the concurrency they may use. An invocation
 * leases an idle warm environment of its function version, or starts a new one (a cold start);
 * when it is done the environment goes back to the pool. Idle environments are reaped after
 * {@link #IDLE} of Oboro's clock.
 *
 * <p>Concurrency is the number of environments busy at once: a function with reserved
 * concurrency may use up to that many; the others share what the account limit leaves unreserved.
 * Beyond it an invocation is throttled ({@code TooManyRequestsException}, 429).
 */
final class Environments {
    private static final Logger LOG = Logger.getLogger(Environments.class.getName());
    /** How long an idle environment is kept warm; Lambda does not document it, observed lifetimes are minutes. */
    static final Duration IDLE = Duration.ofMinutes(5);
    private static final DateTimeFormatter STREAM_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    /** An environment leased for one invocation. */
    static final class Lease {
        final Environment env;
        final Environment.Spec spec;
        final boolean reserved;
        final long createdNanos;
        final boolean provisioned;
        /** The access key of the credentials the environment was started with. */
        final String credentialKey;

        Lease(Environment env, Environment.Spec spec, boolean reserved, long createdNanos, boolean provisioned, String credentialKey) {
            this.env = env;
            this.spec = spec;
            this.reserved = reserved;
            this.createdNanos = createdNanos;
            this.provisioned = provisioned;
            this.credentialKey = credentialKey;
        }
    }

    private record Idle(Environment env, Instant since, long createdNanos, boolean provisioned, String credentialKey) {
    }

    private final Oboro oboro;
    private final Map<String, Deque<Idle>> idle = new HashMap<>();
    private final Map<String, Integer> busyByFunction = new HashMap<>();
    private final Map<Scope, Integer> busyUnreserved = new HashMap<>();
    private final Map<Scope, Integer> busyAll = new HashMap<>();
    private final Map<String, Long> retiredAt = new HashMap<>();
    /** When the provisioned environments of a function version were last given up (its config deleted or changed). */
    private final Map<String, Long> unprovisionedAt = new HashMap<>();
    /** Busy provisioned environments per function version (the ProvisionedConcurrentExecutions metric). */
    private final Map<String, Integer> busyProvisioned = new HashMap<>();

    Environments(Oboro oboro) {
        this.oboro = oboro;
        scheduleReaper();
    }

    private void scheduleReaper() {
        oboro.scheduler().scheduleAfter(Duration.ofSeconds(30), () -> {
            try {
                reap();
            } finally {
                scheduleReaper();
            }
        });
    }

    /** Leases an environment, or throws TooManyRequestsException when the function or account has no concurrency left. */
    Lease acquire(Environment.Spec spec, Integer reserved, int reservedSum) {
        Scope scope = new Scope(spec.account(), spec.region());
        Idle warm;
        List<Environment> stale = new ArrayList<>();
        int replace = 0;
        synchronized (this) {
            int busy = busyByFunction.getOrDefault(spec.functionKey(), 0);
            if (reserved != null) {
                if (busy >= reserved) throw throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
            } else if (busyUnreserved.getOrDefault(scope, 0) >= Functions.ACCOUNT_CONCURRENCY - reservedSum) {
                throw throttled("ConcurrentInvocationLimitExceeded");
            }
            busyByFunction.merge(spec.functionKey(), 1, Integer::sum);
            busyAll.merge(scope, 1, Integer::sum);
            if (reserved == null) busyUnreserved.merge(scope, 1, Integer::sum);
            Deque<Idle> q = idle.get(spec.poolKey());
            warm = null;
            if (q != null) {
                // Environments started with credentials that have since been renewed are not used again.
                for (Iterator<Idle> it = q.iterator(); it.hasNext(); ) {
                    Idle i = it.next();
                    if (!credentialKey(spec).equals(i.credentialKey())) {
                        it.remove();
                        stale.add(i.env());
                        if (i.provisioned()) replace++;
                    }
                }
                // Provisioned environments serve first; the most recently used on-demand one after them.
                for (Iterator<Idle> it = q.descendingIterator(); it.hasNext() && warm == null; ) {
                    Idle i = it.next();
                    if (i.provisioned()) {
                        warm = i;
                        it.remove();
                    }
                }
                if (warm == null) warm = q.pollLast();
            }
            if (warm != null && warm.provisioned()) busyProvisioned.merge(spec.versionKey(), 1, Integer::sum);
        }
        stale.forEach(this::close);
        if (replace > 0) {
            int n = replace;
            oboro.workers().submit(() -> provision(spec, n));
        }
        if (warm != null) return new Lease(warm.env(), spec, reserved != null, warm.createdNanos(), warm.provisioned(), warm.credentialKey());
        try {
            return new Lease(create(spec), spec, reserved != null, System.nanoTime(), false, credentialKey(spec));
        } catch (RuntimeException e) {
            synchronized (this) {
                unbusy(spec, reserved != null);
            }
            throw e;
        }
    }

    static AwsException throttled(String reason) {
        return new AwsException("TooManyRequestsException", "Rate Exceeded.", 429).with("Reason", reason);
    }

    /** Returns an environment after an invocation: back to the pool if it can run again, else closed. */
    void release(Lease lease, boolean reusable) {
        boolean keep;
        boolean replace = false;
        synchronized (this) {
            unbusy(lease.spec, lease.reserved);
            Long retired = retiredSince(lease.spec);
            boolean current = retired == null || retired < lease.createdNanos;
            boolean provisioned = lease.provisioned;
            if (provisioned) {
                busyProvisioned.merge(lease.spec.versionKey(), -1, Integer::sum);
                Long given = unprovisionedAt.get(lease.spec.versionKey());
                provisioned = given == null || given < lease.createdNanos;
                // a provisioned environment that failed is replaced, as Lambda keeps the allocation
                replace = provisioned && current && !reusable;
            }
            keep = reusable && current;
            if (keep) {
                idle.computeIfAbsent(lease.spec.poolKey(), k -> new ArrayDeque<>())
                        .addLast(new Idle(lease.env, oboro.clock().instant(), lease.createdNanos, provisioned, lease.credentialKey));
            }
        }
        if (!keep) close(lease.env);
        if (replace) oboro.workers().submit(() -> provision(lease.spec, 1));
    }

    private static String credentialKey(Environment.Spec spec) {
        String k = spec.credentials() == null ? null : spec.credentials().get("AWS_ACCESS_KEY_ID");
        return k == null ? "" : k;
    }

    private void unbusy(Environment.Spec spec, boolean reserved) {
        Scope scope = new Scope(spec.account(), spec.region());
        busyByFunction.merge(spec.functionKey(), -1, Integer::sum);
        busyAll.merge(scope, -1, Integer::sum);
        if (!reserved) busyUnreserved.merge(scope, -1, Integer::sum);
    }

    private Long retiredSince(Environment.Spec spec) {
        Long all = retiredAt.get(spec.functionKey());
        Long one = retiredAt.get(spec.functionKey() + "/" + spec.version());
        if (all == null) return one;
        if (one == null) return all;
        return Math.max(all, one);
    }

    /** Environments busy in an account and region now (the ConcurrentExecutions metric). */
    synchronized int concurrentExecutions(Scope scope) {
        return busyAll.getOrDefault(scope, 0);
    }

    synchronized int busy(String functionKey) {
        return busyByFunction.getOrDefault(functionKey, 0);
    }

    /** Discards the environments of a function (all versions when {@code version} is null) after its code or configuration changed. */
    void retire(Scope scope, String function, String version) {
        String fk = scope.account() + "/" + scope.region() + "/" + function;
        List<Environment> closing = new ArrayList<>();
        synchronized (this) {
            retiredAt.put(version == null ? fk : fk + "/" + version, System.nanoTime());
            for (Iterator<Map.Entry<String, Deque<Idle>>> it = idle.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Deque<Idle>> e = it.next();
                if (e.getKey().startsWith(fk + "/") && (version == null || e.getKey().startsWith(fk + "/" + version + "/"))) {
                    e.getValue().forEach(i -> closing.add(i.env()));
                    it.remove();
                }
            }
        }
        closing.forEach(this::close);
    }

    /**
     * Starts {@code count} environments now, initialised (the init phase runs here, not in the first
     * invocation), and keeps them warm until unprovisioned (provisioned concurrency).
     */
    void provision(Environment.Spec spec, int count) {
        for (int i = 0; i < count; i++) {
            long created = System.nanoTime();
            Environment env = create(spec.withVariable("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency"));
            env.initialise();
            synchronized (this) {
                idle.computeIfAbsent(spec.poolKey(), k -> new ArrayDeque<>())
                        .addLast(new Idle(env, oboro.clock().instant(), created, true, credentialKey(spec)));
            }
        }
    }

    /** Gives up the provisioned environments of a function version: idle ones are closed, busy ones when they finish. */
    void unprovision(Scope scope, String function, String version) {
        String vk = scope.account() + "/" + scope.region() + "/" + function + "/" + version;
        List<Environment> closing = new ArrayList<>();
        synchronized (this) {
            unprovisionedAt.put(vk, System.nanoTime());
            for (Map.Entry<String, Deque<Idle>> e : idle.entrySet()) {
                if (!e.getKey().startsWith(vk + "/")) continue;
                e.getValue().removeIf(i -> {
                    if (i.provisioned()) closing.add(i.env());
                    return i.provisioned();
                });
            }
            idle.values().removeIf(Deque::isEmpty);
        }
        closing.forEach(this::close);
    }

    /** Provisioned environments of a function version that are idle now. */
    synchronized int idleProvisioned(Scope scope, String function, String version) {
        String vk = scope.account() + "/" + scope.region() + "/" + function + "/" + version + "/";
        int n = 0;
        for (Map.Entry<String, Deque<Idle>> e : idle.entrySet()) {
            if (e.getKey().startsWith(vk)) for (Idle i : e.getValue()) if (i.provisioned()) n++;
        }
        return n;
    }

    /** Provisioned environments of a function version running an invocation now. */
    synchronized int busyProvisioned(Scope scope, String function, String version) {
        return busyProvisioned.getOrDefault(scope.account() + "/" + scope.region() + "/" + function + "/" + version, 0);
    }

    synchronized int idleCount(String poolKey) {
        Deque<Idle> q = idle.get(poolKey);
        return q == null ? 0 : q.size();
    }

    private void reap() {
        Instant limit = oboro.clock().instant().minus(IDLE);
        List<Environment> closing = new ArrayList<>();
        synchronized (this) {
            for (Deque<Idle> q : idle.values()) {
                q.removeIf(i -> {
                    boolean old = !i.provisioned() && i.since().isBefore(limit);
                    if (old) closing.add(i.env());
                    return old;
                });
            }
            idle.values().removeIf(Deque::isEmpty);
        }
        closing.forEach(this::close);
    }

    /** Closes every environment (reset, shutdown). */
    void closeAll() {
        List<Environment> closing = new ArrayList<>();
        synchronized (this) {
            idle.values().forEach(q -> q.forEach(i -> closing.add(i.env())));
            idle.clear();
            busyProvisioned.clear();
            retiredAt.put("*", System.nanoTime());
        }
        closing.forEach(this::close);
    }

    private void close(Environment env) {
        try {
            env.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing an environment", e);
        }
    }

    // ------------------------------------------------------------------ creation

    /** An environment that could not start: every invocation gets the runtime's error, as Lambda reports it. */
    static final class Broken implements Environment {
        private final String type;
        private final String message;
        private final String logStream;

        Broken(String type, String message, String logStream) {
            this.type = type;
            this.message = message;
            this.logStream = logStream;
        }

        @Override
        public Result invoke(Request r) {
            String body = "{\"errorType\":\"" + type + "\",\"errorMessage\":\"RequestId: " + r.requestId() + " Error: "
                    + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
            return new Result(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), true, type,
                    "", 0, 0, false, false);
        }

        @Override
        public String logStream() {
            return logStream;
        }

        @Override
        public void close() {
        }
    }

    private Environment create(Environment.Spec spec) {
        String stream = STREAM_DATE.format(oboro.clock().instant()) + "/[" + spec.version() + "]" + Ids.hex(32);
        try {
            return switch (Runtimes.kind(spec.runtime())) {
                case JAVA -> new JvmEnvironment(spec, stream);
                case PYTHON -> {
                    Map<String, String> env = new HashMap<>();
                    env.put("PYTHONUNBUFFERED", "1");
                    env.put("PYTHONPATH", spec.taskRoot() + (spec.opt() == null ? "" : ":" + spec.opt().resolve("python")));
                    yield new ProcessEnvironment(spec, stream, List.of(python(spec.runtime()), Bootstraps.python().toString()), true, env);
                }
                case NODE -> {
                    Map<String, String> env = new HashMap<>();
                    String major = spec.runtime().replaceAll("[^0-9]", "");
                    String opt = spec.opt() == null ? null : spec.opt().toString();
                    env.put("NODE_PATH", (opt == null ? "" : opt + "/nodejs/node" + major + "/node_modules:" + opt + "/nodejs/node_modules:")
                            + spec.taskRoot() + "/node_modules:" + spec.taskRoot());
                    yield new ProcessEnvironment(spec, stream, List.of("node", Bootstraps.node().toString()), true, env);
                }
                case PROVIDED -> {
                    Path bootstrap = spec.taskRoot().resolve("bootstrap");
                    if (!Files.isRegularFile(bootstrap) && spec.opt() != null) bootstrap = spec.opt().resolve("bootstrap");
                    if (!Files.isRegularFile(bootstrap)) {
                        yield new Broken("Runtime.InvalidEntrypoint", "Couldn't find valid bootstrap(s): ["
                                + spec.taskRoot().resolve("bootstrap") + " " + (spec.opt() == null ? "/opt" : spec.opt()) + "/bootstrap]", stream);
                    }
                    yield new ProcessEnvironment(spec, stream, List.of(bootstrap.toString()), false, Map.of());
                }
                case UNSUPPORTED -> new Broken("Runtime.InvalidRuntime", "Oboro cannot run the " + spec.runtime()
                        + " runtime yet (it runs java, python, nodejs and provided runtimes)", stream);
            };
        } catch (IOException e) {
            return new Broken("Runtime.InvalidEntrypoint", e.getMessage(), stream);
        }
    }

    /** The interpreter for a python3.x runtime: that exact version if installed, else the python3 on the PATH. */
    private static String python(String runtime) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
            Path p = Path.of(dir, runtime);
            if (Files.isExecutable(p)) return p.toString();
        }
        return Python3.EXECUTABLE;
    }

    /**
     * The python3 on the PATH, as the executable it really is: a version manager's shim (pyenv's is a
     * shell script that runs pyenv) would otherwise cost every cold start a few hundred milliseconds.
     * Asked once, the first time a Python function starts.
     */
    private static final class Python3 {
        static final String EXECUTABLE = resolve();

        private static String resolve() {
            try {
                Process p = new ProcessBuilder("python3", "-S", "-c", "import sys; print(sys.executable)")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
                if (p.waitFor() == 0 && !out.isEmpty() && Files.isExecutable(Path.of(out))) return out;
            } catch (IOException e) {
                // no python3 on the PATH: starting the environment reports it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "python3";
        }
    }
}
