package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.LaunchTemplate;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Launch templates, their versions, and RunInstances from a template. */
class LaunchTemplatesTest {
    final String account = Oboro.newAccount();

    @Test
    void versionsDefaultAndDelete() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
            LaunchTemplate lt = ec2.createLaunchTemplate(r -> r.launchTemplateName("web-template").versionDescription("first")
                    .launchTemplateData(d -> d.imageId(ami).instanceType("t3.micro").userData("ZWNobyBoaQ=="))
                    .tagSpecifications(t -> t.resourceType(ResourceType.LAUNCH_TEMPLATE).tags(Tag.builder().key("env").value("dev").build())))
                    .launchTemplate();
            assertTrue(lt.launchTemplateId().matches("lt-[0-9a-f]{17}"), lt.launchTemplateId());
            assertEquals(1L, lt.defaultVersionNumber());
            assertEquals(1L, lt.latestVersionNumber());
            assertEquals("arn:aws:iam::" + account + ":root", lt.createdBy());
            fails("InvalidLaunchTemplateName.AlreadyExistsException", () -> ec2.createLaunchTemplate(r -> r.launchTemplateName("web-template")
                    .launchTemplateData(d -> d.imageId(ami))));
            fails("MissingParameter", () -> ec2.createLaunchTemplate(r -> r.launchTemplateName("empty-one").launchTemplateData(d -> { })));

            // a new version from version 1 with another type: the rest is kept
            LaunchTemplateVersion v2 = ec2.createLaunchTemplateVersion(r -> r.launchTemplateId(lt.launchTemplateId()).sourceVersion("1")
                    .versionDescription("bigger").launchTemplateData(d -> d.instanceType("t3.small"))).launchTemplateVersion();
            assertEquals(2L, v2.versionNumber());
            assertFalse(v2.defaultVersion());
            assertEquals("t3.small", v2.launchTemplateData().instanceTypeAsString());
            assertEquals(ami, v2.launchTemplateData().imageId());
            assertEquals("ZWNobyBoaQ==", v2.launchTemplateData().userData());

            List<LaunchTemplateVersion> all = ec2.describeLaunchTemplateVersions(r -> r.launchTemplateName("web-template")).launchTemplateVersions();
            assertEquals(List.of(2L, 1L), all.stream().map(LaunchTemplateVersion::versionNumber).toList());
            assertEquals(1L, ec2.describeLaunchTemplateVersions(r -> r.launchTemplateId(lt.launchTemplateId()).versions("$Default"))
                    .launchTemplateVersions().get(0).versionNumber());
            assertEquals(2L, ec2.describeLaunchTemplateVersions(r -> r.launchTemplateId(lt.launchTemplateId()).versions("$Latest"))
                    .launchTemplateVersions().get(0).versionNumber());
            fails("InvalidLaunchTemplateId.VersionNotFound", () -> ec2.describeLaunchTemplateVersions(r -> r.launchTemplateId(lt.launchTemplateId()).versions("9")));

            LaunchTemplate modified = ec2.modifyLaunchTemplate(r -> r.launchTemplateId(lt.launchTemplateId()).defaultVersion("2")).launchTemplate();
            assertEquals(2L, modified.defaultVersionNumber());
            fails("InvalidLaunchTemplateId.VersionNotFound", () -> ec2.modifyLaunchTemplate(r -> r.launchTemplateId(lt.launchTemplateId()).defaultVersion("666")));

