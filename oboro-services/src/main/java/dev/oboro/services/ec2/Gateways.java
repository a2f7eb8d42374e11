package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.AttachInternetGatewayRequest;
import software.amazon.awssdk.services.ec2.model.AttachInternetGatewayResponse;
import software.amazon.awssdk.services.ec2.model.CreateInternetGatewayRequest;
import software.amazon.awssdk.services.ec2.model.CreateInternetGatewayResponse;
import software.amazon.awssdk.services.ec2.model.CreateNatGatewayRequest;
import software.amazon.awssdk.services.ec2.model.CreateNatGatewayResponse;
import software.amazon.awssdk.services.ec2.model.DeleteInternetGatewayRequest;
import software.amazon.awssdk.services.ec2.model.DeleteInternetGatewayResponse;
import software.amazon.awssdk.services.ec2.model.DeleteNatGatewayRequest;
import software.amazon.awssdk.services.ec2.model.DeleteNatGatewayResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInternetGatewaysRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInternetGatewaysResponse;
import software.amazon.awssdk.services.ec2.model.DescribeNatGatewaysRequest;
import software.amazon.awssdk.services.ec2.model.DescribeNatGatewaysResponse;
import software.amazon.awssdk.services.ec2.model.DetachInternetGatewayRequest;
import software.amazon.awssdk.services.ec2.model.DetachInternetGatewayResponse;
import software.amazon.awssdk.services.ec2.model.InternetGatewayAttachment;
import software.amazon.awssdk.services.ec2.model.NatGatewayAddress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Internet gateways, and NAT gateways that become {@code available} a while after creation and
 * {@code deleted} a while after deletion, on Oboro's clock.
 */
final class Gateways {
    /** NAT gateway provisioning takes minutes in AWS; Oboro takes this long. */
    static final Duration NAT_PROVISIONING = Duration.ofSeconds(60);
    static final Duration NAT_DELETION = Duration.ofSeconds(30);
    /** Deleted NAT gateways stay visible "for a short while (typically an hour)". */
    static final Duration NAT_VISIBLE_AFTER_DELETE = Duration.ofHours(1);

    record Igw(String id, String vpcId) {
    }

    record Nat(String id, String subnetId, String vpcId, String connectivityType, String allocationId, String eniId,
               String privateIp, String publicIp, String state, Instant createTime, Instant deleteTime, Instant deadline) {
        Nat to(String newState, Instant newDeadline, Instant deleted) {
            return new Nat(id, subnetId, vpcId, connectivityType, allocationId, eniId, privateIp, publicIp, newState, createTime,
                    deleted, newDeadline);
        }
    }

    private final Ec2State st;
    private final Filters<Igw> igwFilters;
    private final Filters<Nat> natFilters;

    Gateways(Ec2State st) {
        this.st = st;
        igwFilters = new Filters<>(Map.<String, Function<Igw, Collection<String>>>of(
                "attachment.state", g -> g.vpcId() == null ? List.of() : List.of("available"),
                "attachment.vpc-id", g -> Vpcs.opt(g.vpcId()),
                "internet-gateway-id", g -> List.of(g.id()),
                "owner-id", g -> List.of(FilterScope.get().account()),
                "tag:", g -> st.tags.pairs(FilterScope.get(), g.id()),
                "tag-key", g -> st.tags.keys(FilterScope.get(), g.id()),
                "tag-value", g -> st.tags.values(FilterScope.get(), g.id())));
        natFilters = new Filters<>(Map.<String, Function<Nat, Collection<String>>>of(
                "nat-gateway-id", n -> List.of(n.id()),
                "state", n -> List.of(n.state()),
                "subnet-id", n -> List.of(n.subnetId()),
                "vpc-id", n -> List.of(n.vpcId()),
                "tag:", n -> st.tags.pairs(FilterScope.get(), n.id()),
                "tag-key", n -> st.tags.keys(FilterScope.get(), n.id()),
                "tag-value", n -> st.tags.values(FilterScope.get(), n.id())));
        for (Scope s : st.natGateways.scopes()) {
            for (Nat n : st.natGateways.values(s)) if (n.deadline() != null) arm(s, n);
        }
    }

    // ------------------------------------------------------------------ internet gateways

