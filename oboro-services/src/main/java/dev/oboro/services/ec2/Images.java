package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.CopyImageResponse;
import software.amazon.awssdk.services.ec2.model.CreateImageRequest;
import software.amazon.awssdk.services.ec2.model.CreateImageResponse;
import software.amazon.awssdk.services.ec2.model.DeregisterImageRequest;
import software.amazon.awssdk.services.ec2.model.DeregisterImageResponse;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeResponse;
import software.amazon.awssdk.services.ec2.model.ProductCode;
import software.amazon.awssdk.services.ec2.model.RegisterImageRequest;
import software.amazon.awssdk.services.ec2.model.RegisterImageResponse;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * AMIs: the public catalog ({@link PublicImages}) and the account's own images, which become
 * {@code available} once their snapshots complete on Oboro's clock. Launch permissions share an
 * image with other accounts or make it public.
 */
final class Images {
    record Bdm(String deviceName, String virtualName, String snapshotId, Integer volumeSize, String volumeType,
               Boolean deleteOnTermination, Boolean encrypted, Integer iops, Integer throughput) {
    }

    record Ami(String id, String ownerId, String ownerAlias, String name, String description, String architecture,
               String virtualizationType, String rootDeviceType, String rootDeviceName, List<Bdm> blockDevices, boolean enaSupport,
               String sriovNetSupport, String platform, String platformDetails, String usageOperation, String kernelId,
               String imageLocation, String bootMode, String imdsSupport, Instant creationDate, Instant readyAt, boolean isPublic,
               List<String> launchUserIds, String sourceInstanceId, String sourceImageId, String sourceImageRegion, String productCode) {
        String state(Instant now) {
            return now.isBefore(readyAt) ? "pending" : "available";
        }

        Ami withPermissions(boolean pub, List<String> users) {
            return with(description, imdsSupport, pub, users);
        }

        Ami withDescription(String d) {
            return with(d, imdsSupport, isPublic, launchUserIds);
        }

        Ami withImds(String imds) {
            return with(description, imds, isPublic, launchUserIds);
        }

        /** This image with what users may change of it: its description, IMDS support and launch permissions. */
        private Ami with(String d, String imds, boolean pub, List<String> users) {
            return new Ami(id, ownerId, ownerAlias, name, d, architecture, virtualizationType, rootDeviceType, rootDeviceName,
                    blockDevices, enaSupport, sriovNetSupport, platform, platformDetails, usageOperation, kernelId, imageLocation, bootMode,
                    imds, creationDate, readyAt, pub, users, sourceInstanceId, sourceImageId, sourceImageRegion, productCode);
        }
    }

    /** An image as a caller sees it, with the scope its tags live in. */
    record Seen(Ami ami, Scope ownerScope) {
    }

    /** CreateImage and CopyImage images are pending until their snapshots complete. */
    static final Duration IMAGE_CREATION = Volumes.SNAPSHOT_TIME;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9()\\[\\] ./\\-'@_]{3,128}");
    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private final Ec2State st;
    private final Filters<Seen> filters;

