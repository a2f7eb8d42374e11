package dev.oboro.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code ./oboro bench}: start-up time, throughput, latency and memory of Oboro, measured in one run
 * next to a bare Netty server (the physical reference) on the same machine. See {@link #usage()}.
 */
public final class Bench {

    static final double TARGET_READY_MS = 1500;
    static final double TARGET_THROUGHPUT_RATIO = 0.50;
    static final double TARGET_P99_MS = 5;
    static final long TARGET_IDLE_RSS = 250L * 1024 * 1024;

    // Options.
    private Path jar;
    private String mainClass;
    private String java = ProcessHandle.current().info().command().orElse("java");
    private List<String> jvmOpts = List.of();
    private int starts = 5;
    private int connections = 32;
    private Duration warmup = Duration.ofSeconds(3);
    private Duration duration = Duration.ofSeconds(10);
    private List<String> ops = List.of("sts", "ec2");
    private boolean virtualThreads = true;
    private Path outDir = Path.of("bench-results");
    private boolean ephemeral;
    private boolean bare = true;
    private boolean oboro = true;
    private boolean startupOnly;
    private String label = "";

    private final Report report = new Report();
    private final List<Path> tempDirs = new ArrayList<>();

    public static void main(String[] args) {
        Bench bench = new Bench();
        try {
            bench.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("oboro bench: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
        }
        int status = 0;
        try {
            bench.run();
        } catch (Exception e) {
            System.err.println("oboro bench: failed: " + e.getMessage());
            status = 1;
        } finally {
            bench.cleanUp();
        }
        System.exit(status);
    }

    static String usage() {
        return """
                usage: oboro bench [options]
                  --jar PATH           Oboro fat jar (./oboro bench passes it)
                  --java PATH          java used to run the servers (default: the bench's own)
                  --jvm-opts "OPTS"    JVM options for Oboro, space-separated (replaces earlier ones);
                  --jvm-opt OPT        one more JVM option (repeatable); ./oboro bench passes the
                                       options of ./oboro start this way. The bare server gets the
                                       same minus class-archive options
                  --starts N           start-up measurements, median reported (default 5)
                  --connections N      keep-alive connections of the load (default 32)
                  --warmup S           warm-up seconds before each measurement (default 3)
                  --duration S         measured seconds per operation (default 10)
                  --ops LIST           operations to load, comma-separated (default sts,ec2); known:
                                       %s
                  --threads virtual|platform   load-generator threads (default virtual)
                  --ephemeral          run Oboro with --ephemeral (default: a fresh temporary --data-dir)
                  --no-bare | --bare-only      skip the bare Netty reference | measure only it
                  --startup-only       only the start-up figures (for comparing JVM options)
                  --main CLASS         run 'java -cp JAR CLASS' instead of 'java -jar JAR' (stand-ins)
                  --out DIR            where the report goes (default bench-results)
                  --label TEXT         a note for the report header (e.g. the git commit)
                """.formatted(String.join(", ", Operations.ALL.keySet()));
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--jar" -> jar = Path.of(value(args, ++i, a));
                case "--main" -> mainClass = value(args, ++i, a);
                case "--java" -> java = value(args, ++i, a);
                case "--jvm-opts" -> {
                    String v = value(args, ++i, a).trim();
                    jvmOpts = v.isEmpty() ? List.of() : Arrays.asList(v.split("\\s+"));
                }
                case "--jvm-opt" -> {
                    List<String> more = new ArrayList<>(jvmOpts);
                    more.add(value(args, ++i, a));
                    jvmOpts = more;
                }
                case "--starts" -> starts = positive(value(args, ++i, a), a);
                case "--connections" -> connections = positive(value(args, ++i, a), a);
                case "--warmup" -> warmup = Duration.ofMillis((long) (Double.parseDouble(value(args, ++i, a)) * 1000));
                case "--duration" -> duration = Duration.ofMillis((long) (Double.parseDouble(value(args, ++i, a)) * 1000));
                case "--ops" -> {
                    ops = Arrays.stream(value(args, ++i, a).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                            .toList();
                    ops.forEach(Operations::named);
                }
                case "--threads" -> {
                    String v = value(args, ++i, a);
                    if (!v.equals("virtual") && !v.equals("platform")) {
                        throw new IllegalArgumentException("--threads is virtual or platform");
                    }
                    virtualThreads = v.equals("virtual");
                }
                case "--ephemeral" -> ephemeral = true;
                case "--no-bare" -> bare = false;
                case "--bare-only" -> oboro = false;
                case "--startup-only" -> {
                    startupOnly = true;
                    bare = false;
                }
                case "--out" -> outDir = Path.of(value(args, ++i, a));
                case "--label" -> label = value(args, ++i, a);
                case "-h", "--help", "help" -> {
                    System.out.println(usage());
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (oboro && jar == null) throw new IllegalArgumentException("--jar is required (or --bare-only)");
        if (oboro && !Files.isRegularFile(jar)) throw new IllegalArgumentException("no such jar: " + jar);
        if (duration.isZero() || duration.isNegative()) throw new IllegalArgumentException("--duration must be > 0");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static int positive(String v, String option) {
        int n = Integer.parseInt(v);
        if (n < 1) throw new IllegalArgumentException(option + " must be at least 1");
        return n;
    }

    private void run() throws Exception {
        String javaVersion = javaVersion();
        report.header(label, javaVersion, String.join(" ", jvmOpts), connections, warmup, duration,
                virtualThreads, oboro ? jar.toString() : "-", ephemeral);
        log("java: " + java + " (" + javaVersion + ")");
        log("Oboro JVM options: " + (jvmOpts.isEmpty() ? "(none)" : String.join(" ", jvmOpts)));

        report.operations(ops.stream().map(o -> Operations.named(o).name()).toList());
        if (bare) runBare();
        if (oboro) runOboro();

        String md = report.markdown();
        System.out.println();
        System.out.println(md);
        Files.createDirectories(outDir);
        Path file = outDir.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, md, StandardCharsets.UTF_8);
        System.out.println("Report written to " + file);
    }

    // --- bare reference -----------------------------------------------------------------------

    private void runBare() throws Exception {
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", ServerProcess.freePort());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(withoutArchiveOptions(jvmOpts));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BareServer.class.getName(),
                "--port", Integer.toString(addr.getPort()), "--host", "127.0.0.1"));
        log("bare Netty reference: starting on " + addr);
        try (ServerProcess p = ServerProcess.start("bare", cmd, addr)) {
            double ready = p.awaitAnswer("/", Duration.ofSeconds(30));
            Thread.sleep(1000);
            long idle = p.rssBytes();
            report.bareStart(ready, idle);
            // The same requests Oboro gets; the bare server answers them all with its fixed body.
            RequestTemplate t = Operations.named(ops.isEmpty() ? "sts" : ops.get(0));
            RequestTemplate plain = new RequestTemplate("bare (" + t.name() + " request)", t.method(), t.path(),
                    t.headers(), t.body(), null);
            LoadGenerator.Result r = load(p, plain);
            report.bareLoad(r, p.peakRssBytes());
            p.stop();
        }
    }

    /** Class-data archives belong to one class path: the bare server must not touch Oboro's. */
    static List<String> withoutArchiveOptions(List<String> opts) {
        return opts.stream().filter(o -> !(o.startsWith("-XX:SharedArchiveFile") || o.contains("AutoCreateSharedArchive")
                || o.startsWith("-XX:ArchiveClassesAtExit") || o.startsWith("-XX:AOT")
                || o.startsWith("-XX:SharedClassListFile") || o.startsWith("-Xshare:"))).toList();
    }

    // --- Oboro ----------------------------------------------------------------------------------

    private void runOboro() throws Exception {
        ServerProcess kept = null;
        try {
            for (int i = 1; i <= starts; i++) {
                ServerProcess p = startOboro();
                try {
                    double ready = p.awaitAnswer("/_oboro/health", Duration.ofSeconds(60));
                    double readyCpu = p.cpuNanos() / 1e6;
                    double readyLine = p.readyLineMillis();
                    long reported = p.reportedReadyMillis();
                    // Let start-up work (JIT, lazy init) settle, then read memory before any call.
                    sleepUntil(p, ready + 1000);
                    long idle = p.rssBytes();
                    List<Double> cold = new ArrayList<>();
                    for (String op : ops) cold.add(oneCall(p, Operations.named(op)));
                    report.oboroStart(ready, readyCpu, readyLine, reported, idle, cold);
                    log(String.format(Locale.ROOT, "start %d/%d: answered after %.0f ms (CPU %.0f ms; ready line %.0f ms, "
                                    + "self-reported %d ms), idle RSS %s, first calls %s", i, starts, ready, readyCpu,
                            readyLine, reported, Report.mb(idle), cold.stream().map(c -> Report.ms(c)).toList()));
                    if (i == starts && !startupOnly) {
                        kept = p;
                        p = null;
                    }
                } finally {
                    if (p != null) {
                        report.oboroStop(p.stop());
                        p.close();
                    }
                }
            }
            if (kept == null) return;
            for (String op : ops) {
                LoadGenerator.Result r = load(kept, Operations.named(op));
                report.oboroLoad(r, lastPeakSample.get());
            }
            Thread.sleep(1000);
            report.oboroAfterLoad(kept.rssBytes(), kept.peakRssBytes());
            report.oboroStop(kept.stop());
        } finally {
            if (kept != null) kept.close();
        }
    }

    private ServerProcess startOboro() throws IOException {
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", ServerProcess.freePort());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOpts);
        if (mainClass == null) {
            cmd.addAll(List.of("-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-cp", jar.toString(), mainClass));
        }
        cmd.addAll(List.of("--port", Integer.toString(addr.getPort()), "--host", "127.0.0.1"));
        if (ephemeral) {
            cmd.add("--ephemeral");
        } else {
            Path dir = Files.createTempDirectory("oboro-bench-data");
            tempDirs.add(dir);
            cmd.addAll(List.of("--data-dir", dir.toString()));
        }
        return ServerProcess.start("oboro", cmd, addr);
    }

    /** Latency of one request on a fresh connection, in ms (the first call loads the service). */
    private static double oneCall(ServerProcess p, RequestTemplate t) throws IOException {
        byte[] req = t.render(p.address.getHostString() + ":" + p.address.getPort()).bytes(LoadGenerator.nextSeq());
        try (HttpConnection c = new HttpConnection(p.address, 2000, 30_000)) {
            long t0 = System.nanoTime();
            int status = c.exchange(req);
            double ms = (System.nanoTime() - t0) / 1e6;
            if (status < 200 || status >= 300 || (t.expect() != null && !c.bodyText().contains(t.expect()))) {
                log("warning: first " + t.name() + " answered HTTP " + status + ": "
                        + LoadGenerator.snippet(c.bodyText()));
            }
            return ms;
        }
    }

    private final AtomicLong lastPeakSample = new AtomicLong(-1);

    /** Runs one load against a server, sampling its RSS every 200 ms meanwhile. */
    private LoadGenerator.Result load(ServerProcess p, RequestTemplate t) throws InterruptedException {
        log(String.format(Locale.ROOT, "%s: %s, %d connections, %d s warm-up + %d s", p.label, t.name(), connections,
                warmup.toSeconds(), duration.toSeconds()));
        AtomicBoolean done = new AtomicBoolean();
        lastPeakSample.set(-1);
        Thread sampler = Thread.ofPlatform().daemon().name("rss-sampler").start(() -> {
            while (!done.get()) {
                long rss = p.rssBytes();
                lastPeakSample.accumulateAndGet(rss, Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        LoadGenerator.Result r;
        try {
            r = new LoadGenerator(p.address, connections, virtualThreads).run(t, warmup, duration, p::cpuNanos);
        } finally {
            done.set(true);
            sampler.interrupt();
            sampler.join();
        }
        log(String.format(Locale.ROOT, "  %.0f req/s, p50 %s, p99 %s, max %s, %d errors, %d wrong answers%s, "
                        + "server CPU %.1f µs/req (%.2f cores), load generator %.2f cores, peak RSS %s",
                r.throughput(), Report.ms(r.p50Millis()), Report.ms(r.p99Millis()), Report.ms(r.maxMillis()),
                r.errors(), r.wrongAnswers(), r.firstError() == null ? "" : " (first: " + r.firstError() + ")",
                r.serverCpuMicrosPerRequest(), r.serverCores(), r.generatorCores(), Report.mb(lastPeakSample.get())));
        return r;
    }

    private static void sleepUntil(ServerProcess p, double millisSinceStart) throws InterruptedException {
        double left = millisSinceStart - p.millisSinceStart();
        if (left > 0) Thread.sleep((long) left);
    }

    private String javaVersion() {
        try {
            Process v = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
            try (InputStream in = v.getInputStream()) {
                String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                v.waitFor();
                return out.lines().skip(1).findFirst().orElse(out).trim();
            }
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private void cleanUp() {
        for (Path dir : tempDirs) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    static void log(String s) {
        System.out.println("[bench] " + s);
        System.out.flush();
    }
}
