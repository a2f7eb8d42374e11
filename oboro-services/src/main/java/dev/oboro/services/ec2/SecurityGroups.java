package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupEgressRequest;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupEgressResponse;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupIngressRequest;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupIngressResponse;
import software.amazon.awssdk.services.ec2.model.CreateSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.CreateSecurityGroupResponse;
import software.amazon.awssdk.services.ec2.model.DeleteSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSecurityGroupResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupRulesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupRulesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsResponse;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.Ipv6Range;
import software.amazon.awssdk.services.ec2.model.PrefixListId;
import software.amazon.awssdk.services.ec2.model.ReferencedSecurityGroup;
import software.amazon.awssdk.services.ec2.model.RevokeSecurityGroupEgressRequest;
import software.amazon.awssdk.services.ec2.model.RevokeSecurityGroupEgressResponse;
import software.amazon.awssdk.services.ec2.model.RevokeSecurityGroupIngressRequest;
import software.amazon.awssdk.services.ec2.model.RevokeSecurityGroupIngressResponse;
import software.amazon.awssdk.services.ec2.model.SecurityGroupRule;
import software.amazon.awssdk.services.ec2.model.UserIdGroupPair;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** Security groups and their rules. */
final class SecurityGroups {
    /** One rule: a protocol and port range to or from one source (CIDR, IPv6 CIDR, prefix list or group). */
    record Rule(String id, String protocol, Integer fromPort, Integer toPort, String cidrIpv4, String cidrIpv6,
                String prefixListId, String groupId, String userId, String description) {
        boolean sameAs(Rule o) {
            return protocol.equals(o.protocol) && Objects.equals(fromPort, o.fromPort) && Objects.equals(toPort, o.toPort)
                    && Objects.equals(cidrIpv4, o.cidrIpv4) && Objects.equals(cidrIpv6, o.cidrIpv6)
                    && Objects.equals(prefixListId, o.prefixListId) && Objects.equals(groupId, o.groupId);
        }

        String peer() {
            return cidrIpv4 != null ? cidrIpv4 : cidrIpv6 != null ? cidrIpv6 : prefixListId != null ? prefixListId : groupId;
        }
    }

    record Group(String id, String name, String description, String vpcId, List<Rule> ingress, List<Rule> egress) {
        Group with(List<Rule> in, List<Rule> out) {
            return new Group(id, name, description, vpcId, in, out);
        }
    }

    /** A rule with the group it belongs to, for DescribeSecurityGroupRules. */
    record Owned(Group group, Rule rule, boolean egress) {
    }

    private final Ec2State st;
    private final Filters<Group> filters;
    private final Filters<Owned> ruleFilters;

