package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One Task state attempt handed to the {@link TaskInvoker}.
 *
 * @param resource      the state's Resource ARN as written (for example {@code arn:aws:states:::lambda:invoke})
 * @param resourceType  AWS's resourceType in history ({@code lambda}, {@code aws-sdk:s3}, {@code states}, ...)
 * @param resourceName  the action without the pattern suffix ({@code invoke}, {@code startExecution})
 * @param parameters    the effective Parameters (JSONPath) or Arguments (JSONata)
 * @param taskToken     the token for {@code .waitForTaskToken} (also in {@code $$.Task.Token}), else null
 * @param credentials   the state's evaluated Credentials field, or null
 * @param scheduledEventId the id of the TaskScheduled / LambdaFunctionScheduled event of this attempt (0 if none)
 */
public record TaskRequest(
        String executionArn,
        String taskId,
        String stateName,
        String resource,
        String resourceType,
        String resourceName,
        IntegrationPattern pattern,
        JsonNode parameters,
        String taskToken,
        Integer timeoutSeconds,
        Integer heartbeatSeconds,
        JsonNode credentials,
        String region,
        long scheduledEventId) {

    public enum IntegrationPattern { REQUEST_RESPONSE, SYNC, SYNC2, WAIT_FOR_TASK_TOKEN }
}
