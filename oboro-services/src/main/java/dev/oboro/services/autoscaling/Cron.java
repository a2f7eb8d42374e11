package dev.oboro.services.autoscaling;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;

/**
 * The Unix cron format of scheduled actions' {@code Recurrence}: minute, hour, day of month, month,
 * day of week ({@code 0}/{@code 7} Sunday), with {@code *}, lists, ranges and steps.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/scheduled-scaling-recurring-schedules.html
 */
final class Cron {
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean anyDay;
    private final boolean anyWeekday;

    private Cron(String[] f) {
        minutes = field(f[0], 0, 59);
        hours = field(f[1], 0, 23);
        days = field(f[2], 1, 31);
        months = field(f[3], 1, 12);
        BitSet w = field(f[4].replace("7", "0"), 0, 6);
        weekdays = w;
        anyDay = f[2].equals("*") || f[2].equals("?");
        anyWeekday = f[4].equals("*") || f[4].equals("?");
    }

    /** Parses an expression, or returns null when it is not a valid one. */
    static Cron parse(String expr) {
        if (expr == null) return null;
        String[] f = expr.trim().split("\\s+");
        if (f.length != 5) return null;
        try {
            return new Cron(f);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static BitSet field(String spec, int lo, int hi) {
        BitSet b = new BitSet();
        for (String part : spec.split(",")) {
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = Integer.parseInt(part.substring(slash + 1));
                part = part.substring(0, slash);
                if (step < 1) throw new IllegalArgumentException();
            }
            int from;
            int to;
            if (part.equals("*") || part.equals("?")) {
                from = lo;
                to = hi;
            } else if (part.contains("-")) {
                from = Integer.parseInt(part.substring(0, part.indexOf('-')));
                to = Integer.parseInt(part.substring(part.indexOf('-') + 1));
            } else {
                from = Integer.parseInt(part);
                to = slash >= 0 ? hi : from;
            }
            if (from < lo || to > hi || from > to) throw new IllegalArgumentException();
            for (int i = from; i <= to; i += step) b.set(i);
        }
        return b;
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean d = days.get(t.getDayOfMonth());
        boolean w = weekdays.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        // as in Unix cron: when both are restricted, either may match
        if (!anyDay && !anyWeekday) return d || w;
        return d && w;
    }

    /** The first time strictly after {@code after} that matches, in the zone (null: none within five years). */
    Instant next(Instant after, ZoneId zone) {
        ZonedDateTime t = after.atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = t.plusYears(5);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
                continue;
            }
            if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
                continue;
            }
            if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
                continue;
            }
            return t.toInstant();
        }
        return null;
    }
}
