package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.AttachNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.AttachNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.CreateNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.CreateNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.DeleteNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.DeleteNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.DescribeNetworkInterfacesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeNetworkInterfacesResponse;
import software.amazon.awssdk.services.ec2.model.DetachNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.DetachNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.ModifyNetworkInterfaceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyNetworkInterfaceAttributeResponse;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceAssociation;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceAttachment;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceIpv6Address;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/** Elastic network interfaces: private addresses from their subnet, attachments to instances. */
final class NetworkInterfaces {
    record Eni(String id, String subnetId, String vpcId, String az, String description, String privateIp,
               List<String> secondaryIps, List<String> ipv6, List<String> groupIds, String mac, String interfaceType,
               String attachmentId, String instanceId, Integer deviceIndex, boolean deleteOnTermination, Instant attachTime,
               String publicIp, String allocationId, String associationId, boolean sourceDestCheck, boolean requesterManaged) {
        Eni attached(String instance, int index, boolean dot, Instant at) {
            return new Eni(id, subnetId, vpcId, az, description, privateIp, secondaryIps, ipv6, groupIds, mac, interfaceType,
                    Ids.ec2("eni-attach"), instance, index, dot, at, publicIp, allocationId, associationId, sourceDestCheck, requesterManaged);
        }

        /** Attached to an AWS service's own resource (a Lambda Hyperplane ENI): an {@code ela-attach} attachment without an instance. */
        Eni serviceAttached(Instant at) {
            return new Eni(id, subnetId, vpcId, az, description, privateIp, secondaryIps, ipv6, groupIds, mac, interfaceType,
                    Ids.ec2("ela-attach"), null, 1, false, at, publicIp, allocationId, associationId, sourceDestCheck, requesterManaged);
        }

        boolean serviceAttachment() {
            return attachmentId != null && attachmentId.startsWith("ela-attach-");
        }

        Eni detached() {
            return new Eni(id, subnetId, vpcId, az, description, privateIp, secondaryIps, ipv6, groupIds, mac, interfaceType,
                    null, null, null, false, null, allocationId == null ? null : publicIp, allocationId, associationId, sourceDestCheck,
                    requesterManaged);
        }

        Eni withPublic(String ip, String alloc, String assoc) {
            return new Eni(id, subnetId, vpcId, az, description, privateIp, secondaryIps, ipv6, groupIds, mac, interfaceType,
                    attachmentId, instanceId, deviceIndex, deleteOnTermination, attachTime, ip, alloc, assoc, sourceDestCheck, requesterManaged);
        }

        Eni withGroups(List<String> g) {
            return new Eni(id, subnetId, vpcId, az, description, privateIp, secondaryIps, ipv6, g, mac, interfaceType,
                    attachmentId, instanceId, deviceIndex, deleteOnTermination, attachTime, publicIp, allocationId, associationId,
                    sourceDestCheck, requesterManaged);
        }

        Eni withAttributes(String desc, boolean sdc, boolean dot) {
            return new Eni(id, subnetId, vpcId, az, desc, privateIp, secondaryIps, ipv6, groupIds, mac, interfaceType,
                    attachmentId, instanceId, deviceIndex, dot, attachTime, publicIp, allocationId, associationId, sdc, requesterManaged);
        }

        String status() {
            return attachmentId != null ? "in-use" : "available";
        }
    }

    private final Ec2State st;
    private final Filters<Eni> filters;

