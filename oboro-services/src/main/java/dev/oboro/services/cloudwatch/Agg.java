package dev.oboro.services.cloudwatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statistics of the datapoints in one period: SampleCount, Sum, Average, Minimum, Maximum and
 * the extended statistics (percentiles {@code pNN}, trimmed means {@code tmNN}, {@code iqm}).
 *
 * <p>Percentiles need the individual values: they are not available for a period that holds a
 * statistic set whose Minimum and Maximum differ, or any negative value, as
 * <a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles">CloudWatch documents</a>.
 */
final class Agg {
    private double count;
    private double sum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private final List<double[]> weighted = new ArrayList<>();
    private boolean percentiles = true;
    private boolean sorted;

    void add(MetricStore.Point p) {
        if (p.values() != null) {
            for (int i = 0; i < p.values().size(); i++) {
                double v = p.values().get(i);
                double c = p.counts() == null ? 1 : p.counts().get(i);
                add(v, c);
            }
        } else {
            double c = p.sampleCount();
            count += c;
            sum += p.sum();
            min = Math.min(min, p.min());
            max = Math.max(max, p.max());
            if (p.min().equals(p.max()) && p.min() >= 0) weighted.add(new double[]{p.min(), c});
            else percentiles = false;
            sorted = false;
        }
    }

    private void add(double v, double c) {
        count += c;
        sum += v * c;
        min = Math.min(min, v);
        max = Math.max(max, v);
        if (v < 0) percentiles = false;
        weighted.add(new double[]{v, c});
        sorted = false;
    }

    boolean isEmpty() {
        return count == 0 && weighted.isEmpty();
    }

    double sampleCount() {
        return count;
    }

    double sum() {
        return sum;
    }

    double average() {
        return count == 0 ? 0 : sum / count;
    }

    double minimum() {
        return min;
    }

    double maximum() {
        return max;
    }

    /** A statistic by its AWS name ("Average", "p99", ...), or null when not available for this period. */
    Double stat(String name) {
        return switch (name) {
            case "SampleCount" -> count;
            case "Sum" -> sum;
            case "Average" -> average();
            case "Minimum" -> min;
            case "Maximum" -> max;
            default -> extended(name);
        };
    }

    private static final Pattern PERCENTILE = Pattern.compile("p(\\d{1,2}(\\.\\d{1,10})?|100)");
    private static final Pattern TRIMMED = Pattern.compile("tm(\\d{1,2}(\\.\\d{1,10})?|100)");

    /** Whether a statistic name is one Oboro computes (the standard five and pNN, tmNN, iqm). */
    static boolean known(String name) {
        if (name == null) return false;
        return switch (name) {
            case "SampleCount", "Sum", "Average", "Minimum", "Maximum" -> true;
            default -> isExtended(name);
        };
    }

    static boolean isExtended(String name) {
        if (name == null) return false;
        String n = name.toLowerCase(Locale.ROOT);
        return PERCENTILE.matcher(n).matches() || TRIMMED.matcher(n).matches() || n.equals("iqm");
    }

    private Double extended(String name) {
        if (!percentiles || weighted.isEmpty()) return null;
        String n = name.toLowerCase(Locale.ROOT);
        sort();
        Matcher m = PERCENTILE.matcher(n);
        if (m.matches()) return percentile(Double.parseDouble(m.group(1)));
        m = TRIMMED.matcher(n);
        if (m.matches()) return trimmedMean(0, Double.parseDouble(m.group(1)));
        if (n.equals("iqm")) return trimmedMean(25, 75);
        return null;
    }

    private void sort() {
        if (!sorted) {
            weighted.sort(Comparator.comparingDouble(a -> a[0]));
            sorted = true;
        }
    }

    private double total() {
        double t = 0;
        for (double[] w : weighted) t += w[1];
        return t;
    }

    /** Nearest rank over the weighted values. */
    private double percentile(double p) {
        double target = p / 100.0 * total();
        double cum = 0;
        for (double[] w : weighted) {
            cum += w[1];
            if (cum >= target && w[1] > 0) return w[0];
        }
        return weighted.get(weighted.size() - 1)[0];
    }

    /** The mean of the values ranked between the two percentiles. */
    private Double trimmedMean(double lowPct, double highPct) {
        double total = total();
        double lo = lowPct / 100.0 * total;
        double hi = highPct / 100.0 * total;
        double cum = 0;
        double s = 0;
        double n = 0;
        for (double[] w : weighted) {
            double from = Math.max(cum, lo);
            double to = Math.min(cum + w[1], hi);
            if (to > from) {
                s += w[0] * (to - from);
                n += to - from;
            }
            cum += w[1];
        }
        return n == 0 ? null : s / n;
    }
}
