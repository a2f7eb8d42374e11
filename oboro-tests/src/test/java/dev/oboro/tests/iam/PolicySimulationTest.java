package dev.oboro.tests.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.ContextEntry;
import software.amazon.awssdk.services.iam.model.ContextKeyTypeEnum;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;
import software.amazon.awssdk.services.iam.model.PolicySourceType;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Identity-policy evaluation, proven through IAM's policy simulator (SimulatePrincipalPolicy). */
class PolicySimulationTest {
    static final String ACCOUNT = Oboro.newAccount();
    static final IamClient IAM = Oboro.client(IamClient.builder(), ACCOUNT);
    static final ObjectMapper JSON = new ObjectMapper();

    @AfterAll
    static void close() {
        IAM.close();
    }

    static String policy(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    static String allow(String action, String resource) {
        return "{\"Effect\":\"Allow\",\"Action\":\"" + action + "\",\"Resource\":\"" + resource + "\"}";
    }

    static String userArn(String name) {
        return "arn:aws:iam::" + ACCOUNT + ":user/" + name;
    }

    static EvaluationResult simulate(String arn, String action, String resource, ContextEntry... context) {
        List<EvaluationResult> rs = IAM.simulatePrincipalPolicy(b -> b.policySourceArn(arn).actionNames(action)
                .resourceArns(resource).contextEntries(context)).evaluationResults();
        assertEquals(1, rs.size());
        return rs.get(0);
    }

    static PolicyEvaluationDecisionType decision(String arn, String action, String resource, ContextEntry... context) {
        return simulate(arn, action, resource, context).evalDecision();
    }

    @Test
    void allowMatchesActionIgnoringCaseAndResourceByWildcard() {
        IAM.createUser(b -> b.userName("reader"));
        IAM.putUserPolicy(b -> b.userName("reader").policyName("read-logs")
                .policyDocument(policy(allow("s3:Get*", "arn:aws:s3:::logs-??/*"))));
        EvaluationResult r = simulate(userArn("reader"), "S3:GETOBJECT", "arn:aws:s3:::logs-01/a/b.txt");
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, r.evalDecision());
        assertEquals("read-logs", r.matchedStatements().get(0).sourcePolicyId());
        assertEquals(PolicySourceType.USER, r.matchedStatements().get(0).sourcePolicyType());
        // the resource pattern is case-sensitive and '?' is one character
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(userArn("reader"), "s3:GetObject", "arn:aws:s3:::LOGS-01/a"));
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(userArn("reader"), "s3:GetObject", "arn:aws:s3:::logs-001/a"));
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(userArn("reader"), "s3:PutObject", "arn:aws:s3:::logs-01/a"));
    }

    @Test
    void explicitDenyWinsOverAnAllowFromAManagedPolicy() {
        IAM.createUser(b -> b.userName("admin-but"));
        IAM.attachUserPolicy(b -> b.userName("admin-but").policyArn("arn:aws:iam::aws:policy/AdministratorAccess"));
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, decision(userArn("admin-but"), "iam:DeleteUser", "*"));
        String arn = IAM.createPolicy(b -> b.policyName("no-delete").policyDocument(policy(
                "{\"Effect\":\"Deny\",\"Action\":\"iam:Delete*\",\"Resource\":\"*\"}"))).policy().arn();
        IAM.attachUserPolicy(b -> b.userName("admin-but").policyArn(arn));
        EvaluationResult r = simulate(userArn("admin-but"), "iam:DeleteUser", "*");
        assertEquals(PolicyEvaluationDecisionType.EXPLICIT_DENY, r.evalDecision());
        assertEquals("no-delete", r.matchedStatements().get(0).sourcePolicyId());
        assertEquals(PolicySourceType.USER_MANAGED, r.matchedStatements().get(0).sourcePolicyType());
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, decision(userArn("admin-but"), "iam:CreateUser", "*"));
    }

    @Test
    void notActionAllowsEverythingButWhatItNames() {
        IAM.createUser(b -> b.userName("power"));
        IAM.putUserPolicy(b -> b.userName("power").policyName("power").policyDocument(policy(
                "{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"organizations:*\"],\"Resource\":\"*\"}")));
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, decision(userArn("power"), "ec2:RunInstances", "*"));
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(userArn("power"), "iam:CreateRole", "*"));
    }

    @Test
    void conditionsOverTheContextKeysGiven() {
        IAM.createUser(b -> b.userName("conditional"));
        IAM.putUserPolicy(b -> b.userName("conditional").policyName("mfa").policyDocument(policy(
                "{\"Effect\":\"Allow\",\"Action\":\"ec2:StopInstances\",\"Resource\":\"*\",\"Condition\":{"
                        + "\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"},"
                        + "\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"},"
                        + "\"StringEqualsIfExists\":{\"ec2:ResourceTag/team\":\"blue\"}}}")));
        ContextEntry mfa = ContextEntry.builder().contextKeyName("aws:MultiFactorAuthPresent").contextKeyType(ContextKeyTypeEnum.BOOLEAN)
                .contextKeyValues("true").build();
        ContextEntry young = ContextEntry.builder().contextKeyName("aws:MultiFactorAuthAge").contextKeyType(ContextKeyTypeEnum.NUMERIC)
                .contextKeyValues("120").build();
        ContextEntry old = young.toBuilder().contextKeyValues("7200").build();
        ContextEntry red = ContextEntry.builder().contextKeyName("ec2:ResourceTag/team").contextKeyType(ContextKeyTypeEnum.STRING)
                .contextKeyValues("red").build();
        String me = userArn("conditional");
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, decision(me, "ec2:StopInstances", "*", mfa, young));
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(me, "ec2:StopInstances", "*", mfa, old));
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(me, "ec2:StopInstances", "*", mfa, young, red));
        // a missing key makes its condition false
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(me, "ec2:StopInstances", "*", young));
    }

    @Test
    void groupPoliciesApplyToTheirMembersOnly() {
        IAM.createGroup(b -> b.groupName("ops"));
        IAM.putGroupPolicy(b -> b.groupName("ops").policyName("ops-inline").policyDocument(policy(allow("ssm:*", "*"))));
        IAM.attachGroupPolicy(b -> b.groupName("ops").policyArn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"));
        IAM.createUser(b -> b.userName("member"));
        IAM.createUser(b -> b.userName("outsider"));
        IAM.addUserToGroup(b -> b.groupName("ops").userName("member"));
        EvaluationResult r = simulate(userArn("member"), "ssm:GetParameter", "*");
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, r.evalDecision());
        assertEquals(PolicySourceType.GROUP, r.matchedStatements().get(0).sourcePolicyType());
        EvaluationResult s3 = simulate(userArn("member"), "s3:ListBucket", "arn:aws:s3:::any");
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, s3.evalDecision());
        assertEquals(PolicySourceType.AWS_MANAGED, s3.matchedStatements().get(0).sourcePolicyType());
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(userArn("outsider"), "ssm:GetParameter", "*"));
        IAM.removeUserFromGroup(b -> b.groupName("ops").userName("member"));
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(userArn("member"), "ssm:GetParameter", "*"));
    }

    @Test
    void permissionsBoundaryLimitsWhatTheRolesPoliciesAllow() {
        String boundary = IAM.createPolicy(b -> b.policyName("only-s3").policyDocument(policy(allow("s3:*", "*")))).policy().arn();
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ACCOUNT
                + "\"},\"Action\":\"sts:AssumeRole\"}]}";
        String role = IAM.createRole(b -> b.roleName("bounded").assumeRolePolicyDocument(trust).permissionsBoundary(boundary)).role().arn();
        IAM.attachRolePolicy(b -> b.roleName("bounded").policyArn("arn:aws:iam::aws:policy/AdministratorAccess"));
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, decision(role, "s3:PutObject", "*"));
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY, decision(role, "ec2:RunInstances", "*"));
    }

    @Test
    void aRoleSessionHasTheRolesPolicies() {
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ACCOUNT
                + "\"},\"Action\":\"sts:AssumeRole\"}]}";
        String roleArn = IAM.createRole(b -> b.roleName("queue-worker").path("/apps/").assumeRolePolicyDocument(trust)).role().arn();
        IAM.putRolePolicy(b -> b.roleName("queue-worker").policyName("sqs").policyDocument(policy(
                allow("sqs:ReceiveMessage", "arn:aws:sqs:*:" + ACCOUNT + ":jobs-*"))));
        String sessionArn;
        IAM.createUser(b -> b.userName("assumer"));
        var key = IAM.createAccessKey(b -> b.userName("assumer")).accessKey();
        try (StsClient sts = sts(key.accessKeyId(), key.secretAccessKey(), null)) {
            Credentials c = sts.assumeRole(b -> b.roleArn(roleArn).roleSessionName("w1")).credentials();
            try (StsClient asRole = sts(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())) {
                sessionArn = asRole.getCallerIdentity().arn();
            }
        }
        assertEquals("arn:aws:sts::" + ACCOUNT + ":assumed-role/queue-worker/w1", sessionArn);
        String queue = "arn:aws:sqs:eu-west-1:" + ACCOUNT + ":jobs-high";
        EvaluationResult r = simulate(sessionArn, "sqs:ReceiveMessage", queue);
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, r.evalDecision());
        assertEquals(PolicySourceType.ROLE, r.matchedStatements().get(0).sourcePolicyType());
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, decision(roleArn, "sqs:ReceiveMessage", queue));
        assertEquals(PolicyEvaluationDecisionType.IMPLICIT_DENY,
                decision(sessionArn, "sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:" + ACCOUNT + ":other"));
    }

    static StsClient sts(String key, String secret, String token) {
        return StsClient.builder().endpointOverride(Oboro.endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(token == null ? Oboro.credentials(key) : Oboro.credentials(key, secret, token)).build();
    }

    @Test
    void oneResultPerActionAndResourceAndUnknownPrincipalsAreRefused() {
        IAM.createUser(b -> b.userName("multi"));
        IAM.putUserPolicy(b -> b.userName("multi").policyName("p").policyDocument(policy(allow("sns:Publish", "arn:aws:sns:*:*:a"))));
        List<EvaluationResult> rs = IAM.simulatePrincipalPolicy(b -> b.policySourceArn(userArn("multi"))
                .actionNames("sns:Publish", "sns:Subscribe").resourceArns("arn:aws:sns:us-east-1:1:a", "arn:aws:sns:us-east-1:1:b"))
                .evaluationResults();
        assertEquals(List.of("allowed", "implicitDeny", "implicitDeny", "implicitDeny"),
                rs.stream().map(EvaluationResult::evalDecisionAsString).toList());
        assertEquals("arn:aws:sns:us-east-1:1:b", rs.get(1).evalResourceName());
        EvaluationResult withInput = IAM.simulatePrincipalPolicy(b -> b.policySourceArn(userArn("multi")).actionNames("sns:Subscribe")
                .policyInputList(policy(allow("sns:*", "*")))).evaluationResults().get(0);
        assertEquals(PolicyEvaluationDecisionType.ALLOWED, withInput.evalDecision(), "a PolicyInputList policy applies as if attached");
        assertEquals(PolicySourceType.NONE, withInput.matchedStatements().get(0).sourcePolicyType());
        IamException e = assertThrows(IamException.class, () -> decision(userArn("nobody"), "sns:Publish", "*"));
        assertEquals("InvalidInput", e.awsErrorDetails().errorCode());
    }

    @Test
    void theCliSimulatesToo() throws Exception {
        IAM.createUser(b -> b.userName("cli-sim"));
        IAM.putUserPolicy(b -> b.userName("cli-sim").policyName("p").policyDocument(policy(allow("dynamodb:GetItem", "*"),
                "{\"Effect\":\"Deny\",\"Action\":\"dynamodb:*\",\"Resource\":\"arn:aws:dynamodb:*:*:table/secret\"}")));
        JsonNode out = JSON.readTree(Cli.v2(ACCOUNT, "iam", "simulate-principal-policy", "--policy-source-arn", userArn("cli-sim"),
                "--action-names", "dynamodb:GetItem", "--resource-arns", "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/secret",
                "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/open").ok().stdout());
        assertEquals("explicitDeny", out.at("/EvaluationResults/0/EvalDecision").asText());
        assertEquals("allowed", out.at("/EvaluationResults/1/EvalDecision").asText());
    }
}