    CreateInternetGatewayResponse createInternetGateway(Call call, CreateInternetGatewayRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateInternetGateway");
        Scope s = st.scope(call);
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("internet-gateway"));
        String id = Ids.ec2("igw");
        Igw g = new Igw(id, null);
        st.internetGateways.put(s, id, g);
        st.tags.apply(s, req.tagSpecifications(), "internet-gateway", id);
        return CreateInternetGatewayResponse.builder().internetGateway(toSdk(s, g)).build();
    }

    AttachInternetGatewayResponse attachInternetGateway(Call call, AttachInternetGatewayRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "AttachInternetGateway");
        Scope s = st.scope(call);
        Igw g = igw(s, req.internetGatewayId());
        if (!st.vpcs.contains(s, req.vpcId())) throw Ec2Errors.notFound("InvalidVpcID.NotFound", "vpc", String.valueOf(req.vpcId()));
        if (g.vpcId() != null) {
            throw new AwsException("Resource.AlreadyAssociated", "resource " + g.id() + " is already attached to network " + g.vpcId(), 400);
        }
        for (Igw o : st.internetGateways.values(s)) {
            if (req.vpcId().equals(o.vpcId())) {
                throw new AwsException("Resource.AlreadyAssociated", "resource " + req.vpcId() + " already has an internet gateway attached", 400);
            }
        }
        st.internetGateways.put(s, g.id(), new Igw(g.id(), req.vpcId()));
        return AttachInternetGatewayResponse.builder().build();
    }

    DetachInternetGatewayResponse detachInternetGateway(Call call, DetachInternetGatewayRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DetachInternetGateway");
        Scope s = st.scope(call);
        Igw g = igw(s, req.internetGatewayId());
        if (g.vpcId() == null || !g.vpcId().equals(req.vpcId())) {
            throw new AwsException("Gateway.NotAttached", "resource " + g.id() + " is not attached to network " + req.vpcId(), 400);
        }
        boolean mapped = st.networkInterfaces.values(s).stream().anyMatch(e -> e.vpcId().equals(req.vpcId()) && e.publicIp() != null);
        if (mapped) {
            throw Ec2Errors.dependencyViolation("Network " + req.vpcId() + " has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.");
        }
        st.internetGateways.put(s, g.id(), new Igw(g.id(), null));
        return DetachInternetGatewayResponse.builder().build();
    }

    DeleteInternetGatewayResponse deleteInternetGateway(Call call, DeleteInternetGatewayRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteInternetGateway");
        Scope s = st.scope(call);
        Igw g = igw(s, req.internetGatewayId());
        if (g.vpcId() != null) {
            throw Ec2Errors.dependencyViolation("The internetGateway '" + g.id() + "' has dependencies and cannot be deleted.");
        }
        st.internetGateways.remove(s, g.id());
        st.tags.remove(s, g.id());
        return DeleteInternetGatewayResponse.builder().build();
    }

    DescribeInternetGatewaysResponse describeInternetGateways(Call call, DescribeInternetGatewaysRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeInternetGateways");
        Scope s = st.scope(call);
        List<Igw> all = new ArrayList<>(st.internetGateways.values(s));
        if (req.hasInternetGatewayIds() && !req.internetGatewayIds().isEmpty()) {
            for (String id : req.internetGatewayIds()) igw(s, id);
            all.removeIf(g -> !req.internetGatewayIds().contains(g.id()));
        }
        List<Igw> matched = FilterScope.in(s, () -> igwFilters.apply(req.filters(), all));
        DescribeInternetGatewaysResponse.Builder b = DescribeInternetGatewaysResponse.builder();
        Pagination.Page<Igw> page = Paging.page(call, req, matched, Igw::id, b);
        return b.internetGateways(page.items().stream().map(g -> toSdk(s, g)).toList()).build();
    }

    private Igw igw(Scope s, String id) {
        Igw g = id == null ? null : st.internetGateways.get(s, id);
        if (g == null) throw Ec2Errors.notFound("InvalidInternetGatewayID.NotFound", "internetGateway", String.valueOf(id));
        return g;
    }

    private software.amazon.awssdk.services.ec2.model.InternetGateway toSdk(Scope s, Igw g) {
        return software.amazon.awssdk.services.ec2.model.InternetGateway.builder().internetGatewayId(g.id()).ownerId(s.account())
                .attachments(g.vpcId() == null ? List.of() : List.of(InternetGatewayAttachment.builder().vpcId(g.vpcId()).state("available").build()))
                .tags(st.tags.sdk(s, g.id())).build();
    }

    // ------------------------------------------------------------------ NAT gateways

    CreateNatGatewayResponse createNatGateway(Call call, CreateNatGatewayRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateNatGateway");
        Scope s = st.scope(call);
        Vpcs.Subnet subnet = st.subnets.get(s, req.subnetId());
        if (subnet == null) throw Ec2Errors.notFound("InvalidSubnetID.NotFound", "subnet", String.valueOf(req.subnetId()));
        String type = req.connectivityTypeAsString() == null ? "public" : req.connectivityTypeAsString();
        Addresses.Eip eip = null;
        if (type.equals("public")) {
            if (req.allocationId() == null) throw Ec2Errors.missingParameter("AllocationId");
            eip = st.addresses.get(s, req.allocationId());
            if (eip == null) throw Ec2Errors.notFound("InvalidAllocationID.NotFound", "allocation", req.allocationId());
            if (eip.associationId() != null) {
                throw new AwsException("Resource.AlreadyAssociated", "Elastic IP address [" + eip.allocationId() + "] is already associated", 400);
            }
        }
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("natgateway"));
        String id = "nat-" + Ids.hex(17);
        NetworkInterfaces.Eni eni = NetworkInterfaces.create(st, s, subnet, List.of(), req.privateIpAddress(), 0, 0, null,
                "nat_gateway", "Interface for NAT Gateway " + id, true);
        if (eni == null) {
            throw new AwsException("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '" + subnet.id() + "'.", 400);
        }
        st.networkInterfaces.put(s, eni.id(), eni.attached(null, 0, true, call.now()));
        String publicIp = null;
        if (eip != null) {
            String assoc = Ids.ec2("eipassoc");
            publicIp = eip.publicIp();
            Addresses.Eip a = eip;
            st.networkInterfaces.update(s, eni.id(), e -> e.withPublic(a.publicIp(), a.allocationId(), assoc));
            st.addresses.put(s, a.allocationId(), new Addresses.Eip(a.allocationId(), a.publicIp(), assoc, null, eni.id(), eni.privateIp()));
        }
        Nat n = new Nat(id, subnet.id(), subnet.vpcId(), type, req.allocationId(), eni.id(), eni.privateIp(), publicIp, "pending",
                call.now(), null, call.now().plus(NAT_PROVISIONING));
        st.natGateways.put(s, id, n);
        st.tags.apply(s, req.tagSpecifications(), "natgateway", id);
        arm(s, n);
        return CreateNatGatewayResponse.builder().natGateway(toSdk(s, n)).clientToken(req.clientToken()).build();
    }

    DeleteNatGatewayResponse deleteNatGateway(Call call, DeleteNatGatewayRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteNatGateway");
        Scope s = st.scope(call);
        Nat n = nat(s, req.natGatewayId());
        if (!n.state().equals("deleting") && !n.state().equals("deleted")) {
            Nat d = n.to("deleting", call.now().plus(NAT_DELETION), null);
            st.natGateways.put(s, n.id(), d);
            arm(s, d);
        }
        return DeleteNatGatewayResponse.builder().natGatewayId(n.id()).build();
    }

    DescribeNatGatewaysResponse describeNatGateways(Call call, DescribeNatGatewaysRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeNatGateways");
        Scope s = st.scope(call);
        List<Nat> all = new ArrayList<>(st.natGateways.values(s));
        if (req.hasNatGatewayIds() && !req.natGatewayIds().isEmpty()) {
            for (String id : req.natGatewayIds()) nat(s, id);
            all.removeIf(n -> !req.natGatewayIds().contains(n.id()));
        }
        List<Nat> matched = FilterScope.in(s, () -> natFilters.apply(req.filter(), all));
        DescribeNatGatewaysResponse.Builder b = DescribeNatGatewaysResponse.builder();
        Pagination.Page<Nat> page = Paging.page(call, req, matched, Nat::id, b);
        return b.natGateways(page.items().stream().map(n -> toSdk(s, n)).toList()).build();
    }

    private void arm(Scope s, Nat n) {
        st.oboro.scheduler().schedule(n.deadline(), () -> advance(s, n.id()));
    }

    /** Moves a NAT gateway on when its deadline has passed: pending → available, deleting → deleted → gone. */
    private void advance(Scope s, String id) {
        Nat n = st.natGateways.get(s, id);
        if (n == null || n.deadline() == null || st.oboro.clock().instant().isBefore(n.deadline())) return;
        Instant now = st.oboro.clock().instant();
        switch (n.state()) {
            case "pending" -> st.natGateways.put(s, id, n.to("available", null, null));
            case "deleting" -> {
                NetworkInterfaces.Eni eni = st.networkInterfaces.get(s, n.eniId());
                if (eni != null) NetworkInterfaces.delete(st, s, eni);
                Nat d = n.to("deleted", now.plus(NAT_VISIBLE_AFTER_DELETE), now);
                st.natGateways.put(s, id, d);
                arm(s, d);
            }
            case "deleted" -> {
                st.natGateways.remove(s, id);
                st.tags.remove(s, id);
            }
            default -> {
            }
        }
    }

    private Nat nat(Scope s, String id) {
        Nat n = id == null ? null : st.natGateways.get(s, id);
        if (n == null) throw new AwsException("NatGatewayNotFound", "The Nat Gateway " + id + " was not found", 400);
        return n;
    }

    private software.amazon.awssdk.services.ec2.model.NatGateway toSdk(Scope s, Nat n) {
        return software.amazon.awssdk.services.ec2.model.NatGateway.builder()
                .natGatewayId(n.id()).subnetId(n.subnetId()).vpcId(n.vpcId()).state(n.state()).connectivityType(n.connectivityType())
                .createTime(n.createTime()).deleteTime(n.deleteTime())
                .natGatewayAddresses(NatGatewayAddress.builder().allocationId(n.allocationId()).networkInterfaceId(n.eniId())
                        .privateIp(n.privateIp()).publicIp(n.publicIp()).isPrimary(true)
                        .status(n.state().equals("available") ? "succeeded" : n.state().startsWith("delet") ? "disassociating" : "associating")
                        .build())
                .tags(st.tags.sdk(s, n.id())).build();
    }
}
