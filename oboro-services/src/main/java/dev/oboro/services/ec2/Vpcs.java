package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.AttributeBooleanValue;
import software.amazon.awssdk.services.ec2.model.CreateSubnetRequest;
import software.amazon.awssdk.services.ec2.model.CreateSubnetResponse;
import software.amazon.awssdk.services.ec2.model.CreateVpcRequest;
import software.amazon.awssdk.services.ec2.model.CreateVpcResponse;
import software.amazon.awssdk.services.ec2.model.DeleteSubnetRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSubnetResponse;
import software.amazon.awssdk.services.ec2.model.DeleteVpcRequest;
import software.amazon.awssdk.services.ec2.model.DeleteVpcResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVpcAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVpcAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVpcsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVpcsResponse;
import software.amazon.awssdk.services.ec2.model.ModifySubnetAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifySubnetAttributeResponse;
import software.amazon.awssdk.services.ec2.model.ModifyVpcAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyVpcAttributeResponse;
import software.amazon.awssdk.services.ec2.model.SubnetIpv6CidrBlockAssociation;
import software.amazon.awssdk.services.ec2.model.SubnetCidrBlockState;
import software.amazon.awssdk.services.ec2.model.VpcCidrBlockAssociation;
import software.amazon.awssdk.services.ec2.model.VpcCidrBlockState;
import software.amazon.awssdk.services.ec2.model.VpcIpv6CidrBlockAssociation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/** VPCs and subnets. */
final class Vpcs {
    record Vpc(String id, String cidr, boolean isDefault, String dhcpOptionsId, String tenancy, String ipv6Cidr,
               String ipv6AssocId, String cidrAssocId, boolean dnsSupport, boolean dnsHostnames) {
        Vpc withDns(boolean support, boolean hostnames) {
            return new Vpc(id, cidr, isDefault, dhcpOptionsId, tenancy, ipv6Cidr, ipv6AssocId, cidrAssocId, support, hostnames);
        }
    }

    record Subnet(String id, String vpcId, String cidr, String az, String azId, boolean defaultForAz,
                  boolean mapPublicIpOnLaunch, String ipv6Cidr, String ipv6AssocId, boolean assignIpv6OnCreation) {
        Subnet withMapPublicIp(boolean v) {
            return new Subnet(id, vpcId, cidr, az, azId, defaultForAz, v, ipv6Cidr, ipv6AssocId, assignIpv6OnCreation);
        }

        Subnet withAssignIpv6(boolean v) {
            return new Subnet(id, vpcId, cidr, az, azId, defaultForAz, mapPublicIpOnLaunch, ipv6Cidr, ipv6AssocId, v);
        }
    }

    private final Ec2State st;
    private final Filters<Vpc> vpcFilters;
    private final Filters<Subnet> subnetFilters;

