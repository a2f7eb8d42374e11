package dev.oboro.core.store;

import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads SQLite's native library from a cache directory. Left alone, sqlite-jdbc extracts the
 * library into the temporary directory on every start, compares it byte for byte with the jar's
 * copy and scans the whole temporary directory for stale copies: a noticeable part of Oboro's
 * start-up. Here it is extracted once per sqlite-jdbc version (under {@code $XDG_CACHE_HOME/oboro}
 * or {@code ~/.cache/oboro}) and loaded from there through sqlite-jdbc's own
 * {@code org.sqlite.lib.path} setting. Anything unusual (the user set the path, no native library for
 * this platform in the jar, a cache that can't be written) leaves sqlite-jdbc's default behaviour.
 */
final class SqliteNative {
    private SqliteNative() {
    }

    private static boolean prepared;

    static synchronized void prepare() {
        if (prepared || System.getProperty("org.sqlite.lib.path") != null) return;
        prepared = true;
        try {
            String folder = LibraryLoaderUtil.getNativeLibResourcePath();
            String resource = (folder.startsWith("/") ? "" : "/") + folder + "/" + LibraryLoaderUtil.getNativeLibName();
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path cache = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                    .resolve("oboro").resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion());
            Path lib = cache.resolve(LibraryLoaderUtil.getNativeLibName());
            if (!Files.isRegularFile(lib)) {
                try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
                    if (in == null) return;
                    Files.createDirectories(cache);
                    Path tmp = Files.createTempFile(cache, "lib", ".part");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.setProperty("org.sqlite.lib.path", cache.toString());
            System.setProperty("org.sqlite.lib.name", lib.getFileName().toString());
            // its clean-up of stale extractions then scans this small directory, not the whole of /tmp
            if (System.getProperty("org.sqlite.tmpdir") == null) System.setProperty("org.sqlite.tmpdir", cache.toString());
        } catch (IOException | RuntimeException e) {
            // sqlite-jdbc extracts the library itself
        }
    }
}
