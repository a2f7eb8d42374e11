package dev.oboro.services.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypeOfferingsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypeOfferingsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.DiskInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;

/** {@code DescribeInstanceTypes} and {@code DescribeInstanceTypeOfferings} from the catalog. */
final class InstanceTypes {
    /** What RunInstances and friends need to know about a type. */
    record Facts(String name, boolean hvm, boolean paravirtual, String enaSupport, boolean ipv6, boolean efa,
                 List<String> architectures, boolean instanceStorage, List<String> rootDeviceTypes, boolean sriov, boolean nitro,
                 String hypervisor, int maxInterfaces, boolean autoRecovery, boolean currentGeneration, boolean burstable) {
        static Facts of(InstanceTypeInfo i, JsonNode extra) {
            var n = i.networkInfo();
            return new Facts(i.instanceTypeAsString(), i.supportedVirtualizationTypesAsStrings().contains("hvm"),
                    i.supportedVirtualizationTypesAsStrings().contains("paravirtual"),
                    n == null ? "unsupported" : n.enaSupportAsString(), n != null && Boolean.TRUE.equals(n.ipv6Supported()),
                    n != null && Boolean.TRUE.equals(n.efaSupported()),
                    i.processorInfo() == null ? List.of("x86_64") : i.processorInfo().supportedArchitecturesAsStrings(),
                    Boolean.TRUE.equals(i.instanceStorageSupported()), i.supportedRootDeviceTypesAsStrings(),
                    extra.path("sriovNetSupport").asBoolean(false), extra.path("nitro").asBoolean(false),
                    i.hypervisorAsString() == null ? "nitro" : i.hypervisorAsString(),
                    n == null || n.maximumNetworkInterfaces() == null ? 2 : n.maximumNetworkInterfaces(),
                    Boolean.TRUE.equals(i.autoRecoverySupported()), Boolean.TRUE.equals(i.currentGeneration()),
                    Boolean.TRUE.equals(i.burstablePerformanceSupported()));
        }
    }

