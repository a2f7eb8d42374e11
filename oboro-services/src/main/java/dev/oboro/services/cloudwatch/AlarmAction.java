package dev.oboro.services.cloudwatch;

import dev.oboro.core.Call;

import java.time.Instant;

/**
 * One alarm action to carry out: an alarm of {@code call.account()} in {@code call.region()} moved
 * from {@code oldState} to {@code newState} and lists {@code actionArn} for that state.
 *
 * @param call       an internal call of the alarm's account and region, to call other services with
 * @param reasonData the alarm's StateReasonData (JSON), or null
 * @param handled    whether a registered handler carried it out (false: recorded only)
 * @param error      the handler's error message when it failed, else null
 */
public record AlarmAction(Call call, String actionArn, String alarmName, String alarmArn, String oldState, String newState,
                          String reason, String reasonData, Instant timestamp, boolean handled, String error) {
}
