package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagDescription;

import java.util.List;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.filter;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static dev.oboro.tests.ec2.Ec2Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ResourceLock(Oboro.CLOCK)
class InterfacesAddressesTagsTest {
    final String account = Oboro.newAccount();

    @Test
    void networkInterfacesTakeAddressesFromTheirSubnetAndAttach() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String vpc = ec2.createVpc(r -> r.cidrBlock("10.9.0.0/16")).vpc().vpcId();
            String subnet = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.9.1.0/28").availabilityZone("us-east-1a")).subnet().subnetId();
            NetworkInterface a = ec2.createNetworkInterface(r -> r.subnetId(subnet).description("first")).networkInterface();
            assertEquals("10.9.1.4", a.privateIpAddress(), "the first four addresses are reserved");
            assertEquals("available", a.statusAsString());
            NetworkInterface b = ec2.createNetworkInterface(r -> r.subnetId(subnet).privateIpAddress("10.9.1.10")).networkInterface();
            assertEquals("10.9.1.10", b.privateIpAddress());
            fails("InvalidIPAddress.InUse", () -> ec2.createNetworkInterface(r -> r.subnetId(subnet).privateIpAddress("10.9.1.10")));
            assertEquals(9, ec2.describeSubnets(r -> r.subnetIds(subnet)).subnets().get(0).availableIpAddressCount());
            Instance i = run(ec2, Ec2Fixtures.AL2023, "t3.micro", x -> x.subnetId(subnet));
            assertEquals("10.9.1.5", i.privateIpAddress());
            assertNull(i.publicIpAddress(), "a new subnet does not map public IPs");
            Oboro.advance(java.time.Duration.ofSeconds(20));
            String att = ec2.attachNetworkInterface(r -> r.networkInterfaceId(a.networkInterfaceId()).instanceId(i.instanceId()).deviceIndex(1)).attachmentId();
            assertEquals("in-use", ec2.describeNetworkInterfaces(r -> r.networkInterfaceIds(a.networkInterfaceId())).networkInterfaces().get(0).statusAsString());
            fails("InvalidNetworkInterface.InUse", () -> ec2.deleteNetworkInterface(r -> r.networkInterfaceId(a.networkInterfaceId())));
            assertEquals(2, ec2.describeInstances(r -> r.instanceIds(i.instanceId())).reservations().get(0).instances().get(0).networkInterfaces().size());
            String primaryAtt = i.networkInterfaces().get(0).attachment().attachmentId();
            fails("OperationNotPermitted", () -> ec2.detachNetworkInterface(r -> r.attachmentId(primaryAtt)));
            ec2.detachNetworkInterface(r -> r.attachmentId(att));
            ec2.deleteNetworkInterface(r -> r.networkInterfaceId(a.networkInterfaceId()));
            fails("InvalidNetworkInterfaceID.NotFound", () -> ec2.describeNetworkInterfaces(r -> r.networkInterfaceIds(a.networkInterfaceId())));
            assertEquals(1, ec2.describeNetworkInterfaces(r -> r.filters(filter("attachment.instance-id", i.instanceId()))).networkInterfaces().size());
            fails("DependencyViolation", () -> ec2.deleteSubnet(r -> r.subnetId(subnet)));
        }
    }

    @Test
    void elasticIpsAssociateWithInstances() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Instance i = run(ec2, Ec2Fixtures.AL2023, "t3.micro", null);
            Oboro.advance(java.time.Duration.ofSeconds(20));
            var alloc = ec2.allocateAddress(r -> r.domain("vpc"));
            assertTrue(alloc.allocationId().startsWith("eipalloc-"));
            String assoc = ec2.associateAddress(r -> r.allocationId(alloc.allocationId()).instanceId(i.instanceId())).associationId();
            Instance after = ec2.describeInstances(r -> r.instanceIds(i.instanceId())).reservations().get(0).instances().get(0);
            assertEquals(alloc.publicIp(), after.publicIpAddress());
            var addr = ec2.describeAddresses(r -> r.filters(filter("instance-id", i.instanceId()))).addresses().get(0);
            assertEquals(assoc, addr.associationId());
            assertEquals(i.privateIpAddress(), addr.privateIpAddress());
            fails("Resource.AlreadyAssociated", () -> ec2.associateAddress(r -> r.allocationId(alloc.allocationId()).instanceId(i.instanceId())));
            fails("InvalidIPAddress.InUse", () -> ec2.releaseAddress(r -> r.allocationId(alloc.allocationId())));
            ec2.disassociateAddress(r -> r.associationId(assoc));
            assertNull(ec2.describeInstances(r -> r.instanceIds(i.instanceId())).reservations().get(0).instances().get(0).publicIpAddress());
            ec2.releaseAddress(r -> r.allocationId(alloc.allocationId()));
            fails("InvalidAllocationID.NotFound", () -> ec2.describeAddresses(r -> r.allocationIds(alloc.allocationId())));
            fails("InvalidAssociationID.NotFound", () -> ec2.disassociateAddress(r -> r.associationId("eipassoc-0123456789abcdef0")));
        }
    }

    @Test
    void tagsOnEveryResourceAndDescribeTags() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String vpc = ec2.describeVpcs().vpcs().get(0).vpcId();
            String sg = ec2.createSecurityGroup(r -> r.groupName("tagged").description("t")).groupId();
            String subnet = ec2.describeSubnets().subnets().get(0).subnetId();
            ec2.createTags(r -> r.resources(vpc, sg, subnet).tags(Tag.builder().key("env").value("dev").build(), Tag.builder().key("owner").value("me").build()));
            List<TagDescription> env = ec2.describeTags(r -> r.filters(filter("key", "env"))).tags();
            assertEquals(3, env.size());
            assertEquals(List.of("security-group", "subnet", "vpc"), env.stream().map(TagDescription::resourceTypeAsString).sorted().toList());
            assertEquals("dev", ec2.describeVpcs(r -> r.filters(filter("tag:env", "dev"))).vpcs().get(0).tags().stream()
                    .filter(t -> t.key().equals("env")).findFirst().orElseThrow().value());
            ec2.deleteTags(r -> r.resources(vpc).tags(Tag.builder().key("env").value("other").build()));
            assertEquals(3, ec2.describeTags(r -> r.filters(filter("key", "env"))).tags().size(), "a value that does not match keeps the tag");
            ec2.deleteTags(r -> r.resources(vpc).tags(Tag.builder().key("env").build()));
            assertEquals(2, ec2.describeTags(r -> r.filters(filter("key", "env"))).tags().size());
            ec2.createTags(r -> r.resources(vpc).tags(Tag.builder().key("a").value("1").build(), Tag.builder().key("b").value("2").build()));
            var page = ec2.describeTags(r -> r.maxResults(5));
            assertEquals(5, page.tags().size());
            var last = ec2.describeTags(r -> r.maxResults(5).nextToken(page.nextToken()));
            assertEquals(2, last.tags().size());
            assertNull(last.nextToken());
            fails("InvalidVpcID.NotFound", () -> ec2.createTags(r -> r.resources("vpc-0123456789abcdef0").tags(Tag.builder().key("a").value("b").build())));
            fails("InvalidParameterValue", () -> ec2.createTags(r -> r.resources(vpc).tags(Tag.builder().key("aws:x").value("b").build())));
            JsonNode cli = json(Cli.v2(account, "ec2", "describe-tags", "--filters", "Name=resource-type,Values=security-group").ok().stdout());
            assertEquals(2, cli.get("Tags").size());
            JsonNode cliPage = json(Cli.v2(account, "ec2", "describe-tags", "--max-items", "3", "--page-size", "5").ok().stdout());
            assertEquals(3, cliPage.get("Tags").size());
            JsonNode cliRest = json(Cli.v2(account, "ec2", "describe-tags", "--starting-token", cliPage.get("NextToken").asText()).ok().stdout());
            assertEquals(4, cliRest.get("Tags").size());
        }
    }
}
