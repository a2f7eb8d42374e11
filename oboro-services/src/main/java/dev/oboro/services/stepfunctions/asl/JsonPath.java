package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSONPath dialect of Step Functions (Jayway semantics): dot and bracket names, indexes (negative too),
 * wildcards, unions, slices, deep scan and filter expressions. A definite path yields one value or "not found";
 * an indefinite path yields an array of matches.
 */
final class JsonPath {
    private static final Map<String, JsonPath> CACHE = new ConcurrentHashMap<>();

    sealed interface Seg permits Name, Index, Wild, Union, Slice, Deep, Filter {}
    record Name(String name) implements Seg {}
    record Index(int index) implements Seg {}
    record Wild() implements Seg {}
    record Union(List<Object> keys) implements Seg {}
    record Slice(Integer from, Integer to, int step) implements Seg {}
    record Deep(Seg inner) implements Seg {}
    record Filter(Expr expr) implements Seg {}

    final String text;
    final List<Seg> segs;
    final boolean definite;

    private JsonPath(String text, List<Seg> segs) {
        this.text = text;
        this.segs = segs;
        boolean d = true;
        for (Seg s : segs) if (!(s instanceof Name || s instanceof Index)) d = false;
        this.definite = d;
    }

    static JsonPath compile(String path) {
        JsonPath p = CACHE.get(path);
        if (p == null) {
            p = new JsonPath(path, new Parser(path).parse());
            if (CACHE.size() < 10_000) CACHE.put(path, p);
        }
        return p;
    }

    static boolean isValid(String path) {
        try {
            compile(path);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A reference path (ResultPath) has only names and indexes. */
    boolean isReference() { return definite; }

    /** Evaluate; returns null when a definite path matches nothing. */
    JsonNode read(JsonNode root) {
        if (definite) {
            JsonNode cur = root;
            for (Seg s : segs) {
                if (s instanceof Name n) {
                    if (cur == null || !cur.isObject() || !cur.has(n.name)) return null;
                    cur = cur.get(n.name);
                } else {
                    int i = ((Index) s).index;
                    if (cur == null || !cur.isArray()) return null;
                    if (i < 0) i += cur.size();
                    if (i < 0 || i >= cur.size()) return null;
                    cur = cur.get(i);
                }
            }
            return cur;
        }
        List<JsonNode> cur = new ArrayList<>();
        cur.add(root);
        for (Seg s : segs) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode n : cur) apply(s, n, next);
            cur = next;
        }
        ArrayNode out = Json.arr();
        cur.forEach(out::add);
        return out;
    }

    private static void apply(Seg s, JsonNode n, List<JsonNode> out) {
        switch (s) {
            case Name nm -> { if (n.isObject() && n.has(nm.name)) out.add(n.get(nm.name)); }
            case Index ix -> {
                if (n.isArray()) {
                    int i = ix.index < 0 ? ix.index + n.size() : ix.index;
                    if (i >= 0 && i < n.size()) out.add(n.get(i));
                }
            }
            case Wild w -> { if (n.isObject() || n.isArray()) n.elements().forEachRemaining(out::add); }
            case Union u -> {
                for (Object k : u.keys) {
                    if (k instanceof String str) apply(new Name(str), n, out);
                    else apply(new Index((Integer) k), n, out);
                }
            }
            case Slice sl -> {
                if (!n.isArray()) return;
                int size = n.size();
                int from = sl.from == null ? 0 : sl.from < 0 ? Math.max(0, size + sl.from) : Math.min(sl.from, size);
                int to = sl.to == null ? size : sl.to < 0 ? Math.max(0, size + sl.to) : Math.min(sl.to, size);
                for (int i = from; i < to; i += Math.max(1, sl.step)) out.add(n.get(i));
            }
            case Deep d -> deep(d.inner, n, out);
            case Filter f -> {
                if (n.isArray()) { for (JsonNode c : n) if (f.expr.test(c)) out.add(c); }
                else if (n.isObject() && f.expr.test(n)) out.add(n);
            }
        }
    }

    private static void deep(Seg inner, JsonNode n, List<JsonNode> out) {
        apply(inner, n, out);
        if (n.isContainerNode()) for (JsonNode c : n) if (c.isContainerNode()) deep(inner, c, out);
    }

