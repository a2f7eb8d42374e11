package dev.oboro.bench;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects the figures of one bench run and renders them as Markdown tables with targets. */
final class Report {
    private final StringBuilder header = new StringBuilder();
    private final String loadBefore = loadAverage();
    private final List<Double> ready = new ArrayList<>();
    private final List<Double> readyCpu = new ArrayList<>();
    private final List<Double> readyLine = new ArrayList<>();
    private final List<Double> reported = new ArrayList<>();
    private final List<Double> idleRss = new ArrayList<>();
    private final List<List<Double>> coldCalls = new ArrayList<>();
    private final List<Double> stops = new ArrayList<>();
    private final List<LoadGenerator.Result> oboroLoads = new ArrayList<>();
    private final List<Long> oboroLoadRss = new ArrayList<>();
    private double bareReady = -1;
    private long bareIdleRss = -1;
    private LoadGenerator.Result bareLoad;
    private long bareLoadRss = -1;
    private long afterLoadRss = -1;
    private long peakRss = -1;
    private List<String> opNames = List.of();

    void header(String label, String javaVersion, String jvmOpts, int connections, Duration warmup,
                Duration duration, boolean virtualThreads, String jar, boolean ephemeral) {
        header.append("# Oboro benchmark ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME
                .withLocale(Locale.ROOT))).append("\n\n");
        if (!label.isEmpty()) header.append("- Build: ").append(label).append('\n');
        header.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append('\n');
        header.append("- Java (servers): ").append(javaVersion).append('\n');
        header.append("- JVM options (Oboro): `").append(jvmOpts.isEmpty() ? "(none)" : jvmOpts).append("`\n");
        header.append("- Oboro: `").append(jar).append("`, ").append(ephemeral ? "--ephemeral" : "fresh --data-dir")
                .append('\n');
        header.append("- Load: ").append(connections).append(" keep-alive connections (")
                .append(virtualThreads ? "virtual" : "platform").append(" threads), closed loop, ")
                .append(warmup.toSeconds()).append(" s warm-up + ").append(duration.toSeconds())
                .append(" s measured per operation, all on 127.0.0.1; the load generator shares the cores\n");
    }

    void bareStart(double readyMillis, long idle) {
        bareReady = readyMillis;
        bareIdleRss = idle;
    }

    void bareLoad(LoadGenerator.Result r, long peak) {
        bareLoad = r;
        bareLoadRss = peak;
    }

    void oboroStart(double readyMillis, double cpuMillis, double readyLineMillis, long reportedMillis, long idle,
                    List<Double> cold) {
        ready.add(readyMillis);
        if (cpuMillis >= 0) readyCpu.add(cpuMillis);
        if (readyLineMillis >= 0) readyLine.add(readyLineMillis);
        if (reportedMillis >= 0) reported.add((double) reportedMillis);
        if (idle >= 0) idleRss.add((double) idle);
        coldCalls.add(cold);
    }

    void oboroStop(double millis) {
        stops.add(millis);
    }

    void oboroLoad(LoadGenerator.Result r, long peak) {
        oboroLoads.add(r);
        oboroLoadRss.add(peak);
    }

    /** Names of the operations, in the order of the cold first calls. */
    void operations(List<String> names) {
        opNames = List.copyOf(names);
    }

    void oboroAfterLoad(long rss, long peak) {
        afterLoadRss = rss;
        peakRss = peak;
    }

    /** The 1-minute load average, read at the start and end: other work on a shared machine shows here. */
    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "n/a";
        }
    }

    String markdown() {
        StringBuilder md = new StringBuilder(header);
        md.append("- Load average (1 min) at start / end: ").append(loadBefore).append(" / ").append(loadAverage())
                .append(" (the bench keeps about 2 busy itself; much more means other work on the machine competed)\n\n");
        md.append("| Figure | Value | Target | Result |\n|---|---:|---|---|\n");
        if (!ready.isEmpty()) {
            double r = median(ready);
            row(md, "Ready: process start → first answered `GET /_oboro/health` (median of " + ready.size() + ")",
                    ms(r) + " (min " + ms(min(ready)) + ", max " + ms(max(ready)) + ")", "≤ 1500 ms",
                    verdict(r <= Bench.TARGET_READY_MS));
            if (!readyCpu.isEmpty()) {
                row(md, "CPU time used until ready (median; all threads)", ms(median(readyCpu)), "", "info");
            }
            if (!readyLine.isEmpty()) row(md, "Ready line on stdout (median)", ms(median(readyLine)), "", "info");
            if (!reported.isEmpty()) row(md, "Start-up time Oboro reports (median)", ms(median(reported)), "", "info");
            for (int op = 0; op < coldCalls.get(0).size(); op++) {
                List<Double> c = new ArrayList<>();
                for (List<Double> l : coldCalls) if (op < l.size()) c.add(l.get(op));
                String name = op < opNames.size() ? opNames.get(op) : "operation " + (op + 1);
                row(md, "First `" + name + "` after ready (cold; median)", ms(median(c)), "", "info");
            }
            if (!idleRss.isEmpty()) {
                double idle = median(idleRss);
                row(md, "Idle RSS 1 s after ready (median)", mb((long) idle), "≤ 250 MB",
                        verdict(idle <= Bench.TARGET_IDLE_RSS));
            }
        }
        double bareTput = bareLoad == null ? -1 : bareLoad.throughput();
        for (int i = 0; i < oboroLoads.size(); i++) {
            LoadGenerator.Result r = oboroLoads.get(i);
            boolean clean = r.requests() > 0 && r.errors() <= r.requests() / 100 && r.wrongAnswers() == 0;
            String ratio = bareTput > 0 ? String.format(Locale.ROOT, " (%.0f%% of bare)", 100 * r.throughput() / bareTput)
                    : "";
            String tputVerdict = !clean ? (r.wrongAnswers() > 0 ? "FAIL (wrong answers)" : "FAIL (errors)")
                    : bareTput > 0 ? verdict(r.throughput() >= Bench.TARGET_THROUGHPUT_RATIO * bareTput) : "n/a";
            row(md, "`" + r.name() + "` throughput", String.format(Locale.ROOT, "%.0f req/s", r.throughput()) + ratio,
                    "≥ 50% of bare", tputVerdict);
            row(md, "`" + r.name() + "` latency p50", ms(r.p50Millis()), "", "info");
            row(md, "`" + r.name() + "` latency p99", ms(r.p99Millis()), "≤ 5 ms",
                    clean ? verdict(r.p99Millis() <= Bench.TARGET_P99_MS) : "FAIL (errors)");
            row(md, "`" + r.name() + "` server CPU per request", us(r.serverCpuMicrosPerRequest())
                    + (bareLoad == null ? "" : " (bare: " + us(bareLoad.serverCpuMicrosPerRequest()) + ")"), "", "info");
            row(md, "RSS under `" + r.name() + "` load (peak sample)", mb(oboroLoadRss.get(i)), "", "info");
        }
        if (afterLoadRss >= 0) row(md, "RSS 1 s after load / peak (VmHWM)", mb(afterLoadRss) + " / " + mb(peakRss), "",
                "info");
        if (!stops.isEmpty()) row(md, "Graceful stop on SIGTERM (median)", ms(median(stops)), "", "info");
        if (bareLoad != null) {
            row(md, "Bare Netty throughput (reference)", String.format(Locale.ROOT, "%.0f req/s", bareTput), "",
                    "reference");
            row(md, "Bare Netty latency p50 / p99", ms(bareLoad.p50Millis()) + " / " + ms(bareLoad.p99Millis()), "",
                    "reference");
            row(md, "Bare Netty ready / idle RSS / RSS under load", ms(bareReady) + " / " + mb(bareIdleRss) + " / "
                    + mb(bareLoadRss), "", "reference");
        }

        md.append("\n## Load runs\n\nCPU: the server's CPU time per answered request, and the cores the server and the"
                + " load generator each used while measuring (of " + Runtime.getRuntime().availableProcessors()
                + "); CPU per request stays comparable when other work shares the machine, throughput does not.\n\n"
                + "| Server | Operation | Requests | Errors | req/s | p50 | p99 | max | CPU/req | server cores |"
                + " generator cores |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        if (bareLoad != null) loadRow(md, "bare Netty", bareLoad);
        for (LoadGenerator.Result r : oboroLoads) loadRow(md, "Oboro", r);
        List<String> errors = new ArrayList<>();
        if (bareLoad != null && bareLoad.firstError() != null) errors.add("bare: " + bareLoad.firstError());
        for (LoadGenerator.Result r : oboroLoads) {
            if (r.firstError() != null) errors.add(r.name() + ": " + r.firstError());
        }
        if (!errors.isEmpty()) {
            md.append("\nFirst error per run:\n\n");
            errors.forEach(e -> md.append("- ").append(e).append('\n'));
        }
        return md.toString();
    }

    private static void loadRow(StringBuilder md, String server, LoadGenerator.Result r) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %s | %s | %s | %s | %.2f | %.2f |\n", server,
                r.name(), r.requests(), r.errors() + r.wrongAnswers(), r.throughput(), ms(r.p50Millis()),
                ms(r.p99Millis()), ms(r.maxMillis()), us(r.serverCpuMicrosPerRequest()), r.serverCores(),
                r.generatorCores()));
    }

    private static void row(StringBuilder md, String figure, String value, String target, String result) {
        md.append("| ").append(figure).append(" | ").append(value).append(" | ").append(target).append(" | ")
                .append(result).append(" |\n");
    }

    private static String verdict(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }

    static String ms(double millis) {
        if (millis < 0) return "n/a";
        if (millis < 10) return String.format(Locale.ROOT, "%.2f ms", millis);
        return String.format(Locale.ROOT, "%.0f ms", millis);
    }

    static String us(double micros) {
        if (micros < 0) return "n/a";
        return String.format(Locale.ROOT, "%.0f µs", micros);
    }

    static String mb(long bytes) {
        if (bytes < 0) return "n/a";
        return String.format(Locale.ROOT, "%.0f MB", bytes / (1024.0 * 1024.0));
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) return -1;
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(-1);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(-1);
    }
}
