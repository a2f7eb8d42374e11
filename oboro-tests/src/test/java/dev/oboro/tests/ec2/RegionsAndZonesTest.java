package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Region;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegionsAndZonesTest {
    final String account = Oboro.newAccount();

    @Test
    void describeRegionsListsEveryCommercialRegion() {
        try (Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account)) {
            List<Region> regions = ec2.describeRegions().regions();
            List<String> names = regions.stream().map(Region::regionName).toList();
            assertTrue(names.containsAll(List.of("us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
                    "eu-central-1", "ap-northeast-1", "ap-southeast-2", "sa-east-1", "af-south-1", "me-south-1")), names.toString());
            assertTrue(regions.size() >= 30, "regions: " + regions.size());
            Region use1 = regions.stream().filter(r -> r.regionName().equals("us-east-1")).findFirst().orElseThrow();
            assertEquals("ec2.us-east-1.amazonaws.com", use1.endpoint());
            assertEquals("opt-in-not-required", use1.optInStatus());
        }
    }

    @Test
    void describeRegionsFiltersWithWildcards() {
        try (Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account)) {
            List<String> eu = ec2.describeRegions(r -> r.filters(Filter.builder().name("region-name").values("eu-*").build()))
                    .regions().stream().map(Region::regionName).toList();
            assertTrue(eu.contains("eu-west-1") && eu.stream().allMatch(n -> n.startsWith("eu-")), eu.toString());
            List<String> named = ec2.describeRegions(r -> r.regionNames("us-west-2", "ap-south-1"))
                    .regions().stream().map(Region::regionName).toList();
            assertEquals(List.of("ap-south-1", "us-west-2"), named.stream().sorted().toList());
        }
    }

    @Test
    void zonesOfTheCallersRegionWithRealNamesAndIds() {
        try (Ec2Client ec2 = Oboro.client(Ec2Client.builder(), Oboro.credentials(account), "us-east-2")) {
            List<AvailabilityZone> zones = ec2.describeAvailabilityZones().availabilityZones();
            assertEquals(List.of("us-east-2a", "us-east-2b", "us-east-2c"), zones.stream().map(AvailabilityZone::zoneName).toList());
            AvailabilityZone a = zones.get(0);
            assertEquals("use2-az1", a.zoneId()); // as the AWS documentation's example maps it
            assertEquals("us-east-2", a.regionName());
            assertEquals("available", a.stateAsString());
            assertEquals("availability-zone", a.zoneType());
        }
    }

    @Test
    void zoneFiltersAndIds() {
        try (Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account)) {
            List<AvailabilityZone> byId = ec2.describeAvailabilityZones(r -> r.zoneIds("use1-az2")).availabilityZones();
            assertEquals(1, byId.size());
            assertEquals("us-east-1a", byId.get(0).zoneName());
            List<AvailabilityZone> filtered = ec2.describeAvailabilityZones(r -> r.filters(
                    Filter.builder().name("zone-name").values("us-east-1a", "us-east-1b").build())).availabilityZones();
            assertEquals(2, filtered.size());
        }
    }

    @Test
    void unknownZoneAndUnknownFilterAreRefused() {
        try (Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account)) {
            Ec2Exception e = assertThrows(Ec2Exception.class, () -> ec2.describeAvailabilityZones(r -> r.zoneNames("us-east-1z")));
            assertEquals("InvalidParameterValue", e.awsErrorDetails().errorCode());
            assertEquals(400, e.statusCode());
            Ec2Exception f = assertThrows(Ec2Exception.class, () -> ec2.describeRegions(r -> r.filters(
                    Filter.builder().name("colour").values("blue").build())));
            assertEquals("InvalidParameterValue", f.awsErrorDetails().errorCode());
            assertTrue(f.getMessage().contains("colour"));
        }
    }

    @Test
    void dryRunAnswersDryRunOperation() {
        try (Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account)) {
            Ec2Exception e = assertThrows(Ec2Exception.class, () -> ec2.describeRegions(r -> r.dryRun(true)));
            assertEquals("DryRunOperation", e.awsErrorDetails().errorCode());
            assertEquals(412, e.statusCode());
        }
    }

    @Test
    void cliV2DescribeAvailabilityZonesInEveryRegionItAsks() throws Exception {
        JsonNode r = new ObjectMapper().readTree(Cli.v2In(account, "eu-west-1", "ec2", "describe-availability-zones",
                "--filters", "Name=zone-id,Values=euw1-az1").ok().stdout());
        assertEquals(1, r.get("AvailabilityZones").size());
        assertEquals("eu-west-1b", r.get("AvailabilityZones").get(0).get("ZoneName").asText());
        JsonNode regions = new ObjectMapper().readTree(Cli.v2(account, "ec2", "describe-regions",
                "--region-names", "us-east-1", "--query", "Regions[].RegionName").ok().stdout());
        assertEquals("us-east-1", regions.get(0).asText());
    }
}
