package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

import java.util.List;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.filter;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagesTest {
    final String account = Oboro.newAccount();

    @Test
    void publicCatalogByOwnerAndFilters() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            List<Image> amazon = ec2.describeImages(r -> r.owners("amazon")).images();
            assertTrue(amazon.stream().anyMatch(i -> i.name().equals(Ec2Fixtures.AL2023)));
            assertTrue(amazon.stream().allMatch(i -> "amazon".equals(i.imageOwnerAlias())));
            Image al = amazon.stream().filter(i -> i.name().equals(Ec2Fixtures.AL2023)).findFirst().orElseThrow();
            assertEquals("137112412989", al.ownerId());
            assertEquals("x86_64", al.architectureAsString());
            assertTrue(al.enaSupport());
            assertEquals("simple", al.sriovNetSupport());
            assertEquals("ebs", al.rootDeviceTypeAsString());
            assertEquals("available", al.stateAsString());
            assertTrue(al.publicLaunchPermissions());
            Image pv = ec2.describeImages(r -> r.filters(filter("virtualization-type", "paravirtual"))).images().get(0);
            assertFalse(pv.enaSupport());
            Image store = ec2.describeImages(r -> r.filters(filter("root-device-type", "instance-store"))).images().get(0);
            assertTrue(store.imageLocation().endsWith(".manifest.xml"));
            List<Image> ubuntu = ec2.describeImages(r -> r.owners("099720109477").filters(filter("name", "ubuntu/images/*"))).images();
            assertEquals(3, ubuntu.size());
            Image win = ec2.describeImages(r -> r.filters(filter("platform", "windows"))).images().get(0);
            assertEquals("Windows", win.platformDetails());
            assertFalse(ec2.describeImages(r -> r.owners("aws-marketplace")).images().isEmpty());
            assertTrue(ec2.describeImages(r -> r.owners("self")).images().isEmpty());
            // ids differ per region
            try (Ec2Client west = Oboro.client(Ec2Client.builder(), Oboro.credentials(account), "us-west-2")) {
                assertNotEquals(al.imageId(), Ec2Fixtures.ami(west, Ec2Fixtures.AL2023));
            }
        }
    }

    @Test
    void unknownAndMalformedImageIds() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            var nf = fails("InvalidAMIID.NotFound", () -> ec2.describeImages(r -> r.imageIds("ami-0123456789abcdef0")));
            assertEquals("The image id '[ami-0123456789abcdef0]' does not exist", nf.awsErrorDetails().errorMessage());
            fails("InvalidAMIID.Malformed", () -> ec2.describeImages(r -> r.imageIds("ami-xyz")));
            fails("InvalidUserID.Malformed", () -> ec2.describeImages(r -> r.owners("someone")));
        }
    }

    @Test
    void registerShareCopyAndDeregister() {
        String other = Oboro.newAccount();
        try (Ec2Client ec2 = Ec2Fixtures.client(account); Ec2Client them = Ec2Fixtures.client(other)) {
            String id = ec2.registerImage(r -> r.name("my-bundle").imageLocation("my-bucket/my-bundle.manifest.xml")
                    .architecture("x86_64").virtualizationType("hvm").enaSupport(true).sriovNetSupport("simple")).imageId();
            Image mine = ec2.describeImages(r -> r.owners("self")).images().get(0);
            assertEquals(id, mine.imageId());
            assertEquals("instance-store", mine.rootDeviceTypeAsString());
            assertEquals("simple", ec2.describeImageAttribute(r -> r.imageId(id).attribute(ImageAttributeName.SRIOV_NET_SUPPORT)).sriovNetSupport().value());
            fails("InvalidAMIName.Duplicate", () -> ec2.registerImage(r -> r.name("my-bundle").imageLocation("b/x.manifest.xml")));
            fails("InvalidAMIID.NotFound", () -> them.describeImages(r -> r.imageIds(id)));
            ec2.modifyImageAttribute(r -> r.imageId(id).launchPermission(p -> p.add(LaunchPermission.builder().userId(other).build())));
            assertEquals(other, ec2.describeImageAttribute(r -> r.imageId(id).attribute(ImageAttributeName.LAUNCH_PERMISSION))
                    .launchPermissions().get(0).userId());
            assertEquals(id, them.describeImages(r -> r.executableUsers("self")).images().get(0).imageId());
            fails("AuthFailure", () -> them.deregisterImage(r -> r.imageId(id)));
            ec2.modifyImageAttribute(r -> r.imageId(id).launchPermission(p -> p.remove(LaunchPermission.builder().userId(other).build())));
            fails("InvalidAMIID.NotFound", () -> them.describeImages(r -> r.imageIds(id)));
            ec2.modifyImageAttribute(r -> r.imageId(id).launchPermission(p -> p.add(LaunchPermission.builder().group("all").build())));
            assertTrue(them.describeImages(r -> r.imageIds(id)).images().get(0).publicLaunchPermissions());
            ec2.modifyImageAttribute(r -> r.imageId(id).description(d -> d.value("bundled by hand")));
            assertEquals("bundled by hand", ec2.describeImageAttribute(r -> r.imageId(id).attribute(ImageAttributeName.DESCRIPTION)).description().value());

            try (Ec2Client west = Oboro.client(Ec2Client.builder(), Oboro.credentials(account), "us-west-2")) {
                String copy = west.copyImage(r -> r.sourceRegion("us-east-1").sourceImageId(id).name("copied")).imageId();
                Image c = west.describeImages(r -> r.imageIds(copy)).images().get(0);
                assertEquals("pending", c.stateAsString());
                assertEquals(id, c.sourceImageId());
                assertEquals("us-east-1", c.sourceImageRegion());
            }
            ec2.deregisterImage(r -> r.imageId(id));
            fails("InvalidAMIID.NotFound", () -> ec2.describeImages(r -> r.imageIds(id)));
        }
    }

    @Test
    void cliDescribeImagesPaginates() {
        JsonNode page = json(Cli.v2(account, "ec2", "describe-images", "--owners", "amazon", "--max-items", "2").ok().stdout());
        assertEquals(2, page.get("Images").size());
        JsonNode rest = json(Cli.v2(account, "ec2", "describe-images", "--owners", "amazon", "--starting-token",
                page.get("NextToken").asText()).ok().stdout());
        assertTrue(rest.get("Images").size() >= 5);
        assertTrue(Cli.v2(account, "ec2", "describe-images", "--image-ids", "ami-0000000000000000f").stderr().contains("InvalidAMIID.NotFound"));
    }
}
