package dev.oboro.tests.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An Oboro in its own JVM process, for tests that kill and restart it. */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ready on (http://\\S+)");
    private final Process process;
    private final URI endpoint;

    private ServerProcess(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    public static ServerProcess start(Path dataDir) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.oboro.server.Main", "--port", "0", "--data-dir", dataDir.toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<URI> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    StringBuilder seen = new StringBuilder();
                    while ((line = out.readLine()) != null) {
                        Matcher m = READY.matcher(line);
                        if (m.find()) {
                            Thread.ofVirtual().start(() -> drain(out));
                            return URI.create(m.group(1));
                        }
                        seen.append(line).append('\n');
                    }
                    throw new IllegalStateException("server exited before ready:\n" + seen);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            return new ServerProcess(p, ready.get(180, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("could not start Oboro: " + e.getMessage(), e);
        }
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // keep the pipe flowing
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** SIGKILL: no shutdown hook, no flush. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: graceful shutdown. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill9();
    }
}
