package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeRegionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeRegionsResponse;
import software.amazon.awssdk.services.ec2.model.Region;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** {@code DescribeRegions} and {@code DescribeAvailabilityZones} from the built-in catalog. */
final class RegionsAndZones {
    private final Catalog catalog;

    private static final Filters<Region> REGION_FILTERS = new Filters<>(Map.<String, Function<Region, Collection<String>>>of(
            "endpoint", r -> List.of(r.endpoint()),
            "region-name", r -> List.of(r.regionName()),
            "opt-in-status", r -> List.of(r.optInStatus())));

    private static final Filters<AvailabilityZone> ZONE_FILTERS = new Filters<>(Map.<String, Function<AvailabilityZone, Collection<String>>>ofEntries(
            Map.entry("zone-name", z -> List.of(z.zoneName())),
            Map.entry("zone-id", z -> List.of(z.zoneId())),
            Map.entry("region-name", z -> List.of(z.regionName())),
            Map.entry("state", z -> List.of(z.stateAsString())),
            Map.entry("zone-type", z -> List.of(z.zoneType())),
            Map.entry("group-name", z -> List.of(z.groupName())),
            Map.entry("group-long-name", z -> z.groupLongName() == null ? List.of() : List.of(z.groupLongName())),
            Map.entry("network-border-group", z -> List.of(z.networkBorderGroup())),
            Map.entry("opt-in-status", z -> List.of(z.optInStatusAsString())),
            Map.entry("parent-zone-name", z -> z.parentZoneName() == null ? List.of() : List.of(z.parentZoneName())),
            Map.entry("parent-zone-id", z -> z.parentZoneId() == null ? List.of() : List.of(z.parentZoneId())),
            Map.entry("message", z -> z.messages().stream().map(m -> m.message()).toList())));

    RegionsAndZones(Catalog catalog) {
        this.catalog = catalog;
    }

    DescribeRegionsResponse describeRegions(Call call, DescribeRegionsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeRegions");
        List<Region> regions = new ArrayList<>();
        catalog.regions().values().forEach(r -> regions.add(r.region()));
        if (req.hasRegionNames()) {
            List<String> unknown = req.regionNames().stream().filter(n -> catalog.region(n) == null).toList();
            if (!unknown.isEmpty()) {
                throw new AwsException("InvalidParameterValue", "Invalid region: " + String.join(", ", unknown), 400);
            }
            regions.removeIf(r -> !req.regionNames().contains(r.regionName()));
        }
        return DescribeRegionsResponse.builder().regions(REGION_FILTERS.apply(req.filters(), regions)).build();
    }

    DescribeAvailabilityZonesResponse describeAvailabilityZones(Call call, DescribeAvailabilityZonesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeAvailabilityZones");
        Catalog.RegionInfo region = catalog.region(call.region());
        if (region == null) {
            throw new AwsException("InvalidParameterValue", "Invalid region: " + call.region(), 400);
        }
        List<AvailabilityZone> zones = new ArrayList<>(region.zones());
        if (req.hasZoneNames()) {
            List<String> unknown = req.zoneNames().stream().filter(n -> zones.stream().noneMatch(z -> z.zoneName().equals(n))).toList();
            if (!unknown.isEmpty()) {
                throw new AwsException("InvalidParameterValue", "The zone '" + unknown.get(0) + "' does not exist.", 400);
            }
            zones.removeIf(z -> !req.zoneNames().contains(z.zoneName()));
        }
        if (req.hasZoneIds()) {
            List<String> unknown = req.zoneIds().stream().filter(n -> zones.stream().noneMatch(z -> z.zoneId().equals(n))).toList();
            if (!unknown.isEmpty()) {
                throw new AwsException("InvalidParameterValue", "The zone ID '" + unknown.get(0) + "' does not exist.", 400);
            }
            zones.removeIf(z -> !req.zoneIds().contains(z.zoneId()));
        }
        return DescribeAvailabilityZonesResponse.builder().availabilityZones(ZONE_FILTERS.apply(req.filters(), zones)).build();
    }
}
