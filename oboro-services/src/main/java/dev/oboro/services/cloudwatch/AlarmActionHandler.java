package dev.oboro.services.cloudwatch;

/**
 * Carries out an alarm action for the service that owns the action's ARN (EC2 instance actions,
 * Auto Scaling policies, SNS topics, ...). Registered with {@link AlarmActions#register}.
 *
 * <p>Handlers run on Oboro's scheduler while the alarm changes state: keep them short and hand
 * long work to {@code oboro.workers()}. Throwing marks the action as failed in the alarm's history.
 */
@FunctionalInterface
public interface AlarmActionHandler {
    void execute(AlarmAction action) throws Exception;
}
