package dev.oboro.tests.sts;

import dev.oboro.core.Call;
import dev.oboro.core.Identity;
import dev.oboro.core.Ids;
import dev.oboro.tests.support.Oboro;
import dev.oboro.wire.AwsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** STS temporary credentials and trust-policy evaluation. Reads the clock, so never runs while another test moves it. */
@ResourceLock(value = Oboro.CLOCK, mode = ResourceAccessMode.READ)
class TemporaryCredentialsTest {
    static final String ACCOUNT = Oboro.newAccount();
    static final IamClient IAM = Oboro.client(IamClient.builder(), ACCOUNT);

    @AfterAll
    static void close() {
        IAM.close();
    }

    static String trust(String principal, String extra) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" + principal
                + ",\"Action\":\"sts:AssumeRole\"" + extra + "}]}";
    }

    static StsClient as(String accessKey) {
        return Oboro.client(StsClient.builder(), Oboro.credentials(accessKey), "us-east-1");
    }

    static StsClient as(Credentials c) {
        return Oboro.client(StsClient.builder(), Oboro.credentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()), "us-east-1");
    }

    static AccessKey user(IamClient iam, String name) {
        iam.createUser(b -> b.userName(name));
        return iam.createAccessKey(b -> b.userName(name)).accessKey();
    }

    static StsException denied(Runnable r) {
        StsException e = assertThrows(StsException.class, r::run);
        assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
        assertEquals(403, e.statusCode());
        return e;
    }

    static Instant now() {
        return Oboro.server().oboro().clock().instant();
    }

    @Test
    void rootCannotAssumeRoles() {
        String arn = IAM.createRole(b -> b.roleName("for-root").assumeRolePolicyDocument(trust("{\"AWS\":\"" + ACCOUNT + "\"}", "")))
                .role().arn();
        try (StsClient sts = as(ACCOUNT)) {
            StsException e = denied(() -> sts.assumeRole(b -> b.roleArn(arn).roleSessionName("s1")));
            assertEquals("Roles may not be assumed by root accounts.", e.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void unknownRoleIsDeniedLikeAnUntrustedOne() {
        AccessKey k = user(IAM, "lost");
        try (StsClient sts = as(k.accessKeyId())) {
            String arn = "arn:aws:iam::" + ACCOUNT + ":role/does-not-exist";
            StsException e = denied(() -> sts.assumeRole(b -> b.roleArn(arn).roleSessionName("s1")));
            assertEquals("User: arn:aws:iam::" + ACCOUNT + ":user/lost is not authorized to perform: sts:AssumeRole on resource: " + arn,
                    e.awsErrorDetails().errorMessage());
        }
    }

    @Test
    void accountPrincipalWithExternalIdCondition() {
        AccessKey k = user(IAM, "partner");
        String arn = IAM.createRole(b -> b.roleName("partner-role").assumeRolePolicyDocument(trust(
                "{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"}", ",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"s3cret\"}}")))
                .role().arn();
        try (StsClient sts = as(k.accessKeyId())) {
            denied(() -> sts.assumeRole(b -> b.roleArn(arn).roleSessionName("no-id")));
            denied(() -> sts.assumeRole(b -> b.roleArn(arn).roleSessionName("bad-id").externalId("wrong")));
            assertEquals("arn:aws:sts::" + ACCOUNT + ":assumed-role/partner-role/ok",
                    sts.assumeRole(b -> b.roleArn(arn).roleSessionName("ok").externalId("s3cret")).assumedRoleUser().arn());
        }
    }

    @Test
    void denyStatementWins() {
        AccessKey allowed = user(IAM, "allowed");
        AccessKey banned = user(IAM, "banned");
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ACCOUNT + "\"},"
                + "\"Action\":\"sts:*\"},{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":user/banned\"},"
                + "\"Action\":\"sts:AssumeRole\"}]}";
        String arn = IAM.createRole(b -> b.roleName("guarded").assumeRolePolicyDocument(doc)).role().arn();
        try (StsClient ok = as(allowed.accessKeyId()); StsClient no = as(banned.accessKeyId())) {
            ok.assumeRole(b -> b.roleArn(arn).roleSessionName("fine"));
            denied(() -> no.assumeRole(b -> b.roleArn(arn).roleSessionName("nope")));
        }
    }

    @Test
    void durationBoundsAndMaxSessionDuration() {
        AccessKey k = user(IAM, "timer");
        String principal = "{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":user/timer\"}";
        String oneHour = IAM.createRole(b -> b.roleName("one-hour").assumeRolePolicyDocument(trust(principal, ""))).role().arn();
        String twoHours = IAM.createRole(b -> b.roleName("two-hours").maxSessionDuration(7200)
                .assumeRolePolicyDocument(trust(principal, ""))).role().arn();
        try (StsClient sts = as(k.accessKeyId())) {
            StsException tooShort = assertThrows(StsException.class,
                    () -> sts.assumeRole(b -> b.roleArn(oneHour).roleSessionName("s1").durationSeconds(600)));
            assertEquals("ValidationError", tooShort.awsErrorDetails().errorCode());
            assertTrue(tooShort.awsErrorDetails().errorMessage().contains("Member must have value greater than or equal to 900"));
            StsException tooLong = assertThrows(StsException.class,
                    () -> sts.assumeRole(b -> b.roleArn(oneHour).roleSessionName("s1").durationSeconds(7200)));
            assertEquals("ValidationError", tooLong.awsErrorDetails().errorCode());
            assertEquals("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                    tooLong.awsErrorDetails().errorMessage());
            Instant before = now();
            Credentials c = sts.assumeRole(b -> b.roleArn(twoHours).roleSessionName("s1").durationSeconds(7200)).credentials();
            long seconds = Duration.between(before, c.expiration()).toSeconds();
            assertTrue(seconds >= 7199 && seconds <= 7201, "expires after " + seconds);
        }
    }

    @Test
    void roleChainingIsLimitedToOneHour() {
        AccessKey k = user(IAM, "chainer");
        String first = IAM.createRole(b -> b.roleName("first").maxSessionDuration(43200).assumeRolePolicyDocument(
                trust("{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":user/chainer\"}", ""))).role().arn();
        String second = IAM.createRole(b -> b.roleName("second").maxSessionDuration(43200).assumeRolePolicyDocument(
                trust("{\"AWS\":\"" + first + "\"}", ""))).role().arn();
        try (StsClient sts = as(k.accessKeyId())) {
            Credentials c = sts.assumeRole(b -> b.roleArn(first).roleSessionName("one")).credentials();
            try (StsClient chained = as(c)) {
                StsException e = assertThrows(StsException.class,
                        () -> chained.assumeRole(b -> b.roleArn(second).roleSessionName("two").durationSeconds(7200)));
                assertEquals("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
                        e.awsErrorDetails().errorMessage());
                Credentials c2 = chained.assumeRole(b -> b.roleArn(second).roleSessionName("two")).credentials();
                try (StsClient asSecond = as(c2)) {
                    assertEquals("arn:aws:sts::" + ACCOUNT + ":assumed-role/second/two", asSecond.getCallerIdentity().arn());
                }
            }
        }
    }

    @Test
    void crossAccountAssumeRole() {
        String other = Oboro.newAccount();
        AccessKey k = user(IAM, "traveller");
        try (IamClient otherIam = Oboro.client(IamClient.builder(), other)) {
            String arn = otherIam.createRole(b -> b.roleName("guest").assumeRolePolicyDocument(
                    trust("{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"}", ""))).role().arn();
            try (StsClient sts = as(k.accessKeyId())) {
                Credentials c = sts.assumeRole(b -> b.roleArn(arn).roleSessionName("visit")).credentials();
                try (StsClient guest = as(c)) {
                    assertEquals(other, guest.getCallerIdentity().account());
                    assertEquals("arn:aws:sts::" + other + ":assumed-role/guest/visit", guest.getCallerIdentity().arn());
                }
            }
        }
    }

    @Test
    void getSessionTokenKeepsTheUser() {
        AccessKey k = user(IAM, "mfa-less");
        try (StsClient sts = as(k.accessKeyId())) {
            Instant before = now();
            Credentials c = sts.getSessionToken().credentials();
            assertTrue(c.accessKeyId().startsWith("ASIA"));
            long seconds = Duration.between(before, c.expiration()).toSeconds();
            assertTrue(seconds >= 43199 && seconds <= 43201, "default is 12 hours: " + seconds);
            try (StsClient session = as(c)) {
                assertEquals("arn:aws:iam::" + ACCOUNT + ":user/mfa-less", session.getCallerIdentity().arn());
                StsException e = denied(() -> session.getSessionToken());
                assertEquals("Cannot call GetSessionToken with session credentials", e.awsErrorDetails().errorMessage());
            }
        }
        try (StsClient root = as(ACCOUNT)) {
            Instant before = now();
            Credentials c = root.getSessionToken(b -> b.durationSeconds(7200)).credentials();
            assertTrue(Duration.between(before, c.expiration()).toSeconds() <= 3601, "root sessions last at most an hour");
        }
    }

    static String jwt(String claims) {
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        return e.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + e.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }

    @Test
    void assumeRoleWithWebIdentityChecksTheFederatedPrincipalAndClaims() {
        String provider = "token.actions.githubusercontent.com";
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::"
                + ACCOUNT + ":oidc-provider/" + provider + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{"
                + "\"StringEquals\":{\"" + provider + ":aud\":\"sts.amazonaws.com\"},\"StringLike\":{\"" + provider + ":sub\":\"repo:acme/*\"}}}]}";
        String arn = IAM.createRole(b -> b.roleName("ci").assumeRolePolicyDocument(doc)).role().arn();
        String good = jwt("{\"iss\":\"https://" + provider + "\",\"sub\":\"repo:acme/app:ref:refs/heads/main\",\"aud\":\"sts.amazonaws.com\"}");
        String otherRepo = jwt("{\"iss\":\"https://" + provider + "\",\"sub\":\"repo:evil/app:ref:refs/heads/main\",\"aud\":\"sts.amazonaws.com\"}");
        try (StsClient sts = Oboro.client(StsClient.builder(), AnonymousCredentialsProvider.create(), "us-east-1")) {
            AssumeRoleWithWebIdentityResponse r = sts.assumeRoleWithWebIdentity(b -> b.roleArn(arn).roleSessionName("gha")
                    .webIdentityToken(good));
            assertEquals("repo:acme/app:ref:refs/heads/main", r.subjectFromWebIdentityToken());
            assertEquals("sts.amazonaws.com", r.audience());
            assertEquals("https://" + provider, r.provider());
            assertEquals("arn:aws:sts::" + ACCOUNT + ":assumed-role/ci/gha", r.assumedRoleUser().arn());
            try (StsClient asCi = as(r.credentials())) {
                assertEquals("arn:aws:sts::" + ACCOUNT + ":assumed-role/ci/gha", asCi.getCallerIdentity().arn());
            }
            StsException e = denied(() -> sts.assumeRoleWithWebIdentity(b -> b.roleArn(arn).roleSessionName("gha").webIdentityToken(otherRepo)));
            assertEquals("Not authorized to perform sts:AssumeRoleWithWebIdentity", e.awsErrorDetails().errorMessage());
            StsException garbage = assertThrows(StsException.class,
                    () -> sts.assumeRoleWithWebIdentity(b -> b.roleArn(arn).roleSessionName("gha").webIdentityToken("not-a-jwt-at-all")));
            assertEquals("InvalidIdentityToken", garbage.awsErrorDetails().errorCode());
        }
    }

    /** How Oboro's own services assume the roles users hand them: as a service principal the trust policy names. */
    @Test
    void servicePrincipalAssumesRoleInProcess() {
        String arn = IAM.createRole(b -> b.roleName("lambda-exec").assumeRolePolicyDocument(
                trust("{\"Service\":\"lambda.amazonaws.com\"}", ""))).role().arn();
        dev.oboro.core.Oboro oboro = Oboro.server().oboro();
        AssumeRoleRequest req = AssumeRoleRequest.builder().roleArn(arn).roleSessionName("fn").build();
        Call asLambda = new Call(oboro, "sts", "AssumeRole", "us-east-1", Identity.service(ACCOUNT, "lambda.amazonaws.com"),
                Ids.requestId(), "127.0.0.1", "oboro");
        AssumeRoleResponse r = (AssumeRoleResponse) oboro.services().invoke(asLambda, req);
        assertEquals("arn:aws:sts::" + ACCOUNT + ":assumed-role/lambda-exec/fn", r.assumedRoleUser().arn());
        Call asEc2 = new Call(oboro, "sts", "AssumeRole", "us-east-1", Identity.service(ACCOUNT, "ec2.amazonaws.com"),
                Ids.requestId(), "127.0.0.1", "oboro");
        AwsException e = assertThrows(AwsException.class, () -> oboro.services().invoke(asEc2, req));
        assertEquals("AccessDenied", e.code());
    }
}