    Vpcs(Ec2State st) {
        this.st = st;
        vpcFilters = new Filters<>(Map.<String, Function<Vpc, Collection<String>>>ofEntries(
                Map.entry("cidr", v -> List.of(v.cidr())),
                Map.entry("cidr-block-association.cidr-block", v -> List.of(v.cidr())),
                Map.entry("cidr-block-association.association-id", v -> List.of(v.cidrAssocId())),
                Map.entry("cidr-block-association.state", v -> List.of("associated")),
                Map.entry("dhcp-options-id", v -> List.of(v.dhcpOptionsId())),
                Map.entry("ipv6-cidr-block-association.ipv6-cidr-block", v -> opt(v.ipv6Cidr())),
                Map.entry("ipv6-cidr-block-association.association-id", v -> opt(v.ipv6AssocId())),
                Map.entry("is-default", v -> List.of(Boolean.toString(v.isDefault()))),
                Map.entry("owner-id", v -> List.of(FilterScope.get().account())),
                Map.entry("state", v -> List.of("available")),
                Map.entry("vpc-id", v -> List.of(v.id())),
                Map.entry("tag:", v -> st.tags.pairs(FilterScope.get(), v.id())),
                Map.entry("tag-key", v -> st.tags.keys(FilterScope.get(), v.id())),
                Map.entry("tag-value", v -> st.tags.values(FilterScope.get(), v.id()))));
        subnetFilters = new Filters<>(Map.<String, Function<Subnet, Collection<String>>>ofEntries(
                Map.entry("availability-zone", n -> List.of(n.az())),
                Map.entry("availabilityZone", n -> List.of(n.az())),
                Map.entry("availability-zone-id", n -> List.of(n.azId())),
                Map.entry("available-ip-address-count", n -> List.of(Integer.toString(st.freeAddresses(FilterScope.get(), n)))),
                Map.entry("cidr-block", n -> List.of(n.cidr())),
                Map.entry("cidr", n -> List.of(n.cidr())),
                Map.entry("cidrBlock", n -> List.of(n.cidr())),
                Map.entry("default-for-az", n -> List.of(Boolean.toString(n.defaultForAz()))),
                Map.entry("defaultForAz", n -> List.of(Boolean.toString(n.defaultForAz()))),
                Map.entry("ipv6-cidr-block-association.ipv6-cidr-block", n -> opt(n.ipv6Cidr())),
                Map.entry("ipv6-cidr-block-association.association-id", n -> opt(n.ipv6AssocId())),
                Map.entry("map-public-ip-on-launch", n -> List.of(Boolean.toString(n.mapPublicIpOnLaunch()))),
                Map.entry("owner-id", n -> List.of(FilterScope.get().account())),
                Map.entry("state", n -> List.of("available")),
                Map.entry("subnet-arn", n -> List.of(arn(FilterScope.get(), n.id()))),
                Map.entry("subnet-id", n -> List.of(n.id())),
                Map.entry("vpc-id", n -> List.of(n.vpcId())),
                Map.entry("tag:", n -> st.tags.pairs(FilterScope.get(), n.id())),
                Map.entry("tag-key", n -> st.tags.keys(FilterScope.get(), n.id())),
                Map.entry("tag-value", n -> st.tags.values(FilterScope.get(), n.id()))));
    }

    static List<String> opt(String v) {
        return v == null ? List.of() : List.of(v);
    }

    private static String arn(Scope s, String subnetId) {
        return "arn:aws:ec2:" + s.region() + ":" + s.account() + ":subnet/" + subnetId;
    }

    // ------------------------------------------------------------------ VPCs

