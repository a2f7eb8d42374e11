package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static dev.oboro.tests.ec2.Ec2Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each instance's metadata service, IMDSv1 and v2, and its role credentials used by a real SDK. */
@ResourceLock(Oboro.CLOCK)
class InstanceMetadataTest {
    final String account = Oboro.newAccount();

    private static String base(String id) {
        return Oboro.endpoint().toString().replaceAll("/$", "") + "/_oboro/imds/" + id;
    }

    private static String token(String id, int ttl) {
        HttpResponse<String> r = Oboro.http(HttpRequest.newBuilder(java.net.URI.create(base(id) + "/latest/api/token"))
                .header("X-aws-ec2-metadata-token-ttl-seconds", Integer.toString(ttl)).PUT(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Integer.toString(ttl), r.headers().firstValue("x-aws-ec2-metadata-token-ttl-seconds").orElse(null));
        return r.body();
    }

    private static HttpResponse<String> get(String id, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(java.net.URI.create(base(id) + path)).GET();
        if (token != null) b.header("X-aws-ec2-metadata-token", token);
        return Oboro.http(b);
    }

    private static String read(String id, String path, String token) {
        HttpResponse<String> r = get(id, path, token);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    @Test
    void metadataPathsWithImdsV2AndV1() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            ec2.createPlacementGroup(r -> r.groupName("md").strategy("spread"));
            String userData = Base64.getEncoder().encodeToString("#!/bin/sh\necho hello".getBytes(StandardCharsets.UTF_8));
            Instance i = run(ec2, Ec2Fixtures.AL2023, "m5.large", b -> b.userData(userData).placement(p -> p.groupName("md"))
                    .metadataOptions(m -> m.instanceMetadataTags("enabled"))
                    .tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(g -> g.key("Name").value("md-host"))));
            String id = i.instanceId();
            Oboro.advance(Duration.ofSeconds(20));
            Instance running = ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);

            // the AL2023 image is IMDSv2-only: no token, no answer
            assertEquals("required", running.metadataOptions().httpTokensAsString());
            assertEquals(401, get(id, "/latest/meta-data/instance-id", null).statusCode());
            assertEquals(401, get(id, "/latest/meta-data/instance-id", "bogus").statusCode());
            String t = token(id, 60);
            assertEquals(id, read(id, "/latest/meta-data/instance-id", t));
            assertEquals(running.imageId(), read(id, "/latest/meta-data/ami-id", t));
            assertEquals("m5.large", read(id, "/latest/meta-data/instance-type", t));
            assertEquals(running.privateIpAddress(), read(id, "/latest/meta-data/local-ipv4", t));
            assertEquals(running.privateDnsName(), read(id, "/latest/meta-data/hostname", t));
            assertEquals(running.publicIpAddress(), read(id, "/latest/meta-data/public-ipv4", t));
            String mac = running.networkInterfaces().get(0).macAddress();
            assertEquals(mac, read(id, "/latest/meta-data/mac", t));
            assertEquals(mac + "/", read(id, "/latest/meta-data/network/interfaces/macs/", t));
            assertEquals(running.networkInterfaces().get(0).networkInterfaceId(), read(id, "/latest/meta-data/network/interfaces/macs/" + mac + "/interface-id", t));
            assertEquals(running.subnetId(), read(id, "/latest/meta-data/network/interfaces/macs/" + mac + "/subnet-id", t));
            assertEquals(running.placement().availabilityZone(), read(id, "/latest/meta-data/placement/availability-zone", t));
            assertEquals("us-east-1", read(id, "/latest/meta-data/placement/region", t));
            assertEquals("md", read(id, "/latest/meta-data/placement/group-name", t));
            assertEquals("ami\nroot", read(id, "/latest/meta-data/block-device-mapping/", t));
            assertEquals("/dev/xvda", read(id, "/latest/meta-data/block-device-mapping/root", t));
            assertEquals("#!/bin/sh\necho hello", read(id, "/latest/user-data", t));
            assertEquals("Name", read(id, "/latest/meta-data/tags/instance", t));
            assertEquals("md-host", read(id, "/latest/meta-data/tags/instance/Name", t));
            JsonNode doc = json(read(id, "/latest/dynamic/instance-identity/document", t));
            assertEquals(account, doc.path("accountId").asText());
            assertEquals(id, doc.path("instanceId").asText());
            assertEquals("us-east-1", doc.path("region").asText());
            assertEquals(404, get(id, "/latest/meta-data/iam/info", t).statusCode());

