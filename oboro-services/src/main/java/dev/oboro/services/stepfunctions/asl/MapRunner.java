package dev.oboro.services.stepfunctions.asl;

/**
 * Runs a distributed Map state's iterations as child executions (a Map Run) for the engine. Without one, the
 * engine runs distributed Maps inline like inline Maps.
 *
 * <p>{@link #start} gets a {@link TaskRequest} whose {@code parameters} hold {@code definition} (the
 * ItemProcessor as a state machine definition), {@code items} (the iterations' inputs), {@code itemCounts} (items
 * per iteration, for batches), {@code label}, {@code executionType}, {@code maxConcurrency},
 * {@code toleratedFailureCount} and {@code toleratedFailurePercentage}. The host reports back through the engine:
 * {@link AslEngine#mapRunStarted} once the Map Run exists, then {@code taskSucceeded} with the results array or
 * {@code taskFailed}.
 */
public interface MapRunner {
    void start(TaskRequest request);

    /** Redrive the unsuccessful child executions of {@code mapRunArn}; report {@link AslEngine#mapRunRedriven}, then the outcome. */
    void redrive(TaskRequest request, String mapRunArn);

    /** The Map state ended without its Map Run (execution stopped or timed out): abort the Map Run. */
    void abort(TaskRequest request, String mapRunArn);
}
