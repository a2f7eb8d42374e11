package dev.oboro.services.cloudwatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * CloudWatch metric math
 * (<a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html">syntax and functions</a>):
 * arithmetic ({@code + - * / ^}), comparisons and {@code AND/OR/NOT}, arrays {@code [m1, m2]}, and
 * the common functions SUM, AVG, MIN, MAX, STDDEV, ABS, CEIL, FLOOR, SQRT, LOG, LOG10, EXP, RATE,
 * DIFF, DIFF_TIME, FILL (value, REPEAT, LINEAR), IF, METRICS and PERIOD.
 *
 * <p>A value is a scalar, a time series or an array of time series. Operations between two time
 * series keep the timestamps both have; a function of one time series that aggregates (SUM, AVG,
 * ...) returns a scalar, of an array a time series (per timestamp across the array).
 */
final class MetricMath {
    private MetricMath() {
    }

    sealed interface Val permits Scalar, Series, Arr {
    }

    record Scalar(double v) implements Val {
    }

    record Series(String id, String label, TreeMap<Long, Double> points) implements Val {
    }

    record Arr(List<Series> items) implements Val {
    }

    /** What an expression sees: other queries by id, every MetricStat result, the period grid. */
    interface Context {
        Val ref(String id);

        List<Series> metrics();

        /** The timestamps (epoch millis) of the expression's periods in the requested range. */
        List<Long> grid();

        int period();
    }

    static final class MathError extends RuntimeException {
        MathError(String m) {
            super(m, null, false, false);
        }
    }

    interface Node {
        Val eval(Context c);
    }

    /** The ids an expression refers to (for dependency order and validation). */
    static List<String> references(String expression) {
        List<String> out = new ArrayList<>();
        Lexer lx = new Lexer(expression);
        for (Tok t = lx.next(); t.type != T.EOF; t = lx.next()) {
            if (t.type == T.ID) {
                Tok after = lx.peek();
                if (after.type != T.LP && !KEYWORDS.contains(t.text.toUpperCase(Locale.ROOT))) out.add(t.text);
            }
        }
        return out;
    }

    private static final java.util.Set<String> KEYWORDS = java.util.Set.of("AND", "OR", "NOT", "REPEAT", "LINEAR");

    static Node parse(String expression) {
        Parser p = new Parser(new Lexer(expression));
        Node n = p.expr();
        if (p.tok.type != T.EOF) throw new MathError("Syntax error at '" + p.tok.text + "'");
        return n;
    }

    // ------------------------------------------------------------------ lexer

    private enum T { NUM, STR, ID, OP, LP, RP, LB, RB, COMMA, EOF }

    private record Tok(T type, String text) {
    }

    private static final class Lexer {
        private final String s;
        private int i;
        private Tok peeked;

        Lexer(String s) {
            this.s = s;
        }

        Tok peek() {
            if (peeked == null) peeked = read();
            return peeked;
        }

        Tok next() {
            Tok t = peek();
            peeked = null;
            return t;
        }

        private Tok read() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            if (i >= s.length()) return new Tok(T.EOF, "");
            char c = s.charAt(i);
            if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                int st = i;
                while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
                if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                    i++;
                    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
                    while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                }
                return new Tok(T.NUM, s.substring(st, i));
            }
            if (Character.isLetter(c) || c == '_') {
                int st = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
                return new Tok(T.ID, s.substring(st, i));
            }
            if (c == '"' || c == '\'') {
                int end = s.indexOf(c, i + 1);
                if (end < 0) throw new MathError("Unterminated string");
                String str = s.substring(i + 1, end);
                i = end + 1;
                return new Tok(T.STR, str);
            }
            i++;
            switch (c) {
                case '(' -> {
                    return new Tok(T.LP, "(");
                }
                case ')' -> {
                    return new Tok(T.RP, ")");
                }
                case '[' -> {
                    return new Tok(T.LB, "[");
                }
                case ']' -> {
                    return new Tok(T.RB, "]");
                }
                case ',' -> {
                    return new Tok(T.COMMA, ",");
                }
                case '+', '-', '*', '/', '^' -> {
                    return new Tok(T.OP, String.valueOf(c));
                }
                case '<', '>', '=', '!', '&', '|' -> {
                    if (i < s.length()) {
                        String two = "" + c + s.charAt(i);
                        if (List.of("<=", ">=", "==", "!=", "&&", "||").contains(two)) {
                            i++;
                            return new Tok(T.OP, two);
                        }
                    }
                    if (c == '<' || c == '>') return new Tok(T.OP, String.valueOf(c));
                    throw new MathError("Syntax error at '" + c + "'");
                }
                default -> throw new MathError("Syntax error at '" + c + "'");
            }
        }
    }

    // ------------------------------------------------------------------ parser

    private static final class Parser {
        private final Lexer lx;
        Tok tok;

        Parser(Lexer lx) {
            this.lx = lx;
            this.tok = lx.next();
        }

        private void advance() {
            tok = lx.next();
        }

        private boolean isOp(String... ops) {
            if (tok.type == T.OP) {
                for (String o : ops) if (o.equals(tok.text)) return true;
            }
            if (tok.type == T.ID) {
                for (String o : ops) if (o.equalsIgnoreCase(tok.text) && Character.isLetter(o.charAt(0))) return true;
            }
            return false;
        }

        Node expr() {
            Node l = and();
            while (isOp("OR", "||")) {
                advance();
                Node a = l, b = and();
                l = c -> binary(a.eval(c), b.eval(c), (x, y) -> x != 0 || y != 0 ? 1 : 0);
            }
            return l;
        }

        Node and() {
            Node l = cmp();
            while (isOp("AND", "&&")) {
                advance();
                Node a = l, b = cmp();
                l = c -> binary(a.eval(c), b.eval(c), (x, y) -> x != 0 && y != 0 ? 1 : 0);
            }
            return l;
        }

        Node cmp() {
            Node l = add();
            if (isOp("<", ">", "<=", ">=", "==", "!=")) {
                String op = tok.text;
                advance();
                Node a = l, b = add();
                DoubleBinaryOperator f = switch (op) {
                    case "<" -> (x, y) -> x < y ? 1 : 0;
                    case ">" -> (x, y) -> x > y ? 1 : 0;
                    case "<=" -> (x, y) -> x <= y ? 1 : 0;
                    case ">=" -> (x, y) -> x >= y ? 1 : 0;
                    case "==" -> (x, y) -> x == y ? 1 : 0;
                    default -> (x, y) -> x != y ? 1 : 0;
                };
                return c -> binary(a.eval(c), b.eval(c), f);
            }
            return l;
        }

        Node add() {
            Node l = mul();
            while (isOp("+", "-")) {
                boolean plus = tok.text.equals("+");
                advance();
                Node a = l, b = mul();
                l = plus ? c -> binary(a.eval(c), b.eval(c), Double::sum) : c -> binary(a.eval(c), b.eval(c), (x, y) -> x - y);
            }
            return l;
        }

        Node mul() {
            Node l = pow();
            while (isOp("*", "/")) {
                boolean times = tok.text.equals("*");
                advance();
                Node a = l, b = pow();
                l = times ? c -> binary(a.eval(c), b.eval(c), (x, y) -> x * y) : c -> binary(a.eval(c), b.eval(c), (x, y) -> x / y);
            }
            return l;
        }

        Node pow() {
            Node l = unary();
            if (isOp("^")) {
                advance();
                Node a = l, b = pow();
                return c -> binary(a.eval(c), b.eval(c), Math::pow);
            }
            return l;
        }

        Node unary() {
            if (isOp("-")) {
                advance();
                Node a = unary();
                return c -> map(a.eval(c), x -> -x);
            }
            if (isOp("NOT")) {
                advance();
                Node a = unary();
                return c -> map(a.eval(c), x -> x == 0 ? 1 : 0);
            }
            return primary();
        }

        Node primary() {
            Tok t = tok;
            switch (t.type) {
                case NUM -> {
                    advance();
                    double v;
                    try {
                        v = Double.parseDouble(t.text);
                    } catch (NumberFormatException e) {
                        throw new MathError("Invalid number " + t.text);
                    }
                    Scalar s = new Scalar(v);
                    return c -> s;
                }
                case STR -> {
                    advance();
                    throw new MathError("Unexpected string \"" + t.text + "\"");
                }
                case LP -> {
                    advance();
                    Node n = expr();
                    expect(T.RP);
                    return n;
                }
                case LB -> {
                    advance();
                    List<Node> items = new ArrayList<>();
                    if (tok.type != T.RB) {
                        items.add(expr());
                        while (tok.type == T.COMMA) {
                            advance();
                            items.add(expr());
                        }
                    }
                    expect(T.RB);
                    return c -> array(items, c);
                }
                case ID -> {
                    advance();
                    if (tok.type == T.LP) return call(t.text);
                    String id = t.text;
                    return c -> c.ref(id);
                }
                default -> throw new MathError(t.type == T.EOF ? "Unexpected end of expression" : "Syntax error at '" + t.text + "'");
            }
        }

        private void expect(T type) {
            if (tok.type != type) throw new MathError(tok.type == T.EOF ? "Unexpected end of expression" : "Syntax error at '" + tok.text + "'");
            advance();
        }

        private Node call(String name) {
            expect(T.LP);
            List<Node> args = new ArrayList<>();
            List<Tok> firstToks = new ArrayList<>();
            List<String> strings = new ArrayList<>();
            if (tok.type != T.RP) {
                do {
                    if (!args.isEmpty()) advance();
                    firstToks.add(tok);
                    if (tok.type == T.STR) {
                        strings.add(tok.text);
                        advance();
                        args.add(null);
                    } else {
                        strings.add(null);
                        args.add(expr());
                    }
                } while (tok.type == T.COMMA);
            }
            expect(T.RP);
            String fn = name.toUpperCase(Locale.ROOT);
            return switch (fn) {
                case "SUM", "AVG", "MIN", "MAX", "STDDEV" -> {
                    need(fn, args, 1, Integer.MAX_VALUE);
                    yield c -> aggregate(fn, args.size() == 1 ? args.get(0).eval(c) : array(args, c));
                }
                case "ABS" -> unaryFn(fn, args, Math::abs);
                case "CEIL" -> unaryFn(fn, args, Math::ceil);
                case "FLOOR" -> unaryFn(fn, args, Math::floor);
                case "SQRT" -> unaryFn(fn, args, Math::sqrt);
                case "LOG" -> unaryFn(fn, args, Math::log);
                case "LOG10" -> unaryFn(fn, args, Math::log10);
                case "EXP" -> unaryFn(fn, args, Math::exp);
                case "RATE", "DIFF", "DIFF_TIME" -> {
                    need(fn, args, 1, 1);
                    Node a = args.get(0);
                    yield c -> perSeries(a.eval(c), fn, s -> change(s, fn));
                }
                case "PERIOD" -> {
                    need(fn, args, 1, 1);
                    yield c -> new Scalar(c.period());
                }
                case "METRICS" -> {
                    if (args.size() > 1) throw new MathError("METRICS takes at most one argument");
                    String filter = args.isEmpty() ? null : strings.get(0);
                    if (!args.isEmpty() && filter == null) throw new MathError("METRICS expects a string");
                    yield c -> {
                        List<Series> out = new ArrayList<>();
                        for (Series s : c.metrics()) {
                            if (filter == null || s.label().contains(filter) || s.id().contains(filter)) out.add(s);
                        }
                        return new Arr(out);
                    };
                }
                case "FILL" -> {
                    need(fn, args, 2, 2);
                    Node a = args.get(0);
                    Tok mode = firstToks.get(1);
                    String m = mode.type == T.ID ? mode.text.toUpperCase(Locale.ROOT) : null;
                    if ("REPEAT".equals(m) || "LINEAR".equals(m)) {
                        yield c -> perSeries(a.eval(c), fn, s -> fill(s, c.grid(), m, 0));
                    }
                    Node v = args.get(1);
                    yield c -> {
                        Val fv = v.eval(c);
                        if (!(fv instanceof Scalar sc)) throw new MathError("FILL expects a number, REPEAT or LINEAR");
                        return perSeries(a.eval(c), fn, s -> fill(s, c.grid(), null, sc.v()));
                    };
                }
                case "IF" -> {
                    need(fn, args, 2, 3);
                    Node cond = args.get(0), then = args.get(1), other = args.size() == 3 ? args.get(2) : null;
                    yield c -> ifThen(cond.eval(c), then.eval(c), other == null ? null : other.eval(c));
                }
                default -> throw new MathError("Unrecognized function " + name);
            };
        }

        private static void need(String fn, List<Node> args, int min, int max) {
            if (args.size() < min || args.size() > max) throw new MathError("Wrong number of arguments for " + fn);
            for (Node n : args) if (n == null && !fn.equals("METRICS")) throw new MathError("Unexpected string argument to " + fn);
        }

        private static Node unaryFn(String fn, List<Node> args, DoubleUnaryOperator op) {
            need(fn, args, 1, 1);
            Node a = args.get(0);
            return c -> map(a.eval(c), op);
        }
    }

    // ------------------------------------------------------------------ semantics

    static Val array(List<Node> items, Context c) {
        List<Series> out = new ArrayList<>();
        for (Node n : items) {
            Val v = n.eval(c);
            if (v instanceof Series s) out.add(s);
            else if (v instanceof Arr a) out.addAll(a.items());
            else throw new MathError("Arrays can only hold time series");
        }
        return new Arr(out);
    }

    static Val map(Val v, DoubleUnaryOperator op) {
        if (v instanceof Scalar s) return new Scalar(op.applyAsDouble(s.v()));
        if (v instanceof Series s) {
            TreeMap<Long, Double> out = new TreeMap<>();
            s.points().forEach((t, x) -> out.put(t, op.applyAsDouble(x)));
            return new Series(s.id(), s.label(), out);
        }
        List<Series> out = new ArrayList<>();
        for (Series s : ((Arr) v).items()) out.add((Series) map(s, op));
        return new Arr(out);
    }

    static Val binary(Val a, Val b, DoubleBinaryOperator op) {
        if (a instanceof Arr arr) {
            if (b instanceof Arr) throw new MathError("Operations between two arrays are not supported");
            List<Series> out = new ArrayList<>();
            for (Series s : arr.items()) out.add((Series) binary(s, b, op));
            return new Arr(out);
        }
        if (b instanceof Arr arr) {
            List<Series> out = new ArrayList<>();
            for (Series s : arr.items()) out.add((Series) binary(a, s, op));
            return new Arr(out);
        }
        if (a instanceof Scalar x && b instanceof Scalar y) return new Scalar(op.applyAsDouble(x.v(), y.v()));
        if (a instanceof Series s && b instanceof Scalar y) return map(s, x -> op.applyAsDouble(x, y.v()));
        if (a instanceof Scalar x && b instanceof Series s) return map(s, y -> op.applyAsDouble(x.v(), y));
        Series s1 = (Series) a, s2 = (Series) b;
        TreeMap<Long, Double> out = new TreeMap<>();
        s1.points().forEach((t, x) -> {
            Double y = s2.points().get(t);
            if (y != null) out.put(t, op.applyAsDouble(x, y));
        });
        return new Series(s1.id(), s1.label(), out);
    }

    static Val aggregate(String fn, Val v) {
        if (v instanceof Scalar) return v;
        if (v instanceof Series s) {
            if (s.points().isEmpty()) return new Scalar(Double.NaN);
            return new Scalar(reduce(fn, new ArrayList<>(s.points().values())));
        }
        List<Series> items = ((Arr) v).items();
        TreeSet<Long> times = new TreeSet<>();
        for (Series s : items) times.addAll(s.points().keySet());
        TreeMap<Long, Double> out = new TreeMap<>();
        for (long t : times) {
            List<Double> xs = new ArrayList<>();
            for (Series s : items) {
                Double x = s.points().get(t);
                if (x != null) xs.add(x);
            }
            out.put(t, reduce(fn, xs));
        }
        return new Series(null, fn, out);
    }

    private static double reduce(String fn, List<Double> xs) {
        double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return switch (fn) {
            case "SUM" -> sum;
            case "AVG" -> sum / xs.size();
            case "MIN" -> min;
            case "MAX" -> max;
            default -> {
                double mean = sum / xs.size(), sq = 0;
                for (double x : xs) sq += (x - mean) * (x - mean);
                yield xs.size() < 2 ? 0 : Math.sqrt(sq / (xs.size() - 1));
            }
        };
    }

    private static Val perSeries(Val v, String fn, java.util.function.UnaryOperator<Series> f) {
        if (v instanceof Series s) return f.apply(s);
        if (v instanceof Arr a) {
            List<Series> out = new ArrayList<>();
            for (Series s : a.items()) out.add(f.apply(s));
            return new Arr(out);
        }
        throw new MathError(fn + " expects a time series");
    }

    private static Series change(Series s, String fn) {
        TreeMap<Long, Double> out = new TreeMap<>();
        Map.Entry<Long, Double> prev = null;
        for (Map.Entry<Long, Double> e : s.points().entrySet()) {
            if (prev != null) {
                double dt = (e.getKey() - prev.getKey()) / 1000.0;
                double dv = e.getValue() - prev.getValue();
                out.put(e.getKey(), switch (fn) {
                    case "RATE" -> dv / dt;
                    case "DIFF" -> dv;
                    default -> dt;
                });
            }
            prev = e;
        }
        return new Series(s.id(), s.label(), out);
    }

    private static Series fill(Series s, List<Long> grid, String mode, double value) {
        TreeMap<Long, Double> out = new TreeMap<>(s.points());
        for (long t : grid) {
            if (out.containsKey(t)) continue;
            Map.Entry<Long, Double> before = s.points().floorEntry(t);
            Map.Entry<Long, Double> after = s.points().ceilingEntry(t);
            if (mode == null) out.put(t, value);
            else if (mode.equals("REPEAT")) {
                if (before != null) out.put(t, before.getValue());
                else if (after != null) out.put(t, after.getValue());
            } else { // LINEAR
                if (before != null && after != null) {
                    double f = (double) (t - before.getKey()) / (after.getKey() - before.getKey());
                    out.put(t, before.getValue() + f * (after.getValue() - before.getValue()));
                } else if (before != null) out.put(t, before.getValue());
                else if (after != null) out.put(t, after.getValue());
            }
        }
        return new Series(s.id(), s.label(), out);
    }

    private static Val ifThen(Val cond, Val then, Val other) {
        if (cond instanceof Arr a) {
            List<Series> out = new ArrayList<>();
            for (Series s : a.items()) out.add((Series) ifThen(s, then, other));
            return new Arr(out);
        }
        if (cond instanceof Scalar sc) return sc.v() != 0 ? then : other == null ? new Arr(List.of()) : other;
        Series c = (Series) cond;
        TreeMap<Long, Double> out = new TreeMap<>();
        c.points().forEach((t, x) -> {
            Val pick = x != 0 ? then : other;
            Double v = valueAt(pick, t);
            if (v != null) out.put(t, v);
        });
        String label = then instanceof Series s ? s.label() : c.label();
        return new Series(c.id(), label, out);
    }

    private static Double valueAt(Val v, long t) {
        if (v == null) return null;
        if (v instanceof Scalar s) return s.v();
        if (v instanceof Series s) return s.points().get(t);
        throw new MathError("IF expects time series or numbers");
    }
}
