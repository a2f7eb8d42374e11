package dev.oboro.services.stepfunctions.asl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/** A virtual clock and the scheduler it drives: time moves only when {@link #advance} is called. */
final class FakeTime extends Clock implements AslScheduler {
    private Instant now;
    private long seq;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();

    private final class Task implements Comparable<Task>, Handle {
        final Instant at;
        final long order = seq++;
        final Runnable r;
        boolean cancelled;

        Task(Instant at, Runnable r) { this.at = at; this.r = r; }

        @Override public int compareTo(Task o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }

        @Override public void cancel() {
            synchronized (FakeTime.this) { cancelled = true; queue.remove(this); }
        }
    }

    FakeTime(Instant start) { this.now = start; }

    @Override public synchronized Instant instant() { return now; }
    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }

    @Override
    public synchronized Handle schedule(Instant at, Runnable task) {
        Task t = new Task(at, task);
        queue.add(t);
        return t;
    }

    /** Move the clock forward, running every task that falls due, in time order, at its own instant. */
    void advance(Duration d) {
        Instant target;
        synchronized (this) { target = now.plus(d); }
        while (true) {
            Task t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.at.isAfter(target)) { now = target; return; }
                queue.poll();
                if (t.at.isAfter(now)) now = t.at;
            }
            if (!t.cancelled) t.r.run();
        }
    }

    /** Run what is due now (timers set at or before the current instant). */
    void runDue() { advance(Duration.ZERO); }

    synchronized void clear() { queue.clear(); }

    synchronized int pending() { return queue.size(); }
}
