package dev.oboro.tests.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttribute;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3's audit scenario: a role trusts a user; the user signs with an access key and assumes the
 * role; the session calls a service; both calls are in CloudTrail's event history under the right
 * identities.
 */
class AuditScenarioTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();

    @Test
    void userAssumesRoleAndBothCallsAreOnRecord() throws Exception {
        AccessKey key;
        Role role;
        try (IamClient iam = Oboro.client(IamClient.builder(), account)) {
            iam.createUser(b -> b.userName("dev"));
            key = iam.createAccessKey(b -> b.userName("dev")).accessKey();
            String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                    + account + ":user/dev\"},\"Action\":\"sts:AssumeRole\"}]}";
            role = iam.createRole(b -> b.roleName("deployer").assumeRolePolicyDocument(trust)).role();
        }
        Credentials c;
        try (StsClient asDev = Oboro.client(StsClient.builder(), Oboro.credentials(key.accessKeyId()), "us-east-1")) {
            c = asDev.assumeRole(b -> b.roleArn(role.arn()).roleSessionName("release-42")).credentials();
        }
        try (CloudWatchLogsClient logsAsRole = Oboro.client(CloudWatchLogsClient.builder(),
                Oboro.credentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()), "us-east-1")) {
            logsAsRole.createLogGroup(b -> b.logGroupName("/release/42"));
        }

        try (CloudTrailClient ct = Oboro.client(CloudTrailClient.builder(), account)) {
            Event assume = only(ct, LookupAttributeKey.EVENT_NAME, "AssumeRole");
            assertEquals("sts.amazonaws.com", assume.eventSource());
            assertEquals("dev", assume.username());
            assertEquals(key.accessKeyId(), assume.accessKeyId());
            JsonNode a = JSON.readTree(assume.cloudTrailEvent());
            assertEquals("IAMUser", a.at("/userIdentity/type").asText());
            assertEquals("arn:aws:iam::" + account + ":user/dev", a.at("/userIdentity/arn").asText());
            assertEquals("dev", a.at("/userIdentity/userName").asText());
            assertEquals(role.arn(), a.at("/requestParameters/roleArn").asText());
            assertEquals("release-42", a.at("/requestParameters/roleSessionName").asText());
            // the credentials handed out are on record, their secret is not
            assertEquals(c.accessKeyId(), a.at("/responseElements/credentials/accessKeyId").asText());
            assertFalse(a.at("/responseElements/credentials").has("secretAccessKey"));
            assertTrue(assume.resources().stream().anyMatch(r -> r.resourceName().equals(role.arn())), assume.resources().toString());

            Event create = only(ct, LookupAttributeKey.EVENT_NAME, "CreateLogGroup");
            assertEquals("release-42", create.username());
            assertEquals(c.accessKeyId(), create.accessKeyId());
            JsonNode u = JSON.readTree(create.cloudTrailEvent()).get("userIdentity");
            assertEquals("AssumedRole", u.get("type").asText());
            assertEquals("arn:aws:sts::" + account + ":assumed-role/deployer/release-42", u.get("arn").asText());
            assertEquals(role.roleId() + ":release-42", u.get("principalId").asText());
            assertEquals(account, u.get("accountId").asText());
            JsonNode issuer = u.at("/sessionContext/sessionIssuer");
            assertEquals("Role", issuer.get("type").asText());
            assertEquals(role.arn(), issuer.get("arn").asText());
            assertEquals(role.roleId(), issuer.get("principalId").asText());
            assertEquals("deployer", issuer.get("userName").asText());

            // and each identity finds its own calls
            assertEquals(List.of("AssumeRole"), ct.lookupEvents(b -> b.lookupAttributes(LookupAttribute.builder()
                    .attributeKey(LookupAttributeKey.USERNAME).attributeValue("dev").build())).events().stream()
                    .map(Event::eventName).filter(n -> !n.equals("CreateAccessKey")).toList());
            assertEquals(List.of("CreateLogGroup"), ct.lookupEvents(b -> b.lookupAttributes(LookupAttribute.builder()
                    .attributeKey(LookupAttributeKey.ACCESS_KEY_ID).attributeValue(c.accessKeyId()).build())).events().stream()
                    .map(Event::eventName).toList());
        }
    }

    static Event only(CloudTrailClient ct, LookupAttributeKey k, String v) {
        List<Event> events = ct.lookupEvents(b -> b.lookupAttributes(LookupAttribute.builder().attributeKey(k).attributeValue(v).build())).events();
        assertEquals(1, events.size(), events.toString());
        return events.get(0);
    }
}
