package dev.oboro.server;

import dev.oboro.core.Config;
import dev.oboro.core.Oboro;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/** {@code java -jar oboro-server-all.jar [--port N] [--host H] [--data-dir DIR] [--ephemeral] [--account ID]} */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Config config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("oboro: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        OboroServer server;
        try {
            server = OboroServer.start(config);
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            String why = root instanceof java.net.BindException
                    ? "port " + config.port() + " on " + config.host() + " is in use (choose another with --port)"
                    : String.valueOf(e.getMessage());
            System.err.println("oboro: could not start: " + why);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "oboro-shutdown"));
        long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("Oboro " + Oboro.version() + " ready on " + server.endpoint() + " in " + ms + " ms"
                + (config.ephemeral() ? " (ephemeral)" : " (state in " + config.dataDir() + ")"));
        System.out.flush();
    }

    static Config parse(String[] args) {
        Config c = Config.defaults();
        String port = System.getenv("OBORO_PORT");
        if (port != null && !port.isBlank()) c = c.withPort(Integer.parseInt(port.trim()));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> c = c.withPort(Integer.parseInt(value(args, ++i, a)));
                case "--host" -> c = c.withHost(value(args, ++i, a));
                case "--data-dir" -> c = c.withDataDir(Path.of(value(args, ++i, a)));
                case "--ephemeral" -> c = c.withEphemeral(true);
                case "--account" -> c = c.withDefaultAccount(value(args, ++i, a));
                case "-h", "--help" -> {
                    System.out.println(usage());
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return c;
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) throw new IllegalArgumentException(opt + " needs a value");
        return args[i];
    }

    static String usage() {
        return "usage: oboro [--port N (4566)] [--host H (127.0.0.1)] [--data-dir DIR (~/.local/share/oboro)] [--ephemeral] [--account ID]";
    }
}
