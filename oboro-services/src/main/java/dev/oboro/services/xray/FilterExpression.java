package dev.oboro.services.xray;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.wire.AwsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * X-Ray filter expressions, the common cases
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html):
 * <ul>
 *   <li>boolean keywords {@code ok}, {@code error}, {@code fault}, {@code throttle}, {@code partial}
 *       (alone or {@code = true|false});</li>
 *   <li>numbers {@code responsetime}, {@code duration}, {@code http.status} with = != &lt; &lt;= &gt; &gt;=;</li>
 *   <li>strings {@code http.url}, {@code http.method}, {@code http.useragent}, {@code http.clientip},
 *       {@code user} with = != CONTAINS BEGINSWITH ENDSWITH;</li>
 *   <li>{@code annotation.key} / {@code annotation[key]} against a string, number or boolean;</li>
 *   <li>{@code service("name")} and {@code service("name") { fault }} (the expression in braces about that service);</li>
 *   <li>combined with AND/&amp;&amp;, OR/||, NOT/!, and parentheses.</li>
 * </ul>
 */
final class FilterExpression {
    private final List<String> tokens;
    private int pos;

    private FilterExpression(String text) {
        this.tokens = tokenize(text);
    }

    static Predicate<TraceView> parse(String text) {
        if (text == null || text.isBlank()) return t -> true;
        FilterExpression p = new FilterExpression(text);
        Predicate<TraceView> e = p.or();
        if (p.pos != p.tokens.size()) throw invalid(text);
        return e;
    }

    private static AwsException invalid(String text) {
        return new AwsException("InvalidRequestException", "Invalid filter expression: " + text);
    }

