package dev.oboro.tests.sts;

import dev.oboro.core.Config;
import dev.oboro.server.OboroServer;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** IAM access keys and STS sessions are state: a restarted Oboro still knows who signs with them. */
class SessionsSurviveRestartTest {
    @TempDir
    Path dataDir;

    static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B b, OboroServer s, AwsCredentialsProvider creds) {
        b.endpointOverride(URI.create(s.endpoint())).region(Region.US_EAST_1).credentialsProvider(creds)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        return b.build();
    }

    @Test
    void keysAndSessionsAreKnownAfterARestart() {
        String account = "123456789012";
        Config config = Config.defaults().withPort(0).withDataDir(dataDir);
        AccessKey key;
        Credentials session;
        try (OboroServer first = OboroServer.start(config);
             IamClient iam = client(IamClient.builder(), first, Oboro.credentials(account))) {
            iam.createUser(b -> b.userName("persistent"));
            key = iam.createAccessKey(b -> b.userName("persistent")).accessKey();
            iam.createRole(b -> b.roleName("durable").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                    + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + account + ":user/persistent\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}"));
            try (StsClient sts = client(StsClient.builder(), first, Oboro.credentials(key.accessKeyId()))) {
                session = sts.assumeRole(b -> b.roleArn("arn:aws:iam::" + account + ":role/durable").roleSessionName("before")).credentials();
            }
        }
        // Before any IAM or STS call, an unknown AKIA/ASIA key makes Oboro load both issuers
        // (the server also resumes services with state in the background; this runtime does not).
        try (dev.oboro.core.Oboro cold = new dev.oboro.core.Oboro(config)) {
            assertEquals("arn:aws:iam::" + account + ":user/persistent", cold.identities().resolve(key.accessKeyId()).arn());
            assertEquals("arn:aws:sts::" + account + ":assumed-role/durable/before",
                    cold.identities().resolve(session.accessKeyId()).arn());
        }
        try (OboroServer second = OboroServer.start(config);
             StsClient asUser = client(StsClient.builder(), second, Oboro.credentials(key.accessKeyId()));
             StsClient asRole = client(StsClient.builder(), second,
                     Oboro.credentials(session.accessKeyId(), session.secretAccessKey(), session.sessionToken()))) {
            assertEquals("arn:aws:iam::" + account + ":user/persistent", asUser.getCallerIdentity().arn());
            assertEquals("arn:aws:sts::" + account + ":assumed-role/durable/before", asRole.getCallerIdentity().arn());
            second.oboro().scheduler().advance(Duration.ofHours(2));
            StsException e = assertThrows(StsException.class, asRole::getCallerIdentity);
            assertEquals("ExpiredToken", e.awsErrorDetails().errorCode());
        }
    }
}
