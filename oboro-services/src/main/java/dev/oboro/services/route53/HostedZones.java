package dev.oboro.services.route53;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Pagination;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.route53.model.ChangeInfo;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.CreateHostedZoneRequest;
import software.amazon.awssdk.services.route53.model.CreateHostedZoneResponse;
import software.amazon.awssdk.services.route53.model.DelegationSet;
import software.amazon.awssdk.services.route53.model.DeleteHostedZoneRequest;
import software.amazon.awssdk.services.route53.model.DeleteHostedZoneResponse;
import software.amazon.awssdk.services.route53.model.GetChangeRequest;
import software.amazon.awssdk.services.route53.model.GetChangeResponse;
import software.amazon.awssdk.services.route53.model.GetHostedZoneCountRequest;
import software.amazon.awssdk.services.route53.model.GetHostedZoneCountResponse;
import software.amazon.awssdk.services.route53.model.GetHostedZoneRequest;
import software.amazon.awssdk.services.route53.model.GetHostedZoneResponse;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.route53.model.HostedZoneConfig;
import software.amazon.awssdk.services.route53.model.ListHostedZonesRequest;
import software.amazon.awssdk.services.route53.model.ListHostedZonesResponse;
import software.amazon.awssdk.services.route53.model.VPC;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hosted zones. A new public zone gets the SOA and NS records and four name servers; every
 * change is {@code PENDING} until it has propagated ({@link #PROPAGATION} on Oboro's clock), then
 * {@code INSYNC}, as {@code GetChange} shows.
 */
final class HostedZones {
    /** How long a change stays PENDING; AWS documents propagation "generally within 60 seconds". */
    static final Duration PROPAGATION = Duration.ofSeconds(30);

    record Zone(String id, String name, String callerReference, String comment, boolean privateZone, VPC vpc,
                List<String> nameServers, long recordSetCount, Instant createdAt) {
    }

    record Change(String id, Instant submittedAt, String comment) {
    }

    private final Table<Zone> zones;
    private final Table<Change> changes;

    HostedZones(Oboro oboro) {
        this.zones = oboro.store().table("route53.hostedzones", Zone.class);
        this.changes = oboro.store().table("route53.changes", Change.class);
    }

    CreateHostedZoneResponse createHostedZone(Call call, CreateHostedZoneRequest req) {
        String name = normalizeName(req.name());
        HostedZoneConfig cfg = req.hostedZoneConfig();
        boolean isPrivate = cfg != null && Boolean.TRUE.equals(cfg.privateZone()) || req.vpc() != null;
        if (cfg != null && Boolean.TRUE.equals(cfg.privateZone()) && req.vpc() == null) {
            throw new AwsException("InvalidInput", "When you're creating a private hosted zone (when you specify true for PrivateZone), you must also specify values for VPCId and VPCRegion.");
        }
        for (Zone z : zones.values(call.globalScope())) {
            if (z.callerReference().equals(req.callerReference())) {
                throw new AwsException("HostedZoneAlreadyExists",
                        "A hosted zone has already been created with the specified caller reference.");
            }
        }
        String id = "Z" + Ids.upperAlnum(20);
        Zone zone = new Zone(id, name, req.callerReference(), cfg == null ? null : cfg.comment(), isPrivate, req.vpc(),
                isPrivate ? List.of() : nameServers(), 2, call.now());
        zones.put(call.globalScope(), id, zone);
        ChangeInfo change = newChange(call, null);
        return CreateHostedZoneResponse.builder()
                .hostedZone(toSdk(zone))
                .changeInfo(change)
                .delegationSet(isPrivate ? null : DelegationSet.builder().nameServers(zone.nameServers()).build())
                .vpc(req.vpc())
                .location("https://route53.amazonaws.com/2013-04-01/hostedzone/" + id)
                .build();
    }

    GetHostedZoneResponse getHostedZone(Call call, GetHostedZoneRequest req) {
        Zone z = find(call, req.id());
        GetHostedZoneResponse.Builder b = GetHostedZoneResponse.builder().hostedZone(toSdk(z));
        if (z.privateZone()) b.vpCs(z.vpc() == null ? List.of() : List.of(z.vpc()));
        else b.delegationSet(DelegationSet.builder().nameServers(z.nameServers()).build());
        return b.build();
    }

    GetHostedZoneCountResponse getHostedZoneCount(Call call, GetHostedZoneCountRequest req) {
        return GetHostedZoneCountResponse.builder().hostedZoneCount((long) zones.size(call.globalScope())).build();
    }

    ListHostedZonesResponse listHostedZones(Call call, ListHostedZonesRequest req) {
        List<Zone> all = new ArrayList<>(zones.values(call.globalScope()));
        if (req.hostedZoneTypeAsString() != null && req.hostedZoneTypeAsString().equals("PrivateHostedZone")) {
            all.removeIf(z -> !z.privateZone());
        }
        ListHostedZonesResponse.Builder b = ListHostedZonesResponse.builder();
        Pagination.Page<Zone> page = Pagination.page(call, req, all, Zone::id, b);
        return b.hostedZones(page.items().stream().map(HostedZones::toSdk).toList())
                .marker(req.marker() == null ? "" : req.marker())
                .maxItems(req.maxItems() == null ? "100" : req.maxItems())
                .build();
    }

    DeleteHostedZoneResponse deleteHostedZone(Call call, DeleteHostedZoneRequest req) {
        Zone z = find(call, req.id());
        if (z.recordSetCount() > 2) {
            throw new AwsException("HostedZoneNotEmpty", "The specified hosted zone contains non-required resource record sets and so cannot be deleted.");
        }
        zones.remove(call.globalScope(), z.id());
        return DeleteHostedZoneResponse.builder().changeInfo(newChange(call, null)).build();
    }

    GetChangeResponse getChange(Call call, GetChangeRequest req) {
        String id = stripPrefix(req.id(), "/change/");
        Change c = changes.get(call.globalScope(), id);
        if (c == null) throw new AwsException("NoSuchChange", "A change with the specified change ID does not exist.");
        return GetChangeResponse.builder().changeInfo(toSdk(call, c)).build();
    }

    private ChangeInfo newChange(Call call, String comment) {
        String id = "C" + Ids.upperAlnum(20);
        Change c = new Change(id, call.now(), comment);
        changes.put(call.globalScope(), id, c);
        return toSdk(call, c);
    }

    private static ChangeInfo toSdk(Call call, Change c) {
        boolean done = !call.now().isBefore(c.submittedAt().plus(PROPAGATION));
        return ChangeInfo.builder().id("/change/" + c.id()).submittedAt(c.submittedAt()).comment(c.comment())
                .status(done ? ChangeStatus.INSYNC : ChangeStatus.PENDING).build();
    }

    private Zone find(Call call, String rawId) {
        String id = stripPrefix(rawId, "/hostedzone/");
        Zone z = zones.get(call.globalScope(), id);
        if (z == null) throw new AwsException("NoSuchHostedZone", "No hosted zone found with ID: " + id);
        return z;
    }

    private static String stripPrefix(String id, String prefix) {
        if (id == null) return "";
        return id.startsWith(prefix) ? id.substring(prefix.length()) : id;
    }

    private static HostedZone toSdk(Zone z) {
        return HostedZone.builder()
                .id("/hostedzone/" + z.id())
                .name(z.name())
                .callerReference(z.callerReference())
                .config(HostedZoneConfig.builder().comment(z.comment()).privateZone(z.privateZone()).build())
                .resourceRecordSetCount(z.recordSetCount())
                .build();
    }

    /** Route 53 stores names fully qualified, lower case, with the trailing dot. */
    static String normalizeName(String raw) {
        String n = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
        if (!n.endsWith(".")) n = n + ".";
        String bare = n.substring(0, n.length() - 1);
        if (bare.isEmpty() || n.length() > 255) {
            throw new AwsException("InvalidDomainName", "The domain name is invalid: " + raw);
        }
        for (String label : bare.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !label.matches("[a-z0-9_*-]+")) {
                throw new AwsException("InvalidDomainName", "The domain name is invalid: " + raw);
            }
        }
        if (!bare.contains(".")) {
            // a top-level domain such as "com"
            throw new AwsException("InvalidDomainName", raw + " is reserved by AWS!");
        }
        return n;
    }

    private static List<String> nameServers() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return List.of(
                "ns-" + r.nextInt(2048) + ".awsdns-" + String.format("%02d", r.nextInt(64)) + ".org",
                "ns-" + r.nextInt(2048) + ".awsdns-" + String.format("%02d", r.nextInt(64)) + ".co.uk",
                "ns-" + r.nextInt(2048) + ".awsdns-" + String.format("%02d", r.nextInt(64)) + ".com",
                "ns-" + r.nextInt(2048) + ".awsdns-" + String.format("%02d", r.nextInt(64)) + ".net");
    }
}
