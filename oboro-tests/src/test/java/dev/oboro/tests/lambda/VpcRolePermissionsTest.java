package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Lambda refuses a VpcConfig whose execution role may not manage network interfaces, as AWS does. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VpcRolePermissionsTest {
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);
    final IamClient iam = Oboro.client(IamClient.builder(), account);
    final Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account);
    final String vpc = ec2.describeVpcs(r -> r.filters(VpcTest.f("is-default", "true"))).vpcs().get(0).vpcId();
    final String subnet = ec2.describeSubnets(r -> r.filters(VpcTest.f("vpc-id", vpc))).subnets().get(0).subnetId();
    final String sg = ec2.describeSecurityGroups(r -> r.filters(VpcTest.f("vpc-id", vpc), VpcTest.f("group-name", "default")))
            .securityGroups().get(0).groupId();
    final byte[] zip = Samples.python("def handler(e, c):\n    return 'ran'\n");

    @AfterAll
    void tearDown() {
        Samples.deleteAll(lambda);
        lambda.close();
        iam.close();
        ec2.close();
    }

    private String role(String name, String inlinePolicy) {
        String arn = iam.createRole(r -> r.roleName(name).assumeRolePolicyDocument(Samples.TRUST)).role().arn();
        if (inlinePolicy != null) iam.putRolePolicy(r -> r.roleName(name).policyName("eni").policyDocument(inlinePolicy));
        return arn;
    }

    private CreateFunctionResponse create(String name, String role) {
        return lambda.createFunction(b -> b.functionName(name).runtime("python3.12").handler("app.handler").role(role)
                .code(z -> z.zipFile(SdkBytes.fromByteArray(zip))).vpcConfig(v -> v.subnetIds(subnet).securityGroupIds(sg)));
    }

    private String refusal(Runnable r) {
        return assertThrows(InvalidParameterValueException.class, r::run).awsErrorDetails().errorMessage();
    }

    @Test
    void aRoleWithoutEniPermissionsIsRefusedNamingTheFirstMissingAction() {
        String none = role("no-eni", null);
        assertEquals("The provided execution role does not have permissions to call CreateNetworkInterface on EC2",
                refusal(() -> create("refused", none)));
        String createOnly = role("create-only", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"ec2:CreateNetworkInterface\",\"Resource\":\"*\"}]}");
        assertEquals("The provided execution role does not have permissions to call DescribeNetworkInterfaces on EC2",
                refusal(() -> create("refused", createOnly)));
        String denied = role("denied-delete", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
                + "\"Action\":\"ec2:Delete*\",\"Resource\":\"*\"}]}");
        iam.attachRolePolicy(r -> r.roleName("denied-delete").policyArn(Samples.VPC_ACCESS_POLICY));
        assertEquals("The provided execution role does not have permissions to call DeleteNetworkInterface on EC2",
                refusal(() -> create("refused", denied)));
        assertThrows(software.amazon.awssdk.services.lambda.model.ResourceNotFoundException.class,
                () -> lambda.getFunction(b -> b.functionName("refused")));
    }

    @Test
    void theVpcAccessManagedPolicyIsEnough() {
        String role = role("with-vpc-access", null);
        iam.attachRolePolicy(r -> r.roleName("with-vpc-access").policyArn(Samples.VPC_ACCESS_POLICY));
        assertEquals(vpc, create("allowed", role).vpcConfig().vpcId());
    }

    @Test
    void anUpdateIntoAVpcChecksTheRoleToo() {
        String role = role("plain-role", null);
        lambda.createFunction(b -> b.functionName("plain").runtime("python3.12").handler("app.handler").role(role)
                .code(z -> z.zipFile(SdkBytes.fromByteArray(zip))));
        Samples.awaitActive(lambda, "plain");
        assertEquals("The provided execution role does not have permissions to call CreateNetworkInterface on EC2",
                refusal(() -> lambda.updateFunctionConfiguration(b -> b.functionName("plain")
                        .vpcConfig(v -> v.subnetIds(subnet).securityGroupIds(sg)))));
        // detaching (empty lists) needs no permission
        lambda.updateFunctionConfiguration(b -> b.functionName("plain").vpcConfig(v -> v.subnetIds(List.of()).securityGroupIds(List.of())));
    }
}
