package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.AssociateRouteTableRequest;
import software.amazon.awssdk.services.ec2.model.AssociateRouteTableResponse;
import software.amazon.awssdk.services.ec2.model.CreateRouteRequest;
import software.amazon.awssdk.services.ec2.model.CreateRouteResponse;
import software.amazon.awssdk.services.ec2.model.CreateRouteTableRequest;
import software.amazon.awssdk.services.ec2.model.CreateRouteTableResponse;
import software.amazon.awssdk.services.ec2.model.DeleteRouteRequest;
import software.amazon.awssdk.services.ec2.model.DeleteRouteResponse;
import software.amazon.awssdk.services.ec2.model.DeleteRouteTableRequest;
import software.amazon.awssdk.services.ec2.model.DeleteRouteTableResponse;
import software.amazon.awssdk.services.ec2.model.DescribeRouteTablesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeRouteTablesResponse;
import software.amazon.awssdk.services.ec2.model.DisassociateRouteTableRequest;
import software.amazon.awssdk.services.ec2.model.DisassociateRouteTableResponse;
import software.amazon.awssdk.services.ec2.model.ReplaceRouteRequest;
import software.amazon.awssdk.services.ec2.model.ReplaceRouteResponse;
import software.amazon.awssdk.services.ec2.model.ReplaceRouteTableAssociationRequest;
import software.amazon.awssdk.services.ec2.model.ReplaceRouteTableAssociationResponse;
import software.amazon.awssdk.services.ec2.model.RouteTableAssociation;
import software.amazon.awssdk.services.ec2.model.RouteTableAssociationState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** Route tables, their routes and associations; the main table of each VPC. */
final class RouteTables {
    record Route(String destCidr, String destIpv6, String gatewayId, String natGatewayId, String networkInterfaceId,
                 String instanceId, String origin) {
        String dest() {
            return destCidr != null ? destCidr : destIpv6;
        }
    }

    record Assoc(String id, String subnetId, String gatewayId, boolean main) {
    }

    record Rtb(String id, String vpcId, List<Route> routes, List<Assoc> associations) {
        boolean isMain() {
            return associations.stream().anyMatch(Assoc::main);
        }

        Rtb withRoute(Route r) {
            List<Route> n = new ArrayList<>(routes);
            n.add(r);
            return new Rtb(id, vpcId, n, associations);
        }

        Rtb withRoutes(List<Route> rs) {
            return new Rtb(id, vpcId, rs, associations);
        }

        Rtb withAssociations(List<Assoc> as) {
            return new Rtb(id, vpcId, routes, as);
        }

        Assoc association(String assocId) {
            return associations.stream().filter(a -> a.id().equals(assocId)).findFirst().orElseThrow();
        }

        Rtb withoutAssociation(String assocId) {
            return withAssociations(associations.stream().filter(a -> !a.id().equals(assocId)).toList());
        }

        Rtb withoutAssociationsOf(String subnetId) {
            return withAssociations(associations.stream().filter(a -> !subnetId.equals(a.subnetId())).toList());
        }
    }

    private static final RouteTableAssociationState ASSOCIATED = RouteTableAssociationState.builder().state("associated").build();

    private final Ec2State st;
    private final Filters<Rtb> filters;

