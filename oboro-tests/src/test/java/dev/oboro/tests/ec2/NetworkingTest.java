package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.RouteTable;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Vpc;

import java.util.List;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.filter;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default network, VPCs, subnets, route tables, gateways and security groups. */
class NetworkingTest {
    final String account = Oboro.newAccount();

    @Test
    void defaultVpcHasADefaultSubnetPerZoneAMainRouteToAnInternetGatewayAndADefaultGroup() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            List<Vpc> vpcs = ec2.describeVpcs().vpcs();
            assertEquals(1, vpcs.size());
            Vpc v = vpcs.get(0);
            assertTrue(v.isDefault());
            assertEquals("172.31.0.0/16", v.cidrBlock());
            assertEquals(account, v.ownerId());
            List<Subnet> subnets = ec2.describeSubnets(r -> r.filters(filter("default-for-az", "true"))).subnets();
            List<String> zones = ec2.describeAvailabilityZones().availabilityZones().stream().map(z -> z.zoneName()).toList();
            assertEquals(zones.size(), subnets.size());
            assertEquals(zones, subnets.stream().map(Subnet::availabilityZone).sorted().toList());
            assertTrue(subnets.stream().allMatch(s -> s.mapPublicIpOnLaunch() && s.defaultForAz() && s.cidrBlock().endsWith("/20")));
            assertTrue(subnets.stream().anyMatch(s -> s.cidrBlock().equals("172.31.0.0/20")));
            assertTrue(subnets.stream().anyMatch(s -> s.cidrBlock().equals("172.31.16.0/20")));
            assertEquals(4091, subnets.get(0).availableIpAddressCount());
            RouteTable main = ec2.describeRouteTables(r -> r.filters(filter("association.main", "true"), filter("vpc-id", v.vpcId())))
                    .routeTables().get(0);
            String igw = ec2.describeInternetGateways(r -> r.filters(filter("attachment.vpc-id", v.vpcId()))).internetGateways().get(0).internetGatewayId();
            assertTrue(main.routes().stream().anyMatch(r -> "0.0.0.0/0".equals(r.destinationCidrBlock()) && igw.equals(r.gatewayId())
                    && r.stateAsString().equals("active")));
            assertTrue(main.routes().stream().anyMatch(r -> "172.31.0.0/16".equals(r.destinationCidrBlock()) && "local".equals(r.gatewayId())));
            SecurityGroup sg = ec2.describeSecurityGroups(r -> r.groupNames("default")).securityGroups().get(0);
            assertEquals("default VPC security group", sg.description());
            assertEquals(sg.groupId(), sg.ipPermissions().get(0).userIdGroupPairs().get(0).groupId());
            assertEquals("0.0.0.0/0", sg.ipPermissionsEgress().get(0).ipRanges().get(0).cidrIp());
        }
    }

    @Test
    void subnetCidrsMustFitTheVpcAndNotOverlap() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String vpc = ec2.createVpc(r -> r.cidrBlock("10.0.0.0/16")).vpc().vpcId();
            Subnet a = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.1.0/24").availabilityZone("us-east-1a")).subnet();
            assertEquals("us-east-1a", a.availabilityZone());
            assertFalse(a.mapPublicIpOnLaunch());
            assertEquals(251, a.availableIpAddressCount());
            Ec2Exception outside = fails("InvalidSubnet.Range", () -> ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.1.0.0/24")));
            assertEquals("The CIDR '10.1.0.0/24' is invalid.", outside.awsErrorDetails().errorMessage());
            fails("InvalidSubnet.Range", () -> ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.0.0/29")));
            Ec2Exception conflict = fails("InvalidSubnet.Conflict", () -> ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.1.128/25")));
            assertEquals("The CIDR '10.0.1.128/25' conflicts with another subnet", conflict.awsErrorDetails().errorMessage());
            fails("InvalidVpc.Range", () -> ec2.createVpc(r -> r.cidrBlock("10.0.0.0/8")));
            fails("InvalidVpcID.NotFound", () -> ec2.createSubnet(r -> r.vpcId("vpc-0123456789abcdef0").cidrBlock("10.0.2.0/24")));
            Ec2Exception dep = fails("DependencyViolation", () -> ec2.deleteVpc(r -> r.vpcId(vpc)));
            assertTrue(dep.getMessage().contains("has dependencies and cannot be deleted"));
            ec2.modifySubnetAttribute(r -> r.subnetId(a.subnetId()).mapPublicIpOnLaunch(b -> b.value(true)));
            assertTrue(ec2.describeSubnets(r -> r.subnetIds(a.subnetId())).subnets().get(0).mapPublicIpOnLaunch());
            ec2.deleteSubnet(r -> r.subnetId(a.subnetId()));
            ec2.deleteVpc(r -> r.vpcId(vpc));
            fails("InvalidVpcID.NotFound", () -> ec2.describeVpcs(r -> r.vpcIds(vpc)));
        }
    }

    @Test
    void routeTablesRoutesInternetAndNatGateways() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String vpc = ec2.createVpc(r -> r.cidrBlock("10.1.0.0/16")).vpc().vpcId();
            String subnet = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.1.0.0/24")).subnet().subnetId();
            String igw = ec2.createInternetGateway().internetGateway().internetGatewayId();
            String rtb = ec2.createRouteTable(r -> r.vpcId(vpc)).routeTable().routeTableId();
            Ec2Exception notAttached = fails("InvalidParameterValue", () -> ec2.createRoute(r -> r.routeTableId(rtb)
                    .destinationCidrBlock("0.0.0.0/0").gatewayId(igw)));
            assertTrue(notAttached.getMessage().contains("belong to different networks"));
            ec2.attachInternetGateway(r -> r.internetGatewayId(igw).vpcId(vpc));
            fails("Resource.AlreadyAssociated", () -> ec2.attachInternetGateway(r -> r.internetGatewayId(igw).vpcId(vpc)));
            ec2.createRoute(r -> r.routeTableId(rtb).destinationCidrBlock("0.0.0.0/0").gatewayId(igw));
            Ec2Exception dup = fails("RouteAlreadyExists", () -> ec2.createRoute(r -> r.routeTableId(rtb).destinationCidrBlock("0.0.0.0/0").gatewayId(igw)));
            assertEquals("The route identified by 0.0.0.0/0 already exists.", dup.awsErrorDetails().errorMessage());
            String assoc = ec2.associateRouteTable(r -> r.routeTableId(rtb).subnetId(subnet)).associationId();
            assertEquals(rtb, ec2.describeRouteTables(r -> r.filters(filter("association.subnet-id", subnet))).routeTables().get(0).routeTableId());
            fails("DependencyViolation", () -> ec2.deleteRouteTable(r -> r.routeTableId(rtb)));
            fails("DependencyViolation", () -> ec2.deleteInternetGateway(r -> r.internetGatewayId(igw)));
            fails("Gateway.NotAttached", () -> ec2.detachInternetGateway(r -> r.internetGatewayId(igw).vpcId("vpc-0123456789abcdef0")));
            ec2.disassociateRouteTable(r -> r.associationId(assoc));
            ec2.deleteRoute(r -> r.routeTableId(rtb).destinationCidrBlock("0.0.0.0/0"));
            fails("InvalidRoute.NotFound", () -> ec2.deleteRoute(r -> r.routeTableId(rtb).destinationCidrBlock("0.0.0.0/0")));
            ec2.deleteRouteTable(r -> r.routeTableId(rtb));
            ec2.detachInternetGateway(r -> r.internetGatewayId(igw).vpcId(vpc));
            ec2.deleteInternetGateway(r -> r.internetGatewayId(igw));
            fails("InvalidInternetGatewayID.NotFound", () -> ec2.describeInternetGateways(r -> r.internetGatewayIds(igw)));
            fails("NatGatewayNotFound", () -> ec2.describeNatGateways(r -> r.natGatewayIds("nat-0123456789abcdef0")));
        }
    }

    @Test
    void securityGroupRulesAndDuplicates() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String sg = ec2.createSecurityGroup(r -> r.groupName("web").description("web servers")).groupId();
            fails("InvalidGroup.Duplicate", () -> ec2.createSecurityGroup(r -> r.groupName("web").description("again")));
            IpPermission ssh = IpPermission.builder().ipProtocol("tcp").fromPort(22).toPort(22)
                    .ipRanges(IpRange.builder().cidrIp("0.0.0.0/0").build()).build();
            var added = ec2.authorizeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(ssh));
            assertTrue(added.returnValue());
            assertTrue(added.securityGroupRules().get(0).securityGroupRuleId().startsWith("sgr-"));
            Ec2Exception dup = fails("InvalidPermission.Duplicate", () -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(ssh)));
            assertEquals("the specified rule \"peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW\" already exists",
                    dup.awsErrorDetails().errorMessage());
            ec2.authorizeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(IpPermission.builder().ipProtocol("tcp").fromPort(443)
                    .toPort(443).ipRanges(IpRange.builder().cidrIp("10.0.0.0/8").build()).build()));
            List<String> rules = ec2.describeSecurityGroupRules(r -> r.filters(filter("group-id", sg))).securityGroupRules().stream()
                    .map(x -> x.isEgress() + ":" + x.ipProtocol() + ":" + x.fromPort() + ":" + (x.cidrIpv4() == null ? "" : x.cidrIpv4())).sorted().toList();
            assertEquals(List.of("false:tcp:22:0.0.0.0/0", "false:tcp:443:10.0.0.0/8", "true:-1:-1:0.0.0.0/0"), rules);
            assertEquals(1, ec2.describeSecurityGroups(r -> r.filters(filter("ip-permission.from-port", "443"))).securityGroups().size());
            ec2.revokeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(ssh));
            fails("InvalidPermission.NotFound", () -> ec2.revokeSecurityGroupIngress(r -> r.groupId(sg).ipPermissions(ssh)));
            fails("InvalidGroup.NotFound", () -> ec2.describeSecurityGroups(r -> r.groupIds("sg-0123456789abcdef0")));
            fails("CannotDelete", () -> ec2.deleteSecurityGroup(r -> r.groupName("default")));
            ec2.deleteSecurityGroup(r -> r.groupId(sg));
        }
    }

    @Test
    void cliPaginatesSubnetsAndFiltersVpcs() {
        JsonNode page = json(Cli.v2(account, "ec2", "describe-subnets", "--max-items", "2").ok().stdout());
        assertEquals(2, page.get("Subnets").size());
        String token = page.get("NextToken").asText();
        JsonNode rest = json(Cli.v2(account, "ec2", "describe-subnets", "--starting-token", token, "--page-size", "5").ok().stdout());
        assertTrue(rest.get("Subnets").size() >= 4, rest.toString());
        JsonNode vpcs = json(Cli.v2(account, "ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true").ok().stdout());
        assertEquals("172.31.0.0/16", vpcs.get("Vpcs").get(0).get("CidrBlock").asText());
        Cli.Result bad = Cli.v2(account, "ec2", "create-subnet", "--vpc-id", vpcs.get("Vpcs").get(0).get("VpcId").asText(),
                "--cidr-block", "172.31.0.0/24");
        assertTrue(bad.stderr().contains("InvalidSubnet.Conflict"), bad.stderr());
    }
}
