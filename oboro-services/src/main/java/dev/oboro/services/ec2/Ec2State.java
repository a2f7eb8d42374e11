package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * EC2's state: one table per resource kind, per account and region, and the default network every
 * account finds in every region (created on the account's first EC2 call there, as AWS has it).
 */
final class Ec2State {
    /** Remembers that an account's region has had its default network made (and its id, if it still stands). */
    record AccountRegion(String defaultVpcId) {
    }

    final Oboro oboro;
    final Catalog catalog;
    final Table<AccountRegion> accountRegions;
    final Table<Vpcs.Vpc> vpcs;
    final Table<Vpcs.Subnet> subnets;
    final Table<SecurityGroups.Group> securityGroups;
    final Table<RouteTables.Rtb> routeTables;
    final Table<Gateways.Igw> internetGateways;
    final Table<Gateways.Nat> natGateways;
    final Table<KeyPairs.Key> keyPairs;
    final Table<NetworkInterfaces.Eni> networkInterfaces;
    final Table<Addresses.Eip> addresses;
    final Table<Images.Ami> images;
    final Table<Volumes.Vol> volumes;
    final Table<Volumes.Snap> snapshots;
    final Table<Instances.Inst> instances;
    final Tags tags;

    /**
     * Told of each instance change Instances makes (launch, state transitions, reboots): placement
     * groups, status checks and fleets react to them. {@code before} is null for a launch, {@code after}
     * null when the instance is gone.
     */
    interface InstanceListener {
        void changed(Scope s, Instances.Inst before, Instances.Inst after);
    }

    /** What a placement group decides for RunInstances and StartInstances (set by PlacementGroups). */
    interface Placer {
        /** The zone a launch with no subnet or zone should use (a cluster group's zone), or null. */
        String preferredZone(Scope s, software.amazon.awssdk.services.ec2.model.Placement p);

        /** Checks a launch of {@code count} instances and returns the group name and each one's partition (or null). */
        Placed place(Scope s, software.amazon.awssdk.services.ec2.model.Placement p, String type, String zone, int count);

        /** Checks that stopped instances may start in their groups. */
        void checkStart(Scope s, List<Instances.Inst> starting);
    }

    record Placed(String groupName, List<Integer> partitions) {
    }

    /** Adds to the SDK view of an instance what other features own (its spot lifecycle, its maintenance options). */
    interface InstanceView {
        software.amazon.awssdk.services.ec2.model.Instance decorate(Scope s, Instances.Inst i, software.amazon.awssdk.services.ec2.model.Instance sdk);
    }

    private static final Logger LOG = Logger.getLogger(Ec2State.class.getName());
    final List<InstanceListener> instanceListeners = new CopyOnWriteArrayList<>();
    final List<InstanceView> instanceViews = new CopyOnWriteArrayList<>();
    volatile Placer placer;

    /** The spot request behind a spot instance (set by the fleets), or null for an on-demand one. */
    interface SpotLookup {
        String spotRequestId(Scope s, String instanceId);
    }

    volatile SpotLookup spotLookup;

    /** The spot instance-action notice of an instance (JSON), or null when none is pending (set by the fleets). */
    interface SpotNotice {
        String instanceAction(Scope s, String instanceId);
    }

    volatile SpotNotice spotNotice;

    void instanceChanged(Scope s, Instances.Inst before, Instances.Inst after) {
        if (before == after) return;
        for (InstanceListener l : instanceListeners) {
            try {
                l.changed(s, before, after);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "instance listener failed", e);
            }
        }
    }

    /** Used private addresses per subnet, derived from the network interfaces (a cache, rebuilt on demand). */
    private final Map<String, BitSet> usedAddresses = new ConcurrentHashMap<>();

    Ec2State(Oboro oboro, Catalog catalog) {
        this.oboro = oboro;
        this.catalog = catalog;
        var s = oboro.store();
        accountRegions = s.table("ec2.accountregions", AccountRegion.class);
        vpcs = s.table("ec2.vpcs", Vpcs.Vpc.class);
        subnets = s.table("ec2.subnets", Vpcs.Subnet.class);
        securityGroups = s.table("ec2.securitygroups", SecurityGroups.Group.class);
        routeTables = s.table("ec2.routetables", RouteTables.Rtb.class);
        internetGateways = s.table("ec2.internetgateways", Gateways.Igw.class);
        natGateways = s.table("ec2.natgateways", Gateways.Nat.class);
        keyPairs = s.table("ec2.keypairs", KeyPairs.Key.class);
        networkInterfaces = s.table("ec2.networkinterfaces", NetworkInterfaces.Eni.class);
        addresses = s.table("ec2.addresses", Addresses.Eip.class);
        images = s.table("ec2.images", Images.Ami.class);
        volumes = s.table("ec2.volumes", Volumes.Vol.class);
        snapshots = s.table("ec2.snapshots", Volumes.Snap.class);
        instances = s.table("ec2.instances", Instances.Inst.class);
        tags = new Tags(s.table("ec2.tags", Tags.TagSet.class));
        s.onReset(usedAddresses::clear);
    }

    /** The scope of a call, with the default network of that account and region in place. */
    Scope scope(Call call) {
        Scope s = call.scope();
        if (accountRegions.get(s, "defaults") == null) createDefaults(call, s);
        return s;
    }

    String defaultVpcId(Scope s) {
        AccountRegion ar = accountRegions.get(s, "defaults");
        return ar == null ? null : ar.defaultVpcId();
    }

    void forgetDefaultVpc(Scope s, String vpcId) {
        AccountRegion ar = accountRegions.get(s, "defaults");
        if (ar != null && vpcId.equals(ar.defaultVpcId())) accountRegions.put(s, "defaults", new AccountRegion(null));
    }

    /**
     * The default VPC (172.31.0.0/16) with a /20 default subnet per zone, its main route table
     * routing 0.0.0.0/0 to an attached internet gateway, and the default security group.
     * https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html
     */
    private synchronized void createDefaults(Call call, Scope s) {
        if (accountRegions.get(s, "defaults") != null) return;
        Catalog.RegionInfo region = catalog.region(s.region());
        String vpcId = Ids.ec2("vpc");
        vpcs.put(s, vpcId, new Vpcs.Vpc(vpcId, "172.31.0.0/16", true, "dopt-" + Ids.hex(17), "default", null, null,
                Ids.ec2("vpc-cidr-assoc"), true, true));
        SecurityGroups.createDefault(this, s, vpcId);
        String igwId = Ids.ec2("igw");
        internetGateways.put(s, igwId, new Gateways.Igw(igwId, vpcId));
        String rtbId = RouteTables.createMain(this, s, vpcId, "172.31.0.0/16");
        routeTables.update(s, rtbId, t -> t.withRoute(new RouteTables.Route("0.0.0.0/0", null, igwId, null, null, null,
                "CreateRoute")));
        if (region != null) {
            int i = 0;
            for (var z : region.zones()) {
                String subnetId = Ids.ec2("subnet");
                Cidr c = new Cidr(Cidr.ip("172.31.0.0") + (long) i * 4096, 20);
                subnets.put(s, subnetId, new Vpcs.Subnet(subnetId, vpcId, c.toString(), z.zoneName(), z.zoneId(), true, true,
                        null, null, false));
                i++;
                if (i == 16) break;
            }
        }
        accountRegions.put(s, "defaults", new AccountRegion(vpcId));
    }

    // ------------------------------------------------------------------ private addresses

    /** Allocates the lowest free private address of a subnet (AWS reserves the first four and the last). */
    synchronized String allocateAddress(Scope s, Vpcs.Subnet subnet, String wanted) {
        BitSet used = used(s, subnet);
        Cidr c = Cidr.parse(subnet.cidr());
        if (wanted != null) {
            int off = offset(c, wanted);
            if (off < 0) throw Ec2Errors.invalidParameterValue("Address " + wanted + " does not fall within the subnet's address range");
            if (off < 4 || off == c.size() - 1) {
                throw Ec2Errors.invalidParameterValue("Address " + wanted + " is in subnet's reserved address range");
            }
            if (used.get(off)) {
                throw new dev.oboro.wire.AwsException("InvalidIPAddress.InUse", "Address " + wanted + " is in use.", 400);
            }
            used.set(off);
            return wanted;
        }
        int off = used.nextClearBit(4);
        if (off >= c.size() - 1) return null;
        used.set(off);
        return Cidr.ip(c.base() + off);
    }

    synchronized void releaseAddress(Scope s, String subnetId, String ip) {
        BitSet used = usedAddresses.get(subnetId);
        Vpcs.Subnet subnet = subnets.get(s, subnetId);
        if (used == null || subnet == null || ip == null) return;
        int off = offset(Cidr.parse(subnet.cidr()), ip);
        if (off >= 0) used.clear(off);
    }

    synchronized int freeAddresses(Scope s, Vpcs.Subnet subnet) {
        Cidr c = Cidr.parse(subnet.cidr());
        BitSet used = used(s, subnet);
        return (int) (c.size() - 5 - used.get(4, (int) c.size() - 1).cardinality());
    }

    private BitSet used(Scope s, Vpcs.Subnet subnet) {
        return usedAddresses.computeIfAbsent(subnet.id(), id -> {
            BitSet b = new BitSet();
            Cidr c = Cidr.parse(subnet.cidr());
            for (NetworkInterfaces.Eni e : networkInterfaces.values(s)) {
                if (!id.equals(e.subnetId())) continue;
                List<String> ips = new ArrayList<>();
                ips.add(e.privateIp());
                ips.addAll(e.secondaryIps());
                for (String ip : ips) {
                    int off = offset(c, ip);
                    if (off >= 0) b.set(off);
                }
            }
            return b;
        });
    }

    /** The offset of an address in a block, or -1 when it is not an address of that block. */
    private static int offset(Cidr c, String ip) {
        Long a = ip == null ? null : Cidr.ip(ip);
        return a != null && c.contains(a) ? (int) (a - c.base()) : -1;
    }

    // ------------------------------------------------------------------ public addresses

    /** A public IPv4 address from Amazon's pools, unique among this region's addresses in use. */
    String newPublicIp() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int[] firsts = {3, 18, 34, 44, 52, 54};
        return firsts[r.nextInt(firsts.length)] + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    }

    static String macAddress() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder("0e");
        for (int i = 0; i < 5; i++) sb.append(':').append(String.format("%02x", r.nextInt(256)));
        return sb.toString();
    }

    static String privateDnsName(String region, String ip) {
        return dnsName("ip-", ip, "us-east-1".equals(region) ? ".ec2.internal" : "." + region + ".compute.internal");
    }

    static String publicDnsName(String region, String ip) {
        return dnsName("ec2-", ip, "us-east-1".equals(region) ? ".compute-1.amazonaws.com" : "." + region + ".compute.amazonaws.com");
    }

    private static String dnsName(String prefix, String ip, String domain) {
        return ip == null ? "" : prefix + ip.replace('.', '-') + domain;
    }
}