            // RunInstances from the default version (2), the request's own type laid over it
            Instance i = ec2.runInstances(r -> r.minCount(1).maxCount(1).launchTemplate(t -> t.launchTemplateName("web-template"))).instances().get(0);
            assertEquals("t3.small", i.instanceTypeAsString());
            assertEquals(ami, i.imageId());
            Map<String, String> tags = i.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
            assertEquals(lt.launchTemplateId(), tags.get("aws:ec2launchtemplate:id"));
            assertEquals("2", tags.get("aws:ec2launchtemplate:version"));
            Instance j = ec2.runInstances(r -> r.minCount(1).maxCount(1).instanceType("m5.large")
                    .launchTemplate(t -> t.launchTemplateId(lt.launchTemplateId()).version("1"))).instances().get(0);
            assertEquals("m5.large", j.instanceTypeAsString());
            fails("InvalidLaunchTemplateId.NotFound", () -> ec2.runInstances(r -> r.minCount(1).maxCount(1)
                    .launchTemplate(t -> t.launchTemplateId("lt-0123456789abcdef0"))));
            fails("InvalidLaunchTemplateName.NotFoundException", () -> ec2.runInstances(r -> r.minCount(1).maxCount(1)
                    .launchTemplate(t -> t.launchTemplateName("nope-template"))));
            fails("InvalidLaunchTemplateId.Malformed", () -> ec2.describeLaunchTemplates(r -> r.launchTemplateIds("lt-bad")));

            // versions: the default cannot be deleted, others can
            var del = ec2.deleteLaunchTemplateVersions(r -> r.launchTemplateId(lt.launchTemplateId()).versions("1", "2", "7"));
            assertEquals(List.of(1L), del.successfullyDeletedLaunchTemplateVersions().stream().map(x -> x.versionNumber()).toList());
            assertEquals(2, del.unsuccessfullyDeletedLaunchTemplateVersions().size());
            assertEquals("launchTemplateVersionDoesNotExist", del.unsuccessfullyDeletedLaunchTemplateVersions().get(1).responseError().codeAsString());

            LaunchTemplate described = ec2.describeLaunchTemplates(r -> r.filters(Ec2Fixtures.filter("tag:env", "dev"))).launchTemplates().get(0);
            assertEquals("web-template", described.launchTemplateName());
            ec2.deleteLaunchTemplate(r -> r.launchTemplateName("web-template"));
            fails("InvalidLaunchTemplateName.NotFoundException", () -> ec2.describeLaunchTemplates(r -> r.launchTemplateNames("web-template")));
        }
    }

    @Test
    void cliCreatesPagesAndDescribes() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
            for (int k = 0; k < 3; k++) {
                Cli.v2(account, "ec2", "create-launch-template", "--launch-template-name", "cli-lt-" + k,
                        "--launch-template-data", "{\"ImageId\":\"" + ami + "\",\"InstanceType\":\"t3.nano\"}").ok();
            }
            JsonNode page = json(Cli.v2(account, "ec2", "describe-launch-templates", "--max-items", "2").ok().stdout());
            assertEquals(2, page.path("LaunchTemplates").size());
            String token = page.path("NextToken").asText();
            JsonNode rest = json(Cli.v2(account, "ec2", "describe-launch-templates", "--starting-token", token).ok().stdout());
            assertTrue(rest.path("LaunchTemplates").size() >= 1);
            JsonNode v = json(Cli.v2(account, "ec2", "create-launch-template-version", "--launch-template-name", "cli-lt-0",
                    "--source-version", "1", "--launch-template-data", "{\"InstanceType\":\"t3.micro\"}").ok().stdout());
            assertEquals(2, v.path("LaunchTemplateVersion").path("VersionNumber").asInt());
            JsonNode vs = json(Cli.v2(account, "ec2", "describe-launch-template-versions", "--launch-template-name", "cli-lt-0").ok().stdout());
            assertEquals("t3.micro", vs.path("LaunchTemplateVersions").get(0).path("LaunchTemplateData").path("InstanceType").asText());
            Cli.Result dup = Cli.v2(account, "ec2", "create-launch-template", "--launch-template-name", "cli-lt-0",
                    "--launch-template-data", "{\"ImageId\":\"" + ami + "\"}");
            assertEquals(254, dup.exitCode());
            assertTrue(dup.stderr().contains("InvalidLaunchTemplateName.AlreadyExistsException"), dup.stderr());
        }
    }
}
