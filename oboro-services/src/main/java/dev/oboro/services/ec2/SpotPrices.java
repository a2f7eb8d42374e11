package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryResponse;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.SpotPrice;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Deterministic prices. The On-Demand price of a type follows its size (vCPUs, memory, GPUs); the
 * Spot price of a pool (type and zone) changes every {@link #PERIOD}, between 28 % and 45 % of
 * On-Demand, by a hash of the type, the zone and the period: the same on every run, different
 * across pools and over time. A pool's spare capacity (for the capacity-optimized strategies) is
 * a hash of the type and zone.
 */
final class SpotPrices {
    static final Duration PERIOD = Duration.ofHours(1);
    static final List<String> PRODUCTS = List.of("Linux/UNIX", "Linux/UNIX (Amazon VPC)", "Windows", "Windows (Amazon VPC)");

    private final Ec2State st;
    private final Filters<SpotPrice> filters = new Filters<>(Map.<String, Function<SpotPrice, Collection<String>>>of(
            "availability-zone", p -> List.of(p.availabilityZone()),
            "instance-type", p -> List.of(p.instanceTypeAsString()),
            "product-description", p -> List.of(p.productDescriptionAsString()),
            "spot-price", p -> List.of(p.spotPrice()),
            "timestamp", p -> List.of(p.timestamp().toString())));

    SpotPrices(Ec2State st) {
        this.st = st;
    }

    /** The On-Demand price of a Linux instance of a type, in USD an hour. */
    double onDemand(String type, boolean windows) {
        InstanceTypeInfo i = st.catalog.types().infos().get(type);
        if (i == null) return 0.1;
        int vcpus = i.vCpuInfo() == null ? 1 : i.vCpuInfo().defaultVCpus();
        double memGiB = i.memoryInfo() == null ? 1 : i.memoryInfo().sizeInMiB() / 1024.0;
        int gpus = i.gpuInfo() == null ? 0 : i.gpuInfo().gpus().stream().mapToInt(g -> g.count() == null ? 0 : g.count()).sum();
        double price = 0.0208 * vcpus + 0.0056 * memGiB + 0.6 * gpus;
        if (windows) price += 0.046 * vcpus;
        return price;
    }

    /** The Spot price of a pool at an instant. */
    double spot(String type, String zone, boolean windows, Instant at) {
        long period = Math.floorDiv(at.getEpochSecond(), PERIOD.toSeconds());
        return round(onDemand(type, windows) * (0.28 + 0.17 * unit(type + "|" + zone + "|" + period)));
    }

    /** A pool's spare capacity in [0, 1): higher is less likely to be interrupted. */
    static double capacity(String type, String zone) {
        return unit("capacity|" + type + "|" + zone);
    }

    static double round(double p) {
        return Math.round(p * 1_000_000) / 1_000_000.0;
    }

    static String format(double p) {
        return String.format(Locale.ROOT, "%.6f", p);
    }

    private static double unit(String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int k = 0; k < 6; k++) v = (v << 8) | (h[k] & 0xff);
            return v / (double) (1L << 48);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The prices in effect from StartTime (the last change at or before it) and every change up to
     * EndTime; without times, the price in effect now.
     * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotPriceHistory.html
     */
    DescribeSpotPriceHistoryResponse describeSpotPriceHistory(Call call, DescribeSpotPriceHistoryRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSpotPriceHistory");
        Instant now = call.now();
        Instant end = req.endTime() == null ? now : req.endTime().isAfter(now) ? now : req.endTime();
        Instant start = req.startTime() == null ? end : req.startTime();
        if (start.isAfter(end)) throw Ec2Errors.invalidParameterValue("The start time must be before the end time.");
        if (start.isBefore(now.minus(Duration.ofDays(90)))) start = now.minus(Duration.ofDays(90));
        List<String> types = req.hasInstanceTypes() && !req.instanceTypes().isEmpty() ? req.instanceTypesAsStrings() : null;
        List<String> products = req.hasProductDescriptions() && !req.productDescriptions().isEmpty() ? req.productDescriptions() : PRODUCTS;
        for (String p : products) {
            if (!PRODUCTS.contains(p) && !p.equals("SUSE Linux") && !p.equals("Red Hat Enterprise Linux")) {
                throw Ec2Errors.invalidParameterValue("Invalid product description: " + p);
            }
        }
        Catalog.RegionInfo region = st.catalog.region(call.region());
        List<String> order = st.catalog.types().offeringOrder();
        long firstPeriod = Math.floorDiv(start.getEpochSecond(), PERIOD.toSeconds());
        long lastPeriod = Math.floorDiv(end.getEpochSecond(), PERIOD.toSeconds());
        List<SpotPrice> all = new ArrayList<>();
        if (region != null) {
            for (var z : region.zones()) {
                if (req.availabilityZone() != null && !req.availabilityZone().equals(z.zoneName())) continue;
                BitSet offered = st.catalog.offered(call.region(), z.zoneName());
                for (int t = offered.nextSetBit(0); t >= 0; t = offered.nextSetBit(t + 1)) {
                    String type = order.get(t);
                    if (types != null && !types.contains(type)) continue;
                    for (String product : products) {
                        boolean windows = product.startsWith("Windows");
                        for (long p = lastPeriod; p >= firstPeriod; p--) {
                            Instant at = Instant.ofEpochSecond(p * PERIOD.toSeconds());
                            all.add(SpotPrice.builder().availabilityZone(z.zoneName()).availabilityZoneId(z.zoneId()).instanceType(type)
                                    .productDescription(product).spotPrice(format(spot(type, z.zoneName(), windows, at))).timestamp(at).build());
                        }
                    }
                }
            }
        }
        // pages follow the key, so the prices go in key order (zone, type, product, newest first)
        Function<SpotPrice, String> key = p -> p.availabilityZone() + "|" + p.instanceTypeAsString() + "|" + p.productDescriptionAsString()
                + "|" + String.format("%019d", Long.MAX_VALUE - p.timestamp().getEpochSecond());
        TreeMap<String, SpotPrice> byKey = new TreeMap<>();
        for (SpotPrice p : filters.apply(req.filters(), all)) byKey.put(key.apply(p), p);
        List<SpotPrice> matched = new ArrayList<>(byKey.values());
        DescribeSpotPriceHistoryResponse.Builder b = DescribeSpotPriceHistoryResponse.builder();
        Pagination.Page<SpotPrice> page = Paging.page(call, req, matched, key, b);
        return b.spotPriceHistory(page.items()).build();
    }
}
