package dev.oboro.tests.autoscaling;

import dev.oboro.services.cloudwatch.Metrics;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.Alarm;
import software.amazon.awssdk.services.autoscaling.model.PutScalingPolicyResponse;
import software.amazon.awssdk.services.autoscaling.model.ScalingPolicy;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.oboro.tests.autoscaling.AsgFixtures.activities;
import static dev.oboro.tests.autoscaling.AsgFixtures.fails;
import static dev.oboro.tests.autoscaling.AsgFixtures.settleAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A target tracking policy on CPU owns its alarms and scales out on a high metric, back in on a low one. */
@ResourceLock(Oboro.CLOCK)
class TargetTrackingTest {
    final String account = Oboro.newAccount();

    private void publishFor(String group, double cpu, int minutes) {
        for (int i = 0; i < minutes; i++) {
            Metrics.put(Oboro.server().oboro(), account, "us-east-1", "AWS/EC2", "CPUUtilization", Map.of("AutoScalingGroupName", group),
                    cpu, "Percent", null);
            Oboro.advance(Duration.ofSeconds(60));
        }
    }

    @Test
    void scalesOutOnHighCpuAndBackIn() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account);
             CloudWatchClient cw = Oboro.client(CloudWatchClient.builder(), account)) {
            String lt = AsgFixtures.template(ec2, "tt-template");
            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("tt").minSize(1).maxSize(6).desiredCapacity(2)
                    .availabilityZones("us-east-1a", "us-east-1b").launchTemplate(t -> t.launchTemplateId(lt)).defaultInstanceWarmup(60));
            settleAt(asg, "tt", 2);
            PutScalingPolicyResponse put = asg.putScalingPolicy(r -> r.autoScalingGroupName("tt").policyName("cpu50")
                    .policyType("TargetTrackingScaling").targetTrackingConfiguration(t -> t.targetValue(50.0)
                            .predefinedMetricSpecification(p -> p.predefinedMetricType("ASGAverageCPUUtilization"))));
            assertEquals(2, put.alarms().size());
            Alarm high = put.alarms().get(0);
            Alarm low = put.alarms().get(1);
            assertTrue(high.alarmName().matches("TargetTracking-tt-AlarmHigh-[0-9a-f-]{36}"), high.alarmName());
            assertTrue(low.alarmName().matches("TargetTracking-tt-AlarmLow-[0-9a-f-]{36}"), low.alarmName());
            MetricAlarm h = cw.describeAlarms(r -> r.alarmNames(high.alarmName())).metricAlarms().get(0);
            assertEquals("CPUUtilization", h.metricName());
            assertEquals("AWS/EC2", h.namespace());
            assertEquals(50.0, h.threshold());
            assertEquals(3, h.evaluationPeriods());
            assertEquals(List.of(put.policyARN()), h.alarmActions());
            MetricAlarm l = cw.describeAlarms(r -> r.alarmNames(low.alarmName())).metricAlarms().get(0);
            assertEquals(45.0, l.threshold());
            assertEquals(15, l.evaluationPeriods());
            ScalingPolicy p = asg.describePolicies(r -> r.autoScalingGroupName("tt")).scalingPolicies().get(0);
            assertEquals("TargetTrackingScaling", p.policyType());
            assertEquals(2, p.alarms().size());
            fails("ValidationError", () -> asg.executePolicy(r -> r.autoScalingGroupName("tt").policyName("cpu50")));

            // high CPU: the high alarm fires and the group grows in proportion (2 * 90 / 50 -> 4)
            publishFor("tt", 90, 4);
            var g = AsgFixtures.group(asg, "tt");
            assertTrue(g.desiredCapacity() >= 4, "desired " + g.desiredCapacity());
            Activity out = activities(asg, "tt").stream().filter(a -> a.cause().contains("AlarmHigh")).reduce((a, b) -> b).orElseThrow();
            assertTrue(out.cause().matches("At \\S+Z a monitor alarm TargetTracking-tt-AlarmHigh-\\S+ in state ALARM triggered policy cpu50 changing the desired capacity from 2 to 4\\.  "
                    + "At \\S+Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 4\\."), out.cause());
            int peak = g.desiredCapacity();

            // low CPU for 15 minutes: the low alarm fires and the group shrinks
            publishFor("tt", 10, 18);
            g = AsgFixtures.group(asg, "tt");
            assertTrue(g.desiredCapacity() < peak, "desired " + g.desiredCapacity());
            // the first scale-in (activities list newest first)
            Activity in = activities(asg, "tt").stream().filter(a -> a.cause().contains("AlarmLow")).reduce((a, b) -> b).orElseThrow();
            assertTrue(in.description().startsWith("Terminating EC2 instance: i-"), in.description());
            var m = java.util.regex.Pattern.compile("in state ALARM triggered policy cpu50 changing the desired capacity from (\\d+) to (\\d+)\\.").matcher(in.cause());
            assertTrue(m.find(), in.cause());
            assertTrue(Integer.parseInt(m.group(1)) >= peak && Integer.parseInt(m.group(2)) < Integer.parseInt(m.group(1)), in.cause());
            assertTrue(in.cause().contains("an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from "),
                    in.cause());
            settleAt(asg, "tt", g.desiredCapacity());

            asg.deletePolicy(r -> r.autoScalingGroupName("tt").policyName("cpu50"));
            assertTrue(cw.describeAlarms(r -> r.alarmNames(high.alarmName(), low.alarmName())).metricAlarms().isEmpty(), "the policy's alarms go with it");
        }
    }
}
