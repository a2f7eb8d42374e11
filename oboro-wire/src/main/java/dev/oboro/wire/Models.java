package dev.oboro.wire;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The generated side table of every service: a small index read at start-up, and each service's
 * full model read on its first use.
 */
public final class Models {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String BASE = "/dev/oboro/wire/models/";

    /** One row of the index: enough to route a request to a service without loading its model. */
    public record Entry(String name, String sdkPackage, String protocol, List<String> protocols,
                        String signingName, String endpointPrefix, String apiVersion, String targetPrefix) {
    }

    private final Map<String, Entry> byName = new HashMap<>();
    private final Map<String, List<Entry>> bySigningName = new HashMap<>();
    private final Map<String, Entry> byTargetPrefix = new HashMap<>();
    private final Map<String, ServiceModel> loaded = new ConcurrentHashMap<>();

    public Models() {
        try (InputStream in = Models.class.getResourceAsStream(BASE + "index.json")) {
            if (in == null) throw new IllegalStateException("wire model index missing from the classpath");
            JsonNode root = MAPPER.readTree(in);
            for (JsonNode n : root.get("services")) {
                Entry e = MAPPER.treeToValue(n, Entry.class);
                byName.put(e.name(), e);
                bySigningName.computeIfAbsent(e.signingName(), k -> new ArrayList<>()).add(e);
                if (e.targetPrefix() != null) byTargetPrefix.put(e.targetPrefix(), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Entry entry(String name) {
        return byName.get(name);
    }

    public List<Entry> bySigningName(String signingName) {
        return bySigningName.getOrDefault(signingName, List.of());
    }

    public Entry byTargetPrefix(String targetPrefix) {
        return byTargetPrefix.get(targetPrefix);
    }

    public Map<String, Entry> entries() {
        return Collections.unmodifiableMap(byName);
    }

    public ServiceModel service(String name) {
        return loaded.computeIfAbsent(name, n -> {
            try (InputStream in = Models.class.getResourceAsStream(BASE + n + ".json")) {
                if (in == null) throw new IllegalArgumentException("no wire model for service " + n);
                return MAPPER.readValue(in, ServiceModel.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
