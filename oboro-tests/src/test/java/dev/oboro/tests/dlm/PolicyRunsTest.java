package dev.oboro.tests.dlm;

import dev.oboro.tests.ebs.EbsFixtures;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.dlm.DlmClient;
import software.amazon.awssdk.services.dlm.model.CreateRule;
import software.amazon.awssdk.services.dlm.model.CrossRegionCopyRetainRule;
import software.amazon.awssdk.services.dlm.model.CrossRegionCopyRule;
import software.amazon.awssdk.services.dlm.model.Parameters;
import software.amazon.awssdk.services.dlm.model.PolicyDetails;
import software.amazon.awssdk.services.dlm.model.RetainRule;
import software.amazon.awssdk.services.dlm.model.Schedule;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static dev.oboro.tests.dlm.DlmFixtures.tag;
import static dev.oboro.tests.dlm.DlmFixtures.volumes;
import static dev.oboro.tests.ebs.EbsFixtures.AZ;
import static dev.oboro.tests.ebs.EbsFixtures.fails;
import static dev.oboro.tests.ebs.EbsFixtures.filter;
import static dev.oboro.tests.ebs.EbsFixtures.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lifecycle policies at work on Oboro's clock: snapshots taken, tagged, copied and expired. */
@ResourceLock(Oboro.CLOCK)
class PolicyRunsTest {
    final String account = Oboro.newAccount();
    final DlmClient dlm = DlmFixtures.dlm(account);
    final Ec2Client ec2 = EbsFixtures.ec2(account);

    private String taggedVolume(int size, String key, String value) {
        return ec2.createVolume(r -> r.availabilityZone(AZ).size(size).volumeType("gp3").tagSpecifications(TagSpecification.builder()
                .resourceType(ResourceType.VOLUME).tags(Tag.builder().key(key).value(value).build(),
                        Tag.builder().key("Name").value("vol-" + size).build()).build())).volumeId();
    }

    private List<Snapshot> snapshotsOf(Ec2Client client, String volumeId, String policyId) {
        List<Snapshot> l = new ArrayList<>(client.describeSnapshots(r -> r.ownerIds("self").filters(filter("volume-id", volumeId),
                filter("tag:aws:dlm:lifecycle-policy-id", policyId))).snapshots());
        l.sort(Comparator.comparing(Snapshot::startTime));
        return l;
    }

    /**
     * Issue 5's scenario: tag three volumes, create a policy (every 12 hours, keep 3), advance the
     * clock three days: exactly 3 snapshots per volume, the right tags, the older ones deleted, and
     * a manual copy of a deleted one still present.
     */
    @Test
    void scenarioEveryTwelveHoursKeepThree() {
        String role = DlmFixtures.role(account);
        List<String> vols = List.of(taggedVolume(10, "backup", "true"), taggedVolume(20, "backup", "true"), taggedVolume(30, "backup", "true"));
        String untagged = taggedVolume(40, "backup", "no");
        Oboro.advance(Duration.ofSeconds(6));
        PolicyDetails details = PolicyDetails.builder().resourceTypesWithStrings("VOLUME").targetTags(tag("backup", "true"))
                .schedules(Schedule.builder().name("Every 12 hours").copyTags(true).tagsToAdd(tag("type", "dlm-snapshot"))
                        .createRule(CreateRule.builder().interval(12).intervalUnit("HOURS").times("09:00").build())
                        .retainRule(RetainRule.builder().count(3).build()).build()).build();
        String policy = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("twice a day").state("ENABLED")
                .policyDetails(details)).policyId();

        Duration first = Duration.ofHours(12).plusSeconds(61);
        Oboro.advance(first);
        Snapshot oldest = snapshotsOf(ec2, vols.get(0), policy).get(0);
        assertEquals("completed", oldest.stateAsString());
        String manualCopy = ec2.copySnapshot(r -> r.destinationRegion("us-east-1").sourceRegion("us-east-1").sourceSnapshotId(oldest.snapshotId()).description("keep me"))
                .snapshotId();

