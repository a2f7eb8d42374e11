package dev.oboro.wire;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches a REST request (method + path + query) to an operation using the URI templates of the
 * service model ({@code /2015-03-31/functions/{FunctionName}/invocations}, {@code /{Bucket}/{Key+}},
 * {@code /{Bucket}?tagging}). Both {@code /path} and {@code /path/} match. The most specific
 * template wins: more literal segments, then more required query keys.
 */
public final class RestRoutes {
    public record Match(String operation, Map<String, String> pathParams) {
    }

    private record Route(String operation, String method, List<String> segments, Map<String, String> queryLiterals, int literals) {
    }

    private final List<Route> routes = new ArrayList<>();

    public RestRoutes(ServiceModel svc) {
        svc.operations().forEach((name, op) -> routes.add(compile(name, op.method(), op.uri())));
    }

    private static Route compile(String op, String method, String uri) {
        String path = uri;
        Map<String, String> q = new LinkedHashMap<>();
        int qi = uri.indexOf('?');
        if (qi >= 0) {
            path = uri.substring(0, qi);
            for (String kv : uri.substring(qi + 1).split("&")) {
                if (kv.isEmpty()) continue;
                int eq = kv.indexOf('=');
                q.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? null : kv.substring(eq + 1));
            }
        }
        List<String> segs = split(path);
        int literals = 0;
        for (String s : segs) if (!s.startsWith("{")) literals++;
        return new Route(op, method, segs, q, literals);
    }

    private static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    public Match match(String method, String rawPath, Map<String, String> query) {
        List<String> segs = split(rawPath);
        Route best = null;
        Map<String, String> bestParams = null;
        for (Route r : routes) {
            if (!r.method.equalsIgnoreCase(method)) continue;
            Map<String, String> params = matchPath(r, segs);
            if (params == null || !queryMatches(r, query)) continue;
            if (best == null || r.literals > best.literals
                    || (r.literals == best.literals && r.queryLiterals.size() > best.queryLiterals.size())) {
                best = r;
                bestParams = params;
            }
        }
        return best == null ? null : new Match(best.operation, bestParams);
    }

    private static boolean queryMatches(Route r, Map<String, String> query) {
        for (Map.Entry<String, String> e : r.queryLiterals.entrySet()) {
            if (!query.containsKey(e.getKey())) return false;
            if (e.getValue() != null && !e.getValue().equals(query.get(e.getKey()))) return false;
        }
        return true;
    }

    private static Map<String, String> matchPath(Route r, List<String> segs) {
        Map<String, String> params = new HashMap<>();
        List<String> tpl = r.segments;
        for (int i = 0; i < tpl.size(); i++) {
            String t = tpl.get(i);
            if (t.startsWith("{") && t.endsWith("+}")) {
                if (i >= segs.size()) return null;
                params.put(t.substring(1, t.length() - 2), decode(String.join("/", segs.subList(i, segs.size()))));
                return params;
            }
            if (i >= segs.size()) return null;
            if (t.startsWith("{") && t.endsWith("}")) {
                params.put(t.substring(1, t.length() - 1), decode(segs.get(i)));
            } else if (!t.equals(decode(segs.get(i)))) {
                return null;
            }
        }
        return segs.size() == tpl.size() ? params : null;
    }

    static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
