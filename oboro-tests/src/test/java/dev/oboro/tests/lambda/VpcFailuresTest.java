package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.State;
import software.amazon.awssdk.services.lambda.model.StateReasonCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lambda cannot make a VPC function's ENI: the function (or its update) Fails with the StateReasonCode AWS reports. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ResourceLock(Oboro.CLOCK)
class VpcFailuresTest {
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);
    final Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account);
    final String vpc = ec2.describeVpcs(r -> r.filters(VpcTest.f("is-default", "true"))).vpcs().get(0).vpcId();
    final String sg = ec2.describeSecurityGroups(r -> r.filters(VpcTest.f("vpc-id", vpc), VpcTest.f("group-name", "default")))
            .securityGroups().get(0).groupId();
    final byte[] zip = Samples.python("def handler(e, c):\n    return 'ran'\n");

    @AfterAll
    void tearDown() {
        Samples.deleteAll(lambda);
        lambda.close();
        ec2.close();
    }

    private void create(String name, String subnet) {
        lambda.createFunction(b -> b.functionName(name).runtime("python3.12").handler("app.handler").role(Samples.vpcRole(account))
                .code(z -> z.zipFile(SdkBytes.fromByteArray(zip))).vpcConfig(v -> v.subnetIds(subnet).securityGroupIds(sg)));
    }

    private String refusal(Runnable r) {
        return assertThrows(ResourceConflictException.class, r::run).awsErrorDetails().errorMessage();
    }

    @Test
    void aSubnetWithoutFreeAddressesFailsTheFunctionOrItsUpdate() {
        String full = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("172.31.210.0/28").availabilityZone("us-east-1a")).subnet().subnetId();
        List<String> fillers = new ArrayList<>();
        try {
            for (int i = 0; i < 32; i++) {
                try {
                    fillers.add(ec2.createNetworkInterface(r -> r.subnetId(full)).networkInterface().networkInterfaceId());
                } catch (Ec2Exception e) {
                    assertEquals("InsufficientFreeAddressesInSubnet", e.awsErrorDetails().errorCode());
                    break;
                }
            }
            assertEquals(11, fillers.size(), "a /28 has 11 usable addresses");

            create("full", full);
            assertEquals(State.PENDING, lambda.getFunctionConfiguration(b -> b.functionName("full")).state());
            Oboro.advance(Duration.ofSeconds(3));
            GetFunctionConfigurationResponse c = lambda.getFunctionConfiguration(b -> b.functionName("full"));
            assertEquals(State.FAILED, c.state());
            assertEquals(StateReasonCode.SUBNET_OUT_OF_IP_ADDRESSES, c.stateReasonCode());
            assertTrue(c.stateReason().contains("no available IP addresses"), c.stateReason());
            assertEquals(LastUpdateStatus.FAILED, c.lastUpdateStatus());
            assertEquals("SubnetOutOfIPAddresses", c.lastUpdateStatusReasonCodeAsString());
            String failed = "The operation cannot be performed at this time. The function is currently in the following state: Failed";
            assertEquals(failed, refusal(() -> lambda.invoke(b -> b.functionName("full"))));
            assertEquals(failed, refusal(() -> lambda.invoke(b -> b.functionName("full").invocationType("Event"))));
            assertEquals(failed, refusal(() -> lambda.updateFunctionCode(b -> b.functionName("full").zipFile(SdkBytes.fromByteArray(zip)))));

            // An Active function whose update moves it into the full subnet: the update fails, the function keeps running as it was.
            lambda.createFunction(b -> b.functionName("moves").runtime("python3.12").handler("app.handler").role(Samples.vpcRole(account))
                    .code(z -> z.zipFile(SdkBytes.fromByteArray(zip))));
            Samples.awaitActive(lambda, "moves");
            lambda.updateFunctionConfiguration(b -> b.functionName("moves").vpcConfig(v -> v.subnetIds(full).securityGroupIds(sg)));
            Oboro.advance(Duration.ofSeconds(3));
            c = lambda.getFunctionConfiguration(b -> b.functionName("moves"));
            assertEquals(State.ACTIVE, c.state());
            assertEquals(LastUpdateStatus.FAILED, c.lastUpdateStatus());
            assertEquals("SubnetOutOfIPAddresses", c.lastUpdateStatusReasonCodeAsString());
            var r = lambda.invoke(b -> b.functionName("moves"));
            assertNull(r.functionError(), r.payload().asUtf8String());
            assertEquals("\"ran\"", r.payload().asUtf8String());

            // Once an address is free, the next update makes the ENI.
            ec2.deleteNetworkInterface(x -> x.networkInterfaceId(fillers.remove(0)));
            lambda.updateFunctionConfiguration(b -> b.functionName("moves").description("again"));
            Oboro.advance(Duration.ofSeconds(3));
            c = lambda.getFunctionConfiguration(b -> b.functionName("moves"));
            assertEquals(LastUpdateStatus.SUCCESSFUL, c.lastUpdateStatus());
            assertEquals(1, ec2.describeNetworkInterfaces(x -> x.filters(VpcTest.f("interface-type", "lambda"), VpcTest.f("subnet-id", full)))
                    .networkInterfaces().size());
            lambda.deleteFunction(b -> b.functionName("moves"));
            lambda.deleteFunction(b -> b.functionName("full"));
            Oboro.advance(Duration.ofMinutes(21));
        } finally {
            fillers.forEach(id -> ec2.deleteNetworkInterface(x -> x.networkInterfaceId(id)));
            ec2.deleteSubnet(x -> x.subnetId(full));
        }
    }

    @Test
    void aSubnetDeletedWhileTheFunctionIsPendingFailsIt() {
        String doomed = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("172.31.211.0/28").availabilityZone("us-east-1b")).subnet().subnetId();
        create("gone", doomed);
        ec2.deleteSubnet(r -> r.subnetId(doomed)); // no ENI yet: Lambda makes them at the end of Pending
        Oboro.advance(Duration.ofSeconds(3));
        GetFunctionConfigurationResponse c = lambda.getFunctionConfiguration(b -> b.functionName("gone"));
        assertEquals(State.FAILED, c.state());
        assertEquals(StateReasonCode.INVALID_SUBNET, c.stateReasonCode());
        assertTrue(c.stateReason().contains(doomed), c.stateReason());
        lambda.deleteFunction(b -> b.functionName("gone"));
    }
}
