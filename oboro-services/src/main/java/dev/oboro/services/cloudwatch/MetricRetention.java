package dev.oboro.services.cloudwatch;

import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CloudWatch's retention, on Oboro's clock, as
 * <a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention">CloudWatch documents it</a>:
 * high-resolution datapoints are kept for 3 hours, then aggregated to 1 minute; 1-minute datapoints
 * for 15 days, then 5 minutes; 5-minute datapoints for 63 days, then 1 hour; 1-hour datapoints for
 * 455 days (15 months), then they are gone.
 *
 * <p>Once an hour of clock time, the datapoints of each metric that passed an age are merged into
 * one statistic set per coarser period (so percentiles of aged data are only available where a
 * period held a single value, as with any statistic set). Each tier remembers how far it has merged
 * per account and region, so a sweep reads only what aged since the last one. During a long clock
 * jump the intermediate sweeps are skipped: the one at the end of the jump does their work.
 */
final class MetricRetention {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    static final Duration SWEEP_EVERY = Duration.ofHours(1);

    /** Datapoints older than {@code ageMs} are merged into periods of {@code periodMs}. */
    record Tier(long ageMs, long periodMs) {
    }

    static final List<Tier> TIERS = List.of(new Tier(3 * HOUR, MINUTE), new Tier(15 * DAY, 5 * MINUTE), new Tier(63 * DAY, HOUR));
    static final long EXPIRES_MS = 455 * DAY;

    private static final Map<Oboro, MetricRetention> BY_OBORO = Collections.synchronizedMap(new WeakHashMap<>());

    private final MetricStore store;
    /** Per account and region: how far each tier has merged, and how far datapoints were expired. */
    private final Map<Scope, long[]> done = new ConcurrentHashMap<>();

    private MetricRetention(MetricStore store) {
        this.store = store;
    }

    /** Arms the hourly sweep of that Oboro's metrics, once. */
    static void arm(Oboro oboro) {
        if (BY_OBORO.containsKey(oboro)) return;
        BY_OBORO.computeIfAbsent(oboro, o -> {
            MetricRetention r = new MetricRetention(new MetricStore(o, false));
            o.scheduler().every(SWEEP_EVERY, r::sweepUnlessJumping);
            o.store().onReset(r.done::clear);
            return r;
        });
    }

    private void sweepUnlessJumping() {
        Oboro oboro = store.oboro();
        if (oboro.scheduler().horizon().isAfter(oboro.clock().instant().plus(SWEEP_EVERY))) return;
        sweep(oboro.clock().millis());
    }

    synchronized void sweep(long now) {
        for (Scope scope : store.metrics().scopes()) {
            long[] marks = done.computeIfAbsent(scope, s -> new long[TIERS.size() + 1]);
            long expireTo = floor(now - EXPIRES_MS, HOUR);
            for (String metricId : List.copyOf(store.metrics().entries(scope).keySet())) {
                if (expireTo > marks[TIERS.size()]) expire(scope, metricId, marks[TIERS.size()], expireTo);
                for (int t = 0; t < TIERS.size(); t++) {
                    Tier tier = TIERS.get(t);
                    long to = floor(now - tier.ageMs(), HOUR);
                    if (to > marks[t]) merge(scope, metricId, marks[t], to, tier.periodMs());
                }
            }
            marks[TIERS.size()] = Math.max(marks[TIERS.size()], expireTo);
            for (int t = 0; t < TIERS.size(); t++) marks[t] = Math.max(marks[t], floor(now - TIERS.get(t).ageMs(), HOUR));
        }
    }

    private void expire(Scope scope, String metricId, long from, long to) {
        for (String key : List.copyOf(store.scan(scope, metricId, from, to).keySet())) store.remove(scope, key);
    }

    /** Merges the datapoints in [from, to) into one statistic set per period that holds more than one. */
    private void merge(Scope scope, String metricId, long from, long to, long periodMs) {
        TreeMap<Long, List<Map.Entry<String, MetricStore.Point>>> periods = new TreeMap<>();
        for (Map.Entry<String, MetricStore.Point> e : store.scan(scope, metricId, from, to).entrySet()) {
            periods.computeIfAbsent(floor(e.getValue().at(), periodMs), k -> new ArrayList<>()).add(e);
        }
        periods.forEach((start, points) -> {
            if (points.size() == 1 && points.get(0).getValue().at() == start) return; // already one datapoint of that period
            Agg agg = new Agg();
            points.forEach(p -> agg.add(p.getValue()));
            if (agg.isEmpty()) return;
            MetricStore.Point merged = new MetricStore.Point(start, points.get(0).getValue().unit(), null, null,
                    agg.sampleCount(), agg.sum(), agg.minimum(), agg.maximum());
            store.replace(scope, metricId, points.stream().map(Map.Entry::getKey).toList(), merged);
        });
    }

    /**
     * Whether a query period can be answered for a start time that long ago: older data only exists at
     * its tier's resolution, and CloudWatch returns no datapoints for a finer period (a start 15 to 63
     * days ago needs a multiple of 5 minutes, and so on).
     */
    static boolean periodServes(long startAgeMs, long periodMs) {
        for (int t = TIERS.size() - 1; t >= 0; t--) {
            Tier tier = TIERS.get(t);
            if (startAgeMs > tier.ageMs()) return periodMs % tier.periodMs() == 0;
        }
        return true;
    }

    private static long floor(long ms, long periodMs) {
        return Math.floorDiv(ms, periodMs) * periodMs;
    }
}
