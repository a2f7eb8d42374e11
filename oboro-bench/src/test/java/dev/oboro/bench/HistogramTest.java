package dev.oboro.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistogramTest {

    @Test
    void quantilesAreWithinOnePercent() {
        Histogram h = new Histogram();
        for (long v = 1; v <= 100_000; v++) h.record(v * 1_000); // 1 µs .. 100 ms, uniform
        assertEquals(100_000, h.count());
        assertNear(50_000_000, h.quantileNanos(0.50));
        assertNear(99_000_000, h.quantileNanos(0.99));
        assertEquals(100_000_000, h.quantileNanos(1.0));
        assertEquals(100_000_000, h.maxNanos());
    }

    @Test
    void smallValuesAreExactAndBucketsAreContiguous() {
        for (long v = 0; v < 1 << 18; v++) {
            int i = Histogram.index(v);
            assertTrue(Histogram.upperEdge(i) >= v, "upper edge below value " + v);
            if (i > 0) assertTrue(Histogram.upperEdge(i - 1) < v, "value " + v + " fits an earlier bucket");
        }
        assertEquals(127, Histogram.upperEdge(Histogram.index(127)));
        Histogram.index(Long.MAX_VALUE); // the largest value still has a bucket
    }

    @Test
    void mergedHistogramsCountEverything() {
        Histogram a = new Histogram();
        Histogram b = new Histogram();
        a.record(1_000);
        b.record(3_000);
        b.record(5_000);
        a.add(b);
        assertEquals(3, a.count());
        assertEquals(5_000, a.maxNanos());
        assertNear(3_000, a.quantileNanos(0.5));
    }

    private static void assertNear(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 100, "expected ~" + expected + " but was " + actual);
    }
}
