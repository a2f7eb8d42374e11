package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.core.SdkPojo;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * EC2's page sizes, per paginated Describe: the bounds of MaxResults, what a value above the
 * maximum does (refused, or served as the maximum) and the page size when MaxResults is not given
 * (every item, as most EC2 describes answer, or one page). The wire layer leaves EC2's MaxResults
 * bounds to this class, so that refusals carry EC2's own messages. Operations not listed take the
 * model's bounds (if any) and return every item.
 */
final class Paging {
    private Paging() {
    }

    /**
     * @param clamp    a value above {@code max} is served as {@code max} rather than refused
     * @param pageSize the page size without MaxResults; 0 means every item
     * @param code     the operation's own error code for a value out of bounds, or null for InvalidParameterValue
     * @param range    the operation's own message for a value out of bounds ({@code %d} is the value asked),
     *                 or null for EC2's usual one
     */
    record Rule(int min, int max, boolean clamp, int pageSize, String code, String range) {
        Rule(int min, int max, boolean clamp, int pageSize) {
            this(min, max, clamp, pageSize, null, null);
        }
    }

    // AWS's refusals as captured by mulgadc/spinifex (spinifex/gateway, EC2 MaxResults ranges, "captured from AWS")
    private static final String TEMPLATES = "Maximum results allowed are between 1 and 200";
    private static final String INVALID_MAX_RESULTS = "InvalidMaxResults";
    private static final String TO_100 = "Value ( %d ) for parameter maxResults is invalid. Expecting a value from ( 5 ) to  ( 100 ).";
    private static final String TO_1000 = "Value ( %d ) for parameter maxResults is invalid. Expecting a value from ( 5 ) to  ( 1000 ).";

    static final Map<String, Rule> RULES = Map.ofEntries(
            // AWS accepts a DescribeInstances MaxResults above 1,000 (5,000 in spinifex's capture): served as 1,000
            Map.entry("DescribeInstances", new Rule(5, 1000, true, 0)),
            Map.entry("DescribeInstanceStatus", new Rule(5, 1000, false, 0)),
            Map.entry("DescribeTags", new Rule(5, 1000, false, 0)),
            // pages of at most 1,000 prices, also without MaxResults
            Map.entry("DescribeSpotPriceHistory", new Rule(1, 1000, true, 1000)),
            // AWS answers one page of instance types (the CLI and SDK paginators follow NextToken)
            Map.entry("DescribeInstanceTypes", new Rule(5, 100, false, 100, INVALID_MAX_RESULTS, TO_100)),
            Map.entry("DescribeInstanceTypeOfferings", new Rule(5, 1000, false, 0, INVALID_MAX_RESULTS, TO_1000)),
            Map.entry("DescribeSnapshots", new Rule(5, 1000, true, 0)),
            Map.entry("DescribeVolumes", new Rule(5, 500, true, 0)),
            Map.entry("DescribeVolumesModifications", new Rule(5, 500, true, 0)),
            Map.entry("DescribeImages", new Rule(1, 1000, true, 0)),
            Map.entry("DescribeLaunchTemplates", new Rule(1, 200, false, 0, null, TEMPLATES)),
            Map.entry("DescribeLaunchTemplateVersions", new Rule(1, 200, false, 0, null, TEMPLATES)));

    /** {@link Pagination#page} with the operation's page-size rule. */
    static <T> Pagination.Page<T> page(Call call, SdkPojo request, List<T> items, Function<T, String> key, SdkPojo responseBuilder) {
        Rule r = check(call, request);
        if (r == null) return Pagination.page(call, request, items, key, responseBuilder, 0);
        return Pagination.page(call, request, items, key, responseBuilder, r.pageSize(), r.max());
    }

    /** Refuses a MaxResults out of the operation's bounds (for handlers that check it before other work); returns the rule. */
    static Rule check(Call call, SdkPojo request) {
        Rule r = rule(call);
        Integer asked = Pagination.limit(call, request);
        if (r != null && asked != null && (asked < r.min() || asked > r.max() && !r.clamp())) {
            String message = r.range() != null ? String.format(r.range(), asked)
                    : "Value ( " + asked + " ) for parameter maxResults is invalid. Expecting a value "
                    + (asked < r.min() ? "greater than " + r.min() : "less than " + r.max()) + ".";
            throw new AwsException(r.code() != null ? r.code() : "InvalidParameterValue", message, 400);
        }
        return r;
    }

    private static Rule rule(Call call) {
        Rule r = RULES.get(call.operation());
        if (r != null) return r;
        Map<String, Long> bounds = Pagination.limitBounds(call);
        if (bounds == null) return null;
        Long min = bounds.get("min");
        Long max = bounds.get("max");
        return new Rule(min == null ? 1 : min.intValue(), max == null ? Integer.MAX_VALUE : max.intValue(), false, 0);
    }
}