            // tokens: the TTL header is required and bounded; a proxied PUT is refused; tokens expire on Oboro's clock
            assertEquals(400, Oboro.http(HttpRequest.newBuilder(java.net.URI.create(base(id) + "/latest/api/token"))
                    .PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
            assertEquals(400, Oboro.http(HttpRequest.newBuilder(java.net.URI.create(base(id) + "/latest/api/token"))
                    .header("X-aws-ec2-metadata-token-ttl-seconds", "21601").PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
            assertEquals(403, Oboro.http(HttpRequest.newBuilder(java.net.URI.create(base(id) + "/latest/api/token"))
                    .header("X-aws-ec2-metadata-token-ttl-seconds", "60").header("X-Forwarded-For", "10.0.0.1")
                    .PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
            Oboro.advance(Duration.ofSeconds(61));
            assertEquals(401, get(id, "/latest/meta-data/instance-id", t).statusCode());

            // IMDSv1 once tokens are optional; tags hidden once disabled; hop limit; endpoint off
            ec2.modifyInstanceMetadataOptions(r -> r.instanceId(id).httpTokens("optional").instanceMetadataTags("disabled"));
            assertEquals(id, read(id, "/latest/meta-data/instance-id", null));
            assertEquals(404, get(id, "/latest/meta-data/tags/instance", null).statusCode());
            // AL2023 (ImdsSupport v2.0) launches with a hop limit of 2: a third hop gets no token
            assertEquals(2, running.metadataOptions().httpPutResponseHopLimit());
            HttpRequest.Builder threeHops = HttpRequest.newBuilder(java.net.URI.create(base(id) + "/latest/api/token"))
                    .header("X-aws-ec2-metadata-token-ttl-seconds", "60").header("X-Oboro-Imds-Hops", "3").PUT(HttpRequest.BodyPublishers.noBody());
            assertEquals(403, Oboro.http(threeHops).statusCode());
            ec2.modifyInstanceMetadataOptions(r -> r.instanceId(id).httpPutResponseHopLimit(3));
            assertEquals(200, Oboro.http(threeHops).statusCode());
            var off = ec2.modifyInstanceMetadataOptions(r -> r.instanceId(id).httpEndpoint("disabled"));
            assertEquals("disabled", off.instanceMetadataOptions().httpEndpointAsString());
            assertEquals(403, get(id, "/latest/meta-data/instance-id", null).statusCode());
            assertEquals("disabled", ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0)
                    .metadataOptions().httpEndpointAsString());
            fails("InvalidParameterValue", () -> ec2.modifyInstanceMetadataOptions(r -> r.instanceId(id).httpPutResponseHopLimit(65)));
            fails("InvalidInstanceID.NotFound", () -> ec2.modifyInstanceMetadataOptions(r -> r.instanceId("i-0123456789abcdef0").httpTokens("required")));
        }
    }

    /** The scenario: an SDK credentials provider reads the role's credentials from the metadata endpoint and calls STS. */
    @Test
    void roleCredentialsFromTheEndpointWorkWithSts() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account);
             IamClient iam = Oboro.client(IamClient.builder(), account)) {
            iam.createRole(r -> r.roleName("app-role").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    + "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"));
            iam.createInstanceProfile(r -> r.instanceProfileName("app-profile"));
            iam.addRoleToInstanceProfile(r -> r.instanceProfileName("app-profile").roleName("app-role"));
            iam.createRole(r -> r.roleName("lambda-only").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    + "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"));
            iam.createInstanceProfile(r -> r.instanceProfileName("wrong-profile"));
            iam.addRoleToInstanceProfile(r -> r.instanceProfileName("wrong-profile").roleName("lambda-only"));
            String id = run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.iamInstanceProfile(p -> p.name("app-profile"))).instanceId();
            String wrong = run(ec2, Ec2Fixtures.AL2023, "t3.micro", b -> b.iamInstanceProfile(p -> p.name("wrong-profile"))).instanceId();
            Oboro.advance(Duration.ofSeconds(20));

            String t = token(id, 300);
            assertEquals("app-role", read(id, "/latest/meta-data/iam/security-credentials/", t));
            JsonNode info = json(read(id, "/latest/meta-data/iam/info", t));
            assertEquals("Success", info.path("Code").asText());
            assertTrue(info.path("InstanceProfileArn").asText().endsWith(":instance-profile/app-profile"));

            InstanceProfileCredentialsProvider provider = InstanceProfileCredentialsProvider.builder().endpoint(base(id)).build();
            AwsCredentials creds = provider.resolveCredentials();
            assertTrue(creds.accessKeyId().startsWith("ASIA"), creds.accessKeyId());
            assertTrue(creds instanceof AwsSessionCredentials);
            try (StsClient sts = Oboro.client(StsClient.builder(), provider, "us-east-1")) {
                GetCallerIdentityResponse who = sts.getCallerIdentity();
                assertEquals("arn:aws:sts::" + account + ":assumed-role/app-role/" + id, who.arn());
                assertEquals(account, who.account());
            }
            // the same credentials until they near expiry, then new ones
            JsonNode c1 = json(read(id, "/latest/meta-data/iam/security-credentials/app-role", t));
            assertEquals(creds.accessKeyId(), c1.path("AccessKeyId").asText());
            Oboro.advance(Duration.ofMinutes(50));
            String t2 = token(id, 300);
            JsonNode c2 = json(read(id, "/latest/meta-data/iam/security-credentials/app-role", t2));
            assertNotEquals(c1.path("AccessKeyId").asText(), c2.path("AccessKeyId").asText());
            assertTrue(c2.path("Expiration").asText().compareTo(c1.path("Expiration").asText()) > 0);
            var fresh = Cli.v2As(c2.path("AccessKeyId").asText(), c2.path("SecretAccessKey").asText(), c2.path("Token").asText(),
                    "sts", "get-caller-identity").ok();
            assertTrue(fresh.stdout().contains("assumed-role/app-role/" + id), fresh.stdout());

            // a role EC2 may not assume
            JsonNode denied = json(read(wrong, "/latest/meta-data/iam/security-credentials/lambda-only", token(wrong, 60)));
            assertEquals("AssumeRoleUnauthorizedAccess", denied.path("Code").asText());
        }
    }
}
