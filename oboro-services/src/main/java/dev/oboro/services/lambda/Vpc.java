package dev.oboro.services.lambda;

import dev.oboro.core.Call;
import dev.oboro.core.Identity;
import dev.oboro.core.Ids;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.services.iam.Permissions;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.CreateNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.CreateNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.DeleteNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInternetGatewaysRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInternetGatewaysResponse;
import software.amazon.awssdk.services.ec2.model.DescribeNatGatewaysRequest;
import software.amazon.awssdk.services.ec2.model.DescribeNatGatewaysResponse;
import software.amazon.awssdk.services.ec2.model.DescribeRouteTablesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeRouteTablesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.NatGateway;
import software.amazon.awssdk.services.ec2.model.Route;
import software.amazon.awssdk.services.ec2.model.RouteTable;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.VpcConfig;
import software.amazon.awssdk.services.lambda.model.VpcConfigResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Functions in a VPC. {@code VpcConfig} is checked against EC2 (through its own
 * {@code DescribeSubnets}/{@code DescribeSecurityGroups}); the function gets one Hyperplane ENI per
 * subnet and security-group combination, created through EC2's {@code CreateNetworkInterface} as
 * {@code lambda.amazonaws.com} (interface type {@code lambda}, requester-managed) and shared, as in
 * AWS, by every function of the account with the same combination. A function attaching to a VPC
 * stays {@code Pending} (or its update {@code InProgress}) for {@link #ATTACH_DELAY} of Oboro's
 * clock, at the end of which Lambda makes the ENIs it lacks; if EC2 refuses one, the function is
 * {@code Failed} (its update {@code Failed}) with the matching StateReasonCode. An ENI no function or version uses any more is deleted {@link #RELEASE_DELAY} later
 * (Lambda releases them lazily); the deadline is in the record, so a restart re-arms it.
 *
 * <p>Egress: {@link #refusal} decides, at connection time, whether a function in a VPC may reach
 * the internet: every one of its subnets must route {@code 0.0.0.0/0} to an available public NAT
 * gateway that itself sits in a subnet routing to an attached internet gateway (an internet gateway
 * route is not enough: Lambda's ENIs have no public address), and one of its security groups must
 * allow egress to {@code 0.0.0.0/0} on the port.
 */
final class Vpc {
    private static final Logger LOG = Logger.getLogger(Vpc.class.getName());
    static final String SERVICE = "lambda.amazonaws.com";
    /** How long creating a function's network interfaces keeps it Pending; AWS takes tens of seconds to minutes. */
    static final Duration ATTACH_DELAY = Duration.ofSeconds(2);
    /** How long an unused Hyperplane ENI lingers before Lambda deletes it. */
    static final Duration RELEASE_DELAY = Duration.ofMinutes(20);

    /** A Hyperplane ENI of one subnet and security-group combination. Id {@code subnet|sg-a,sg-b}. */
    record HyperplaneEni(String subnetId, List<String> groupIds, String vpcId, String eniId, String createdFor, Instant releaseAt) {
        HyperplaneEni releasingAt(Instant at) {
            return new HyperplaneEni(subnetId, groupIds, vpcId, eniId, createdFor, at);
        }
    }

    private final LambdaState state;
    final Table<HyperplaneEni> enis;

    Vpc(LambdaState state) {
        this.state = state;
        this.enis = state.oboro.store().table("lambda.enis", HyperplaneEni.class);
        for (Scope s : enis.scopes()) {
            for (HyperplaneEni e : enis.values(s)) if (e.releaseAt() != null) arm(s, e.releaseAt());
        }
        for (Scope s : state.functions.scopes()) {
            for (LambdaState.LambdaFunction f : state.functions.values(s)) arm(s, f.name(), f.network());
        }
    }

    private Call asLambda(Scope scope) {
        return new Call(state.oboro, "lambda", null, scope.region(), Identity.service(scope.account(), SERVICE), Ids.requestId(),
                "127.0.0.1", SERVICE);
    }

    private <R> R ec2(Scope scope, software.amazon.awssdk.core.SdkRequest request) {
        return state.oboro.services().call(asLambda(scope), "ec2", (software.amazon.awssdk.core.SdkPojo) request);
    }

    // ================================================================== configuration

    /**
     * Checks a requested VpcConfig and returns it as Lambda reports it (with the VPC id), or null
     * when none was requested. Empty lists detach the function ({@code VpcId} "").
     */
    VpcConfigResponse check(Call call, VpcConfig req, String role) {
        if (req == null) return null;
        List<String> subnets = req.hasSubnetIds() ? List.copyOf(new LinkedHashSet<>(req.subnetIds())) : List.of();
        List<String> groups = req.hasSecurityGroupIds() ? List.copyOf(new LinkedHashSet<>(req.securityGroupIds())) : List.of();
        VpcConfigResponse.Builder b = VpcConfigResponse.builder().subnetIds(subnets).securityGroupIds(groups)
                .ipv6AllowedForDualStack(Boolean.TRUE.equals(req.ipv6AllowedForDualStack()));
        if (subnets.isEmpty() && groups.isEmpty()) {
            if (Boolean.TRUE.equals(req.ipv6AllowedForDualStack())) { // quoted in aws-cloudformation/cloudformation-coverage-roadmap#2061
                throw new AwsException("InvalidParameterValueException", "Ipv6AllowedForDualStack cannot be true without subnet or "
                        + "security groups. Please remove Ipv6AllowedForDualStack value from your request and try again.");
            }
            return b.vpcId("").build();
        }
        if (subnets.isEmpty() || groups.isEmpty()) {
            throw new AwsException("InvalidParameterValueException", "SubnetIds and SecurityIds must coexist or be both empty list.");
        }
        checkRolePermissions(role);
        Scope scope = call.scope();
        DescribeSubnetsResponse sn = describe(scope, "DescribeSubnets", DescribeSubnetsRequest.builder().subnetIds(subnets).build());
        DescribeSecurityGroupsResponse sg = describe(scope, "DescribeSecurityGroups",
                DescribeSecurityGroupsRequest.builder().groupIds(groups).build());
        Set<String> vpcs = new HashSet<>();
        sn.subnets().forEach(s -> vpcs.add(s.vpcId()));
        sg.securityGroups().forEach(g -> vpcs.add(g.vpcId()));
        if (vpcs.size() != 1) {
            // AWS's wording, quoted from real refusals (smoketurner/serverless-vpc-plugin#765, one security group and
            // subnets of another VPC); the case of subnets alone in different VPCs is worded alike here, unconfirmed
            throw new AwsException("InvalidParameterValueException", "Security Groups are required to be in the same VPC");
        }
        if (Boolean.TRUE.equals(req.ipv6AllowedForDualStack())) {
            List<String> v4only = sn.subnets().stream().filter(s -> !s.hasIpv6CidrBlockAssociationSet() || s.ipv6CidrBlockAssociationSet().isEmpty())
                    .map(Subnet::subnetId).toList();
            if (!v4only.isEmpty()) {
                throw new AwsException("InvalidParameterValueException", "Function can't be configured for dual-stack because the following subnets "
                        + "do not have IPv6 CIDR blocks: " + v4only + ".");
            }
        }
        return b.vpcId(vpcs.iterator().next()).build();
    }

    /** What the execution role of a VPC function must be allowed, in the order AWS checks them. */
    static final List<String> ROLE_ACTIONS = List.of("CreateNetworkInterface", "DescribeNetworkInterfaces", "DeleteNetworkInterface");

    /**
     * Lambda refuses a VPC configuration whose execution role may not manage network interfaces
     * (its identity policies, through IAM's {@link Permissions} door), naming the first action missing.
     */
    private void checkRolePermissions(String role) {
        if (role == null || !state.oboro.services().has("iam")) return;
        Permissions permissions = Permissions.of(state.oboro);
        for (String action : ROLE_ACTIONS) {
            if (!permissions.evaluate(role, "ec2:" + action, "*", Map.of()).allowed()) {
                throw new AwsException("InvalidParameterValueException",
                        "The provided execution role does not have permissions to call " + action + " on EC2");
            }
        }
    }

    /** An EC2 lookup for Lambda: EC2's refusal becomes Lambda's InvalidParameterValueException naming it, as AWS words it. */
    private <R> R describe(Scope scope, String operation, software.amazon.awssdk.core.SdkRequest request) {
        try {
            return ec2(scope, request);
        } catch (AwsException e) {
            throw new AwsException("InvalidParameterValueException", "Error occurred while " + operation + ". EC2 Error Code: " + e.code()
                    + ". EC2 Error Message: " + e.getMessage());
        }
    }

    static boolean attached(VpcConfigResponse v) {
        return v != null && v.hasSubnetIds() && !v.subnetIds().isEmpty();
    }

    /** Whether a change of configuration attaches the function to a (different) VPC network. */
    static boolean attaching(VpcConfigResponse before, VpcConfigResponse after) {
        if (!attached(after)) return false;
        return !attached(before) || !keys(before).equals(keys(after));
    }

    private static Set<String> keys(VpcConfigResponse v) {
        Set<String> out = new LinkedHashSet<>();
        if (!attached(v)) return out;
        String groups = String.join(",", v.securityGroupIds().stream().sorted().toList());
        for (String s : v.subnetIds()) out.add(s + "|" + groups);
        return out;
    }

    // ================================================================== network interfaces

    /**
     * What the network of a configuration needs: null outside a VPC; ready when the account already has an ENI for
     * each of its subnet and security-group combinations (kept from release); else ENIs to make at {@code at}, the
     * end of the Pending state or of the update.
     */
    LambdaState.Network plan(Scope scope, VpcConfigResponse v, Instant at) {
        if (!attached(v)) return null;
        boolean all = true;
        for (String key : keys(v)) {
            HyperplaneEni have = enis.get(scope, key);
            if (have == null) all = false;
            else if (have.releaseAt() != null) enis.put(scope, key, have.releasingAt(null));
        }
        return all ? LambdaState.Network.READY : LambdaState.Network.due(at);
    }

    /** Arms the making of a function's ENIs at their due time (from the record, so a restart re-arms it). */
    void arm(Scope scope, String function, LambdaState.Network n) {
        if (n == null || n.dueAt() == null) return;
        state.oboro.scheduler().schedule(n.dueAt(), () -> {
            try {
                settle(scope, function);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "making the Lambda ENIs of " + function + " failed", e);
            }
        });
    }

    /**
     * Makes the ENIs a function's configuration lacks, through EC2 as Lambda, when they fall due. When EC2 refuses
     * (the subnet ran out of addresses, or the subnet or a security group is gone), the function records why, as
     * the StateReasonCode AWS reports: creation Failed, or an update's LastUpdateStatus Failed.
     */
    private void settle(Scope scope, String function) {
        LambdaState.LambdaFunction f = state.functions.get(scope, function);
        if (f == null || !f.attaching() || state.oboro.clock().instant().isBefore(f.network().dueAt())) return;
        VpcConfigResponse v = f.configuration().vpcConfig();
        LambdaState.Network result = LambdaState.Network.READY;
        if (attached(v)) {
            List<String> groups = v.securityGroupIds().stream().sorted().toList();
            for (String subnet : v.subnetIds()) {
                String key = subnet + "|" + String.join(",", groups);
                HyperplaneEni have = enis.get(scope, key);
                if (have != null) {
                    if (have.releaseAt() != null) enis.put(scope, key, have.releasingAt(null));
                    continue;
                }
                try {
                    CreateNetworkInterfaceResponse r = ec2(scope, CreateNetworkInterfaceRequest.builder().subnetId(subnet).groups(groups)
                            .interfaceType("lambda").description("AWS Lambda VPC ENI-" + function + "-" + Ids.uuid()).build());
                    enis.put(scope, key, new HyperplaneEni(subnet, groups, v.vpcId(), r.networkInterface().networkInterfaceId(), function, null));
                } catch (AwsException e) {
                    result = failure(e);
                    break;
                }
            }
        }
        LambdaState.Network expected = f.network();
        LambdaState.Network outcome = result;
        state.functions.update(scope, function, old -> old == null || !expected.equals(old.network()) ? old : old.withNetwork(outcome));
        if (outcome.failureCode() != null) release(scope);
    }

    /** EC2's refusal to make an ENI as the StateReasonCode and reason Lambda reports. */
    static LambdaState.Network failure(AwsException e) {
        return switch (e.code()) {
            case "InsufficientFreeAddressesInSubnet" -> new LambdaState.Network(null, "SubnetOutOfIPAddresses",
                    "Lambda couldn't set up VPC access for the Lambda function because one or more configured subnets has no available IP addresses.");
            case "InvalidSubnetID.NotFound" -> new LambdaState.Network(null, "InvalidSubnet",
                    "The subnet ID provided in the Lambda function VPC configuration is not valid. " + e.getMessage());
            case "InvalidGroup.NotFound" -> new LambdaState.Network(null, "InvalidSecurityGroup",
                    "The security group ID provided in the Lambda function VPC configuration is not valid. " + e.getMessage());
            default -> new LambdaState.Network(null, "InternalError", "Lambda couldn't create the function's network interfaces. " + e.getMessage());
        };
    }

    /** Schedules the deletion of the ENIs no function or version of the account uses any more. */
    void release(Scope scope) {
        Set<String> used = inUse(scope, false);
        Instant at = state.oboro.clock().instant().plus(RELEASE_DELAY);
        for (Map.Entry<String, HyperplaneEni> e : Map.copyOf(enis.entries(scope)).entrySet()) {
            if (!used.contains(e.getKey()) && e.getValue().releaseAt() == null) {
                enis.put(scope, e.getKey(), e.getValue().releasingAt(at));
                arm(scope, at);
            }
        }
    }

    private void arm(Scope scope, Instant at) {
        state.oboro.scheduler().schedule(at, () -> {
            try {
                sweep(scope);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "sweeping Lambda ENIs failed", e);
            }
        });
    }

    private void sweep(Scope scope) {
        Set<String> used = inUse(scope, true);
        Instant now = state.oboro.clock().instant();
        for (Map.Entry<String, HyperplaneEni> e : Map.copyOf(enis.entries(scope)).entrySet()) {
            HyperplaneEni eni = e.getValue();
            if (eni.releaseAt() == null || now.isBefore(eni.releaseAt())) continue;
            if (used.contains(e.getKey())) {
                enis.put(scope, e.getKey(), eni.releasingAt(null));
                continue;
            }
            try {
                ec2(scope, DeleteNetworkInterfaceRequest.builder().networkInterfaceId(eni.eniId()).build());
            } catch (AwsException ex) {
                if (!ex.code().equals("InvalidNetworkInterfaceID.NotFound")) {
                    LOG.log(Level.WARNING, "could not delete Lambda ENI " + eni.eniId() + ": " + ex.getMessage());
                }
            }
            enis.remove(scope, e.getKey());
        }
    }

    /**
     * The subnet|groups combinations that $LATEST or a published version uses, and with
     * {@code duringUpdates} the configuration before an update still in progress (it still runs invocations).
     */
    private Set<String> inUse(Scope scope, boolean duringUpdates) {
        Set<String> used = new HashSet<>();
        Instant now = state.oboro.clock().instant();
        for (LambdaState.LambdaFunction f : state.functions.values(scope)) {
            // a configuration whose ENIs could not all be made leaves the ones that were made to be released
            if (!f.failed(now) && !f.updateFailed()) used.addAll(keys(f.configuration().vpcConfig()));
            if (f.previous() != null && (f.updateFailed() || (duringUpdates && f.updating(now)))) used.addAll(keys(f.previous().vpcConfig()));
        }
        for (LambdaState.FunctionVersion v : state.versions.values(scope)) used.addAll(keys(v.configuration().vpcConfig()));
        return used;
    }

    // ================================================================== egress

    /**
     * Why a VPC function may not open a connection to an internet host on {@code port} now, or null
     * when it may. Read from EC2's current route tables, NAT gateways and security groups.
     */
    String refusal(Scope scope, FunctionConfiguration c, int port) {
        VpcConfigResponse v = c.vpcConfig();
        if (!attached(v)) return null;
        try {
            for (String subnet : v.subnetIds()) {
                String why = noNatRoute(scope, v.vpcId(), subnet);
                if (why != null) return why;
            }
            DescribeSecurityGroupsResponse groups = ec2(scope, DescribeSecurityGroupsRequest.builder().groupIds(v.securityGroupIds()).build());
            for (SecurityGroup g : groups.securityGroups()) {
                for (IpPermission p : g.ipPermissionsEgress()) {
                    boolean proto = "-1".equals(p.ipProtocol()) || ("tcp".equals(p.ipProtocol()) && p.fromPort() != null && p.toPort() != null
                            && p.fromPort() <= port && port <= p.toPort());
                    if (proto && p.ipRanges().stream().anyMatch(r -> "0.0.0.0/0".equals(r.cidrIp()))) return null;
                }
            }
            return "no security group of the function (" + String.join(", ", v.securityGroupIds())
                    + ") allows egress to 0.0.0.0/0 on TCP port " + port;
        } catch (AwsException e) {
            return "the function's network could not be read from EC2: " + e.getMessage();
        }
    }

    private String noNatRoute(Scope scope, String vpcId, String subnet) {
        Route r = defaultRoute(scope, vpcId, subnet);
        if (r == null) return "subnet " + subnet + " has no route to 0.0.0.0/0";
        if (r.natGatewayId() == null) {
            return r.gatewayId() != null && r.gatewayId().startsWith("igw-")
                    ? "subnet " + subnet + " routes 0.0.0.0/0 to internet gateway " + r.gatewayId()
                    + ", but Lambda's network interfaces have no public IP address: route through a NAT gateway"
                    : "subnet " + subnet + " does not route 0.0.0.0/0 to a NAT gateway";
        }
        DescribeNatGatewaysResponse nats = ec2(scope, DescribeNatGatewaysRequest.builder().natGatewayIds(r.natGatewayId()).build());
        NatGateway nat = nats.natGateways().isEmpty() ? null : nats.natGateways().get(0);
        if (nat == null || !"available".equals(nat.stateAsString())) {
            return "NAT gateway " + r.natGatewayId() + " of subnet " + subnet + " is not available";
        }
        if (!"public".equals(nat.connectivityTypeAsString())) return "NAT gateway " + nat.natGatewayId() + " is private";
        Route out = defaultRoute(scope, vpcId, nat.subnetId());
        if (out == null || out.gatewayId() == null || !out.gatewayId().startsWith("igw-")) {
            return "the subnet " + nat.subnetId() + " of NAT gateway " + nat.natGatewayId() + " does not route 0.0.0.0/0 to an internet gateway";
        }
        DescribeInternetGatewaysResponse igw = ec2(scope, DescribeInternetGatewaysRequest.builder()
                .filters(Filter.builder().name("internet-gateway-id").values(out.gatewayId()).build(),
                        Filter.builder().name("attachment.vpc-id").values(vpcId).build()).build());
        if (igw.internetGateways().isEmpty()) return "internet gateway " + out.gatewayId() + " is not attached to " + vpcId;
        return null;
    }

    /** The active 0.0.0.0/0 route of a subnet: from its associated route table, else its VPC's main table. */
    private Route defaultRoute(Scope scope, String vpcId, String subnet) {
        DescribeRouteTablesResponse own = ec2(scope, DescribeRouteTablesRequest.builder()
                .filters(Filter.builder().name("association.subnet-id").values(subnet).build()).build());
        List<RouteTable> tables = new ArrayList<>(own.routeTables());
        if (tables.isEmpty()) {
            DescribeRouteTablesResponse main = ec2(scope, DescribeRouteTablesRequest.builder()
                    .filters(Filter.builder().name("vpc-id").values(vpcId).build(),
                            Filter.builder().name("association.main").values("true").build()).build());
            tables.addAll(main.routeTables());
        }
        for (RouteTable t : tables) {
            for (Route r : t.routes()) {
                if ("0.0.0.0/0".equals(r.destinationCidrBlock()) && "active".equals(r.stateAsString())) return r;
            }
        }
        return null;
    }
}
