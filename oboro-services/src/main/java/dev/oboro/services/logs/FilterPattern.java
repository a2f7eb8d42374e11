package dev.oboro.services.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.wire.AwsException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * CloudWatch Logs filter patterns
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
 * <ul>
 *   <li>terms: {@code ERROR}, {@code "quoted phrase"}, {@code -excluded}, {@code ?either ?or}; matching is
 *       case-sensitive substring; plain terms must all match, {@code ?} terms at least one of them;</li>
 *   <li>regular expressions: {@code %ERROR|WARN%};</li>
 *   <li>JSON: {@code { $.level = "ERROR" && ($.latency > 100 || $.user.id != 7) }} with = != &lt; &gt; &lt;= &gt;=,
 *       {@code *} wildcards in strings, {@code IS NULL}, {@code IS TRUE|FALSE}, {@code NOT EXISTS};</li>
 *   <li>space-delimited: {@code [ip, user, ..., status=4*, size>1000]}, where {@code ...} stands for any number
 *       of fields and {@code "..."} or {@code [...]} groups are one field.</li>
 * </ul>
 */
abstract class FilterPattern {
    private static final ObjectMapper JSON = new ObjectMapper();

    abstract boolean matches(String message);

    static FilterPattern parse(String text) {
        if (text == null || text.isBlank()) return ALL;
        String t = text.strip();
        try {
            if (t.startsWith("{")) return new JsonPattern(t);
            if (t.startsWith("[")) return new DelimitedPattern(t);
            if (t.length() >= 2 && t.startsWith("%") && t.endsWith("%")) {
                Pattern p = Pattern.compile(t.substring(1, t.length() - 1));
                return new FilterPattern() {
                    @Override
                    boolean matches(String message) {
                        return p.matcher(message).find();
                    }
                };
            }
            return new TermPattern(t);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw invalid();
        }
    }

    static AwsException invalid() {
        return new AwsException("InvalidParameterException", "Invalid filter pattern");
    }

    private static final FilterPattern ALL = new FilterPattern() {
        @Override
        boolean matches(String message) {
            return true;
        }
    };

    // ------------------------------------------------------------------ terms

    private static final class TermPattern extends FilterPattern {
        final List<String> required = new ArrayList<>();
        final List<String> excluded = new ArrayList<>();
        final List<String> optional = new ArrayList<>();