    SecurityGroups(Ec2State st) {
        this.st = st;
        filters = new Filters<>(Map.<String, Function<Group, Collection<String>>>ofEntries(
                Map.entry("description", g -> List.of(g.description())),
                Map.entry("group-id", g -> List.of(g.id())),
                Map.entry("group-name", g -> List.of(g.name())),
                Map.entry("owner-id", g -> List.of(FilterScope.get().account())),
                Map.entry("vpc-id", g -> List.of(g.vpcId())),
                Map.entry("ip-permission.cidr", g -> g.ingress().stream().map(Rule::cidrIpv4).filter(Objects::nonNull).toList()),
                Map.entry("ip-permission.ipv6-cidr", g -> g.ingress().stream().map(Rule::cidrIpv6).filter(Objects::nonNull).toList()),
                Map.entry("ip-permission.from-port", g -> g.ingress().stream().map(r -> String.valueOf(r.fromPort() == null ? -1 : r.fromPort())).toList()),
                Map.entry("ip-permission.to-port", g -> g.ingress().stream().map(r -> String.valueOf(r.toPort() == null ? -1 : r.toPort())).toList()),
                Map.entry("ip-permission.protocol", g -> g.ingress().stream().map(Rule::protocol).toList()),
                Map.entry("ip-permission.group-id", g -> g.ingress().stream().map(Rule::groupId).filter(Objects::nonNull).toList()),
                Map.entry("ip-permission.prefix-list-id", g -> g.ingress().stream().map(Rule::prefixListId).filter(Objects::nonNull).toList()),
                Map.entry("egress.ip-permission.cidr", g -> g.egress().stream().map(Rule::cidrIpv4).filter(Objects::nonNull).toList()),
                Map.entry("egress.ip-permission.ipv6-cidr", g -> g.egress().stream().map(Rule::cidrIpv6).filter(Objects::nonNull).toList()),
                Map.entry("egress.ip-permission.from-port", g -> g.egress().stream().map(r -> String.valueOf(r.fromPort() == null ? -1 : r.fromPort())).toList()),
                Map.entry("egress.ip-permission.to-port", g -> g.egress().stream().map(r -> String.valueOf(r.toPort() == null ? -1 : r.toPort())).toList()),
                Map.entry("egress.ip-permission.protocol", g -> g.egress().stream().map(Rule::protocol).toList()),
                Map.entry("egress.ip-permission.group-id", g -> g.egress().stream().map(Rule::groupId).filter(Objects::nonNull).toList()),
                Map.entry("tag:", g -> st.tags.pairs(FilterScope.get(), g.id())),
                Map.entry("tag-key", g -> st.tags.keys(FilterScope.get(), g.id())),
                Map.entry("tag-value", g -> st.tags.values(FilterScope.get(), g.id()))));
        ruleFilters = new Filters<>(Map.<String, Function<Owned, Collection<String>>>of(
                "group-id", o -> List.of(o.group().id()),
                "security-group-rule-id", o -> List.of(o.rule().id()),
                "tag:", o -> st.tags.pairs(FilterScope.get(), o.rule().id()),
                "tag-key", o -> st.tags.keys(FilterScope.get(), o.rule().id())));
    }

    /** The default group of a new VPC: all traffic from its own members, all traffic out. */
    static String createDefault(Ec2State st, Scope s, String vpcId) {
        String id = Ids.ec2("sg");
        List<Rule> in = List.of(new Rule(Ids.ec2("sgr"), "-1", null, null, null, null, null, id, s.account(), null));
        List<Rule> out = List.of(new Rule(Ids.ec2("sgr"), "-1", null, null, "0.0.0.0/0", null, null, null, null, null));
        st.securityGroups.put(s, id, new Group(id, "default", "default VPC security group", vpcId, in, out));
        return id;
    }

    // ------------------------------------------------------------------ groups

