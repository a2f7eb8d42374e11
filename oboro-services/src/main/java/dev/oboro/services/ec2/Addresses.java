package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.AllocateAddressRequest;
import software.amazon.awssdk.services.ec2.model.AllocateAddressResponse;
import software.amazon.awssdk.services.ec2.model.AssociateAddressRequest;
import software.amazon.awssdk.services.ec2.model.AssociateAddressResponse;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesResponse;
import software.amazon.awssdk.services.ec2.model.DisassociateAddressRequest;
import software.amazon.awssdk.services.ec2.model.DisassociateAddressResponse;
import software.amazon.awssdk.services.ec2.model.ReleaseAddressRequest;
import software.amazon.awssdk.services.ec2.model.ReleaseAddressResponse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Elastic IP addresses. */
final class Addresses {
    record Eip(String allocationId, String publicIp, String associationId, String instanceId, String eniId, String privateIp) {
        Eip disassociated() {
            return new Eip(allocationId, publicIp, null, null, null, null);
        }
    }

    private final Ec2State st;
    private final Filters<Eip> filters;

    Addresses(Ec2State st) {
        this.st = st;
        filters = new Filters<>(Map.<String, Function<Eip, Collection<String>>>ofEntries(
                Map.entry("allocation-id", a -> List.of(a.allocationId())),
                Map.entry("association-id", a -> Vpcs.opt(a.associationId())),
                Map.entry("domain", a -> List.of("vpc")),
                Map.entry("instance-id", a -> Vpcs.opt(a.instanceId())),
                Map.entry("network-border-group", a -> List.of(FilterScope.get().region())),
                Map.entry("network-interface-id", a -> Vpcs.opt(a.eniId())),
                Map.entry("network-interface-owner-id", a -> a.eniId() == null ? List.of() : List.of(FilterScope.get().account())),
                Map.entry("private-ip-address", a -> Vpcs.opt(a.privateIp())),
                Map.entry("public-ip", a -> List.of(a.publicIp())),
                Map.entry("tag:", a -> st.tags.pairs(FilterScope.get(), a.allocationId())),
                Map.entry("tag-key", a -> st.tags.keys(FilterScope.get(), a.allocationId())),
                Map.entry("tag-value", a -> st.tags.values(FilterScope.get(), a.allocationId()))));
    }

