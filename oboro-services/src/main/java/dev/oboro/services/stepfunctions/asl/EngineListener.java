package dev.oboro.services.stepfunctions.asl;

/** Notifications for the host (persistence, long polls, metrics). Called under the execution's lock (executionFinished after it is released): keep them short. */
public interface EngineListener {
    /** The execution changed and reached a stable point: persist {@code snapshot} if you persist executions. */
    default void executionChanged(ExecutionData snapshot) {}

    /** The execution reached a terminal status (SUCCEEDED, FAILED, TIMED_OUT, ABORTED). */
    default void executionFinished(ExecutionData snapshot) {}

    /**
     * History events were appended: {@code snapshot.events} from {@code fromIndex} on are new (CloudWatch Logs, X-Ray).
     * Called under the execution's lock, before {@link #executionChanged}.
     */
    default void eventsAppended(ExecutionData snapshot, int fromIndex) {}

    /** A task was queued for the activity: wake long-polling {@code GetActivityTask} callers. */
    default void activityTaskScheduled(String activityArn) {}

    EngineListener NONE = new EngineListener() {};
}