    /** Writes value at this reference path into a copy of root, creating objects on the way (ResultPath). */
    JsonNode set(JsonNode root, JsonNode value) {
        if (segs.isEmpty()) return value;
        if (!root.isObject() && !root.isArray()) return null;
        JsonNode copy = root.deepCopy();
        JsonNode cur = copy;
        for (int i = 0; i < segs.size(); i++) {
            Seg s = segs.get(i);
            boolean last = i == segs.size() - 1;
            if (s instanceof Name n) {
                if (!cur.isObject()) return null;
                if (last) {
                    ((ObjectNode) cur).set(n.name, value);
                } else {
                    JsonNode child = cur.get(n.name);
                    if (child == null || !(child.isContainerNode())) {
                        if (child != null && !child.isNull()) return null;
                        child = Json.obj();
                        ((ObjectNode) cur).set(n.name, child);
                    }
                    cur = child;
                }
            } else if (s instanceof Index ix) {
                if (!cur.isArray()) return null;
                int idx = ix.index < 0 ? ix.index + cur.size() : ix.index;
                if (idx < 0 || idx >= cur.size()) return null;
                if (last) ((ArrayNode) cur).set(idx, value);
                else cur = cur.get(idx);
            } else {
                return null;
            }
        }
        return copy;
    }

    /** Jayway's normalised form used in AWS messages: $['a']['b'][0]. */
    String normalized() {
        StringBuilder sb = new StringBuilder("$");
        for (Seg s : segs) {
            if (s instanceof Name n) sb.append("['").append(n.name).append("']");
            else if (s instanceof Index i) sb.append('[').append(i.index).append(']');
            else if (s instanceof Wild) sb.append("[*]");
            else sb.append("[..]");
        }
        return sb.toString();
    }

    // ---- filter expressions ----
    interface Expr { boolean test(JsonNode at); }

    private static final class Parser {
        final String s;
        int i;

        Parser(String s) { this.s = s; }

        IllegalArgumentException err() { return new IllegalArgumentException("Invalid JSONPath: " + s); }

