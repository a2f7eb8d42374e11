package dev.oboro.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.store.StateJson;
import dev.oboro.wire.WireRequest;
import dev.oboro.wire.WireResponse;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Oboro's own control surface under {@code /_oboro/}: health, services, reset, clock, state
 * export/import and faults. {@code POST /moto-api/reset} is accepted as an alias of reset.
 */
public final class Admin {
    private static final ObjectMapper JSON = StateJson.MAPPER;

    /** A fault a service offers: takes the JSON request, answers JSON. */
    public interface Fault extends Function<JsonNode, JsonNode> {
    }

    private final Oboro oboro;
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();

    Admin(Oboro oboro) {
        this.oboro = oboro;
    }

    /** Registers a fault, e.g. {@code ec2.instance-status}, reachable as {@code POST /_oboro/faults/<name>}. */
    public void registerFault(String name, Fault fault) {
        faults.put(name, fault);
    }

    WireResponse handle(WireRequest req) {
        String path = req.path();
        if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
        String m = req.method();
        try {
            return switch (path) {
                case "/_oboro/health" -> json(200, health());
                case "/_oboro/services" -> json(200, services());
                case "/_oboro/reset", "/moto-api/reset" -> m.equals("POST") ? reset() : notAllowed();
                case "/_oboro/clock" -> m.equals("POST") ? advanceClock(req) : json(200, clock());
                case "/_oboro/state" -> m.equals("POST") ? importState(req) : json(200, oboro.store().export());
                default -> path.startsWith("/_oboro/faults") ? fault(req, path) : json(404, message("no such endpoint: " + path));
            };
        } catch (IllegalArgumentException e) {
            return json(400, message(e.getMessage()));
        }
    }

    private ObjectNode health() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("status", "running");
        n.put("version", Oboro.version());
        n.put("uptimeSeconds", Duration.between(oboro.startedAt(), oboro.clock().instant()).toSeconds());
        n.put("time", oboro.clock().instant().toString());
        n.put("durable", oboro.store().durable());
        n.set("services", services());
        return n;
    }

    private ObjectNode services() {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        for (String name : oboro.services().names()) {
            s.put(name, oboro.services().isLoaded(name) ? "running" : "available");
        }
        return s;
    }

    private WireResponse reset() {
        oboro.store().reset();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("reset", true);
        return json(200, n);
    }

    private ObjectNode clock() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("now", oboro.clock().instant().toString());
        n.put("offsetSeconds", oboro.clock().offsetNanos() / 1e9);
        n.put("pendingTasks", oboro.scheduler().pending());
        return n;
    }

    private WireResponse advanceClock(WireRequest req) {
        JsonNode body = body(req);
        Duration by;
        if (body.has("advance")) {
            JsonNode a = body.get("advance");
            by = a.isNumber() ? Duration.ofMillis((long) (a.asDouble() * 1000)) : parseDuration(a.asText());
        } else if (body.has("to")) {
            Instant to = Instant.parse(body.get("to").asText());
            by = Duration.between(oboro.clock().instant(), to);
            if (by.isNegative()) throw new IllegalArgumentException("the clock cannot go backwards");
        } else {
            throw new IllegalArgumentException("expected {\"advance\":\"PT1H\"} or {\"to\":\"<instant>\"}");
        }
        if (by.isNegative()) throw new IllegalArgumentException("the clock cannot go backwards");
        oboro.scheduler().advance(by);
        return json(200, clock());
    }

    private static Duration parseDuration(String s) {
        try {
            return Duration.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 duration: " + s);
        }
    }

    private WireResponse importState(WireRequest req) {
        oboro.store().importState(body(req));
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("imported", true);
        return json(200, n);
    }

    private WireResponse fault(WireRequest req, String path) {
        if (path.equals("/_oboro/faults")) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            faults.keySet().stream().sorted().forEach(a::add);
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.set("faults", a);
            return json(200, n);
        }
        String name = path.substring("/_oboro/faults/".length());
        Fault f = faults.get(name);
        if (f == null) {
            // the fault's service may not be loaded yet: load it and look again
            String service = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
            if (oboro.services().has(service)) oboro.services().ensureLoaded(service);
            f = faults.get(name);
        }
        if (f == null) return json(404, message("no such fault: " + name));
        return json(200, f.apply(body(req)));
    }

    private static JsonNode body(WireRequest req) {
        if (req.body() == null || req.body().length == 0) return JsonNodeFactory.instance.objectNode();
        try {
            return JSON.readTree(req.body());
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON body");
        }
    }

    private static ObjectNode message(String m) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("message", m);
        return n;
    }

    private static WireResponse notAllowed() {
        return json(405, message("method not allowed"));
    }

    static WireResponse json(int status, JsonNode n) {
        try {
            return WireResponse.of(status, "application/json", JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
