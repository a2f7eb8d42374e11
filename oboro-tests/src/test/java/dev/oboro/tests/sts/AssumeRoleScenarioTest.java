package dev.oboro.tests.sts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3's scenario: a role trusts a user; the user signs in with an access key, assumes the role,
 * calls a service with the temporary credentials as the assumed role; an untrusted user is refused;
 * the credentials stop working when they expire on Oboro's clock.
 */
@ResourceLock(Oboro.CLOCK)
class AssumeRoleScenarioTest {
    final String account = Oboro.newAccount();

    @Test
    void userAssumesTrustedRoleAndTheCredentialsExpire() throws Exception {
        AccessKey devKey;
        AccessKey outsiderKey;
        Role role;
        try (IamClient iam = Oboro.client(IamClient.builder(), account)) {
            iam.createUser(b -> b.userName("dev"));
            iam.createUser(b -> b.userName("outsider"));
            devKey = iam.createAccessKey(b -> b.userName("dev")).accessKey();
            outsiderKey = iam.createAccessKey(b -> b.userName("outsider")).accessKey();
            String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                    + account + ":user/dev\"},\"Action\":\"sts:AssumeRole\"}]}";
            role = iam.createRole(b -> b.roleName("deployer").assumeRolePolicyDocument(trust)).role();
        }

        AssumeRoleResponse assumed;
        try (StsClient asDev = Oboro.client(StsClient.builder(), Oboro.credentials(devKey.accessKeyId()), "us-east-1")) {
            assertEquals("arn:aws:iam::" + account + ":user/dev", asDev.getCallerIdentity().arn());
            Instant before = Oboro.server().oboro().clock().instant();
            assumed = asDev.assumeRole(b -> b.roleArn(role.arn()).roleSessionName("release-42"));
            Credentials c = assumed.credentials();
            assertTrue(c.accessKeyId().matches("ASIA[A-Z0-9]{16}"), c.accessKeyId());
            assertTrue(c.sessionToken().length() > 100);
            long seconds = Duration.between(before, c.expiration()).toSeconds();
            assertTrue(seconds >= 3599 && seconds <= 3601, "default session is one hour: " + seconds);
            assertEquals("arn:aws:sts::" + account + ":assumed-role/deployer/release-42", assumed.assumedRoleUser().arn());
            assertEquals(role.roleId() + ":release-42", assumed.assumedRoleUser().assumedRoleId());
        }

        Credentials c = assumed.credentials();
        try (StsClient asRole = Oboro.client(StsClient.builder(),
                Oboro.credentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()), "us-east-1");
             IamClient iamAsRole = Oboro.client(IamClient.builder(),
                     Oboro.credentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()), "us-east-1")) {
            GetCallerIdentityResponse me = asRole.getCallerIdentity();
            assertEquals("arn:aws:sts::" + account + ":assumed-role/deployer/release-42", me.arn());
            assertEquals(role.roleId() + ":release-42", me.userId());
            assertEquals(account, me.account());
            // another service, in the role's account
            assertTrue(iamAsRole.listRoles().roles().stream().anyMatch(r -> r.roleName().equals("deployer")));

            try (StsClient asOutsider = Oboro.client(StsClient.builder(), Oboro.credentials(outsiderKey.accessKeyId()), "us-east-1")) {
                StsException denied = assertThrows(StsException.class,
                        () -> asOutsider.assumeRole(b -> b.roleArn(role.arn()).roleSessionName("sneaky")));
                assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
                assertEquals(403, denied.statusCode());
                assertEquals("User: arn:aws:iam::" + account + ":user/outsider is not authorized to perform: sts:AssumeRole on resource: "
                        + role.arn(), denied.awsErrorDetails().errorMessage());
            }

            Oboro.advance(Duration.ofHours(1).plusSeconds(1));
            StsException expired = assertThrows(StsException.class, asRole::getCallerIdentity);
            assertEquals("ExpiredToken", expired.awsErrorDetails().errorCode());
            assertEquals(400, expired.statusCode());
            assertEquals("The security token included in the request is expired", expired.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void cliAssumesTheRoleAndUsesTheCredentials() throws Exception {
        ObjectMapper json = new ObjectMapper();
        AccessKey key;
        try (IamClient iam = Oboro.client(IamClient.builder(), account)) {
            iam.createUser(b -> b.userName("cli-dev"));
            key = iam.createAccessKey(b -> b.userName("cli-dev")).accessKey();
            iam.createRole(b -> b.roleName("cli-deployer").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                    + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + account + "\"},\"Action\":\"sts:AssumeRole\"}]}"));
        }
        JsonNode assumed = json.readTree(Cli.v2As(key.accessKeyId(), key.secretAccessKey(), null, "sts", "assume-role",
                "--role-arn", "arn:aws:iam::" + account + ":role/cli-deployer", "--role-session-name", "cli",
                "--duration-seconds", "900").ok().stdout());
        JsonNode c = assumed.get("Credentials");
        JsonNode me = json.readTree(Cli.v2As(c.get("AccessKeyId").asText(), c.get("SecretAccessKey").asText(),
                c.get("SessionToken").asText(), "sts", "get-caller-identity").ok().stdout());
        assertEquals("arn:aws:sts::" + account + ":assumed-role/cli-deployer/cli", me.get("Arn").asText());

        Oboro.advance(Duration.ofSeconds(901));
        Cli.Result expired = Cli.v2As(c.get("AccessKeyId").asText(), c.get("SecretAccessKey").asText(),
                c.get("SessionToken").asText(), "sts", "get-caller-identity");
        assertTrue(expired.stderr().contains("(ExpiredToken)"), expired.stderr());
    }
}