    CreateVpcResponse createVpc(Call call, CreateVpcRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateVpc");
        Scope s = st.scope(call);
        if (req.cidrBlock() == null) throw Ec2Errors.missingParameter("cidrBlock");
        Cidr c = Cidr.parse(req.cidrBlock());
        if (c == null) throw Ec2Errors.invalidParameterValue("Value (" + req.cidrBlock() + ") for parameter cidrBlock is invalid. This is not a valid CIDR block.");
        if (c.prefix() < 16 || c.prefix() > 28) {
            throw new AwsException("InvalidVpc.Range", "The CIDR '" + req.cidrBlock() + "' is invalid.", 400);
        }
        Cidr aligned = new Cidr(c.base() & c.mask(), c.prefix());
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("vpc"));
        String id = Ids.ec2("vpc");
        String ipv6 = null;
        String ipv6Assoc = null;
        if (Boolean.TRUE.equals(req.amazonProvidedIpv6CidrBlock())) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            ipv6 = String.format("2600:1f18:%04x:%02x00::/56", r.nextInt(0x10000), r.nextInt(256));
            ipv6Assoc = Ids.ec2("vpc-cidr-assoc");
        }
        Vpc v = new Vpc(id, aligned.toString(), false, "dopt-" + Ids.hex(17),
                req.instanceTenancyAsString() == null ? "default" : req.instanceTenancyAsString(), ipv6, ipv6Assoc,
                Ids.ec2("vpc-cidr-assoc"), true, false);
        st.vpcs.put(s, id, v);
        RouteTables.createMain(st, s, id, v.cidr());
        SecurityGroups.createDefault(st, s, id);
        st.tags.apply(s, req.tagSpecifications(), "vpc", id);
        return CreateVpcResponse.builder().vpc(toSdk(s, st.vpcs.get(s, id)).toBuilder().state("pending").build()).build();
    }

    DeleteVpcResponse deleteVpc(Call call, DeleteVpcRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteVpc");
        Scope s = st.scope(call);
        Vpc v = vpc(s, req.vpcId());
        boolean deps = st.subnets.values(s).stream().anyMatch(n -> n.vpcId().equals(v.id()))
                || st.internetGateways.values(s).stream().anyMatch(g -> v.id().equals(g.vpcId()))
                || st.securityGroups.values(s).stream().anyMatch(g -> g.vpcId().equals(v.id()) && !g.name().equals("default"))
                || st.routeTables.values(s).stream().anyMatch(t -> t.vpcId().equals(v.id()) && !t.isMain())
                || st.networkInterfaces.values(s).stream().anyMatch(e -> e.vpcId().equals(v.id()))
                || st.natGateways.values(s).stream().anyMatch(n -> n.vpcId().equals(v.id()) && !n.state().equals("deleted"));
        if (deps) throw Ec2Errors.dependencyViolation("The vpc '" + v.id() + "' has dependencies and cannot be deleted.");
        for (RouteTables.Rtb t : List.copyOf(st.routeTables.values(s))) {
            if (t.vpcId().equals(v.id())) {
                st.routeTables.remove(s, t.id());
                st.tags.remove(s, t.id());
            }
        }
        for (SecurityGroups.Group g : List.copyOf(st.securityGroups.values(s))) {
            if (g.vpcId().equals(v.id())) {
                st.securityGroups.remove(s, g.id());
                st.tags.remove(s, g.id());
            }
        }
        st.vpcs.remove(s, v.id());
        st.tags.remove(s, v.id());
        st.forgetDefaultVpc(s, v.id());
        return DeleteVpcResponse.builder().build();
    }

    DescribeVpcsResponse describeVpcs(Call call, DescribeVpcsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeVpcs");
        Scope s = st.scope(call);
        List<Vpc> all = new ArrayList<>(st.vpcs.values(s));
        if (req.hasVpcIds() && !req.vpcIds().isEmpty()) {
            List<String> missing = req.vpcIds().stream().filter(id -> !st.vpcs.contains(s, id)).toList();
            if (!missing.isEmpty()) throw Ec2Errors.notFound("InvalidVpcID.NotFound", "vpc", missing);
            all.removeIf(v -> !req.vpcIds().contains(v.id()));
        }
        List<Vpc> matched = FilterScope.in(s, () -> vpcFilters.apply(req.filters(), all));
        DescribeVpcsResponse.Builder b = DescribeVpcsResponse.builder();
        Pagination.Page<Vpc> page = Paging.page(call, req, matched, Vpc::id, b);
        return b.vpcs(page.items().stream().map(v -> toSdk(s, v)).toList()).build();
    }

    DescribeVpcAttributeResponse describeVpcAttribute(Call call, DescribeVpcAttributeRequest req) {
        Scope s = st.scope(call);
        Vpc v = vpc(s, req.vpcId());
        DescribeVpcAttributeResponse.Builder b = DescribeVpcAttributeResponse.builder().vpcId(v.id());
        switch (req.attributeAsString()) {
            case "enableDnsSupport" -> b.enableDnsSupport(AttributeBooleanValue.builder().value(v.dnsSupport()).build());
            case "enableDnsHostnames" -> b.enableDnsHostnames(AttributeBooleanValue.builder().value(v.dnsHostnames()).build());
            case "enableNetworkAddressUsageMetrics" -> b.enableNetworkAddressUsageMetrics(AttributeBooleanValue.builder().value(false).build());
            default -> throw Ec2Errors.invalidParameterValue("Value (" + req.attributeAsString() + ") for parameter attribute is invalid. Unknown attribute.");
        }
        return b.build();
    }

    ModifyVpcAttributeResponse modifyVpcAttribute(Call call, ModifyVpcAttributeRequest req) {
        Scope s = st.scope(call);
        Vpc v = vpc(s, req.vpcId());
        boolean support = req.enableDnsSupport() != null ? req.enableDnsSupport().value() : v.dnsSupport();
        boolean hostnames = req.enableDnsHostnames() != null ? req.enableDnsHostnames().value() : v.dnsHostnames();
        st.vpcs.put(s, v.id(), v.withDns(support, hostnames));
        return ModifyVpcAttributeResponse.builder().build();
    }

    Vpc vpc(Scope s, String id) {
        if (id == null) throw Ec2Errors.missingParameter("vpcId");
        Vpc v = st.vpcs.get(s, id);
        if (v == null) throw Ec2Errors.notFound("InvalidVpcID.NotFound", "vpc", id);
        return v;
    }

    software.amazon.awssdk.services.ec2.model.Vpc toSdk(Scope s, Vpc v) {
        var b = software.amazon.awssdk.services.ec2.model.Vpc.builder()
                .vpcId(v.id()).cidrBlock(v.cidr()).isDefault(v.isDefault()).dhcpOptionsId(v.dhcpOptionsId())
                .instanceTenancy(v.tenancy()).ownerId(s.account()).state("available")
                .cidrBlockAssociationSet(VpcCidrBlockAssociation.builder().associationId(v.cidrAssocId()).cidrBlock(v.cidr())
                        .cidrBlockState(VpcCidrBlockState.builder().state("associated").build()).build())
                .tags(st.tags.sdk(s, v.id()));
        if (v.ipv6Cidr() != null) {
            b.ipv6CidrBlockAssociationSet(VpcIpv6CidrBlockAssociation.builder().associationId(v.ipv6AssocId())
                    .ipv6CidrBlock(v.ipv6Cidr()).ipv6CidrBlockState(VpcCidrBlockState.builder().state("associated").build())
                    .networkBorderGroup(s.region()).ipv6Pool("Amazon").build());
        }
        return b.build();
    }

    // ------------------------------------------------------------------ subnets

    CreateSubnetResponse createSubnet(Call call, CreateSubnetRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateSubnet");
        Scope s = st.scope(call);
        Vpc v = vpc(s, req.vpcId());
        if (req.cidrBlock() == null) throw Ec2Errors.missingParameter("cidrBlock");
        Cidr c = Cidr.parse(req.cidrBlock());
        if (c == null) throw Ec2Errors.invalidParameterValue("Value (" + req.cidrBlock() + ") for parameter cidrBlock is invalid. This is not a valid CIDR block.");
        Cidr vc = Cidr.parse(v.cidr());
        c = new Cidr(c.base() & c.mask(), c.prefix());
        // https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html: /16 to /28, inside the VPC
        if (c.prefix() < 16 || c.prefix() > 28 || !vc.contains(c)) {
            throw new AwsException("InvalidSubnet.Range", "The CIDR '" + req.cidrBlock() + "' is invalid.", 400);
        }
        for (Subnet other : st.subnets.values(s)) {
            if (other.vpcId().equals(v.id()) && Cidr.parse(other.cidr()).overlaps(c)) {
                throw new AwsException("InvalidSubnet.Conflict", "The CIDR '" + req.cidrBlock() + "' conflicts with another subnet", 400);
            }
        }
        Catalog.RegionInfo region = st.catalog.region(s.region());
        var zones = region == null ? List.<software.amazon.awssdk.services.ec2.model.AvailabilityZone>of() : region.zones();
        software.amazon.awssdk.services.ec2.model.AvailabilityZone zone;
        if (req.availabilityZone() != null || req.availabilityZoneId() != null) {
            zone = zones.stream().filter(z -> z.zoneName().equals(req.availabilityZone()) || z.zoneId().equals(req.availabilityZoneId()))
                    .findFirst().orElseThrow(() -> Ec2Errors.invalidParameterValue("Value (" + (req.availabilityZone() != null
                            ? req.availabilityZone() : req.availabilityZoneId()) + ") for parameter availabilityZone is invalid. "
                            + "Subnets can currently only be created in the following availability zones: "
                            + String.join(", ", zones.stream().map(z -> z.zoneName()).toList()) + "."));
        } else {
            zone = zones.get(ThreadLocalRandom.current().nextInt(zones.size()));
        }
        String ipv6 = null;
        String ipv6Assoc = null;
        if (req.ipv6CidrBlock() != null) {
            if (v.ipv6Cidr() == null || !req.ipv6CidrBlock().endsWith("/64")
                    || !req.ipv6CidrBlock().startsWith(v.ipv6Cidr().substring(0, v.ipv6Cidr().indexOf("00::/56")))) {
                throw new AwsException("InvalidSubnet.Range", "The IPv6 CIDR '" + req.ipv6CidrBlock() + "' is invalid.", 400);
            }
            ipv6 = req.ipv6CidrBlock();
            ipv6Assoc = Ids.ec2("subnet-cidr-assoc");
        }
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("subnet"));
        String id = Ids.ec2("subnet");
        Subnet n = new Subnet(id, v.id(), c.toString(), zone.zoneName(), zone.zoneId(), false, false, ipv6, ipv6Assoc, false);
        st.subnets.put(s, id, n);
        st.tags.apply(s, req.tagSpecifications(), "subnet", id);
        return CreateSubnetResponse.builder().subnet(toSdk(s, n).toBuilder().state("pending").build()).build();
    }

    DeleteSubnetResponse deleteSubnet(Call call, DeleteSubnetRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteSubnet");
        Scope s = st.scope(call);
        Subnet n = subnet(s, req.subnetId());
        if (st.networkInterfaces.values(s).stream().anyMatch(e -> e.subnetId().equals(n.id()))) {
            throw Ec2Errors.dependencyViolation("The subnet '" + n.id() + "' has dependencies and cannot be deleted.");
        }
        for (RouteTables.Rtb t : List.copyOf(st.routeTables.values(s))) {
            if (t.associations().stream().anyMatch(a -> n.id().equals(a.subnetId()))) {
                st.routeTables.put(s, t.id(), t.withoutAssociationsOf(n.id()));
            }
        }
        st.subnets.remove(s, n.id());
        st.tags.remove(s, n.id());
        return DeleteSubnetResponse.builder().build();
    }

    DescribeSubnetsResponse describeSubnets(Call call, DescribeSubnetsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSubnets");
        Scope s = st.scope(call);
        List<Subnet> all = new ArrayList<>(st.subnets.values(s));
        if (req.hasSubnetIds() && !req.subnetIds().isEmpty()) {
            List<String> missing = req.subnetIds().stream().filter(id -> !st.subnets.contains(s, id)).toList();
            if (!missing.isEmpty()) throw Ec2Errors.notFound("InvalidSubnetID.NotFound", "subnet", missing);
            all.removeIf(n -> !req.subnetIds().contains(n.id()));
        }
        List<Subnet> matched = FilterScope.in(s, () -> subnetFilters.apply(req.filters(), all));
        DescribeSubnetsResponse.Builder b = DescribeSubnetsResponse.builder();
        Pagination.Page<Subnet> page = Paging.page(call, req, matched, Subnet::id, b);
        return b.subnets(page.items().stream().map(n -> toSdk(s, n)).toList()).build();
    }

    ModifySubnetAttributeResponse modifySubnetAttribute(Call call, ModifySubnetAttributeRequest req) {
        Ec2Checks.dryRun(null, "ModifySubnetAttribute");
        Scope s = st.scope(call);
        Subnet n = subnet(s, req.subnetId());
        if (req.mapPublicIpOnLaunch() != null && req.mapPublicIpOnLaunch().value() != null) {
            n = n.withMapPublicIp(req.mapPublicIpOnLaunch().value());
        }
        if (req.assignIpv6AddressOnCreation() != null && req.assignIpv6AddressOnCreation().value() != null) {
            if (req.assignIpv6AddressOnCreation().value() && n.ipv6Cidr() == null) {
                throw Ec2Errors.invalidParameterValue("Invalid value 'true' for assignIpv6AddressOnCreation. Cannot set assignIpv6AddressOnCreation to true unless the subnet (" + n.id() + ") has an IPv6 CIDR block associated with it.");
            }
            n = n.withAssignIpv6(req.assignIpv6AddressOnCreation().value());
        }
        st.subnets.put(s, n.id(), n);
        return ModifySubnetAttributeResponse.builder().build();
    }

    Subnet subnet(Scope s, String id) {
        if (id == null) throw Ec2Errors.missingParameter("subnetId");
        Subnet n = st.subnets.get(s, id);
        if (n == null) throw Ec2Errors.notFound("InvalidSubnetID.NotFound", "subnet", id);
        return n;
    }

    software.amazon.awssdk.services.ec2.model.Subnet toSdk(Scope s, Subnet n) {
        var b = software.amazon.awssdk.services.ec2.model.Subnet.builder()
                .subnetId(n.id()).vpcId(n.vpcId()).cidrBlock(n.cidr()).availabilityZone(n.az()).availabilityZoneId(n.azId())
                .availableIpAddressCount(st.freeAddresses(s, n)).defaultForAz(n.defaultForAz())
                .mapPublicIpOnLaunch(n.mapPublicIpOnLaunch()).state("available").ownerId(s.account())
                .subnetArn(arn(s, n.id())).assignIpv6AddressOnCreation(n.assignIpv6OnCreation())
                .mapCustomerOwnedIpOnLaunch(false).enableDns64(false).ipv6Native(false)
                .tags(st.tags.sdk(s, n.id()));
        if (n.ipv6Cidr() != null) {
            b.ipv6CidrBlockAssociationSet(SubnetIpv6CidrBlockAssociation.builder().associationId(n.ipv6AssocId())
                    .ipv6CidrBlock(n.ipv6Cidr()).ipv6CidrBlockState(SubnetCidrBlockState.builder().state("associated").build()).build());
        }
        return b.build();
    }
}
