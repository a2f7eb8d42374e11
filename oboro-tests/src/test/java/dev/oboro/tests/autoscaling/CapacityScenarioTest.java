package dev.oboro.tests.autoscaling;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.oboro.tests.autoscaling.AsgFixtures.activities;
import static dev.oboro.tests.autoscaling.AsgFixtures.fails;
import static dev.oboro.tests.autoscaling.AsgFixtures.perZone;
import static dev.oboro.tests.autoscaling.AsgFixtures.settleAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6's scenarios: a group of 4 across 2 zones survives a terminated instance, a stopped
 * instance (standing in for a failed status check until EC2 status checks exist) and an unhealthy
 * mark, each time returning to 4 balanced instances; TerminateInstanceInAutoScalingGroup with each
 * decrement choice gives 3 and 4 instances.
 */
@ResourceLock(Oboro.CLOCK)
class CapacityScenarioTest {
    final String account = Oboro.newAccount();

    private static final Map<String, Integer> BALANCED = Map.of("us-east-1a", 2, "us-east-1b", 2);

    private static Set<String> ids(AutoScalingGroup g) {
        return g.instances().stream().map(Instance::instanceId).collect(Collectors.toSet());
    }

    private static Activity latest(List<Activity> acts, String descriptionPrefix) {
        return acts.stream().filter(a -> a.description().startsWith(descriptionPrefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no activity " + descriptionPrefix + " in " + acts));
    }

    @Test
    void groupOfFourSurvivesTerminationStopAndUnhealthyMark() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String lt = AsgFixtures.template(ec2, "web");
            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("web").minSize(2).maxSize(6).desiredCapacity(4)
                    .availabilityZones("us-east-1a", "us-east-1b").launchTemplate(t -> t.launchTemplateId(lt).version("$Latest"))
                    .tags(t -> t.key("team").value("blue").propagateAtLaunch(true)));
            AutoScalingGroup g = settleAt(asg, "web", 4);
            assertEquals(BALANCED, perZone(g.instances()));
            List<Activity> acts = activities(asg, "web");
            assertEquals(4, acts.size());
            Activity launch = acts.get(0);
            assertTrue(launch.description().startsWith("Launching a new EC2 instance: i-"), launch.description());
            assertEquals("Successful", launch.statusCodeAsString());
            assertTrue(launch.cause().matches("At \\S+Z a user request created an AutoScalingGroup changing the desired capacity from 0 to 4\\.  "
                    + "At \\S+Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to 4\\."),
                    launch.cause());
            // EC2 shows the instances with the group's tags
            String first = g.instances().get(0).instanceId();
            var inst = ec2.describeInstances(r -> r.instanceIds(first)).reservations().get(0).instances().get(0);
            assertEquals("running", inst.state().nameAsString());
            assertTrue(inst.tags().stream().anyMatch(t -> t.key().equals("aws:autoscaling:groupName") && t.value().equals("web")), inst.tags().toString());
            assertTrue(inst.tags().stream().anyMatch(t -> t.key().equals("team") && t.value().equals("blue")));
            assertTrue(inst.tags().stream().anyMatch(t -> t.key().equals("aws:ec2launchtemplate:id") && t.value().equals(lt)));

            // 1. terminated from outside the group
            Set<String> before = ids(g);
            ec2.terminateInstances(r -> r.instanceIds(first));
            g = AsgFixtures.settleWithout(asg, "web", 4, first);
            assertFalse(ids(g).contains(first));
            assertEquals(BALANCED, perZone(g.instances()));
            Activity term = latest(activities(asg, "web"), "Terminating EC2 instance: " + first);
            assertTrue(term.cause().endsWith("an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped."), term.cause());
            assertEquals("Successful", term.statusCodeAsString());
            Activity replacement = latest(activities(asg, "web"), "Launching a new EC2 instance");
            assertTrue(replacement.cause().endsWith("an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 3 to 4."),
                    replacement.cause());

            // 2. a failed instance: its system status check fails (the host broke), and separately one is stopped
            String failing = g.instances().get(3).instanceId();
            var fault = Oboro.http(Oboro.request("/_oboro/faults/ec2.instance-status").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                    "{\"account\":\"" + account + "\",\"region\":\"us-east-1\",\"instanceId\":\"" + failing
                            + "\",\"check\":\"system\",\"status\":\"impaired\"}")));
            assertEquals(200, fault.statusCode(), fault.body());
            g = AsgFixtures.settleWithout(asg, "web", 4, failing);
            assertEquals(BALANCED, perZone(g.instances()));
            Activity checkFailed = latest(activities(asg, "web"), "Terminating EC2 instance: " + failing);
            assertTrue(checkFailed.cause().endsWith("an instance was taken out of service in response to an EC2 instance status checks failure."),
                    checkFailed.cause());

            String second = g.instances().get(1).instanceId();
            ec2.stopInstances(r -> r.instanceIds(second));
            g = AsgFixtures.settleWithout(asg, "web", 4, second);
            assertFalse(ids(g).contains(second));
            assertEquals(BALANCED, perZone(g.instances()));
            assertEquals("terminated", ec2.describeInstances(r -> r.instanceIds(second)).reservations().get(0).instances().get(0).state().nameAsString(),
                    "the group terminates the stopped instance");

            // 3. marked unhealthy
            String third = g.instances().get(2).instanceId();
            asg.setInstanceHealth(r -> r.instanceId(third).healthStatus("Unhealthy").shouldRespectGracePeriod(false));
            g = AsgFixtures.settleWithout(asg, "web", 4, third);
            assertFalse(ids(g).contains(third));
            assertEquals(BALANCED, perZone(g.instances()));
            Activity unhealthy = latest(activities(asg, "web"), "Terminating EC2 instance: " + third);
            assertTrue(unhealthy.cause().endsWith("an instance was taken out of service in response to a user health-check."), unhealthy.cause());
            assertTrue(before.size() == 4);
        }
    }

    @Test
    void terminateInstanceInGroupWithEachDecrementChoice() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String lt = AsgFixtures.template(ec2, "api");
            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("api").minSize(3).maxSize(6).desiredCapacity(4)
                    .availabilityZones("us-east-1a", "us-east-1b").launchTemplate(t -> t.launchTemplateId(lt)));
            AutoScalingGroup g = settleAt(asg, "api", 4);

            // false: the instance goes and a replacement comes
            String a = g.instances().get(0).instanceId();
            Activity act = asg.terminateInstanceInAutoScalingGroup(r -> r.instanceId(a).shouldDecrementDesiredCapacity(false)).activity();
            assertEquals("Terminating EC2 instance: " + a, act.description());
            assertTrue(act.cause().matches("At \\S+Z instance " + a + " was taken out of service in response to a user request\\."), act.cause());
            assertTrue(List.of("InProgress", "MidLifecycleAction").contains(act.statusCodeAsString()), act.statusCodeAsString());
            assertTrue(AsgFixtures.group(asg, "api").instances().stream().anyMatch(i -> i.instanceId().equals(a)),
                    "the termination is requested, not immediate");
            g = AsgFixtures.settleWithout(asg, "api", 4, a);
            assertEquals(4, g.desiredCapacity());
            assertFalse(ids(g).contains(a));
            assertEquals("terminated", ec2.describeInstances(r -> r.instanceIds(a)).reservations().get(0).instances().get(0).state().nameAsString());

            // true: desired capacity goes down by one
            String b = g.instances().get(0).instanceId();
            Activity dec = asg.terminateInstanceInAutoScalingGroup(r -> r.instanceId(b).shouldDecrementDesiredCapacity(true)).activity();
            assertTrue(dec.cause().endsWith("was taken out of service in response to a user request, shrinking the capacity from 4 to 3."), dec.cause());
            assertEquals(3, AsgFixtures.group(asg, "api").desiredCapacity());
            g = AsgFixtures.settleWithout(asg, "api", 3, b);

            // below the minimum: refused
            String c = g.instances().get(0).instanceId();
            var x = fails("ValidationError", () -> asg.terminateInstanceInAutoScalingGroup(r -> r.instanceId(c).shouldDecrementDesiredCapacity(true)));
            assertTrue(x.awsErrorDetails().errorMessage().startsWith("Currently, desiredCapacity is 3 and minSize is 3."), x.getMessage());
            var y = fails("ValidationError", () -> asg.terminateInstanceInAutoScalingGroup(r -> r.instanceId("i-0123456789abcdef0").shouldDecrementDesiredCapacity(true)));
            assertEquals("Instance Id not found - No managed instance found for instance ID i-0123456789abcdef0", y.awsErrorDetails().errorMessage());
            assertEquals(3, settleAt(asg, "api", 3).instances().size());
            assertEquals(3, ec2.describeInstances(r -> r.filters(Filter.builder().name("tag:aws:autoscaling:groupName").values("api").build(),
                    Filter.builder().name("instance-state-name").values("running").build())).reservations().stream()
                    .mapToInt(res -> res.instances().size()).sum());
        }
    }
}
