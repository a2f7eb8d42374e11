package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.filter;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reservations, filters and pagination of DescribeInstances. */
class DescribeInstancesTest {
    final String account = Oboro.newAccount();

    @Test
    void reservationsFiltersAndPages() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            ec2.createKeyPair(r -> r.keyName("ops"));
            String ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
            RunInstancesResponse five = ec2.runInstances(r -> r.imageId(ami).instanceType("t3.micro").minCount(5).maxCount(5).keyName("ops")
                    .placement(p -> p.availabilityZone("us-east-1b")));
            assertEquals(5, five.instances().size());
            assertEquals(Set.of(0, 1, 2, 3, 4), new HashSet<>(five.instances().stream().map(Instance::amiLaunchIndex).toList()));
            RunInstancesResponse three = ec2.runInstances(r -> r.imageId(ami).instanceType("t3.small").minCount(3).maxCount(3));
            List<Reservation> rs = ec2.describeInstances().reservations();
            assertEquals(2, rs.size());
            assertEquals(Set.of(five.reservationId(), three.reservationId()), new HashSet<>(rs.stream().map(Reservation::reservationId).toList()));
            assertEquals(5, ec2.describeInstances(r -> r.filters(filter("instance-type", "t3.micro"))).reservations().get(0).instances().size());
            assertEquals(5, count(ec2.describeInstances(r -> r.filters(filter("key-name", "ops")))));
            assertEquals(5, count(ec2.describeInstances(r -> r.filters(filter("availability-zone", "us-east-1b")))));
            assertEquals(8, count(ec2.describeInstances(r -> r.filters(filter("image-id", ami), filter("vpc-id", five.instances().get(0).vpcId())))));
            Instance one = three.instances().get(0);
            assertEquals(1, count(ec2.describeInstances(r -> r.filters(filter("private-ip-address", one.privateIpAddress())))));
            assertEquals(1, count(ec2.describeInstances(r -> r.filters(filter("ip-address", one.publicIpAddress())))));
            assertEquals(3, count(ec2.describeInstances(r -> r.filters(filter("reservation-id", three.reservationId())))));
            assertEquals(8, count(ec2.describeInstances(r -> r.filters(filter("instance.group-name", "default")))));
            assertEquals(0, count(ec2.describeInstances(r -> r.filters(filter("instance-lifecycle", "spot")))));
            assertEquals(3, count(ec2.describeInstances(r -> r.filters(filter("subnet-id", one.subnetId()), filter("instance-type", "t3.small")))));
            fails("InvalidParameterValue", () -> ec2.describeInstances(r -> r.filters(filter("colour", "red"))));

            DescribeInstancesResponse p1 = ec2.describeInstances(r -> r.maxResults(5));
            assertEquals(5, count(p1));
            DescribeInstancesResponse p2 = ec2.describeInstances(r -> r.maxResults(5).nextToken(p1.nextToken()));
            assertEquals(3, count(p2));
            assertEquals(null, p2.nextToken());
            fails("InvalidParameterValue", () -> ec2.describeInstances(r -> r.maxResults(2)));
            fails("InvalidParameterCombination", () -> ec2.describeInstances(r -> r.maxResults(5).instanceIds(one.instanceId())));
            int total = 0;
            for (var page : ec2.describeInstancesPaginator(r -> r.maxResults(5))) total += count(page);
            assertEquals(8, total);

            ec2.createTags(r -> r.resources(one.instanceId()).tags(t -> t.key("env").value("prod")));
            assertEquals(1, count(ec2.describeInstances(r -> r.filters(filter("tag:env", "prod")))));
            assertEquals(1, count(ec2.describeInstances(r -> r.filters(filter("tag-key", "env")))));

            // the CLI counts --max-items in reservations (the result key); MaxResults counts instances
            JsonNode first = json(Cli.v2(account, "ec2", "describe-instances", "--max-items", "1", "--page-size", "5").ok().stdout());
            assertEquals(1, first.get("Reservations").size());
            JsonNode rest = json(Cli.v2(account, "ec2", "describe-instances", "--page-size", "5", "--starting-token",
                    first.get("NextToken").asText()).ok().stdout());
            Set<String> ids = new HashSet<>();
            for (JsonNode page : List.of(first, rest)) {
                for (JsonNode r : page.get("Reservations")) r.get("Instances").forEach(x -> ids.add(x.get("InstanceId").asText()));
            }
            assertEquals(8, ids.size());
        }
    }

    private static int count(DescribeInstancesResponse r) {
        return r.reservations().stream().mapToInt(x -> x.instances().size()).sum();
    }
}