    Images(Ec2State st) {
        this.st = st;
        filters = new Filters<>(Map.<String, Function<Seen, Collection<String>>>ofEntries(
                Map.entry("architecture", a -> List.of(a.ami().architecture())),
                Map.entry("block-device-mapping.delete-on-termination", a -> bdms(a, b -> b.deleteOnTermination() == null ? null : b.deleteOnTermination().toString())),
                Map.entry("block-device-mapping.device-name", a -> bdms(a, Bdm::deviceName)),
                Map.entry("block-device-mapping.snapshot-id", a -> bdms(a, Bdm::snapshotId)),
                Map.entry("block-device-mapping.volume-size", a -> bdms(a, b -> b.volumeSize() == null ? null : b.volumeSize().toString())),
                Map.entry("block-device-mapping.volume-type", a -> bdms(a, Bdm::volumeType)),
                Map.entry("block-device-mapping.encrypted", a -> bdms(a, b -> b.encrypted() == null ? null : b.encrypted().toString())),
                Map.entry("creation-date", a -> List.of(ISO_MILLIS.format(a.ami().creationDate()))),
                Map.entry("description", a -> Vpcs.opt(a.ami().description())),
                Map.entry("ena-support", a -> List.of(Boolean.toString(a.ami().enaSupport()))),
                Map.entry("hypervisor", a -> List.of("xen")),
                Map.entry("image-id", a -> List.of(a.ami().id())),
                Map.entry("image-type", a -> List.of("machine")),
                Map.entry("imds-support", a -> Vpcs.opt(a.ami().imdsSupport())),
                Map.entry("is-public", a -> List.of(Boolean.toString(a.ami().isPublic()))),
                Map.entry("kernel-id", a -> Vpcs.opt(a.ami().kernelId())),
                Map.entry("manifest-location", a -> Vpcs.opt(a.ami().imageLocation())),
                Map.entry("name", a -> Vpcs.opt(a.ami().name())),
                Map.entry("owner-alias", a -> Vpcs.opt(a.ami().ownerAlias())),
                Map.entry("owner-id", a -> List.of(a.ami().ownerId())),
                Map.entry("platform", a -> Vpcs.opt(a.ami().platform())),
                Map.entry("platform-details", a -> Vpcs.opt(a.ami().platformDetails())),
                Map.entry("product-code", a -> Vpcs.opt(a.ami().productCode())),
                Map.entry("root-device-name", a -> Vpcs.opt(a.ami().rootDeviceName())),
                Map.entry("root-device-type", a -> List.of(a.ami().rootDeviceType())),
                Map.entry("source-instance-id", a -> Vpcs.opt(a.ami().sourceInstanceId())),
                Map.entry("sriov-net-support", a -> Vpcs.opt(a.ami().sriovNetSupport())),
                Map.entry("state", a -> List.of(a.ami().state(st.oboro.clock().instant()))),
                Map.entry("usage-operation", a -> Vpcs.opt(a.ami().usageOperation())),
                Map.entry("virtualization-type", a -> List.of(a.ami().virtualizationType())),
                Map.entry("tag:", a -> a.ownerScope() == null ? List.of() : st.tags.pairs(a.ownerScope(), a.ami().id())),
                Map.entry("tag-key", a -> a.ownerScope() == null ? List.of() : st.tags.keys(a.ownerScope(), a.ami().id())),
                Map.entry("tag-value", a -> a.ownerScope() == null ? List.of() : st.tags.values(a.ownerScope(), a.ami().id()))));
    }

    private static List<String> bdms(Seen a, Function<Bdm, String> f) {
        return a.ami().blockDevices().stream().map(f).filter(Objects::nonNull).toList();
    }

    /** Every image the caller may launch in its region: public ones, its own, and those shared with it. */
    List<Seen> visible(Scope s) {
        Map<String, Seen> out = new LinkedHashMap<>();
        for (Ami a : PublicImages.in(s.region())) out.put(a.id(), new Seen(a, null));
        for (Scope o : st.images.scopes()) {
            if (!o.region().equals(s.region())) continue;
            for (Ami a : st.images.values(o)) {
                if (o.equals(s) || a.isPublic() || a.launchUserIds().contains(s.account())) out.put(a.id(), new Seen(a, o));
            }
        }
        return new ArrayList<>(out.values());
    }

    /** An image the caller can see, or the error AWS gives. */
    Seen find(Scope s, String id) {
        Ec2Errors.checkId(id, "ami", "InvalidAMIID.Malformed");
        Ami pub = PublicImages.find(s.region(), id);
        if (pub != null) return new Seen(pub, null);
        Ami own = st.images.get(s, id);
        if (own != null) return new Seen(own, s);
        for (Scope o : st.images.scopes()) {
            if (!o.region().equals(s.region())) continue;
            Ami a = st.images.get(o, id);
            if (a != null && (a.isPublic() || a.launchUserIds().contains(s.account()))) return new Seen(a, o);
        }
        throw new AwsException("InvalidAMIID.NotFound", "The image id '[" + id + "]' does not exist", 400);
    }

    private Ami own(Scope s, String id) {
        Seen seen = find(s, id);
        if (seen.ownerScope() == null || !seen.ownerScope().equals(s)) {
            throw new AwsException("AuthFailure", "Not authorized for image:" + id, 400);
        }
        return seen.ami();
    }

