package dev.oboro.bench;

/**
 * A log-linear latency histogram in nanoseconds: 128 sub-buckets per power of two, so every
 * recorded value is kept within 0.8% of its true value in constant memory. One instance per
 * load-generator connection (not thread-safe); {@link #add} merges them afterwards.
 */
final class Histogram {
    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] counts = new long[(64 - SUB_BITS + 1) * SUB];
    private long total;
    private long max;

    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        if (v > max) max = v;
    }

    void add(Histogram other) {
        for (int i = 0; i < counts.length; i++) counts[i] += other.counts[i];
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    long maxNanos() {
        return max;
    }

    /** The value at quantile q (0..1), as the upper edge of its bucket, capped at the maximum seen. */
    long quantileNanos(double q) {
        if (total == 0) return 0;
        long rank = (long) Math.ceil(q * total);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) return Math.min(upperEdge(i), max);
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB) return (int) v;
        int shift = (63 - Long.numberOfLeadingZeros(v)) - SUB_BITS;
        return (shift << SUB_BITS) + (int) (v >>> shift);
    }

    /** Largest value that maps to bucket i. */
    static long upperEdge(int i) {
        if (i < 2 * SUB) return i;
        int shift = (i >>> SUB_BITS) - 1;
        long m = i - ((long) shift << SUB_BITS);
        return ((m + 1) << shift) - 1;
    }
}