    private static final Filters<InstanceTypeInfo> FILTERS = new Filters<>(Map.<String, Function<InstanceTypeInfo, Collection<String>>>ofEntries(
            Map.entry("auto-recovery-supported", i -> bool(i.autoRecoverySupported())),
            Map.entry("bare-metal", i -> bool(i.bareMetal())),
            Map.entry("burstable-performance-supported", i -> bool(i.burstablePerformanceSupported())),
            Map.entry("current-generation", i -> bool(i.currentGeneration())),
            Map.entry("dedicated-hosts-supported", i -> bool(i.dedicatedHostsSupported())),
            Map.entry("ebs-info.ebs-optimized-support", i -> i.ebsInfo() == null ? List.of() : List.of(i.ebsInfo().ebsOptimizedSupportAsString())),
            Map.entry("ebs-info.encryption-support", i -> i.ebsInfo() == null ? List.of() : List.of(i.ebsInfo().encryptionSupportAsString())),
            Map.entry("ebs-info.nvme-support", i -> i.ebsInfo() == null ? List.of() : List.of(i.ebsInfo().nvmeSupportAsString())),
            Map.entry("free-tier-eligible", i -> bool(i.freeTierEligible())),
            Map.entry("hibernation-supported", i -> bool(i.hibernationSupported())),
            Map.entry("hypervisor", i -> i.hypervisorAsString() == null ? List.of() : List.of(i.hypervisorAsString())),
            Map.entry("instance-storage-info.disk.count", i -> disks(i, d -> String.valueOf(d.count()))),
            Map.entry("instance-storage-info.disk.size-in-gb", i -> disks(i, d -> String.valueOf(d.sizeInGB()))),
            Map.entry("instance-storage-info.disk.type", i -> disks(i, DiskInfo::typeAsString)),
            Map.entry("instance-storage-info.nvme-support", i -> i.instanceStorageInfo() == null ? List.of() : List.of(i.instanceStorageInfo().nvmeSupportAsString())),
            Map.entry("instance-storage-info.total-size-in-gb", i -> i.instanceStorageInfo() == null ? List.of() : List.of(String.valueOf(i.instanceStorageInfo().totalSizeInGB()))),
            Map.entry("instance-storage-supported", i -> bool(i.instanceStorageSupported())),
            Map.entry("instance-type", i -> List.of(i.instanceTypeAsString())),
            Map.entry("memory-info.size-in-mib", i -> i.memoryInfo() == null ? List.of() : List.of(String.valueOf(i.memoryInfo().sizeInMiB()))),
            Map.entry("network-info.efa-info.maximum-efa-interfaces", i -> i.networkInfo() == null || i.networkInfo().efaInfo() == null ? List.of()
                    : List.of(String.valueOf(i.networkInfo().efaInfo().maximumEfaInterfaces()))),
            Map.entry("network-info.efa-supported", i -> i.networkInfo() == null ? List.of() : bool(i.networkInfo().efaSupported())),
            Map.entry("network-info.ena-support", i -> i.networkInfo() == null ? List.of() : List.of(i.networkInfo().enaSupportAsString())),
            Map.entry("network-info.encryption-in-transit-supported", i -> i.networkInfo() == null ? List.of() : bool(i.networkInfo().encryptionInTransitSupported())),
            Map.entry("network-info.ipv4-addresses-per-interface", i -> i.networkInfo() == null ? List.of() : List.of(String.valueOf(i.networkInfo().ipv4AddressesPerInterface()))),
            Map.entry("network-info.ipv6-addresses-per-interface", i -> i.networkInfo() == null ? List.of() : List.of(String.valueOf(i.networkInfo().ipv6AddressesPerInterface()))),
            Map.entry("network-info.ipv6-supported", i -> i.networkInfo() == null ? List.of() : bool(i.networkInfo().ipv6Supported())),
            Map.entry("network-info.maximum-network-cards", i -> i.networkInfo() == null ? List.of() : List.of(String.valueOf(i.networkInfo().maximumNetworkCards()))),
            Map.entry("network-info.maximum-network-interfaces", i -> i.networkInfo() == null ? List.of() : List.of(String.valueOf(i.networkInfo().maximumNetworkInterfaces()))),
            Map.entry("network-info.network-performance", i -> i.networkInfo() == null ? List.of() : List.of(i.networkInfo().networkPerformance())),
            Map.entry("nitro-enclaves-support", i -> List.of(String.valueOf(i.nitroEnclavesSupportAsString()))),
            Map.entry("nitro-tpm-support", i -> List.of(String.valueOf(i.nitroTpmSupportAsString()))),
            Map.entry("placement-group-info.supported-strategies", i -> i.placementGroupInfo() == null ? List.of() : i.placementGroupInfo().supportedStrategiesAsStrings()),
            Map.entry("processor-info.manufacturer", i -> i.processorInfo() == null || i.processorInfo().manufacturer() == null ? List.of() : List.of(i.processorInfo().manufacturer())),
            Map.entry("processor-info.supported-architecture", i -> i.processorInfo() == null ? List.of() : i.processorInfo().supportedArchitecturesAsStrings()),
            Map.entry("processor-info.sustained-clock-speed-in-ghz", i -> i.processorInfo() == null || i.processorInfo().sustainedClockSpeedInGhz() == null ? List.of()
                    : List.of(String.valueOf(i.processorInfo().sustainedClockSpeedInGhz()))),
            Map.entry("supported-boot-mode", InstanceTypeInfo::supportedBootModesAsStrings),
            Map.entry("supported-root-device-type", InstanceTypeInfo::supportedRootDeviceTypesAsStrings),
            Map.entry("supported-usage-class", InstanceTypeInfo::supportedUsageClassesAsStrings),
            Map.entry("supported-virtualization-type", InstanceTypeInfo::supportedVirtualizationTypesAsStrings),
            Map.entry("vcpu-info.default-cores", i -> i.vCpuInfo() == null ? List.of() : List.of(String.valueOf(i.vCpuInfo().defaultCores()))),
            Map.entry("vcpu-info.default-threads-per-core", i -> i.vCpuInfo() == null ? List.of() : List.of(String.valueOf(i.vCpuInfo().defaultThreadsPerCore()))),
            Map.entry("vcpu-info.default-vcpus", i -> i.vCpuInfo() == null ? List.of() : List.of(String.valueOf(i.vCpuInfo().defaultVCpus()))),
            Map.entry("vcpu-info.valid-cores", i -> i.vCpuInfo() == null ? List.of() : i.vCpuInfo().validCores().stream().map(String::valueOf).toList()),
            Map.entry("vcpu-info.valid-threads-per-core", i -> i.vCpuInfo() == null ? List.of() : i.vCpuInfo().validThreadsPerCore().stream().map(String::valueOf).toList())));

    private static final Filters<InstanceTypeOffering> OFFERING_FILTERS = new Filters<>(Map.<String, Function<InstanceTypeOffering, Collection<String>>>of(
            "location", o -> List.of(o.location()),
            "instance-type", o -> List.of(o.instanceTypeAsString())));

    private static List<String> bool(Boolean b) {
        return b == null ? List.of() : List.of(b.toString());
    }