    DescribeImagesResponse describeImages(Call call, DescribeImagesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeImages");
        Scope s = st.scope(call);
        List<Seen> all = visible(s);
        if (req.hasImageIds() && !req.imageIds().isEmpty()) {
            for (String id : req.imageIds()) find(s, id);
            all.removeIf(a -> !req.imageIds().contains(a.ami().id()));
        }
        if (req.hasOwners() && !req.owners().isEmpty()) {
            for (String o : req.owners()) {
                if (!List.of("self", "amazon", "aws-marketplace", "aws-backup-vault").contains(o) && !o.matches("\\d{12}")) {
                    throw new AwsException("InvalidUserID.Malformed", "Invalid user id: \"" + o + "\"", 400);
                }
            }
            all.removeIf(a -> req.owners().stream().noneMatch(o -> switch (o) {
                case "self" -> a.ami().ownerId().equals(s.account());
                case "amazon", "aws-marketplace", "aws-backup-vault" -> o.equals(a.ami().ownerAlias());
                default -> o.equals(a.ami().ownerId());
            }));
        }
        if (req.hasExecutableUsers() && !req.executableUsers().isEmpty()) {
            all.removeIf(a -> req.executableUsers().stream().noneMatch(u -> switch (u) {
                case "all" -> a.ami().isPublic();
                case "self" -> a.ami().ownerId().equals(s.account()) || a.ami().launchUserIds().contains(s.account());
                default -> a.ami().launchUserIds().contains(u) || a.ami().ownerId().equals(u);
            }));
        }
        List<Seen> matched = new ArrayList<>(FilterScope.in(s, () -> filters.apply(req.filters(), all)));
        matched.sort((a, b) -> a.ami().id().compareTo(b.ami().id()));
        DescribeImagesResponse.Builder b = DescribeImagesResponse.builder();
        Pagination.Page<Seen> page = Paging.page(call, req, matched, a -> a.ami().id(), b);
        return b.images(page.items().stream().map(a -> toSdk(call, a)).toList()).build();
    }