    NetworkInterfaces(Ec2State st) {
        this.st = st;
        filters = new Filters<>(Map.<String, Function<Eni, Collection<String>>>ofEntries(
                Map.entry("addresses.private-ip-address", e -> allIps(e)),
                Map.entry("association.public-ip", e -> Vpcs.opt(e.publicIp())),
                Map.entry("association.allocation-id", e -> Vpcs.opt(e.allocationId())),
                Map.entry("association.association-id", e -> Vpcs.opt(e.associationId())),
                Map.entry("attachment.attachment-id", e -> Vpcs.opt(e.attachmentId())),
                Map.entry("attachment.instance-id", e -> Vpcs.opt(e.instanceId())),
                Map.entry("attachment.device-index", e -> e.deviceIndex() == null ? List.of() : List.of(e.deviceIndex().toString())),
                Map.entry("attachment.status", e -> e.attachmentId() == null ? List.of() : List.of("attached")),
                Map.entry("attachment.delete-on-termination", e -> List.of(Boolean.toString(e.deleteOnTermination()))),
                Map.entry("availability-zone", e -> List.of(e.az())),
                Map.entry("description", e -> List.of(e.description() == null ? "" : e.description())),
                Map.entry("group-id", e -> e.groupIds()),
                Map.entry("interface-type", e -> List.of(e.interfaceType())),
                Map.entry("ipv6-addresses.ipv6-address", e -> e.ipv6()),
                Map.entry("mac-address", e -> List.of(e.mac())),
                Map.entry("network-interface-id", e -> List.of(e.id())),
                Map.entry("owner-id", e -> List.of(FilterScope.get().account())),
                Map.entry("private-ip-address", e -> allIps(e)),
                Map.entry("private-dns-name", e -> List.of(Ec2State.privateDnsName(FilterScope.get().region(), e.privateIp()))),
                Map.entry("requester-managed", e -> List.of(Boolean.toString(e.requesterManaged()))),
                Map.entry("source-dest-check", e -> List.of(Boolean.toString(e.sourceDestCheck()))),
                Map.entry("status", e -> List.of(e.status())),
                Map.entry("subnet-id", e -> List.of(e.subnetId())),
                Map.entry("vpc-id", e -> List.of(e.vpcId())),
                Map.entry("tag:", e -> st.tags.pairs(FilterScope.get(), e.id())),
                Map.entry("tag-key", e -> st.tags.keys(FilterScope.get(), e.id())),
                Map.entry("tag-value", e -> st.tags.values(FilterScope.get(), e.id()))));
    }

    private static List<String> allIps(Eni e) {
        List<String> out = new ArrayList<>();
        out.add(e.privateIp());
        out.addAll(e.secondaryIps());
        return out;
    }