        List<Seg> parse() {
            List<Seg> segs = new ArrayList<>();
            if (s.isEmpty() || s.charAt(0) != '$') throw err();
            i = 1;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '.') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '.') {
                        i += 2;
                        if (i < s.length() && s.charAt(i) == '[') segs.add(new Deep(bracket()));
                        else segs.add(new Deep(dotName()));
                    } else {
                        i++;
                        segs.add(dotName());
                    }
                } else if (c == '[') {
                    segs.add(bracket());
                } else {
                    throw err();
                }
            }
            return List.copyOf(segs);
        }

        Seg dotName() {
            if (i < s.length() && s.charAt(i) == '*') { i++; return new Wild(); }
            int st = i;
            while (i < s.length() && s.charAt(i) != '.' && s.charAt(i) != '[') i++;
            if (st == i) throw err();
            String name = s.substring(st, i);
            if (name.endsWith("()")) throw err(); // functions such as length() are not supported by Step Functions
            return new Name(name);
        }

        Seg bracket() {
            i++; // [
            skipWs();
            if (peek() == '*') { i++; expect(']'); return new Wild(); }
            if (peek() == '?') {
                i++;
                expect('(');
                Expr e = orExpr();
                skipWs();
                expect(')');
                skipWs();
                expect(']');
                return new Filter(e);
            }
            List<Object> keys = new ArrayList<>();
            if (peek() == '\'' || peek() == '"') {
                do {
                    skipWs();
                    keys.add(quoted());
                    skipWs();
                } while (peek() == ',' && ++i > 0);
                expect(']');
                return keys.size() == 1 ? new Name((String) keys.get(0)) : new Union(keys);
            }
            // numbers, unions or slices
            int st = i;
            while (i < s.length() && s.charAt(i) != ']') i++;
            if (i >= s.length()) throw err();
            String body = s.substring(st, i).replace(" ", "");
            i++;
            try {
                if (body.contains(":")) {
                    String[] p = body.split(":", -1);
                    Integer from = p[0].isEmpty() ? null : Integer.parseInt(p[0]);
                    Integer to = p.length > 1 && !p[1].isEmpty() ? Integer.parseInt(p[1]) : null;
                    int step = p.length > 2 && !p[2].isEmpty() ? Integer.parseInt(p[2]) : 1;
                    return new Slice(from, to, step);
                }
                if (body.contains(",")) {
                    for (String k : body.split(",")) keys.add(Integer.parseInt(k));
                    return new Union(keys);
                }
                return new Index(Integer.parseInt(body));
            } catch (NumberFormatException e) {
                throw err();
            }
        }

        String quoted() {
            char q = s.charAt(i++);
            StringBuilder sb = new StringBuilder();
            while (i < s.length() && s.charAt(i) != q) {
                char c = s.charAt(i++);
                if (c == '\\' && i < s.length()) c = s.charAt(i++);
                sb.append(c);
            }
            if (i >= s.length()) throw err();
            i++;
            return sb.toString();
        }

        char peek() { return i < s.length() ? s.charAt(i) : 0; }
        void skipWs() { while (i < s.length() && s.charAt(i) == ' ') i++; }
        void expect(char c) { skipWs(); if (peek() != c) throw err(); i++; }

        Expr orExpr() {
            Expr l = andExpr();
            skipWs();
            while (s.startsWith("||", i)) {
                i += 2;
                Expr a = l, b = andExpr();
                l = n -> a.test(n) || b.test(n);
                skipWs();
            }
            return l;
        }

        Expr andExpr() {
            Expr l = cmp();
            skipWs();
            while (s.startsWith("&&", i)) {
                i += 2;
                Expr a = l, b = cmp();
                l = n -> a.test(n) && b.test(n);
                skipWs();
            }
            return l;
        }

        Expr cmp() {
            skipWs();
            if (peek() == '!') { i++; Expr e = cmp(); return n -> !e.test(n); }
            if (peek() == '(') { i++; Expr e = orExpr(); expect(')'); return e; }
            java.util.function.Function<JsonNode, JsonNode> left = operand();
            skipWs();
            String op = null;
            for (String o : new String[] {"==", "!=", "<=", ">=", "<", ">"}) {
                if (s.startsWith(o, i)) { op = o; i += o.length(); break; }
            }
            if (op == null) return n -> { JsonNode v = left.apply(n); return v != null && !v.isMissingNode(); };
            skipWs();
            java.util.function.Function<JsonNode, JsonNode> right = operand();
            String fop = op;
            return n -> compare(left.apply(n), right.apply(n), fop);
        }

        java.util.function.Function<JsonNode, JsonNode> operand() {
            skipWs();
            char c = peek();
            if (c == '@') {
                int st = i;
                i++;
                while (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == '[' || Character.isLetterOrDigit(s.charAt(i))
                        || s.charAt(i) == '_' || s.charAt(i) == '\'' || s.charAt(i) == ']' || s.charAt(i) == '-')) {
                    if (s.charAt(i) == '[') { while (i < s.length() && s.charAt(i) != ']') i++; }
                    i++;
                }
                JsonPath p = compile("$" + s.substring(st + 1, i));
                return p::read;
            }
            if (c == '\'' || c == '"') { String v = quoted(); JsonNode t = Json.text(v); return n -> t; }
            int st = i;
            while (i < s.length() && "0123456789.-+eE".indexOf(s.charAt(i)) >= 0) i++;
            if (st != i) { JsonNode num = Json.F.numberNode(new BigDecimal(s.substring(st, i))); return n -> num; }
            for (String lit : new String[] {"true", "false", "null"}) {
                if (s.startsWith(lit, i)) { i += lit.length(); JsonNode v = Json.parse(lit); return n -> v; }
            }
            throw err();
        }

        static boolean compare(JsonNode a, JsonNode b, String op) {
            if (a == null || b == null) return false;
            int c;
            if (a.isNumber() && b.isNumber()) c = a.decimalValue().compareTo(b.decimalValue());
            else if (a.isTextual() && b.isTextual()) c = a.textValue().compareTo(b.textValue());
            else {
                boolean eq = a.equals(b);
                return switch (op) { case "==" -> eq; case "!=" -> !eq; default -> false; };
            }
            return switch (op) {
                case "==" -> c == 0; case "!=" -> c != 0; case "<" -> c < 0; case "<=" -> c <= 0; case ">" -> c > 0; default -> c >= 0;
            };
        }
    }

    @Override public String toString() { return text; }

    static Iterator<String> names(JsonNode o) { return o.fieldNames(); }
}
