package dev.oboro.tests.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.HistoryItemType;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static dev.oboro.tests.ec2.Ec2Fixtures.filter;
import static dev.oboro.tests.ec2.Ec2Fixtures.json;
import static dev.oboro.tests.ec2.Ec2Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Status checks, AWS/EC2 metrics, alarm actions and recovery on Oboro's clock. */
@ResourceLock(Oboro.CLOCK)
class StatusChecksRecoveryTest {
    final String account = Oboro.newAccount();

    private HttpResponse<String> fail(String id, String check, String status) {
        return Oboro.http(Oboro.request("/_oboro/faults/ec2.instance-status").POST(HttpRequest.BodyPublishers.ofString(
                "{\"account\":\"" + account + "\",\"region\":\"us-east-1\",\"instanceId\":\"" + id + "\",\"check\":\"" + check
                        + "\",\"status\":\"" + status + "\"}")));
    }

    private static Instance describe(Ec2Client ec2, String id) {
        return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    private static InstanceStatus status(Ec2Client ec2, String id) {
        return ec2.describeInstanceStatus(r -> r.instanceIds(id)).instanceStatuses().get(0);
    }

    @Test
    void describeInstanceStatusThroughTheLifecycle() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            Instance i = run(ec2, Ec2Fixtures.AL2023, "m5.large", null);
            String id = i.instanceId();
            assertTrue(ec2.describeInstanceStatus(r -> r.instanceIds(id)).instanceStatuses().isEmpty(), "pending instances are not listed");
            InstanceStatus pending = ec2.describeInstanceStatus(r -> r.instanceIds(id).includeAllInstances(true)).instanceStatuses().get(0);
            assertEquals("pending", pending.instanceState().nameAsString());
            assertEquals("not-applicable", pending.systemStatus().statusAsString());

            Oboro.advance(Duration.ofSeconds(20));
            InstanceStatus init = status(ec2, id);
            assertEquals("initializing", init.systemStatus().statusAsString());
            assertEquals("initializing", init.instanceStatus().details().get(0).statusAsString());
            Oboro.advance(Duration.ofMinutes(3));
            InstanceStatus ok = status(ec2, id);
            assertEquals("ok", ok.systemStatus().statusAsString());
            assertEquals("ok", ok.instanceStatus().statusAsString());
            assertEquals("reachability", ok.systemStatus().details().get(0).nameAsString());
            assertEquals("passed", ok.systemStatus().details().get(0).statusAsString());
            assertEquals(i.placement().availabilityZone(), ok.availabilityZone());

            assertEquals(200, fail(id, "instance", "impaired").statusCode());
            InstanceStatus bad = status(ec2, id);
            assertEquals("impaired", bad.instanceStatus().statusAsString());
            assertEquals("failed", bad.instanceStatus().details().get(0).statusAsString());
            assertNotNull(bad.instanceStatus().details().get(0).impairedSince());
            assertEquals("ok", bad.systemStatus().statusAsString());
            assertEquals(1, ec2.describeInstanceStatus(r -> r.filters(filter("instance-status.status", "impaired"))).instanceStatuses().size());
            assertTrue(ec2.describeInstanceStatus(r -> r.filters(filter("system-status.status", "impaired"))).instanceStatuses().isEmpty());

            // a reboot brings the guest back
            ec2.rebootInstances(r -> r.instanceIds(id));
            assertEquals("initializing", status(ec2, id).instanceStatus().statusAsString());
            Oboro.advance(Duration.ofMinutes(3));
            assertEquals("ok", status(ec2, id).instanceStatus().statusAsString());

            fails("InvalidInstanceID.NotFound", () -> ec2.describeInstanceStatus(r -> r.instanceIds("i-0123456789abcdef0")));
            fails("InvalidParameterCombination", () -> ec2.describeInstanceStatus(r -> r.instanceIds(id).maxResults(5)));
        }
    }

    @Test
    void metricsArePublishedEachMinute() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account);
             CloudWatchClient cw = Oboro.client(CloudWatchClient.builder(), account)) {
            String id = run(ec2, Ec2Fixtures.AL2023, "m5.large", null).instanceId();
            Oboro.advance(Duration.ofSeconds(20));
            Instant from = Oboro.server().oboro().clock().instant();
            Oboro.advance(Duration.ofMinutes(10));
            ec2.modifyInstanceMaintenanceOptions(r -> r.instanceId(id).autoRecovery("disabled"));
            fail(id, "system", "impaired");
            Oboro.advance(Duration.ofMinutes(3));
            Instant to = Oboro.server().oboro().clock().instant();
            Instant start = from;
            List<Datapoint> sys = cw.getMetricStatistics(r -> r.namespace("AWS/EC2").metricName("StatusCheckFailed_System")
                    .dimensions(Dimension.builder().name("InstanceId").value(id).build()).startTime(start).endTime(to).period(60)
                    .statistics(Statistic.MAXIMUM)).datapoints().stream().sorted(Comparator.comparing(Datapoint::timestamp)).toList();
            assertTrue(sys.size() >= 12, "one point a minute: " + sys);
            assertEquals(0.0, sys.get(0).maximum());
            assertEquals(1.0, sys.get(sys.size() - 1).maximum());
            List<Datapoint> cpu = cw.getMetricStatistics(r -> r.namespace("AWS/EC2").metricName("CPUUtilization")
                    .dimensions(Dimension.builder().name("InstanceId").value(id).build()).startTime(start).endTime(to).period(300)
                    .statistics(Statistic.AVERAGE)).datapoints();
            assertFalse(cpu.isEmpty());
            assertTrue(cpu.stream().allMatch(d -> d.average() > 0 && d.average() < 100), cpu.toString());
            assertTrue(cw.listMetrics(r -> r.namespace("AWS/EC2").metricName("StatusCheckFailed")).metrics().stream()
                    .anyMatch(m -> m.dimensions().get(0).value().equals(id)));
        }
    }

    /**
     * A clock jump of days replays only its last hour of per-minute metrics (Oboro's bound, see
     * ARCHITECTURE "Time"): after the minute already due, the minutes before that hour have no
     * datapoints, the last hour has all.
     */
    @Test
    void aLongClockJumpReplaysOnlyItsLastHourOfMetrics() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account);
             CloudWatchClient cw = Oboro.client(CloudWatchClient.builder(), account)) {
            String id = run(ec2, Ec2Fixtures.AL2023, "m5.large", null).instanceId();
            Oboro.advance(Duration.ofSeconds(20));
            Instant from = Oboro.server().oboro().clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            Oboro.advance(Duration.ofDays(2));
            Instant to = Oboro.server().oboro().clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            Dimension instance = Dimension.builder().name("InstanceId").value(id).build();
            List<Datapoint> early = cw.getMetricStatistics(r -> r.namespace("AWS/EC2").metricName("StatusCheckFailed")
                    .dimensions(instance).startTime(from.plus(Duration.ofMinutes(5))).endTime(to.minus(Duration.ofHours(2))).period(3600)
                    .statistics(Statistic.SAMPLE_COUNT)).datapoints();
            assertEquals(List.of(), early);
            List<Datapoint> last = cw.getMetricStatistics(r -> r.namespace("AWS/EC2").metricName("StatusCheckFailed")
                    .dimensions(instance).startTime(to.minus(Duration.ofMinutes(50))).endTime(to).period(60)
                    .statistics(Statistic.SAMPLE_COUNT)).datapoints();
            assertEquals(50, last.size(), last.toString());
            ec2.terminateInstances(r -> r.instanceIds(id));
        }
    }

    /** The scenario: a failed system check, an alarm with the recover action, the same instance on new hardware. */
    @Test
    void alarmRecoversTheInstanceWithItsIdAndAddresses() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account);
             CloudWatchClient cw = Oboro.client(CloudWatchClient.builder(), account)) {
            Instance i = run(ec2, Ec2Fixtures.AL2023, "m5.large", null);
            String id = i.instanceId();
            String alloc = ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
            Oboro.advance(Duration.ofSeconds(20));
            ec2.associateAddress(r -> r.allocationId(alloc).instanceId(id));
            ec2.modifyInstanceMaintenanceOptions(r -> r.instanceId(id).autoRecovery("disabled"));
            Instance before = describe(ec2, id);
            assertEquals("disabled", before.maintenanceOptions().autoRecoveryAsString());
            cw.putMetricAlarm(r -> r.alarmName("recover-" + id).namespace("AWS/EC2").metricName("StatusCheckFailed_System")
                    .dimensions(Dimension.builder().name("InstanceId").value(id).build()).statistic(Statistic.MAXIMUM).period(60)
                    .evaluationPeriods(2).threshold(1.0).comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                    .alarmActions("arn:aws:automate:us-east-1:ec2:recover"));
            Oboro.advance(Duration.ofMinutes(5));
            assertEquals("OK", cw.describeAlarms(r -> r.alarmNames("recover-" + id)).metricAlarms().get(0).stateValueAsString());

            assertEquals(200, fail(id, "system", "impaired").statusCode());
            assertEquals("impaired", status(ec2, id).systemStatus().statusAsString());
            // the alarm needs two failing minutes; then the instance is migrated as part of a reboot
            boolean sawPending = false;
            for (int k = 0; k < 72 && !sawPending; k++) {
                Oboro.advance(Duration.ofSeconds(5));
                sawPending = describe(ec2, id).state().nameAsString().equals("pending");
            }
            assertTrue(sawPending, "recovery shows the instance pending");
            assertEquals("ALARM", cw.describeAlarms(r -> r.alarmNames("recover-" + id)).metricAlarms().get(0).stateValueAsString());
            Oboro.advance(Duration.ofSeconds(20));
            Instance after = describe(ec2, id);
            assertEquals("running", after.state().nameAsString());
            assertEquals(before.privateIpAddress(), after.privateIpAddress());
            assertEquals(before.publicIpAddress(), after.publicIpAddress());
            assertEquals(alloc, ec2.describeAddresses(r -> r.allocationIds(alloc)).addresses().get(0).allocationId());
            assertEquals(id, ec2.describeAddresses(r -> r.allocationIds(alloc)).addresses().get(0).instanceId());
            assertEquals(before.networkInterfaces().get(0).macAddress(), after.networkInterfaces().get(0).macAddress());
            assertEquals(before.blockDeviceMappings().get(0).ebs().volumeId(), after.blockDeviceMappings().get(0).ebs().volumeId());
            assertEquals("initializing", status(ec2, id).systemStatus().statusAsString());
            Oboro.advance(Duration.ofMinutes(3));
            assertEquals("ok", status(ec2, id).systemStatus().statusAsString());
            var history = cw.describeAlarmHistory(r -> r.alarmName("recover-" + id).historyItemType(HistoryItemType.ACTION)).alarmHistoryItems();
            assertTrue(history.stream().anyMatch(h -> h.historySummary().equals("Successfully executed action arn:aws:automate:us-east-1:ec2:recover")),
                    history.toString());
            Oboro.advance(Duration.ofMinutes(3));
            assertEquals("OK", cw.describeAlarms(r -> r.alarmNames("recover-" + id)).metricAlarms().get(0).stateValueAsString());
        }
    }

    @Test
    void simplifiedAutomaticRecoveryWithoutAnAlarm() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String id = run(ec2, Ec2Fixtures.AL2023, "m5.large", null).instanceId();
            // an instance-store type (m5d) is not recovered
            String storeId = run(ec2, Ec2Fixtures.AL2023, "m5d.large", null).instanceId();
            Oboro.advance(Duration.ofMinutes(3));
            assertEquals("default", describe(ec2, id).maintenanceOptions().autoRecoveryAsString());
            fail(id, "system", "impaired");
            fail(storeId, "system", "impaired");
            Oboro.advance(Duration.ofMinutes(3));
            assertEquals("pending", describe(ec2, id).state().nameAsString());
            Oboro.advance(Duration.ofSeconds(20));
            assertEquals("running", describe(ec2, id).state().nameAsString());
            assertEquals("running", describe(ec2, storeId).state().nameAsString());
            Oboro.advance(Duration.ofMinutes(3));
            assertEquals("ok", status(ec2, id).systemStatus().statusAsString());
            assertEquals("impaired", status(ec2, storeId).systemStatus().statusAsString());

            // a stop and start moves it to new hardware
            ec2.stopInstances(r -> r.instanceIds(storeId));
            Oboro.advance(Duration.ofSeconds(15));
            ec2.startInstances(r -> r.instanceIds(storeId));
            Oboro.advance(Duration.ofMinutes(3));
            assertEquals("ok", status(ec2, storeId).systemStatus().statusAsString());
        }
    }

    @Test
    void rebootAlarmActionOnInstanceCheckFailure() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account);
             CloudWatchClient cw = Oboro.client(CloudWatchClient.builder(), account)) {
            String id = run(ec2, Ec2Fixtures.AL2023, "m5.large", null).instanceId();
            Oboro.advance(Duration.ofMinutes(3));
            cw.putMetricAlarm(r -> r.alarmName("reboot-" + id).namespace("AWS/EC2").metricName("StatusCheckFailed_Instance")
                    .dimensions(Dimension.builder().name("InstanceId").value(id).build()).statistic(Statistic.MAXIMUM).period(60)
                    .evaluationPeriods(2).threshold(1.0).comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                    .alarmActions("arn:aws:automate:us-east-1:ec2:reboot"));
            fail(id, "instance", "impaired");
            Oboro.advance(Duration.ofMinutes(4));
            assertTrue(List.of("initializing", "ok").contains(status(ec2, id).instanceStatus().statusAsString()));
            var history = cw.describeAlarmHistory(r -> r.alarmName("reboot-" + id).historyItemType(HistoryItemType.ACTION)).alarmHistoryItems();
            assertTrue(history.stream().anyMatch(h -> h.historySummary().contains("ec2:reboot")), history.toString());
        }
    }

    @Test
    void cliDescribesStatusAndModifiesMaintenanceOptions() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            String a = run(ec2, Ec2Fixtures.AL2023, "m5.large", null).instanceId();
            String b = run(ec2, Ec2Fixtures.AL2023, "m5.large", null).instanceId();
            Oboro.advance(Duration.ofMinutes(3));
            JsonNode page = json(Cli.v2(account, "ec2", "describe-instance-status", "--max-items", "1").ok().stdout());
            assertEquals(1, page.path("InstanceStatuses").size());
            assertTrue(page.hasNonNull("NextToken"));
            JsonNode rest = json(Cli.v2(account, "ec2", "describe-instance-status", "--starting-token", page.path("NextToken").asText()).ok().stdout());
            assertEquals(1, rest.path("InstanceStatuses").size());
            assertEquals("ok", rest.path("InstanceStatuses").path(0).path("SystemStatus").path("Status").asText());
            JsonNode m = json(Cli.v2(account, "ec2", "modify-instance-maintenance-options", "--instance-id", a, "--auto-recovery", "disabled").ok().stdout());
            assertEquals("disabled", m.path("AutoRecovery").asText());
            assertEquals(b.compareTo(a) > 0 ? b : a, rest.path("InstanceStatuses").path(0).path("InstanceId").asText());
        }
    }
}