        Oboro.advance(Duration.ofDays(3).minus(first));
        for (String v : vols) {
            List<Snapshot> kept = snapshotsOf(ec2, v, policy);
            assertEquals(3, kept.size(), "exactly 3 snapshots of " + v);
            for (int k = 1; k < kept.size(); k++) {
                assertEquals(Duration.ofHours(12), Duration.between(kept.get(k - 1).startTime(), kept.get(k).startTime()));
            }
            for (Snapshot s : kept) {
                Map<String, String> t = tags(s.tags());
                assertEquals(policy, t.get("aws:dlm:lifecycle-policy-id"));
                assertEquals("Every 12 hours", t.get("aws:dlm:lifecycle-schedule-name"));
                assertEquals("true", t.get("dlm:managed"));
                assertEquals("dlm-snapshot", t.get("type"));
                assertEquals("true", t.get("backup"), "CopyTags copies the volume's tags");
                assertTrue(t.get("Name").startsWith("vol-"));
                assertEquals("Created for policy: " + policy + " schedule: Every 12 hours", s.description());
                int hour = s.startTime().atZone(ZoneOffset.UTC).getHour();
                assertTrue(hour == 9 || hour == 21, "runs at 09:00 and 21:00 UTC: " + s.startTime());
            }
            assertTrue(kept.get(0).startTime().isAfter(oldest.startTime()), "the older ones are deleted");
        }
        fails("InvalidSnapshot.NotFound", null, () -> ec2.describeSnapshots(r -> r.snapshotIds(oldest.snapshotId())));
        Snapshot copy = EbsFixtures.snapshot(ec2, manualCopy);
        assertEquals("keep me", copy.description());
        assertEquals("completed", copy.stateAsString());
        assertTrue(tags(copy.tags()).isEmpty(), "a user's copy carries no DLM tags and is not the policy's");
        assertTrue(ec2.describeSnapshots(r -> r.filters(filter("volume-id", untagged))).snapshots().isEmpty());
        assertEquals(9, ec2.describeSnapshots(r -> r.filters(filter("tag:dlm:managed", "true"))).snapshots().size());
    }

    @Test
    void cronScheduleWithRetentionByAge() {
        String role = DlmFixtures.role(account);
        String vol = taggedVolume(5, "nightly", "yes");
        Oboro.advance(Duration.ofSeconds(6));
        String policy = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("cron").state("ENABLED")
                .policyDetails(PolicyDetails.builder().resourceTypesWithStrings("VOLUME").targetTags(tag("nightly", "yes"))
                        .schedules(Schedule.builder().name("Nightly")
                                .createRule(CreateRule.builder().cronExpression("cron(0 6 * * ? *)").build())
                                .retainRule(RetainRule.builder().interval(2).intervalUnit("DAYS").build()).build()).build())).policyId();
        Oboro.advance(Duration.ofDays(5));
        List<Snapshot> kept = snapshotsOf(ec2, vol, policy);
        assertEquals(2, kept.size(), "snapshots older than two days are deleted");
        for (Snapshot s : kept) {
            var t = s.startTime().atZone(ZoneOffset.UTC);
            assertEquals(6, t.getHour());
            assertEquals(0, t.getMinute());
        }
        assertEquals(Duration.ofDays(1), Duration.between(kept.get(0).startTime(), kept.get(1).startTime()));
    }

    @Test
    void instancePoliciesSnapshotTheInstanceWithVariableTags() {
        String role = DlmFixtures.role(account);
        Instance i = EbsFixtures.running(ec2, "t3.micro", AZ);
        ec2.createTags(r -> r.resources(i.instanceId()).tags(Tag.builder().key("tier").value("web").build(),
                Tag.builder().key("Name").value("web-1").build()));
        String data = EbsFixtures.availableVolume(ec2, AZ, 15, "gp3");
        ec2.attachVolume(r -> r.volumeId(data).instanceId(i.instanceId()).device("/dev/sdf"));
        Oboro.advance(Duration.ofSeconds(4));
        String policy = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("instances").state("ENABLED")
                .policyDetails(PolicyDetails.builder().resourceTypesWithStrings("INSTANCE").targetTags(tag("tier", "web"))
                        .parameters(Parameters.builder().excludeBootVolume(true).build())
                        .schedules(Schedule.builder().name("Daily").copyTags(true)
                                .variableTags(tag("instance", "$(instance-id)"), tag("taken", "$(timestamp)"))
                                .createRule(CreateRule.builder().interval(24).intervalUnit("HOURS").times("02:30").build())
                                .retainRule(RetainRule.builder().count(2).build()).build()).build())).policyId();
        Oboro.advance(Duration.ofDays(3));
        List<Snapshot> all = ec2.describeSnapshots(r -> r.ownerIds("self").filters(filter("tag:aws:dlm:lifecycle-policy-id", policy))).snapshots();
        assertEquals(2, all.size(), "the boot volume is excluded and two runs are kept");
        for (Snapshot s : all) {
            assertEquals(data, s.volumeId());
            Map<String, String> t = tags(s.tags());
            assertEquals(i.instanceId(), t.get("instance"));
            assertEquals("web-1", t.get("Name"), "CopyTags copies the instance's tags");
            assertTrue(t.get("taken").matches("\\d{4}-\\d{2}-\\d{2}T02:30:00\\.000Z"), t.get("taken"));
        }
    }

    @Test
    void crossRegionCopiesWithTheirOwnRetention() {
        String role = DlmFixtures.role(account);
        String vol = taggedVolume(7, "dr", "yes");
        Oboro.advance(Duration.ofSeconds(6));
        String policy = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("dr").state("ENABLED")
                .policyDetails(PolicyDetails.builder().resourceTypesWithStrings("VOLUME").targetTags(tag("dr", "yes"))
                        .schedules(Schedule.builder().name("Daily").copyTags(true)
                                .createRule(CreateRule.builder().interval(24).intervalUnit("HOURS").build())
                                .retainRule(RetainRule.builder().count(5).build())
                                .crossRegionCopyRules(CrossRegionCopyRule.builder().targetRegion("us-west-2").encrypted(false).copyTags(true)
                                        .retainRule(CrossRegionCopyRetainRule.builder().interval(1).intervalUnit("DAYS").build()).build())
                                .build()).build())).policyId();
        try (Ec2Client west = EbsFixtures.ec2(account, "us-west-2")) {
            Oboro.advance(Duration.ofHours(24).plusMinutes(2));
            List<Snapshot> copies = west.describeSnapshots(r -> r.ownerIds("self").filters(filter("tag:aws:dlm:lifecycle-policy-id", policy)))
                    .snapshots();
            assertEquals(1, copies.size());
            Snapshot source = snapshotsOf(ec2, vol, policy).get(0);
            assertTrue(copies.get(0).description().contains(source.snapshotId()), copies.get(0).description());
            assertEquals("yes", tags(copies.get(0).tags()).get("dr"));
            assertEquals("Daily", tags(copies.get(0).tags()).get("aws:dlm:lifecycle-schedule-name"));

            Oboro.advance(Duration.ofDays(2));
            assertEquals(3, snapshotsOf(ec2, vol, policy).size(), "the source keeps its own count");
            List<Snapshot> left = west.describeSnapshots(r -> r.ownerIds("self").filters(filter("tag:aws:dlm:lifecycle-policy-id", policy)))
                    .snapshots();
            assertEquals(1, left.size(), "copies older than a day are deleted");
            assertTrue(left.get(0).startTime().isAfter(copies.get(0).startTime()));
        }
    }

    @Test
    void disabledPoliciesDoNotRunAndDeletedPoliciesLeaveTheirSnapshots() {
        String role = DlmFixtures.role(account);
        String vol = taggedVolume(3, "backup", "later");
        Oboro.advance(Duration.ofSeconds(6));
        String policy = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("off").state("DISABLED")
                .policyDetails(volumes("Hourly", 1, 2, tag("backup", "later")))).policyId();
        Oboro.advance(Duration.ofHours(5));
        assertTrue(snapshotsOf(ec2, vol, policy).isEmpty(), "a disabled policy takes no snapshots");
        dlm.updateLifecyclePolicy(r -> r.policyId(policy).state("ENABLED"));
        Oboro.advance(Duration.ofHours(5));
        assertEquals(2, snapshotsOf(ec2, vol, policy).size(), "hourly, keeping 2");
        dlm.deleteLifecyclePolicy(r -> r.policyId(policy));
        Oboro.advance(Duration.ofHours(5));
        assertEquals(2, snapshotsOf(ec2, vol, policy).size(), "its snapshots stay and no more are taken");
    }
}
