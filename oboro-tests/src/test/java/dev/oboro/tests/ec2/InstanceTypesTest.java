package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;
import software.amazon.awssdk.services.ec2.model.LocationType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.filter;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstanceTypesTest {
    final String account = Oboro.newAccount();

    private static InstanceTypeInfo type(Ec2Client ec2, String name) {
        return ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings(name)).instanceTypes().get(0);
    }

    @Test
    void attributesOfWellKnownTypes() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            InstanceTypeInfo t2 = type(ec2, "t2.micro");
            assertEquals("unsupported", t2.networkInfo().enaSupportAsString());
            assertEquals("xen", t2.hypervisorAsString());
            InstanceTypeInfo m5 = type(ec2, "m5.large");
            assertEquals("required", m5.networkInfo().enaSupportAsString());
            assertEquals("nitro", m5.hypervisorAsString());
            assertEquals(2, m5.vCpuInfo().defaultVCpus());
            assertEquals(8192L, m5.memoryInfo().sizeInMiB());
            assertFalse(type(ec2, "m3.medium").networkInfo().ipv6Supported());
            assertTrue(type(ec2, "m3.medium").supportedVirtualizationTypesAsStrings().contains("paravirtual"));
            assertEquals(List.of("arm64"), type(ec2, "m7g.large").processorInfo().supportedArchitecturesAsStrings());
            assertEquals("AMD", type(ec2, "m5a.large").processorInfo().manufacturer());
            assertTrue(type(ec2, "c5n.18xlarge").networkInfo().efaSupported());
            assertTrue(type(ec2, "i3.large").instanceStorageSupported());
            assertEquals("100 Gigabit", type(ec2, "c5n.18xlarge").networkInfo().networkPerformance());
            fails("InvalidInstanceType", () -> ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings("m9.huge")));
        }
    }

    @Test
    void filtersNarrowTheCatalog() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            List<InstanceTypeInfo> efa = new ArrayList<>();
            ec2.describeInstanceTypesPaginator(r -> r.filters(filter("network-info.efa-supported", "true"),
                    filter("processor-info.supported-architecture", "x86_64"))).forEach(p -> efa.addAll(p.instanceTypes()));
            assertTrue(efa.size() > 10);
            assertTrue(efa.stream().allMatch(t -> t.networkInfo().efaSupported() && t.processorInfo().supportedArchitecturesAsStrings().contains("x86_64")));
            List<InstanceTypeInfo> t3 = ec2.describeInstanceTypes(r -> r.filters(filter("instance-type", "t3.*"),
                    filter("current-generation", "true"), filter("vcpu-info.default-vcpus", "2"))).instanceTypes();
            assertEquals(Set.of("t3.micro", "t3.nano", "t3.small", "t3.medium", "t3.large"),
                    new HashSet<>(t3.stream().map(InstanceTypeInfo::instanceTypeAsString).toList()));
            List<InstanceTypeInfo> pv = ec2.describeInstanceTypes(r -> r.filters(filter("supported-virtualization-type", "paravirtual"),
                    filter("instance-type", "m3.*"))).instanceTypes();
            assertFalse(pv.isEmpty());
            assertTrue(ec2.describeInstanceTypes(r -> r.filters(filter("network-info.ena-support", "unsupported"),
                    filter("instance-type", "t2.micro"))).instanceTypes().size() == 1);
            assertTrue(ec2.describeInstanceTypes(r -> r.filters(filter("instance-storage-supported", "true"), filter("hypervisor", "nitro"),
                    filter("instance-type", "m5d.large"))).instanceTypes().size() == 1);
            assertEquals(1, ec2.describeInstanceTypes(r -> r.filters(filter("memory-info.size-in-mib", "1024"),
                    filter("instance-type", "t2.micro"))).instanceTypes().size());
            fails("InvalidParameterValue", () -> ec2.describeInstanceTypes(r -> r.filters(filter("colour", "blue"))));
        }
    }

    @Test
    void paginationHonoursMaxResultsAndTokens() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            DescribeInstanceTypesResponse first = ec2.describeInstanceTypes(r -> r.maxResults(5));
            assertEquals(5, first.instanceTypes().size());
            DescribeInstanceTypesResponse second = ec2.describeInstanceTypes(r -> r.maxResults(5).nextToken(first.nextToken()));
            assertTrue(first.instanceTypes().get(4).instanceTypeAsString().compareTo(second.instanceTypes().get(0).instanceTypeAsString()) < 0);
            fails("InvalidMaxResults", () -> ec2.describeInstanceTypes(r -> r.maxResults(3)));
            int total = 0;
            for (var p : ec2.describeInstanceTypesPaginator(r -> r.maxResults(100))) total += p.instanceTypes().size();
            assertTrue(total > 500, "types in us-east-1: " + total);
        }
    }

    @Test
    void offeringsByRegionZoneAndZoneId() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            List<InstanceTypeOffering> region = ec2.describeInstanceTypeOfferings(r -> r.filters(filter("instance-type", "m5.large"))).instanceTypeOfferings();
            assertEquals(1, region.size());
            assertEquals("us-east-1", region.get(0).location());
            List<InstanceTypeOffering> zones = ec2.describeInstanceTypeOfferings(r -> r.locationType(LocationType.AVAILABILITY_ZONE)
                    .filters(filter("instance-type", "m5.large"))).instanceTypeOfferings();
            assertTrue(zones.size() >= 5 && zones.stream().allMatch(o -> o.location().startsWith("us-east-1")));
            List<InstanceTypeOffering> ids = ec2.describeInstanceTypeOfferings(r -> r.locationType(LocationType.AVAILABILITY_ZONE_ID)
                    .filters(filter("instance-type", "m5.large"), filter("location", "use1-az1"))).instanceTypeOfferings();
            assertEquals(1, ids.size());
        }
    }

    @Test
    void cliDescribeInstanceTypesPages() {
        JsonNode page = json(Cli.v2(account, "ec2", "describe-instance-types", "--filters", "Name=instance-type,Values=c5.*",
                "--max-items", "3", "--page-size", "5").ok().stdout());
        assertEquals(3, page.get("InstanceTypes").size());
        JsonNode next = json(Cli.v2(account, "ec2", "describe-instance-types", "--filters", "Name=instance-type,Values=c5.*",
                "--starting-token", page.get("NextToken").asText(), "--page-size", "5").ok().stdout());
        Set<String> seen = new HashSet<>();
        page.get("InstanceTypes").forEach(t -> seen.add(t.get("InstanceType").asText()));
        next.get("InstanceTypes").forEach(t -> assertTrue(seen.add(t.get("InstanceType").asText()), "repeated " + t));
        assertTrue(seen.size() > 8, seen.toString());
        JsonNode offerings = json(Cli.v2(account, "ec2", "describe-instance-type-offerings", "--location-type", "availability-zone",
                "--filters", "Name=instance-type,Values=t3.micro", "--query", "InstanceTypeOfferings[].Location").ok().stdout());
        assertTrue(offerings.size() >= 5);
    }
}
