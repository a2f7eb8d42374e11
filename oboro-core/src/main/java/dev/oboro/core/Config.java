package dev.oboro.core;

import java.nio.file.Path;

/** Start-up settings. */
public record Config(String host, int port, Path dataDir, boolean ephemeral, String defaultAccount, String defaultRegion) {
    public static final int DEFAULT_PORT = 4566;

    public static Config defaults() {
        return new Config("127.0.0.1", DEFAULT_PORT, defaultDataDir(), false, "000000000000", "us-east-1");
    }

    public static Path defaultDataDir() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("oboro");
    }

    public Config withPort(int p) {
        return new Config(host, p, dataDir, ephemeral, defaultAccount, defaultRegion);
    }

    public Config withHost(String h) {
        return new Config(h, port, dataDir, ephemeral, defaultAccount, defaultRegion);
    }

    public Config withDataDir(Path d) {
        return new Config(host, port, d, ephemeral, defaultAccount, defaultRegion);
    }

    public Config withEphemeral(boolean e) {
        return new Config(host, port, dataDir, e, defaultAccount, defaultRegion);
    }

    public Config withDefaultAccount(String a) {
        return new Config(host, port, dataDir, ephemeral, a, defaultRegion);
    }
}
