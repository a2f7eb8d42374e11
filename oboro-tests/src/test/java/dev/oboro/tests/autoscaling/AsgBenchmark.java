package dev.oboro.tests.autoscaling;

import dev.oboro.tests.support.Oboro;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Not a test: 100 groups of 50 instances across two zones; then every instance in one zone fails
 * (terminated through EC2). Measures the reconciler's sweep in steady state, the sweep that finds
 * 2,500 failed instances and launches their replacements, and the time until all 5,000 are back
 * in service. Run with the test classpath: {@code java -cp <test classpath> dev.oboro.tests.autoscaling.AsgBenchmark}.
 */
public final class AsgBenchmark {
    public static void main(String[] args) {
        String account = Oboro.newAccount();
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String vpc = ec2.createVpc(r -> r.cidrBlock("10.0.0.0/16")).vpc().vpcId();
            String a = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.0.0/17").availabilityZone("us-east-1a")).subnet().subnetId();
            String b = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.128.0/17").availabilityZone("us-east-1b")).subnet().subnetId();
            String lt = AsgFixtures.template(ec2, "bench-template");
            long t0 = System.nanoTime();
            for (int g = 0; g < 100; g++) {
                String name = String.format("bench-%03d", g);
                asg.createAutoScalingGroup(r -> r.autoScalingGroupName(name).minSize(50).maxSize(100).desiredCapacity(50)
                        .vpcZoneIdentifier(a + "," + b).launchTemplate(t -> t.launchTemplateId(lt)));
            }
            int rounds = 0;
            while (inService(asg) < 5000) {
                Oboro.advance(Duration.ofSeconds(10));
                rounds++;
            }
            System.out.printf("5,000 instances in service after %d sweeps, %.1f s wall%n", rounds, (System.nanoTime() - t0) / 1e9);

            List<Long> steady = new ArrayList<>();
            for (int k = 0; k < 5; k++) steady.add(timeAdvance());
            System.out.printf("steady-state sweep (100 groups, 5,000 instances): median %.1f ms (advance of 10 s)%n", median(steady) / 1000.0);

            List<String> zoneA = new ArrayList<>();
            for (AutoScalingGroup g : groups(asg)) {
                g.instances().stream().filter(i -> i.availabilityZone().equals("us-east-1a")).forEach(i -> zoneA.add(i.instanceId()));
            }
            for (int k = 0; k < zoneA.size(); k += 500) {
                List<String> batch = zoneA.subList(k, Math.min(zoneA.size(), k + 500));
                ec2.terminateInstances(r -> r.instanceIds(batch));
            }
            System.out.printf("zone us-east-1a: %d instances failed (terminated through EC2)%n", zoneA.size());
            long failSweep = timeAdvance();
            System.out.printf("sweep that finds them, starts 2,500 terminations and launches 2,500 replacements: %.1f ms%n", failSweep / 1000.0);
            long t1 = System.nanoTime();
            int more = 0;
            while (inService(asg) < 5000 || !balanced(asg)) {
                Oboro.advance(Duration.ofSeconds(10));
                more++;
            }
            System.out.printf("back to 5,000 balanced instances in service after %d more sweeps (%.1f s wall)%n", more, (System.nanoTime() - t1) / 1e9);
            List<Long> after = new ArrayList<>();
            for (int k = 0; k < 5; k++) after.add(timeAdvance());
            System.out.printf("steady-state sweep afterwards (2,500 terminated instances still listed by EC2 for an hour): median %.1f ms%n",
                    median(after) / 1000.0);
        }
        System.exit(0);
    }

    private static long timeAdvance() {
        long t = System.nanoTime();
        Oboro.advance(Duration.ofSeconds(10));
        return (System.nanoTime() - t) / 1000;
    }

    private static List<AutoScalingGroup> groups(AutoScalingClient asg) {
        List<AutoScalingGroup> out = new ArrayList<>();
        asg.describeAutoScalingGroupsPaginator(r -> r.maxRecords(100)).autoScalingGroups().forEach(out::add);
        return out;
    }

    private static int inService(AutoScalingClient asg) {
        return (int) groups(asg).stream().flatMap(g -> g.instances().stream()).filter(i -> i.lifecycleStateAsString().equals("InService")).count();
    }

    private static boolean balanced(AutoScalingClient asg) {
        return groups(asg).stream().allMatch(g -> g.instances().stream().filter(i -> i.availabilityZone().equals("us-east-1a")).count() == 25
                && g.instances().size() == 50);
    }

    private static long median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
