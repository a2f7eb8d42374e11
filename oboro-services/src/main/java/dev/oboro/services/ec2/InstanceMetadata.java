package dev.oboro.services.ec2;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Identity;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import dev.oboro.wire.WireRequest;
import dev.oboro.wire.WireResponse;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsResponse;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceMetadataOptionsResponse;
import software.amazon.awssdk.services.iam.model.GetInstanceProfileRequest;
import software.amazon.awssdk.services.iam.model.GetInstanceProfileResponse;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instance metadata service of every instance, served on Oboro's port at
 * {@code /_oboro/imds/<instance-id>}: that base URL is what {@code 169.254.169.254} is to a
 * process on the instance, so SDKs use it through {@code AWS_EC2_METADATA_SERVICE_ENDPOINT}
 * (or their credentials provider's endpoint). Compute services that run work "on" an instance
 * hand its processes {@link #endpoint}.
 *
 * <ul>
 *   <li>IMDSv2: {@code PUT /latest/api/token} with {@code X-aws-ec2-metadata-token-ttl-seconds}
 *       (1–21600) returns a token bound to the instance, valid until its TTL runs out on Oboro's
 *       clock; a PUT carrying {@code X-Forwarded-For} is refused (403), as AWS refuses it.</li>
 *   <li>IMDSv1 (no token) is refused with 401 when the instance's {@code HttpTokens} is
 *       {@code required}; a bad or expired token is 401 always.</li>
 *   <li>{@code HttpEndpoint=disabled}: 403 for every request. Hop limit: an HTTP endpoint cannot
 *       see IP hops, so a caller states its distance with {@code X-Oboro-Imds-Hops} (default 1); a
 *       token PUT from further than {@code HttpPutResponseHopLimit} gets no token (403).</li>
 *   <li>{@code iam/security-credentials/<role>}: temporary credentials of the instance profile's
 *       role from STS {@code AssumeRole} (as {@code ec2.amazonaws.com}, session name = instance id),
 *       renewed when less than {@link #RENEW_BEFORE_MINUTES} minutes remain.</li>
 * </ul>
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 */
public final class InstanceMetadata {
    static final String PREFIX = "/_oboro/imds/";
    static final int MAX_TTL = 21600;
    static final int CREDENTIAL_SECONDS = 3600;
    static final int RENEW_BEFORE_MINUTES = 15;
    private static final Map<Oboro, InstanceMetadata> RUNNING = Collections.synchronizedMap(new WeakHashMap<>());
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Creds(String role, String accessKeyId, String secret, String token, Instant expiration, Instant lastUpdated) {
    }

    private final Ec2State st;
    private final Instances instances;
    private final byte[] key = new byte[32];
    private final Map<String, Creds> credentials = new ConcurrentHashMap<>();

    InstanceMetadata(Ec2State st, Instances instances) {
        this.st = st;
        this.instances = instances;
        new SecureRandom().nextBytes(key);
        RUNNING.put(st.oboro, this);
        st.oboro.store().onReset(credentials::clear);
    }

    /** The metadata endpoint of an instance: what a process running on it should use as {@code AWS_EC2_METADATA_SERVICE_ENDPOINT}. */
    public static String endpoint(Oboro oboro, String instanceId) {
        return oboro.baseUrl() + PREFIX + instanceId;
    }

    /** The raw route, registered at start-up: loads EC2 on the first metadata request. */
    static WireResponse route(Oboro oboro, WireRequest req) {
        if (!req.path().startsWith(PREFIX)) return null;
        InstanceMetadata imds = RUNNING.get(oboro);
        if (imds == null) {
            oboro.services().ensureLoaded("ec2");
            imds = RUNNING.get(oboro);
        }
        return imds == null ? null : imds.serve(req);
    }

    // ------------------------------------------------------------------ ModifyInstanceMetadataOptions

    ModifyInstanceMetadataOptionsResponse modifyInstanceMetadataOptions(Call call, ModifyInstanceMetadataOptionsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ModifyInstanceMetadataOptions");
        Scope s = st.scope(call);
        if (req.instanceId() == null) throw Ec2Errors.missingParameter("InstanceId");
        Instances.Inst i = instances.find(s, List.of(req.instanceId())).get(0);
        if (i.state().equals("terminated") || i.state().equals("shutting-down")) {
            throw Ec2Errors.incorrectInstanceState("The instance '" + i.id() + "' is not in a state from which it can be modified.");
        }
        String tokens = req.httpTokensAsString();
        if (tokens != null && !tokens.equals("optional") && !tokens.equals("required")) {
            throw Ec2Errors.invalidParameterValue("Value (" + tokens + ") for parameter HttpTokens is invalid. Valid values: optional, required");
        }
        Integer hops = req.httpPutResponseHopLimit();
        if (hops != null && (hops < 1 || hops > 64)) {
            throw Ec2Errors.invalidParameterValue("Value (" + hops + ") for parameter HttpPutResponseHopLimit is invalid. Expected an integer between 1 and 64.");
        }
        String endpoint = req.httpEndpointAsString();
        if (endpoint != null && !endpoint.equals("enabled") && !endpoint.equals("disabled")) {
            throw Ec2Errors.invalidParameterValue("Value (" + endpoint + ") for parameter HttpEndpoint is invalid. Valid values: enabled, disabled");
        }
        String ipv6 = req.httpProtocolIpv6AsString();
        String tags = req.instanceMetadataTagsAsString();
        Instances.Inst after = instances.transition(s, i.id(), old -> {
            Instances.Launch l = old.launch();
            return old.withLaunch(l.withMetadataOptions(tokens != null ? tokens : l.httpTokens(), hops != null ? hops : l.httpPutResponseHopLimit(),
                    endpoint != null ? endpoint : l.httpEndpoint(), ipv6 != null ? ipv6 : l.httpProtocolIpv6(),
                    tags != null ? tags : l.instanceMetadataTags()));
        });
        Instances.Launch l = after.launch();
        return ModifyInstanceMetadataOptionsResponse.builder().instanceId(i.id()).instanceMetadataOptions(InstanceMetadataOptionsResponse.builder()
                .state("pending").httpTokens(l.httpTokens()).httpPutResponseHopLimit(l.httpPutResponseHopLimit()).httpEndpoint(l.httpEndpoint())
                .httpProtocolIpv6(l.httpProtocolIpv6()).instanceMetadataTags(l.instanceMetadataTags()).build()).build();
    }

    // ------------------------------------------------------------------ requests

    private WireResponse serve(WireRequest req) {
        String rest = req.path().substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "/" : rest.substring(slash);
        Scope s = null;
        Instances.Inst i = null;
        for (Scope sc : st.instances.scopes()) {
            i = st.instances.get(sc, id);
            if (i != null) {
                s = sc;
                break;
            }
        }
        if (i == null || !(i.state().equals("running") || i.state().equals("stopping") || i.state().equals("shutting-down"))) {
            return text(404, "Not Found");
        }
        Instances.Launch l = i.launch();
        if ("disabled".equals(l.httpEndpoint())) return text(403, "Forbidden");
        Instant now = st.oboro.clock().instant();
        if (path.equals("/latest/api/token")) {
            if (!req.method().equals("PUT")) return text(405, "Method Not Allowed");
            return token(req, i, now);
        }
        if (!req.method().equals("GET") && !req.method().equals("HEAD")) return text(405, "Method Not Allowed");
        String token = req.header("x-aws-ec2-metadata-token");
        if (token != null) {
            if (!valid(token, i.id(), now)) return text(401, "Unauthorized");
        } else if ("required".equals(l.httpTokens())) {
            return text(401, "Unauthorized");
        }
        String answer = answer(s, i, path, now);
        return answer == null ? text(404, "Not Found") : text(200, answer);
    }

    private WireResponse token(WireRequest req, Instances.Inst i, Instant now) {
        if (req.header("x-forwarded-for") != null) return text(403, "Forbidden");
        String hops = req.header("x-oboro-imds-hops");
        try {
            if (hops != null && Integer.parseInt(hops.trim()) > i.launch().httpPutResponseHopLimit()) return text(403, "Forbidden");
        } catch (NumberFormatException e) {
            return text(400, "Bad Request");
        }
        String ttlHeader = req.header("x-aws-ec2-metadata-token-ttl-seconds");
        int ttl;
        try {
            ttl = ttlHeader == null ? -1 : Integer.parseInt(ttlHeader.trim());
        } catch (NumberFormatException e) {
            ttl = -1;
        }
        if (ttl < 1 || ttl > MAX_TTL) return text(400, "Bad Request");
        long expires = now.getEpochSecond() + ttl;
        String body = i.id() + ":" + expires;
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString((body + ":" + sign(body)).getBytes(StandardCharsets.UTF_8));
        WireResponse r = text(200, token);
        r.headers().put("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", Integer.toString(ttl));
        return r;
    }

    private boolean valid(String token, String instanceId, Instant now) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int last = s.lastIndexOf(':');
            String body = s.substring(0, last);
            if (!sign(body).equals(s.substring(last + 1))) return false;
            String[] parts = body.split(":");
            return parts[0].equals(instanceId) && now.getEpochSecond() < Long.parseLong(parts[1]);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private String sign(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static WireResponse text(int status, String body) {
        return WireResponse.of(status, "text/plain", body.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ the tree

    private String answer(Scope s, Instances.Inst i, String path, Instant now) {
        if (path.equals("/") || path.equals("/latest") || path.equals("/latest/")) return "dynamic\nmeta-data\nuser-data";
        if (path.equals("/latest/user-data") || path.equals("/latest/user-data/")) {
            String ud = i.attrs().userData();
            return ud == null ? null : new String(Base64.getDecoder().decode(ud), StandardCharsets.UTF_8);
        }
        if (path.startsWith("/latest/dynamic")) {
            String p = trim(path.substring("/latest/dynamic".length()));
            return switch (p) {
                case "" -> "instance-identity/";
                case "instance-identity" -> "document\nsignature\npkcs7\nrsa2048";
                case "instance-identity/document" -> identityDocument(s, i);
                default -> null;
            };
        }
        if (!path.startsWith("/latest/meta-data")) return null;
        String p = trim(path.substring("/latest/meta-data".length()));
        Instances.Launch l = i.launch();
        NetworkInterfaces.Eni primary = i.eniIds().isEmpty() ? null : st.networkInterfaces.get(s, i.eniIds().get(0));
        String publicIp = primary == null ? null : primary.publicIp();
        String local = Ec2State.privateDnsName(s.region(), l.privateIp());
        switch (p) {
            case "" -> {
                List<String> items = new ArrayList<>(List.of("ami-id", "ami-launch-index", "ami-manifest-path", "block-device-mapping/",
                        "events/", "hostname", "identity-credentials/", "instance-action", "instance-id", "instance-life-cycle",
                        "instance-type", "local-hostname", "local-ipv4", "mac", "metrics/", "network/", "placement/", "profile"));
                if (l.iamProfileArn() != null) items.add("iam/");
                if (publicIp != null) items.addAll(List.of("public-hostname", "public-ipv4"));
                if (l.keyName() != null) items.add("public-keys/");
                items.addAll(List.of("reservation-id", "security-groups", "services/"));
                if (spotRequest(s, i) != null) items.add("spot/");
                if ("enabled".equals(l.instanceMetadataTags())) items.add("tags/");
                Collections.sort(items);
                return String.join("\n", items);
            }
            case "ami-id" -> {
                return l.imageId();
            }
            case "ami-launch-index" -> {
                return Integer.toString(l.amiLaunchIndex());
            }
            case "ami-manifest-path" -> {
                return "(unknown)";
            }
            case "instance-id" -> {
                return i.id();
            }
            case "instance-type" -> {
                return i.instanceType();
            }
            case "instance-action" -> {
                return "none";
            }
            case "instance-life-cycle" -> {
                return spotRequest(s, i) != null ? "spot" : "on-demand";
            }
            case "hostname", "local-hostname" -> {
                return local;
            }
            case "local-ipv4" -> {
                return l.privateIp();
            }
            case "public-ipv4" -> {
                return publicIp;
            }
            case "public-hostname" -> {
                return publicIp == null ? null : Ec2State.publicDnsName(s.region(), publicIp);
            }
            case "mac" -> {
                return primary == null ? null : primary.mac();
            }
            case "reservation-id" -> {
                return i.reservationId();
            }
            case "profile" -> {
                return "default-hvm";
            }
            case "security-groups" -> {
                List<String> names = new ArrayList<>();
                if (primary != null) {
                    for (String g : primary.groupIds()) {
                        SecurityGroups.Group grp = st.securityGroups.get(s, g);
                        if (grp != null) names.add(grp.name());
                    }
                }
                return String.join("\n", names);
            }
            case "placement" -> {
                List<String> items = new ArrayList<>(List.of("availability-zone", "availability-zone-id", "region"));
                if (l.placementGroup() != null) items.add("group-name");
                if (l.partitionNumber() != null) items.add("partition-number");
                Collections.sort(items);
                return String.join("\n", items);
            }
            case "placement/availability-zone" -> {
                return l.az();
            }
            case "placement/availability-zone-id" -> {
                Catalog.RegionInfo r = st.catalog.region(s.region());
                return r == null ? null : r.zones().stream().filter(z -> z.zoneName().equals(l.az())).map(z -> z.zoneId()).findFirst().orElse(null);
            }
            case "placement/region" -> {
                return s.region();
            }
            case "placement/group-name" -> {
                return l.placementGroup();
            }
            case "placement/partition-number" -> {
                return l.partitionNumber() == null ? null : l.partitionNumber().toString();
            }
            case "block-device-mapping" -> {
                List<String> items = new ArrayList<>(List.of("ami", "root"));
                int n = 0;
                for (Instances.BlockDev d : i.blockDevices()) if (!d.deviceName().equals(l.rootDeviceName())) items.add("ebs" + (++n));
                return String.join("\n", items);
            }
            case "spot" -> {
                return spotRequest(s, i) == null ? null : "instance-action\ntermination-time";
            }
            case "spot/instance-action" -> {
                String notice = st.spotNotice == null || spotRequest(s, i) == null ? null : st.spotNotice.instanceAction(s, i.id());
                return notice;
            }
            case "spot/termination-time" -> {
                String notice = st.spotNotice == null || spotRequest(s, i) == null ? null : st.spotNotice.instanceAction(s, i.id());
                if (notice == null) return null;
                try {
                    return JSON.readTree(notice).path("time").asText();
                } catch (Exception e) {
                    return null;
                }
            }
            case "tags" -> {
                return "enabled".equals(l.instanceMetadataTags()) ? "instance" : null;
            }
            case "tags/instance" -> {
                return "enabled".equals(l.instanceMetadataTags()) ? String.join("\n", st.tags.get(s, i.id()).keySet()) : null;
            }
            case "iam" -> {
                return l.iamProfileArn() == null ? null : "info\nsecurity-credentials/";
            }
            case "iam/info" -> {
                return l.iamProfileArn() == null ? null : iamInfo(s, i, now);
            }
            case "iam/security-credentials" -> {
                return l.iamProfileArn() == null ? null : role(s, i);
            }
            case "network" -> {
                return "interfaces/";
            }
            case "network/interfaces" -> {
                return "macs/";
            }
            case "network/interfaces/macs" -> {
                List<String> macs = new ArrayList<>();
                for (String e : i.eniIds()) {
                    NetworkInterfaces.Eni eni = st.networkInterfaces.get(s, e);
                    if (eni != null) macs.add(eni.mac() + "/");
                }
                return String.join("\n", macs);
            }
            default -> {
            }
        }
        if (p.startsWith("block-device-mapping/")) {
            String k = p.substring("block-device-mapping/".length());
            if (k.equals("ami") || k.equals("root")) return l.rootDeviceName();
            int n = 0;
            for (Instances.BlockDev d : i.blockDevices()) {
                if (d.deviceName().equals(l.rootDeviceName())) continue;
                if (k.equals("ebs" + (++n))) return d.deviceName().replaceFirst("^/dev/", "");
            }
            return null;
        }
        if (p.startsWith("tags/instance/") && "enabled".equals(l.instanceMetadataTags())) {
            return st.tags.get(s, i.id()).get(p.substring("tags/instance/".length()));
        }
        if (p.startsWith("iam/security-credentials/") && l.iamProfileArn() != null) {
            String wanted = p.substring("iam/security-credentials/".length());
            String role = role(s, i);
            return role != null && role.equals(wanted) ? credentials(s, i, role, now) : null;
        }
        if (p.startsWith("network/interfaces/macs/")) return interfaceData(s, i, p.substring("network/interfaces/macs/".length()));
        return null;
    }

    private static String trim(String p) {
        String out = p.startsWith("/") ? p.substring(1) : p;
        return out.endsWith("/") ? out.substring(0, out.length() - 1) : out;
    }

    private String spotRequest(Scope s, Instances.Inst i) {
        return st.spotLookup == null ? null : st.spotLookup.spotRequestId(s, i.id());
    }

    private String interfaceData(Scope s, Instances.Inst i, String p) {
        int slash = p.indexOf('/');
        String mac = slash < 0 ? p : p.substring(0, slash);
        String key = slash < 0 ? "" : p.substring(slash + 1);
        NetworkInterfaces.Eni found = null;
        for (String id : i.eniIds()) {
            NetworkInterfaces.Eni x = st.networkInterfaces.get(s, id);
            if (x != null && x.mac().equals(mac)) found = x;
        }
        if (found == null) return null;
        NetworkInterfaces.Eni e = found;
        Vpcs.Subnet subnet = st.subnets.get(s, e.subnetId());
        Vpcs.Vpc vpc = st.vpcs.get(s, e.vpcId());
        List<String> ips = new ArrayList<>();
        ips.add(e.privateIp());
        ips.addAll(e.secondaryIps());
        return switch (key) {
            case "" -> {
                List<String> keys = new ArrayList<>(List.of("device-number", "interface-id", "local-hostname", "local-ipv4s", "mac",
                        "owner-id", "security-group-ids", "security-groups", "subnet-id", "subnet-ipv4-cidr-block", "vpc-id",
                        "vpc-ipv4-cidr-block", "vpc-ipv4-cidr-blocks"));
                if (e.publicIp() != null) keys.addAll(List.of("public-hostname", "public-ipv4s"));
                Collections.sort(keys);
                yield String.join("\n", keys);
            }
            case "device-number" -> String.valueOf(e.deviceIndex());
            case "interface-id" -> e.id();
            case "local-hostname" -> Ec2State.privateDnsName(s.region(), e.privateIp());
            case "local-ipv4s" -> String.join("\n", ips);
            case "mac" -> e.mac();
            case "owner-id" -> s.account();
            case "public-ipv4s" -> e.publicIp();
            case "public-hostname" -> e.publicIp() == null ? null : Ec2State.publicDnsName(s.region(), e.publicIp());
            case "security-group-ids" -> String.join("\n", e.groupIds());
            case "security-groups" -> String.join("\n", e.groupIds().stream().map(g -> st.securityGroups.get(s, g)).filter(g -> g != null)
                    .map(SecurityGroups.Group::name).toList());
            case "subnet-id" -> e.subnetId();
            case "subnet-ipv4-cidr-block" -> subnet == null ? null : subnet.cidr();
            case "vpc-id" -> e.vpcId();
            case "vpc-ipv4-cidr-block", "vpc-ipv4-cidr-blocks" -> vpc == null ? null : vpc.cidr();
            default -> null;
        };
    }

    private String identityDocument(Scope s, Instances.Inst i) {
        ObjectNode d = JSON.createObjectNode();
        d.put("accountId", s.account());
        d.put("architecture", i.architecture());
        d.put("availabilityZone", i.az());
        d.putNull("billingProducts");
        d.putNull("devpayProductCodes");
        d.putNull("marketplaceProductCodes");
        d.put("imageId", i.imageId());
        d.put("instanceId", i.id());
        d.put("instanceType", i.instanceType());
        if (i.kernelId() == null) d.putNull("kernelId");
        else d.put("kernelId", i.kernelId());
        d.put("pendingTime", (i.lastBoot() == null ? i.launch().launchTime() : i.lastBoot()).truncatedTo(ChronoUnit.SECONDS).toString());
        d.put("privateIp", i.launch().privateIp());
        d.putNull("ramdiskId");
        d.put("region", s.region());
        d.put("version", "2017-09-30");
        return pretty(d);
    }

    // ------------------------------------------------------------------ IAM role credentials

    /** The instance profile's role name, from IAM; null when the profile has no role (or IAM is not here). */
    private String role(Scope s, Instances.Inst i) {
        String arn = i.launch().iamProfileArn();
        String name = arn.substring(arn.lastIndexOf('/') + 1);
        try {
            GetInstanceProfileResponse r = st.oboro.services().call(Call.internal(st.oboro, s.account(), s.region(), "ec2"), "iam",
                    GetInstanceProfileRequest.builder().instanceProfileName(name).build());
            return r.instanceProfile().roles().isEmpty() ? null : r.instanceProfile().roles().get(0).roleName();
        } catch (AwsException e) {
            return null;
        }
    }

    private String iamInfo(Scope s, Instances.Inst i, Instant now) {
        ObjectNode d = JSON.createObjectNode();
        d.put("Code", "Success");
        d.put("LastUpdated", now.truncatedTo(ChronoUnit.SECONDS).toString());
        d.put("InstanceProfileArn", i.launch().iamProfileArn());
        d.put("InstanceProfileId", i.launch().iamProfileId());
        return pretty(d);
    }

    private String credentials(Scope s, Instances.Inst i, String role, Instant now) {
        String cacheKey = s + "|" + i.id() + "|" + role;
        Creds c = credentials.get(cacheKey);
        ObjectNode d = JSON.createObjectNode();
        if (c == null || now.isAfter(c.expiration().minusSeconds(RENEW_BEFORE_MINUTES * 60L))) {
            String roleArn = "arn:aws:iam::" + s.account() + ":role/" + role;
            try {
                roleArn = st.oboro.services().<software.amazon.awssdk.services.iam.model.GetRoleResponse>call(
                        Call.internal(st.oboro, s.account(), s.region(), "ec2"), "iam",
                        software.amazon.awssdk.services.iam.model.GetRoleRequest.builder().roleName(role).build()).role().arn();
                Call asEc2 = new Call(st.oboro, "sts", "AssumeRole", s.region(), Identity.service(s.account(), "ec2.amazonaws.com"),
                        Ids.requestId(), "127.0.0.1", "ec2.amazonaws.com");
                AssumeRoleResponse r = (AssumeRoleResponse) st.oboro.services().invoke(asEc2, AssumeRoleRequest.builder().roleArn(roleArn)
                        .roleSessionName(i.id()).durationSeconds(CREDENTIAL_SECONDS).build());
                c = new Creds(role, r.credentials().accessKeyId(), r.credentials().secretAccessKey(), r.credentials().sessionToken(),
                        r.credentials().expiration(), now);
                credentials.put(cacheKey, c);
            } catch (AwsException e) {
                d.put("Code", "AssumeRoleUnauthorizedAccess");
                d.put("Message", "EC2 cannot assume the role " + role + ". Please see documentation at "
                        + "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html#roles-usingrole-ec2instance-roles.");
                d.put("LastUpdated", now.truncatedTo(ChronoUnit.SECONDS).toString());
                return pretty(d);
            }
        }
        d.put("Code", "Success");
        d.put("LastUpdated", c.lastUpdated().truncatedTo(ChronoUnit.SECONDS).toString());
        d.put("Type", "AWS-HMAC");
        d.put("AccessKeyId", c.accessKeyId());
        d.put("SecretAccessKey", c.secret());
        d.put("Token", c.token());
        d.put("Expiration", c.expiration().truncatedTo(ChronoUnit.SECONDS).toString());
        return pretty(d);
    }

    private static String pretty(ObjectNode n) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
