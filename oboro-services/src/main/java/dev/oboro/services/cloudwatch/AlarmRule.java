package dev.oboro.services.cloudwatch;

import dev.oboro.wire.AwsException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The rule of a composite alarm
 * (<a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html">AlarmRule</a>):
 * {@code ALARM(x)}, {@code OK(x)}, {@code INSUFFICIENT_DATA(x)} (x an alarm name or ARN, optionally
 * in double quotes), {@code TRUE}, {@code FALSE}, combined with {@code AND}, {@code OR}, {@code NOT}
 * and parentheses.
 */
final class AlarmRule {
    interface Expr {
        boolean eval(Function<String, String> stateOf);
    }

    private final Expr root;
    private final List<String> references;

    private AlarmRule(Expr root, List<String> references) {
        this.root = root;
        this.references = references;
    }

    /** The alarm names or ARNs the rule mentions, in order. */
    List<String> references() {
        return references;
    }

    /** Evaluates the rule given each referenced alarm's state (null when the alarm does not exist). */
    boolean eval(Function<String, String> stateOf) {
        return root.eval(stateOf);
    }

    static AlarmRule parse(String rule) {
        Parser p = new Parser(rule);
        Expr e = p.or();
        p.skipWs();
        if (p.i < rule.length()) throw p.error();
        return new AlarmRule(e, List.copyOf(p.refs));
    }

    private static final class Parser {
        final String s;
        int i;
        final List<String> refs = new ArrayList<>();

        Parser(String s) {
            this.s = s;
        }

        AwsException error() {
            return new AwsException("ValidationError", "Error in alarm rule at position " + (i + 1) + ": " + s, 400);
        }

        void skipWs() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        boolean keyword(String k) {
            skipWs();
            if (s.startsWith(k, i)) {
                int end = i + k.length();
                if (end == s.length() || !(Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                    i = end;
                    return true;
                }
            }
            return false;
        }

        boolean symbol(char c) {
            skipWs();
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        Expr or() {
            Expr l = and();
            while (keyword("OR")) {
                Expr a = l, b = and();
                l = f -> a.eval(f) || b.eval(f);
            }
            return l;
        }

        Expr and() {
            Expr l = not();
            while (keyword("AND")) {
                Expr a = l, b = not();
                l = f -> a.eval(f) && b.eval(f);
            }
            return l;
        }

        Expr not() {
            if (keyword("NOT")) {
                Expr a = not();
                return f -> !a.eval(f);
            }
            return atom();
        }

        Expr atom() {
            if (symbol('(')) {
                Expr e = or();
                if (!symbol(')')) throw error();
                return e;
            }
            if (keyword("TRUE")) return f -> true;
            if (keyword("FALSE")) return f -> false;
            for (String state : new String[]{"ALARM", "OK", "INSUFFICIENT_DATA"}) {
                if (keyword(state)) {
                    if (!symbol('(')) throw error();
                    String name = name();
                    if (!symbol(')')) throw error();
                    refs.add(name);
                    return f -> state.equals(f.apply(name));
                }
            }
            throw error();
        }

        String name() {
            skipWs();
            if (i < s.length() && s.charAt(i) == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) throw error();
                String n = s.substring(i + 1, end);
                i = end + 1;
                return n;
            }
            int st = i;
            while (i < s.length() && s.charAt(i) != ')') i++;
            String n = s.substring(st, i).trim();
            if (n.isEmpty()) throw error();
            return n;
        }
    }
}
