package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.ec2.model.AttributeBooleanValue;
import software.amazon.awssdk.services.ec2.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.EbsInstanceBlockDevice;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputRequest;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputResponse;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfile;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsResponse;
import software.amazon.awssdk.services.ec2.model.InstanceMonitoring;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterface;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceAssociation;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceAttachment;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceIpv6Address;
import software.amazon.awssdk.services.ec2.model.InstancePrivateIpAddress;
import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeResponse;
import software.amazon.awssdk.services.ec2.model.Monitoring;
import software.amazon.awssdk.services.ec2.model.MonitorInstancesRequest;
import software.amazon.awssdk.services.ec2.model.MonitorInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.RebootInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RebootInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StartInstancesResponse;
import software.amazon.awssdk.services.ec2.model.StateReason;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse;
import software.amazon.awssdk.services.ec2.model.UnmonitorInstancesRequest;
import software.amazon.awssdk.services.ec2.model.UnmonitorInstancesResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Instances and their lifecycle on Oboro's clock: {@code pending} → {@code running} after
 * {@link #PENDING}, {@code stopping} → {@code stopped}, {@code shutting-down} → {@code terminated},
 * still listed for {@link #TERMINATED_VISIBLE}, then gone. Deadlines live in the records, so the
 * timers are armed again when the service loads.
 */
final class Instances {
    static final Duration PENDING = Duration.ofSeconds(15);
    static final Duration STOPPING = Duration.ofSeconds(10);
    static final Duration SHUTTING_DOWN = Duration.ofSeconds(10);
    static final Duration TERMINATED_VISIBLE = Duration.ofHours(1);

    private static final Map<String, Integer> CODES = Map.of("pending", 0, "running", 16, "shutting-down", 32, "terminated", 48,
            "stopping", 64, "stopped", 80);
    private static final DateTimeFormatter REASON_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'GMT'").withZone(ZoneOffset.UTC);

    /** What was fixed at launch. */
    record Launch(String imageId, String keyName, String az, String subnetId, String vpcId, String privateIp, Instant launchTime,
                  String iamProfileArn, String iamProfileId, String placementGroup, String tenancy, String hostId,
                  Integer partitionNumber, String rootDeviceType, String rootDeviceName, String architecture,
                  String virtualizationType, String hypervisor, String platform, String platformDetails, String usageOperation,
                  String kernelId, int amiLaunchIndex, String clientToken, boolean autoPublicIp, String bootMode,
                  String httpTokens, int httpPutResponseHopLimit, String httpEndpoint, String httpProtocolIpv6,
                  String instanceMetadataTags) {
        Launch withMetadataOptions(String tokens, int hops, String endpoint, String ipv6, String tags) {
            return new Launch(imageId, keyName, az, subnetId, vpcId, privateIp, launchTime, iamProfileArn, iamProfileId, placementGroup,
                    tenancy, hostId, partitionNumber, rootDeviceType, rootDeviceName, architecture, virtualizationType, hypervisor, platform,
                    platformDetails, usageOperation, kernelId, amiLaunchIndex, clientToken, autoPublicIp, bootMode, tokens, hops, endpoint,
                    ipv6, tags);
        }
    }

    /** Attributes ModifyInstanceAttribute changes. */
    record Attrs(String userData, boolean disableApiTermination, boolean disableApiStop, String shutdownBehavior,
                 boolean enaSupport, String sriovNetSupport, boolean ebsOptimized, boolean monitoring) {
    }

    record BlockDev(String deviceName, String volumeId, boolean deleteOnTermination, Instant attachTime) {
    }

    /**
     * An instance. {@code statusCheck} and {@code autoRecovery} are placeholders the status-check
     * and recovery work fills in; {@code deadline} is when the current transition ends.
     */
    record Inst(String id, String reservationId, String instanceType, String state, Instant deadline, String transitionReason,
                String reasonCode, String reasonMessage, Launch launch, Attrs attrs, List<String> eniIds, List<BlockDev> blockDevices,
                Instant lastBoot, String statusCheck, String autoRecovery) {
        String az() {
            return launch.az();
        }

        String imageId() {
            return launch.imageId();
        }

        String rootDeviceType() {
            return launch.rootDeviceType();
        }

        String rootDeviceName() {
            return launch.rootDeviceName();
        }

        String architecture() {
            return launch.architecture();
        }

        String virtualizationType() {
            return launch.virtualizationType();
        }

        String platform() {
            return launch.platform();
        }

        String kernelId() {
            return launch.kernelId();
        }

        boolean enaSupport() {
            return attrs.enaSupport();
        }

        String sriovNetSupport() {
            return attrs.sriovNetSupport();
        }

        Inst withEnis(List<String> enis) {
            return new Inst(id, reservationId, instanceType, state, deadline, transitionReason, reasonCode, reasonMessage, launch, attrs,
                    enis, blockDevices, lastBoot, statusCheck, autoRecovery);
        }

        Inst withState(String newState, Instant newDeadline, String reason, String code, String message) {
            return new Inst(id, reservationId, instanceType, newState, newDeadline, reason, code, message, launch, attrs, eniIds,
                    blockDevices, lastBoot, statusCheck, autoRecovery);
        }

        Inst withBoot(Instant at) {
            return new Inst(id, reservationId, instanceType, state, deadline, transitionReason, reasonCode, reasonMessage, launch, attrs,
                    eniIds, blockDevices, at, statusCheck, autoRecovery);
        }

        Inst withType(String type) {
            return new Inst(id, reservationId, type, state, deadline, transitionReason, reasonCode, reasonMessage, launch, attrs,
                    eniIds, blockDevices, lastBoot, statusCheck, autoRecovery);
        }

        Inst withAttrs(Attrs a) {
            return new Inst(id, reservationId, instanceType, state, deadline, transitionReason, reasonCode, reasonMessage, launch, a,
                    eniIds, blockDevices, lastBoot, statusCheck, autoRecovery);
        }

        Inst withLaunch(Launch l) {
            return new Inst(id, reservationId, instanceType, state, deadline, transitionReason, reasonCode, reasonMessage, l, attrs,
                    eniIds, blockDevices, lastBoot, statusCheck, autoRecovery);
        }

        Inst withAutoRecovery(String a) {
            return new Inst(id, reservationId, instanceType, state, deadline, transitionReason, reasonCode, reasonMessage, launch, attrs,
                    eniIds, blockDevices, lastBoot, statusCheck, a);
        }

        Inst withBlockDevices(List<BlockDev> b) {
            return new Inst(id, reservationId, instanceType, state, deadline, transitionReason, reasonCode, reasonMessage, launch, attrs,
                    eniIds, b, lastBoot, statusCheck, autoRecovery);
        }
    }

    private final Ec2State st;
    private final Images images;
    private final InstanceTypes types;
    private final Filters<Inst> filters;

    Instances(Ec2State st, Images images, InstanceTypes types) {
        this.st = st;
        this.images = images;
        this.types = types;
        this.filters = new Filters<>(filterFields());
        for (Scope s : st.instances.scopes()) {
            for (Inst i : st.instances.values(s)) if (i.deadline() != null) arm(s, i);
        }
        st.oboro.store().onReset(() -> {
            for (Scope s : st.instances.scopes()) {
                for (Inst i : st.instances.values(s)) if (i.deadline() != null) arm(s, i);
            }
        });
    }

    // ------------------------------------------------------------------ RunInstances

    RunInstancesResponse runInstances(Call call, RunInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "RunInstances");
        Scope s = st.scope(call);
        LaunchTemplates.Resolved template = null;
        if (req.launchTemplate() != null) {
            template = LaunchTemplates.merge(st, s, req);
            req = template.request();
        }
        int min = req.minCount() == null ? 1 : req.minCount();
        int max = req.maxCount() == null ? 1 : req.maxCount();
        if (min < 1 || max < 1) throw Ec2Errors.invalidParameterValue("Value (" + Math.min(min, max) + ") for parameter " + (min < 1 ? "minCount" : "maxCount") + " is invalid. Expected a positive integer.");
        if (min > max) throw Ec2Errors.invalidParameterValue("Value (" + min + ") for parameter minCount is invalid. Expected a value less than or equal to maxCount (" + max + ").");
        if (req.imageId() == null) throw Ec2Errors.missingParameter("ImageId");
        Images.Seen seen = images.find(s, req.imageId());
        Images.Ami ami = seen.ami();
        if (!ami.state(call.now()).equals("available")) {
            throw new AwsException("InvalidAMIID.Unavailable", "The image id '[" + ami.id() + "]' is not available", 400);
        }
        String type = req.instanceTypeAsString() == null ? "m1.small" : req.instanceTypeAsString();
        InstanceTypes.Facts f = st.catalog.type(type);
        if (f == null) throw Ec2Errors.invalidParameterValue("Invalid value '" + type + "' for InstanceType.");
        checkCompatible(f, ami.architecture(), ami.virtualizationType(), ami.enaSupport(), ami.platform(), ami.id(), null);
        if (ami.rootDeviceType().equals("instance-store") && !f.rootDeviceTypes().contains("instance-store")) {
            throw Ec2Errors.unsupportedOperation("AMI '" + ami.id() + "' with an instance-store root device is not supported for the instance type '" + type + "'.");
        }
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu"));

        // network placement
        List<InstanceNetworkInterfaceSpecification> nis = new ArrayList<>(req.networkInterfaces());
        nis.sort((a, b) -> Integer.compare(a.deviceIndex() == null ? 0 : a.deviceIndex(), b.deviceIndex() == null ? 0 : b.deviceIndex()));
        if (!nis.isEmpty()) {
            if (req.subnetId() != null) throw Ec2Errors.invalidParameterCombination("Network interfaces and an instance-level subnet ID may not be specified on the same request");
            if (req.hasSecurityGroupIds() && !req.securityGroupIds().isEmpty()) {
                throw Ec2Errors.invalidParameterCombination("Network interfaces and an instance-level security groups may not be specified on the same request");
            }
            if (req.privateIpAddress() != null) {
                throw Ec2Errors.invalidParameterCombination("Network interfaces and an instance-level private IP address may not be specified on the same request");
            }
        }
        InstanceNetworkInterfaceSpecification primary = nis.isEmpty() ? null : nis.get(0);
        NetworkInterfaces.Eni existingPrimary = null;
        Vpcs.Subnet subnet;
        Placement placement = req.placement();
        String wantedAz = placement == null ? null : placement.availabilityZone();
        if (wantedAz == null && req.subnetId() == null && nis.isEmpty() && st.placer != null) wantedAz = st.placer.preferredZone(s, placement);
        Catalog.RegionInfo region = st.catalog.region(s.region());
        String zoneWanted = wantedAz;
        if (wantedAz != null && region != null && region.zones().stream().noneMatch(z -> z.zoneName().equals(zoneWanted))) {
            throw Ec2Errors.invalidParameterValue("Invalid availability zone: [" + wantedAz + "]");
        }
        String subnetId = primary != null ? primary.subnetId() : req.subnetId();
        if (primary != null && primary.networkInterfaceId() != null) {
            existingPrimary = st.networkInterfaces.get(s, primary.networkInterfaceId());
            if (existingPrimary == null) throw Ec2Errors.notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", primary.networkInterfaceId());
            if (existingPrimary.attachmentId() != null) {
                throw new AwsException("InvalidNetworkInterface.InUse", "Interface: [" + existingPrimary.id() + "] in use.", 400);
            }
            subnetId = existingPrimary.subnetId();
        }
        if (subnetId != null) {
            subnet = st.subnets.get(s, subnetId);
            if (subnet == null) throw Ec2Errors.notFound("InvalidSubnetID.NotFound", "subnet", subnetId);
            if (wantedAz != null && !wantedAz.equals(subnet.az())) {
                throw Ec2Errors.invalidParameterValue("Value (" + wantedAz + ") for parameter availabilityZone is invalid. Subnet '" + subnet.id() + "' is in the availability zone " + subnet.az());
            }
        } else {
            String dv = st.defaultVpcId(s);
            if (dv == null) {
                throw new AwsException("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.", 400);
            }
            List<Vpcs.Subnet> defaults = st.subnets.values(s).stream().filter(n -> n.vpcId().equals(dv) && n.defaultForAz())
                    .sorted((a, b) -> a.az().compareTo(b.az())).toList();
            if (wantedAz != null) {
                subnet = defaults.stream().filter(n -> n.az().equals(zoneWanted)).findFirst().orElseThrow(() ->
                        new AwsException("MissingInput", "No subnets found for the default VPC '" + dv + "'. Please specify a subnet.", 400));
            } else {
                // AWS picks a zone that offers the type
                subnet = defaults.stream().filter(n -> st.catalog.offeredIn(s.region(), n.az(), type)).findFirst()
                        .orElse(defaults.isEmpty() ? null : defaults.get(0));
                if (subnet == null) throw new AwsException("MissingInput", "No subnets found for the default VPC '" + dv + "'. Please specify a subnet.", 400);
            }
        }
        if (!st.catalog.offeredIn(s.region(), subnet.az(), type)) {
            List<String> zones = types.zonesOffering(s.region(), type);
            throw new AwsException("Unsupported", "Your requested instance type (" + type + ") is not supported in your requested Availability Zone ("
                    + subnet.az() + "). Please retry your request by not specifying an Availability Zone or choosing " + String.join(", ", zones) + ".", 400);
        }
        int ipv6Count = req.ipv6AddressCount() != null ? req.ipv6AddressCount() : req.ipv6Addresses().size();
        if (primary != null) {
            ipv6Count = primary.ipv6AddressCount() != null ? primary.ipv6AddressCount() : primary.ipv6Addresses().size();
        }
        for (InstanceNetworkInterfaceSpecification ni : nis) {
            int c = ni.ipv6AddressCount() != null ? ni.ipv6AddressCount() : ni.ipv6Addresses().size();
            if (c > 0 && !f.ipv6()) throw Ec2Errors.unsupportedOperation("IPv6 addresses are not supported on " + type);
            if (ni.interfaceType() != null && ni.interfaceType().startsWith("efa") && !f.efa()) {
                throw Ec2Errors.invalidParameterCombination("The specified instance type " + type + " does not support Elastic Fabric Adapter (EFA) interfaces.");
            }
        }
        if (ipv6Count > 0 && !f.ipv6()) throw Ec2Errors.unsupportedOperation("IPv6 addresses are not supported on " + type);
        if (ipv6Count == 0 && subnet.assignIpv6OnCreation() && f.ipv6()) ipv6Count = 1;
        if (nis.size() > f.maxInterfaces()) {
            throw new AwsException("AttachmentLimitExceeded", "Interface count " + nis.size() + " exceeds the limit for " + type, 400);
        }

        String keyName = req.keyName();
        if (keyName != null && st.keyPairs.values(s).stream().noneMatch(k -> k.name().equals(keyName))) {
            throw new AwsException("InvalidKeyPair.NotFound", "The key pair '" + keyName + "' does not exist", 400);
        }
        List<String> groupIds = groups(s, subnet, req.securityGroupIds(), req.securityGroups(), primary == null ? null : primary.groups());
        String[] profile = instanceProfile(call, req.iamInstanceProfile());
        Map<String, BlockDeviceMapping> bdms = blockDevices(s, ami, req.blockDeviceMappings());

        int free = st.freeAddresses(s, subnet);
        int n = Math.min(max, free);
        if (n < min) {
            throw new AwsException("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '" + subnet.id()
                    + "' to satisfy the requested number of instances.", 400);
        }
        String privateIp = primary != null ? primary.privateIpAddress() : req.privateIpAddress();
        if (privateIp != null && n > 1) {
            throw Ec2Errors.invalidParameterCombination("Cannot specify a private IP address when launching more than one instance");
        }

        Ec2State.Placed placed = st.placer == null || placement == null ? null : st.placer.place(s, placement, type, subnet.az(), n);

        Instant now = call.now();
        String reservationId = Ids.ec2("r");
        var md = req.metadataOptions();
        String httpTokens = md != null && md.httpTokensAsString() != null ? md.httpTokensAsString()
                : "v2.0".equals(ami.imdsSupport()) ? "required" : "optional";
        int hop = md != null && md.httpPutResponseHopLimit() != null ? md.httpPutResponseHopLimit() : "v2.0".equals(ami.imdsSupport()) ? 2 : 1;
        boolean ebsOptimized = Boolean.TRUE.equals(req.ebsOptimized());
        String shutdown = req.instanceInitiatedShutdownBehaviorAsString() == null ? "stop" : req.instanceInitiatedShutdownBehaviorAsString();
        if (ami.rootDeviceType().equals("instance-store") && req.instanceInitiatedShutdownBehaviorAsString() != null && shutdown.equals("stop")) {
            throw Ec2Errors.invalidParameterCombination("The attribute instanceInitiatedShutdownBehavior can only be used for elastic images.");
        }
        if (ami.rootDeviceType().equals("instance-store")) shutdown = "terminate";
        Attrs attrs = new Attrs(req.userData(), Boolean.TRUE.equals(req.disableApiTermination()), Boolean.TRUE.equals(req.disableApiStop()),
                shutdown, ami.enaSupport(), ami.sriovNetSupport(), ebsOptimized, req.monitoring() != null && Boolean.TRUE.equals(req.monitoring().enabled()));
        List<SdkPojo> out = new ArrayList<>();
        List<software.amazon.awssdk.services.ec2.model.Instance> launched = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            String id = Ids.ec2("i");
            List<String> enis = new ArrayList<>();
            NetworkInterfaces.Eni eni;
            if (existingPrimary != null) {
                eni = existingPrimary;
            } else {
                eni = NetworkInterfaces.create(st, s, subnet, groupIds, privateIp,
                        primary != null && primary.secondaryPrivateIpAddressCount() != null ? primary.secondaryPrivateIpAddressCount() : 0,
                        ipv6Count, primary != null ? primary.ipv6Addresses().stream().map(a -> a.ipv6Address()).toList()
                                : req.ipv6Addresses().stream().map(a -> a.ipv6Address()).toList(),
                        primary == null ? null : primary.interfaceType(), primary == null ? "" : primary.description(), false);
                if (eni == null) break;
            }
            boolean dotPrimary = primary == null || primary.deleteOnTermination() == null || primary.deleteOnTermination();
            if (existingPrimary != null && (primary.deleteOnTermination() == null)) dotPrimary = false;
            eni = eni.attached(id, 0, dotPrimary, now);
            boolean autoPublic = primary != null && primary.associatePublicIpAddress() != null ? primary.associatePublicIpAddress()
                    : subnet.mapPublicIpOnLaunch();
            if (autoPublic && eni.publicIp() == null) eni = eni.withPublic(st.newPublicIp(), null, null);
            st.networkInterfaces.put(s, eni.id(), eni);
            enis.add(eni.id());
            for (InstanceNetworkInterfaceSpecification ni : nis.subList(Math.min(1, nis.size()), nis.size())) {
                NetworkInterfaces.Eni extra;
                if (ni.networkInterfaceId() != null) {
                    extra = st.networkInterfaces.get(s, ni.networkInterfaceId());
                    if (extra == null) throw Ec2Errors.notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", ni.networkInterfaceId());
                } else {
                    Vpcs.Subnet sn = ni.subnetId() == null ? subnet : st.subnets.get(s, ni.subnetId());
                    if (sn == null) throw Ec2Errors.notFound("InvalidSubnetID.NotFound", "subnet", ni.subnetId());
                    extra = NetworkInterfaces.create(st, s, sn, groups(s, sn, ni.groups(), null, null), ni.privateIpAddress(),
                            ni.secondaryPrivateIpAddressCount() == null ? 0 : ni.secondaryPrivateIpAddressCount(),
                            ni.ipv6AddressCount() == null ? 0 : ni.ipv6AddressCount(), null, ni.interfaceType(), ni.description(), false);
                }
                extra = extra.attached(id, ni.deviceIndex() == null ? enis.size() : ni.deviceIndex(),
                        ni.networkInterfaceId() == null && (ni.deleteOnTermination() == null || ni.deleteOnTermination()), now);
                st.networkInterfaces.put(s, extra.id(), extra);
                enis.add(extra.id());
                st.tags.apply(s, req.tagSpecifications(), "network-interface", extra.id());
            }
            st.tags.apply(s, req.tagSpecifications(), "network-interface", eni.id());
            List<BlockDev> devs = new ArrayList<>();
            for (BlockDeviceMapping b : bdms.values()) {
                EbsBlockDevice e = b.ebs();
                if (e == null) continue;
                Volumes.Vol v = Volumes.createForInstance(st, s, subnet.az(), new Volumes.Spec(e.snapshotId(), e.volumeSize(),
                        e.volumeTypeAsString(), e.iops(), e.throughput(), Boolean.TRUE.equals(e.encrypted()), e.kmsKeyId(),
                        e.deleteOnTermination() == null || e.deleteOnTermination()), id, b.deviceName(), now);
                devs.add(new BlockDev(b.deviceName(), v.id(), v.deleteOnTermination(), now));
                st.tags.apply(s, req.tagSpecifications(), "volume", v.id());
            }
            Launch launch = new Launch(ami.id(), keyName, subnet.az(), subnet.id(), subnet.vpcId(), eni.privateIp(), now, profile[0], profile[1],
                    placed == null ? null : placed.groupName(), placement == null || placement.tenancyAsString() == null ? "default"
                    : placement.tenancyAsString(), placement == null ? null : placement.hostId(), placed == null ? null : placed.partitions().get(k),
                    ami.rootDeviceType(), ami.rootDeviceName(), ami.architecture(), ami.virtualizationType(), f.hypervisor().equals("nitro") ? "xen" : "xen",
                    ami.platform(), ami.platformDetails(), ami.usageOperation(), ami.kernelId(), k, req.clientToken(), autoPublic, ami.bootMode(),
                    httpTokens, hop, md == null || md.httpEndpointAsString() == null ? "enabled" : md.httpEndpointAsString(),
                    md == null || md.httpProtocolIpv6AsString() == null ? "disabled" : md.httpProtocolIpv6AsString(),
                    md == null || md.instanceMetadataTagsAsString() == null ? "disabled" : md.instanceMetadataTagsAsString());
            Inst i = new Inst(id, reservationId, type, "pending", now.plus(PENDING), "", null, null, launch, attrs, enis, devs, null, "initializing",
                    "default");
            st.instances.put(s, id, i);
            st.tags.apply(s, req.tagSpecifications(), "instance", id);
            arm(s, i);
            st.instanceChanged(s, null, i);
            launched.add(toSdk(s, i));
        }
        if (template != null) {
            // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-launch-templates.html: EC2 tags what it launches from a template
            for (var i : launched) st.tags.set(s, i.instanceId(), Map.of("aws:ec2launchtemplate:id", template.templateId(),
                    "aws:ec2launchtemplate:version", Long.toString(template.version())));
            launched.replaceAll(i -> toSdk(s, st.instances.get(s, i.instanceId())));
        }
        out.addAll(launched);
        NetworkInterfaces.Eni first = st.networkInterfaces.get(s, st.instances.get(s, launched.get(0).instanceId()).eniIds().get(0));
        return RunInstancesResponse.builder().reservationId(reservationId).ownerId(s.account()).groups(List.of())
                .instances(launched).build();
    }

    /** The type/image rules: architecture, virtualization, ENA. */
    private static void checkCompatible(InstanceTypes.Facts f, String arch, String virt, boolean ena, String platform, String amiId,
                                        String instanceId) {
        if (!f.architectures().contains(arch)) {
            throw Ec2Errors.invalidParameterValue("The architecture '" + String.join(", ", f.architectures()) + "' of the specified instance type does not match the architecture '"
                    + arch + "' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. "
                    + "You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.");
        }
        if (virt.equals("paravirtual") && !f.paravirtual()) {
            throw Ec2Errors.invalidParameterCombination("Virtualization type 'hvm' is required for instances of type '" + f.name() + "'.");
        }
        if (virt.equals("hvm") && !f.hvm()) {
            throw Ec2Errors.invalidParameterCombination((platform == null ? "Non-Windows" : "Windows")
                    + " instances with a virtualization type of 'hvm' are currently not supported for this instance type.");
        }
        if (f.enaSupport().equals("required") && !ena) {
            throw Ec2Errors.invalidParameterCombination(instanceId == null
                    ? "Enhanced networking with the Elastic Network Adapter (ENA) is required for the '" + f.name() + "' instance type. Ensure that you are using an AMI that is enabled for ENA."
                    : "Enhanced networking with the Elastic Network Adapter (ENA) is required for the '" + f.name() + "' instance type. Ensure that your instance '" + instanceId + "' is enabled for ENA.");
        }
    }

    private List<String> groups(Scope s, Vpcs.Subnet subnet, List<String> ids, List<String> names, List<String> niGroups) {
        List<String> out = new ArrayList<>();
        List<String> wanted = new ArrayList<>();
        if (ids != null) wanted.addAll(ids);
        if (niGroups != null) wanted.addAll(niGroups);
        for (String id : wanted) {
            SecurityGroups.Group g = st.securityGroups.get(s, id);
            if (g == null) throw new AwsException("InvalidGroup.NotFound", "The security group '" + id + "' does not exist", 400);
            if (!g.vpcId().equals(subnet.vpcId())) {
                throw new AwsException("InvalidParameter", "Security group " + id + " and subnet " + subnet.id() + " belong to different networks.", 400);
            }
            if (!out.contains(id)) out.add(id);
        }
        if (names != null && !names.isEmpty()) {
            Vpcs.Vpc v = st.vpcs.get(s, subnet.vpcId());
            if (v == null || !v.isDefault()) {
                throw Ec2Errors.invalidParameterCombination("The parameter groupName cannot be used with the parameter subnet");
            }
            for (String name : names) {
                SecurityGroups.Group g = st.securityGroups.values(s).stream().filter(x -> x.vpcId().equals(v.id()) && x.name().equals(name))
                        .findFirst().orElseThrow(() -> new AwsException("InvalidGroup.NotFound", "The security group '" + name
                                + "' does not exist in default VPC '" + v.id() + "'", 400));
                if (!out.contains(g.id())) out.add(g.id());
            }
        }
        if (out.isEmpty()) {
            st.securityGroups.values(s).stream().filter(g -> g.vpcId().equals(subnet.vpcId()) && g.name().equals("default"))
                    .findFirst().ifPresent(g -> out.add(g.id()));
        }
        return out;
    }

    /**
     * The instance profile's ARN and id, checked with IAM's GetInstanceProfile when IAM is part of
     * this Oboro; without IAM the name or ARN is taken as given.
     */
    private String[] instanceProfile(Call call, software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification spec) {
        if (spec == null || (spec.arn() == null && spec.name() == null)) return new String[]{null, null};
        String name = spec.name();
        if (spec.arn() != null) {
            int slash = spec.arn().lastIndexOf('/');
            if (!spec.arn().startsWith("arn:aws:iam::") || !spec.arn().contains(":instance-profile/") || slash < 0) {
                throw Ec2Errors.invalidParameterValue("Value (" + spec.arn() + ") for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN");
            }
            name = spec.arn().substring(slash + 1);
        }
        if (call.oboro().services().has("iam")) {
            try {
                software.amazon.awssdk.services.iam.model.GetInstanceProfileResponse r = call.oboro().services().call(call, "iam",
                        software.amazon.awssdk.services.iam.model.GetInstanceProfileRequest.builder().instanceProfileName(name).build());
                return new String[]{r.instanceProfile().arn(), r.instanceProfile().instanceProfileId()};
            } catch (AwsException e) {
                if (e.code().equals("NoSuchEntity")) {
                    throw spec.arn() != null
                            ? Ec2Errors.invalidParameterValue("Value (" + spec.arn() + ") for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN")
                            : Ec2Errors.invalidParameterValue("Value (" + name + ") for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name");
                }
                if (!e.code().equals("NotImplemented")) throw e;
            }
        }
        String arn = spec.arn() != null ? spec.arn() : "arn:aws:iam::" + call.account() + ":instance-profile/" + name;
        return new String[]{arn, "AIPA" + Ids.upperAlnum(17)};
    }

    /** The image's mappings with the request's on top (by device name); NoDevice removes one. */
    private Map<String, BlockDeviceMapping> blockDevices(Scope s, Images.Ami ami, List<BlockDeviceMapping> requested) {
        Map<String, BlockDeviceMapping> out = new TreeMap<>();
        for (BlockDeviceMapping b : Images.bdmsToSdk(ami)) out.put(b.deviceName(), b);
        for (BlockDeviceMapping r : requested) {
            if (r.deviceName() == null) throw Ec2Errors.missingParameter("BlockDeviceMapping.DeviceName");
            if (r.noDevice() != null) {
                out.remove(r.deviceName());
                continue;
            }
            BlockDeviceMapping base = out.get(r.deviceName());
            if (r.ebs() == null) {
                out.put(r.deviceName(), r);
                continue;
            }
            EbsBlockDevice e = r.ebs();
            EbsBlockDevice be = base == null ? null : base.ebs();
            String snap = e.snapshotId() != null ? e.snapshotId() : be == null ? null : be.snapshotId();
            Integer snapSize = be != null && Objects.equals(be.snapshotId(), snap) ? be.volumeSize() : null;
            if (snap != null && snapSize == null) {
                Volumes.Snap sn = st.snapshots.get(s, snap);
                if (sn == null) throw Ec2Errors.notFound("InvalidSnapshot.NotFound", "snapshot", snap);
                snapSize = sn.size();
            }
            Integer size = e.volumeSize() != null ? e.volumeSize() : snapSize;
            if (size == null) throw Ec2Errors.invalidParameterCombination("The request must contain the parameter size or snapshotId");
            if (snapSize != null && size < snapSize) {
                throw new AwsException("InvalidBlockDeviceMapping", "Volume of size " + size + "GB is smaller than snapshot '" + snap
                        + "', expect size >= " + snapSize + "GB", 400);
            }
            EbsBlockDevice merged = EbsBlockDevice.builder().snapshotId(snap).volumeSize(size)
                    .volumeType(e.volumeTypeAsString() != null ? e.volumeTypeAsString() : be == null ? "gp2" : be.volumeTypeAsString())
                    .iops(e.iops() != null ? e.iops() : be == null ? null : be.iops())
                    .throughput(e.throughput() != null ? e.throughput() : be == null ? null : be.throughput())
                    .deleteOnTermination(e.deleteOnTermination() != null ? e.deleteOnTermination() : be == null || be.deleteOnTermination() == null || be.deleteOnTermination())
                    .encrypted(e.encrypted() != null ? e.encrypted() : be != null && Boolean.TRUE.equals(be.encrypted()))
                    .kmsKeyId(e.kmsKeyId()).build();
            out.put(r.deviceName(), BlockDeviceMapping.builder().deviceName(r.deviceName()).ebs(merged).build());
        }
        return out;
    }

    // ------------------------------------------------------------------ the clock

    private void arm(Scope s, Inst i) {
        st.oboro.scheduler().schedule(i.deadline(), () -> advance(s, i.id()));
    }

    /** Ends the current transition of an instance once its deadline has passed. */
    private void advance(Scope s, String id) {
        Instant now = st.oboro.clock().instant();
        Inst i = st.instances.get(s, id);
        if (i == null || i.deadline() == null || now.isBefore(i.deadline())) return;
        switch (i.state()) {
            case "pending" -> {
                NetworkInterfaces.Eni eni = st.networkInterfaces.get(s, i.eniIds().get(0));
                if (eni != null && i.launch().autoPublicIp() && eni.publicIp() == null) {
                    st.networkInterfaces.put(s, eni.id(), eni.withPublic(st.newPublicIp(), null, null));
                }
                Inst r = i.withState("running", null, "", null, null).withBoot(now);
                st.instances.put(s, id, r);
                st.instanceChanged(s, i, r);
            }
            case "stopping" -> {
                NetworkInterfaces.Eni eni = st.networkInterfaces.get(s, i.eniIds().get(0));
                if (eni != null && eni.allocationId() == null && eni.publicIp() != null) {
                    st.networkInterfaces.put(s, eni.id(), eni.withPublic(null, null, null));
                }
                Inst stopped = i.withState("stopped", null, i.transitionReason(), i.reasonCode(), i.reasonMessage());
                st.instances.put(s, id, stopped);
                st.instanceChanged(s, i, stopped);
            }
            case "shutting-down" -> {
                terminateResources(s, i);
                Inst t = i.withState("terminated", now.plus(TERMINATED_VISIBLE), i.transitionReason(), i.reasonCode(), i.reasonMessage())
                        .withEnis(List.of());
                st.instances.put(s, id, t);
                arm(s, t);
                st.instanceChanged(s, i, t);
            }
            case "terminated" -> {
                st.instances.remove(s, id);
                st.tags.remove(s, id);
                st.instanceChanged(s, i, null);
            }
            default -> {
            }
        }
    }

    /** At termination: volumes per DeleteOnTermination, interfaces deleted or detached, Elastic IPs disassociated. */
    private void terminateResources(Scope s, Inst i) {
        Volumes.onInstanceTerminated(st, s, i.id(), i.blockDevices().stream().map(BlockDev::volumeId).toList());
        for (String eniId : i.eniIds()) {
            NetworkInterfaces.Eni e = st.networkInterfaces.get(s, eniId);
            if (e == null) continue;
            if (e.allocationId() != null) {
                Addresses.Eip a = st.addresses.get(s, e.allocationId());
                if (a != null) st.addresses.put(s, a.allocationId(), a.disassociated());
                e = e.withPublic(null, null, null);
            }
            if (e.deleteOnTermination()) NetworkInterfaces.delete(st, s, e);
            else st.networkInterfaces.put(s, e.id(), e.detached());
        }
    }

    static void noteReboot(Ec2State st, Scope s, String id, Instant at) {
        Inst before = st.instances.get(s, id);
        Inst after = st.instances.update(s, id, i -> i == null || !i.state().equals("running") ? i : i.withBoot(at));
        st.instanceChanged(s, before, after);
    }

    // ------------------------------------------------------------------ state changes

    StopInstancesResponse stopInstances(Call call, StopInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "StopInstances");
        Scope s = st.scope(call);
        List<Inst> targets = find(s, req.instanceIds());
        for (Inst i : targets) {
            if (i.rootDeviceType().equals("instance-store")) {
                throw Ec2Errors.unsupportedOperation("The instance '" + i.id() + "' does not have an 'ebs' root device type and cannot be stopped.");
            }
            if (i.attrs().disableApiStop() && !Boolean.TRUE.equals(req.force())) {
                throw new AwsException("OperationNotPermitted", "The instance '" + i.id() + "' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.", 400);
            }
            if (i.state().equals("pending") || i.state().equals("shutting-down") || i.state().equals("terminated")) {
                throw Ec2Errors.incorrectInstanceState("This instance '" + i.id() + "' is not in a state from which it can be stopped.");
            }
        }
        Instant now = call.now();
        String reason = "User initiated (" + REASON_TIME.format(now) + ")";
        List<InstanceStateChange> changes = new ArrayList<>();
        for (Inst i : targets) {
            Inst n = transition(s, i.id(), old -> old.state().equals("running")
                    ? old.withState("stopping", now.plus(STOPPING), reason, "Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown")
                    : old);
            changes.add(change(i, n));
        }
        return StopInstancesResponse.builder().stoppingInstances(changes).build();
    }

    StartInstancesResponse startInstances(Call call, StartInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "StartInstances");
        Scope s = st.scope(call);
        List<Inst> targets = find(s, req.instanceIds());
        for (Inst i : targets) {
            if (!i.state().equals("stopped") && !i.state().equals("running") && !i.state().equals("pending")) {
                throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in a state from which it can be started.");
            }
            if (i.state().equals("stopped")) {
                InstanceTypes.Facts f = st.catalog.type(i.instanceType());
                checkCompatible(f, i.architecture(), i.virtualizationType(), i.enaSupport(), i.platform(), i.imageId(), i.id());
                if (!st.catalog.offeredIn(s.region(), i.az(), i.instanceType())) {
                    throw new AwsException("Unsupported", "Your requested instance type (" + i.instanceType() + ") is not supported in your requested Availability Zone ("
                            + i.az() + ").", 400);
                }
            }
        }
        if (st.placer != null) st.placer.checkStart(s, targets.stream().filter(i -> i.state().equals("stopped")).toList());
        Instant now = call.now();
        List<InstanceStateChange> changes = new ArrayList<>();
        for (Inst i : targets) {
            Inst n = transition(s, i.id(), old -> old.state().equals("stopped") ? old.withState("pending", now.plus(PENDING), "", null, null) : old);
            changes.add(change(i, n));
        }
        return StartInstancesResponse.builder().startingInstances(changes).build();
    }

    RebootInstancesResponse rebootInstances(Call call, RebootInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "RebootInstances");
        Scope s = st.scope(call);
        List<Inst> targets = find(s, req.instanceIds());
        for (Inst i : targets) {
            if (i.state().equals("terminated") || i.state().equals("shutting-down")) {
                throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in a state from which it can be rebooted.");
            }
        }
        for (Inst i : targets) noteReboot(st, s, i.id(), call.now());
        return RebootInstancesResponse.builder().build();
    }

    TerminateInstancesResponse terminateInstances(Call call, TerminateInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "TerminateInstances");
        Scope s = st.scope(call);
        List<Inst> targets = find(s, req.instanceIds());
        for (Inst i : targets) {
            if (i.attrs().disableApiTermination() && !i.state().equals("terminated")) {
                throw new AwsException("OperationNotPermitted", "The instance '" + i.id()
                        + "' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", 400);
            }
        }
        Instant now = call.now();
        String reason = "User initiated (" + REASON_TIME.format(now) + ")";
        List<InstanceStateChange> changes = new ArrayList<>();
        for (Inst i : targets) {
            Inst n = transition(s, i.id(), old -> old.state().equals("terminated") || old.state().equals("shutting-down") ? old
                    : old.withState("shutting-down", now.plus(SHUTTING_DOWN), reason, "Client.UserInitiatedShutdown",
                    "Client.UserInitiatedShutdown: User initiated shutdown"));
            changes.add(change(i, n));
        }
        return TerminateInstancesResponse.builder().terminatingInstances(changes).build();
    }

    /** Changes an instance, arms the timer of its new transition and tells the listeners. */
    Inst transition(Scope s, String id, UnaryOperator<Inst> f) {
        Inst before = st.instances.get(s, id);
        Inst after = st.instances.update(s, id, old -> old == null ? null : f.apply(old));
        if (after != null && after != before && after.deadline() != null) arm(s, after);
        st.instanceChanged(s, before, after);
        return after;
    }

    private static InstanceStateChange change(Inst before, Inst after) {
        return InstanceStateChange.builder().instanceId(before.id()).previousState(state(before.state())).currentState(state(after.state())).build();
    }

    static InstanceState state(String name) {
        return InstanceState.builder().name(name).code(CODES.get(name)).build();
    }

    /** The instances named, or InvalidInstanceID.Malformed / .NotFound as AWS reports them. */
    List<Inst> find(Scope s, List<String> ids) {
        if (ids == null || ids.isEmpty()) throw Ec2Errors.missingParameter("InstanceId");
        List<String> missing = new ArrayList<>();
        List<Inst> out = new ArrayList<>();
        for (String id : ids) {
            if (!Ec2Errors.wellFormed(id, "i")) {
                throw new AwsException("InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"", 400);
            }
            Inst i = st.instances.get(s, id);
            if (i == null) missing.add(id);
            else out.add(i);
        }
        if (!missing.isEmpty()) throw Ec2Errors.notFound("InvalidInstanceID.NotFound", "instance", missing);
        return out;
    }

    // ------------------------------------------------------------------ DescribeInstances

    DescribeInstancesResponse describeInstances(Call call, DescribeInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeInstances");
        Scope s = st.scope(call);
        if (req.maxResults() != null && req.hasInstanceIds() && !req.instanceIds().isEmpty()) {
            throw Ec2Errors.invalidParameterCombination("The parameter instancesSet cannot be used with the parameter maxResults");
        }
        Paging.check(call, req);
        Collection<Inst> all = req.hasInstanceIds() && !req.instanceIds().isEmpty() ? find(s, req.instanceIds()) : st.instances.values(s);
        List<Inst> matched = FilterScope.in(s, () -> filters.apply(req.filters(), all));
        DescribeInstancesResponse.Builder b = DescribeInstancesResponse.builder();
        Pagination.Page<Inst> page = Paging.page(call, req, matched, Inst::id, b);
        Map<String, List<software.amazon.awssdk.services.ec2.model.Instance>> byReservation = new LinkedHashMap<>();
        for (Inst i : page.items()) byReservation.computeIfAbsent(i.reservationId(), k -> new ArrayList<>()).add(toSdk(s, i));
        List<Reservation> rs = new ArrayList<>();
        byReservation.forEach((r, list) -> rs.add(Reservation.builder().reservationId(r).ownerId(s.account()).groups(List.of())
                .instances(list).build()));
        return b.reservations(rs).build();
    }

    private NetworkInterfaces.Eni primary(Scope s, Inst i) {
        return i.eniIds().isEmpty() ? null : st.networkInterfaces.get(s, i.eniIds().get(0));
    }

    private List<String> primaryGroups(Scope s, Inst i) {
        NetworkInterfaces.Eni e = primary(s, i);
        return e == null ? List.of() : e.groupIds();
    }

    private Map<String, Function<Inst, Collection<String>>> filterFields() {
        Map<String, Function<Inst, Collection<String>>> m = new TreeMap<>();
        m.put("affinity", i -> List.of("default"));
        m.put("architecture", i -> List.of(i.architecture()));
        m.put("availability-zone", i -> List.of(i.az()));
        m.put("block-device-mapping.attach-time", i -> i.blockDevices().stream().map(d -> d.attachTime().toString()).toList());
        m.put("block-device-mapping.delete-on-termination", i -> i.blockDevices().stream().map(d -> Boolean.toString(d.deleteOnTermination())).toList());
        m.put("block-device-mapping.device-name", i -> i.blockDevices().stream().map(BlockDev::deviceName).toList());
        m.put("block-device-mapping.status", i -> i.blockDevices().isEmpty() ? List.of() : List.of("attached"));
        m.put("block-device-mapping.volume-id", i -> i.blockDevices().stream().map(BlockDev::volumeId).toList());
        m.put("boot-mode", i -> Vpcs.opt(i.launch().bootMode()));
        m.put("client-token", i -> Vpcs.opt(i.launch().clientToken()));
        m.put("dns-name", i -> {
            NetworkInterfaces.Eni e = primary(FilterScope.get(), i);
            return e == null || e.publicIp() == null ? List.of() : List.of(Ec2State.publicDnsName(FilterScope.get().region(), e.publicIp()));
        });
        m.put("ebs-optimized", i -> List.of(Boolean.toString(i.attrs().ebsOptimized())));
        m.put("ena-support", i -> List.of(Boolean.toString(i.enaSupport())));
        m.put("host-id", i -> Vpcs.opt(i.launch().hostId()));
        m.put("hypervisor", i -> List.of(i.launch().hypervisor()));
        m.put("iam-instance-profile.arn", i -> Vpcs.opt(i.launch().iamProfileArn()));
        m.put("iam-instance-profile.id", i -> Vpcs.opt(i.launch().iamProfileId()));
        m.put("image-id", i -> List.of(i.imageId()));
        m.put("instance-id", i -> List.of(i.id()));
        m.put("instance-lifecycle", i -> st.spotLookup == null || st.spotLookup.spotRequestId(FilterScope.get(), i.id()) == null ? List.of()
                : List.of("spot"));
        m.put("instance-state-code", i -> List.of(Integer.toString(CODES.get(i.state()))));
        m.put("instance-state-name", i -> List.of(i.state()));
        m.put("instance-type", i -> List.of(i.instanceType()));
        m.put("instance.group-id", i -> primaryGroups(FilterScope.get(), i));
        m.put("instance.group-name", i -> groupNames(FilterScope.get(), i));
        m.put("group-id", i -> primaryGroups(FilterScope.get(), i));
        m.put("group-name", i -> groupNames(FilterScope.get(), i));
        m.put("ip-address", i -> {
            NetworkInterfaces.Eni e = primary(FilterScope.get(), i);
            return e == null ? List.of() : Vpcs.opt(e.publicIp());
        });
        m.put("ipv6-address", i -> {
            NetworkInterfaces.Eni e = primary(FilterScope.get(), i);
            return e == null ? List.of() : e.ipv6();
        });
        m.put("kernel-id", i -> Vpcs.opt(i.kernelId()));
        m.put("key-name", i -> Vpcs.opt(i.launch().keyName()));
        m.put("launch-index", i -> List.of(Integer.toString(i.launch().amiLaunchIndex())));
        m.put("launch-time", i -> List.of(i.launch().launchTime().toString()));
        m.put("metadata-options.http-tokens", i -> List.of(i.launch().httpTokens()));
        m.put("metadata-options.http-put-response-hop-limit", i -> List.of(Integer.toString(i.launch().httpPutResponseHopLimit())));
        m.put("metadata-options.http-endpoint", i -> List.of(i.launch().httpEndpoint()));
        m.put("metadata-options.instance-metadata-tags", i -> List.of(i.launch().instanceMetadataTags()));
        m.put("monitoring-state", i -> List.of(i.attrs().monitoring() ? "enabled" : "disabled"));
        m.put("network-interface.network-interface-id", i -> i.eniIds());
        m.put("network-interface.subnet-id", i -> enis(FilterScope.get(), i, NetworkInterfaces.Eni::subnetId));
        m.put("network-interface.vpc-id", i -> enis(FilterScope.get(), i, NetworkInterfaces.Eni::vpcId));
        m.put("network-interface.private-ip-address", i -> enis(FilterScope.get(), i, NetworkInterfaces.Eni::privateIp));
        m.put("network-interface.mac-address", i -> enis(FilterScope.get(), i, NetworkInterfaces.Eni::mac));
        m.put("network-interface.status", i -> enis(FilterScope.get(), i, NetworkInterfaces.Eni::status));
        m.put("network-interface.group-id", i -> primaryGroups(FilterScope.get(), i));
        m.put("network-interface.attachment.device-index", i -> enis(FilterScope.get(), i, e -> String.valueOf(e.deviceIndex())));
        m.put("network-interface.association.public-ip", i -> enis(FilterScope.get(), i, NetworkInterfaces.Eni::publicIp));
        m.put("network-interface.association.allocation-id", i -> enis(FilterScope.get(), i, NetworkInterfaces.Eni::allocationId));
        m.put("network-interface.source-dest-check", i -> enis(FilterScope.get(), i, e -> Boolean.toString(e.sourceDestCheck())));
        m.put("network-interface.interface-type", i -> enis(FilterScope.get(), i, NetworkInterfaces.Eni::interfaceType));
        m.put("owner-id", i -> List.of(FilterScope.get().account()));
        m.put("placement-group-name", i -> Vpcs.opt(i.launch().placementGroup()));
        m.put("placement-partition-number", i -> i.launch().partitionNumber() == null ? List.of() : List.of(i.launch().partitionNumber().toString()));
        m.put("platform", i -> Vpcs.opt(i.platform()));
        m.put("platform-details", i -> Vpcs.opt(i.launch().platformDetails()));
        m.put("private-dns-name", i -> List.of(Ec2State.privateDnsName(FilterScope.get().region(), i.launch().privateIp())));
        m.put("private-ip-address", i -> List.of(i.launch().privateIp()));
        m.put("product-code", i -> List.of());
        m.put("reason", i -> Vpcs.opt(i.transitionReason()));
        m.put("requester-id", i -> List.of());
        m.put("reservation-id", i -> List.of(i.reservationId()));
        m.put("root-device-name", i -> Vpcs.opt(i.rootDeviceName()));
        m.put("root-device-type", i -> List.of(i.rootDeviceType()));
        m.put("source-dest-check", i -> enis(FilterScope.get(), i, e -> Boolean.toString(e.sourceDestCheck())).stream().limit(1).toList());
        m.put("spot-instance-request-id", i -> st.spotLookup == null ? List.of() : Vpcs.opt(st.spotLookup.spotRequestId(FilterScope.get(), i.id())));
        m.put("sriov-net-support", i -> Vpcs.opt(i.sriovNetSupport()));
        m.put("state-reason-code", i -> Vpcs.opt(i.reasonCode()));
        m.put("state-reason-message", i -> Vpcs.opt(i.reasonMessage()));
        m.put("subnet-id", i -> List.of(i.launch().subnetId()));
        m.put("tenancy", i -> List.of(i.launch().tenancy()));
        m.put("usage-operation", i -> Vpcs.opt(i.launch().usageOperation()));
        m.put("virtualization-type", i -> List.of(i.virtualizationType()));
        m.put("vpc-id", i -> List.of(i.launch().vpcId()));
        m.put("tag:", i -> st.tags.pairs(FilterScope.get(), i.id()));
        m.put("tag-key", i -> st.tags.keys(FilterScope.get(), i.id()));
        m.put("tag-value", i -> st.tags.values(FilterScope.get(), i.id()));
        return m;
    }

    private List<String> enis(Scope s, Inst i, Function<NetworkInterfaces.Eni, String> f) {
        List<String> out = new ArrayList<>();
        for (String id : i.eniIds()) {
            NetworkInterfaces.Eni e = st.networkInterfaces.get(s, id);
            if (e == null) continue;
            String v = f.apply(e);
            if (v != null) out.add(v);
        }
        return out;
    }

    private List<String> groupNames(Scope s, Inst i) {
        List<String> out = new ArrayList<>();
        for (String g : primaryGroups(s, i)) {
            SecurityGroups.Group grp = st.securityGroups.get(s, g);
            if (grp != null) out.add(grp.name());
        }
        return out;
    }

    software.amazon.awssdk.services.ec2.model.Instance toSdk(Scope s, Inst i) {
        Launch l = i.launch();
        NetworkInterfaces.Eni p = primary(s, i);
        String publicIp = p == null ? null : p.publicIp();
        boolean terminated = i.state().equals("terminated");
        List<GroupIdentifier> groups = primaryGroups(s, i).stream().map(g -> group(s, g)).toList();
        var b = software.amazon.awssdk.services.ec2.model.Instance.builder()
                .instanceId(i.id()).imageId(l.imageId()).instanceType(i.instanceType()).state(state(i.state()))
                .privateDnsName(terminated ? "" : Ec2State.privateDnsName(s.region(), l.privateIp()))
                .publicDnsName(publicIp == null ? "" : Ec2State.publicDnsName(s.region(), publicIp))
                .stateTransitionReason(i.transitionReason() == null ? "" : i.transitionReason())
                .keyName(l.keyName()).amiLaunchIndex(l.amiLaunchIndex()).launchTime(l.launchTime())
                .placement(Placement.builder().availabilityZone(l.az()).groupName(l.placementGroup() == null ? "" : l.placementGroup())
                        .tenancy(l.tenancy()).hostId(l.hostId()).partitionNumber(l.partitionNumber()).build())
                .monitoring(Monitoring.builder().state(i.attrs().monitoring() ? "enabled" : "disabled").build())
                .subnetId(terminated ? null : l.subnetId()).vpcId(terminated ? null : l.vpcId())
                .privateIpAddress(terminated ? null : l.privateIp()).publicIpAddress(publicIp)
                .architecture(l.architecture()).rootDeviceType(l.rootDeviceType()).rootDeviceName(l.rootDeviceName())
                .virtualizationType(l.virtualizationType()).hypervisor(l.hypervisor()).platform(l.platform())
                .platformDetails(l.platformDetails()).usageOperation(l.usageOperation()).usageOperationUpdateTime(l.launchTime())
                .kernelId(l.kernelId()).clientToken(l.clientToken() == null ? "" : l.clientToken())
                .ebsOptimized(i.attrs().ebsOptimized()).enaSupport(i.enaSupport()).sriovNetSupport(i.sriovNetSupport())
                .sourceDestCheck(p == null || p.sourceDestCheck()).bootMode(l.bootMode())
                .currentInstanceBootMode(l.bootMode() == null || l.bootMode().startsWith("uefi") && !l.architecture().equals("arm64")
                        && !"uefi".equals(l.bootMode()) ? "legacy-bios" : "uefi")
                .securityGroups(groups)
                .blockDeviceMappings(i.blockDevices().stream().map(d -> InstanceBlockDeviceMapping.builder().deviceName(d.deviceName())
                        .ebs(EbsInstanceBlockDevice.builder().volumeId(d.volumeId()).status("attached").attachTime(d.attachTime())
                                .deleteOnTermination(d.deleteOnTermination()).build()).build()).toList())
                .networkInterfaces(i.eniIds().stream().map(id -> st.networkInterfaces.get(s, id)).filter(Objects::nonNull)
                        .map(e -> eniToSdk(s, e)).toList())
                .metadataOptions(InstanceMetadataOptionsResponse.builder().state("applied").httpTokens(l.httpTokens())
                        .httpPutResponseHopLimit(l.httpPutResponseHopLimit()).httpEndpoint(l.httpEndpoint())
                        .httpProtocolIpv6(l.httpProtocolIpv6()).instanceMetadataTags(l.instanceMetadataTags()).build())
                .tags(st.tags.sdk(s, i.id()));
        if (l.iamProfileArn() != null) b.iamInstanceProfile(IamInstanceProfile.builder().arn(l.iamProfileArn()).id(l.iamProfileId()).build());
        if (i.reasonCode() != null) b.stateReason(StateReason.builder().code(i.reasonCode()).message(i.reasonMessage()).build());
        if (p != null && !p.ipv6().isEmpty()) b.ipv6Address(p.ipv6().get(0));
        b.maintenanceOptions(software.amazon.awssdk.services.ec2.model.InstanceMaintenanceOptions.builder()
                .autoRecovery(i.autoRecovery() == null ? "default" : i.autoRecovery()).build());
        software.amazon.awssdk.services.ec2.model.Instance out = b.build();
        for (Ec2State.InstanceView v : st.instanceViews) out = v.decorate(s, i, out);
        return out;
    }

    private GroupIdentifier group(Scope s, String id) {
        SecurityGroups.Group g = st.securityGroups.get(s, id);
        return GroupIdentifier.builder().groupId(id).groupName(g == null ? null : g.name()).build();
    }

    private InstanceNetworkInterface eniToSdk(Scope s, NetworkInterfaces.Eni e) {
        InstanceNetworkInterfaceAssociation assoc = e.publicIp() == null ? null : InstanceNetworkInterfaceAssociation.builder()
                .publicIp(e.publicIp()).publicDnsName(Ec2State.publicDnsName(s.region(), e.publicIp()))
                .ipOwnerId(e.allocationId() != null ? s.account() : "amazon").build();
        List<InstancePrivateIpAddress> ips = new ArrayList<>();
        ips.add(InstancePrivateIpAddress.builder().privateIpAddress(e.privateIp()).primary(true)
                .privateDnsName(Ec2State.privateDnsName(s.region(), e.privateIp())).association(assoc).build());
        for (String ip : e.secondaryIps()) {
            ips.add(InstancePrivateIpAddress.builder().privateIpAddress(ip).primary(false).privateDnsName(Ec2State.privateDnsName(s.region(), ip)).build());
        }
        return InstanceNetworkInterface.builder().networkInterfaceId(e.id()).subnetId(e.subnetId()).vpcId(e.vpcId())
                .description(e.description()).ownerId(s.account()).status(e.status()).macAddress(e.mac())
                .privateIpAddress(e.privateIp()).privateDnsName(Ec2State.privateDnsName(s.region(), e.privateIp()))
                .sourceDestCheck(e.sourceDestCheck()).interfaceType(e.interfaceType())
                .groups(e.groupIds().stream().map(g -> group(s, g)).toList())
                .attachment(e.attachmentId() == null ? null : InstanceNetworkInterfaceAttachment.builder().attachmentId(e.attachmentId())
                        .deviceIndex(e.deviceIndex()).networkCardIndex(0).status("attached").attachTime(e.attachTime())
                        .deleteOnTermination(e.deleteOnTermination()).build())
                .association(assoc).privateIpAddresses(ips)
                .ipv6Addresses(e.ipv6().stream().map(a -> InstanceIpv6Address.builder().ipv6Address(a).build()).toList()).build();
    }

    // ------------------------------------------------------------------ attributes, console, monitoring

    DescribeInstanceAttributeResponse describeInstanceAttribute(Call call, DescribeInstanceAttributeRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeInstanceAttribute");
        Scope s = st.scope(call);
        Inst i = find(s, List.of(String.valueOf(req.instanceId()))).get(0);
        DescribeInstanceAttributeResponse.Builder b = DescribeInstanceAttributeResponse.builder().instanceId(i.id());
        String attr = req.attributeAsString();
        switch (attr == null ? "" : attr) {
            case "instanceType" -> b.instanceType(AttributeValue.builder().value(i.instanceType()).build());
            case "kernel" -> b.kernelId(AttributeValue.builder().value(i.kernelId()).build());
            case "ramdisk" -> b.ramdiskId(AttributeValue.builder().build());
            case "userData" -> b.userData(AttributeValue.builder().value(i.attrs().userData()).build());
            case "disableApiTermination" -> b.disableApiTermination(AttributeBooleanValue.builder().value(i.attrs().disableApiTermination()).build());
            case "disableApiStop" -> b.disableApiStop(AttributeBooleanValue.builder().value(i.attrs().disableApiStop()).build());
            case "instanceInitiatedShutdownBehavior" -> b.instanceInitiatedShutdownBehavior(AttributeValue.builder().value(i.attrs().shutdownBehavior()).build());
            case "rootDeviceName" -> b.rootDeviceName(AttributeValue.builder().value(i.rootDeviceName()).build());
            case "blockDeviceMapping" -> b.blockDeviceMappings(toSdk(s, i).blockDeviceMappings());
            case "productCodes" -> b.productCodes(List.of());
            case "sourceDestCheck" -> {
                NetworkInterfaces.Eni e = primary(s, i);
                b.sourceDestCheck(AttributeBooleanValue.builder().value(e == null || e.sourceDestCheck()).build());
            }
            case "groupSet" -> b.groups(primaryGroups(s, i).stream().map(g -> group(s, g)).toList());
            case "ebsOptimized" -> b.ebsOptimized(AttributeBooleanValue.builder().value(i.attrs().ebsOptimized()).build());
            case "sriovNetSupport" -> b.sriovNetSupport(AttributeValue.builder().value(i.sriovNetSupport()).build());
            case "enaSupport" -> b.enaSupport(AttributeBooleanValue.builder().value(i.enaSupport()).build());
            case "enclaveOptions" -> b.enclaveOptions(software.amazon.awssdk.services.ec2.model.EnclaveOptions.builder().enabled(false).build());
            default -> throw Ec2Errors.invalidParameterValue("Value (" + attr + ") for parameter attribute is invalid. Unknown attribute.");
        }
        return b.build();
    }

    ModifyInstanceAttributeResponse modifyInstanceAttribute(Call call, ModifyInstanceAttributeRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ModifyInstanceAttribute");
        Scope s = st.scope(call);
        Inst i = find(s, List.of(String.valueOf(req.instanceId()))).get(0);
        if (i.state().equals("terminated") || i.state().equals("shutting-down")) {
            throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in a state from which it can be modified.");
        }
        String attr = req.attributeAsString();
        String value = req.value();
        Attrs a = i.attrs();
        String newType = req.instanceType() != null ? req.instanceType().value() : "instanceType".equals(attr) ? value : null;
        String userData = req.userData() != null && req.userData().value() != null ? Base64.getEncoder().encodeToString(req.userData().value().asByteArray()) : "userData".equals(attr) ? value : null;
        Boolean ena = req.enaSupport() != null ? req.enaSupport().value() : "enaSupport".equals(attr) ? Boolean.valueOf(value) : null;
        String sriov = req.sriovNetSupport() != null ? req.sriovNetSupport().value() : "sriovNetSupport".equals(attr) ? value : null;
        Boolean ebsOpt = req.ebsOptimized() != null ? req.ebsOptimized().value() : "ebsOptimized".equals(attr) ? Boolean.valueOf(value) : null;
        boolean needsStopped = newType != null || userData != null || ena != null || sriov != null || ebsOpt != null;
        if (needsStopped && !i.state().equals("stopped")) {
            throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in the 'stopped' state.");
        }
        Inst next = i;
        if (newType != null) {
            InstanceTypes.Facts f = st.catalog.type(newType);
            if (f == null) throw Ec2Errors.invalidParameterValue("Invalid value '" + newType + "' for InstanceType.");
            if (!f.architectures().contains(i.architecture()) || (i.virtualizationType().equals("paravirtual") && !f.paravirtual())) {
                checkCompatible(f, i.architecture(), i.virtualizationType(), true, i.platform(), i.imageId(), i.id());
            }
            if (i.rootDeviceType().equals("instance-store")) {
                throw Ec2Errors.unsupportedOperation("The instance '" + i.id() + "' does not have an 'ebs' root device type.");
            }
            next = next.withType(newType);
        }
        if (userData != null) a = new Attrs(userData, a.disableApiTermination(), a.disableApiStop(), a.shutdownBehavior(), a.enaSupport(), a.sriovNetSupport(), a.ebsOptimized(), a.monitoring());
        if (ena != null) a = new Attrs(a.userData(), a.disableApiTermination(), a.disableApiStop(), a.shutdownBehavior(), ena, a.sriovNetSupport(), a.ebsOptimized(), a.monitoring());
        if (sriov != null) {
            if (!sriov.equals("simple")) throw Ec2Errors.invalidParameterValue("Invalid value '" + sriov + "' for sriovNetSupport. The only valid value is simple.");
            a = new Attrs(a.userData(), a.disableApiTermination(), a.disableApiStop(), a.shutdownBehavior(), a.enaSupport(), sriov, a.ebsOptimized(), a.monitoring());
        }
        if (ebsOpt != null) a = new Attrs(a.userData(), a.disableApiTermination(), a.disableApiStop(), a.shutdownBehavior(), a.enaSupport(), a.sriovNetSupport(), ebsOpt, a.monitoring());
        Boolean dat = req.disableApiTermination() != null ? req.disableApiTermination().value() : "disableApiTermination".equals(attr) ? Boolean.valueOf(value) : null;
        if (dat != null) a = new Attrs(a.userData(), dat, a.disableApiStop(), a.shutdownBehavior(), a.enaSupport(), a.sriovNetSupport(), a.ebsOptimized(), a.monitoring());
        Boolean das = req.disableApiStop() != null ? req.disableApiStop().value() : "disableApiStop".equals(attr) ? Boolean.valueOf(value) : null;
        if (das != null) a = new Attrs(a.userData(), a.disableApiTermination(), das, a.shutdownBehavior(), a.enaSupport(), a.sriovNetSupport(), a.ebsOptimized(), a.monitoring());
        String sb = req.instanceInitiatedShutdownBehavior() != null ? req.instanceInitiatedShutdownBehavior().value()
                : "instanceInitiatedShutdownBehavior".equals(attr) ? value : null;
        if (sb != null) {
            if (!sb.equals("stop") && !sb.equals("terminate")) throw Ec2Errors.invalidParameterValue("Invalid value '" + sb + "' for instanceInitiatedShutdownBehavior.");
            if (sb.equals("stop") && i.rootDeviceType().equals("instance-store")) {
                throw Ec2Errors.invalidParameterCombination("The attribute instanceInitiatedShutdownBehavior can only be used for elastic images.");
            }
            a = new Attrs(a.userData(), a.disableApiTermination(), a.disableApiStop(), sb, a.enaSupport(), a.sriovNetSupport(), a.ebsOptimized(), a.monitoring());
        }
        next = next.withAttrs(a);
        Boolean sdc = req.sourceDestCheck() != null ? req.sourceDestCheck().value() : "sourceDestCheck".equals(attr) ? Boolean.valueOf(value) : null;
        NetworkInterfaces.Eni p = primary(s, i);
        if (p != null && (sdc != null || (req.hasGroups() && !req.groups().isEmpty()))) {
            NetworkInterfaces.Eni e = p;
            if (req.hasGroups() && !req.groups().isEmpty()) {
                for (String g : req.groups()) {
                    SecurityGroups.Group grp = st.securityGroups.get(s, g);
                    if (grp == null) throw new AwsException("InvalidGroup.NotFound", "The security group '" + g + "' does not exist", 400);
                }
                e = e.withGroups(List.copyOf(req.groups()));
            }
            if (sdc != null) e = e.withAttributes(e.description(), sdc, e.deleteOnTermination());
            st.networkInterfaces.put(s, e.id(), e);
        }
        if (req.hasBlockDeviceMappings() && !req.blockDeviceMappings().isEmpty()) {
            List<BlockDev> devs = new ArrayList<>(next.blockDevices());
            for (var m : req.blockDeviceMappings()) {
                for (int k = 0; k < devs.size(); k++) {
                    BlockDev d = devs.get(k);
                    if (d.deviceName().equals(m.deviceName()) && m.ebs() != null && m.ebs().deleteOnTermination() != null) {
                        devs.set(k, new BlockDev(d.deviceName(), d.volumeId(), m.ebs().deleteOnTermination(), d.attachTime()));
                        st.volumes.update(s, d.volumeId(), v -> v == null ? null : v.withDeleteOnTermination(m.ebs().deleteOnTermination()));
                    }
                }
            }
            next = next.withBlockDevices(devs);
        }
        Inst fin = next;
        st.instances.update(s, i.id(), old -> old == null ? null : fin.withState(old.state(), old.deadline(), old.transitionReason(),
                old.reasonCode(), old.reasonMessage()));
        return ModifyInstanceAttributeResponse.builder().build();
    }

    GetConsoleOutputResponse getConsoleOutput(Call call, GetConsoleOutputRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "GetConsoleOutput");
        Scope s = st.scope(call);
        Inst i = find(s, List.of(String.valueOf(req.instanceId()))).get(0);
        GetConsoleOutputResponse.Builder b = GetConsoleOutputResponse.builder().instanceId(i.id()).timestamp(call.now());
        if (i.lastBoot() == null) return b.build();
        String text = consoleLog(s, i);
        return b.output(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))).build();
    }

    /** A boot log in the shape of a cloud image's serial console, for the last boot. */
    private String consoleLog(Scope s, Inst i) {
        DateTimeFormatter ts = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        String host = Ec2State.privateDnsName(s.region(), i.launch().privateIp());
        if ("windows".equals(i.platform())) {
            return ts.format(i.lastBoot()) + " Windows sysprep configuration complete.\r\n"
                    + ts.format(i.lastBoot()) + " Message: Windows is Ready to use\r\n";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("[    0.000000] Linux version 6.1.119-129.201.amzn2023.").append(i.architecture()).append(" (mockbuild@ip-10-0-1-1) #1 SMP\n");
        sb.append("[    0.000000] Command line: BOOT_IMAGE=(hd0,gpt1)/boot/vmlinuz root=UUID=").append(i.id()).append(" ro console=tty0 console=ttyS0,115200n8\n");
        sb.append("[    1.210000] systemd[1]: Hostname set to <").append(host.substring(0, host.indexOf('.'))).append(">.\n");
        sb.append("[    3.520000] cloud-init[1601]: Cloud-init v. 22.2.2 running 'init' at ").append(ts.format(i.lastBoot())).append(". Up 3.52 seconds.\n");
        sb.append("[    3.610000] cloud-init[1601]: ci-info: | eth0 | True | ").append(i.launch().privateIp()).append(" |\n");
        if (i.attrs().userData() != null) sb.append("[    4.020000] cloud-init[1720]: running user-data scripts (part-001)\n");
        if (i.launch().keyName() != null) {
            sb.append("[    4.100000] cloud-init[1720]: Authorized keys from /home/ec2-user/.ssh/authorized_keys for key ")
                    .append(i.launch().keyName()).append('\n');
        }
        sb.append("[    5.000000] cloud-init[1802]: Cloud-init v. 22.2.2 finished at ").append(ts.format(i.lastBoot().plusSeconds(5)))
                .append(". Datasource DataSourceEc2.  Up 5.00 seconds\n");
        sb.append("\n").append(host.substring(0, host.indexOf('.'))).append(" login: \n");
        return sb.toString();
    }

    MonitorInstancesResponse monitorInstances(Call call, MonitorInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "MonitorInstances");
        return MonitorInstancesResponse.builder().instanceMonitorings(setMonitoring(call, req.instanceIds(), true)).build();
    }

    UnmonitorInstancesResponse unmonitorInstances(Call call, UnmonitorInstancesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "UnmonitorInstances");
        return UnmonitorInstancesResponse.builder().instanceMonitorings(setMonitoring(call, req.instanceIds(), false)).build();
    }

    private List<InstanceMonitoring> setMonitoring(Call call, List<String> ids, boolean on) {
        Scope s = st.scope(call);
        List<InstanceMonitoring> out = new ArrayList<>();
        for (Inst i : find(s, ids)) {
            if (i.state().equals("terminated") || i.state().equals("shutting-down")) {
                throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in a state from which it can be monitored.");
            }
            st.instances.update(s, i.id(), old -> {
                Attrs a = old.attrs();
                return old.withAttrs(new Attrs(a.userData(), a.disableApiTermination(), a.disableApiStop(), a.shutdownBehavior(),
                        a.enaSupport(), a.sriovNetSupport(), a.ebsOptimized(), on));
            });
            out.add(InstanceMonitoring.builder().instanceId(i.id())
                    .monitoring(Monitoring.builder().state(on ? "pending" : "disabling").build()).build());
        }
        return out;
    }
}
