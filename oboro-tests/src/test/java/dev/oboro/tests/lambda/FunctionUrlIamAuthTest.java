package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** AWS_IAM function URLs: the caller's identity policies decide with the function's resource policy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FunctionUrlIamAuthTest {
    final String account = Oboro.newAccount();
    final String other = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);
    final IamClient iam = Oboro.client(IamClient.builder(), account);
    final IamClient otherIam = Oboro.client(IamClient.builder(), other);
    String urlId;
    String functionArn;

    @BeforeAll
    void function() {
        Samples.create(lambda, account, "guarded", "python3.12", "app.handler",
                Samples.python("def handler(e, c):\n    return {'statusCode': 200, 'body': 'in'}\n"), null);
        urlId = FunctionUrlsTest.urlId(lambda.createFunctionUrlConfig(b -> b.functionName("guarded")
                .authType(FunctionUrlAuthType.AWS_IAM)).functionUrl());
        functionArn = "arn:aws:lambda:us-east-1:" + account + ":function:guarded";
    }

    @AfterAll
    void tearDown() {
        lambda.deleteFunction(b -> b.functionName("guarded"));
        lambda.close();
        iam.close();
        otherIam.close();
    }

    private HttpResponse<String> callAs(String accessKey, String sessionToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder().header("authorization", FunctionUrlsTest.auth(accessKey));
        if (sessionToken != null) b.header("x-amz-security-token", sessionToken);
        return FunctionUrlsTest.call(urlId, "/", b);
    }

    private static String userKey(IamClient client, String user) {
        client.createUser(b -> b.userName(user));
        return client.createAccessKey(b -> b.userName(user)).accessKey().accessKeyId();
    }

    private String invokeUrlPolicy(String resource) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"lambda:InvokeFunctionUrl\","
                + "\"Resource\":\"" + resource + "\",\"Condition\":{\"StringEquals\":{\"lambda:FunctionUrlAuthType\":\"AWS_IAM\"}}}]}";
    }

    @Test
    void aUserOfTheAccountNeedsAnIdentityPolicyAndAnExplicitDenyWins() {
        String key = userKey(iam, "caller");
        HttpResponse<String> refused = callAs(key, null);
        assertEquals(403, refused.statusCode());
        assertEquals("{\"Message\":\"Forbidden. For troubleshooting Function URL authorization issues, see: "
                + "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html\"}", refused.body());
        iam.putUserPolicy(b -> b.userName("caller").policyName("url").policyDocument(invokeUrlPolicy(functionArn)));
        HttpResponse<String> ok = callAs(key, null);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("in", ok.body());
        iam.putUserPolicy(b -> b.userName("caller").policyName("deny").policyDocument("{\"Version\":\"2012-10-17\",\"Statement\":"
                + "[{\"Effect\":\"Deny\",\"Action\":\"lambda:Invoke*\",\"Resource\":\"*\"}]}"));
        lambda.addPermission(b -> b.functionName("guarded").statementId("account-url").action("lambda:InvokeFunctionUrl")
                .principal(account).functionUrlAuthType(FunctionUrlAuthType.AWS_IAM));
        lambda.addPermission(b -> b.functionName("guarded").statementId("account-invoke").action("lambda:InvokeFunction")
                .principal(account));
        assertEquals(403, callAs(key, null).statusCode(), "denied by its identity policy despite the resource policy");
        iam.deleteUserPolicy(b -> b.userName("caller").policyName("deny"));
        iam.deleteUserPolicy(b -> b.userName("caller").policyName("url"));
        assertEquals(200, callAs(key, null).statusCode(), "the resource policy alone is enough in the function's account");
        lambda.removePermission(b -> b.functionName("guarded").statementId("account-url"));
        lambda.removePermission(b -> b.functionName("guarded").statementId("account-invoke"));
        assertEquals(403, callAs(key, null).statusCode());
    }

    @Test
    void aRoleSessionUsesItsRolesPolicies() {
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + account
                + "\"},\"Action\":\"sts:AssumeRole\"}]}";
        String role = iam.createRole(b -> b.roleName("url-invoker").assumeRolePolicyDocument(trust)).role().arn();
        String key = userKey(iam, "assumer");
        Credentials c;
        try (StsClient sts = StsClient.builder().endpointOverride(Oboro.endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(Oboro.credentials(key)).build()) {
            c = sts.assumeRole(b -> b.roleArn(role).roleSessionName("url-session")).credentials();
        }
        assertEquals(403, callAs(c.accessKeyId(), c.sessionToken()).statusCode());
        iam.putRolePolicy(b -> b.roleName("url-invoker").policyName("url").policyDocument(invokeUrlPolicy("arn:aws:lambda:*:*:function:guard*")));
        assertEquals(200, callAs(c.accessKeyId(), c.sessionToken()).statusCode());
    }

    @Test
    void anotherAccountsUserNeedsBothItsIdentityPolicyAndTheResourcePolicy() {
        String key = userKey(otherIam, "visitor");
        lambda.addPermission(b -> b.functionName("guarded").statementId("other-url").action("lambda:InvokeFunctionUrl")
                .principal(other).functionUrlAuthType(FunctionUrlAuthType.AWS_IAM));
        lambda.addPermission(b -> b.functionName("guarded").statementId("other-invoke").action("lambda:InvokeFunction")
                .principal(other));
        assertEquals(403, callAs(key, null).statusCode(), "resource policy alone");
        otherIam.putUserPolicy(b -> b.userName("visitor").policyName("url").policyDocument(invokeUrlPolicy(functionArn)));
        assertEquals(200, callAs(key, null).statusCode());
        lambda.removePermission(b -> b.functionName("guarded").statementId("other-url"));
        assertEquals(403, callAs(key, null).statusCode(), "identity policy alone");
    }
}
