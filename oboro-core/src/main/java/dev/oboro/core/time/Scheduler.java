package dev.oboro.core.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every delay in Oboro is a task here: instance boots, Wait states, schedules, timeouts. Tasks run
 * in due-time order on one thread, either when real time reaches them or when the clock is
 * advanced past them ({@link #advance}). Tasks are short: anything long hands off to a virtual
 * thread. Tasks are not persisted: services re-arm them from their state when they load.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());

    public interface Task {
        /** Cancels the task if it has not run yet; returns whether it was still pending. */
        boolean cancel();

        Instant dueAt();
    }

    private final class Entry implements Task, Comparable<Entry> {
        final Instant due;
        final long seq;
        final Runnable action;
        volatile boolean cancelled;

        Entry(Instant due, long seq, Runnable action) {
            this.due = due;
            this.seq = seq;
            this.action = action;
        }

        @Override
        public int compareTo(Entry o) {
            int c = due.compareTo(o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public boolean cancel() {
            lock.lock();
            try {
                boolean was = !cancelled && queue.remove(this);
                cancelled = true;
                return was;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Instant dueAt() {
            return due;
        }
    }

    private final OboroClock clock;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Held while tasks run, so real-time runs and advances never interleave. */
    private final ReentrantLock runLock = new ReentrantLock();
    private final AtomicLong seq = new AtomicLong();
    private final Thread thread;
    private final LongConsumer offsetListener;
    private volatile boolean closed;
    /** While an advance runs: the time it advances to. */
    private volatile Instant advancingTo;

    public Scheduler(OboroClock clock, LongConsumer offsetListener) {
        this.clock = clock;
        this.offsetListener = offsetListener;
        this.thread = Thread.ofPlatform().daemon().name("oboro-scheduler").start(this::loop);
    }

    public OboroClock clock() {
        return clock;
    }

    public Task schedule(Instant at, Runnable action) {
        Entry e = new Entry(at, seq.incrementAndGet(), action);
        lock.lock();
        try {
            queue.add(e);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return e;
    }

    public Task scheduleAfter(Duration delay, Runnable action) {
        return schedule(clock.instant().plus(delay), action);
    }

    /**
     * Runs {@code action} every {@code period} of clock time from now on, for as long as Oboro runs:
     * daily sweeps (retention, expiry) that a long clock jump replays once per period. A run that
     * fails is logged and the next one still comes.
     */
    public void every(Duration period, Runnable action) {
        scheduleAfter(period, () -> {
            try {
                action.run();
            } finally {
                every(period, action);
            }
        });
    }

    /**
     * Where time is heading: during an advance, the instant it advances to (while each task sees its
     * own due time on the clock); otherwise now. Periodic work can use it to bound how much of a
     * long jump it replays.
     */
    public Instant horizon() {
        Instant t = advancingTo;
        return t != null ? t : clock.instant();
    }

    public int pending() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Advances the clock by {@code by}, running every task that falls due, in due order (including
     * tasks scheduled by those tasks), each with the clock pinned to its due time.
     */
    public Instant advance(Duration by) {
        if (by.isNegative()) throw new IllegalArgumentException("the clock cannot go backwards");
        runLock.lock();
        try {
            Instant start = clock.instant();
            Instant target = start.plus(by);
            advancingTo = target;
            while (true) {
                Entry next = pollDue(target);
                if (next == null) break;
                // a task falling due within this advance sees exactly its due time, even when real
                // time has moved the clock a few milliseconds on while earlier tasks ran
                clock.pin(next.due.isAfter(start) ? next.due : clock.instant());
                try {
                    run(next);
                } finally {
                    Instant at = clock.instant();
                    clock.unpin();
                    clock.jumpTo(at);
                }
            }
            clock.jumpTo(target);
            offsetListener.accept(clock.offsetNanos());
            return clock.instant();
        } finally {
            advancingTo = null;
            runLock.unlock();
        }
        // waking the real-time loop: its next deadline may have moved
    }

    private Entry pollDue(Instant limit) {
        lock.lock();
        try {
            Entry head = queue.peek();
            if (head == null || head.due.isAfter(limit)) return null;
            queue.poll();
            return head;
        } finally {
            lock.unlock();
        }
    }

    private void run(Entry e) {
        if (e.cancelled) return;
        try {
            e.action.run();
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "scheduled task failed", t);
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Entry due = null;
                lock.lock();
                try {
                    Entry head = queue.peek();
                    if (head == null) {
                        changed.await();
                        continue;
                    }
                    long waitNanos = Duration.between(clock.instant(), head.due).toNanos();
                    if (waitNanos > 0) {
                        changed.awaitNanos(Math.min(waitNanos, 1_000_000_000L));
                        continue;
                    }
                    due = head;
                } finally {
                    lock.unlock();
                }
                runLock.lock();
                try {
                    List<Entry> batch = new ArrayList<>();
                    Entry e;
                    while ((e = pollDue(clock.instant())) != null) batch.add(e);
                    for (Entry b : batch) run(b);
                } finally {
                    runLock.unlock();
                }
            } catch (InterruptedException ie) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