        TermPattern(String text) {
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                    continue;
                }
                List<String> target = required;
                if (c == '-' || c == '?') {
                    target = c == '-' ? excluded : optional;
                    i++;
                }
                String term;
                if (i < text.length() && text.charAt(i) == '"') {
                    int end = text.indexOf('"', i + 1);
                    if (end < 0) throw invalid();
                    term = text.substring(i + 1, end);
                    i = end + 1;
                } else {
                    int end = i;
                    while (end < text.length() && !Character.isWhitespace(text.charAt(end))) end++;
                    term = text.substring(i, end);
                    i = end;
                }
                if (!term.isEmpty()) target.add(term);
            }
        }

        @Override
        boolean matches(String message) {
            for (String t : required) if (!message.contains(t)) return false;
            for (String t : excluded) if (message.contains(t)) return false;
            if (optional.isEmpty()) return true;
            for (String t : optional) if (message.contains(t)) return true;
            return false;
        }
    }

    // ------------------------------------------------------------------ shared comparison

    /** {@code = != < > <= >=} against a string (with * wildcards) or a number. */
    record Comparison(String op, String text, Double number) {
        static Comparison of(String op, String raw, boolean quoted) {
            Double n = null;
            if (!quoted) {
                try {
                    n = Double.parseDouble(raw);
                } catch (NumberFormatException ignored) {
                    // a bare string
                }
            }
            if (n == null && !op.equals("=") && !op.equals("!=")) throw invalid();
            return new Comparison(op, raw, n);
        }

        boolean test(String value, boolean isNumber, double numeric) {
            if (number != null) {
                double v;
                if (isNumber) v = numeric;
                else {
                    try {
                        v = Double.parseDouble(value);
                    } catch (NumberFormatException | NullPointerException e) {
                        return op.equals("!=");
                    }
                }
                return switch (op) {
                    case "=" -> v == number;
                    case "!=" -> v != number;
                    case "<" -> v < number;
                    case ">" -> v > number;
                    case "<=" -> v <= number;
                    case ">=" -> v >= number;
                    default -> false;
                };
            }
            boolean eq = value != null && wildcard(text).matcher(value).matches();
            return op.equals("=") == eq;
        }

        static Pattern wildcard(String s) {
            String[] parts = s.split("\\*", -1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) sb.append(".*");
                sb.append(Pattern.quote(parts[i]));
            }
            return Pattern.compile(sb.toString(), Pattern.DOTALL);
        }
    }

    // ------------------------------------------------------------------ JSON

    private static final class JsonPattern extends FilterPattern {
        interface Node {
            boolean eval(JsonNode doc);
        }

        private final List<String> tokens;
        private int pos;
        private final Node root;

        JsonPattern(String text) {
            if (!text.endsWith("}")) throw invalid();
            tokens = tokenize(text.substring(1, text.length() - 1));
            root = or();
            if (pos != tokens.size()) throw invalid();
        }

        @Override
        boolean matches(String message) {
            String m = message.strip();
            if (!m.startsWith("{") && !m.startsWith("[")) return false;
            try {
                return root.eval(JSON.readTree(m));
            } catch (java.io.IOException e) {
                return false;
            }
        }

        private String peek() {
            return pos < tokens.size() ? tokens.get(pos) : null;
        }

        private String next() {
            if (pos >= tokens.size()) throw invalid();
            return tokens.get(pos++);
        }

        private Node or() {
            Node left = and();
            while ("||".equals(peek())) {
                pos++;
                Node l = left, r = and();
                left = d -> l.eval(d) || r.eval(d);
            }
            return left;
        }

        private Node and() {
            Node left = atom();
            while ("&&".equals(peek())) {
                pos++;
                Node l = left, r = atom();
                left = d -> l.eval(d) && r.eval(d);
            }
            return left;
        }

        private Node atom() {
            String t = next();
            if (t.equals("(")) {
                Node n = or();
                if (!")".equals(next())) throw invalid();
                return n;
            }
            if (!t.startsWith("$")) throw invalid();
            List<Object> path = selector(t);
            String op = next();
            if (op.equalsIgnoreCase("IS")) {
                String what = next().toUpperCase();
                return switch (what) {
                    case "NULL" -> d -> {
                        JsonNode v = select(d, path);
                        return v != null && v.isNull();
                    };
                    case "TRUE", "FALSE" -> d -> {
                        JsonNode v = select(d, path);
                        return v != null && v.isBoolean() && v.booleanValue() == what.equals("TRUE");
                    };
                    default -> throw invalid();
                };
            }
            if (op.equalsIgnoreCase("NOT")) {
                if (!"EXISTS".equalsIgnoreCase(next())) throw invalid();
                return d -> select(d, path) == null;
            }
            if (!List.of("=", "!=", "<", ">", "<=", ">=").contains(op)) throw invalid();
            String raw = next();
            boolean quoted = raw.startsWith("\"");
            Comparison c = Comparison.of(op, quoted ? raw.substring(1, raw.length() - 1) : raw, quoted);
            return d -> {
                JsonNode v = select(d, path);
                if (v == null || v.isContainerNode()) return false;
                return c.test(v.isNull() ? null : v.asText(), v.isNumber(), v.asDouble());
            };
        }

        private static List<Object> selector(String t) {
            List<Object> path = new ArrayList<>();
            int i = 1;
            while (i < t.length()) {
                char c = t.charAt(i);
                if (c == '.') {
                    int end = i + 1;
                    while (end < t.length() && t.charAt(end) != '.' && t.charAt(end) != '[') end++;
                    path.add(t.substring(i + 1, end));
                    i = end;
                } else if (c == '[') {
                    int end = t.indexOf(']', i);
                    if (end < 0) throw invalid();
                    path.add(Integer.parseInt(t.substring(i + 1, end).trim()));
                    i = end + 1;
                } else {
                    throw invalid();
                }
            }
            return path;
        }

        private static JsonNode select(JsonNode d, List<Object> path) {
            JsonNode n = d;
            for (Object p : path) {
                if (n == null) return null;
                n = p instanceof Integer idx ? (n.isArray() ? n.get(idx) : null) : (n.isObject() ? n.get((String) p) : null);
            }
            return n;
        }

        private static List<String> tokenize(String s) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '(' || c == ')') {
                    out.add(String.valueOf(c));
                    i++;
                } else if (s.startsWith("&&", i) || s.startsWith("||", i) || s.startsWith("!=", i)
                        || s.startsWith("<=", i) || s.startsWith(">=", i)) {
                    out.add(s.substring(i, i + 2));
                    i += 2;
                } else if (c == '=' || c == '<' || c == '>') {
                    out.add(String.valueOf(c));
                    i++;
                } else if (c == '"') {
                    int end = i + 1;
                    while (end < s.length() && s.charAt(end) != '"') {
                        if (s.charAt(end) == '\\') end++;
                        end++;
                    }
                    if (end >= s.length()) throw invalid();
                    out.add(s.substring(i, end + 1));
                    i = end + 1;
                } else {
                    int end = i;
                    while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && "()=!<>&|\"".indexOf(s.charAt(end)) < 0) end++;
                    if (end == i) throw invalid();
                    out.add(s.substring(i, end));
                    i = end;
                }
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ space-delimited

    private static final class DelimitedPattern extends FilterPattern {
        /** One field: a name and the conditions on it (empty: any value); {@code null} name is "...". */
        record Field(String name, List<List<Comparison>> anyOfAll) {
            boolean ellipsis() {
                return name == null;
            }

            boolean test(String value) {
                if (anyOfAll.isEmpty()) return true;
                for (List<Comparison> all : anyOfAll) {
                    boolean ok = true;
                    for (Comparison c : all) ok &= c.test(value, false, 0);
                    if (ok) return true;
                }
                return false;
            }
        }

        private static final Pattern CONDITION = Pattern.compile("\\s*([A-Za-z0-9_\\-.$]+)\\s*(!=|<=|>=|=|<|>)\\s*(\"[^\"]*\"|[^\\s]+)\\s*");
        private final List<Field> fields = new ArrayList<>();

        DelimitedPattern(String text) {
            if (!text.endsWith("]")) throw invalid();
            String body = text.substring(1, text.length() - 1).strip();
            if (body.isEmpty()) return;
            for (String raw : body.split(",")) {
                String f = raw.strip();
                if (f.equals("...")) {
                    fields.add(new Field(null, List.of()));
                } else if (f.matches("[A-Za-z0-9_\\-.$]+")) {
                    fields.add(new Field(f, List.of()));
                } else {
                    String name = null;
                    List<List<Comparison>> any = new ArrayList<>();
                    for (String alt : f.split("\\|\\|")) {
                        List<Comparison> all = new ArrayList<>();
                        for (String cond : alt.split("&&")) {
                            java.util.regex.Matcher m = CONDITION.matcher(cond);
                            if (!m.matches()) throw invalid();
                            if (name != null && !name.equals(m.group(1))) throw invalid();
                            name = m.group(1);
                            String v = m.group(3);
                            boolean quoted = v.startsWith("\"");
                            all.add(Comparison.of(m.group(2), quoted ? v.substring(1, v.length() - 1) : v, quoted));
                        }
                        any.add(all);
                    }
                    fields.add(new Field(name, any));
                }
            }
        }

        @Override
        boolean matches(String message) {
            return match(split(message), 0, 0);
        }

        private boolean match(List<String> values, int vi, int fi) {
            if (fi == fields.size()) return vi == values.size();
            Field f = fields.get(fi);
            if (f.ellipsis()) {
                for (int k = vi; k <= values.size(); k++) if (match(values, k, fi + 1)) return true;
                return false;
            }
            return vi < values.size() && f.test(values.get(vi)) && match(values, vi + 1, fi + 1);
        }

        /** Fields of a message: separated by spaces; "..." and [...] are one field each (without the quotes). */
        static List<String> split(String message) {
            List<String> out = new ArrayList<>();
            int i = 0;
            String s = message.strip();
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                    continue;
                }
                int end;
                if (c == '"' && (end = s.indexOf('"', i + 1)) > 0) {
                    out.add(s.substring(i + 1, end));
                    i = end + 1;
                } else if (c == '[' && (end = s.indexOf(']', i + 1)) > 0) {
                    out.add(s.substring(i, end + 1));
                    i = end + 1;
                } else {
                    end = i;
                    while (end < s.length() && !Character.isWhitespace(s.charAt(end))) end++;
                    out.add(s.substring(i, end));
                    i = end;
                }
            }
            return out;
        }
    }

}
