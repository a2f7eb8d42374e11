package dev.oboro.tests.autoscaling;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefresh;
import software.amazon.awssdk.services.autoscaling.model.LifecycleHook;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.oboro.tests.autoscaling.AsgFixtures.fails;
import static dev.oboro.tests.autoscaling.AsgFixtures.group;
import static dev.oboro.tests.autoscaling.AsgFixtures.settle;
import static dev.oboro.tests.autoscaling.AsgFixtures.settleAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lifecycle hooks, scheduled actions and instance refresh on the clock. */
@ResourceLock(Oboro.CLOCK)
class HooksScheduleRefreshTest {
    final String account = Oboro.newAccount();

    @Test
    void lifecycleHooksHoldInstancesUntilCompletedOrTimedOut() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String lt = AsgFixtures.template(ec2, "hooks");
            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("hooks").minSize(0).maxSize(4).desiredCapacity(0)
                    .availabilityZones("us-east-1a").launchTemplate(t -> t.launchTemplateId(lt)));
            asg.putLifecycleHook(r -> r.autoScalingGroupName("hooks").lifecycleHookName("boot").lifecycleTransition("autoscaling:EC2_INSTANCE_LAUNCHING")
                    .heartbeatTimeout(300).defaultResult("CONTINUE"));
            asg.putLifecycleHook(r -> r.autoScalingGroupName("hooks").lifecycleHookName("drain").lifecycleTransition("autoscaling:EC2_INSTANCE_TERMINATING")
                    .heartbeatTimeout(120));
            fails("ValidationError", () -> asg.putLifecycleHook(r -> r.autoScalingGroupName("hooks").lifecycleHookName("x").lifecycleTransition("autoscaling:NOPE")));
            List<LifecycleHook> hooks = asg.describeLifecycleHooks(r -> r.autoScalingGroupName("hooks")).lifecycleHooks();
            assertEquals(2, hooks.size());
            assertEquals("ABANDON", hooks.stream().filter(h -> h.lifecycleHookName().equals("drain")).findFirst().orElseThrow().defaultResult());

            asg.setDesiredCapacity(r -> r.autoScalingGroupName("hooks").desiredCapacity(2));
            AutoScalingGroup g = settle(asg, "hooks", x -> x.instances().size() == 2);
            Oboro.advance(Duration.ofSeconds(60));
            g = group(asg, "hooks");
            assertTrue(g.instances().stream().allMatch(i -> i.lifecycleStateAsString().equals("Pending:Wait")), g.instances().toString());
            String a = g.instances().get(0).instanceId();
            asg.recordLifecycleActionHeartbeat(r -> r.autoScalingGroupName("hooks").lifecycleHookName("boot").instanceId(a));
            asg.completeLifecycleAction(r -> r.autoScalingGroupName("hooks").lifecycleHookName("boot").instanceId(a).lifecycleActionResult("CONTINUE"));
            fails("ValidationError", () -> asg.completeLifecycleAction(r -> r.autoScalingGroupName("hooks").lifecycleHookName("boot").instanceId(a)
                    .lifecycleActionResult("CONTINUE")));
            settle(asg, "hooks", x -> x.instances().stream().anyMatch(i -> i.instanceId().equals(a) && i.lifecycleStateAsString().equals("InService")));
            // the other times out after 300 s with the default result CONTINUE
            g = settleAt(asg, "hooks", 2);

            // terminating: held in Terminating:Wait, then ABANDON (default) terminates anyway after 120 s
            asg.terminateInstanceInAutoScalingGroup(r -> r.instanceId(a).shouldDecrementDesiredCapacity(true));
            Oboro.advance(Duration.ofSeconds(20));
            Instance held = group(asg, "hooks").instances().stream().filter(i -> i.instanceId().equals(a)).findFirst().orElseThrow();
            assertEquals("Terminating:Wait", held.lifecycleStateAsString());
            assertEquals("running", ec2.describeInstances(r -> r.instanceIds(a)).reservations().get(0).instances().get(0).state().nameAsString());
            g = AsgFixtures.settleWithout(asg, "hooks", 1, a);
            asg.deleteLifecycleHook(r -> r.autoScalingGroupName("hooks").lifecycleHookName("drain"));
            fails("ValidationError", () -> asg.deleteLifecycleHook(r -> r.autoScalingGroupName("hooks").lifecycleHookName("drain")));
        }
    }

    @Test
    void scheduledActionsRunOnTheClock() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String lt = AsgFixtures.template(ec2, "sched");
            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("sched").minSize(0).maxSize(5).desiredCapacity(0)
                    .availabilityZones("us-east-1a").launchTemplate(t -> t.launchTemplateId(lt)));
            Instant now = Oboro.server().oboro().clock().instant();
            fails("ValidationError", () -> asg.putScheduledUpdateGroupAction(r -> r.autoScalingGroupName("sched").scheduledActionName("past")
                    .startTime(now.minusSeconds(3600)).desiredCapacity(1)));
            fails("ValidationError", () -> asg.putScheduledUpdateGroupAction(r -> r.autoScalingGroupName("sched").scheduledActionName("bad")
                    .recurrence("not cron").desiredCapacity(1)));
            asg.putScheduledUpdateGroupAction(r -> r.autoScalingGroupName("sched").scheduledActionName("once")
                    .startTime(now.plusSeconds(600)).desiredCapacity(2));
            assertEquals(1, asg.describeScheduledActions(r -> r.autoScalingGroupName("sched")).scheduledUpdateGroupActions().size());
            Oboro.advance(Duration.ofSeconds(590));
            assertEquals(0, group(asg, "sched").desiredCapacity());
            Oboro.advance(Duration.ofSeconds(20));
            assertEquals(2, group(asg, "sched").desiredCapacity());
            settleAt(asg, "sched", 2);
            assertTrue(AsgFixtures.activities(asg, "sched").get(0).cause().contains("a scheduled action update of AutoScalingGroup constraints to min: 0, max: 5, desired: 2 changing the desired capacity from 0 to 2."));
            assertTrue(asg.describeScheduledActions(r -> r.autoScalingGroupName("sched")).scheduledUpdateGroupActions().isEmpty(),
                    "a one-off action goes once it ran");
            // a recurring action, added only now so that no hour boundary can fire it during the one-off's window
            asg.putScheduledUpdateGroupAction(r -> r.autoScalingGroupName("sched").scheduledActionName("hourly")
                    .recurrence("0 * * * *").minSize(1));
            assertEquals(List.of("hourly"), asg.describeScheduledActions(r -> r.autoScalingGroupName("sched")).scheduledUpdateGroupActions()
                    .stream().map(a -> a.scheduledActionName()).toList());
            Oboro.advance(Duration.ofMinutes(61));
            assertEquals(1, group(asg, "sched").minSize());
            asg.deleteScheduledAction(r -> r.autoScalingGroupName("sched").scheduledActionName("hourly"));
            fails("ValidationError", () -> asg.deleteScheduledAction(r -> r.autoScalingGroupName("sched").scheduledActionName("hourly")));
        }
    }

    @Test
    void instanceRefreshReplacesInBatches() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String lt = AsgFixtures.template(ec2, "refresh");
            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("refresh").minSize(4).maxSize(6).desiredCapacity(4)
                    .availabilityZones("us-east-1a", "us-east-1b").launchTemplate(t -> t.launchTemplateId(lt).version("$Latest")));
            AutoScalingGroup g = settleAt(asg, "refresh", 4);
            Set<String> before = g.instances().stream().map(Instance::instanceId).collect(Collectors.toSet());
            fails("ActiveInstanceRefreshNotFound", () -> asg.cancelInstanceRefresh(r -> r.autoScalingGroupName("refresh")));
            ec2.createLaunchTemplateVersion(r -> r.launchTemplateId(lt).sourceVersion("1").launchTemplateData(d -> d.instanceType("t3.small")));
            String id = asg.startInstanceRefresh(r -> r.autoScalingGroupName("refresh").preferences(p -> p.minHealthyPercentage(50).instanceWarmup(30)))
                    .instanceRefreshId();
            fails("InstanceRefreshInProgress", () -> asg.startInstanceRefresh(r -> r.autoScalingGroupName("refresh")));
            InstanceRefresh r0 = asg.describeInstanceRefreshes(r -> r.autoScalingGroupName("refresh")).instanceRefreshes().get(0);
            assertEquals(id, r0.instanceRefreshId());
            assertEquals(4, r0.instancesToUpdate());
            // half at a time (50% must stay healthy): never fewer than 2 in service
            for (int k = 0; k < 60; k++) {
                InstanceRefresh r = asg.describeInstanceRefreshes(q -> q.autoScalingGroupName("refresh")).instanceRefreshes().get(0);
                if (r.statusAsString().equals("Successful")) break;
                long healthy = group(asg, "refresh").instances().stream().filter(i -> i.lifecycleStateAsString().equals("InService")).count();
                assertTrue(healthy >= 2, "in service: " + healthy);
                Oboro.advance(Duration.ofSeconds(10));
            }
            InstanceRefresh done = asg.describeInstanceRefreshes(r -> r.autoScalingGroupName("refresh")).instanceRefreshes().get(0);
            assertEquals("Successful", done.statusAsString());
            assertEquals(100, done.percentageComplete());
            g = settleAt(asg, "refresh", 4);
            assertTrue(g.instances().stream().noneMatch(i -> before.contains(i.instanceId())), "every instance was replaced");
            assertTrue(g.instances().stream().allMatch(i -> i.instanceType().equals("t3.small")));
            assertTrue(AsgFixtures.activities(asg, "refresh").stream().anyMatch(a -> a.cause().contains("an instance was taken out of service in response to an instance refresh.")));
        }
    }
}