    CreateSecurityGroupResponse createSecurityGroup(Call call, CreateSecurityGroupRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateSecurityGroup");
        Scope s = st.scope(call);
        if (req.groupName() == null) throw Ec2Errors.missingParameter("GroupName");
        if (req.description() == null) throw Ec2Errors.missingParameter("GroupDescription");
        String vpcId = req.vpcId() != null ? req.vpcId() : st.defaultVpcId(s);
        if (vpcId == null) throw new AwsException("VPCIdNotSpecified", "No default VPC for this user", 400);
        if (!st.vpcs.contains(s, vpcId)) throw Ec2Errors.notFound("InvalidVpcID.NotFound", "vpc", vpcId);
        if (req.groupName().equalsIgnoreCase("default")) {
            throw Ec2Errors.invalidParameterValue("Cannot use reserved security group name: default");
        }
        if (req.groupName().startsWith("sg-")) throw Ec2Errors.invalidParameterValue("Group names may not be in the format sg-*.");
        if (req.groupName().length() > 255) throw Ec2Errors.invalidParameterValue("Value for parameter GroupName is too long");
        for (Group g : st.securityGroups.values(s)) {
            if (g.vpcId().equals(vpcId) && g.name().equals(req.groupName())) {
                throw new AwsException("InvalidGroup.Duplicate", "The security group '" + req.groupName()
                        + "' already exists for VPC '" + vpcId + "'", 400);
            }
        }
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("security-group"));
        String id = Ids.ec2("sg");
        List<Rule> out = List.of(new Rule(Ids.ec2("sgr"), "-1", null, null, "0.0.0.0/0", null, null, null, null, null));
        st.securityGroups.put(s, id, new Group(id, req.groupName(), req.description(), vpcId, List.of(), out));
        st.tags.apply(s, req.tagSpecifications(), "security-group", id);
        return CreateSecurityGroupResponse.builder().groupId(id).securityGroupArn(arn(s, id)).tags(st.tags.sdk(s, id)).build();
    }

    DeleteSecurityGroupResponse deleteSecurityGroup(Call call, DeleteSecurityGroupRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteSecurityGroup");
        Scope s = st.scope(call);
        Group g = byIdOrName(s, req.groupId(), req.groupName());
        if (g.name().equals("default")) {
            throw new AwsException("CannotDelete", "the specified group: \"" + g.id() + "\" name: \"default\" cannot be deleted by a user", 400);
        }
        boolean used = st.networkInterfaces.values(s).stream().anyMatch(e -> e.groupIds().contains(g.id()));
        boolean referenced = st.securityGroups.values(s).stream().anyMatch(o -> !o.id().equals(g.id())
                && (o.ingress().stream().anyMatch(r -> g.id().equals(r.groupId())) || o.egress().stream().anyMatch(r -> g.id().equals(r.groupId()))));
        if (used || referenced) throw Ec2Errors.dependencyViolation("resource " + g.id() + " has a dependent object");
        st.securityGroups.remove(s, g.id());
        st.tags.remove(s, g.id());
        return DeleteSecurityGroupResponse.builder().returnValue(true).groupId(g.id()).build();
    }

    DescribeSecurityGroupsResponse describeSecurityGroups(Call call, DescribeSecurityGroupsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSecurityGroups");
        Scope s = st.scope(call);
        List<Group> all = new ArrayList<>(st.securityGroups.values(s));
        if (req.hasGroupIds() && !req.groupIds().isEmpty()) {
            for (String id : req.groupIds()) group(s, id);
            all.removeIf(g -> !req.groupIds().contains(g.id()));
        }
        if (req.hasGroupNames() && !req.groupNames().isEmpty()) {
            String dv = st.defaultVpcId(s);
            for (String n : req.groupNames()) byName(s, n, dv);
            all.removeIf(g -> !req.groupNames().contains(g.name()) || !g.vpcId().equals(dv));
        }
        List<Group> matched = FilterScope.in(s, () -> filters.apply(req.filters(), all));
        DescribeSecurityGroupsResponse.Builder b = DescribeSecurityGroupsResponse.builder();
        Pagination.Page<Group> page = Paging.page(call, req, matched, Group::id, b);
        return b.securityGroups(page.items().stream().map(g -> toSdk(s, g)).toList()).build();
    }

    // ------------------------------------------------------------------ rules

    AuthorizeSecurityGroupIngressResponse authorizeSecurityGroupIngress(Call call, AuthorizeSecurityGroupIngressRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "AuthorizeSecurityGroupIngress");
        Scope s = st.scope(call);
        Group g = byIdOrName(s, req.groupId(), req.groupName());
        List<IpPermission> perms = withFlat(s, g, req.ipPermissions(), req.ipProtocol(), req.fromPort(), req.toPort(), req.cidrIp(),
                req.sourceSecurityGroupName());
        List<Rule> added = authorize(s, g, perms, false);
        return AuthorizeSecurityGroupIngressResponse.builder().returnValue(true)
                .securityGroupRules(added.stream().map(r -> toSdk(s, g, r, false)).toList()).build();
    }

    AuthorizeSecurityGroupEgressResponse authorizeSecurityGroupEgress(Call call, AuthorizeSecurityGroupEgressRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "AuthorizeSecurityGroupEgress");
        Scope s = st.scope(call);
        Group g = group(s, req.groupId());
        List<Rule> added = authorize(s, g, req.ipPermissions(), true);
        return AuthorizeSecurityGroupEgressResponse.builder().returnValue(true)
                .securityGroupRules(added.stream().map(r -> toSdk(s, g, r, true)).toList()).build();
    }

    RevokeSecurityGroupIngressResponse revokeSecurityGroupIngress(Call call, RevokeSecurityGroupIngressRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "RevokeSecurityGroupIngress");
        Scope s = st.scope(call);
        Group g = byIdOrName(s, req.groupId(), req.groupName());
        // Revoke does not read SourceSecurityGroupName yet
        List<IpPermission> perms = withFlat(s, g, req.ipPermissions(), req.ipProtocol(), req.fromPort(), req.toPort(), req.cidrIp(), null);
        revoke(s, g, perms, req.securityGroupRuleIds(), false);
        return RevokeSecurityGroupIngressResponse.builder().returnValue(true).build();
    }

    RevokeSecurityGroupEgressResponse revokeSecurityGroupEgress(Call call, RevokeSecurityGroupEgressRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "RevokeSecurityGroupEgress");
        Scope s = st.scope(call);
        Group g = group(s, req.groupId());
        revoke(s, g, req.ipPermissions(), req.securityGroupRuleIds(), true);
        return RevokeSecurityGroupEgressResponse.builder().returnValue(true).build();
    }

    /**
     * The permissions of an ingress request: its IpPermissions plus the one its flat (EC2-Classic era)
     * parameters describe, when IpProtocol is given.
     */
    private List<IpPermission> withFlat(Scope s, Group g, List<IpPermission> given, String protocol, Integer from, Integer to,
                                        String cidr, String sourceGroupName) {
        List<IpPermission> perms = new ArrayList<>(given);
        if (protocol != null) {
            IpPermission.Builder p = IpPermission.builder().ipProtocol(protocol).fromPort(from).toPort(to);
            if (cidr != null) p.ipRanges(IpRange.builder().cidrIp(cidr).build());
            if (sourceGroupName != null) {
                Group src = byName(s, sourceGroupName, g.vpcId());
                p.userIdGroupPairs(UserIdGroupPair.builder().groupId(src.id()).build());
            }
            perms.add(p.build());
        }
        return perms;
    }

    DescribeSecurityGroupRulesResponse describeSecurityGroupRules(Call call, DescribeSecurityGroupRulesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeSecurityGroupRules");
        Scope s = st.scope(call);
        List<Owned> all = new ArrayList<>();
        for (Group g : st.securityGroups.values(s)) {
            g.ingress().forEach(r -> all.add(new Owned(g, r, false)));
            g.egress().forEach(r -> all.add(new Owned(g, r, true)));
        }
        if (req.hasSecurityGroupRuleIds() && !req.securityGroupRuleIds().isEmpty()) {
            for (String id : req.securityGroupRuleIds()) {
                if (all.stream().noneMatch(o -> o.rule().id().equals(id))) {
                    throw new AwsException("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '" + id + "' does not exist", 400);
                }
            }
            all.removeIf(o -> !req.securityGroupRuleIds().contains(o.rule().id()));
        }
        all.sort((a, b) -> a.rule().id().compareTo(b.rule().id()));
        List<Owned> matched = FilterScope.in(s, () -> ruleFilters.apply(req.filters(), all));
        DescribeSecurityGroupRulesResponse.Builder b = DescribeSecurityGroupRulesResponse.builder();
        Pagination.Page<Owned> page = Paging.page(call, req, matched, o -> o.rule().id(), b);
        return b.securityGroupRules(page.items().stream().map(o -> toSdk(s, o.group(), o.rule(), o.egress())).toList()).build();
    }

    private List<Rule> authorize(Scope s, Group g, List<IpPermission> perms, boolean egress) {
        List<Rule> wanted = rules(s, perms, true);
        List<Rule> existing = egress ? g.egress() : g.ingress();
        for (int i = 0; i < wanted.size(); i++) {
            Rule r = wanted.get(i);
            for (int j = 0; j < i; j++) {
                if (wanted.get(j).sameAs(r)) throw Ec2Errors.invalidParameterValue("The same permission must not appear multiple times");
            }
            for (Rule e : existing) {
                if (e.sameAs(r)) {
                    throw new AwsException("InvalidPermission.Duplicate", "the specified rule \"" + describe(e) + "\" already exists", 400);
                }
            }
        }
        List<Rule> next = new ArrayList<>(existing);
        next.addAll(wanted);
        st.securityGroups.update(s, g.id(), old -> egress ? old.with(old.ingress(), next) : old.with(next, old.egress()));
        return wanted;
    }

    private void revoke(Scope s, Group g, List<IpPermission> perms, List<String> ruleIds, boolean egress) {
        List<Rule> existing = new ArrayList<>(egress ? g.egress() : g.ingress());
        if (ruleIds != null) {
            for (String id : ruleIds) {
                if (!existing.removeIf(r -> r.id().equals(id))) {
                    throw new AwsException("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '" + id + "' does not exist", 400);
                }
            }
        }
        for (Rule r : rules(s, perms, false)) {
            if (!existing.removeIf(e -> e.sameAs(r))) {
                throw new AwsException("InvalidPermission.NotFound", "The specified rule does not exist in this security group.", 400);
            }
        }
        st.securityGroups.update(s, g.id(), old -> egress ? old.with(old.ingress(), existing) : old.with(existing, old.egress()));
    }

    /** Expands IpPermissions into one rule per source, normalising the protocol. */
    private List<Rule> rules(Scope s, List<IpPermission> perms, boolean checkGroups) {
        List<Rule> out = new ArrayList<>();
        if (perms == null) return out;
        for (IpPermission p : perms) {
            String proto = protocol(p.ipProtocol());
            Integer from = p.fromPort();
            Integer to = p.toPort();
            if (proto.equals("-1")) {
                from = null;
                to = null;
            } else if (proto.equals("tcp") || proto.equals("udp")) {
                if (from == null || to == null) {
                    throw Ec2Errors.invalidParameterValue("Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange");
                }
                if (from < 0 || to > 65535 || from > to) {
                    throw Ec2Errors.invalidParameterValue("Invalid value '" + from + "-" + to + "' for portRange. Ports must be between 0 and 65535 and fromPort must not exceed toPort.");
                }
            }
            for (IpRange r : p.ipRanges()) {
                Cidr c = Cidr.parse(r.cidrIp());
                if (c == null) throw Ec2Errors.invalidParameterValue("CIDR block " + r.cidrIp() + " is malformed");
                out.add(new Rule(Ids.ec2("sgr"), proto, from, to, r.cidrIp(), null, null, null, null, r.description()));
            }
            for (Ipv6Range r : p.ipv6Ranges()) {
                out.add(new Rule(Ids.ec2("sgr"), proto, from, to, null, r.cidrIpv6(), null, null, null, r.description()));
            }
            for (PrefixListId r : p.prefixListIds()) {
                out.add(new Rule(Ids.ec2("sgr"), proto, from, to, null, null, r.prefixListId(), null, null, r.description()));
            }
            for (UserIdGroupPair r : p.userIdGroupPairs()) {
                String gid = r.groupId();
                if (gid == null && r.groupName() != null) gid = byName(s, r.groupName(), st.defaultVpcId(s)).id();
                if (checkGroups && (gid == null || !st.securityGroups.contains(s, gid))) {
                    throw new AwsException("InvalidGroup.NotFound", "The security group '" + gid + "' does not exist", 400);
                }
                out.add(new Rule(Ids.ec2("sgr"), proto, from, to, null, null, null, gid,
                        r.userId() != null ? r.userId() : s.account(), r.description()));
            }
        }
        return out;
    }

    static String protocol(String p) {
        if (p == null) throw Ec2Errors.missingParameter("IpProtocol");
        String l = p.toLowerCase(java.util.Locale.ROOT);
        return switch (l) {
            case "-1", "all" -> "-1";
            case "tcp", "6" -> "tcp";
            case "udp", "17" -> "udp";
            case "icmp", "1" -> "icmp";
            case "icmpv6", "58" -> "icmpv6";
            default -> {
                if (l.chars().allMatch(Character::isDigit) && Integer.parseInt(l) <= 255) yield l;
                throw Ec2Errors.invalidParameterValue("Invalid value '" + p + "' for IP protocol. Unknown protocol.");
            }
        };
    }

    /** As the duplicate-rule message shows a rule: {@code peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW}. */
    private static String describe(Rule r) {
        String proto = r.protocol().equals("-1") ? "ALL" : r.protocol().toUpperCase(java.util.Locale.ROOT);
        if (r.fromPort() == null) return "peer: " + r.peer() + ", " + proto + ", ALLOW";
        return "peer: " + r.peer() + ", " + proto + ", from port: " + r.fromPort() + ", to port: " + r.toPort() + ", ALLOW";
    }

    Group group(Scope s, String id) {
        Group g = id == null ? null : st.securityGroups.get(s, id);
        if (g == null) {
            if (id != null && !id.startsWith("sg-")) {
                throw new AwsException("InvalidGroupId.Malformed", "Invalid id: \"" + id + "\" (expecting \"sg-...\")", 400);
            }
            throw new AwsException("InvalidGroup.NotFound", "The security group '" + id + "' does not exist", 400);
        }
        return g;
    }

    /** The group a request names by GroupId or, failing that, by GroupName in the default VPC. */
    private Group byIdOrName(Scope s, String id, String name) {
        return id != null ? group(s, id) : byName(s, name, st.defaultVpcId(s));
    }

    Group byName(Scope s, String name, String vpcId) {
        if (name == null) throw Ec2Errors.missingParameter("GroupName");
        for (Group g : st.securityGroups.values(s)) {
            if (g.name().equals(name) && g.vpcId().equals(vpcId)) return g;
        }
        if (vpcId == null) throw new AwsException("VPCIdNotSpecified", "No default VPC for this user", 400);
        throw new AwsException("InvalidGroup.NotFound", "The security group '" + name + "' does not exist in default VPC '" + vpcId + "'", 400);
    }

    private static String arn(Scope s, String id) {
        return "arn:aws:ec2:" + s.region() + ":" + s.account() + ":security-group/" + id;
    }

    software.amazon.awssdk.services.ec2.model.SecurityGroup toSdk(Scope s, Group g) {
        return software.amazon.awssdk.services.ec2.model.SecurityGroup.builder()
                .groupId(g.id()).groupName(g.name()).description(g.description()).vpcId(g.vpcId()).ownerId(s.account())
                .securityGroupArn(arn(s, g.id()))
                .ipPermissions(permissions(g.ingress())).ipPermissionsEgress(permissions(g.egress()))
                .tags(st.tags.sdk(s, g.id())).build();
    }

    /** Groups rules back into IpPermissions by protocol and port range, as DescribeSecurityGroups shows them. */
    private static List<IpPermission> permissions(List<Rule> rules) {
        Map<String, List<Rule>> byKey = new LinkedHashMap<>();
        for (Rule r : rules) byKey.computeIfAbsent(r.protocol() + "|" + r.fromPort() + "|" + r.toPort(), k -> new ArrayList<>()).add(r);
        List<IpPermission> out = new ArrayList<>();
        for (List<Rule> rs : byKey.values()) {
            Rule f = rs.get(0);
            IpPermission.Builder b = IpPermission.builder().ipProtocol(f.protocol()).fromPort(f.fromPort()).toPort(f.toPort());
            b.ipRanges(rs.stream().filter(r -> r.cidrIpv4() != null)
                    .map(r -> IpRange.builder().cidrIp(r.cidrIpv4()).description(r.description()).build()).toList());
            b.ipv6Ranges(rs.stream().filter(r -> r.cidrIpv6() != null)
                    .map(r -> Ipv6Range.builder().cidrIpv6(r.cidrIpv6()).description(r.description()).build()).toList());
            b.prefixListIds(rs.stream().filter(r -> r.prefixListId() != null)
                    .map(r -> PrefixListId.builder().prefixListId(r.prefixListId()).description(r.description()).build()).toList());
            b.userIdGroupPairs(rs.stream().filter(r -> r.groupId() != null)
                    .map(r -> UserIdGroupPair.builder().groupId(r.groupId()).userId(r.userId()).description(r.description()).build()).toList());
            out.add(b.build());
        }
        return out;
    }

    private SecurityGroupRule toSdk(Scope s, Group g, Rule r, boolean egress) {
        SecurityGroupRule.Builder b = SecurityGroupRule.builder().securityGroupRuleId(r.id()).groupId(g.id())
                .groupOwnerId(s.account()).isEgress(egress).ipProtocol(r.protocol())
                .fromPort(r.fromPort() == null ? -1 : r.fromPort()).toPort(r.toPort() == null ? -1 : r.toPort())
                .cidrIpv4(r.cidrIpv4()).cidrIpv6(r.cidrIpv6()).prefixListId(r.prefixListId()).description(r.description())
                .securityGroupRuleArn("arn:aws:ec2:" + s.region() + ":" + s.account() + ":security-group-rule/" + r.id())
                .tags(st.tags.sdk(s, r.id()));
        if (r.groupId() != null) b.referencedGroupInfo(ReferencedSecurityGroup.builder().groupId(r.groupId()).userId(r.userId()).build());
        return b.build();
    }
}
