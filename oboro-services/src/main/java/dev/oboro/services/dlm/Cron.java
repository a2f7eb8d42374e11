package dev.oboro.services.dlm;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A schedule expression of DLM's {@code CronExpression}: {@code cron(minutes hours day-of-month
 * month day-of-week year)} in UTC, the EventBridge form: one of day-of-month and day-of-week is
 * {@code ?}; lists, ranges, {@code /} steps, {@code *}, month and day names, {@code L} (last day of
 * month) and {@code n#k} (k-th weekday n of the month) are understood.
 * https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-ami-policy.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 */
final class Cron {
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth; // null when '?'
    private final boolean lastDayOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek; // 1 = Sunday ... 7 = Saturday; null when '?'
    private final int nthWeekday; // n of n#k, else 0
    private final int nthWeek; // k of n#k
    private final BitSet years;

    private Cron(String[] f) {
        minutes = field(f[0], 0, 59, null, 0);
        hours = field(f[1], 0, 23, null, 0);
        String dom = f[2];
        String dow = f[4];
        if (dom.equals("?") == dow.equals("?")) throw new IllegalArgumentException("one of day-of-month and day-of-week must be '?'");
        lastDayOfMonth = dom.equals("L");
        daysOfMonth = dom.equals("?") || lastDayOfMonth ? null : field(dom, 1, 31, null, 0);
        months = field(f[3], 1, 12, MONTHS, 1);
        if (dow.contains("#")) {
            String[] p = dow.split("#");
            nthWeekday = value(p[0], DAYS, 1);
            nthWeek = Integer.parseInt(p[1]);
            if (nthWeekday < 1 || nthWeekday > 7 || nthWeek < 1 || nthWeek > 5) throw new IllegalArgumentException("bad day-of-week " + dow);
            daysOfWeek = null;
        } else {
            nthWeekday = 0;
            nthWeek = 0;
            daysOfWeek = dow.equals("?") ? null : field(dow, 1, 7, DAYS, 1);
        }
        years = field(f[5], 1970, 2199, null, 0);
    }

    /** Parses {@code cron(...)}; throws IllegalArgumentException when it is not a valid expression. */
    static Cron parse(String expression) {
        String e = expression.trim();
        if (!e.startsWith("cron(") || !e.endsWith(")")) throw new IllegalArgumentException("not a cron expression");
        String[] f = e.substring(5, e.length() - 1).trim().split("\\s+");
        if (f.length != 6) throw new IllegalArgumentException("a cron expression has six fields");
        return new Cron(f);
    }

    private static int value(String s, List<String> names, int base) {
        String u = s.toUpperCase(Locale.ROOT);
        if (names != null && names.contains(u)) return names.indexOf(u) + base;
        return Integer.parseInt(s);
    }

    private static BitSet field(String spec, int min, int max, List<String> names, int base) {
        BitSet b = new BitSet();
        for (String part : spec.split(",")) {
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = Integer.parseInt(part.substring(slash + 1));
                range = part.substring(0, slash);
                if (step < 1) throw new IllegalArgumentException("bad step in " + spec);
            }
            int lo;
            int hi;
            if (range.equals("*")) {
                lo = min;
                hi = max;
            } else if (range.contains("-")) {
                String[] p = range.split("-");
                lo = value(p[0], names, base);
                hi = value(p[1], names, base);
            } else {
                lo = value(range, names, base);
                hi = slash >= 0 ? max : lo;
            }
            if (lo < min || hi > max || lo > hi) throw new IllegalArgumentException("value out of range in " + spec);
            for (int v = lo; v <= hi; v += step) b.set(v);
        }
        return b;
    }

    private boolean dayMatches(LocalDate d) {
        if (!months.get(d.getMonthValue()) || !years.get(d.getYear())) return false;
        if (lastDayOfMonth) return d.equals(d.with(TemporalAdjusters.lastDayOfMonth()));
        if (daysOfMonth != null) return daysOfMonth.get(d.getDayOfMonth());
        int dow = d.getDayOfWeek().getValue() % 7 + 1; // Sunday = 1
        if (nthWeekday > 0) {
            DayOfWeek want = DayOfWeek.of((nthWeekday + 5) % 7 + 1);
            return d.equals(d.with(TemporalAdjusters.dayOfWeekInMonth(nthWeek, want))) && d.getDayOfWeek() == want;
        }
        return daysOfWeek.get(dow);
    }

    /** The first time strictly after {@code after} that the expression names, or null within the next five years. */
    Instant next(Instant after) {
        LocalDateTime t = LocalDateTime.ofInstant(after, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDate day = t.toLocalDate();
        for (int i = 0; i < 366 * 5; i++, day = day.plusDays(1)) {
            if (!dayMatches(day)) continue;
            int fromMinute = day.equals(t.toLocalDate()) ? t.getHour() * 60 + t.getMinute() : 0;
            for (int m = fromMinute; m < 24 * 60; m++) {
                if (hours.get(m / 60) && minutes.get(m % 60)) return day.atStartOfDay().plusMinutes(m).toInstant(ZoneOffset.UTC);
            }
        }
        return null;
    }
}
