package dev.oboro.tests.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real AWS CLI against the test server. {@link #v2} is Debian's {@code awscli} package
 * ({@code /usr/bin/aws}, installed by .ci/run); {@link #v1} is an AWS CLI v1 if one is on PATH.
 */
public final class Cli {
    private Cli() {
    }

    public record Result(int exitCode, String stdout, String stderr) {
        public Result ok() {
            if (exitCode != 0) throw new AssertionError("aws exited " + exitCode + ": " + stderr + stdout);
            return this;
        }
    }

    public static final Path V2 = Path.of("/usr/bin/aws");

    /** Runs AWS CLI v2 as the given account (access key) in us-east-1. */
    public static Result v2(String account, String... args) {
        return run(V2.toString(), account, "us-east-1", args);
    }

    public static Result v2In(String account, String region, String... args) {
        return run(V2.toString(), account, region, args);
    }

    /** Runs AWS CLI v2 in us-east-1 with the given credentials (an IAM user's key, or STS temporary ones). */
    public static Result v2As(String accessKeyId, String secretAccessKey, String sessionToken, String... args) {
        List<String> cmd = new ArrayList<>(List.of(V2.toString(), "--endpoint-url", Oboro.endpoint().toString(),
                "--region", "us-east-1", "--output", "json"));
        cmd.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>(Map.of("AWS_ACCESS_KEY_ID", accessKeyId,
                "AWS_SECRET_ACCESS_KEY", secretAccessKey, "AWS_PAGER", "", "AWS_CONFIG_FILE", "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE", "/dev/null"));
        if (sessionToken != null) env.put("AWS_SESSION_TOKEN", sessionToken);
        return exec(cmd, env);
    }

    /** The AWS CLI v1 on PATH, or null if there is none. */
    public static String v1Path() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "aws");
            if (!Files.isExecutable(p) || p.equals(V2)) continue;
            Result r = exec(List.of(p.toString(), "--version"), Map.of());
            if (r.exitCode == 0 && (r.stdout + r.stderr).startsWith("aws-cli/1.")) return p.toString();
        }
        return null;
    }

    public static Result v1(String account, String... args) {
        String p = v1Path();
        if (p == null) throw new IllegalStateException("no AWS CLI v1 on PATH");
        return run(p, account, "us-east-1", args);
    }

    private static Result run(String exe, String account, String region, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe);
        cmd.add("--endpoint-url");
        cmd.add(Oboro.endpoint().toString());
        cmd.add("--region");
        cmd.add(region);
        cmd.add("--output");
        cmd.add("json");
        cmd.addAll(List.of(args));
        return exec(cmd, Map.of("AWS_ACCESS_KEY_ID", account, "AWS_SECRET_ACCESS_KEY", "test-secret",
                "AWS_PAGER", "", "AWS_CONFIG_FILE", "/dev/null", "AWS_SHARED_CREDENTIALS_FILE", "/dev/null"));
    }

    static Result exec(List<String> cmd, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("AWS_PROFILE");
        pb.environment().remove("AWS_SESSION_TOKEN");
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("aws timed out: " + cmd);
            }
            t.join();
            return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended
        }
    }
}
