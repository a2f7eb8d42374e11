package dev.oboro.services.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The runtime programs Oboro ships (the Python and Node.js Runtime API clients), copied out of
 * the jar once into a directory that is each environment's {@code LAMBDA_RUNTIME_DIR}.
 */
final class Bootstraps {
    private static volatile Path dir;

    private Bootstraps() {
    }

    static Path dir() {
        Path d = dir;
        if (d != null) return d;
        synchronized (Bootstraps.class) {
            if (dir != null) return dir;
            try {
                Path tmp = Files.createTempDirectory("oboro-lambda-runtime-");
                copy("python/bootstrap.py", tmp);
                copy("node/bootstrap.js", tmp);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> CodeCache.deleteTree(tmp)));
                dir = tmp;
                return tmp;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void copy(String name, Path dir) throws IOException {
        try (InputStream in = Bootstraps.class.getResourceAsStream("runtime/" + name)) {
            if (in == null) throw new IllegalStateException("missing runtime resource " + name);
            Path target = dir.resolve(name);
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static Path python() {
        return dir().resolve("python/bootstrap.py");
    }

    static Path node() {
        return dir().resolve("node/bootstrap.js");
    }
}
