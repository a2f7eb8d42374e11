package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import org.junit.jupiter.api.function.Executable;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared helpers for the EC2 tests. */
final class Ec2Fixtures {
    private Ec2Fixtures() {
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final String AL2023 = "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64";
    static final String AL2023_ARM = "al2023-ami-2023.6.20241212.0-kernel-6.1-arm64";
    static final String PV = "amzn-ami-pv-2018.03.0.20231218.0-x86_64-ebs";
    static final String INSTANCE_STORE = "amzn-ami-hvm-2018.03.0.20231218.0-x86_64-s3";
    static final String WINDOWS = "Windows_Server-2022-English-Full-Base-2024.12.13";

    static Ec2Client client(String account) {
        return Oboro.client(Ec2Client.builder(), account);
    }

    static String ami(Ec2Client ec2, String name) {
        return ec2.describeImages(r -> r.owners("amazon", "099720109477").filters(Filter.builder().name("name").values(name).build()))
                .images().get(0).imageId();
    }

    static Instance run(Ec2Client ec2, String amiName, String type, Consumer<RunInstancesRequest.Builder> more) {
        RunInstancesRequest.Builder b = RunInstancesRequest.builder().imageId(ami(ec2, amiName)).instanceType(type).minCount(1).maxCount(1);
        if (more != null) more.accept(b);
        return ec2.runInstances(b.build()).instances().get(0);
    }

    static Ec2Exception fails(String code, Executable e) {
        Ec2Exception x = assertThrows(Ec2Exception.class, e);
        assertEquals(code, x.awsErrorDetails().errorCode(), x.getMessage());
        assertTrue(x.statusCode() >= 400 && x.statusCode() < 500, "status " + x.statusCode());
        return x;
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }
}