    private static List<String> disks(InstanceTypeInfo i, Function<DiskInfo, String> f) {
        return i.instanceStorageInfo() == null ? List.of() : i.instanceStorageInfo().disks().stream().map(f).filter(Objects::nonNull).toList();
    }

    private final Catalog catalog;

    InstanceTypes(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The types offered anywhere in a region (DescribeInstanceTypes lists those). */
    private BitSet inRegion(String region) {
        BitSet all = new BitSet();
        Catalog.RegionInfo r = catalog.region(region);
        if (r != null) r.zones().forEach(z -> all.or(catalog.offered(region, z.zoneName())));
        return all;
    }

    DescribeInstanceTypesResponse describeInstanceTypes(Call call, DescribeInstanceTypesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeInstanceTypes");
        Catalog.Types t = catalog.types();
        BitSet offered = inRegion(call.region());
        List<InstanceTypeInfo> all = new ArrayList<>();
        List<String> order = t.offeringOrder();
        for (int i = offered.nextSetBit(0); i >= 0; i = offered.nextSetBit(i + 1)) {
            InstanceTypeInfo info = t.infos().get(order.get(i));
            if (info != null) all.add(info);
        }
        if (req.hasInstanceTypes() && !req.instanceTypes().isEmpty()) {
            List<String> wanted = req.instanceTypesAsStrings();
            List<String> missing = wanted.stream().filter(n -> all.stream().noneMatch(i -> i.instanceTypeAsString().equals(n))).toList();
            if (!missing.isEmpty()) {
                throw new AwsException("InvalidInstanceType", "The following supplied instance types do not exist: [" + String.join(", ", missing) + "]", 400);
            }
            all.removeIf(i -> !wanted.contains(i.instanceTypeAsString()));
        }
        List<InstanceTypeInfo> matched = FILTERS.apply(req.filters(), all);
        DescribeInstanceTypesResponse.Builder b = DescribeInstanceTypesResponse.builder();
        Pagination.Page<InstanceTypeInfo> page = Paging.page(call, req, matched, InstanceTypeInfo::instanceTypeAsString, b);
        return b.instanceTypes(page.items()).build();
    }

    DescribeInstanceTypeOfferingsResponse describeInstanceTypeOfferings(Call call, DescribeInstanceTypeOfferingsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeInstanceTypeOfferings");
        Catalog.Types t = catalog.types();
        Catalog.RegionInfo region = catalog.region(call.region());
        String locType = req.locationTypeAsString() == null ? "region" : req.locationTypeAsString();
        List<InstanceTypeOffering> all = new ArrayList<>();
        List<String> order = t.offeringOrder();
        switch (locType) {
            case "region" -> {
                BitSet b = inRegion(call.region());
                for (int i = b.nextSetBit(0); i >= 0; i = b.nextSetBit(i + 1)) {
                    all.add(InstanceTypeOffering.builder().instanceType(order.get(i)).locationType(locType).location(call.region()).build());
                }
            }
            case "availability-zone", "availability-zone-id" -> {
                if (region != null) {
                    for (var z : region.zones()) {
                        BitSet b = catalog.offered(call.region(), z.zoneName());
                        String loc = locType.equals("availability-zone") ? z.zoneName() : z.zoneId();
                        for (int i = b.nextSetBit(0); i >= 0; i = b.nextSetBit(i + 1)) {
                            all.add(InstanceTypeOffering.builder().instanceType(order.get(i)).locationType(locType).location(loc).build());
                        }
                    }
                }
            }
            default -> throw Ec2Errors.invalidParameterValue("Invalid value '" + locType + "' for LocationType.");
        }
        List<InstanceTypeOffering> matched = new ArrayList<>(OFFERING_FILTERS.apply(req.filters(), all));
        matched.sort((a, b) -> (a.location() + " " + a.instanceTypeAsString()).compareTo(b.location() + " " + b.instanceTypeAsString()));
        DescribeInstanceTypeOfferingsResponse.Builder b = DescribeInstanceTypeOfferingsResponse.builder();
        Pagination.Page<InstanceTypeOffering> page = Paging.page(call, req, matched,
                o -> o.location() + " " + o.instanceTypeAsString(), b);
        return b.instanceTypeOfferings(page.items()).build();
    }

    /** The zones of a region offering a type, for the "Unsupported" message. */
    List<String> zonesOffering(String region, String type) {
        List<String> out = new ArrayList<>();
        Catalog.RegionInfo r = catalog.region(region);
        if (r == null) return out;
        for (var z : r.zones()) if (catalog.offeredIn(region, z.zoneName(), type)) out.add(z.zoneName());
        return new ArrayList<>(new TreeSet<>(out));
    }
}