    /**
     * Creates an interface in a subnet with addresses allocated from it. Returns null (nothing
     * allocated) if the subnet has no free address.
     */
    static Eni create(Ec2State st, Scope s, Vpcs.Subnet subnet, List<String> groupIds, String privateIp, int secondaryCount,
                      int ipv6Count, List<String> ipv6Wanted, String interfaceType, String description, boolean requesterManaged) {
        String ip = st.allocateAddress(s, subnet, privateIp);
        if (ip == null) return null;
        List<String> secondary = new ArrayList<>();
        for (int i = 0; i < secondaryCount; i++) {
            String sip = st.allocateAddress(s, subnet, null);
            if (sip == null) {
                st.releaseAddress(s, subnet.id(), ip);
                secondary.forEach(x -> st.releaseAddress(s, subnet.id(), x));
                throw new AwsException("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '"
                        + subnet.id() + "' to satisfy the requested number of instances.", 400);
            }
            secondary.add(sip);
        }
        List<String> ipv6 = new ArrayList<>(ipv6Wanted == null ? List.of() : ipv6Wanted);
        if (ipv6Count > 0 || !ipv6.isEmpty()) {
            if (subnet.ipv6Cidr() == null) {
                throw Ec2Errors.invalidParameterValue("You cannot assign IPv6 addresses to an interface in subnet '" + subnet.id()
                        + "' because it does not have an IPv6 CIDR block.");
            }
            String prefix = subnet.ipv6Cidr().substring(0, subnet.ipv6Cidr().indexOf("::/64"));
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < ipv6Count; i++) {
                ipv6.add(String.format("%s:%x:%x:%x:%x", prefix, r.nextInt(0x10000), r.nextInt(0x10000), r.nextInt(0x10000), 1 + r.nextInt(0xffff)));
            }
        }
        String id = Ids.ec2("eni");
        Eni e = new Eni(id, subnet.id(), subnet.vpcId(), subnet.az(), description == null ? "" : description, ip, secondary, ipv6,
                groupIds, Ec2State.macAddress(), interfaceType == null ? "interface" : interfaceType, null, null, null, false, null,
                null, null, null, true, requesterManaged);
        st.networkInterfaces.put(s, id, e);
        return e;
    }

    /** Deletes an interface and gives its addresses back to the subnet. */
    static void delete(Ec2State st, Scope s, Eni e) {
        st.networkInterfaces.remove(s, e.id());
        st.releaseAddress(s, e.subnetId(), e.privateIp());
        e.secondaryIps().forEach(ip -> st.releaseAddress(s, e.subnetId(), ip));
        st.tags.remove(s, e.id());
        if (e.allocationId() != null) {
            st.addresses.update(s, e.allocationId(), a -> a == null ? null : a.disassociated());
        }
    }

    CreateNetworkInterfaceResponse createNetworkInterface(Call call, CreateNetworkInterfaceRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateNetworkInterface");
        Scope s = st.scope(call);
        Vpcs.Subnet subnet = st.subnets.get(s, req.subnetId());
        if (subnet == null) throw Ec2Errors.notFound("InvalidSubnetID.NotFound", "subnet", String.valueOf(req.subnetId()));
        List<String> groups = groupsFor(s, subnet.vpcId(), req.groups());
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("network-interface"));
        String type = req.interfaceTypeAsString();
        // An AWS service creating an interface for itself (Lambda's Hyperplane ENIs) gives its own type; the interface is requester-managed.
        String requester = requester(call);
        boolean serviceType = LAMBDA.equals(requester) && "lambda".equals(type);
        if (type != null && !serviceType && !List.of("efa", "efa-only", "interface", "trunk", "branch").contains(type)) {
            throw Ec2Errors.invalidParameterValue("Invalid value '" + type + "' for InterfaceType.");
        }
        Eni e = create(st, s, subnet, groups, req.privateIpAddress(),
                req.secondaryPrivateIpAddressCount() == null ? 0 : req.secondaryPrivateIpAddressCount(),
                req.ipv6AddressCount() == null ? 0 : req.ipv6AddressCount(),
                req.ipv6Addresses().stream().map(a -> a.ipv6Address()).toList(), type, req.description(), serviceType);
        if (e == null) {
            throw new AwsException("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '"
                    + subnet.id() + "' to satisfy the requested number of instances.", 400);
        }
        if (serviceType) {
            // Lambda's interfaces are in use from the start, attached to Lambda's side ("ela-attach", no instance)
            e = e.serviceAttached(call.now());
            st.networkInterfaces.put(s, e.id(), e);
        }
        st.tags.apply(s, req.tagSpecifications(), "network-interface", e.id());
        return CreateNetworkInterfaceResponse.builder().networkInterface(toSdk(s, e)).build();
    }

    /** The owner DescribeNetworkInterfaces names for the attachment of an interface an AWS service manages. */
    static final String SERVICE_OWNER = "amazon-aws";

    /** The service principal Lambda acts as; the requester of the interfaces it manages. */
    static final String LAMBDA = "lambda.amazonaws.com";

    /** The service principal of a call made by an AWS service acting as itself, else null. */
    private static String requester(Call call) {
        return "AWSService".equals(call.caller().type()) ? call.caller().arn() : null;
    }

    /** Who manages a requester-managed interface: Lambda's service principal for its ENIs, else the load balancer service. */
    private static String requesterId(Eni e) {
        if (!e.requesterManaged()) return null;
        return e.interfaceType().equals("lambda") ? LAMBDA : "amazon-elb";
    }

    List<String> groupsFor(Scope s, String vpcId, List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return st.securityGroups.values(s).stream().filter(g -> g.vpcId().equals(vpcId) && g.name().equals("default"))
                    .map(SecurityGroups.Group::id).limit(1).toList();
        }
        for (String g : requested) {
            SecurityGroups.Group grp = st.securityGroups.get(s, g);
            if (grp == null) throw new AwsException("InvalidGroup.NotFound", "The security group '" + g + "' does not exist", 400);
            if (!grp.vpcId().equals(vpcId)) {
                throw new AwsException("InvalidParameter", "Security group " + g + " and subnet belong to different networks.", 400);
            }
        }
        return List.copyOf(requested);
    }

    DeleteNetworkInterfaceResponse deleteNetworkInterface(Call call, DeleteNetworkInterfaceRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteNetworkInterface");
        Scope s = st.scope(call);
        Eni e = eni(s, req.networkInterfaceId());
        boolean byItsRequester = e.requesterManaged() && e.interfaceType().equals("lambda") && LAMBDA.equals(requester(call));
        if (!byItsRequester && (e.attachmentId() != null || e.requesterManaged())) {
            throw new AwsException("InvalidNetworkInterface.InUse", "The network interface '" + e.id() + "' is currently in use.", 400);
        }
        delete(st, s, e);
        return DeleteNetworkInterfaceResponse.builder().build();
    }

    DescribeNetworkInterfacesResponse describeNetworkInterfaces(Call call, DescribeNetworkInterfacesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeNetworkInterfaces");
        Scope s = st.scope(call);
        List<Eni> all = new ArrayList<>(st.networkInterfaces.values(s));
        if (req.hasNetworkInterfaceIds() && !req.networkInterfaceIds().isEmpty()) {
            List<String> missing = req.networkInterfaceIds().stream().filter(id -> !st.networkInterfaces.contains(s, id)).toList();
            if (!missing.isEmpty()) throw Ec2Errors.notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", missing);
            all.removeIf(e -> !req.networkInterfaceIds().contains(e.id()));
        }
        List<Eni> matched = FilterScope.in(s, () -> filters.apply(req.filters(), all));
        DescribeNetworkInterfacesResponse.Builder b = DescribeNetworkInterfacesResponse.builder();
        Pagination.Page<Eni> page = Paging.page(call, req, matched, Eni::id, b);
        return b.networkInterfaces(page.items().stream().map(e -> toSdk(s, e)).toList()).build();
    }

    AttachNetworkInterfaceResponse attachNetworkInterface(Call call, AttachNetworkInterfaceRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "AttachNetworkInterface");
        Scope s = st.scope(call);
        Eni e = eni(s, req.networkInterfaceId());
        Instances.Inst i = st.instances.get(s, req.instanceId());
        if (i == null || i.state().equals("terminated")) throw Ec2Errors.notFound("InvalidInstanceID.NotFound", "instance", String.valueOf(req.instanceId()));
        if (!i.state().equals("running") && !i.state().equals("stopped")) {
            throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in a valid state for this operation.");
        }
        if (e.attachmentId() != null) {
            throw new AwsException("InvalidNetworkInterface.InUse", "Interface: [" + e.id() + "] in use.", 400);
        }
        if (!e.az().equals(i.az())) {
            throw Ec2Errors.invalidParameterValue("The network interface and the instance are in different Availability Zones.");
        }
        int index = req.deviceIndex() == null ? 1 : req.deviceIndex();
        for (String other : i.eniIds()) {
            Eni o = st.networkInterfaces.get(s, other);
            if (o != null && o.deviceIndex() != null && o.deviceIndex() == index) {
                throw Ec2Errors.invalidParameterValue("Instance '" + i.id() + "' already has an interface attached at device index '" + index + "'.");
            }
        }
        InstanceTypes.Facts facts = st.catalog.type(i.instanceType());
        if (facts != null && i.eniIds().size() + 1 > facts.maxInterfaces()) {
            throw new AwsException("AttachmentLimitExceeded", "Interface count " + (i.eniIds().size() + 1)
                    + " exceeds the limit for " + i.instanceType(), 400);
        }
        if (e.interfaceType().startsWith("efa") && facts != null && !facts.efa()) {
            throw Ec2Errors.invalidParameterCombination("EFA interface type is not supported for instance type '" + i.instanceType() + "'.");
        }
        Eni a = e.attached(i.id(), index, false, call.now());
        st.networkInterfaces.put(s, e.id(), a);
        st.instances.update(s, i.id(), old -> old == null ? null : old.withEnis(append(old.eniIds(), e.id())));
        return AttachNetworkInterfaceResponse.builder().attachmentId(a.attachmentId()).networkCardIndex(0).build();
    }

    DetachNetworkInterfaceResponse detachNetworkInterface(Call call, DetachNetworkInterfaceRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DetachNetworkInterface");
        Scope s = st.scope(call);
        Eni e = st.networkInterfaces.values(s).stream().filter(x -> req.attachmentId() != null && req.attachmentId().equals(x.attachmentId()))
                .findFirst().orElseThrow(() -> new AwsException("InvalidAttachmentID.NotFound",
                        "Interface attachment '" + req.attachmentId() + "' does not exist.", 400));
        if (e.serviceAttachment()) {
            throw new AwsException("OperationNotPermitted", "You are not allowed to manage 'ela-attach' attachments.", 400);
        }
        if (e.deviceIndex() != null && e.deviceIndex() == 0) {
            throw new AwsException("OperationNotPermitted", "The network interface at device index 0 and networkCard index 0 cannot be detached.", 400);
        }
        String instanceId = e.instanceId();
        st.networkInterfaces.put(s, e.id(), e.detached());
        st.instances.update(s, instanceId, old -> old == null ? null
                : old.withEnis(old.eniIds().stream().filter(x -> !x.equals(e.id())).toList()));
        return DetachNetworkInterfaceResponse.builder().build();
    }

    ModifyNetworkInterfaceAttributeResponse modifyNetworkInterfaceAttribute(Call call, ModifyNetworkInterfaceAttributeRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ModifyNetworkInterfaceAttribute");
        Scope s = st.scope(call);
        Eni e = eni(s, req.networkInterfaceId());
        if (req.hasGroups() && !req.groups().isEmpty()) e = e.withGroups(groupsFor(s, e.vpcId(), req.groups()));
        String desc = req.description() != null ? req.description().value() : e.description();
        boolean sdc = req.sourceDestCheck() != null ? req.sourceDestCheck().value() : e.sourceDestCheck();
        boolean dot = req.attachment() != null && req.attachment().deleteOnTermination() != null
                ? req.attachment().deleteOnTermination() : e.deleteOnTermination();
        st.networkInterfaces.put(s, e.id(), e.withAttributes(desc, sdc, dot));
        return ModifyNetworkInterfaceAttributeResponse.builder().build();
    }

    static List<String> append(List<String> l, String v) {
        List<String> n = new ArrayList<>(l);
        n.add(v);
        return n;
    }

    Eni eni(Scope s, String id) {
        Eni e = id == null ? null : st.networkInterfaces.get(s, id);
        if (e == null) throw Ec2Errors.notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", String.valueOf(id));
        return e;
    }

    software.amazon.awssdk.services.ec2.model.NetworkInterface toSdk(Scope s, Eni e) {
        var b = software.amazon.awssdk.services.ec2.model.NetworkInterface.builder()
                .networkInterfaceId(e.id()).subnetId(e.subnetId()).vpcId(e.vpcId()).availabilityZone(e.az())
                .description(e.description()).ownerId(s.account()).requesterId(requesterId(e))
                .requesterManaged(e.requesterManaged()).status(e.status()).macAddress(e.mac())
                .privateIpAddress(e.privateIp()).privateDnsName(Ec2State.privateDnsName(s.region(), e.privateIp()))
                .sourceDestCheck(e.sourceDestCheck()).interfaceType(e.interfaceType())
                .groups(e.groupIds().stream().map(g -> group(s, g)).toList())
                .ipv6Addresses(e.ipv6().stream().map(a -> NetworkInterfaceIpv6Address.builder().ipv6Address(a).build()).toList())
                .tagSet(st.tags.sdk(s, e.id()));
        NetworkInterfaceAssociation assoc = e.publicIp() == null ? null : NetworkInterfaceAssociation.builder()
                .publicIp(e.publicIp()).publicDnsName(Ec2State.publicDnsName(s.region(), e.publicIp()))
                .ipOwnerId(e.allocationId() != null ? s.account() : "amazon").allocationId(e.allocationId())
                .associationId(e.associationId()).build();
        b.association(assoc);
        List<NetworkInterfacePrivateIpAddress> ips = new ArrayList<>();
        ips.add(NetworkInterfacePrivateIpAddress.builder().privateIpAddress(e.privateIp()).primary(true)
                .privateDnsName(Ec2State.privateDnsName(s.region(), e.privateIp())).association(assoc).build());
        for (String ip : e.secondaryIps()) {
            ips.add(NetworkInterfacePrivateIpAddress.builder().privateIpAddress(ip).primary(false)
                    .privateDnsName(Ec2State.privateDnsName(s.region(), ip)).build());
        }
        b.privateIpAddresses(ips);
        if (e.attachmentId() != null) {
            b.attachment(NetworkInterfaceAttachment.builder().attachmentId(e.attachmentId()).instanceId(e.instanceId())
                    .instanceOwnerId(e.serviceAttachment() ? SERVICE_OWNER : s.account()).deviceIndex(e.deviceIndex())
                    .networkCardIndex(e.serviceAttachment() ? null : 0).status("attached")
                    .attachTime(e.attachTime()).deleteOnTermination(e.deleteOnTermination()).build());
        }
        return b.build();
    }

    GroupIdentifier group(Scope s, String id) {
        SecurityGroups.Group g = st.securityGroups.get(s, id);
        return GroupIdentifier.builder().groupId(id).groupName(g == null ? null : g.name()).build();
    }
}
