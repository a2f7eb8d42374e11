package dev.oboro.tests.ec2;

import dev.oboro.tests.support.Oboro;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

import static dev.oboro.tests.ec2.Ec2Fixtures.filter;

/**
 * Not a test: measures RunInstances of 1,000 instances, DescribeInstances with filters over
 * 10,000 instances, and the heap those instances take. Run with the test classpath:
 * {@code java -cp <test classpath> dev.oboro.tests.ec2.Ec2Benchmark}.
 */
public final class Ec2Benchmark {
    public static void main(String[] args) {
        String account = Oboro.newAccount();
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
            String vpc = ec2.createVpc(r -> r.cidrBlock("10.0.0.0/16")).vpc().vpcId();
            String subnet = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.0.0/17").availabilityZone("us-east-1a")).subnet().subnetId();
            // warm up the service and the catalog
            ec2.runInstances(r -> r.imageId(ami).instanceType("t3.micro").subnetId(subnet).minCount(1).maxCount(1));
            long heapBefore = heap();
            List<Long> runMs = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                String group = "g" + k;
                long t0 = System.nanoTime();
                int n = ec2.runInstances(r -> r.imageId(ami).instanceType(group.equals("g0") ? "t3.small" : "t3.micro").subnetId(subnet)
                        .minCount(1000).maxCount(1000).tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                                .tags(Tag.builder().key("group").value(group).build()).build())).instances().size();
                runMs.add((System.nanoTime() - t0) / 1_000_000);
                if (n != 1000) throw new IllegalStateException("launched " + n);
            }
            long heapAfter = heap();
            Oboro.advance(Duration.ofSeconds(20));
            System.out.printf("RunInstances x1000: %s ms (median %d ms)%n", runMs, median(runMs));
            System.out.printf("heap for 10,000 instances (with ENIs, root volumes, tags): %.1f MiB%n", (heapAfter - heapBefore) / 1048576.0);
            String ip = ec2.describeInstances(r -> r.filters(filter("tag:group", "g7")).maxResults(5)).reservations().get(0).instances().get(0).privateIpAddress();
            time("DescribeInstances private-ip-address (1 of 10,000)", () -> ec2.describeInstances(r -> r.filters(filter("private-ip-address", ip))));
            time("DescribeInstances instance-type=t3.small + running (1,000 of 10,000)", () -> ec2.describeInstances(r -> r.filters(
                    filter("instance-type", "t3.small"), filter("instance-state-name", "running"))));
            time("DescribeInstances tag:group=g3 (1,000 of 10,000)", () -> ec2.describeInstances(r -> r.filters(filter("tag:group", "g3"))));
            time("DescribeInstances MaxResults=1000, first page, no filter", () -> ec2.describeInstances(r -> r.maxResults(1000)));
            time("DescribeInstances all 10,000 in one response", () -> ec2.describeInstances(r -> r.filters(filter("vpc-id", vpc))));
        }
        System.exit(0);
    }

    private static void time(String what, Supplier<DescribeInstancesResponse> call) {
        for (int i = 0; i < 3; i++) call.get();
        List<Long> us = new ArrayList<>();
        int count = 0;
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            DescribeInstancesResponse r = call.get();
            us.add((System.nanoTime() - t0) / 1000);
            count = r.reservations().stream().mapToInt(x -> x.instances().size()).sum();
        }
        System.out.printf("%s: %d instances, median %.1f ms, min %.1f ms%n", what, count, median(us) / 1000.0, Collections.min(us) / 1000.0);
    }

    private static long median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static long heap() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
