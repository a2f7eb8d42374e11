package dev.oboro.tests.autoscaling;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Shared helpers for the Auto Scaling tests. */
final class AsgFixtures {
    private AsgFixtures() {
    }

    static final String AL2023 = "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64";

    static AutoScalingClient asg(String account) {
        return Oboro.client(AutoScalingClient.builder(), account);
    }

    static Ec2Client ec2(String account) {
        return Oboro.client(Ec2Client.builder(), account);
    }

    static String ami(Ec2Client ec2) {
        return ec2.describeImages(r -> r.owners("amazon").filters(Filter.builder().name("name").values(AL2023).build()))
                .images().get(0).imageId();
    }

    /** A launch template of t3.micro instances of Amazon Linux 2023; returns its id. */
    static String template(Ec2Client ec2, String name) {
        String ami = ami(ec2);
        return ec2.createLaunchTemplate(r -> r.launchTemplateName(name).launchTemplateData(d -> d.imageId(ami).instanceType("t3.micro")))
                .launchTemplate().launchTemplateId();
    }

    static AutoScalingGroup group(AutoScalingClient asg, String name) {
        return asg.describeAutoScalingGroups(r -> r.autoScalingGroupNames(name)).autoScalingGroups().get(0);
    }

    static List<Instance> inService(AutoScalingClient asg, String name) {
        return group(asg, name).instances().stream().filter(i -> i.lifecycleStateAsString().equals("InService")).toList();
    }

    static Map<String, Integer> perZone(List<Instance> instances) {
        Map<String, Integer> m = new TreeMap<>();
        for (Instance i : instances) m.merge(i.availabilityZone(), 1, Integer::sum);
        return m;
    }

    /** Advances the clock in steps until the group satisfies the condition (bounded). */
    static AutoScalingGroup settle(AutoScalingClient asg, String name, Predicate<AutoScalingGroup> done) {
        for (int i = 0; i < 40; i++) {
            AutoScalingGroup g = group(asg, name);
            if (done.test(g)) return g;
            Oboro.advance(Duration.ofSeconds(10));
        }
        throw new AssertionError("group " + name + " did not settle: " + group(asg, name));
    }

    /** Settles on exactly {@code n} instances, all in service. */
    static AutoScalingGroup settleAt(AutoScalingClient asg, String name, int n) {
        return settle(asg, name, g -> g.instances().size() == n && g.instances().stream().allMatch(i -> i.lifecycleStateAsString().equals("InService")));
    }

    /** Settles on {@code n} instances in service, none of them {@code gone}. */
    static AutoScalingGroup settleWithout(AutoScalingClient asg, String name, int n, String gone) {
        return settle(asg, name, g -> g.instances().size() == n && g.instances().stream().noneMatch(i -> i.instanceId().equals(gone))
                && g.instances().stream().allMatch(i -> i.lifecycleStateAsString().equals("InService")));
    }

    static List<Activity> activities(AutoScalingClient asg, String name) {
        return asg.describeScalingActivities(r -> r.autoScalingGroupName(name)).activities();
    }

    static AutoScalingException fails(String code, Executable e) {
        AutoScalingException x = assertThrows(AutoScalingException.class, e);
        assertEquals(code, x.awsErrorDetails().errorCode(), x.getMessage());
        assertEquals(400, x.statusCode());
        return x;
    }
}
