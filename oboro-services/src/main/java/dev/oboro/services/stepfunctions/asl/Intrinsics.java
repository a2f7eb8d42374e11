package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Intrinsic functions of JSONPath states (States.Format ... States.UUID), with AWS's argument rules.
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 */
final class Intrinsics {
    static final Set<String> NAMES = Set.of("States.Format", "States.StringToJson", "States.JsonToString", "States.Array",
            "States.ArrayPartition", "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength",
            "States.ArrayUnique", "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge",
            "States.MathRandom", "States.MathAdd", "States.StringSplit", "States.UUID");
    private static final Map<String, Call> CACHE = new ConcurrentHashMap<>();

    sealed interface Arg permits Lit, Path, Call {}
    record Lit(JsonNode value) implements Arg {}
    record Path(String path) implements Arg {}
    record Call(String name, List<Arg> args) implements Arg {}

    private Intrinsics() {}

    static boolean looksLikeCall(String s) { return s.startsWith("States."); }

    static Call parse(String text) {
        Call c = CACHE.get(text);
        if (c == null) {
            P p = new P(text);
            c = p.call(0);
            p.ws();
            if (p.i != text.length()) throw new IllegalArgumentException("Unexpected characters after intrinsic function: " + text);
            if (CACHE.size() < 10_000) CACHE.put(text, c);
        }
        return c;
    }

    static JsonNode eval(String text, PathContext ctx) {
        Call c;
        try {
            c = parse(text);
        } catch (IllegalArgumentException e) {
            throw AslError.intrinsic(e.getMessage());
        }
        return eval(c, ctx);
    }

    private static JsonNode arg(Arg a, PathContext ctx) {
        return switch (a) {
            case Lit l -> l.value;
            case Path p -> {
                JsonNode v = ctx.resolve(p.path);
                if (v == null) throw AslError.runtime("The JsonPath argument for the field '" + p.path + "' could not be found in the input '" + Json.write(ctx.input()) + "'");
                yield v;
            }
            case Call c -> eval(c, ctx);
        };
    }

