package dev.oboro.core;

import dev.oboro.wire.AwsException;
import dev.oboro.wire.Protocol;
import dev.oboro.wire.SdkShapes;
import dev.oboro.wire.ServiceModel;
import dev.oboro.wire.ValidationException;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Pagination for every list/describe operation, driven by the operation's paginator in the
 * service model: which request members carry the token and page size, which response members
 * carry the next token and the truncation flag.
 *
 * <p>Items must come in a stable order with a unique key. A token names the last key returned, so
 * tokens are stateless, can be sent again, never echo the incoming one, and stay valid when items
 * are added or removed in between.
 */
public final class Pagination {
    private Pagination() {
    }

    /** One page of items and the members to set on the response. */
    public record Page<T>(List<T> items, String nextToken, boolean truncated) {
    }

    /**
     * Pages {@code items} (already in stable order) for the operation of {@code call} and sets the
     * paginator's output token and truncation members on {@code responseBuilder}.
     *
     * @param defaultPageSize used when the request gives no page size; 0 means "all"
     */
    public static <T> Page<T> page(Call call, SdkPojo request, List<T> items, Function<T, String> key,
                                   SdkPojo responseBuilder, int defaultPageSize) {
        return page(call, request, items, key, responseBuilder, defaultPageSize, 0);
    }

    /**
     * As {@link #page(Call, SdkPojo, List, Function, SdkPojo, int)}, returning at most
     * {@code maxPageSize} items (when above 0) whatever page size the request asks for.
     */
    public static <T> Page<T> page(Call call, SdkPojo request, List<T> items, Function<T, String> key,
                                   SdkPojo responseBuilder, int defaultPageSize, int maxPageSize) {
        ServiceModel svc = call.oboro().models().service(call.service());
        ServiceModel.Operation op = svc.operation(call.operation());
        ServiceModel.Paginator p = op == null ? null : op.paginator();
        if (p == null) return new Page<>(items, null, false);
        String inToken = first(p.inputToken());
        String outToken = first(p.outputToken());
        String token = (String) member(request, inToken);
        Integer limit = limit(request, p);
        int size = limit != null ? limit : defaultPageSize;
        if (maxPageSize > 0 && size > maxPageSize) size = maxPageSize;

        int start = 0;
        if (token != null && !token.isEmpty()) {
            String after = decode(svc, token);
            start = items.size();
            for (int i = 0; i < items.size(); i++) {
                if (key.apply(items.get(i)).compareTo(after) > 0) {
                    start = i;
                    break;
                }
            }
        }
        int end = size <= 0 ? items.size() : Math.min(items.size(), start + size);
        List<T> pageItems = new ArrayList<>(items.subList(start, end));
        boolean truncated = end < items.size();
        String next = truncated && !pageItems.isEmpty() ? encode(key.apply(pageItems.get(pageItems.size() - 1))) : null;
        if (next != null && outToken != null) set(responseBuilder, outToken, next);
        if (p.moreResults() != null) set(responseBuilder, p.moreResults(), truncated);
        return new Page<>(pageItems, next, truncated);
    }

    /** As {@link #page} with the model's defaults: all items for EC2, else up to 100. */
    public static <T> Page<T> page(Call call, SdkPojo request, List<T> items, Function<T, String> key, SdkPojo responseBuilder) {
        ServiceModel svc = call.oboro().models().service(call.service());
        int dflt = svc.defaultProtocol() == Protocol.EC2 ? 0 : 100;
        ServiceModel.Operation op = svc.operation(call.operation());
        if (dflt > 0 && op != null && op.paginator() != null && op.paginator().limitBounds() != null) {
            Long max = op.paginator().limitBounds().get("max");
            if (max != null && max < dflt) dflt = max.intValue();
        }
        return page(call, request, items, key, responseBuilder, dflt);
    }

    /** The page size a request asks for (its paginator's limit member), or null when it gives none. */
    public static Integer limit(Call call, SdkPojo request) {
        ServiceModel.Operation op = call.oboro().models().service(call.service()).operation(call.operation());
        return op == null || op.paginator() == null ? null : limit(request, op.paginator());
    }

    /** The bounds of the operation's page size in the model ({@code min}, {@code max}), or null. */
    public static Map<String, Long> limitBounds(Call call) {
        ServiceModel.Operation op = call.oboro().models().service(call.service()).operation(call.operation());
        return op == null || op.paginator() == null ? null : op.paginator().limitBounds();
    }

    private static Integer limit(SdkPojo request, ServiceModel.Paginator p) {
        if (p.limitKey() == null) return null;
        Object v = member(request, p.limitKey());
        if (v == null) return null;
        if (v instanceof Number n) return n.intValue();
        try {
            return Integer.parseInt(String.valueOf(v).trim()); // Route 53 sends MaxItems as a string
        } catch (NumberFormatException e) {
            throw ValidationException.malformed(p.limitKey(), "Invalid value for " + p.limitKey() + ": " + v);
        }
    }

    private static String first(Object tokenSpec) {
        if (tokenSpec instanceof String s) return s;
        if (tokenSpec instanceof List<?> l && !l.isEmpty()) return String.valueOf(l.get(0));
        return null;
    }

    private static Object member(SdkPojo pojo, String name) {
        if (name == null) return null;
        for (SdkField<?> f : SdkShapes.fields(pojo)) {
            if (f.memberName().equals(name)) return f.getValueOrDefault(pojo);
        }
        return null;
    }

    private static void set(SdkPojo builder, String name, Object value) {
        for (SdkField<?> f : SdkShapes.fields(builder)) {
            if (f.memberName().equals(name)) {
                f.set(builder, value);
                return;
            }
        }
    }

    static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("v1:" + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    static String decode(ServiceModel svc, String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (s.startsWith("v1:")) return s.substring(3);
        } catch (IllegalArgumentException ignored) {
            // falls through to the error below
        }
        String code = invalidTokenCode(svc);
        if (code != null) throw new AwsException(code, "Invalid pagination token: " + token);
        throw ValidationException.malformed("NextToken", "Invalid pagination token");
    }

    private static String invalidTokenCode(ServiceModel svc) {
        for (String candidate : List.of("InvalidNextTokenException", "InvalidNextToken", "InvalidMarkerException",
                "InvalidPaginationTokenException", "InvalidPaginationToken", "InvalidTokenException", "InvalidToken")) {
            if (svc.errors().containsKey(candidate)) return svc.errors().get(candidate).code();
        }
        if (svc.defaultProtocol() == Protocol.EC2) return "InvalidNextToken";
        return null;
    }
}
