package dev.oboro.tests.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AWS CLI v2 against IAM: pagination flags, decoded policy documents, errors, keys as identities. */
class IamCliTest {
    static final String ACCOUNT = Oboro.newAccount();
    static final IamClient IAM = Oboro.client(IamClient.builder(), ACCOUNT);
    static final ObjectMapper JSON = new ObjectMapper();

    @AfterAll
    static void close() {
        IAM.close();
    }

    static JsonNode cli(String... args) throws Exception {
        return JSON.readTree(Cli.v2(ACCOUNT, args).ok().stdout());
    }

    @Test
    void listUsersWithMaxItemsPageSizeAndStartingToken() throws Exception {
        for (int i = 0; i < 5; i++) {
            int n = i;
            IAM.createUser(b -> b.userName("cli-" + n).path("/cli/"));
        }
        JsonNode first = cli("iam", "list-users", "--path-prefix", "/cli/", "--max-items", "2");
        assertEquals(2, first.get("Users").size());
        String token = first.get("NextToken").asText();
        List<String> names = new ArrayList<>();
        first.get("Users").forEach(u -> names.add(u.get("UserName").asText()));
        JsonNode rest = cli("iam", "list-users", "--path-prefix", "/cli/", "--starting-token", token);
        rest.get("Users").forEach(u -> names.add(u.get("UserName").asText()));
        assertEquals(List.of("cli-0", "cli-1", "cli-2", "cli-3", "cli-4"), names);
        JsonNode smallPages = cli("iam", "list-users", "--path-prefix", "/cli/", "--page-size", "1");
        assertEquals(5, smallPages.get("Users").size());
    }

    @Test
    void createRoleAndReadItsTrustPolicyAsJson() throws Exception {
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
                + "\"Action\":\"sts:AssumeRole\"}]}";
        JsonNode created = cli("iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", trust);
        assertEquals("arn:aws:iam::" + ACCOUNT + ":role/cli-role", created.at("/Role/Arn").asText());
        cli("iam", "attach-role-policy", "--role-name", "cli-role", "--policy-arn",
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
        JsonNode role = cli("iam", "get-role", "--role-name", "cli-role");
        assertEquals("lambda.amazonaws.com", role.at("/Role/AssumeRolePolicyDocument/Statement/0/Principal/Service").asText());
        JsonNode attached = cli("iam", "list-attached-role-policies", "--role-name", "cli-role");
        assertEquals("AWSLambdaBasicExecutionRole", attached.at("/AttachedPolicies/0/PolicyName").asText());
    }

    @Test
    void errorsComeBackAsAwsErrors() {
        Cli.Result r = Cli.v2(ACCOUNT, "iam", "get-user", "--user-name", "nobody-here");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("An error occurred (NoSuchEntity) when calling the GetUser operation: "
                + "The user with name nobody-here cannot be found."), r.stderr());
        Cli.Result bad = Cli.v2(ACCOUNT, "iam", "create-policy", "--policy-name", "bad", "--policy-document", "{oops");
        assertTrue(bad.stderr().contains("(MalformedPolicyDocument)"), bad.stderr());
    }

    @Test
    void accessKeyFromTheCliSignsAsTheUser() throws Exception {
        cli("iam", "create-user", "--user-name", "cli-signer");
        JsonNode key = cli("iam", "create-access-key", "--user-name", "cli-signer");
        String id = key.at("/AccessKey/AccessKeyId").asText();
        String secret = key.at("/AccessKey/SecretAccessKey").asText();
        JsonNode me = JSON.readTree(Cli.v2As(id, secret, null, "sts", "get-caller-identity").ok().stdout());
        assertEquals("arn:aws:iam::" + ACCOUNT + ":user/cli-signer", me.get("Arn").asText());
        assertEquals(ACCOUNT, me.get("Account").asText());
    }
}
