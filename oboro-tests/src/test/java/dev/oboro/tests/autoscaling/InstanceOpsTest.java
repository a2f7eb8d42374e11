package dev.oboro.tests.autoscaling;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.time.Duration;
import java.util.List;

import static dev.oboro.tests.autoscaling.AsgFixtures.activities;
import static dev.oboro.tests.autoscaling.AsgFixtures.fails;
import static dev.oboro.tests.autoscaling.AsgFixtures.group;
import static dev.oboro.tests.autoscaling.AsgFixtures.settleAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Desired capacity, cooldowns, protection, standby, detach/attach, suspended processes and simple policies. */
@ResourceLock(Oboro.CLOCK)
class InstanceOpsTest {
    final String account = Oboro.newAccount();

    @Test
    void operationsOnInstances() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String lt = AsgFixtures.template(ec2, "ops");
            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("ops").minSize(1).maxSize(8).desiredCapacity(4)
                    .availabilityZones("us-east-1a", "us-east-1b").launchTemplate(t -> t.launchTemplateId(lt)).defaultCooldown(120));
            AutoScalingGroup g = settleAt(asg, "ops", 4);

            // protection: a scale-in never picks protected instances. Protect one instance in each zone:
            // two in one zone would leave the group unbalanced, and zone rebalancing would never settle.
            AutoScalingGroup started = g;
            List<String> all = java.util.stream.Stream.of("us-east-1a", "us-east-1b")
                    .map(zone -> started.instances().stream().filter(i -> i.availabilityZone().equals(zone))
                            .map(Instance::instanceId).sorted().findFirst().orElseThrow())
                    .sorted().toList();
            asg.setInstanceProtection(r -> r.autoScalingGroupName("ops").instanceIds(all).protectedFromScaleIn(true));
            var x = fails("ValidationError", () -> asg.setInstanceProtection(r -> r.autoScalingGroupName("ops").instanceIds("i-0123456789abcdef0").protectedFromScaleIn(true)));
            assertEquals("The instance i-0123456789abcdef0 is not part of Auto Scaling group ops.", x.awsErrorDetails().errorMessage());
            asg.setDesiredCapacity(r -> r.autoScalingGroupName("ops").desiredCapacity(2));
            x = fails("ScalingActivityInProgress", () -> asg.setDesiredCapacity(r -> r.autoScalingGroupName("ops").desiredCapacity(3).honorCooldown(true)));
            g = settleAt(asg, "ops", 2);
            assertEquals(all, g.instances().stream().map(Instance::instanceId).sorted().toList());
            Activity in = activities(asg, "ops").get(0);
            assertTrue(in.cause().matches("At \\S+Z a user request explicitly set group desired capacity changing the desired capacity from 4 to 2\\.  "
                    + "At \\S+Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 4 to 2\\.  "
                    + "At \\S+Z instance i-\\w+ was selected for termination\\."), in.cause());
            Oboro.advance(Duration.ofSeconds(130));
            asg.setDesiredCapacity(r -> r.autoScalingGroupName("ops").desiredCapacity(2).honorCooldown(true));

            // standby with and without decrement
            String s1 = all.get(0);
            var acts = asg.enterStandby(r -> r.autoScalingGroupName("ops").instanceIds(s1).shouldDecrementDesiredCapacity(true)).activities();
            assertEquals("Moving EC2 instance to Standby: " + s1, acts.get(0).description());
            assertEquals(1, group(asg, "ops").desiredCapacity());
            g = AsgFixtures.settle(asg, "ops", gg -> gg.instances().stream().anyMatch(i -> i.instanceId().equals(s1) && i.lifecycleStateAsString().equals("Standby")));
            x = fails("ValidationError", () -> asg.enterStandby(r -> r.autoScalingGroupName("ops").instanceIds(s1).shouldDecrementDesiredCapacity(false)));
            asg.exitStandby(r -> r.autoScalingGroupName("ops").instanceIds(s1));
            assertEquals(2, group(asg, "ops").desiredCapacity());
            g = settleAt(asg, "ops", 2);

            // detach without decrement: a replacement comes; the detached instance keeps running
            String d = all.get(1);
            asg.detachInstances(r -> r.autoScalingGroupName("ops").instanceIds(d).shouldDecrementDesiredCapacity(false));
            g = AsgFixtures.settleWithout(asg, "ops", 2, d);
            assertEquals("running", ec2.describeInstances(r -> r.instanceIds(d)).reservations().get(0).instances().get(0).state().nameAsString());
            // attach it back
            asg.attachInstances(r -> r.autoScalingGroupName("ops").instanceIds(d));
            assertEquals(3, group(asg, "ops").desiredCapacity());
            Activity attach = activities(asg, "ops").get(0);
            assertEquals("Attaching an existing EC2 instance: " + d, attach.description());
            assertTrue(attach.cause().endsWith("an instance was added in response to user request. Keeping the capacity at the new 3."), attach.cause());
            x = fails("ValidationError", () -> asg.attachInstances(r -> r.autoScalingGroupName("ops").instanceIds(d)));
            settleAt(asg, "ops", 3);

            // suspended Launch: nothing is launched until resumed
            asg.suspendProcesses(r -> r.autoScalingGroupName("ops").scalingProcesses("Launch"));
            assertEquals("Launch", group(asg, "ops").suspendedProcesses().get(0).processName());
            asg.setDesiredCapacity(r -> r.autoScalingGroupName("ops").desiredCapacity(5));
            Oboro.advance(Duration.ofSeconds(60));
            assertEquals(3, group(asg, "ops").instances().size());
            fails("ValidationError", () -> asg.suspendProcesses(r -> r.autoScalingGroupName("ops").scalingProcesses("Dance")));
            asg.resumeProcesses(r -> r.autoScalingGroupName("ops"));
            assertTrue(group(asg, "ops").suspendedProcesses().isEmpty());
            settleAt(asg, "ops", 5);

            // a simple scaling policy executed by hand, with its cooldown
            asg.putScalingPolicy(r -> r.autoScalingGroupName("ops").policyName("down2").adjustmentType("ChangeInCapacity").scalingAdjustment(-2).cooldown(300));
            asg.executePolicy(r -> r.autoScalingGroupName("ops").policyName("down2"));
            assertEquals(3, group(asg, "ops").desiredCapacity());
            assertTrue(activities(asg, "ops").stream().anyMatch(a -> a.cause().contains("a user request executed policy down2 changing the desired capacity from 5 to 3.")));
            fails("ScalingActivityInProgress", () -> asg.executePolicy(r -> r.autoScalingGroupName("ops").policyName("down2").honorCooldown(true)));
            asg.putScalingPolicy(r -> r.autoScalingGroupName("ops").policyName("pct").adjustmentType("PercentChangeInCapacity").scalingAdjustment(10));
            asg.executePolicy(r -> r.autoScalingGroupName("ops").policyName("pct"));
            assertEquals(4, group(asg, "ops").desiredCapacity(), "10% of 3 rounds to one instance");
            fails("ValidationError", () -> asg.putScalingPolicy(r -> r.autoScalingGroupName("ops").policyName("bad").adjustmentType("ChangeInCapacity")));
            assertEquals(2, asg.describePolicies(r -> r.autoScalingGroupName("ops")).scalingPolicies().size());
            settleAt(asg, "ops", 4);
            assertFalse(asg.describeAutoScalingInstances(r -> r.instanceIds(s1)).autoScalingInstances().isEmpty());
            assertEquals("HEALTHY", asg.describeAutoScalingInstances(r -> r.instanceIds(s1)).autoScalingInstances().get(0).healthStatus());
        }
    }

    @Test
    void mixedInstancesSplitAndTerminationPolicies() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String lt = AsgFixtures.template(ec2, "mixed");
            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("mixed").minSize(0).maxSize(10).desiredCapacity(4)
                    .availabilityZones("us-east-1a").terminationPolicies("NewestInstance")
                    .mixedInstancesPolicy(m -> m.launchTemplate(t -> t.launchTemplateSpecification(s -> s.launchTemplateId(lt))
                                    .overrides(o -> o.instanceType("t3.small"), o -> o.instanceType("t3.medium")))
                            .instancesDistribution(d -> d.onDemandBaseCapacity(1).onDemandPercentageAboveBaseCapacity(50))));
            AutoScalingGroup g = settleAt(asg, "mixed", 4);
            assertEquals(List.of("NewestInstance"), g.terminationPolicies());
            assertTrue(g.instances().stream().allMatch(i -> List.of("t3.small", "t3.medium").contains(i.instanceType())), g.instances().toString());
            String oldest = g.instances().stream().map(Instance::instanceId).sorted().findFirst().orElseThrow();
            Oboro.advance(Duration.ofMinutes(5));
            asg.setDesiredCapacity(r -> r.autoScalingGroupName("mixed").desiredCapacity(5));
            g = settleAt(asg, "mixed", 5);
            String newest = g.instances().stream().map(Instance::instanceId).filter(id -> !id.equals(oldest))
                    .filter(id -> activities(asg, "mixed").get(0).description().endsWith(id)).findFirst().orElseThrow();
            asg.setDesiredCapacity(r -> r.autoScalingGroupName("mixed").desiredCapacity(4));
            g = AsgFixtures.settleWithout(asg, "mixed", 4, newest);
            assertTrue(g.instances().stream().anyMatch(i -> i.instanceId().equals(oldest)));
        }
    }
}