    static JsonNode eval(Call c, PathContext ctx) {
        List<JsonNode> a = new ArrayList<>(c.args.size());
        String fn = c.name;
        for (Arg x : c.args) {
            JsonNode v = arg(x, ctx);
            a.add(fn.equals("States.Format") && a.isEmpty() ? v : x instanceof Lit ? unescapeBraces(v) : v);
        }
        switch (fn) {
            case "States.Format": {
                need(fn, a, 1, Integer.MAX_VALUE);
                String tpl = str(fn, a.get(0), 1);
                StringBuilder sb = new StringBuilder();
                int argi = 1;
                for (int i = 0; i < tpl.length(); i++) {
                    char ch = tpl.charAt(i);
                    if (ch == '{' && i + 1 < tpl.length() && tpl.charAt(i + 1) == '}') {
                        if (argi >= a.size()) throw AslError.intrinsic("Number of arguments in " + fn + " do not match the number of placeholders");
                        JsonNode v = a.get(argi++);
                        if (v.isContainerNode()) throw AslError.intrinsic("The value of an argument for the intrinsic function " + fn + " must be a string, number, boolean or null");
                        sb.append(v.isTextual() ? v.textValue() : Json.write(v));
                        i++;
                    } else {
                        sb.append(ch);
                    }
                }
                if (argi != a.size()) throw AslError.intrinsic("Number of arguments in " + fn + " do not match the number of placeholders");
                return Json.text(sb.toString().replace("\u0000", ""));
            }
            case "States.StringToJson": {
                need(fn, a, 1, 1);
                String s = str(fn, a.get(0), 1);
                try {
                    return Json.parse(s);
                } catch (IllegalArgumentException e) {
                    throw AslError.intrinsic("Invalid argument for " + fn + ": the string is not valid JSON");
                }
            }
            case "States.JsonToString":
                need(fn, a, 1, 1);
                return Json.text(Json.write(a.get(0)));
            case "States.Array": {
                ArrayNode out = Json.arr();
                a.forEach(out::add);
                return out;
            }
            case "States.ArrayPartition": {
                need(fn, a, 2, 2);
                ArrayNode in = array(fn, a.get(0), 1);
                int size = integer(fn, a.get(1), 2);
                if (size <= 0) throw AslError.intrinsic("The chunk size argument provided to " + fn + " must be a positive integer");
                ArrayNode out = Json.arr();
                ArrayNode cur = null;
                for (int i = 0; i < in.size(); i++) {
                    if (i % size == 0) { cur = Json.arr(); out.add(cur); }
                    cur.add(in.get(i));
                }
                return out;
            }
            case "States.ArrayContains": {
                need(fn, a, 2, 2);
                ArrayNode in = array(fn, a.get(0), 1);
                for (JsonNode n : in) if (jsonEquals(n, a.get(1))) return Json.F.booleanNode(true);
                return Json.F.booleanNode(false);
            }
            case "States.ArrayRange": {
                need(fn, a, 3, 3);
                int start = integer(fn, a.get(0), 1), end = integer(fn, a.get(1), 2), step = integer(fn, a.get(2), 3);
                if (step == 0) throw AslError.intrinsic("The step argument provided to " + fn + " must not be 0");
                ArrayNode out = Json.arr();
                for (long v = start; step > 0 ? v <= end : v >= end; v += step) {
                    out.add(v);
                    if (out.size() > 1000) throw AslError.intrinsic("The array returned by " + fn + " cannot contain more than 1000 items");
                }
                return out;
            }
            case "States.ArrayGetItem": {
                need(fn, a, 2, 2);
                ArrayNode in = array(fn, a.get(0), 1);
                int idx = integer(fn, a.get(1), 2);
                if (idx < 0 || idx >= in.size()) throw AslError.intrinsic("The index provided to " + fn + " is out of bounds");
                return in.get(idx);
            }
            case "States.ArrayLength":
                need(fn, a, 1, 1);
                return Json.F.numberNode(array(fn, a.get(0), 1).size());
            case "States.ArrayUnique": {
                need(fn, a, 1, 1);
                ArrayNode out = Json.arr();
                outer:
                for (JsonNode n : array(fn, a.get(0), 1)) {
                    for (JsonNode m : out) if (jsonEquals(n, m)) continue outer;
                    out.add(n);
                }
                return out;
            }
            case "States.Base64Encode": {
                need(fn, a, 1, 1);
                String s = str(fn, a.get(0), 1);
                if (s.length() > 10000) throw AslError.intrinsic("The input string to " + fn + " exceeds 10000 characters");
                return Json.text(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
            }
            case "States.Base64Decode": {
                need(fn, a, 1, 1);
                String s = str(fn, a.get(0), 1);
                if (s.length() > 10000) throw AslError.intrinsic("The input string to " + fn + " exceeds 10000 characters");
                try {
                    return Json.text(new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw AslError.intrinsic("The input string to " + fn + " is not valid base64");
                }
            }
            case "States.Hash": {
                need(fn, a, 2, 2);
                JsonNode data = a.get(0);
                String s = data.isTextual() ? data.textValue() : Json.write(data);
                if (s.length() > 10000) throw AslError.intrinsic("The input data to " + fn + " exceeds 10000 characters");
                String alg = str(fn, a.get(1), 2);
                if (!Set.of("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512").contains(alg))
                    throw AslError.intrinsic("The hash algorithm provided to " + fn + " is not supported. Supported algorithms: MD5, SHA-1, SHA-256, SHA-384, SHA-512");
                try {
                    return Json.text(HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(s.getBytes(StandardCharsets.UTF_8))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            case "States.JsonMerge": {
                need(fn, a, 3, 3);
                if (!a.get(0).isObject() || !a.get(1).isObject()) throw AslError.intrinsic("The first two arguments of " + fn + " must be JSON objects");
                if (!a.get(2).isBoolean()) throw AslError.intrinsic("The third argument of " + fn + " must be a boolean");
                if (a.get(2).booleanValue()) throw AslError.intrinsic("Deep merge is not supported by " + fn + "; the third argument must be false");
                ObjectNode out = ((ObjectNode) a.get(0)).deepCopy();
                out.setAll((ObjectNode) a.get(1));
                return out;
            }
            case "States.MathRandom": {
                need(fn, a, 2, 3);
                int start = integer(fn, a.get(0), 1), end = integer(fn, a.get(1), 2);
                if (end <= start) throw AslError.intrinsic("The end argument of " + fn + " must be greater than the start argument");
                long r;
                if (a.size() == 3) r = new java.util.Random(integer(fn, a.get(2), 3)).nextLong(start, end);
                else r = ctx.random().nextLong(start, end);
                return Json.F.numberNode(r);
            }
            case "States.MathAdd": {
                need(fn, a, 2, 2);
                long x = integer(fn, a.get(0), 1), y = integer(fn, a.get(1), 2);
                return Json.F.numberNode(x + y);
            }
            case "States.StringSplit": {
                need(fn, a, 2, 2);
                String s = str(fn, a.get(0), 1), d = str(fn, a.get(1), 2);
                ArrayNode out = Json.arr();
                StringBuilder cur = new StringBuilder();
                for (int i = 0; i < s.length(); i++) {
                    char ch = s.charAt(i);
                    if (d.indexOf(ch) >= 0) {
                        if (!cur.isEmpty()) out.add(cur.toString());
                        cur.setLength(0);
                    } else {
                        cur.append(ch);
                    }
                }
                if (!cur.isEmpty()) out.add(cur.toString());
                return out;
            }
            case "States.UUID": {
                need(fn, a, 0, 0);
                return Json.text(uuid(ctx.random()).toString());
            }
            default:
                throw AslError.intrinsic("Unsupported intrinsic function: " + fn);
        }
    }

    static UUID uuid(java.util.random.RandomGenerator r) {
        long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(hi, lo);
    }

    private static boolean jsonEquals(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue()) == 0;
        return a.equals(b);
    }

    private static void need(String fn, List<JsonNode> a, int min, int max) {
        if (a.size() < min || a.size() > max) {
            String expected = min == max ? String.valueOf(min) : max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
            throw AslError.intrinsic("The intrinsic function " + fn + " expects " + expected + " argument(s) but received " + a.size());
        }
    }

    private static String str(String fn, JsonNode n, int pos) {
        if (!n.isTextual()) throw AslError.intrinsic("Argument " + pos + " of the intrinsic function " + fn + " must be a string, but was " + Json.typeName(n));
        return n.textValue();
    }

    private static ArrayNode array(String fn, JsonNode n, int pos) {
        if (!n.isArray()) throw AslError.intrinsic("Argument " + pos + " of the intrinsic function " + fn + " must be an array, but was " + Json.typeName(n));
        return (ArrayNode) n;
    }

    private static int integer(String fn, JsonNode n, int pos) {
        if (!Json.isInteger(n)) throw AslError.intrinsic("Argument " + pos + " of the intrinsic function " + fn + " must be an integer, but was " + (n.isNumber() ? "a decimal number" : Json.typeName(n)));
        return n.intValue();
    }

    /** Recursive-descent parser of the intrinsic syntax: States.Fn('str', 1, $.path, $$.ctx, $var, States.Other(...)). */
    private static final class P {
        final String s;
        int i;

        P(String s) { this.s = s; }

        void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

        Call call(int depth) {
            if (depth > 10) throw new IllegalArgumentException("Intrinsic functions can be nested at most 10 deep");
            ws();
            int st = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
            String name = s.substring(st, i);
            if (!NAMES.contains(name)) throw new IllegalArgumentException("Unsupported intrinsic function: " + name);
            ws();
            if (i >= s.length() || s.charAt(i) != '(') throw new IllegalArgumentException("Expected '(' after " + name);
            i++;
            List<Arg> args = new ArrayList<>();
            ws();
            if (i < s.length() && s.charAt(i) == ')') { i++; return new Call(name, List.copyOf(args)); }
            while (true) {
                args.add(arg(depth));
                ws();
                if (i >= s.length()) throw new IllegalArgumentException("Unterminated intrinsic function " + name);
                char c = s.charAt(i++);
                if (c == ')') break;
                if (c != ',') throw new IllegalArgumentException("Expected ',' or ')' in " + name);
            }
            return new Call(name, List.copyOf(args));
        }

        Arg arg(int depth) {
            ws();
            char c = s.charAt(i);
            if (c == '\'') {
                i++;
                StringBuilder sb = new StringBuilder();
                while (i < s.length() && s.charAt(i) != '\'') {
                    char ch = s.charAt(i++);
                    if (ch == '\\' && i < s.length()) {
                        char nx = s.charAt(i);
                        // \' \\ stay literal characters; \{ \} keep the backslash out so Format sees a literal brace
                        if (nx == '\'' || nx == '\\') { sb.append(nx); i++; continue; }
                        if (nx == '{' || nx == '}') { sb.append('\u0000').append(nx); i++; continue; }
                    }
                    sb.append(ch);
                }
                if (i >= s.length()) throw new IllegalArgumentException("Unterminated string literal");
                i++;
                return new Lit(Json.text(sb.toString()));
            }
            if (c == '$') {
                int st = i;
                int depthB = 0;
                boolean inQ = false;
                while (i < s.length()) {
                    char ch = s.charAt(i);
                    if (ch == '\'') inQ = !inQ;
                    if (!inQ) {
                        if (ch == '[' || ch == '(') depthB++;
                        else if (ch == ']') depthB--;
                        else if (ch == ')') { if (depthB == 0) break; depthB--; }
                        else if (ch == ',' && depthB == 0) break;
                    }
                    i++;
                }
                String p = s.substring(st, i).trim();
                return new Path(p);
            }
            if (s.startsWith("States.", i)) return call(depth + 1);
            int st = i;
            while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != ')') i++;
            String lit = s.substring(st, i).trim();
            try {
                JsonNode v = Json.parse(lit);
                if (v.isContainerNode()) throw new IllegalArgumentException("Invalid literal " + lit);
                return new Lit(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid argument '" + lit + "' in intrinsic function");
            }
        }
    }

    static JsonNode unescapeBraces(JsonNode n) {
        if (n.isTextual() && n.textValue().indexOf('\u0000') >= 0) return Json.text(n.textValue().replace("\u0000", ""));
        return n == null ? NullNode.instance : n;
    }
}