    RouteTables(Ec2State st) {
        this.st = st;
        filters = new Filters<>(Map.<String, Function<Rtb, Collection<String>>>ofEntries(
                Map.entry("association.route-table-association-id", t -> t.associations().stream().map(Assoc::id).toList()),
                Map.entry("association.route-table-id", t -> t.associations().isEmpty() ? List.of() : List.of(t.id())),
                Map.entry("association.subnet-id", t -> t.associations().stream().map(Assoc::subnetId).filter(Objects::nonNull).toList()),
                Map.entry("association.gateway-id", t -> t.associations().stream().map(Assoc::gatewayId).filter(Objects::nonNull).toList()),
                Map.entry("association.main", t -> List.of(Boolean.toString(t.isMain()))),
                Map.entry("owner-id", t -> List.of(FilterScope.get().account())),
                Map.entry("route-table-id", t -> List.of(t.id())),
                Map.entry("route.destination-cidr-block", t -> t.routes().stream().map(Route::destCidr).filter(Objects::nonNull).toList()),
                Map.entry("route.destination-ipv6-cidr-block", t -> t.routes().stream().map(Route::destIpv6).filter(Objects::nonNull).toList()),
                Map.entry("route.gateway-id", t -> t.routes().stream().map(Route::gatewayId).filter(Objects::nonNull).toList()),
                Map.entry("route.nat-gateway-id", t -> t.routes().stream().map(Route::natGatewayId).filter(Objects::nonNull).toList()),
                Map.entry("route.instance-id", t -> t.routes().stream().map(Route::instanceId).filter(Objects::nonNull).toList()),
                Map.entry("route.network-interface-id", t -> t.routes().stream().map(Route::networkInterfaceId).filter(Objects::nonNull).toList()),
                Map.entry("route.origin", t -> t.routes().stream().map(Route::origin).toList()),
                Map.entry("route.state", t -> t.routes().stream().map(r -> state(FilterScope.get(), t, r)).toList()),
                Map.entry("vpc-id", t -> List.of(t.vpcId())),
                Map.entry("tag:", t -> st.tags.pairs(FilterScope.get(), t.id())),
                Map.entry("tag-key", t -> st.tags.keys(FilterScope.get(), t.id())),
                Map.entry("tag-value", t -> st.tags.values(FilterScope.get(), t.id()))));
    }

    /** The main route table of a new VPC, with its local route. */
    static String createMain(Ec2State st, Scope s, String vpcId, String cidr) {
        String id = Ids.ec2("rtb");
        st.routeTables.put(s, id, new Rtb(id, vpcId, List.of(new Route(cidr, null, "local", null, null, null, "CreateRouteTable")),
                List.of(new Assoc(Ids.ec2("rtbassoc"), null, null, true))));
        return id;
    }

    /** The table that routes a subnet's traffic: its explicit association, else its VPC's main table. */
    static Rtb forSubnet(Ec2State st, Scope s, String subnetId) {
        Vpcs.Subnet n = st.subnets.get(s, subnetId);
        if (n == null) return null;
        Rtb main = null;
        for (Rtb t : st.routeTables.values(s)) {
            if (!t.vpcId().equals(n.vpcId())) continue;
            if (t.associations().stream().anyMatch(a -> subnetId.equals(a.subnetId()))) return t;
            if (t.isMain()) main = t;
        }
        return main;
    }

    /**
     * Whether a subnet sends 0.0.0.0/0 to an available NAT gateway: a Lambda function in a VPC
     * reaches the internet only from such subnets.
     */
    static boolean routesToNatGateway(Ec2State st, Scope s, String subnetId) {
        Rtb t = forSubnet(st, s, subnetId);
        if (t == null) return false;
        for (Route r : t.routes()) {
            if ("0.0.0.0/0".equals(r.destCidr()) && r.natGatewayId() != null) {
                Gateways.Nat nat = st.natGateways.get(s, r.natGatewayId());
                if (nat != null && nat.state().equals("available")) return true;
            }
        }
        return false;
    }

    private String state(Scope s, Rtb t, Route r) {
        if (r.gatewayId() != null && r.gatewayId().startsWith("igw-")) {
            Gateways.Igw g = st.internetGateways.get(s, r.gatewayId());
            return g != null && t.vpcId().equals(g.vpcId()) ? "active" : "blackhole";
        }
        if (r.natGatewayId() != null) {
            Gateways.Nat n = st.natGateways.get(s, r.natGatewayId());
            return n != null && !n.state().startsWith("delet") && !n.state().equals("failed") ? "active" : "blackhole";
        }
        if (r.networkInterfaceId() != null) {
            NetworkInterfaces.Eni e = st.networkInterfaces.get(s, r.networkInterfaceId());
            return e != null && e.attachmentId() != null ? "active" : "blackhole";
        }
        return "active";
    }

