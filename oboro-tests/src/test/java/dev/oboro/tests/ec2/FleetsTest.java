package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ActiveInstance;
import software.amazon.awssdk.services.ec2.model.CreateFleetResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.EventType;
import software.amazon.awssdk.services.ec2.model.FleetData;
import software.amazon.awssdk.services.ec2.model.HistoryRecord;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.SpotFleetLaunchSpecification;
import software.amazon.awssdk.services.ec2.model.SpotFleetRequestConfig;
import software.amazon.awssdk.services.ec2.model.SpotPrice;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spot prices, Spot Fleet, EC2 Fleet and Spot interruptions. */
@ResourceLock(Oboro.CLOCK)
class FleetsTest {
    final String account = Oboro.newAccount();
    static final String ROLE = "arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role";

    private static SpotFleetLaunchSpecification spec(String ami, String type) {
        return SpotFleetLaunchSpecification.builder().imageId(ami).instanceType(type).build();
    }

    private static Instance describe(Ec2Client ec2, String id) {
        return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    private HttpResponse<String> interrupt(String id) {
        return Oboro.http(Oboro.request("/_oboro/faults/ec2.spot-interruption").POST(HttpRequest.BodyPublishers.ofString(
                "{\"account\":\"" + account + "\",\"region\":\"us-east-1\",\"instanceId\":\"" + id + "\"}")));
    }

    @Test
    void spotPriceHistoryIsDeterministic() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            List<SpotPrice> now = ec2.describeSpotPriceHistory(r -> r.instanceTypesWithStrings("m5.large").productDescriptions("Linux/UNIX")).spotPriceHistory();
            assertTrue(now.size() >= 4, "one price per zone of us-east-1 offering m5.large: " + now);
            assertEquals(now.size(), now.stream().map(SpotPrice::availabilityZone).distinct().count());
            List<SpotPrice> again = ec2.describeSpotPriceHistory(r -> r.instanceTypesWithStrings("m5.large").productDescriptions("Linux/UNIX")).spotPriceHistory();
            assertEquals(now, again);
            double p = Double.parseDouble(now.get(0).spotPrice());
            assertTrue(p > 0.02 && p < 0.06, "m5.large spot price " + p);
            Instant end = Oboro.server().oboro().clock().instant();
            List<SpotPrice> day = ec2.describeSpotPriceHistory(r -> r.instanceTypesWithStrings("m5.large").productDescriptions("Linux/UNIX")
                    .availabilityZone("us-east-1a").startTime(end.minus(Duration.ofHours(24))).endTime(end)).spotPriceHistory();
            assertTrue(day.size() >= 24 && day.size() <= 26, "hourly prices: " + day.size());
            assertTrue(day.stream().map(SpotPrice::spotPrice).distinct().count() > 5, "prices move");
            assertTrue(ec2.describeSpotPriceHistory(r -> r.instanceTypesWithStrings("p3.2xlarge").productDescriptions("Linux/UNIX")).spotPriceHistory().stream()
                    .allMatch(x -> Double.parseDouble(x.spotPrice()) > 5 * p), "GPU types cost more");

            JsonNode page = json(Cli.v2(account, "ec2", "describe-spot-price-history", "--instance-types", "c5.large",
                    "--product-descriptions", "Linux/UNIX", "--max-items", "2").ok().stdout());
            assertEquals(2, page.path("SpotPriceHistory").size());
            JsonNode rest = json(Cli.v2(account, "ec2", "describe-spot-price-history", "--instance-types", "c5.large",
                    "--product-descriptions", "Linux/UNIX", "--starting-token", page.path("NextToken").asText()).ok().stdout());
            assertTrue(rest.path("SpotPriceHistory").size() >= 1);
            assertNotEquals(page.path("SpotPriceHistory").path(0).path("AvailabilityZone").asText(),
                    rest.path("SpotPriceHistory").path(0).path("AvailabilityZone").asText());
        }
    }

    /** A maintain Spot Fleet: fulfilled, interrupted with a notice, and replaced on the clock. */
    @Test
    void maintainSpotFleetReplacesInterruptedInstances() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
            String id = ec2.requestSpotFleet(r -> r.spotFleetRequestConfig(c -> c.iamFleetRole(ROLE).targetCapacity(4).type("maintain")
                    .allocationStrategy("diversified").launchSpecifications(spec(ami, "m5.large"), spec(ami, "c5.large")))).spotFleetRequestId();
            assertTrue(id.startsWith("sfr-"), id);
            SpotFleetRequestConfig cfg = ec2.describeSpotFleetRequests(r -> r.spotFleetRequestIds(id)).spotFleetRequestConfigs().get(0);
            assertEquals("active", cfg.spotFleetRequestStateAsString());
            assertEquals("fulfilled", cfg.activityStatusAsString());
            assertEquals(4.0, cfg.spotFleetRequestConfig().fulfilledCapacity());
            List<ActiveInstance> active = ec2.describeSpotFleetInstances(r -> r.spotFleetRequestId(id)).activeInstances();
            assertEquals(4, active.size());
            assertEquals(Set.of("m5.large", "c5.large"), active.stream().map(ActiveInstance::instanceType).collect(Collectors.toSet()), "diversified");
            String victim = active.get(0).instanceId();
            Instance v = describe(ec2, victim);
            assertEquals("spot", v.instanceLifecycleAsString());
            assertTrue(v.tags().stream().anyMatch(t -> t.key().equals("aws:ec2spot:fleet-request-id") && t.value().equals(id)), v.tags().toString());
            assertEquals(active.get(0).spotInstanceRequestId(), v.spotInstanceRequestId());
            assertEquals(4, ec2.describeInstances(r -> r.filters(Ec2Fixtures.filter("instance-lifecycle", "spot"))).reservations().size());
            Oboro.advance(Duration.ofSeconds(20));

            // the notice shows in the instance metadata, the instance goes two minutes later
            HttpResponse<String> fault = interrupt(victim);
            assertEquals(200, fault.statusCode(), fault.body());
            String base = Oboro.endpoint().toString().replaceAll("/$", "") + "/_oboro/imds/" + victim;
            String token = Oboro.http(HttpRequest.newBuilder(java.net.URI.create(base + "/latest/api/token"))
                    .header("X-aws-ec2-metadata-token-ttl-seconds", "600").PUT(HttpRequest.BodyPublishers.noBody())).body();
            HttpResponse<String> notice = Oboro.http(HttpRequest.newBuilder(java.net.URI.create(base + "/latest/meta-data/spot/instance-action"))
                    .header("X-aws-ec2-metadata-token", token).GET());
            assertEquals(200, notice.statusCode());
            assertEquals("terminate", json(notice.body()).path("action").asText());
            assertEquals("spot", Oboro.http(HttpRequest.newBuilder(java.net.URI.create(base + "/latest/meta-data/instance-life-cycle"))
                    .header("X-aws-ec2-metadata-token", token).GET()).body());
            Oboro.advance(Duration.ofMinutes(2));
            Instance gone = describe(ec2, victim);
            assertEquals("shutting-down", gone.state().nameAsString());
            assertEquals("Server.SpotInstanceTermination", gone.stateReason().code());
            Oboro.advance(Duration.ofSeconds(1));
            List<ActiveInstance> after = ec2.describeSpotFleetInstances(r -> r.spotFleetRequestId(id)).activeInstances();
            assertEquals(4, after.size(), "replaced");
            assertFalse(after.stream().anyMatch(a -> a.instanceId().equals(victim)));
            List<HistoryRecord> history = ec2.describeSpotFleetRequestHistory(r -> r.spotFleetRequestId(id)
                    .startTime(Instant.now().minus(Duration.ofDays(3650)))).historyRecords();
            assertTrue(history.stream().anyMatch(h -> h.eventInformation().eventSubType().equals("termination_notified")), history.toString());
            assertTrue(history.stream().filter(h -> h.eventType() == EventType.INSTANCE_CHANGE && h.eventInformation().eventSubType().equals("launched"))
                    .count() >= 5, history.toString());

            // a user's termination is replaced too; scale in terminates the excess; cancel terminates the rest
            ec2.terminateInstances(r -> r.instanceIds(after.get(0).instanceId()));
            Oboro.advance(Duration.ofSeconds(1));
            assertEquals(4, ec2.describeSpotFleetInstances(r -> r.spotFleetRequestId(id)).activeInstances().size());
            ec2.modifySpotFleetRequest(r -> r.spotFleetRequestId(id).targetCapacity(2));
            assertEquals(2, ec2.describeSpotFleetInstances(r -> r.spotFleetRequestId(id)).activeInstances().size());
            var cancel = ec2.cancelSpotFleetRequests(r -> r.spotFleetRequestIds(id, "sfr-00000000-0000-4000-8000-000000000000").terminateInstances(true));
            assertEquals("cancelled_terminating", cancel.successfulFleetRequests().get(0).currentSpotFleetRequestStateAsString());
            assertEquals("fleetRequestIdDoesNotExist", cancel.unsuccessfulFleetRequests().get(0).error().codeAsString());
            Oboro.advance(Duration.ofSeconds(15));
            assertEquals("cancelled", ec2.describeSpotFleetRequests(r -> r.spotFleetRequestIds(id)).spotFleetRequestConfigs().get(0)
                    .spotFleetRequestStateAsString());
            assertTrue(ec2.describeInstances(r -> r.filters(Ec2Fixtures.filter("instance-lifecycle", "spot"),
                    Ec2Fixtures.filter("instance-state-name", "running", "pending"))).reservations().isEmpty());
            fails("InvalidSpotFleetRequestId.NotFound", () -> ec2.describeSpotFleetInstances(r -> r.spotFleetRequestId("sfr-00000000-0000-4000-8000-000000000000")));
        }
    }

    @Test
    void requestFleetDoesNotReplaceAndHonoursMaxPrice() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
            String id = ec2.requestSpotFleet(r -> r.spotFleetRequestConfig(c -> c.iamFleetRole(ROLE).targetCapacity(3).onDemandTargetCapacity(1)
                    .type("request").allocationStrategy("lowestPrice").launchSpecifications(spec(ami, "m5.large"), spec(ami, "m5.4xlarge")))).spotFleetRequestId();
            List<ActiveInstance> active = ec2.describeSpotFleetInstances(r -> r.spotFleetRequestId(id)).activeInstances();
            assertEquals(3, active.size());
            assertEquals(2, active.stream().filter(a -> a.spotInstanceRequestId() != null).count(), "one On-Demand, two Spot");
            assertTrue(active.stream().allMatch(a -> a.instanceType().equals("m5.large")), "lowest price per unit");
            fails("InvalidParameterValue", () -> ec2.modifySpotFleetRequest(r -> r.spotFleetRequestId(id).targetCapacity(5)));
            String spotOne = active.stream().filter(a -> a.spotInstanceRequestId() != null).findFirst().get().instanceId();
            ec2.terminateInstances(r -> r.instanceIds(spotOne));
            Oboro.advance(Duration.ofSeconds(1));
            assertEquals(2, ec2.describeSpotFleetInstances(r -> r.spotFleetRequestId(id)).activeInstances().size(), "request fleets do not replace");

            // a maximum price below every pool's Spot price: nothing launches, the fleet says why
            String cheap = ec2.requestSpotFleet(r -> r.spotFleetRequestConfig(c -> c.iamFleetRole(ROLE).targetCapacity(1).spotPrice("0.0001")
                    .launchSpecifications(spec(ami, "m5.large")))).spotFleetRequestId();
            SpotFleetRequestConfig cfg = ec2.describeSpotFleetRequests(r -> r.spotFleetRequestIds(cheap)).spotFleetRequestConfigs().get(0);
            assertEquals("error", cfg.activityStatusAsString());
            assertTrue(ec2.describeSpotFleetInstances(r -> r.spotFleetRequestId(cheap)).activeInstances().isEmpty());
            assertTrue(ec2.describeSpotFleetRequestHistory(r -> r.spotFleetRequestId(cheap).startTime(Instant.EPOCH)).historyRecords().stream()
                    .anyMatch(h -> h.eventType() == EventType.ERROR));
            ec2.cancelSpotFleetRequests(r -> r.spotFleetRequestIds(id, cheap).terminateInstances(false));
            assertEquals("cancelled_running", ec2.describeSpotFleetRequests(r -> r.spotFleetRequestIds(id)).spotFleetRequestConfigs().get(0)
                    .spotFleetRequestStateAsString());
            assertTrue(List.of("pending", "running").contains(describe(ec2, active.get(2).instanceId()).state().nameAsString()), "left running");
        }
    }

    @Test
    void cliRequestsDescribesAndCancelsASpotFleet() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
            String config = "{\"IamFleetRole\":\"" + ROLE + "\",\"TargetCapacity\":2,\"AllocationStrategy\":\"capacityOptimized\","
                    + "\"LaunchSpecifications\":[{\"ImageId\":\"" + ami + "\",\"InstanceType\":\"m5.large\"},{\"ImageId\":\"" + ami
                    + "\",\"InstanceType\":\"c5.large\"}]}";
            String id = json(Cli.v2(account, "ec2", "request-spot-fleet", "--spot-fleet-request-config", config).ok().stdout())
                    .path("SpotFleetRequestId").asText();
            JsonNode d = json(Cli.v2(account, "ec2", "describe-spot-fleet-requests", "--spot-fleet-request-ids", id).ok().stdout());
            assertEquals("active", d.path("SpotFleetRequestConfigs").path(0).path("SpotFleetRequestState").asText());
            assertEquals("capacityOptimized", d.path("SpotFleetRequestConfigs").path(0).path("SpotFleetRequestConfig").path("AllocationStrategy").asText());
            JsonNode inst = json(Cli.v2(account, "ec2", "describe-spot-fleet-instances", "--spot-fleet-request-id", id).ok().stdout());
            assertEquals(2, inst.path("ActiveInstances").size());
            assertEquals(1, inst.findValues("InstanceType").stream().map(JsonNode::asText).distinct().count(), "capacity-optimized uses one pool");
            JsonNode c = json(Cli.v2(account, "ec2", "cancel-spot-fleet-requests", "--spot-fleet-request-ids", id, "--terminate-instances").ok().stdout());
            assertEquals("cancelled_terminating", c.path("SuccessfulFleetRequests").path(0).path("CurrentSpotFleetRequestState").asText());
        }
    }

    /** EC2 Fleet reads its launch template through DescribeLaunchTemplateVersions (launch templates come with the Auto Scaling work). */
    @Test
    void ec2FleetWithLaunchTemplate() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String ami = Ec2Fixtures.ami(ec2, Ec2Fixtures.AL2023);
            String lt;
            try {
                lt = ec2.createLaunchTemplate(r -> r.launchTemplateName("fleet-lt").launchTemplateData(d -> d.imageId(ami).instanceType("m5.large")))
                        .launchTemplate().launchTemplateId();
            } catch (Ec2Exception e) {
                Assumptions.assumeFalse("NotImplemented".equals(e.awsErrorDetails().errorCode()), "CreateLaunchTemplate is not on this branch yet");
                throw e;
            }
            CreateFleetResponse instant = ec2.createFleet(r -> r.type("instant")
                    .launchTemplateConfigs(c -> c.launchTemplateSpecification(s -> s.launchTemplateId(lt).version("$Latest"))
                            .overrides(o -> o.instanceType("m5.large"), o -> o.instanceType("c5.large")))
                    .targetCapacitySpecification(t -> t.totalTargetCapacity(3).onDemandTargetCapacity(1).defaultTargetCapacityType("spot")));
            assertEquals(3, instant.instances().stream().mapToInt(i -> i.instanceIds().size()).sum());
            assertTrue(instant.fleetId().startsWith("fleet-"));

            String maintain = ec2.createFleet(r -> r.type("maintain")
                    .launchTemplateConfigs(c -> c.launchTemplateSpecification(s -> s.launchTemplateName("fleet-lt").version("$Default")))
                    .spotOptions(s -> s.allocationStrategy("price-capacity-optimized"))
                    .targetCapacitySpecification(t -> t.totalTargetCapacity(2).defaultTargetCapacityType("spot"))).fleetId();
            FleetData fd = ec2.describeFleets(r -> r.fleetIds(maintain)).fleets().get(0);
            assertEquals("active", fd.fleetStateAsString());
            assertEquals(2.0, fd.fulfilledCapacity());
            List<ActiveInstance> active = ec2.describeFleetInstances(r -> r.fleetId(maintain)).activeInstances();
            assertEquals(2, active.size());
            interrupt(active.get(0).instanceId());
            Oboro.advance(Duration.ofMinutes(2).plusSeconds(1));
            assertEquals(2, ec2.describeFleetInstances(r -> r.fleetId(maintain)).activeInstances().size());
            ec2.modifyFleet(r -> r.fleetId(maintain).targetCapacitySpecification(t -> t.totalTargetCapacity(3)));
            assertEquals(3, ec2.describeFleetInstances(r -> r.fleetId(maintain)).activeInstances().size());
            assertFalse(ec2.describeFleetHistory(r -> r.fleetId(maintain).startTime(Instant.EPOCH)).historyRecords().isEmpty());
            fails("UnsupportedOperation", () -> ec2.modifyFleet(r -> r.fleetId(instant.fleetId()).targetCapacitySpecification(t -> t.totalTargetCapacity(1))));
            var del = ec2.deleteFleets(r -> r.fleetIds(maintain).terminateInstances(true));
            assertEquals("deleted_terminating", del.successfulFleetDeletions().get(0).currentFleetStateAsString());
            fails("InvalidFleetId.NotFound", () -> ec2.describeFleets(r -> r.fleetIds("fleet-00000000-0000-4000-8000-000000000000")));
        }
    }
}
