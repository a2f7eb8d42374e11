package dev.oboro.wire;

import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a decoded request against the model's constraints (required members, lengths, ranges,
 * enums), the way AWS's front ends do before a request reaches the service.
 */
public final class Validator {
    private Validator() {
    }

    /** Compiled model patterns; a pattern Java cannot compile is never enforced. */
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();
    private static final Pattern UNCHECKED = Pattern.compile("");

    public static void validate(ServiceModel svc, String inputShape, SdkPojo request) {
        validate(svc, inputShape, request, null);
    }

    /** As {@link #validate(ServiceModel, String, SdkPojo)}, leaving the bounds of the top-level member {@code unbounded} to the service. */
    public static void validate(ServiceModel svc, String inputShape, SdkPojo request, String unbounded) {
        List<ValidationException.Problem> problems = new ArrayList<>();
        check(svc, inputShape, request, "", problems, 0, unbounded);
        if (!problems.isEmpty()) throw new ValidationException(problems);
    }

    private static void check(ServiceModel svc, String shape, SdkPojo obj, String path,
                              List<ValidationException.Problem> out, int depth) {
        check(svc, shape, obj, path, out, depth, null);
    }

    private static void check(ServiceModel svc, String shape, SdkPojo obj, String path,
                              List<ValidationException.Problem> out, int depth, String unbounded) {
        if (depth > 32) return;
        ServiceModel.InputShape s = shape == null ? null : svc.inputs().get(shape);
        for (SdkField<?> f : SdkShapes.fields(obj)) {
            Object v = f.getValueOrDefault(obj);
            boolean unset = v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap;
            String member = f.memberName();
            String mpath = path.isEmpty() ? lowerFirst(member) : path + "." + lowerFirst(member);
            if (s != null && s.required() != null && s.required().contains(member) && unset) {
                out.add(new ValidationException.Problem(ValidationException.Kind.MISSING, member, mpath, null, "Member must not be null"));
                continue;
            }
            if (unset) continue;
            ServiceModel.Constraint c = s == null || s.members() == null ? null : s.members().get(member);
            if (c != null && !member.equals(unbounded)) checkValue(svc, c, member, mpath, v, out);
            if (v instanceof SdkPojo p) {
                check(svc, p.getClass().getSimpleName(), p, mpath, out, depth + 1);
            } else if (v instanceof Collection<?> col) {
                int i = 1;
                for (Object e : col) {
                    if (e instanceof SdkPojo p) check(svc, p.getClass().getSimpleName(), p, mpath + "." + i + ".member", out, depth + 1);
                    i++;
                }
            } else if (v instanceof Map<?, ?> m) {
                for (Object e : m.values()) {
                    if (e instanceof SdkPojo p) check(svc, p.getClass().getSimpleName(), p, mpath, out, depth + 1);
                }
            }
        }
    }

    private static void checkValue(ServiceModel svc, ServiceModel.Constraint c, String member, String path, Object v,
                                   List<ValidationException.Problem> out) {
        long len = -1;
        if (v instanceof String str) len = str.codePointCount(0, str.length());
        else if (v instanceof Collection<?> col) len = col.size();
        else if (v instanceof Map<?, ?> m) len = m.size();
        else if (v instanceof software.amazon.awssdk.core.SdkBytes b) len = b.asByteArrayUnsafe().length;
        if (len >= 0) {
            if (c.minLen() != null && len < c.minLen()) {
                out.add(problem(member, path, v, "Member must have length greater than or equal to " + c.minLen()));
            }
            if (c.maxLen() != null && len > c.maxLen()) {
                out.add(problem(member, path, v, "Member must have length less than or equal to " + c.maxLen()));
            }
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (c.min() != null && d < c.min()) {
                out.add(problem(member, path, v, "Member must have value greater than or equal to " + fmt(c.min())));
            }
            if (c.max() != null && d > c.max()) {
                out.add(problem(member, path, v, "Member must have value less than or equal to " + fmt(c.max())));
            }
        }
        if (c.pattern() != null && v instanceof String str && !matches(c.pattern(), str)) {
            out.add(problem(member, path, v, "Member must satisfy regular expression pattern: " + c.pattern()));
        }
        // EC2 checks enum-typed members in the service, not at the front end: its enums are open
        // (InstanceType gains values faster than any model), and a bad value gets the operation's
        // own error (e.g. "Invalid value 'x' for InstanceType."), not a generic enum violation.
        if (c.enumName() != null && v instanceof String str && svc.defaultProtocol() != Protocol.EC2) {
            List<String> values = svc.enums().get(c.enumName());
            if (values != null && !values.contains(str)) {
                out.add(problem(member, path, v, "Member must satisfy enum value set: [" + String.join(", ", values) + "]"));
            }
        }
    }

    /**
     * Whether a value satisfies a model pattern. AWS front ends (Coral) match the whole value, which
     * is why model patterns such as IAM's {@code [\w+=,.@-]+} carry no anchors.
     */
    static boolean matches(String pattern, String value) {
        Pattern p = PATTERNS.computeIfAbsent(pattern, k -> {
            try {
                return Pattern.compile(k);
            } catch (PatternSyntaxException e) {
                return UNCHECKED;
            }
        });
        return p == UNCHECKED || p.matcher(value).matches();
    }

    private static ValidationException.Problem problem(String member, String path, Object v, String constraint) {
        return new ValidationException.Problem(ValidationException.Kind.CONSTRAINT, member, path, v, constraint);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
