package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.PlacementGroup;
import software.amazon.awssdk.services.ec2.model.PlacementStrategy;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.filter;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Placement groups: create, describe, delete, and the launch rules of each strategy. */
@ResourceLock(Oboro.CLOCK)
class PlacementGroupsTest {
    final String account = Oboro.newAccount();

    private static List<Instance> launch(Ec2Client ec2, String type, int count, java.util.function.Consumer<RunInstancesRequest.Builder> more) {
        RunInstancesRequest.Builder b = RunInstancesRequest.builder().imageId(Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023)).instanceType(type)
                .minCount(count).maxCount(count);
        more.accept(b);
        return ec2.runInstances(b.build()).instances();
    }

    private static Instance describe(Ec2Client ec2, String id) {
        return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    @Test
    void createDescribeDeleteWithSdk() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            PlacementGroup c = ec2.createPlacementGroup(r -> r.groupName("hpc").strategy(PlacementStrategy.CLUSTER)
                    .tagSpecifications(t -> t.resourceType(ResourceType.PLACEMENT_GROUP).tags(g -> g.key("team").value("hpc")))).placementGroup();
            assertEquals("available", c.stateAsString());
            assertTrue(c.groupId().startsWith("pg-"), c.groupId());
            assertEquals("arn:aws:ec2:us-east-1:" + account + ":placement-group/hpc", c.groupArn());
            PlacementGroup sp = ec2.createPlacementGroup(r -> r.groupName("web").strategy(PlacementStrategy.SPREAD)).placementGroup();
            assertEquals("rack", sp.spreadLevelAsString());
            PlacementGroup part = ec2.createPlacementGroup(r -> r.groupName("kafka").strategy(PlacementStrategy.PARTITION).partitionCount(3)).placementGroup();
            assertEquals(3, part.partitionCount());

            fails("InvalidPlacementGroup.Duplicate", () -> ec2.createPlacementGroup(r -> r.groupName("hpc").strategy(PlacementStrategy.CLUSTER)));
            Ec2Exception tooMany = fails("InvalidParameterValue", () -> ec2.createPlacementGroup(r -> r.groupName("p8").strategy(PlacementStrategy.PARTITION).partitionCount(8)));
            assertTrue(tooMany.awsErrorDetails().errorMessage().contains("between 1 and 7"), tooMany.getMessage());
            fails("InvalidParameterCombination", () -> ec2.createPlacementGroup(r -> r.groupName("x").strategy(PlacementStrategy.CLUSTER).partitionCount(2)));
            fails("InvalidParameterValue", () -> ec2.createPlacementGroup(r -> r.groupName("h").strategy(PlacementStrategy.SPREAD).spreadLevel("host")));

            assertEquals(3, ec2.describePlacementGroups(r -> { }).placementGroups().size());
            assertEquals(List.of("hpc"), ec2.describePlacementGroups(r -> r.filters(filter("tag:team", "hpc"))).placementGroups().stream()
                    .map(PlacementGroup::groupName).toList());
            assertEquals("kafka", ec2.describePlacementGroups(r -> r.groupIds(part.groupId())).placementGroups().get(0).groupName());
            Ec2Exception unknown = fails("InvalidPlacementGroup.Unknown", () -> ec2.describePlacementGroups(r -> r.groupNames("nope")));
            assertEquals("The Placement Group 'nope' is unknown", unknown.awsErrorDetails().errorMessage());

            Instance i = launch(ec2, "m5.large", 1, b -> b.placement(p -> p.groupName("web"))).get(0);
            assertEquals("web", i.placement().groupName());
            Ec2Exception inUse = fails("InvalidPlacementGroup.InUse", () -> ec2.deletePlacementGroup(r -> r.groupName("web")));
            assertEquals("The placement group 'web' is in use and may not be deleted.", inUse.awsErrorDetails().errorMessage());
            ec2.terminateInstances(r -> r.instanceIds(i.instanceId()));
            Oboro.advance(Duration.ofSeconds(15));
            ec2.deletePlacementGroup(r -> r.groupName("web"));
            fails("InvalidPlacementGroup.Unknown", () -> ec2.deletePlacementGroup(r -> r.groupName("web")));
            fails("InvalidPlacementGroup.Unknown", () -> launch(ec2, "m5.large", 1, b -> b.placement(p -> p.groupName("web"))));
        }
    }

    @Test
    void strategyRulesOnLaunch() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            ec2.createPlacementGroup(r -> r.groupName("c1").strategy(PlacementStrategy.CLUSTER));
            ec2.createPlacementGroup(r -> r.groupName("s1").strategy(PlacementStrategy.SPREAD));
            ec2.createPlacementGroup(r -> r.groupName("p1").strategy(PlacementStrategy.PARTITION).partitionCount(3));

            // T3 does not support the cluster strategy (PlacementGroupInfo.SupportedStrategies = partition, spread)
            Ec2Exception t3 = fails("InvalidParameterCombination", () -> launch(ec2, "t3.micro", 1, b -> b.placement(p -> p.groupName("c1"))));
            assertEquals("Placement groups may not be used with instances of type 't3.micro'.", t3.awsErrorDetails().errorMessage());
            assertEquals("s1", launch(ec2, "t3.micro", 1, b -> b.placement(p -> p.groupName("s1"))).get(0).placement().groupName());

            // a cluster group lives in one zone: later launches without a zone go there, another zone is refused
            Instance first = launch(ec2, "c5.large", 1, b -> b.placement(p -> p.groupName("c1").availabilityZone("us-east-1b"))).get(0);
            assertEquals("us-east-1b", first.placement().availabilityZone());
            assertEquals("us-east-1b", launch(ec2, "c5.large", 1, b -> b.placement(p -> p.groupName("c1"))).get(0).placement().availabilityZone());
            fails("InvalidParameterValue", () -> launch(ec2, "c5.large", 1, b -> b.placement(p -> p.groupName("c1").availabilityZone("us-east-1a"))));

            // spread: seven running instances per zone
            launch(ec2, "m5.large", 6, b -> b.placement(p -> p.groupName("s1").availabilityZone("us-east-1c")));
            Ec2Exception full = fails("InvalidParameterValue", () -> launch(ec2, "m5.large", 2, b -> b.placement(p -> p.groupName("s1").availabilityZone("us-east-1c"))));
            assertTrue(full.awsErrorDetails().errorMessage().contains("at most 7"), full.getMessage());
            launch(ec2, "m5.large", 1, b -> b.placement(p -> p.groupName("s1").availabilityZone("us-east-1c")));
            fails("InvalidParameterValue", () -> launch(ec2, "m5.large", 1, b -> b.placement(p -> p.groupName("s1").availabilityZone("us-east-1c"))));
            launch(ec2, "m5.large", 1, b -> b.placement(p -> p.groupName("s1").availabilityZone("us-east-1d")));

            // partition: PartitionNumber places an instance, others spread evenly
            Instance in2 = launch(ec2, "m5.large", 1, b -> b.placement(p -> p.groupName("p1").partitionNumber(2))).get(0);
            assertEquals(2, in2.placement().partitionNumber());
            Set<Integer> spread = launch(ec2, "m5.large", 2, b -> b.placement(p -> p.groupName("p1"))).stream()
                    .map(i -> i.placement().partitionNumber()).collect(Collectors.toSet());
            assertEquals(Set.of(1, 3), spread);
            fails("InvalidParameterValue", () -> launch(ec2, "m5.large", 1, b -> b.placement(p -> p.groupName("p1").partitionNumber(4))));
            assertEquals(1, ec2.describeInstances(r -> r.filters(filter("placement-partition-number", "2"), filter("placement-group-name", "p1")))
                    .reservations().size());
        }
    }

    /** The scenario: a cluster group hits the capacity fault, is stopped and started, and grows again. */
    @Test
    void clusterCapacityFaultClearsAfterStopAndStart() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            ec2.createPlacementGroup(r -> r.groupName("mpi").strategy(PlacementStrategy.CLUSTER));
            List<String> ids = launch(ec2, "c5n.18xlarge", 2, b -> b.placement(p -> p.groupName("mpi"))).stream().map(Instance::instanceId).toList();
            Oboro.advance(Duration.ofSeconds(20));
            var fault = Oboro.http(Oboro.request("/_oboro/faults/ec2.cluster-capacity").POST(HttpRequest.BodyPublishers.ofString(
                    "{\"account\":\"" + account + "\",\"region\":\"us-east-1\",\"groupName\":\"mpi\"}")));
            assertEquals(200, fault.statusCode(), fault.body());

            Ec2Exception ice = assertThrows(Ec2Exception.class, () -> launch(ec2, "c5n.18xlarge", 1, b -> b.placement(p -> p.groupName("mpi"))));
            assertEquals("InsufficientInstanceCapacity", ice.awsErrorDetails().errorCode());
            assertEquals("We currently do not have sufficient c5n.18xlarge capacity in the Availability Zone you requested ("
                    + describe(ec2, ids.get(0)).placement().availabilityZone()
                    + "). Our system will be working on provisioning additional capacity.", ice.awsErrorDetails().errorMessage());

            // stopping one is not enough: starting it again while the other still runs fails too
            ec2.stopInstances(r -> r.instanceIds(ids.get(0)));
            Oboro.advance(Duration.ofSeconds(15));
            assertEquals("InsufficientInstanceCapacity", assertThrows(Ec2Exception.class,
                    () -> ec2.startInstances(r -> r.instanceIds(ids.get(0)))).awsErrorDetails().errorCode());
            ec2.stopInstances(r -> r.instanceIds(ids.get(1)));
            Oboro.advance(Duration.ofSeconds(15));
            ec2.startInstances(r -> r.instanceIds(ids));
            Oboro.advance(Duration.ofSeconds(20));
            assertEquals("running", describe(ec2, ids.get(1)).state().nameAsString());
            Instance added = launch(ec2, "c5n.18xlarge", 1, b -> b.placement(p -> p.groupName("mpi"))).get(0);
            assertEquals("mpi", added.placement().groupName());
        }
    }

    @Test
    void cliCreatesDescribesAndDeletes() {
        Cli.v2(account, "ec2", "create-placement-group", "--group-name", "cli-part", "--strategy", "partition", "--partition-count", "5").ok();
        JsonNode d = json(Cli.v2(account, "ec2", "describe-placement-groups", "--group-names", "cli-part").ok().stdout());
        assertEquals("partition", d.path("PlacementGroups").path(0).path("Strategy").asText());
        assertEquals(5, d.path("PlacementGroups").path(0).path("PartitionCount").asInt());
        Cli.Result dup = Cli.v2(account, "ec2", "create-placement-group", "--group-name", "cli-part", "--strategy", "spread");
        assertTrue(dup.exitCode() != 0 && dup.stderr().contains("InvalidPlacementGroup.Duplicate"), dup.stderr());
        Cli.v2(account, "ec2", "delete-placement-group", "--group-name", "cli-part").ok();
        Cli.Result gone = Cli.v2(account, "ec2", "describe-placement-groups", "--group-names", "cli-part");
        assertTrue(gone.stderr().contains("InvalidPlacementGroup.Unknown"), gone.stderr());
    }
}
