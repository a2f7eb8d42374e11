package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.filter;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static dev.oboro.tests.ec2.Ec2Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Instances move through their states on Oboro's clock. */
@ResourceLock(Oboro.CLOCK)
class InstanceLifecycleTest {
    final String account = Oboro.newAccount();

    private static Instance describe(Ec2Client ec2, String id) {
        return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    @Test
    void runStopStartTerminateAndDisappear() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            ec2.createKeyPair(r -> r.keyName("k"));
            String userData = Base64.getEncoder().encodeToString("#!/bin/bash\necho hi".getBytes(StandardCharsets.UTF_8));
            Instance i = run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.keyName("k").userData(userData)
                    .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(Tag.builder().key("Name").value("web").build()).build(),
                            TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(Tag.builder().key("team").value("a").build()).build()));
            String id = i.instanceId();
            assertEquals("pending", i.state().nameAsString());
            assertEquals(0, i.state().code());
            assertTrue(i.privateIpAddress().startsWith("172.31."));
            assertTrue(i.privateDnsName().endsWith(".ec2.internal"));
            assertNotNull(i.publicIpAddress(), "default subnets map public IPs on launch");
            assertEquals("/dev/xvda", i.rootDeviceName());
            assertTrue(i.enaSupport());
            assertEquals("required", i.metadataOptions().httpTokensAsString());
            String volumeId = i.blockDeviceMappings().get(0).ebs().volumeId();
            Volume root = ec2.describeVolumes(r -> r.volumeIds(volumeId)).volumes().get(0);
            assertEquals(8, root.size());
            assertEquals("gp3", root.volumeTypeAsString());
            assertEquals("a", root.tags().get(0).value());
            assertNull(ec2.getConsoleOutput(r -> r.instanceId(id)).output());

            Oboro.advance(Duration.ofSeconds(20));
            Instance running = describe(ec2, id);
            assertEquals("running", running.state().nameAsString());
            assertEquals(16, running.state().code());
            assertEquals("web", running.tags().get(0).value());
            String console = new String(Base64.getDecoder().decode(ec2.getConsoleOutput(r -> r.instanceId(id)).output()), StandardCharsets.UTF_8);
            assertTrue(console.contains("cloud-init") && console.contains("user-data"), console);

            var stop = ec2.stopInstances(r -> r.instanceIds(id)).stoppingInstances().get(0);
            assertEquals("running", stop.previousState().nameAsString());
            assertEquals("stopping", stop.currentState().nameAsString());
            fails("IncorrectInstanceState", () -> ec2.startInstances(r -> r.instanceIds(id)));
            Oboro.advance(Duration.ofSeconds(15));
            Instance stopped = describe(ec2, id);
            assertEquals("stopped", stopped.state().nameAsString());
            assertEquals("Client.UserInitiatedShutdown", stopped.stateReason().code());
            assertTrue(stopped.stateTransitionReason().startsWith("User initiated ("), stopped.stateTransitionReason());
            assertNull(stopped.publicIpAddress(), "an auto-assigned public IP is released on stop");

            ec2.modifyInstanceAttribute(r -> r.instanceId(id).instanceType(v -> v.value("t3.small")));
            assertEquals("t3.small", ec2.describeInstanceAttribute(r -> r.instanceId(id).attribute(InstanceAttributeName.INSTANCE_TYPE)).instanceType().value());
            ec2.modifyInstanceAttribute(r -> r.instanceId(id).instanceType(v -> v.value("m5.large")));
            ec2.modifyInstanceAttribute(r -> r.instanceId(id).enaSupport(v -> v.value(false)));
            var ena = fails("InvalidParameterCombination", () -> ec2.startInstances(r -> r.instanceIds(id)));
            assertTrue(ena.getMessage().contains("Ensure that your instance '" + id + "' is enabled for ENA."), ena.getMessage());
            ec2.modifyInstanceAttribute(r -> r.instanceId(id).enaSupport(v -> v.value(true)));
            assertEquals("pending", ec2.startInstances(r -> r.instanceIds(id)).startingInstances().get(0).currentState().nameAsString());
            Oboro.advance(Duration.ofSeconds(20));
            Instance again = describe(ec2, id);
            assertEquals("running", again.state().nameAsString());
            assertEquals("m5.large", again.instanceTypeAsString());
            assertNotNull(again.publicIpAddress());

            ec2.terminateInstances(r -> r.instanceIds(id));
            assertEquals("shutting-down", describe(ec2, id).state().nameAsString());
            Oboro.advance(Duration.ofSeconds(15));
            Instance gone = describe(ec2, id);
            assertEquals("terminated", gone.state().nameAsString());
            assertEquals(48, gone.state().code());
            assertTrue(ec2.describeVolumes(r -> r.filters(filter("volume-id", volumeId))).volumes().isEmpty(), "DeleteOnTermination volume deleted");
            fails("IncorrectInstanceState", () -> ec2.startInstances(r -> r.instanceIds(id)));
            Oboro.advance(Duration.ofMinutes(61));
            fails("InvalidInstanceID.NotFound", () -> ec2.describeInstances(r -> r.instanceIds(id)));
        }
    }

    @Test
    void volumesKeptWhenDeleteOnTerminationIsFalse() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Instance i = run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.blockDeviceMappings(
                    BlockDeviceMapping.builder().deviceName("/dev/xvda").ebs(e -> e.volumeSize(20).deleteOnTermination(false)).build(),
                    BlockDeviceMapping.builder().deviceName("/dev/sdf").ebs(e -> e.volumeSize(50).volumeType("gp3")).build()));
            assertEquals(2, i.blockDeviceMappings().size());
            fails("InvalidBlockDeviceMapping", () -> run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.blockDeviceMappings(
                    BlockDeviceMapping.builder().deviceName("/dev/xvda").ebs(e -> e.volumeSize(4)).build())));
            ec2.terminateInstances(r -> r.instanceIds(i.instanceId()));
            Oboro.advance(Duration.ofSeconds(30));
            List<Volume> left = ec2.describeVolumes(r -> r.filters(filter("size", "20", "50"))).volumes();
            assertEquals(1, left.size());
            assertEquals(20, left.get(0).size());
            assertEquals("available", left.get(0).stateAsString());
        }
    }

    @Test
    void createImageFromAnEbsInstanceAndLaunchIt() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Instance i = run(ec2, Ec2Fixtures.AL2023, "t3.micro", null);
            fails("IncorrectInstanceState", () -> ec2.createImage(r -> r.instanceId(i.instanceId()).name("golden")));
            Oboro.advance(Duration.ofSeconds(20));
            String ami = ec2.createImage(r -> r.instanceId(i.instanceId()).name("golden").noReboot(true)).imageId();
            var img = ec2.describeImages(r -> r.imageIds(ami)).images().get(0);
            assertEquals("pending", img.stateAsString());
            assertEquals(i.instanceId(), img.sourceInstanceId());
            String snap = img.blockDeviceMappings().get(0).ebs().snapshotId();
            var s = ec2.describeSnapshots(r -> r.snapshotIds(snap)).snapshots().get(0);
            assertEquals("pending", s.stateAsString());
            assertTrue(s.description().startsWith("Created by CreateImage(" + i.instanceId() + ") for " + ami));
            fails("InvalidAMIID.Unavailable", () -> ec2.runInstances(r -> r.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1)));
            Oboro.advance(Duration.ofSeconds(70));
            assertEquals("available", ec2.describeImages(r -> r.imageIds(ami)).images().get(0).stateAsString());
            assertEquals("completed", ec2.describeSnapshots(r -> r.snapshotIds(snap)).snapshots().get(0).stateAsString());
            String registered = ec2.registerImage(r -> r.name("from-snap").rootDeviceName("/dev/xvda").virtualizationType("hvm").enaSupport(true)
                    .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda").ebs(e -> e.snapshotId(snap)).build())).imageId();
            Instance child = ec2.runInstances(r -> r.imageId(registered).instanceType("t3.micro").minCount(1).maxCount(1)).instances().get(0);
            assertEquals(registered, child.imageId());
            String vol = child.blockDeviceMappings().get(0).ebs().volumeId();
            assertEquals(snap, ec2.describeVolumes(r -> r.volumeIds(vol)).volumes().get(0).snapshotId());
        }
    }

    @Test
    void natGatewayBecomesAvailableAndSubnetsRouteThroughIt() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String subnet = ec2.describeSubnets(r -> r.filters(filter("default-for-az", "true"))).subnets().get(0).subnetId();
            String vpc = ec2.describeVpcs().vpcs().get(0).vpcId();
            String alloc = ec2.allocateAddress().allocationId();
            var nat = ec2.createNatGateway(r -> r.subnetId(subnet).allocationId(alloc)).natGateway();
            assertEquals("pending", nat.stateAsString());
            String rtb = ec2.createRouteTable(r -> r.vpcId(vpc)).routeTable().routeTableId();
            ec2.createRoute(r -> r.routeTableId(rtb).destinationCidrBlock("0.0.0.0/0").natGatewayId(nat.natGatewayId()));
            Oboro.advance(Duration.ofSeconds(61));
            var available = ec2.describeNatGateways(r -> r.natGatewayIds(nat.natGatewayId())).natGateways().get(0);
            assertEquals("available", available.stateAsString());
            assertEquals(ec2.describeAddresses(r -> r.allocationIds(alloc)).addresses().get(0).publicIp(), available.natGatewayAddresses().get(0).publicIp());
            ec2.deleteNatGateway(r -> r.natGatewayId(nat.natGatewayId()));
            assertEquals("deleting", ec2.describeNatGateways(r -> r.natGatewayIds(nat.natGatewayId())).natGateways().get(0).stateAsString());
            Oboro.advance(Duration.ofSeconds(31));
            assertEquals("deleted", ec2.describeNatGateways(r -> r.natGatewayIds(nat.natGatewayId())).natGateways().get(0).stateAsString());
            assertEquals("blackhole", ec2.describeRouteTables(r -> r.routeTableIds(rtb)).routeTables().get(0).routes().stream()
                    .filter(x -> "0.0.0.0/0".equals(x.destinationCidrBlock())).findFirst().orElseThrow().stateAsString());
            assertNull(ec2.describeAddresses(r -> r.allocationIds(alloc)).addresses().get(0).associationId());
        }
    }

    @Test
    void cliRunDescribeAndTerminate() {
        String ami;
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
        }
        JsonNode r = json(Cli.v2(account, "ec2", "run-instances", "--image-id", ami, "--instance-type", "t3.nano", "--count", "3",
                "--tag-specifications", "ResourceType=instance,Tags=[{Key=role,Value=cli}]").ok().stdout());
        assertEquals(3, r.get("Instances").size());
        Oboro.advance(Duration.ofSeconds(20));
        JsonNode d = json(Cli.v2(account, "ec2", "describe-instances", "--filters", "Name=tag:role,Values=cli",
                "Name=instance-state-name,Values=running", "--query", "Reservations[].Instances[].InstanceId").ok().stdout());
        assertEquals(3, d.size());
        JsonNode t = json(Cli.v2(account, "ec2", "terminate-instances", "--instance-ids", d.get(0).asText()).ok().stdout());
        assertEquals("shutting-down", t.get("TerminatingInstances").get(0).get("CurrentState").get("Name").asText());
        JsonNode w = json(Cli.v2(account, "ec2", "describe-instance-attribute", "--instance-id", d.get(1).asText(), "--attribute",
                "instanceInitiatedShutdownBehavior").ok().stdout());
        assertEquals("stop", w.get("InstanceInitiatedShutdownBehavior").get("Value").asText());
        assertFalse(Cli.v2(account, "ec2", "get-console-output", "--instance-id", d.get(1).asText()).ok().stdout().isEmpty());
    }
}