    AllocateAddressResponse allocateAddress(Call call, AllocateAddressRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "AllocateAddress");
        Scope s = st.scope(call);
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("elastic-ip"));
        String id = Ids.ec2("eipalloc");
        Eip a = new Eip(id, st.newPublicIp(), null, null, null, null);
        st.addresses.put(s, id, a);
        st.tags.apply(s, req.tagSpecifications(), "elastic-ip", id);
        return AllocateAddressResponse.builder().allocationId(id).publicIp(a.publicIp()).domain("vpc")
                .publicIpv4Pool("amazon").networkBorderGroup(s.region()).build();
    }

    AssociateAddressResponse associateAddress(Call call, AssociateAddressRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "AssociateAddress");
        Scope s = st.scope(call);
        Eip a = find(s, req.allocationId(), req.publicIp());
        NetworkInterfaces.Eni eni;
        String instanceId = null;
        if (req.networkInterfaceId() != null) {
            eni = st.networkInterfaces.get(s, req.networkInterfaceId());
            if (eni == null) throw Ec2Errors.notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", req.networkInterfaceId());
            instanceId = eni.instanceId();
        } else if (req.instanceId() != null) {
            Instances.Inst i = st.instances.get(s, req.instanceId());
            if (i == null || i.state().equals("terminated")) throw Ec2Errors.notFound("InvalidInstanceID.NotFound", "instance", req.instanceId());
            if (!i.state().equals("running") && !i.state().equals("stopped")) {
                throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in a valid state for this operation.");
            }
            eni = st.networkInterfaces.get(s, i.eniIds().get(0));
            instanceId = i.id();
        } else {
            throw Ec2Errors.missingParameter("instanceId or networkInterfaceId");
        }
        String vpcId = eni.vpcId();
        if (st.internetGateways.values(s).stream().noneMatch(g -> vpcId.equals(g.vpcId()))) {
            throw new AwsException("Gateway.NotAttached", "Network " + vpcId + " is not attached to any internet gateway", 400);
        }
        if (a.associationId() != null && !Boolean.TRUE.equals(req.allowReassociation())) {
            throw new AwsException("Resource.AlreadyAssociated", "resource " + a.allocationId()
                    + " is already associated with associate-id " + a.associationId(), 400);
        }
        if (a.eniId() != null) {
            st.networkInterfaces.update(s, a.eniId(), e -> e == null ? null : e.withPublic(null, null, null));
        }
        if (eni.allocationId() != null && !eni.allocationId().equals(a.allocationId())) {
            st.addresses.update(s, eni.allocationId(), o -> o == null ? null : o.disassociated());
        }
        String assoc = Ids.ec2("eipassoc");
        st.networkInterfaces.put(s, eni.id(), st.networkInterfaces.get(s, eni.id()).withPublic(a.publicIp(), a.allocationId(), assoc));
        st.addresses.put(s, a.allocationId(), new Eip(a.allocationId(), a.publicIp(), assoc, instanceId, eni.id(),
                req.privateIpAddress() != null ? req.privateIpAddress() : eni.privateIp()));
        return AssociateAddressResponse.builder().associationId(assoc).build();
    }

    DisassociateAddressResponse disassociateAddress(Call call, DisassociateAddressRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DisassociateAddress");
        Scope s = st.scope(call);
        Eip a = st.addresses.values(s).stream().filter(x -> (req.associationId() != null && req.associationId().equals(x.associationId()))
                || (req.publicIp() != null && req.publicIp().equals(x.publicIp()) && x.associationId() != null)).findFirst()
                .orElseThrow(() -> new AwsException("InvalidAssociationID.NotFound", "The association ID '"
                        + (req.associationId() != null ? req.associationId() : req.publicIp()) + "' does not exist", 400));
        disassociate(st, s, a);
        return DisassociateAddressResponse.builder().build();
    }

    static void disassociate(Ec2State st, Scope s, Eip a) {
        if (a.eniId() != null) st.networkInterfaces.update(s, a.eniId(), e -> e == null ? null : e.withPublic(null, null, null));
        st.addresses.put(s, a.allocationId(), a.disassociated());
    }

    ReleaseAddressResponse releaseAddress(Call call, ReleaseAddressRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ReleaseAddress");
        Scope s = st.scope(call);
        Eip a = find(s, req.allocationId(), req.publicIp());
        if (a.associationId() != null) {
            throw new AwsException("InvalidIPAddress.InUse", "Address " + a.allocationId() + " is in use.", 400);
        }
        st.addresses.remove(s, a.allocationId());
        st.tags.remove(s, a.allocationId());
        return ReleaseAddressResponse.builder().build();
    }

    DescribeAddressesResponse describeAddresses(Call call, DescribeAddressesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeAddresses");
        Scope s = st.scope(call);
        List<Eip> all = new ArrayList<>(st.addresses.values(s));
        if (req.hasAllocationIds() && !req.allocationIds().isEmpty()) {
            for (String id : req.allocationIds()) find(s, id, null);
            all.removeIf(a -> !req.allocationIds().contains(a.allocationId()));
        }
        if (req.hasPublicIps() && !req.publicIps().isEmpty()) {
            for (String ip : req.publicIps()) find(s, null, ip);
            all.removeIf(a -> !req.publicIps().contains(a.publicIp()));
        }
        List<Eip> matched = FilterScope.in(s, () -> filters.apply(req.filters(), all));
        return DescribeAddressesResponse.builder().addresses(matched.stream().map(a -> software.amazon.awssdk.services.ec2.model.Address.builder()
                .allocationId(a.allocationId()).publicIp(a.publicIp()).associationId(a.associationId()).instanceId(a.instanceId())
                .networkInterfaceId(a.eniId()).networkInterfaceOwnerId(a.eniId() == null ? null : s.account())
                .privateIpAddress(a.privateIp()).domain("vpc").publicIpv4Pool("amazon").networkBorderGroup(s.region())
                .tags(st.tags.sdk(s, a.allocationId())).build()).toList()).build();
    }

    Eip find(Scope s, String allocationId, String publicIp) {
        if (allocationId != null) {
            Eip a = st.addresses.get(s, allocationId);
            if (a == null) throw Ec2Errors.notFound("InvalidAllocationID.NotFound", "allocation", allocationId);
            return a;
        }
        if (publicIp != null) {
            return st.addresses.values(s).stream().filter(a -> a.publicIp().equals(publicIp)).findFirst()
                    .orElseThrow(() -> new AwsException("InvalidAddress.NotFound", "Address '" + publicIp + "' not found.", 400));
        }
        throw Ec2Errors.missingParameter("AllocationId");
    }
}
