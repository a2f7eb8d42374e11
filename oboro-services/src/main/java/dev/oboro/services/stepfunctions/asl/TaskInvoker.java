package dev.oboro.services.stepfunctions.asl;

/**
 * Runs the work of a Task state for the engine (the host's service integrations). The engine never calls a
 * service itself. {@link #invoke} must not block for long: it starts the work and reports the outcome later, or
 * at once, through the engine's {@code taskSucceeded/taskFailed/taskSubmitted/taskHeartbeat} methods using
 * {@link TaskRequest#executionArn()} and {@link TaskRequest#taskId()}.
 *
 * <ul>
 *   <li>REQUEST_RESPONSE: report {@code taskSucceeded(output)} with the API response, or {@code taskFailed}.</li>
 *   <li>SYNC / SYNC2 ({@code .sync}, {@code .sync:2}): optionally {@code taskSubmitted(output)} when the job is
 *       started, then {@code taskSucceeded} / {@code taskFailed} when it ends.</li>
 *   <li>WAIT_FOR_TASK_TOKEN: report {@code taskSubmitted(output)} (or {@code taskSucceeded}, treated the same)
 *       when the call was made; the state then waits for {@code sendTaskSuccess/Failure(taskToken)}.</li>
 * </ul>
 * Activities are not invoked: the engine queues them for {@code pollActivityTask}.
 */
public interface TaskInvoker {
    void invoke(TaskRequest request);

    /** The task's state ended (timeout, execution stopped, sibling branch failed): stop the work if possible. */
    default void cancel(TaskRequest request) {}
}
