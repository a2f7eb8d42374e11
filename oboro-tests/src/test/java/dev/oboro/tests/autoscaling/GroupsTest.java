package dev.oboro.tests.autoscaling;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.LaunchConfiguration;
import software.amazon.awssdk.services.autoscaling.model.Tag;
import software.amazon.awssdk.services.autoscaling.model.TagDescription;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.util.List;

import static dev.oboro.tests.autoscaling.AsgFixtures.activities;
import static dev.oboro.tests.autoscaling.AsgFixtures.fails;
import static dev.oboro.tests.autoscaling.AsgFixtures.group;
import static dev.oboro.tests.autoscaling.AsgFixtures.settleAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Creating, describing, updating and deleting groups and launch configurations, with AWS's refusals. */
@ResourceLock(Oboro.CLOCK)
class GroupsTest {
    final String account = Oboro.newAccount();

    @Test
    void createRefusalsAndDefaults() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String lt = AsgFixtures.template(ec2, "defaults");
            var x = fails("ValidationError", () -> asg.createAutoScalingGroup(r -> r.autoScalingGroupName("g").minSize(1).maxSize(3).desiredCapacity(5)
                    .availabilityZones("us-east-1a").launchTemplate(t -> t.launchTemplateId(lt))));
            assertEquals("Desired capacity:5 must be between the specified min size:1 and max size:3", x.awsErrorDetails().errorMessage());
            x = fails("ValidationError", () -> asg.createAutoScalingGroup(r -> r.autoScalingGroupName("g").minSize(4).maxSize(3)
                    .availabilityZones("us-east-1a").launchTemplate(t -> t.launchTemplateId(lt))));
            assertEquals("Max bound, 3, must be greater than or equal to min bound, 4", x.awsErrorDetails().errorMessage());
            x = fails("ValidationError", () -> asg.createAutoScalingGroup(r -> r.autoScalingGroupName("g").minSize(0).maxSize(3)
                    .availabilityZones("us-east-1a")));
            assertEquals("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.",
                    x.awsErrorDetails().errorMessage());
            x = fails("ValidationError", () -> asg.createAutoScalingGroup(r -> r.autoScalingGroupName("g").minSize(0).maxSize(3)
                    .availabilityZones("us-east-1a").launchTemplate(t -> t.launchTemplateName("missing-template"))));
            assertTrue(x.awsErrorDetails().errorMessage().startsWith("You must use a valid fully-formed launch template."), x.getMessage());
            x = fails("ValidationError", () -> asg.createAutoScalingGroup(r -> r.autoScalingGroupName("g").minSize(0).maxSize(3)
                    .availabilityZones("us-east-1a").launchConfigurationName("nope")));
            assertEquals("Launch configuration name not found - Launch configuration nope not found", x.awsErrorDetails().errorMessage());
            x = fails("ValidationError", () -> asg.createAutoScalingGroup(r -> r.autoScalingGroupName("g").minSize(0).maxSize(3)
                    .launchTemplate(t -> t.launchTemplateId(lt))));
            assertEquals("At least one Availability Zone or VPC Subnet is required.", x.awsErrorDetails().errorMessage());

            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("g").minSize(0).maxSize(3).availabilityZones("us-east-1a")
                    .launchTemplate(t -> t.launchTemplateId(lt)));
            x = fails("AlreadyExists", () -> asg.createAutoScalingGroup(r -> r.autoScalingGroupName("g").minSize(0).maxSize(3)
                    .availabilityZones("us-east-1a").launchTemplate(t -> t.launchTemplateId(lt))));
            assertEquals("AutoScalingGroup by this name already exists - A group with the name g already exists", x.awsErrorDetails().errorMessage());
            AutoScalingGroup g = group(asg, "g");
            assertEquals(0, g.desiredCapacity());
            assertEquals(300, g.defaultCooldown());
            assertEquals("EC2", g.healthCheckType());
            assertEquals(List.of("Default"), g.terminationPolicies());
            assertTrue(g.autoScalingGroupARN().matches("arn:aws:autoscaling:us-east-1:" + account + ":autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName/g"),
                    g.autoScalingGroupARN());
            assertTrue(asg.describeAutoScalingGroups(r -> r.autoScalingGroupNames("none")).autoScalingGroups().isEmpty());
            x = fails("ValidationError", () -> asg.setDesiredCapacity(r -> r.autoScalingGroupName("g").desiredCapacity(9)));
            assertEquals("New SetDesiredCapacity value 9 is above max value 3 for the AutoScalingGroup.", x.awsErrorDetails().errorMessage());
            x = fails("ValidationError", () -> asg.updateAutoScalingGroup(r -> r.autoScalingGroupName("nope").maxSize(2)));
            assertEquals("AutoScalingGroup name not found - AutoScalingGroup nope not found", x.awsErrorDetails().errorMessage());
            asg.deleteAutoScalingGroup(r -> r.autoScalingGroupName("g"));
            assertTrue(asg.describeAutoScalingGroups(r -> r.autoScalingGroupNames("g")).autoScalingGroups().isEmpty());
        }
    }

    @Test
    void launchConfigurationsUpdateTagsAndDelete() {
        try (AutoScalingClient asg = AsgFixtures.asg(account); Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String ami = AsgFixtures.ami(ec2);
            fails("ValidationError", () -> asg.createLaunchConfiguration(r -> r.launchConfigurationName("lc").imageId(ami)));
            asg.createLaunchConfiguration(r -> r.launchConfigurationName("lc").imageId(ami).instanceType("t3.nano")
                    .blockDeviceMappings(b -> b.deviceName("/dev/xvda").ebs(e -> e.volumeSize(12))));
            var x = fails("AlreadyExists", () -> asg.createLaunchConfiguration(r -> r.launchConfigurationName("lc").imageId(ami).instanceType("t3.nano")));
            assertEquals("Launch Configuration by this name already exists - A launch configuration already exists with the name lc", x.awsErrorDetails().errorMessage());
            LaunchConfiguration lc = asg.describeLaunchConfigurations(r -> r.launchConfigurationNames("lc")).launchConfigurations().get(0);
            assertEquals("t3.nano", lc.instanceType());
            assertTrue(lc.launchConfigurationARN().contains(":launchConfiguration:") && lc.launchConfigurationARN().endsWith(":launchConfigurationName/lc"));

            String subnet = ec2.describeSubnets(r -> r.filters(f -> f.name("availability-zone").values("us-east-1b"))).subnets().get(0).subnetId();
            asg.createAutoScalingGroup(r -> r.autoScalingGroupName("lcg").minSize(1).maxSize(4).desiredCapacity(2).vpcZoneIdentifier(subnet)
                    .launchConfigurationName("lc").tags(Tag.builder().key("app").value("shop").propagateAtLaunch(true).resourceId("lcg").build()));
            AutoScalingGroup g = settleAt(asg, "lcg", 2);
            assertEquals(List.of("us-east-1b"), g.availabilityZones());
            for (Instance i : g.instances()) {
                assertEquals("lc", i.launchConfigurationName());
                assertEquals("t3.nano", i.instanceType());
                var inst = ec2.describeInstances(r -> r.instanceIds(i.instanceId())).reservations().get(0).instances().get(0);
                assertEquals(subnet, inst.subnetId());
                var vol = ec2.describeVolumes(r -> r.volumeIds(inst.blockDeviceMappings().get(0).ebs().volumeId())).volumes().get(0);
                assertEquals(12, vol.size());
            }
            x = fails("ResourceInUse", () -> asg.deleteLaunchConfiguration(r -> r.launchConfigurationName("lc")));
            assertEquals("Cannot delete launch configuration lc because it is attached to AutoScalingGroup lcg", x.awsErrorDetails().errorMessage());

            // tags
            assertEquals("AutoScalingGroup not found - AutoScaling Group nogroup not found", fails("ValidationError", () -> asg.createOrUpdateTags(r -> r.tags(
                    Tag.builder().resourceId("nogroup").resourceType("auto-scaling-group").key("k").value("v").build()))).awsErrorDetails().errorMessage());
            asg.createOrUpdateTags(r -> r.tags(Tag.builder().resourceId("lcg").resourceType("auto-scaling-group").key("owner").value("me")
                    .propagateAtLaunch(false).build()));
            List<TagDescription> tags = asg.describeTags(r -> r.filters(f -> f.name("auto-scaling-group").values("lcg"))).tags();
            assertEquals(List.of("app", "owner"), tags.stream().map(TagDescription::key).toList());
            asg.deleteTags(r -> r.tags(Tag.builder().resourceId("lcg").resourceType("auto-scaling-group").key("owner").build()));
            assertEquals(1, group(asg, "lcg").tags().size());
            assertEquals(1, asg.describeAutoScalingGroups(r -> r.filters(f -> f.name("tag:app").values("shop"))).autoScalingGroups().size());

            // update: new bounds move desired capacity; the cause says so
            asg.updateAutoScalingGroup(r -> r.autoScalingGroupName("lcg").minSize(3));
            assertEquals(3, group(asg, "lcg").desiredCapacity());
            settleAt(asg, "lcg", 3);
            Activity up = activities(asg, "lcg").get(0);
            assertTrue(up.cause().matches("At \\S+Z a user request update of AutoScalingGroup constraints to min: 3, max: 4, desired: 3 changing the desired capacity from 2 to 3\\.  .*"),
                    up.cause());

            // delete: refused while instances remain, then forced
            x = fails("ResourceInUse", () -> asg.deleteAutoScalingGroup(r -> r.autoScalingGroupName("lcg")));
            assertEquals("You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.",
                    x.awsErrorDetails().errorMessage());
            asg.deleteAutoScalingGroup(r -> r.autoScalingGroupName("lcg").forceDelete(true));
            assertEquals("Delete in progress", group(asg, "lcg").status());
            for (int k = 0; k < 10 && !asg.describeAutoScalingGroups(r -> r.autoScalingGroupNames("lcg")).autoScalingGroups().isEmpty(); k++) {
                Oboro.advance(java.time.Duration.ofSeconds(10));
            }
            assertTrue(asg.describeAutoScalingGroups(r -> r.autoScalingGroupNames("lcg")).autoScalingGroups().isEmpty());
            assertFalse(asg.describeScalingActivities(r -> r.autoScalingGroupName("lcg").includeDeletedGroups(true)).activities().isEmpty());
            assertTrue(asg.describeScalingActivities(r -> r.autoScalingGroupName("lcg")).activities().isEmpty());
            asg.deleteLaunchConfiguration(r -> r.launchConfigurationName("lc"));
            assertTrue(asg.describeLaunchConfigurations(r -> r.launchConfigurationNames("lc")).launchConfigurations().isEmpty());
            assertNull(null);
        }
    }
}
