package dev.oboro.tests.ec2;

import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;
import software.amazon.awssdk.services.ec2.model.LocationType;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.filter;
import static dev.oboro.tests.ec2.Ec2Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RunInstances and friends refuse what AWS refuses, with AWS's codes and messages. */
class InstanceRulesTest {
    final String account = Oboro.newAccount();

    @Test
    void ipv6OnATypeWithoutIpv6IsRefused() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Ec2Exception e = fails("UnsupportedOperation", () -> run(ec2, Ec2Fixtures.AL2023, "m3.medium", b -> b.ipv6AddressCount(1)));
            assertEquals("IPv6 addresses are not supported on m3.medium", e.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void anImageWithoutEnaOnATypeThatRequiresEnaIsRefused() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String noEna = ec2.registerImage(r -> r.name("no-ena").imageLocation("b/no-ena.manifest.xml").virtualizationType("hvm")
                    .architecture("x86_64").enaSupport(false)).imageId();
            Ec2Exception e = fails("InvalidParameterCombination", () -> ec2.runInstances(r -> r.imageId(noEna).instanceType("t3.micro").minCount(1).maxCount(1)));
            assertEquals("Enhanced networking with the Elastic Network Adapter (ENA) is required for the 't3.micro' instance type. "
                    + "Ensure that you are using an AMI that is enabled for ENA.", e.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void aParavirtualImageOnAnHvmOnlyTypeIsRefused() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Ec2Exception e = fails("InvalidParameterCombination", () -> run(ec2, Ec2Fixtures.PV, "t2.micro", null));
            assertEquals("Virtualization type 'hvm' is required for instances of type 't2.micro'.", e.awsErrorDetails().errorMessage());
            Instance ok = run(ec2, Ec2Fixtures.PV, "m3.medium", null);
            assertEquals("paravirtual", ok.virtualizationTypeAsString());
            assertTrue(ok.enaSupport() == null || !ok.enaSupport());
        }
    }

