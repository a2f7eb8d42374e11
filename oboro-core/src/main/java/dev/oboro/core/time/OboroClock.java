package dev.oboro.core.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The one clock of Oboro. It runs in real time shifted by an offset that only ever grows
 * ({@code POST /_oboro/clock} advances it). While the scheduler runs a task during an advance, the
 * clock is pinned to that task's due time, so the task sees the time it was due.
 */
public final class OboroClock extends Clock {
    private volatile long offsetNanos;
    private volatile Instant pinned;

    public OboroClock(long offsetNanos) {
        this.offsetNanos = offsetNanos;
    }

    @Override
    public Instant instant() {
        Instant p = pinned;
        if (p != null) return p;
        return realNow().plusNanos(offsetNanos);
    }

    private static Instant realNow() {
        return Clock.systemUTC().instant();
    }

    public long offsetNanos() {
        return offsetNanos;
    }

    /** Moves the clock so that now is {@code target} (never backwards). */
    void jumpTo(Instant target) {
        Instant now = instant();
        if (target.isAfter(now)) {
            offsetNanos += Duration.between(now, target).toNanos();
        }
    }

    void pin(Instant at) {
        pinned = at;
    }

    void unpin() {
        pinned = null;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(instant(), zone);
    }
}