    CreateImageResponse createImage(Call call, CreateImageRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateImage");
        Scope s = st.scope(call);
        Instances.Inst i = st.instances.get(s, req.instanceId());
        if (i == null || i.state().equals("terminated")) {
            throw Ec2Errors.notFound("InvalidInstanceID.NotFound", "instance", String.valueOf(req.instanceId()));
        }
        if (!i.rootDeviceType().equals("ebs")) {
            // instance-store-backed AMIs are made by bundling the volume and RegisterImage with the manifest
            throw Ec2Errors.unsupportedOperation("The instance '" + i.id() + "' does not have an 'ebs' root device type and cannot be used to create an image.");
        }
        if (!i.state().equals("running") && !i.state().equals("stopped")) {
            throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in a state from which it can be imaged.");
        }
        checkName(s, req.name());
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("image", "snapshot"));
        String id = Ids.ec2("ami");
        Instant now = call.now();
        List<Bdm> bdms = new ArrayList<>();
        for (Instances.BlockDev d : i.blockDevices()) {
            Volumes.Vol v = st.volumes.get(s, d.volumeId());
            if (v == null) continue;
            Volumes.Snap snap = Volumes.snapshotForImage(st, s, v.id(), v.size(), v.encrypted(), v.kmsKeyId(),
                    "Created by CreateImage(" + i.id() + ") for " + id, now);
            st.tags.apply(s, req.tagSpecifications(), "snapshot", snap.id());
            bdms.add(new Bdm(v.device(), null, snap.id(), v.size(), v.type(), v.deleteOnTermination(), v.encrypted(), v.iops(), v.throughput()));
        }
        bdms.sort((a, b) -> a.deviceName().compareTo(b.deviceName()));
        Seen source = findQuietly(s, i.imageId());
        Ami src = source == null ? null : source.ami();
        Ami a = new Ami(id, s.account(), null, req.name(), req.description(), i.architecture(), i.virtualizationType(), "ebs",
                i.rootDeviceName(), bdms, i.enaSupport(), i.sriovNetSupport(), i.platform(),
                src == null ? "Linux/UNIX" : src.platformDetails(), src == null ? "RunInstances" : src.usageOperation(), i.kernelId(),
                s.account() + "/" + req.name(), src == null ? null : src.bootMode(), src == null ? null : src.imdsSupport(), now,
                now.plus(IMAGE_CREATION), false, List.of(), i.id(), null, null, null);
        st.images.put(s, id, a);
        st.tags.apply(s, req.tagSpecifications(), "image", id);
        if (!Boolean.TRUE.equals(req.noReboot())) Instances.noteReboot(st, s, i.id(), now);
        return CreateImageResponse.builder().imageId(id).build();
    }

    RegisterImageResponse registerImage(Call call, RegisterImageRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "RegisterImage");
        Scope s = st.scope(call);
        checkName(s, req.name());
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("image"));
        List<Bdm> bdms = new ArrayList<>();
        String rootType;
        if (req.imageLocation() != null && (!req.hasBlockDeviceMappings() || req.blockDeviceMappings().stream().noneMatch(b -> b.ebs() != null
                && b.deviceName() != null && b.deviceName().equals(req.rootDeviceName())))) {
            rootType = "instance-store";
            for (BlockDeviceMapping b : req.blockDeviceMappings()) {
                bdms.add(new Bdm(b.deviceName(), b.virtualName(), null, null, null, null, null, null, null));
            }
        } else {
            if (req.rootDeviceName() == null) throw Ec2Errors.missingParameter("rootDeviceName");
            rootType = "ebs";
            boolean rootFound = false;
            for (BlockDeviceMapping b : req.blockDeviceMappings()) {
                EbsBlockDevice e = b.ebs();
                if (e == null) {
                    bdms.add(new Bdm(b.deviceName(), b.virtualName(), null, null, null, null, null, null, null));
                    continue;
                }
                Integer size = e.volumeSize();
                if (e.snapshotId() != null) {
                    Volumes.Snap snap = st.snapshots.get(s, e.snapshotId());
                    if (snap == null) throw Ec2Errors.notFound("InvalidSnapshot.NotFound", "snapshot", e.snapshotId());
                    if (size == null) size = snap.size();
                }
                if (b.deviceName().equals(req.rootDeviceName())) {
                    rootFound = true;
                    if (e.snapshotId() == null) {
                        throw Ec2Errors.invalidParameterValue("The root device " + req.rootDeviceName() + " must have a snapshot.");
                    }
                }
                bdms.add(new Bdm(b.deviceName(), null, e.snapshotId(), size, e.volumeTypeAsString() == null ? "gp2" : e.volumeTypeAsString(),
                        e.deleteOnTermination() == null || e.deleteOnTermination(), Boolean.TRUE.equals(e.encrypted()), e.iops(), e.throughput()));
            }
            if (!rootFound) {
                throw Ec2Errors.invalidParameterValue("Value (" + req.rootDeviceName() + ") for parameter rootDeviceName is invalid. The root device name must be one of the block device mapping device names.");
            }
        }
        String virt = req.virtualizationType() == null ? "paravirtual" : req.virtualizationType();
        if (!virt.equals("hvm") && !virt.equals("paravirtual")) {
            throw Ec2Errors.invalidParameterValue("Invalid value '" + virt + "' for virtualizationType.");
        }
        String sriov = req.sriovNetSupport();
        if (sriov != null && !sriov.equals("simple")) throw Ec2Errors.invalidParameterValue("Invalid value '" + sriov + "' for sriovNetSupport.");
        String id = Ids.ec2("ami");
        Instant now = call.now();
        Ami a = new Ami(id, s.account(), null, req.name(), req.description(),
                req.architectureAsString() == null ? "x86_64" : req.architectureAsString(), virt, rootType,
                req.rootDeviceName() == null ? "/dev/sda1" : req.rootDeviceName(), bdms, Boolean.TRUE.equals(req.enaSupport()), sriov, null,
                "Linux/UNIX", "RunInstances", req.kernelId(), req.imageLocation() != null ? req.imageLocation() : s.account() + "/" + req.name(),
                req.bootModeAsString(), req.imdsSupportAsString(), now, now, false, List.of(), null, null, null, null);
        st.images.put(s, id, a);
        st.tags.apply(s, req.tagSpecifications(), "image", id);
        return RegisterImageResponse.builder().imageId(id).build();
    }

    DeregisterImageResponse deregisterImage(Call call, DeregisterImageRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeregisterImage");
        Scope s = st.scope(call);
        Ami a = own(s, req.imageId());
        st.images.remove(s, a.id());
        st.tags.remove(s, a.id());
        return DeregisterImageResponse.builder().returnValue(true).build();
    }

    CopyImageResponse copyImage(Call call, CopyImageRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CopyImage");
        Scope s = st.scope(call);
        if (req.sourceRegion() == null) throw Ec2Errors.missingParameter("SourceRegion");
        if (st.catalog.region(req.sourceRegion()) == null) {
            throw Ec2Errors.invalidParameterValue("Invalid region: " + req.sourceRegion());
        }
        Scope from = new Scope(s.account(), req.sourceRegion());
        Ami src = find(from, req.sourceImageId()).ami();
        checkName(s, req.name());
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("image"));
        String id = Ids.ec2("ami");
        Instant now = call.now();
        List<Bdm> bdms = new ArrayList<>();
        for (Bdm b : src.blockDevices()) {
            if (b.snapshotId() == null) {
                bdms.add(b);
                continue;
            }
            boolean encrypted = Boolean.TRUE.equals(req.encrypted()) || Boolean.TRUE.equals(b.encrypted());
            Volumes.Snap snap = Volumes.snapshotForImage(st, s, "vol-ffffffff", b.volumeSize() == null ? 8 : b.volumeSize(), encrypted,
                    req.kmsKeyId(), "Copied for DestinationAmi " + id + " from SourceAmi " + src.id() + " for SourceSnapshot "
                            + b.snapshotId() + ". Task created on " + now.toEpochMilli() + ".", now);
            bdms.add(new Bdm(b.deviceName(), null, snap.id(), b.volumeSize(), b.volumeType(), b.deleteOnTermination(), encrypted, b.iops(), b.throughput()));
        }
        Ami a = new Ami(id, s.account(), null, req.name(), req.description() != null ? req.description() : src.description(),
                src.architecture(), src.virtualizationType(), src.rootDeviceType(), src.rootDeviceName(), bdms, src.enaSupport(),
                src.sriovNetSupport(), src.platform(), src.platformDetails(), src.usageOperation(), src.kernelId(),
                s.account() + "/" + req.name(), src.bootMode(), src.imdsSupport(), now, now.plus(IMAGE_CREATION), false, List.of(), null,
                src.id(), req.sourceRegion(), src.productCode());
        st.images.put(s, id, a);
        if (Boolean.TRUE.equals(req.copyImageTags()) && src.ownerId().equals(s.account())) {
            st.tags.set(s, id, st.tags.get(from, src.id()));
        }
        st.tags.apply(s, req.tagSpecifications(), "image", id);
        return CopyImageResponse.builder().imageId(id).build();
    }

    DescribeImageAttributeResponse describeImageAttribute(Call call, DescribeImageAttributeRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeImageAttribute");
        Scope s = st.scope(call);
        Seen seen = find(s, req.imageId());
        Ami a = seen.ami();
        DescribeImageAttributeResponse.Builder b = DescribeImageAttributeResponse.builder().imageId(a.id());
        String attr = req.attributeAsString();
        switch (attr == null ? "" : attr) {
            case "description" -> b.description(AttributeValue.builder().value(a.description()).build());
            case "kernel" -> b.kernelId(AttributeValue.builder().value(a.kernelId()).build());
            case "ramdisk" -> b.ramdiskId(AttributeValue.builder().build());
            case "launchPermission" -> {
                if (seen.ownerScope() == null || !seen.ownerScope().equals(s)) throw new AwsException("AuthFailure", "Not authorized for image:" + a.id(), 400);
                List<LaunchPermission> lp = new ArrayList<>();
                if (a.isPublic()) lp.add(LaunchPermission.builder().group("all").build());
                a.launchUserIds().forEach(u -> lp.add(LaunchPermission.builder().userId(u).build()));
                b.launchPermissions(lp);
            }
            case "productCodes" -> b.productCodes(a.productCode() == null ? List.of()
                    : List.of(ProductCode.builder().productCodeId(a.productCode()).productCodeType("marketplace").build()));
            case "blockDeviceMapping" -> b.blockDeviceMappings(bdmsToSdk(a));
            case "sriovNetSupport" -> b.sriovNetSupport(AttributeValue.builder().value(a.sriovNetSupport()).build());
            case "bootMode" -> b.bootMode(AttributeValue.builder().value(a.bootMode()).build());
            case "imdsSupport" -> b.imdsSupport(AttributeValue.builder().value(a.imdsSupport()).build());
            case "deregistrationProtection" -> b.deregistrationProtection(AttributeValue.builder().value("disabled").build());
            case "lastLaunchedTime" -> b.lastLaunchedTime(AttributeValue.builder().build());
            case "tpmSupport", "uefiData" -> {
            }
            default -> throw new AwsException("InvalidRequest", "Invalid attribute " + attr, 400);
        }
        return b.build();
    }

    ModifyImageAttributeResponse modifyImageAttribute(Call call, ModifyImageAttributeRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ModifyImageAttribute");
        Scope s = st.scope(call);
        Ami a = own(s, req.imageId());
        if (req.description() != null && req.description().value() != null) a = a.withDescription(req.description().value());
        String attr = req.attribute();
        if ("description".equals(attr) && req.value() != null) a = a.withDescription(req.value());
        if ("imdsSupport".equals(attr) || req.imdsSupport() != null) {
            String v = req.imdsSupport() != null ? req.imdsSupport().value() : req.value();
            if (!"v2.0".equals(v)) throw Ec2Errors.invalidParameterValue("Invalid value '" + v + "' for imdsSupport. The only valid value is v2.0.");
            a = a.withImds(v);
        }
        boolean pub = a.isPublic();
        List<String> users = new ArrayList<>(a.launchUserIds());
        if (req.launchPermission() != null) {
            for (LaunchPermission p : req.launchPermission().add()) {
                if ("all".equals(p.groupAsString())) pub = true;
                if (p.userId() != null) addUser(users, p.userId());
            }
            for (LaunchPermission p : req.launchPermission().remove()) {
                if ("all".equals(p.groupAsString())) pub = false;
                if (p.userId() != null) users.remove(p.userId());
            }
        }
        if ("launchPermission".equals(attr)) {
            boolean add = !"remove".equals(req.operationTypeAsString());
            for (String u : req.userIds()) {
                if (add) addUser(users, u);
                else users.remove(u);
            }
            if (req.userGroups().contains("all")) pub = add;
        }
        st.images.put(s, a.id(), a.withPermissions(pub, users));
        return ModifyImageAttributeResponse.builder().build();
    }

    private static void addUser(List<String> users, String u) {
        if (!u.matches("\\d{12}")) throw new AwsException("InvalidUserID.Malformed", "Invalid user id: \"" + u + "\"", 400);
        if (!users.contains(u)) users.add(u);
    }

    private void checkName(Scope s, String name) {
        if (name == null) throw Ec2Errors.missingParameter("name");
        if (!NAME.matcher(name).matches()) {
            throw new AwsException("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'", 400);
        }
        for (Ami a : st.images.values(s)) {
            if (a.name().equals(name)) throw new AwsException("InvalidAMIName.Duplicate", "AMI name " + name + " is already in use by AMI " + a.id(), 400);
        }
    }

    private Seen findQuietly(Scope s, String id) {
        try {
            return find(s, id);
        } catch (AwsException e) {
            return null;
        }
    }

    static List<software.amazon.awssdk.services.ec2.model.BlockDeviceMapping> bdmsToSdk(Ami a) {
        return a.blockDevices().stream().map(b -> BlockDeviceMapping.builder().deviceName(b.deviceName()).virtualName(b.virtualName())
                .ebs(b.snapshotId() == null && b.volumeSize() == null ? null : EbsBlockDevice.builder().snapshotId(b.snapshotId())
                        .volumeSize(b.volumeSize()).volumeType(b.volumeType()).deleteOnTermination(b.deleteOnTermination())
                        .encrypted(b.encrypted()).iops(b.iops()).throughput(b.throughput()).build()).build()).toList();
    }

    software.amazon.awssdk.services.ec2.model.Image toSdk(Call call, Seen seen) {
        Ami a = seen.ami();
        Scope s = call.scope();
        return software.amazon.awssdk.services.ec2.model.Image.builder()
                .imageId(a.id()).ownerId(a.ownerId()).imageOwnerAlias(a.ownerAlias()).name(a.name()).description(a.description())
                .architecture(a.architecture()).virtualizationType(a.virtualizationType()).rootDeviceType(a.rootDeviceType())
                .rootDeviceName(a.rootDeviceName()).blockDeviceMappings(bdmsToSdk(a)).enaSupport(a.enaSupport())
                .sriovNetSupport(a.sriovNetSupport()).platform(a.platform()).platformDetails(a.platformDetails())
                .usageOperation(a.usageOperation()).kernelId(a.kernelId()).imageLocation(a.imageLocation()).bootMode(a.bootMode())
                .imdsSupport(a.imdsSupport()).creationDate(ISO_MILLIS.format(a.creationDate())).state(a.state(call.now()))
                .hypervisor("xen").imageType("machine").publicLaunchPermissions(a.isPublic())
                .sourceInstanceId(a.sourceInstanceId()).sourceImageId(a.sourceImageId()).sourceImageRegion(a.sourceImageRegion())
                .productCodes(a.productCode() == null ? null
                        : List.of(ProductCode.builder().productCodeId(a.productCode()).productCodeType("marketplace").build()))
                .deprecationTime(seen.ownerScope() != null ? null : ISO_MILLIS.format(a.creationDate().plus(Duration.ofDays(730))))
                .tags(seen.ownerScope() != null && seen.ownerScope().equals(s) ? st.tags.sdk(s, a.id()) : null)
                .build();
    }
}