    @Test
    void architectureMustMatch() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Ec2Exception e = fails("InvalidParameterValue", () -> run(ec2, Ec2Fixtures.AL2023_ARM, "m5.large", null));
            assertTrue(e.getMessage().contains("does not match the architecture 'arm64' of the specified AMI"));
            assertEquals("arm64", run(ec2, Ec2Fixtures.AL2023_ARM, "m7g.large", null).architectureAsString());
        }
    }

    @Test
    void instanceStoreBackedInstancesCannotBeStoppedOrImaged() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Ec2Exception notOnNitro = fails("UnsupportedOperation", () -> run(ec2, Ec2Fixtures.INSTANCE_STORE, "m5.large", null));
            assertTrue(notOnNitro.getMessage().contains("with an instance-store root device is not supported for the instance type 'm5.large'"));
            Instance i = run(ec2, Ec2Fixtures.INSTANCE_STORE, "m3.medium", null);
            assertEquals("instance-store", i.rootDeviceTypeAsString());
            Ec2Exception stop = fails("UnsupportedOperation", () -> ec2.stopInstances(r -> r.instanceIds(i.instanceId())));
            assertEquals("The instance '" + i.instanceId() + "' does not have an 'ebs' root device type and cannot be stopped.",
                    stop.awsErrorDetails().errorMessage());
            fails("UnsupportedOperation", () -> ec2.createImage(r -> r.instanceId(i.instanceId()).name("from-store")));
        }
    }

    @Test
    void terminationProtectionBlocksTermination() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Instance i = run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.disableApiTermination(true));
            Ec2Exception e = fails("OperationNotPermitted", () -> ec2.terminateInstances(r -> r.instanceIds(i.instanceId())));
            assertEquals("The instance '" + i.instanceId() + "' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.",
                    e.awsErrorDetails().errorMessage());
            ec2.modifyInstanceAttribute(r -> r.instanceId(i.instanceId()).disableApiTermination(v -> v.value(false)));
            assertEquals("shutting-down", ec2.terminateInstances(r -> r.instanceIds(i.instanceId())).terminatingInstances().get(0).currentState().nameAsString());
        }
    }

    @Test
    void unknownReferencesGiveTheirNotFoundErrors() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
            fails("InvalidAMIID.NotFound", () -> ec2.runInstances(r -> r.imageId("ami-0123456789abcdef0").instanceType("t3.micro").minCount(1).maxCount(1)));
            fails("InvalidAMIID.Malformed", () -> ec2.runInstances(r -> r.imageId("ami-nope").instanceType("t3.micro").minCount(1).maxCount(1)));
            Ec2Exception subnet = fails("InvalidSubnetID.NotFound", () -> ec2.runInstances(r -> r.imageId(ami).instanceType("t3.micro")
                    .subnetId("subnet-0123456789abcdef0").minCount(1).maxCount(1)));
            assertEquals("The subnet ID 'subnet-0123456789abcdef0' does not exist", subnet.awsErrorDetails().errorMessage());
            Ec2Exception type = fails("InvalidParameterValue", () -> ec2.runInstances(r -> r.imageId(ami).instanceType("m9.huge").minCount(1).maxCount(1)));
            assertEquals("Invalid value 'm9.huge' for InstanceType.", type.awsErrorDetails().errorMessage());
            Ec2Exception key = fails("InvalidKeyPair.NotFound", () -> ec2.runInstances(r -> r.imageId(ami).instanceType("t3.micro")
                    .keyName("nokey").minCount(1).maxCount(1)));
            assertEquals("The key pair 'nokey' does not exist", key.awsErrorDetails().errorMessage());
            fails("InvalidGroup.NotFound", () -> ec2.runInstances(r -> r.imageId(ami).instanceType("t3.micro")
                    .securityGroupIds("sg-0123456789abcdef0").minCount(1).maxCount(1)));
            Ec2Exception byName = fails("InvalidGroup.NotFound", () -> ec2.runInstances(r -> r.imageId(ami).instanceType("t3.micro")
                    .securityGroups("nosuch").minCount(1).maxCount(1)));
            assertTrue(byName.getMessage().contains("does not exist in default VPC"));
            fails("InvalidInstanceID.NotFound", () -> ec2.describeInstances(r -> r.instanceIds("i-0123456789abcdef0")));
            fails("InvalidInstanceID.Malformed", () -> ec2.stopInstances(r -> r.instanceIds("nope")));
        }
    }

    @Test
    void aTypeNotOfferedInTheZoneIsUnsupported() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            List<InstanceTypeOffering> offerings = new java.util.ArrayList<>();
            ec2.describeInstanceTypeOfferingsPaginator(r -> r.locationType(LocationType.AVAILABILITY_ZONE)
                    .filters(filter("instance-type", "m5.large", "c5.large", "t3.micro", "p3.2xlarge", "m4.large"))).forEach(p -> offerings.addAll(p.instanceTypeOfferings()));
            Map<String, List<String>> zonesByType = offerings.stream().collect(Collectors.groupingBy(InstanceTypeOffering::instanceTypeAsString,
                    Collectors.mapping(InstanceTypeOffering::location, Collectors.toList())));
            List<String> allZones = ec2.describeAvailabilityZones().availabilityZones().stream().map(z -> z.zoneName()).toList();
            String type = zonesByType.keySet().stream().filter(t -> zonesByType.get(t).size() < allZones.size()).findFirst().orElseThrow();
            String zone = allZones.stream().filter(z -> !zonesByType.get(type).contains(z)).findFirst().orElseThrow();
            Ec2Exception e = fails("Unsupported", () -> run(ec2, Ec2Fixtures.AL2023, type, b -> b.placement(p -> p.availabilityZone(zone))));
            assertTrue(e.awsErrorDetails().errorMessage().startsWith("Your requested instance type (" + type
                    + ") is not supported in your requested Availability Zone (" + zone + "). Please retry your request by not specifying an Availability Zone or choosing "),
                    e.getMessage());
        }
    }

    @Test
    void efaInterfacesOnlyOnEfaCapableTypes() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            InstanceNetworkInterfaceSpecification efa = InstanceNetworkInterfaceSpecification.builder().deviceIndex(0)
                    .interfaceType("efa").build();
            fails("InvalidParameterCombination", () -> run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.networkInterfaces(efa)));
            Instance ok = run(ec2, Ec2Fixtures.AL2023, "c5n.18xlarge", b -> b.networkInterfaces(efa));
            assertEquals("efa", ok.networkInterfaces().get(0).interfaceType());
        }
    }

    @Test
    void instanceProfilesMustExistInIam() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account);
             software.amazon.awssdk.services.iam.IamClient iam = Oboro.client(software.amazon.awssdk.services.iam.IamClient.builder(), account)) {
            var profile = iam.createInstanceProfile(r -> r.instanceProfileName("app-profile")).instanceProfile();
            Instance i = run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.iamInstanceProfile(p -> p.name("app-profile")));
            assertEquals(profile.arn(), i.iamInstanceProfile().arn());
            assertEquals(profile.instanceProfileId(), i.iamInstanceProfile().id());
            Instance byArn = run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.iamInstanceProfile(p -> p.arn(profile.arn())));
            assertEquals(profile.arn(), byArn.iamInstanceProfile().arn());
            Ec2Exception e = fails("InvalidParameterValue", () -> run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.iamInstanceProfile(p -> p.name("nope"))));
            assertEquals("Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name", e.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void instanceTypeChangesOnlyWhileStopped() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Instance i = run(ec2, Ec2Fixtures.AL2023, "t3.micro", null);
            Ec2Exception e = fails("IncorrectInstanceState", () -> ec2.modifyInstanceAttribute(r -> r.instanceId(i.instanceId())
                    .instanceType(v -> v.value("t3.small"))));
            assertEquals("The instance '" + i.instanceId() + "' is not in the 'stopped' state.", e.awsErrorDetails().errorMessage());
            Cli.Result cli = Cli.v2(account, "ec2", "modify-instance-attribute", "--instance-id", i.instanceId(), "--instance-type", "Value=t3.small");
            assertTrue(cli.stderr().contains("IncorrectInstanceState"), cli.stderr());
            Cli.Result cliRun = Cli.v2(account, "ec2", "run-instances", "--image-id", Ec2Fixtures.ami(ec2, Ec2Fixtures.PV), "--instance-type", "t2.micro");
            assertTrue(cliRun.stderr().contains("InvalidParameterCombination") && cliRun.stderr().contains("Virtualization type 'hvm' is required"), cliRun.stderr());
        }
    }
}