    CreateRouteTableResponse createRouteTable(Call call, CreateRouteTableRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateRouteTable");
        Scope s = st.scope(call);
        Vpcs.Vpc v = st.vpcs.get(s, req.vpcId());
        if (v == null) throw Ec2Errors.notFound("InvalidVpcID.NotFound", "vpc", String.valueOf(req.vpcId()));
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("route-table"));
        String id = Ids.ec2("rtb");
        List<Route> routes = new ArrayList<>();
        routes.add(new Route(v.cidr(), null, "local", null, null, null, "CreateRouteTable"));
        if (v.ipv6Cidr() != null) routes.add(new Route(null, v.ipv6Cidr(), "local", null, null, null, "CreateRouteTable"));
        Rtb t = new Rtb(id, v.id(), routes, List.of());
        st.routeTables.put(s, id, t);
        st.tags.apply(s, req.tagSpecifications(), "route-table", id);
        return CreateRouteTableResponse.builder().routeTable(toSdk(s, t)).build();
    }

    DeleteRouteTableResponse deleteRouteTable(Call call, DeleteRouteTableRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteRouteTable");
        Scope s = st.scope(call);
        Rtb t = table(s, req.routeTableId());
        if (!t.associations().isEmpty()) {
            throw Ec2Errors.dependencyViolation("The routeTable '" + t.id() + "' has dependencies and cannot be deleted.");
        }
        st.routeTables.remove(s, t.id());
        st.tags.remove(s, t.id());
        return DeleteRouteTableResponse.builder().build();
    }

    DescribeRouteTablesResponse describeRouteTables(Call call, DescribeRouteTablesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeRouteTables");
        Scope s = st.scope(call);
        List<Rtb> all = new ArrayList<>(st.routeTables.values(s));
        if (req.hasRouteTableIds() && !req.routeTableIds().isEmpty()) {
            for (String id : req.routeTableIds()) table(s, id);
            all.removeIf(t -> !req.routeTableIds().contains(t.id()));
        }
        List<Rtb> matched = FilterScope.in(s, () -> filters.apply(req.filters(), all));
        DescribeRouteTablesResponse.Builder b = DescribeRouteTablesResponse.builder();
        Pagination.Page<Rtb> page = Paging.page(call, req, matched, Rtb::id, b);
        return b.routeTables(page.items().stream().map(t -> toSdk(s, t)).toList()).build();
    }

    CreateRouteResponse createRoute(Call call, CreateRouteRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateRoute");
        Scope s = st.scope(call);
        Rtb t = table(s, req.routeTableId());
        Route r = route(s, t, req.destinationCidrBlock(), req.destinationIpv6CidrBlock(), req.gatewayId(), req.natGatewayId(),
                req.networkInterfaceId(), req.instanceId());
        if (t.routes().stream().anyMatch(e -> e.dest().equals(r.dest()))) {
            throw new AwsException("RouteAlreadyExists", "The route identified by " + r.dest() + " already exists.", 400);
        }
        st.routeTables.put(s, t.id(), t.withRoute(r));
        return CreateRouteResponse.builder().returnValue(true).build();
    }

    ReplaceRouteResponse replaceRoute(Call call, ReplaceRouteRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ReplaceRoute");
        Scope s = st.scope(call);
        Rtb t = table(s, req.routeTableId());
        Route r = route(s, t, req.destinationCidrBlock(), req.destinationIpv6CidrBlock(), req.gatewayId(), req.natGatewayId(),
                req.networkInterfaceId(), req.instanceId());
        List<Route> rs = new ArrayList<>(t.routes());
        rs.set(rs.indexOf(routeTo(t, r.dest())), new Route(r.destCidr(), r.destIpv6(), r.gatewayId(), r.natGatewayId(), r.networkInterfaceId(), r.instanceId(), "CreateRoute"));
        st.routeTables.put(s, t.id(), t.withRoutes(rs));
        return ReplaceRouteResponse.builder().build();
    }

    DeleteRouteResponse deleteRoute(Call call, DeleteRouteRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteRoute");
        Scope s = st.scope(call);
        Rtb t = table(s, req.routeTableId());
        String dest = req.destinationCidrBlock() != null ? req.destinationCidrBlock() : req.destinationIpv6CidrBlock();
        List<Route> rs = new ArrayList<>(t.routes());
        Route found = routeTo(t, dest);
        if ("local".equals(found.gatewayId())) {
            throw new AwsException("InvalidParameterValue", "cannot remove local route " + dest + " in route table " + t.id(), 400);
        }
        rs.remove(found);
        st.routeTables.put(s, t.id(), t.withRoutes(rs));
        return DeleteRouteResponse.builder().build();
    }

    /** The table's route to a destination (routes' destinations are unique in a table). */
    private static Route routeTo(Rtb t, String dest) {
        return t.routes().stream().filter(r -> r.dest().equals(dest)).findFirst().orElseThrow(() ->
                new AwsException("InvalidRoute.NotFound", "no route with destination-cidr-block " + dest + " in route table " + t.id(), 400));
    }

    AssociateRouteTableResponse associateRouteTable(Call call, AssociateRouteTableRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "AssociateRouteTable");
        Scope s = st.scope(call);
        Rtb t = table(s, req.routeTableId());
        if (req.subnetId() != null) {
            Vpcs.Subnet n = st.subnets.get(s, req.subnetId());
            if (n == null) throw Ec2Errors.notFound("InvalidSubnetID.NotFound", "subnet", req.subnetId());
            if (!n.vpcId().equals(t.vpcId())) {
                throw Ec2Errors.invalidParameterValue("Route table " + t.id() + " and subnet " + n.id() + " belong to different networks");
            }
            for (Rtb o : st.routeTables.values(s)) {
                if (o.associations().stream().anyMatch(a -> n.id().equals(a.subnetId()))) {
                    throw new AwsException("Resource.AlreadyAssociated", "the specified association for route table " + o.id()
                            + " conflicts with an existing association", 400);
                }
            }
        }
        String assocId = Ids.ec2("rtbassoc");
        List<Assoc> as = new ArrayList<>(t.associations());
        as.add(new Assoc(assocId, req.subnetId(), req.gatewayId(), false));
        st.routeTables.put(s, t.id(), t.withAssociations(as));
        return AssociateRouteTableResponse.builder().associationId(assocId)
                .associationState(ASSOCIATED).build();
    }

    DisassociateRouteTableResponse disassociateRouteTable(Call call, DisassociateRouteTableRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DisassociateRouteTable");
        Scope s = st.scope(call);
        Rtb t = byAssociation(s, req.associationId());
        Assoc a = t.association(req.associationId());
        if (a.main()) throw Ec2Errors.invalidParameterValue("cannot disassociate the main route table association " + a.id());
        st.routeTables.put(s, t.id(), t.withoutAssociation(a.id()));
        return DisassociateRouteTableResponse.builder().build();
    }

    ReplaceRouteTableAssociationResponse replaceRouteTableAssociation(Call call, ReplaceRouteTableAssociationRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ReplaceRouteTableAssociation");
        Scope s = st.scope(call);
        Rtb from = byAssociation(s, req.associationId());
        Rtb to = table(s, req.routeTableId());
        Assoc a = from.association(req.associationId());
        String newId = Ids.ec2("rtbassoc");
        st.routeTables.put(s, from.id(), from.withoutAssociation(a.id()));
        Rtb target = st.routeTables.get(s, to.id());
        List<Assoc> as = new ArrayList<>(target.associations());
        as.add(new Assoc(newId, a.subnetId(), a.gatewayId(), a.main()));
        st.routeTables.put(s, to.id(), target.withAssociations(as));
        return ReplaceRouteTableAssociationResponse.builder().newAssociationId(newId)
                .associationState(ASSOCIATED).build();
    }

    private Rtb byAssociation(Scope s, String assocId) {
        for (Rtb t : st.routeTables.values(s)) {
            if (t.associations().stream().anyMatch(a -> a.id().equals(assocId))) return t;
        }
        throw new AwsException("InvalidAssociationID.NotFound", "The association ID '" + assocId + "' does not exist", 400);
    }

    private Route route(Scope s, Rtb t, String cidr, String ipv6, String gatewayId, String natId, String eniId, String instanceId) {
        if (cidr == null && ipv6 == null) throw Ec2Errors.missingParameter("destinationCidrBlock");
        if (cidr != null && Cidr.parse(cidr) == null) {
            throw Ec2Errors.invalidParameterValue("Value (" + cidr + ") for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.");
        }
        int targets = (gatewayId != null ? 1 : 0) + (natId != null ? 1 : 0) + (eniId != null ? 1 : 0) + (instanceId != null ? 1 : 0);
        if (targets != 1) {
            throw Ec2Errors.invalidParameterCombination("The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId or instanceId");
        }
        if (gatewayId != null) {
            Gateways.Igw g = st.internetGateways.get(s, gatewayId);
            if (g == null) throw Ec2Errors.notFound("InvalidGatewayID.NotFound", "gateway", gatewayId);
            if (!t.vpcId().equals(g.vpcId())) {
                throw Ec2Errors.invalidParameterValue("route table " + t.id() + " and network gateway " + gatewayId + " belong to different networks");
            }
        }
        if (natId != null && !st.natGateways.contains(s, natId)) {
            throw new AwsException("NatGatewayNotFound", "The Nat Gateway " + natId + " was not found", 400);
        }
        if (eniId != null && !st.networkInterfaces.contains(s, eniId)) {
            throw Ec2Errors.notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", eniId);
        }
        if (instanceId != null) {
            Instances.Inst i = st.instances.get(s, instanceId);
            if (i == null) throw Ec2Errors.notFound("InvalidInstanceID.NotFound", "instance", instanceId);
            eniId = i.eniIds().get(0);
        }
        return new Route(cidr, ipv6, gatewayId, natId, eniId, instanceId, "CreateRoute");
    }

    Rtb table(Scope s, String id) {
        Rtb t = id == null ? null : st.routeTables.get(s, id);
        if (t == null) throw Ec2Errors.notFound("InvalidRouteTableID.NotFound", "routeTable", String.valueOf(id));
        return t;
    }

    software.amazon.awssdk.services.ec2.model.RouteTable toSdk(Scope s, Rtb t) {
        return software.amazon.awssdk.services.ec2.model.RouteTable.builder()
                .routeTableId(t.id()).vpcId(t.vpcId()).ownerId(s.account())
                .routes(t.routes().stream().map(r -> software.amazon.awssdk.services.ec2.model.Route.builder()
                        .destinationCidrBlock(r.destCidr()).destinationIpv6CidrBlock(r.destIpv6()).gatewayId(r.gatewayId())
                        .natGatewayId(r.natGatewayId()).networkInterfaceId(r.networkInterfaceId()).instanceId(r.instanceId())
                        .instanceOwnerId(r.instanceId() == null ? null : s.account())
                        .origin(r.origin()).state(state(s, t, r)).build()).toList())
                .associations(t.associations().stream().map(a -> RouteTableAssociation.builder()
                        .routeTableAssociationId(a.id()).routeTableId(t.id()).subnetId(a.subnetId()).gatewayId(a.gatewayId())
                        .main(a.main()).associationState(ASSOCIATED).build()).toList())
                .propagatingVgws(List.of())
                .tags(st.tags.sdk(s, t.id())).build();
    }
}
