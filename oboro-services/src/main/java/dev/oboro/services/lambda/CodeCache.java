package dev.oboro.services.lambda;

import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Deployment packages and layer contents: stored in the {@code lambda.code} table (content
 * addressed by SHA-256, so versions sharing code share one row) and extracted on first use into a
 * scratch directory, where execution environments find their task root and their {@code /opt}.
 *
 * <p>{@code /opt} cannot be the real {@code /opt} without containers: each distinct list of layers
 * gets its own directory, the layers extracted into it in order (a later layer's file replaces an
 * earlier one's, as Lambda documents), and runtimes get it through their search paths.
 */
final class CodeCache {
    /** A stored package: its hex SHA-256 (the key), base64 SHA-256 (as Lambda reports CodeSha256) and size. */
    record Stored(String hex, String sha256, long size) {
    }

    private final LambdaState state;
    private final Path root;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    CodeCache(LambdaState state) {
        this.state = state;
        try {
            this.root = Files.createTempDirectory("oboro-lambda-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
    }

    Path root() {
        return root;
    }

    /** Validates and stores a zip; Lambda refuses anything it cannot unzip. */
    Stored store(Scope scope, byte[] zip) {
        if (zip == null || zip.length == 0 || !isZip(zip)) {
            throw new AwsException("InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.");
        }
        byte[] digest = sha256(zip);
        String hex = HexFormat.of().formatHex(digest);
        if (!state.code.contains(scope, hex)) state.code.put(scope, hex, new LambdaState.Code(hex, zip));
        return new Stored(hex, Base64.getEncoder().encodeToString(digest), zip.length);
    }

    byte[] bytes(Scope scope, String hex) {
        LambdaState.Code c = state.code.get(scope, hex);
        return c == null ? null : c.zip();
    }

    /** The extracted package (the task root), extracting it on first use. */
    Path extracted(Scope scope, String hex) {
        Path dir = root.resolve("code").resolve(hex);
        synchronized (locks.computeIfAbsent("code/" + hex, k -> new Object())) {
            if (Files.isDirectory(dir)) return dir;
            byte[] zip = bytes(scope, hex);
            if (zip == null) throw new IllegalStateException("code " + hex + " is not stored");
            Path tmp = root.resolve("code").resolve(hex + ".tmp");
            deleteTree(tmp);
            extract(zip, tmp);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return dir;
        }
    }

    /** One layer's content: where it is stored (the layer's account and region) and its hex SHA-256. */
    record Part(Scope scope, String hex) {
    }

    /** The {@code /opt} of a list of layers, in order, or null when there are none. */
    Path opt(List<Part> layers) {
        if (layers.isEmpty()) return null;
        StringBuilder joined = new StringBuilder();
        layers.forEach(l -> joined.append(l.hex()).append(','));
        String key = HexFormat.of().formatHex(sha256(joined.toString().getBytes(StandardCharsets.UTF_8)));
        Path dir = root.resolve("opt").resolve(key);
        synchronized (locks.computeIfAbsent("opt/" + key, k -> new Object())) {
            if (Files.isDirectory(dir)) return dir;
            Path tmp = root.resolve("opt").resolve(key + ".tmp");
            deleteTree(tmp);
            for (Part l : layers) {
                byte[] zip = bytes(l.scope(), l.hex());
                if (zip != null) extract(zip, tmp);
            }
            try {
                Files.createDirectories(tmp);
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return dir;
        }
    }

    /** Drops stored packages that no function, version or layer refers to any more. */
    void collect(Scope scope) {
        Set<String> used = new java.util.HashSet<>();
        state.functions.values(scope).forEach(f -> used.add(hexOf(f.configuration().codeSha256())));
        state.versions.values(scope).forEach(v -> used.add(hexOf(v.configuration().codeSha256())));
        state.layers.values(scope).forEach(l -> used.add(l.codeSha256Hex()));
        for (String hex : List.copyOf(state.code.entries(scope).keySet())) {
            if (!used.contains(hex)) state.code.remove(scope, hex);
        }
    }

    static String hexOf(String base64Sha) {
        return base64Sha == null ? "" : HexFormat.of().formatHex(Base64.getDecoder().decode(base64Sha));
    }

    // ------------------------------------------------------------------ zip

    private static boolean isZip(byte[] zip) {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            boolean any = false;
            while ((e = in.getNextEntry()) != null) {
                any = true;
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return any;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Extracts a zip into {@code dir}, keeping the Unix modes recorded in the archive (executables stay executable). */
    static void extract(byte[] zip, Path dir) {
        Map<String, Integer> modes = unixModes(zip);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            Files.createDirectories(dir);
            Path base = dir.toAbsolutePath().normalize();
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                Path target = base.resolve(e.getName()).normalize();
                if (!target.startsWith(base)) continue; // "zip slip": an entry may not leave the directory
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                copy(in, target);
                Integer mode = modes.get(e.getName());
                boolean exec = mode != null && (mode & 0111) != 0;
                // Lambda needs `bootstrap` executable; zips written without Unix modes (Java, Windows) do not say so.
                String file = target.getFileName().toString();
                if (exec || file.equals("bootstrap") || target.getParent().getFileName().toString().equals("bin")) {
                    Files.setPosixFilePermissions(target, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void copy(InputStream in, Path target) throws IOException {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Unix modes from the zip's central directory (external attributes of entries made on Unix). */
    private static Map<String, Integer> unixModes(byte[] zip) {
        Map<String, Integer> out = new HashMap<>();
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
            if (b.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) return out;
        int count = Short.toUnsignedInt(b.getShort(eocd + 10));
        long offset = Integer.toUnsignedLong(b.getInt(eocd + 16));
        int p = (int) offset;
        for (int n = 0; n < count && p + 46 <= zip.length; n++) {
            if (b.getInt(p) != 0x02014b50) break;
            int madeBy = Short.toUnsignedInt(b.getShort(p + 4)) >> 8;
            int nameLen = Short.toUnsignedInt(b.getShort(p + 28));
            int extraLen = Short.toUnsignedInt(b.getShort(p + 30));
            int commentLen = Short.toUnsignedInt(b.getShort(p + 32));
            int ext = b.getInt(p + 38);
            String name = new String(zip, p + 46, nameLen, StandardCharsets.UTF_8);
            if (madeBy == 3) out.put(name, ext >>> 16);
            p += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
