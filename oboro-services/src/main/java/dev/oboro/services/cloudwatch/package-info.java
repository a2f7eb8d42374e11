/**
 * Amazon CloudWatch: metrics and alarms, in all three wire protocols CloudWatch clients speak
 * (query from the AWS CLI v2, JSON 1.0 with {@code x-amzn-query-mode} from botocore, rpcv2-cbor
 * from the AWS SDK for Java).
 *
 * <h2>State</h2>
 * <ul>
 *   <li>{@code cloudwatch.metrics}: one row per metric (namespace, name, dimensions), keyed by a
 *       hash of those, with the time it last received data (ListMetrics shows two weeks).</li>
 *   <li>{@code cloudwatch.datapoints}: one row per published datum, keyed
 *       {@code <metric id>|<epoch millis>|<seq>}; statistics scan one metric's time range.</li>
 *   <li>{@code cloudwatch.alarms}: metric and composite alarms (the SDK's {@code MetricAlarm} /
 *       {@code CompositeAlarm}) with their tags; {@code cloudwatch.history}: alarm history items.</li>
 * </ul>
 *
 * <h2>Alarms on the clock</h2>
 * Each metric alarm has one scheduler task due at the end of its current period; it evaluates the
 * last EvaluationPeriods periods (DatapointsToAlarm, TreatMissingData) and moves the alarm between
 * OK, ALARM and INSUFFICIENT_DATA with StateReason, StateReasonData and history worded as CloudWatch
 * words them. Composite alarms are evaluated whenever an alarm their rule names changes state.
 *
 * <h2>For other services</h2>
 * <ul>
 *   <li>{@link dev.oboro.services.cloudwatch.Metrics}: publish AWS metrics ({@code AWS/EC2}, ...)
 *       in process: {@code Metrics.put(call, "AWS/Lambda", "Invocations", Map.of("FunctionName", fn), 1, "Count")}.</li>
 *   <li>{@link dev.oboro.services.cloudwatch.AlarmActions}: carry out alarm actions for the ARNs a
 *       service owns: {@code AlarmActions.of(oboro).register("arn:aws:automate:*:ec2:stop", handler)}.
 *       The handler gets an {@link dev.oboro.services.cloudwatch.AlarmAction} (alarm, states,
 *       reason, and an internal {@code Call} of the alarm's account and region). Actions without a
 *       handler are recorded (history and {@code AlarmActions.invocations()}).</li>
 * </ul>
 */
package dev.oboro.services.cloudwatch;
