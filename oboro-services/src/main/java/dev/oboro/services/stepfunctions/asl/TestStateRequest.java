package dev.oboro.services.stepfunctions.asl;

import java.util.function.Function;

/**
 * TestState input: one state's definition, its input, and either a mocked task result / error or a synchronous
 * task runner. {@code variables} is a JSON object of workflow variables visible to the state.
 */
public record TestStateRequest(String stateDefinition, String input, String roleArn, String variables,
                               String mockResult, String mockError, String mockCause,
                               Function<TaskRequest, TaskOutcome> taskRunner) {

    /** A task's synchronous outcome: output JSON, or error and cause. */
    public record TaskOutcome(String output, String error, String cause) {
        public static TaskOutcome success(String output) { return new TaskOutcome(output, null, null); }
        public static TaskOutcome failure(String error, String cause) { return new TaskOutcome(null, error, cause); }
    }

    public static TestStateRequest of(String stateDefinition, String input) {
        return new TestStateRequest(stateDefinition, input, null, null, null, null, null, null);
    }

    public TestStateRequest withMockResult(String result) {
        return new TestStateRequest(stateDefinition, input, roleArn, variables, result, null, null, taskRunner);
    }

    public TestStateRequest withMockError(String error, String cause) {
        return new TestStateRequest(stateDefinition, input, roleArn, variables, null, error, cause, taskRunner);
    }

    public TestStateRequest withVariables(String vars) {
        return new TestStateRequest(stateDefinition, input, roleArn, vars, mockResult, mockError, mockCause, taskRunner);
    }
}
