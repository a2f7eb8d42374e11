package dev.oboro.services.ec2;

import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.Filter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * EC2's {@code Filter.N.Name}/{@code Filter.N.Value.M}: a resource matches when, for every filter,
 * one of its values matches one of the filter's values; {@code *} and {@code ?} are wildcards.
 * Unknown filter names are refused as EC2 refuses them.
 */
final class Filters<T> {
    private final Map<String, Function<T, Collection<String>>> fields;

    Filters(Map<String, Function<T, Collection<String>>> fields) {
        this.fields = fields;
    }

    List<T> apply(List<Filter> filters, Collection<T> items) {
        List<T> out = new ArrayList<>();
        if (filters == null || filters.isEmpty()) {
            out.addAll(items);
            return out;
        }
        List<Function<T, Collection<String>>> getters = new ArrayList<>();
        List<List<Pattern>> patterns = new ArrayList<>();
        for (Filter f : filters) {
            Function<T, Collection<String>> g = getter(f.name());
            getters.add(g);
            List<Pattern> ps = new ArrayList<>();
            for (String v : f.values()) ps.add(wildcard(v));
            patterns.add(ps);
        }
        for (T item : items) {
            boolean all = true;
            for (int i = 0; i < getters.size() && all; i++) {
                all = anyMatch(getters.get(i).apply(item), patterns.get(i));
            }
            if (all) out.add(item);
        }
        return out;
    }

    private Function<T, Collection<String>> getter(String name) {
        Function<T, Collection<String>> g = name == null ? null : fields.get(name);
        if (g != null) return g;
        if (name != null && name.startsWith("tag:") && fields.containsKey("tag:")) {
            String key = name.substring(4);
            Function<T, Collection<String>> tags = fields.get("tag:");
            return t -> {
                List<String> vals = new ArrayList<>();
                for (String kv : tags.apply(t)) {
                    int eq = kv.indexOf('=');
                    if (kv.substring(0, eq).equals(key)) vals.add(kv.substring(eq + 1));
                }
                return vals;
            };
        }
        throw new AwsException("InvalidParameterValue", "The filter '" + name + "' is invalid", 400);
    }

    private static boolean anyMatch(Collection<String> values, List<Pattern> patterns) {
        if (values == null) return false;
        for (String v : values) {
            if (v == null) continue;
            for (Pattern p : patterns) if (p.matcher(v).matches()) return true;
        }
        return false;
    }

    static Pattern wildcard(String v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length()) sb.append(Pattern.quote(String.valueOf(v.charAt(++i))));
            else if (c == '*') sb.append(".*");
            else if (c == '?') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(sb.toString(), Pattern.DOTALL);
    }
}
