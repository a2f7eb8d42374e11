package dev.oboro.tests.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttachmentStatus;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceStatus;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.State;
import software.amazon.awssdk.services.lambda.model.VpcConfigResponse;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Functions in a VPC: VpcConfig checked against EC2, Hyperplane ENIs, and outbound HTTP only through a NAT gateway. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ResourceLock(Oboro.CLOCK)
class VpcTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);
    final Ec2Client ec2 = Oboro.client(Ec2Client.builder(), account);
    final String subnet = ec2.describeSubnets(r -> r.filters(f("default-for-az", "true"))).subnets().stream()
            .filter(s -> s.availabilityZone().equals("us-east-1a")).findFirst().orElseThrow().subnetId();
    final String vpc = ec2.describeVpcs(r -> r.filters(f("is-default", "true"))).vpcs().get(0).vpcId();
    final String sg = ec2.describeSecurityGroups(r -> r.filters(f("vpc-id", vpc), f("group-name", "default"))).securityGroups().get(0).groupId();

    @AfterAll
    void tearDown() {
        Samples.deleteAll(lambda);
        lambda.close();
        ec2.close();
    }

    static Filter f(String name, String value) {
        return Filter.builder().name(name).values(value).build();
    }

    private List<NetworkInterface> lambdaEnis() {
        return ec2.describeNetworkInterfaces(r -> r.filters(f("interface-type", "lambda"))).networkInterfaces();
    }

    private String refused(Runnable r) {
        return assertThrows(InvalidParameterValueException.class, r::run).awsErrorDetails().errorMessage();
    }

    @Test
    void vpcConfigIsCheckedAgainstEc2() {
        byte[] zip = Samples.python("def handler(e, c):\n    return 1\n");
        String other = ec2.createVpc(r -> r.cidrBlock("10.20.0.0/16")).vpc().vpcId();
        String otherSg = ec2.createSecurityGroup(r -> r.vpcId(other).groupName("x").description("x")).groupId();
        record Case(List<String> subnets, List<String> groups, Boolean ipv6, String message) {
        }
        for (Case c : List.of(
                new Case(List.of(subnet), List.of(), null, "SubnetIds and SecurityIds must coexist or be both empty list."),
                new Case(List.of(), List.of(), true, "Ipv6AllowedForDualStack cannot be true without subnet or security groups. "
                        + "Please remove Ipv6AllowedForDualStack value from your request and try again."),
                new Case(List.of("subnet-12345678"), List.of(sg), null, "Error occurred while DescribeSubnets. EC2 Error Code: "
                        + "InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID 'subnet-12345678' does not exist"),
                new Case(List.of(subnet), List.of("sg-12345678"), null, "Error occurred while DescribeSecurityGroups. EC2 Error Code: "
                        + "InvalidGroup.NotFound. EC2 Error Message: The security group 'sg-12345678' does not exist"),
                new Case(List.of(subnet), List.of(otherSg), null, "Security Groups are required to be in the same VPC"),
                new Case(List.of(subnet), List.of(sg), true, "Function can't be configured for dual-stack because the following subnets "
                        + "do not have IPv6 CIDR blocks: [" + subnet + "]."))) {
            String msg = refused(() -> lambda.createFunction(b -> b.functionName("bad-vpc").runtime("python3.12").handler("app.handler")
                    .role(Samples.vpcRole(account)).code(z -> z.zipFile(SdkBytes.fromByteArray(zip)))
                    .vpcConfig(v -> v.subnetIds(c.subnets()).securityGroupIds(c.groups()).ipv6AllowedForDualStack(c.ipv6()))));
            assertEquals(c.message(), msg);
        }
        ec2.deleteSecurityGroup(r -> r.groupId(otherSg));
        ec2.deleteVpc(r -> r.vpcId(other));
    }

    @Test
    void theCliSetsAndShowsVpcConfig() throws Exception {
        Samples.create(lambda, account, "cli-vpc", "python3.12", "app.handler", Samples.python("def handler(e, c):\n    return 1\n"), b -> b.role(Samples.vpcRole(account)));
        var bad = Cli.v2(account, "lambda", "update-function-configuration", "--function-name", "cli-vpc",
                "--vpc-config", "SubnetIds=subnet-12345678,SecurityGroupIds=" + sg);
        assertEquals(254, bad.exitCode(), bad.stderr());
        assertTrue(bad.stderr().contains("(InvalidParameterValueException)") && bad.stderr().contains("InvalidSubnetID.NotFound"), bad.stderr());
        // its own security group: its ENI must not be the one the other tests count
        String cliSg = ec2.createSecurityGroup(r -> r.vpcId(vpc).groupName("cli").description("cli")).groupId();
        JsonNode updated = JSON.readTree(Cli.v2(account, "lambda", "update-function-configuration", "--function-name", "cli-vpc",
                "--vpc-config", "SubnetIds=" + subnet + ",SecurityGroupIds=" + cliSg).ok().stdout());
        assertEquals("InProgress", updated.path("LastUpdateStatus").asText());
        Oboro.advance(Duration.ofSeconds(3));
        assertEquals(vpc, updated.path("VpcConfig").path("VpcId").asText());
        GetFunctionConfigurationResponse c = lambda.getFunctionConfiguration(b -> b.functionName("cli-vpc"));
        assertEquals("Successful", c.lastUpdateStatusAsString());
        assertEquals(List.of(subnet), c.vpcConfig().subnetIds());
        assertEquals(List.of(cliSg), c.vpcConfig().securityGroupIds());
        lambda.deleteFunction(b -> b.functionName("cli-vpc"));
    }

    @Test
    void aVpcFunctionGetsSharedHyperplaneEnisThatGoAwayLazilyAfterTheLastUser() {
        byte[] zip = Samples.python("def handler(e, c):\n    return 1\n");
        int before = lambdaEnis().size();
        var created = lambda.createFunction(b -> b.functionName("in-vpc").runtime("python3.12").handler("app.handler")
                .role(Samples.vpcRole(account)).code(z -> z.zipFile(SdkBytes.fromByteArray(zip)))
                .vpcConfig(v -> v.subnetIds(subnet).securityGroupIds(sg)));
        assertEquals(State.PENDING, created.state());
        assertEquals(vpc, created.vpcConfig().vpcId());
        assertEquals(State.PENDING, lambda.getFunctionConfiguration(b -> b.functionName("in-vpc")).state(), "Pending while the ENIs are created");
        Oboro.advance(Duration.ofSeconds(3));
        GetFunctionConfigurationResponse c = lambda.getFunctionConfiguration(b -> b.functionName("in-vpc"));
        assertEquals(State.ACTIVE, c.state());
        VpcConfigResponse v = c.vpcConfig();
        assertEquals(List.of(subnet), v.subnetIds());
        assertEquals(List.of(sg), v.securityGroupIds());
        assertEquals(vpc, v.vpcId());

        List<NetworkInterface> enis = lambdaEnis();
        assertEquals(before + 1, enis.size());
        NetworkInterface eni = enis.stream().filter(e -> e.subnetId().equals(subnet)).findFirst().orElseThrow();
        assertTrue(eni.description().startsWith("AWS Lambda VPC ENI-in-vpc-"), eni.description());
        assertTrue(eni.requesterManaged());
        assertEquals("lambda.amazonaws.com", eni.requesterId());
        assertEquals(sg, eni.groups().get(0).groupId());
        assertEquals("lambda", eni.interfaceTypeAsString());
        // in use from the start, attached to Lambda's side rather than to an instance
        assertEquals(NetworkInterfaceStatus.IN_USE, eni.status());
        assertTrue(eni.attachment().attachmentId().startsWith("ela-attach-"), eni.attachment().toString());
        assertEquals("amazon-aws", eni.attachment().instanceOwnerId());
        assertEquals(AttachmentStatus.ATTACHED, eni.attachment().status());
        assertEquals(1, eni.attachment().deviceIndex());
        assertNull(eni.attachment().instanceId());
        assertEquals("OperationNotPermitted", assertThrows(software.amazon.awssdk.services.ec2.model.Ec2Exception.class,
                () -> ec2.detachNetworkInterface(r -> r.attachmentId(eni.attachment().attachmentId()))).awsErrorDetails().errorCode());

        // Same subnet and security groups: the ENI is shared.
        createInVpc("in-vpc-2", "python3.12", "app.handler", zip, subnet, sg);
        assertEquals(before + 1, lambdaEnis().size());
        // Users cannot delete an interface Lambda manages.
        assertEquals("InvalidNetworkInterface.InUse", assertThrows(software.amazon.awssdk.services.ec2.model.Ec2Exception.class,
                () -> ec2.deleteNetworkInterface(r -> r.networkInterfaceId(eni.networkInterfaceId()))).awsErrorDetails().errorCode());

        lambda.deleteFunction(b -> b.functionName("in-vpc"));
        lambda.updateFunctionConfiguration(b -> b.functionName("in-vpc-2").vpcConfig(x -> x.subnetIds(List.of()).securityGroupIds(List.of())));
        assertEquals("", lambda.getFunctionConfiguration(b -> b.functionName("in-vpc-2")).vpcConfig().vpcId());
        Oboro.advance(Duration.ofMinutes(10));
        assertEquals(before + 1, lambdaEnis().size(), "Lambda releases unused ENIs lazily");
        Oboro.advance(Duration.ofMinutes(11));
        assertEquals(before, lambdaEnis().size());
        lambda.deleteFunction(b -> b.functionName("in-vpc-2"));
    }

    @Test
    void aVpcFunctionReachesTheInternetOnlyThroughANatGatewayAndAlwaysReachesOboro() throws Exception {
        HttpServer internet = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        internet.createContext("/", ex -> {
            byte[] b = "hello from the internet".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        internet.start();
        String privateSubnet = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("172.31.200.0/24").availabilityZone("us-east-1a")).subnet().subnetId();
        String rtb = ec2.createRouteTable(r -> r.vpcId(vpc)).routeTable().routeTableId();
        String assoc = ec2.associateRouteTable(r -> r.routeTableId(rtb).subnetId(privateSubnet)).associationId();
        String alloc = ec2.allocateAddress().allocationId();
        String nat = null;
        try {
            byte[] zip = Samples.python("""
                    import os, urllib.request
                    def get(url):
                        try:
                            with urllib.request.urlopen(url, timeout=10) as r:
                                return r.status
                        except Exception as e:
                            return str(e)
                    def handler(event, context):
                        return {"internet": get(event["url"]), "oboro": get(os.environ["AWS_ENDPOINT_URL"] + "/_oboro/health"),
                                "proxy": os.environ.get("HTTP_PROXY")}
                    """);
            String url = "http://127.0.0.1:" + internet.getAddress().getPort() + "/";
            createInVpc("egress", "python3.12", "app.handler", zip, privateSubnet, sg);
            Samples.create(lambda, account, "no-vpc", "python3.12", "app.handler", zip, null);

            JsonNode direct = call("no-vpc", url);
            assertEquals(200, direct.path("internet").asInt(), direct.toString());
            assertTrue(direct.path("proxy").isNull(), "a function outside a VPC goes out directly");

            JsonNode none = call("egress", url);
            assertTrue(none.path("internet").asText().contains("403"), "no route to a NAT gateway: " + none);
            assertEquals(200, none.path("oboro").asInt(), "Oboro stays reachable: " + none);

            // A shell bootstrap with curl (which sends even the Runtime API through the proxy: it ignores host:port in NO_PROXY).
            createInVpc("egress-sh", "provided.al2023", "x", Samples.zip(java.util.Map.of("bootstrap", CURL_BOOTSTRAP)), privateSubnet, sg);
            assertEquals(403, call("egress-sh", url).path("internet").asInt());

            // A route to the internet gateway is not enough: Lambda's ENIs have no public address.
            String igw = ec2.describeInternetGateways(r -> r.filters(f("attachment.vpc-id", vpc))).internetGateways().get(0).internetGatewayId();
            ec2.createRoute(r -> r.routeTableId(rtb).destinationCidrBlock("0.0.0.0/0").gatewayId(igw));
            assertTrue(call("egress", url).path("internet").asText().contains("403"));

            // A NAT gateway in a public subnet; the route changes while the environment stays warm.
            nat = ec2.createNatGateway(r -> r.subnetId(subnet).allocationId(alloc)).natGateway().natGatewayId();
            String natId = nat;
            ec2.replaceRoute(r -> r.routeTableId(rtb).destinationCidrBlock("0.0.0.0/0").natGatewayId(natId));
            assertTrue(call("egress", url).path("internet").asText().contains("403"), "the NAT gateway is still pending");
            Oboro.advance(Duration.ofSeconds(61));
            assertEquals(200, call("egress-sh", url).path("internet").asInt());
            JsonNode through = call("egress", url);
            assertEquals(200, through.path("internet").asInt(), through.toString());
            assertEquals(200, through.path("oboro").asInt(), through.toString());
            assertTrue(through.path("proxy").asText().startsWith("http://127.0.0.1:"), through.toString());

            // Security group egress rules apply too.
            String closed = ec2.createSecurityGroup(r -> r.vpcId(vpc).groupName("no-egress").description("none")).groupId();
            ec2.revokeSecurityGroupEgress(r -> r.groupId(closed).ipPermissions(p -> p.ipProtocol("-1").ipRanges(i -> i.cidrIp("0.0.0.0/0"))));
            lambda.updateFunctionConfiguration(b -> b.functionName("egress").vpcConfig(x -> x.subnetIds(privateSubnet).securityGroupIds(closed)));
            Oboro.advance(Duration.ofSeconds(3));
            assertTrue(call("egress", url).path("internet").asText().contains("403"));
            lambda.deleteFunction(b -> b.functionName("egress"));
            lambda.deleteFunction(b -> b.functionName("egress-sh"));
            Oboro.advance(Duration.ofMinutes(21));
            ec2.deleteSecurityGroup(r -> r.groupId(closed));
        } finally {
            internet.stop(0);
            if (nat != null) {
                String n = nat;
                ec2.deleteNatGateway(r -> r.natGatewayId(n));
            }
        }
    }

    static final String CURL_BOOTSTRAP = """
            #!/bin/sh
            API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
            while true; do
              HEADERS=$(mktemp)
              EVENT=$(curl -sS -D "$HEADERS" "$API/next")
              ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)
              URL=$(echo "$EVENT" | sed 's/.*"url": *"\\([^"]*\\)".*/\\1/')
              CODE=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
              curl -sS -X POST "$API/$ID/response" -d "{\\"internet\\": $CODE}" > /dev/null
            done
            """;

    /** Creates a function in a VPC and advances the clock past its Pending state (instead of waiting for it). */
    private void createInVpc(String name, String runtime, String handler, byte[] zip, String subnetId, String groupId) {
        lambda.createFunction(b -> b.functionName(name).runtime(runtime).handler(handler).role(Samples.vpcRole(account)).timeout(60)
                .code(z -> z.zipFile(SdkBytes.fromByteArray(zip))).vpcConfig(x -> x.subnetIds(subnetId).securityGroupIds(groupId)));
        Oboro.advance(Duration.ofSeconds(3));
        Samples.awaitActive(lambda, name);
    }

    private JsonNode call(String fn, String url) throws Exception {
        var r = lambda.invoke(b -> b.functionName(fn).payload(SdkBytes.fromUtf8String("{\"url\": \"" + url + "\"}")));
        assertNull(r.functionError(), r.payload().asUtf8String());
        return JSON.readTree(r.payload().asByteArray());
    }
}
