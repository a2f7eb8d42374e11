package dev.oboro.services.stepfunctions.asl;

import java.util.Map;

/**
 * TestState output with AWS's fields: status SUCCEEDED, FAILED, RETRIABLE or CAUGHT_ERROR; output; error and
 * cause; nextState; and inspection data (JSON strings; null when not applicable).
 */
public record TestStateResult(String status, String output, String error, String cause, String nextState, Inspection inspection) {
    public record Inspection(String input, String afterInputPath, String afterParameters, String afterArguments, String result,
                             String afterResultSelector, String afterResultPath, Map<String, String> variables) {}
}
