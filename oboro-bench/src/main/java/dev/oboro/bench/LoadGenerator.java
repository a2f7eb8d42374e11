package dev.oboro.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A closed-loop load generator: {@code connections} workers, each with its own keep-alive socket,
 * send a {@link RequestTemplate} back to back for a warm-up and then a measured period. Only
 * requests that start and finish inside the measured period count. Every loop is bounded by the
 * deadline, every read by a socket timeout, so a run always ends on time.
 */
final class LoadGenerator {

    /** Outcome of one run. */
    record Result(String name, int connections, long requests, long errors, long wrongAnswers, double seconds,
                  Histogram latency, String firstError, long serverCpuNanos, long generatorCpuNanos) {
        double throughput() {
            return requests / seconds;
        }

        /** CPU time the server spent per answered request, in microseconds (-1 if unknown). */
        double serverCpuMicrosPerRequest() {
            return serverCpuNanos < 0 || requests == 0 ? -1 : serverCpuNanos / 1e3 / requests;
        }

        /** Share of one core the server used, in cores (e.g. 1.3 of 2). */
        double serverCores() {
            return serverCpuNanos < 0 ? -1 : serverCpuNanos / 1e9 / seconds;
        }

        double generatorCores() {
            return generatorCpuNanos < 0 ? -1 : generatorCpuNanos / 1e9 / seconds;
        }

        double p50Millis() {
            return latency.quantileNanos(0.50) / 1e6;
        }

        double p99Millis() {
            return latency.quantileNanos(0.99) / 1e6;
        }

        double maxMillis() {
            return latency.maxNanos() / 1e6;
        }
    }

    /**
     * The {{seq}} numbers: unique across every request of the bench run (and, started from the
     * clock, across runs), so mutating operations never collide with an earlier name.
     */
    private static final AtomicLong SEQ = new AtomicLong(System.currentTimeMillis() * 1000);

    static long nextSeq() {
        return SEQ.incrementAndGet();
    }

    private final InetSocketAddress address;
    private final int connections;
    private final boolean virtualThreads;

    LoadGenerator(InetSocketAddress address, int connections, boolean virtualThreads) {
        this.address = address;
        this.connections = connections;
        this.virtualThreads = virtualThreads;
    }

    /**
     * Runs the load; {@code serverCpuNanos} reads the server's CPU time (e.g. from /proc), sampled at
     * the start and end of the measured period.
     */
    Result run(RequestTemplate template, Duration warmup, Duration measure, LongSupplier serverCpuNanos)
            throws InterruptedException {
        RequestTemplate.Rendered request = template.render(address.getHostString() + ":" + address.getPort());
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + measure.toNanos();
        AtomicReference<String> firstError = new AtomicReference<>();
        Worker[] workers = new Worker[connections];
        List<Thread> threads = new ArrayList<>(connections);
        ThreadFactory factory = virtualThreads
                ? Thread.ofVirtual().name("load-", 0).factory()
                : Thread.ofPlatform().daemon().name("load-", 0).factory();
        for (int i = 0; i < connections; i++) {
            Worker w = new Worker(request, template.expect(), measureFrom, end, firstError);
            workers[i] = w;
            Thread t = factory.newThread(w);
            threads.add(t);
            t.start();
        }
        sleepUntil(measureFrom);
        long serverCpu0 = serverCpuNanos.getAsLong();
        long ownCpu0 = ownCpuNanos();
        sleepUntil(end);
        long serverCpu1 = serverCpuNanos.getAsLong();
        long ownCpu1 = ownCpuNanos();
        long joinBy = end + Duration.ofSeconds(15).toNanos();
        for (Thread t : threads) {
            long left = joinBy - System.nanoTime();
            if (left > 0) t.join(Duration.ofNanos(left));
            t.interrupt();
        }
        Histogram all = new Histogram();
        long errors = 0;
        long wrong = 0;
        for (Worker w : workers) {
            all.add(w.latency);
            errors += w.errors;
            wrong += w.wrongAnswers;
        }
        double seconds = measure.toNanos() / 1e9;
        return new Result(template.name(), connections, all.count(), errors, wrong, seconds, all, firstError.get(),
                serverCpu0 < 0 || serverCpu1 < 0 ? -1 : serverCpu1 - serverCpu0,
                ownCpu0 < 0 || ownCpu1 < 0 ? -1 : ownCpu1 - ownCpu0);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

    private static long ownCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private final class Worker implements Runnable {
        private final RequestTemplate.Rendered request;
        private final String expect;
        private final long measureFrom;
        private final long end;
        private final AtomicReference<String> firstError;
        final Histogram latency = new Histogram();
        long errors;
        long wrongAnswers;

        Worker(RequestTemplate.Rendered request, String expect, long measureFrom, long end,
               AtomicReference<String> firstError) {
            this.request = request;
            this.expect = expect;
            this.measureFrom = measureFrom;
            this.end = end;
            this.firstError = firstError;
        }

        @Override
        public void run() {
            HttpConnection conn = null;
            boolean checked = false;
            try {
                while (System.nanoTime() < end) {
                    try {
                        if (conn == null) {
                            conn = new HttpConnection(address, 2000, 5000);
                            checked = false;
                        }
                        byte[] bytes = request.bytes(nextSeq());
                        long t0 = System.nanoTime();
                        int status = conn.exchange(bytes);
                        long t1 = System.nanoTime();
                        boolean ok = status >= 200 && status < 300;
                        if (ok && !checked && expect != null) {
                            checked = true;
                            if (!conn.bodyText().contains(expect)) {
                                ok = false;
                                wrongAnswers++;
                                note("HTTP " + status + " without '" + expect + "': " + snippet(conn.bodyText()));
                            }
                        } else if (!ok) {
                            note("HTTP " + status + ": " + snippet(conn.bodyText()));
                        }
                        if (t0 >= measureFrom && t1 <= end) {
                            if (ok) latency.record(t1 - t0);
                            else errors++;
                        }
                        if (conn.closeAfter) {
                            conn.close();
                            conn = null;
                        }
                    } catch (IOException | RuntimeException e) {
                        if (System.nanoTime() >= measureFrom) errors++;
                        note(e.toString());
                        if (conn != null) conn.close();
                        conn = null;
                        // Back off briefly so a dead server does not turn into a busy loop.
                        Thread.sleep(10);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (conn != null) conn.close();
            }
        }

        private void note(String error) {
            firstError.compareAndSet(null, error);
        }
    }

    static String snippet(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }
}
