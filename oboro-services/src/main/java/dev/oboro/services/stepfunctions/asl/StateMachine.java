package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed state machine definition. Parsing only builds the structure (scopes and states); field values are
 * read from the JSON at run time. Call {@link Validator#validate} first: parsing assumes a valid definition.
 */
public final class StateMachine {
    /** One list of states with a StartAt: the machine itself, a Parallel branch or a Map's ItemProcessor. */
    static final class Scope {
        final String id;
        final String startAt;
        final Map<String, StateDef> states = new LinkedHashMap<>();
        final boolean jsonata;

        Scope(String id, JsonNode node, boolean jsonata, Map<String, Scope> all) {
            this.id = id;
            this.startAt = node.path("StartAt").asText();
            boolean ql = node.has("QueryLanguage") ? "JSONata".equals(node.get("QueryLanguage").asText()) : jsonata;
            this.jsonata = ql;
            all.put(id, this);
            node.path("States").fields().forEachRemaining(e -> states.put(e.getKey(), new StateDef(this, e.getKey(), e.getValue(), ql, all)));
        }
    }

    static final class StateDef {
        final Scope scope;
        final String name;
        final String type;
        final JsonNode node;
        final boolean jsonata;
        final String next;
        final boolean end;
        final List<Scope> branches = new ArrayList<>();
        final Scope processor;

        StateDef(Scope scope, String name, JsonNode node, boolean defaultJsonata, Map<String, Scope> all) {
            this.scope = scope;
            this.name = name;
            this.node = node;
            this.type = node.path("Type").asText();
            this.jsonata = node.has("QueryLanguage") ? "JSONata".equals(node.get("QueryLanguage").asText()) : defaultJsonata;
            this.next = node.hasNonNull("Next") ? node.get("Next").asText() : null;
            this.end = node.path("End").asBoolean(false);
            if (type.equals("Parallel")) {
                int i = 0;
                for (JsonNode b : node.path("Branches")) branches.add(new Scope(scope.id + "/" + name + "#" + i++, b, scope.jsonata, all));
            }
            JsonNode proc = node.has("ItemProcessor") ? node.get("ItemProcessor") : node.get("Iterator");
            this.processor = type.equals("Map") && proc != null ? new Scope(scope.id + "/" + name + "#map", proc, scope.jsonata, all) : null;
        }

        JsonNode get(String field) {
            JsonNode v = node.get(field);
            return v == null || v.isMissingNode() ? null : v;
        }

        boolean has(String field) { return node.has(field); }

        String text(String field) {
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }

        boolean isDistributedMap() {
            JsonNode proc = node.has("ItemProcessor") ? node.get("ItemProcessor") : null;
            return proc != null && "DISTRIBUTED".equals(proc.path("ProcessorConfig").path("Mode").asText());
        }
    }

    final JsonNode definition;
    final String source;
    final Scope root;
    final Map<String, Scope> scopes = new LinkedHashMap<>();

    private StateMachine(String source, JsonNode definition) {
        this.source = source;
        this.definition = definition;
        this.root = new Scope("", definition, false, scopes);
    }

    /** Parse a definition that {@link Validator} accepted. */
    public static StateMachine parse(String definition) {
        return new StateMachine(definition, Json.parse(definition));
    }

    public String definition() { return source; }

    Integer timeoutSeconds() {
        JsonNode t = definition.get("TimeoutSeconds");
        return t == null ? null : t.intValue();
    }

    StateDef state(String scopeId, String name) {
        Scope s = scopes.get(scopeId);
        return s == null ? null : s.states.get(name);
    }
}