    private String peek() {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    private String next() {
        if (pos >= tokens.size()) throw invalid(String.join(" ", tokens));
        return tokens.get(pos++);
    }

    private boolean accept(String... any) {
        String t = peek();
        if (t == null) return false;
        for (String a : any) {
            if (a.equalsIgnoreCase(t)) {
                pos++;
                return true;
            }
        }
        return false;
    }

    private Predicate<TraceView> or() {
        Predicate<TraceView> left = and();
        while (accept("OR", "||")) left = left.or(and());
        return left;
    }

    private Predicate<TraceView> and() {
        Predicate<TraceView> left = unary();
        while (accept("AND", "&&")) left = left.and(unary());
        return left;
    }

    private Predicate<TraceView> unary() {
        if (accept("NOT", "!")) return unary().negate();
        if (accept("(")) {
            Predicate<TraceView> e = or();
            if (!accept(")")) throw invalid(String.join(" ", tokens));
            return e;
        }
        return predicate();
    }

    private Predicate<TraceView> predicate() {
        String word = next();
        String w = word.toLowerCase(Locale.ROOT);
        switch (w) {
            case "service" -> {
                if (!accept("(")) throw invalid(word);
                String name = null;
                if (!")".equals(peek())) name = unquote(next());
                if (!accept(")")) throw invalid(word);
                String svc = name;
                if (accept("{")) {
                    Predicate<TraceView> inner = or();
                    if (!accept("}")) throw invalid(word);
                    return t -> {
                        TraceView v = t.of(svc);
                        return v != null && inner.test(v);
                    };
                }
                return t -> svc == null ? !t.segments.isEmpty() : t.services().contains(svc);
            }
            case "ok", "error", "fault", "throttle", "partial" -> {
                Predicate<TraceView> flag = switch (w) {
                    case "ok" -> TraceView::ok;
                    case "error" -> TraceView::error;
                    case "fault" -> TraceView::fault;
                    case "throttle" -> TraceView::throttle;
                    default -> TraceView::partial;
                };
                if (accept("=")) {
                    boolean want = Boolean.parseBoolean(next());
                    return t -> flag.test(t) == want;
                }
                if (accept("!=")) {
                    boolean want = Boolean.parseBoolean(next());
                    return t -> flag.test(t) != want;
                }
                return flag;
            }
            case "responsetime", "duration", "http.status" -> {
                String op = next();
                double v = number(next());
                return t -> {
                    Double actual = switch (w) {
                        case "responsetime" -> t.responseTime();
                        case "duration" -> t.duration();
                        default -> t.httpStatus() == null ? null : t.httpStatus().doubleValue();
                    };
                    return actual != null && compare(actual, op, v);
                };
            }
            case "http.url", "http.method", "http.useragent", "http.clientip", "user" -> {
                String op = next();
                String v = unquote(next());
                return t -> {
                    if (w.equals("user")) {
                        for (String u : t.users()) if (compareText(u, op, v)) return true;
                        return false;
                    }
                    String field = switch (w) {
                        case "http.url" -> "url";
                        case "http.method" -> "method";
                        case "http.useragent" -> "user_agent";
                        default -> "client_ip";
                    };
                    String actual = t.http(field);
                    return actual != null && compareText(actual, op, v);
                };
            }
            default -> {
                if (w.startsWith("annotation.") || w.startsWith("annotation[")) {
                    String key = w.startsWith("annotation.") ? word.substring("annotation.".length())
                            : unquote(word.substring("annotation[".length(), word.length() - 1));
                    String op = next();
                    String raw = next();
                    return t -> {
                        for (TraceView.Annotation a : t.annotations()) {
                            if (a.key().equals(key) && annotationMatches(a.value(), op, raw)) return true;
                        }
                        return false;
                    };
                }
                throw invalid(word);
            }
        }
    }

    private static boolean annotationMatches(JsonNode v, String op, String raw) {
        if (v.isNumber()) {
            try {
                return compare(v.doubleValue(), op, Double.parseDouble(raw));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        if (v.isBoolean()) {
            boolean want = Boolean.parseBoolean(raw);
            return op.equals("!=") ? v.booleanValue() != want : op.equals("=") && v.booleanValue() == want;
        }
        return v.isTextual() && compareText(v.textValue(), op, unquote(raw));
    }

    private static boolean compare(double a, String op, double b) {
        return switch (op) {
            case "=" -> a == b;
            case "!=" -> a != b;
            case "<" -> a < b;
            case "<=" -> a <= b;
            case ">" -> a > b;
            case ">=" -> a >= b;
            default -> throw invalid(op);
        };
    }

    private static boolean compareText(String a, String op, String b) {
        return switch (op.toUpperCase(Locale.ROOT)) {
            case "=" -> a.equals(b);
            case "!=" -> !a.equals(b);
            case "CONTAINS" -> a.contains(b);
            case "BEGINSWITH" -> a.startsWith(b);
            case "ENDSWITH" -> a.endsWith(b);
            default -> throw invalid(op);
        };
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw invalid(s);
        }
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if ("(){},".indexOf(c) >= 0) {
                out.add(String.valueOf(c));
                i++;
            } else if (s.startsWith("&&", i) || s.startsWith("||", i) || s.startsWith("!=", i) || s.startsWith("<=", i)
                    || s.startsWith(">=", i)) {
                out.add(s.substring(i, i + 2));
                i += 2;
            } else if (c == '=' || c == '<' || c == '>' || c == '!') {
                out.add(String.valueOf(c));
                i++;
            } else if (c == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) throw invalid(s);
                out.add(s.substring(i, end + 1));
                i = end + 1;
            } else {
                int end = i;
                while (end < s.length()) {
                    char d = s.charAt(end);
                    if (Character.isWhitespace(d) || "(){},=<>!&|\"".indexOf(d) >= 0) {
                        if (d == '"' && end > i && s.charAt(end - 1) == '[') { // annotation["key"]
                            int close = s.indexOf(']', end);
                            if (close < 0) throw invalid(s);
                            end = close + 1;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                out.add(s.substring(i, end));
                i = end;
            }
        }
        return out;
    }
}
