package dev.oboro.tests.dlm;

import dev.oboro.core.Config;
import dev.oboro.server.OboroServer;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dlm.DlmClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.iam.IamClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

import static dev.oboro.tests.dlm.DlmFixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server of its own on a data directory is stopped and started again: the volume's creation
 * and the policy's schedule resume from the persisted deadlines, without any call re-arming them.
 */
class SurvivesRestartTest {
    final String account = Oboro.newAccount();

    private static OboroServer start(Path dir) {
        return OboroServer.start(Config.defaults().withPort(0).withDataDir(dir).withEphemeral(false));
    }

    private Ec2Client ec2(OboroServer s) {
        return Ec2Client.builder().endpointOverride(URI.create(s.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(Oboro.credentials(account)).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @Test
    void volumesAndPoliciesResumeAfterARestart(@TempDir Path dir) {
        String volumeId;
        String policyId;
        try (OboroServer first = start(dir); Ec2Client ec2 = ec2(first);
             IamClient iam = IamClient.builder().endpointOverride(URI.create(first.endpoint())).region(Region.US_EAST_1)
                     .credentialsProvider(Oboro.credentials(account)).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
             DlmClient dlm = DlmClient.builder().endpointOverride(URI.create(first.endpoint())).region(Region.US_EAST_1)
                     .credentialsProvider(Oboro.credentials(account)).httpClientBuilder(ApacheHttpClient.builder()).build()) {
            String role = iam.createRole(r -> r.roleName("dlm").assumeRolePolicyDocument(DlmFixtures.TRUST)).role().arn();
            volumeId = ec2.createVolume(r -> r.availabilityZone("us-east-1a").size(10).tagSpecifications(TagSpecification.builder()
                    .resourceType(ResourceType.VOLUME).tags(Tag.builder().key("backup").value("hourly").build()).build())).volumeId();
            policyId = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("hourly").state("ENABLED")
                    .policyDetails(DlmFixtures.volumes("Hourly", 1, 2, tag("backup", "hourly")))).policyId();
            assertEquals("creating", ec2.describeVolumes(r -> r.volumeIds(volumeId)).volumes().get(0).stateAsString());
        }
        try (OboroServer second = start(dir); Ec2Client ec2 = ec2(second)) {
            Instant deadline = Instant.now().plusSeconds(20);
            while (!(second.oboro().services().isLoaded("dlm") && second.oboro().services().isLoaded("ec2")) && Instant.now().isBefore(deadline)) {
                LockSupport.parkNanos(5_000_000);
            }
            assertTrue(second.oboro().services().isLoaded("dlm"), "DLM resumes at start-up because it has persisted policies");
            second.oboro().scheduler().advance(Duration.ofHours(3).plusMinutes(5));
            assertEquals("available", ec2.describeVolumes(r -> r.volumeIds(volumeId)).volumes().get(0).stateAsString());
            var snaps = ec2.describeSnapshots(r -> r.ownerIds("self").filters(Filter.builder().name("tag:aws:dlm:lifecycle-policy-id")
                    .values(policyId).build())).snapshots();
            assertEquals(2, snaps.size(), "hourly runs after the restart, keeping 2");
        }
    }
}
