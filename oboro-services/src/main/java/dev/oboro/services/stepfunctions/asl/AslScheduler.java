package dev.oboro.services.stepfunctions.asl;

import java.time.Instant;

/**
 * The host's scheduler, driven by its (virtual) clock. The engine never sleeps: Wait states, retry intervals,
 * task timeouts, heartbeats and execution timeouts are tasks scheduled here at absolute instants.
 */
@FunctionalInterface
public interface AslScheduler {
    /** Run {@code task} once the host clock reaches {@code at} (immediately if already past). */
    Handle schedule(Instant at, Runnable task);

    /** A scheduled task that can be cancelled; cancelling after it ran is a no-op. */
    @FunctionalInterface
    interface Handle {
        void cancel();
    }
}
