package dev.oboro.tests.ebs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Shared helpers for the EBS tests. */
public final class EbsFixtures {
    private EbsFixtures() {
    }

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String AZ = "us-east-1a";
    public static final String OTHER_AZ = "us-east-1b";
    static final String AL2023 = "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64";

    public static Ec2Client ec2(String account) {
        return Oboro.client(Ec2Client.builder(), account);
    }

    public static Ec2Client ec2(String account, String region) {
        return Oboro.client(Ec2Client.builder(), Oboro.credentials(account), region);
    }

    /** An EC2 error with its code and exact message. */
    public static Ec2Exception fails(String code, String message, Executable e) {
        Ec2Exception x = assertThrows(Ec2Exception.class, e);
        assertEquals(code, x.awsErrorDetails().errorCode(), x.getMessage());
        assertEquals(400, x.statusCode());
        if (message != null) assertEquals(message, x.awsErrorDetails().errorMessage());
        return x;
    }

    public static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    public static Volume volume(Ec2Client ec2, String id) {
        return ec2.describeVolumes(r -> r.volumeIds(id)).volumes().get(0);
    }

    public static Snapshot snapshot(Ec2Client ec2, String id) {
        return ec2.describeSnapshots(r -> r.snapshotIds(id)).snapshots().get(0);
    }

    public static Map<String, String> tags(java.util.List<Tag> tags) {
        Map<String, String> m = new TreeMap<>();
        if (tags != null) tags.forEach(t -> m.put(t.key(), t.value()));
        return m;
    }

    /** A volume that has become available (the clock advanced past its creation). */
    public static String availableVolume(Ec2Client ec2, String az, int size, String type) {
        String id = ec2.createVolume(r -> r.availabilityZone(az).size(size).volumeType(type)).volumeId();
        Oboro.advance(Duration.ofSeconds(6));
        return id;
    }

    /** A running instance of a type in a zone. */
    public static Instance running(Ec2Client ec2, String type, String az) {
        String ami = ec2.describeImages(r -> r.owners("amazon").filters(filter("name", AL2023))).images().get(0).imageId();
        Instance i = ec2.runInstances(r -> r.imageId(ami).instanceType(type).minCount(1).maxCount(1)
                .placement(p -> p.availabilityZone(az))).instances().get(0);
        Oboro.advance(Duration.ofSeconds(20));
        return i;
    }

    public static JsonNode cli(String account, String... args) {
        try {
            return JSON.readTree(Cli.v2(account, args).ok().stdout());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
