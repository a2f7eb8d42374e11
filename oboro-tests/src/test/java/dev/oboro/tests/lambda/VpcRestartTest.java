package dev.oboro.tests.lambda;

import dev.oboro.core.Config;
import dev.oboro.server.OboroServer;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.State;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server of its own is restarted while a deleted function's ENI waits for release and another function waits for
 * its ENI: both deadlines are persisted and re-armed.
 */
class VpcRestartTest {
    final String account = Oboro.newAccount();

    private static OboroServer start(Path dir) {
        return OboroServer.start(Config.defaults().withPort(0).withDataDir(dir).withEphemeral(false));
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>
            & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, C>, C> C client(B b, OboroServer s) {
        return b.endpointOverride(URI.create(s.endpoint())).region(Region.US_EAST_1).credentialsProvider(Oboro.credentials(account))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    private static int lambdaEnis(Ec2Client ec2) {
        return ec2.describeNetworkInterfaces(r -> r.filters(Filter.builder().name("interface-type").values("lambda").build()))
                .networkInterfaces().size();
    }

    @Test
    void anEniReleaseDeadlineSurvivesARestart(@TempDir Path dir) {
        try (OboroServer first = start(dir); Ec2Client ec2 = client(Ec2Client.builder(), first);
             IamClient iam = client(IamClient.builder(), first); LambdaClient lambda = client(LambdaClient.builder(), first)) {
            String role = iam.createRole(r -> r.roleName("fn").assumeRolePolicyDocument(Samples.TRUST)).role().arn();
            iam.attachRolePolicy(r -> r.roleName("fn").policyArn(Samples.VPC_ACCESS_POLICY));
            String subnet = ec2.describeSubnets(r -> r.filters(Filter.builder().name("default-for-az").values("true").build()))
                    .subnets().get(0).subnetId();
            String vpc = ec2.describeSubnets(r -> r.subnetIds(subnet)).subnets().get(0).vpcId();
            String sg = ec2.describeSecurityGroups(r -> r.filters(Filter.builder().name("vpc-id").values(vpc).build(),
                    Filter.builder().name("group-name").values("default").build())).securityGroups().get(0).groupId();
            lambda.createFunction(b -> b.functionName("fn").runtime("python3.12").handler("app.handler").role(role)
                    .code(z -> z.zipFile(SdkBytes.fromByteArray(Samples.python("def handler(e, c):\n    return 1\n"))))
                    .vpcConfig(v -> v.subnetIds(subnet).securityGroupIds(sg)));
            first.oboro().scheduler().advance(Duration.ofSeconds(3));
            assertEquals(1, lambdaEnis(ec2), "made at the end of Pending");
            lambda.deleteFunction(b -> b.functionName("fn"));
            first.oboro().scheduler().advance(Duration.ofMinutes(5));
            assertEquals(1, lambdaEnis(ec2));
            // a function still Pending when the server stops: its ENI is made after the restart
            String other = ec2.createSecurityGroup(r -> r.vpcId(vpc).groupName("later").description("later")).groupId();
            lambda.createFunction(b -> b.functionName("later").runtime("python3.12").handler("app.handler").role(role)
                    .code(z -> z.zipFile(SdkBytes.fromByteArray(Samples.python("def handler(e, c):\n    return 1\n"))))
                    .vpcConfig(v -> v.subnetIds(subnet).securityGroupIds(other)));
        }
        try (OboroServer second = start(dir); Ec2Client ec2 = client(Ec2Client.builder(), second);
             LambdaClient lambda = client(LambdaClient.builder(), second)) {
            Instant deadline = Instant.now().plusSeconds(20);
            while (!second.oboro().services().isLoaded("lambda") && Instant.now().isBefore(deadline)) LockSupport.parkNanos(5_000_000);
            assertTrue(second.oboro().services().isLoaded("lambda"), "Lambda loads at start-up because it has persisted ENIs");
            second.oboro().scheduler().advance(Duration.ofMinutes(16));
            assertEquals(State.ACTIVE, lambda.getFunctionConfiguration(b -> b.functionName("later")).state());
            assertEquals(1, lambdaEnis(ec2), "the release deadline was re-armed from the record, and so was the Pending function's ENI");
            String description = ec2.describeNetworkInterfaces(r -> r.filters(Filter.builder().name("interface-type").values("lambda").build()))
                    .networkInterfaces().get(0).description();
            assertTrue(description.startsWith("AWS Lambda VPC ENI-later-"), description);
        }
    }
}
