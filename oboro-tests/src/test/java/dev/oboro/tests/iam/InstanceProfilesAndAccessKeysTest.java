package dev.oboro.tests.iam;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.InstanceProfile;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstanceProfilesAndAccessKeysTest {
    static final String ACCOUNT = Oboro.newAccount();
    static final IamClient IAM = Oboro.client(IamClient.builder(), ACCOUNT);
    static final String EC2_TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

    @AfterAll
    static void close() {
        IAM.close();
    }

    static IamException fails(Runnable r) {
        return assertThrows(IamException.class, r::run);
    }

    @Test
    void instanceProfileHoldsOneRole() {
        IAM.createRole(b -> b.roleName("web").assumeRolePolicyDocument(EC2_TRUST));
        IAM.createRole(b -> b.roleName("other").assumeRolePolicyDocument(EC2_TRUST));
        InstanceProfile p = IAM.createInstanceProfile(b -> b.instanceProfileName("web-profile").path("/ec2/")
                .tags(Tag.builder().key("env").value("dev").build())).instanceProfile();
        assertEquals("arn:aws:iam::" + ACCOUNT + ":instance-profile/ec2/web-profile", p.arn());
        assertTrue(p.instanceProfileId().matches("AIPA[A-Z0-9]{17}"), p.instanceProfileId());
        assertTrue(p.roles().isEmpty());

        IAM.addRoleToInstanceProfile(b -> b.instanceProfileName("web-profile").roleName("web"));
        IamException second = fails(() -> IAM.addRoleToInstanceProfile(b -> b.instanceProfileName("web-profile").roleName("other")));
        assertEquals("LimitExceeded", second.awsErrorDetails().errorCode());
        assertEquals(409, second.statusCode());
        assertEquals("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", second.awsErrorDetails().errorMessage());

        InstanceProfile got = IAM.getInstanceProfile(b -> b.instanceProfileName("web-profile")).instanceProfile();
        assertEquals(List.of("web"), got.roles().stream().map(r -> r.roleName()).toList());
        assertEquals(List.of("web-profile"), IAM.listInstanceProfilesForRole(b -> b.roleName("web")).instanceProfiles().stream()
                .map(InstanceProfile::instanceProfileName).toList());
        assertTrue(IAM.listInstanceProfilesForRole(b -> b.roleName("other")).instanceProfiles().isEmpty());
        assertEquals(1, IAM.listInstanceProfiles(b -> b.pathPrefix("/ec2/")).instanceProfiles().size());
        assertEquals("dev", IAM.listInstanceProfileTags(b -> b.instanceProfileName("web-profile")).tags().get(0).value());

        IamException roleInProfile = fails(() -> IAM.deleteRole(b -> b.roleName("web")));
        assertEquals("DeleteConflict", roleInProfile.awsErrorDetails().errorCode());
        assertEquals("Cannot delete entity, must remove roles from instance profile first.", roleInProfile.awsErrorDetails().errorMessage());
        IamException profileWithRole = fails(() -> IAM.deleteInstanceProfile(b -> b.instanceProfileName("web-profile")));
        assertEquals("DeleteConflict", profileWithRole.awsErrorDetails().errorCode());

        IAM.removeRoleFromInstanceProfile(b -> b.instanceProfileName("web-profile").roleName("web"));
        IAM.deleteInstanceProfile(b -> b.instanceProfileName("web-profile"));
        IAM.deleteRole(b -> b.roleName("web"));
        IamException gone = fails(() -> IAM.getInstanceProfile(b -> b.instanceProfileName("web-profile")));
        assertEquals("Instance Profile web-profile cannot be found.", gone.awsErrorDetails().errorMessage());
        assertEquals(404, gone.statusCode());
    }

    @Test
    void accessKeysTwoPerUserAndStatus() {
        IAM.createUser(b -> b.userName("keyed"));
        AccessKey k1 = IAM.createAccessKey(b -> b.userName("keyed")).accessKey();
        assertTrue(k1.accessKeyId().matches("AKIA[A-Z0-9]{16}"), k1.accessKeyId());
        assertEquals(40, k1.secretAccessKey().length());
        assertEquals(StatusType.ACTIVE, k1.status());
        IAM.createAccessKey(b -> b.userName("keyed"));
        IamException third = fails(() -> IAM.createAccessKey(b -> b.userName("keyed")));
        assertEquals("LimitExceeded", third.awsErrorDetails().errorCode());
        assertEquals("Cannot exceed quota for AccessKeysPerUser: 2", third.awsErrorDetails().errorMessage());

        IAM.updateAccessKey(b -> b.userName("keyed").accessKeyId(k1.accessKeyId()).status(StatusType.INACTIVE));
        List<AccessKeyMetadata> keys = IAM.listAccessKeys(b -> b.userName("keyed")).accessKeyMetadata();
        assertEquals(2, keys.size());
        assertEquals(StatusType.INACTIVE, keys.stream().filter(k -> k.accessKeyId().equals(k1.accessKeyId())).findFirst().orElseThrow().status());

        IAM.deleteAccessKey(b -> b.userName("keyed").accessKeyId(k1.accessKeyId()));
        assertEquals(1, IAM.listAccessKeys(b -> b.userName("keyed")).accessKeyMetadata().size());
        IamException missing = fails(() -> IAM.deleteAccessKey(b -> b.userName("keyed").accessKeyId(k1.accessKeyId())));
        assertEquals("The Access Key with id " + k1.accessKeyId() + " cannot be found.", missing.awsErrorDetails().errorMessage());
    }

    @Test
    void anAccessKeyIsItsUser() {
        IAM.createUser(b -> b.userName("signer").path("/people/"));
        String userId = IAM.getUser(b -> b.userName("signer")).user().userId();
        AccessKey k = IAM.createAccessKey(b -> b.userName("signer")).accessKey();
        try (StsClient sts = Oboro.client(StsClient.builder(), Oboro.credentials(k.accessKeyId()), "us-east-1");
             IamClient asUser = Oboro.client(IamClient.builder(), Oboro.credentials(k.accessKeyId()), "us-east-1")) {
            GetCallerIdentityResponse me = sts.getCallerIdentity();
            assertEquals(ACCOUNT, me.account());
            assertEquals("arn:aws:iam::" + ACCOUNT + ":user/people/signer", me.arn());
            assertEquals(userId, me.userId());
            // GetUser without a name answers the calling user; its own key list without a name too
            assertEquals("signer", asUser.getUser().user().userName());
            assertEquals(k.accessKeyId(), asUser.listAccessKeys().accessKeyMetadata().get(0).accessKeyId());

            // an inactive key is refused as AWS refuses it
            IAM.updateAccessKey(b -> b.userName("signer").accessKeyId(k.accessKeyId()).status(StatusType.INACTIVE));
            StsException refused = assertThrows(StsException.class, sts::getCallerIdentity);
            assertEquals("InvalidClientTokenId", refused.awsErrorDetails().errorCode());
            assertEquals(403, refused.statusCode());
            assertEquals("The security token included in the request is invalid.", refused.awsErrorDetails().errorMessage());
            IAM.updateAccessKey(b -> b.userName("signer").accessKeyId(k.accessKeyId()).status(StatusType.ACTIVE));
            assertEquals(userId, sts.getCallerIdentity().userId());
        }
    }
}
