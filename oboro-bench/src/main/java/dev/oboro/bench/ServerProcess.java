package dev.oboro.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test, run as a child process: started, polled until it answers, measured through
 * /proc, stopped with SIGTERM. Its output is kept (last lines) for diagnosing a failed start.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ready on \\S+ in (\\d+) ms");

    final String label;
    final InetSocketAddress address;
    private final Process process;
    private final long startedNanos;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private volatile long reportedReadyMillis = -1;
    private volatile long readyLineNanos = -1;

    private ServerProcess(String label, InetSocketAddress address, Process process, long startedNanos) {
        this.label = label;
        this.address = address;
        this.process = process;
        this.startedNanos = startedNanos;
        Thread.ofPlatform().daemon().name(label + "-out").start(this::pump);
    }

    /** Spawns {@code command} (its argument list must already carry --port etc.). */
    static ServerProcess start(String label, List<String> command, InetSocketAddress address) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long t0 = System.nanoTime();
        Process p = pb.start();
        return new ServerProcess(label, address, p, t0);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The "in N ms" the server printed on its ready line, or -1. */
    long reportedReadyMillis() {
        return reportedReadyMillis;
    }

    /** Time from spawn to the ready line on stdout, or -1. */
    double readyLineMillis() {
        long t = readyLineNanos;
        return t < 0 ? -1 : (t - startedNanos) / 1e6;
    }

    double millisSinceStart() {
        return (System.nanoTime() - startedNanos) / 1e6;
    }

    /**
     * Polls {@code GET path} every millisecond until it answers 200; returns the time from spawn to
     * that answer in milliseconds.
     */
    double awaitAnswer(String path, Duration timeout) throws IOException, InterruptedException {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(label + " exited with code " + process.exitValue() + " before answering:\n"
                        + output());
            }
            try (HttpConnection c = new HttpConnection(address, 200, 2000)) {
                int status = c.exchange(request);
                if (status == 200) return (System.nanoTime() - startedNanos) / 1e6;
                last = "HTTP " + status + " " + LoadGenerator.snippet(c.bodyText());
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(1);
        }
        throw new IOException(label + " did not answer " + path + " within " + timeout + " (" + last + "):\n"
                + output());
    }

    /** CPU time (user + system) the process has used so far, in ns, or -1. */
    long cpuNanos() {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** Resident set size in bytes (VmRSS), or -1 where /proc is not available. */
    long rssBytes() {
        return procStatus("VmRSS:");
    }

    /** Peak resident set size in bytes (VmHWM), or -1. */
    long peakRssBytes() {
        return procStatus("VmHWM:");
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    String output() {
        synchronized (lastLines) {
            return String.join("\n", new ArrayList<>(lastLines));
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (readyLineNanos < 0) {
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        readyLineNanos = System.nanoTime();
                        reportedReadyMillis = Long.parseLong(m.group(1));
                    }
                }
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > 60) lastLines.removeFirst();
                }
            }
        } catch (IOException e) {
            // process ended
        }
    }

    /** SIGTERM, then SIGKILL after a grace period. Returns the time the graceful stop took, in ms. */
    double stop() throws InterruptedException {
        long t0 = System.nanoTime();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
