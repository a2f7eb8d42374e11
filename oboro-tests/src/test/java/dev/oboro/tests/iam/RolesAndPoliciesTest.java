package dev.oboro.tests.iam;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.ListEntitiesForPolicyResponse;
import software.amazon.awssdk.services.iam.model.Policy;
import software.amazon.awssdk.services.iam.model.PolicyScopeType;
import software.amazon.awssdk.services.iam.model.PolicyVersion;
import software.amazon.awssdk.services.iam.model.Role;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RolesAndPoliciesTest {
    static final String ACCOUNT = Oboro.newAccount();
    static final IamClient IAM = Oboro.client(IamClient.builder(), ACCOUNT);
    static final String EC2_TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    static final String S3_READ = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\",\"Resource\":\"*\"}]}";
    static final String S3_ALL = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";

    @AfterAll
    static void close() {
        IAM.close();
    }

    static IamException fails(Runnable r) {
        return assertThrows(IamException.class, r::run);
    }

    static String decode(String doc) {
        return URLDecoder.decode(doc, StandardCharsets.UTF_8);
    }

    @Test
    void roleWithTrustPolicyComesBackUrlEncodedAsAwsSendsIt() {
        Role created = IAM.createRole(b -> b.roleName("app").path("/service/").assumeRolePolicyDocument(EC2_TRUST)
                .description("app role").maxSessionDuration(7200)).role();
        assertEquals("arn:aws:iam::" + ACCOUNT + ":role/service/app", created.arn());
        assertTrue(created.roleId().matches("AROA[A-Z0-9]{17}"), created.roleId());
        Role got = IAM.getRole(b -> b.roleName("app")).role();
        assertTrue(got.assumeRolePolicyDocument().startsWith("%7B%22Version%22"), got.assumeRolePolicyDocument());
        assertEquals(EC2_TRUST, decode(got.assumeRolePolicyDocument()));
        assertEquals(7200, got.maxSessionDuration());
        assertEquals("app role", got.description());

        String updated = EC2_TRUST.replace("ec2.amazonaws.com", "lambda.amazonaws.com");
        IAM.updateAssumeRolePolicy(b -> b.roleName("app").policyDocument(updated));
        assertEquals(updated, decode(IAM.getRole(b -> b.roleName("app")).role().assumeRolePolicyDocument()));
        assertTrue(IAM.listRoles(b -> b.pathPrefix("/service/")).roles().stream().anyMatch(r -> r.roleName().equals("app")));

        IamException dup = fails(() -> IAM.createRole(b -> b.roleName("APP").assumeRolePolicyDocument(EC2_TRUST)));
        assertEquals("EntityAlreadyExists", dup.awsErrorDetails().errorCode());
        IamException missing = fails(() -> IAM.getRole(b -> b.roleName("ghost")));
        assertEquals("The role with name ghost cannot be found.", missing.awsErrorDetails().errorMessage());
        assertEquals(404, missing.statusCode());
    }

    @Test
    void malformedPolicyDocumentsAreRefused() {
        IamException json = fails(() -> IAM.createRole(b -> b.roleName("broken").assumeRolePolicyDocument("{not json")));
        assertEquals("MalformedPolicyDocument", json.awsErrorDetails().errorCode());
        assertEquals(400, json.statusCode());
        assertEquals("Syntax errors in policy.", json.awsErrorDetails().errorMessage());
        IamException noStatement = fails(() -> IAM.createPolicy(b -> b.policyName("empty").policyDocument("{\"Version\":\"2012-10-17\"}")));
        assertEquals("MalformedPolicyDocument", noStatement.awsErrorDetails().errorCode());
        IamException resourceInTrust = fails(() -> IAM.createRole(b -> b.roleName("r").assumeRolePolicyDocument(S3_ALL)));
        assertEquals("Has prohibited field Resource", resourceInTrust.awsErrorDetails().errorMessage());
        IamException principalInPolicy = fails(() -> IAM.createPolicy(b -> b.policyName("p").policyDocument(EC2_TRUST)));
        assertEquals("Has prohibited field Principal", principalInPolicy.awsErrorDetails().errorMessage());
        IamException unknownPrincipal = fails(() -> IAM.createRole(b -> b.roleName("r2").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                        + ACCOUNT + ":user/nobody\"},\"Action\":\"sts:AssumeRole\"}]}")));
        assertEquals("Invalid principal in policy: \"AWS\":\"arn:aws:iam::" + ACCOUNT + ":user/nobody\"",
                unknownPrincipal.awsErrorDetails().errorMessage());
        IamException inline = fails(() -> IAM.putRolePolicy(b -> b.roleName("ghost").policyName("x").policyDocument("[]")));
        assertEquals("MalformedPolicyDocument", inline.awsErrorDetails().errorCode());
    }

    @Test
    void managedPolicyVersions() {
        Policy p = IAM.createPolicy(b -> b.policyName("s3-access").path("/app/").description("S3").policyDocument(S3_READ)).policy();
        assertEquals("arn:aws:iam::" + ACCOUNT + ":policy/app/s3-access", p.arn());
        assertTrue(p.policyId().matches("ANPA[A-Z0-9]{17}"));
        assertEquals("v1", p.defaultVersionId());
        assertEquals(0, p.attachmentCount());
        assertEquals("A policy called s3-access already exists. Duplicate names are not allowed.",
                fails(() -> IAM.createPolicy(b -> b.policyName("s3-access").policyDocument(S3_READ))).awsErrorDetails().errorMessage());

        PolicyVersion v2 = IAM.createPolicyVersion(b -> b.policyArn(p.arn()).policyDocument(S3_ALL).setAsDefault(true)).policyVersion();
        assertEquals("v2", v2.versionId());
        assertTrue(v2.isDefaultVersion());
        assertEquals("v2", IAM.getPolicy(b -> b.policyArn(p.arn())).policy().defaultVersionId());
        assertEquals(S3_ALL, decode(IAM.getPolicyVersion(b -> b.policyArn(p.arn()).versionId("v2")).policyVersion().document()));
        assertEquals(S3_READ, decode(IAM.getPolicyVersion(b -> b.policyArn(p.arn()).versionId("v1")).policyVersion().document()));

        IamException deleteDefault = fails(() -> IAM.deletePolicyVersion(b -> b.policyArn(p.arn()).versionId("v2")));
        assertEquals("DeleteConflict", deleteDefault.awsErrorDetails().errorCode());
        IAM.setDefaultPolicyVersion(b -> b.policyArn(p.arn()).versionId("v1"));
        for (int i = 0; i < 3; i++) IAM.createPolicyVersion(b -> b.policyArn(p.arn()).policyDocument(S3_READ));
        IamException sixth = fails(() -> IAM.createPolicyVersion(b -> b.policyArn(p.arn()).policyDocument(S3_READ)));
        assertEquals("LimitExceeded", sixth.awsErrorDetails().errorCode());
        assertEquals(409, sixth.statusCode());
        List<PolicyVersion> versions = IAM.listPolicyVersions(b -> b.policyArn(p.arn())).versions();
        assertEquals(List.of("v1", "v2", "v3", "v4", "v5"), versions.stream().map(PolicyVersion::versionId).toList());
        assertEquals(List.of(true, false, false, false, false), versions.stream().map(PolicyVersion::isDefaultVersion).toList());
        IAM.deletePolicyVersion(b -> b.policyArn(p.arn()).versionId("v3"));
        assertEquals("NoSuchEntity", fails(() -> IAM.getPolicyVersion(b -> b.policyArn(p.arn()).versionId("v3"))).awsErrorDetails().errorCode());
        assertEquals("v6", IAM.createPolicyVersion(b -> b.policyArn(p.arn()).policyDocument(S3_READ)).policyVersion().versionId());
        IamException withVersions = fails(() -> IAM.deletePolicy(b -> b.policyArn(p.arn())));
        assertEquals("DeleteConflict", withVersions.awsErrorDetails().errorCode());
        for (String v : List.of("v2", "v4", "v5", "v6")) IAM.deletePolicyVersion(b -> b.policyArn(p.arn()).versionId(v));
        IAM.deletePolicy(b -> b.policyArn(p.arn()));
        IamException gone = fails(() -> IAM.getPolicy(b -> b.policyArn(p.arn())));
        assertEquals("Policy " + p.arn() + " was not found.", gone.awsErrorDetails().errorMessage());
    }

    @Test
    void awsManagedPoliciesAndScopes() {
        Policy admin = IAM.getPolicy(b -> b.policyArn("arn:aws:iam::aws:policy/AdministratorAccess")).policy();
        assertEquals("AdministratorAccess", admin.policyName());
        assertEquals("/", admin.path());
        assertEquals("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
                decode(IAM.getPolicyVersion(b -> b.policyArn(admin.arn()).versionId(admin.defaultVersionId())).policyVersion().document()));
        Policy lambda = IAM.getPolicy(b -> b.policyArn("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")).policy();
        assertEquals("/service-role/", lambda.path());
        IAM.getPolicy(b -> b.policyArn("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM"));
        IAM.getPolicy(b -> b.policyArn("arn:aws:iam::aws:policy/ReadOnlyAccess"));

        IAM.createPolicy(b -> b.policyName("mine").policyDocument(S3_READ));
        List<Policy> aws = IAM.listPoliciesPaginator(b -> b.scope(PolicyScopeType.AWS)).policies().stream().toList();
        assertTrue(aws.stream().allMatch(p -> p.arn().startsWith("arn:aws:iam::aws:policy/")));
        assertTrue(aws.size() >= 10, "aws managed: " + aws.size());
        List<Policy> local = IAM.listPolicies(b -> b.scope(PolicyScopeType.LOCAL)).policies();
        assertEquals(List.of("mine"), local.stream().map(Policy::policyName).toList());
        assertEquals(aws.size() + 1, IAM.listPoliciesPaginator(b -> b.scope(PolicyScopeType.ALL).maxItems(3)).policies().stream().count());
        assertEquals(List.of("AWSLambdaBasicExecutionRole", "AWSLambdaRole", "AWSLambdaVPCAccessExecutionRole", "AmazonEC2RoleforSSM"),
                IAM.listPolicies(b -> b.pathPrefix("/service-role/")).policies().stream().map(Policy::policyName).sorted().toList());
    }

    @Test
    void attachDetachAndWhoHasAPolicy() {
        IAM.createRole(b -> b.roleName("worker").assumeRolePolicyDocument(EC2_TRUST));
        IAM.createUser(b -> b.userName("worker-user"));
        IAM.createGroup(b -> b.groupName("workers"));
        Policy p = IAM.createPolicy(b -> b.policyName("work").policyDocument(S3_READ)).policy();
        String admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        IAM.attachRolePolicy(b -> b.roleName("worker").policyArn(p.arn()));
        IAM.attachRolePolicy(b -> b.roleName("worker").policyArn(admin));
        IAM.attachUserPolicy(b -> b.userName("worker-user").policyArn(p.arn()));
        IAM.attachGroupPolicy(b -> b.groupName("workers").policyArn(p.arn()));

        assertEquals(List.of(p.arn(), admin).stream().sorted().toList(), IAM.listAttachedRolePolicies(b -> b.roleName("worker"))
                .attachedPolicies().stream().map(AttachedPolicy::policyArn).sorted().toList());
        assertEquals(List.of("work"), IAM.listAttachedUserPolicies(b -> b.userName("worker-user")).attachedPolicies().stream()
                .map(AttachedPolicy::policyName).toList());
        assertEquals(1, IAM.listAttachedGroupPolicies(b -> b.groupName("workers")).attachedPolicies().size());
        assertEquals(3, IAM.getPolicy(b -> b.policyArn(p.arn())).policy().attachmentCount());
        assertEquals(1, IAM.getPolicy(b -> b.policyArn(admin)).policy().attachmentCount());
        assertTrue(IAM.listPolicies(b -> b.onlyAttached(true).scope(PolicyScopeType.LOCAL)).policies().stream()
                .anyMatch(x -> x.arn().equals(p.arn())));

        ListEntitiesForPolicyResponse who = IAM.listEntitiesForPolicy(b -> b.policyArn(p.arn()));
        assertEquals("worker", who.policyRoles().get(0).roleName());
        assertEquals("worker-user", who.policyUsers().get(0).userName());
        assertEquals("workers", who.policyGroups().get(0).groupName());
        assertEquals(1, IAM.listEntitiesForPolicy(b -> b.policyArn(p.arn()).entityFilter("Role")).policyRoles().size());
        assertTrue(IAM.listEntitiesForPolicy(b -> b.policyArn(p.arn()).entityFilter("Role")).policyUsers().isEmpty());

        IamException attachedPolicy = fails(() -> IAM.deletePolicy(b -> b.policyArn(p.arn())));
        assertEquals("DeleteConflict", attachedPolicy.awsErrorDetails().errorCode());
        IamException roleWithPolicies = fails(() -> IAM.deleteRole(b -> b.roleName("worker")));
        assertEquals("Cannot delete entity, must detach all policies first.", roleWithPolicies.awsErrorDetails().errorMessage());
        IamException notAttachable = fails(() -> IAM.attachRolePolicy(b -> b.roleName("worker").policyArn("arn:aws:iam::aws:policy/NoSuchPolicy")));
        assertEquals("NoSuchEntity", notAttachable.awsErrorDetails().errorCode());
        assertEquals("Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.",
                notAttachable.awsErrorDetails().errorMessage());

        IAM.detachRolePolicy(b -> b.roleName("worker").policyArn(p.arn()));
        IAM.detachRolePolicy(b -> b.roleName("worker").policyArn(admin));
        IAM.detachUserPolicy(b -> b.userName("worker-user").policyArn(p.arn()));
        IAM.detachGroupPolicy(b -> b.groupName("workers").policyArn(p.arn()));
        assertEquals("NoSuchEntity", fails(() -> IAM.detachGroupPolicy(b -> b.groupName("workers").policyArn(p.arn())))
                .awsErrorDetails().errorCode());
        IAM.deletePolicy(b -> b.policyArn(p.arn()));
        IAM.deleteRole(b -> b.roleName("worker"));
    }

    @Test
    void tenManagedPoliciesPerRole() {
        IAM.createRole(b -> b.roleName("crowded").assumeRolePolicyDocument(EC2_TRUST));
        for (int i = 0; i < 10; i++) {
            int n = i;
            String arn = IAM.createPolicy(b -> b.policyName("crowd-" + n).policyDocument(S3_READ)).policy().arn();
            IAM.attachRolePolicy(b -> b.roleName("crowded").policyArn(arn));
        }
        IamException e = fails(() -> IAM.attachRolePolicy(b -> b.roleName("crowded").policyArn("arn:aws:iam::aws:policy/ReadOnlyAccess")));
        assertEquals("LimitExceeded", e.awsErrorDetails().errorCode());
        assertEquals("Cannot exceed quota for PoliciesPerRole: 10", e.awsErrorDetails().errorMessage());
    }

    @Test
    void inlinePoliciesOfUsersGroupsAndRoles() {
        IAM.createRole(b -> b.roleName("inline-role").assumeRolePolicyDocument(EC2_TRUST));
        IAM.createGroup(b -> b.groupName("inline-group"));
        IAM.createUser(b -> b.userName("inline-user"));
        IAM.putRolePolicy(b -> b.roleName("inline-role").policyName("b-policy").policyDocument(S3_READ));
        IAM.putRolePolicy(b -> b.roleName("inline-role").policyName("a-policy").policyDocument(S3_ALL));
        IAM.putGroupPolicy(b -> b.groupName("inline-group").policyName("g").policyDocument(S3_READ));
        IAM.putUserPolicy(b -> b.userName("inline-user").policyName("u").policyDocument(S3_READ));

        assertEquals(List.of("a-policy", "b-policy"), IAM.listRolePolicies(b -> b.roleName("inline-role")).policyNames());
        var got = IAM.getRolePolicy(b -> b.roleName("inline-role").policyName("a-policy"));
        assertEquals(S3_ALL, decode(got.policyDocument()));
        assertEquals("inline-role", got.roleName());
        assertEquals(List.of("g"), IAM.listGroupPolicies(b -> b.groupName("inline-group")).policyNames());
        assertEquals(S3_READ, decode(IAM.getUserPolicy(b -> b.userName("inline-user").policyName("u")).policyDocument()));
        assertEquals(S3_READ, decode(IAM.getGroupPolicy(b -> b.groupName("inline-group").policyName("g")).policyDocument()));

        IamException missing = fails(() -> IAM.getRolePolicy(b -> b.roleName("inline-role").policyName("nope")));
        assertEquals("The role policy with name nope cannot be found.", missing.awsErrorDetails().errorMessage());
        IAM.deleteRolePolicy(b -> b.roleName("inline-role").policyName("a-policy"));
        assertEquals(List.of("b-policy"), IAM.listRolePolicies(b -> b.roleName("inline-role")).policyNames());
        IamException roleWithInline = fails(() -> IAM.deleteRole(b -> b.roleName("inline-role")));
        assertEquals("Cannot delete entity, must delete policies first.", roleWithInline.awsErrorDetails().errorMessage());

        // a user's inline policies may total 2,048 characters (whitespace aside)
        String big = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::"
                + "b".repeat(2000) + "\"}]}";
        IamException tooBig = fails(() -> IAM.putUserPolicy(b -> b.userName("inline-user").policyName("big").policyDocument(big)));
        assertEquals("LimitExceeded", tooBig.awsErrorDetails().errorCode());
        assertEquals("Maximum policy size of 2048 bytes exceeded for user inline-user", tooBig.awsErrorDetails().errorMessage());
        assertFalse(IAM.listUserPolicies(b -> b.userName("inline-user")).policyNames().contains("big"));
    }
}
