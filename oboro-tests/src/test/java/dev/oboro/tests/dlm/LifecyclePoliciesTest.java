package dev.oboro.tests.dlm;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dlm.DlmClient;
import software.amazon.awssdk.services.dlm.model.CreateRule;
import software.amazon.awssdk.services.dlm.model.LifecyclePolicy;
import software.amazon.awssdk.services.dlm.model.LifecyclePolicySummary;
import software.amazon.awssdk.services.dlm.model.PolicyDetails;
import software.amazon.awssdk.services.dlm.model.RetainRule;
import software.amazon.awssdk.services.dlm.model.Schedule;

import java.util.List;
import java.util.Map;

import static dev.oboro.tests.dlm.DlmFixtures.fails;
import static dev.oboro.tests.dlm.DlmFixtures.tag;
import static dev.oboro.tests.dlm.DlmFixtures.volumes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CreateLifecyclePolicy, Get, Update, Delete and tags, with DLM's refusals. */
class LifecyclePoliciesTest {
    final String account = Oboro.newAccount();
    final DlmClient dlm = DlmFixtures.dlm(account);

    @Test
    void createGetUpdateDelete() {
        String role = DlmFixtures.role(account);
        String id = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("daily backups").state("ENABLED")
                .policyDetails(volumes("Daily", 24, 7, tag("backup", "daily"))).tags(Map.of("team", "storage"))).policyId();
        assertTrue(id.matches("policy-[0-9a-f]{17}"), id);
        LifecyclePolicy p = dlm.getLifecyclePolicy(r -> r.policyId(id)).policy();
        assertEquals("daily backups", p.description());
        assertEquals("ENABLED", p.stateAsString());
        assertEquals(role, p.executionRoleArn());
        assertEquals("arn:aws:dlm:us-east-1:" + account + ":policy/" + id, p.policyArn());
        assertEquals(Map.of("team", "storage"), p.tags());
        assertEquals("EBS_SNAPSHOT_MANAGEMENT", p.policyDetails().policyTypeAsString());
        assertEquals(List.of("CLOUD"), p.policyDetails().resourceLocationsAsStrings());
        assertEquals("Daily", p.policyDetails().schedules().get(0).name());
        assertEquals(7, p.policyDetails().schedules().get(0).retainRule().count());
        assertEquals(List.of("09:00"), p.policyDetails().schedules().get(0).createRule().times());
        assertNotNull(p.dateCreated());

        dlm.updateLifecyclePolicy(r -> r.policyId(id).state("DISABLED").description("paused"));
        p = dlm.getLifecyclePolicy(r -> r.policyId(id)).policy();
        assertEquals("DISABLED", p.stateAsString());
        assertEquals("paused", p.description());
        assertFalse(p.dateModified().isBefore(p.dateCreated()));
        dlm.updateLifecyclePolicy(r -> r.policyId(id).policyDetails(volumes("Hourly", 1, 24, tag("backup", "hourly"))));
        assertEquals("Hourly", dlm.getLifecyclePolicy(r -> r.policyId(id)).policy().policyDetails().schedules().get(0).name());

        dlm.deleteLifecyclePolicy(r -> r.policyId(id));
        fails("ResourceNotFoundException", 404, () -> dlm.getLifecyclePolicy(r -> r.policyId(id)));
        fails("ResourceNotFoundException", 404, () -> dlm.deleteLifecyclePolicy(r -> r.policyId(id)));
        fails("ResourceNotFoundException", 404, () -> dlm.updateLifecyclePolicy(r -> r.policyId(id).state("ENABLED")));
    }

    @Test
    void getLifecyclePoliciesFilters() {
        String role = DlmFixtures.role(account);
        String a = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("a").state("ENABLED")
                .policyDetails(volumes("S", 12, 3, tag("backup", "yes")))).policyId();
        String b = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("b").state("DISABLED")
                .policyDetails(PolicyDetails.builder().resourceTypesWithStrings("INSTANCE").targetTags(tag("tier", "web"))
                        .schedules(Schedule.builder().name("S").tagsToAdd(tag("made-by", "dlm"))
                                .createRule(CreateRule.builder().cronExpression("cron(0 3 ? * MON-FRI *)").build())
                                .retainRule(RetainRule.builder().interval(2).intervalUnit("WEEKS").build()).build()).build())).policyId();
        assertEquals(List.of(a, b).stream().sorted().toList(), ids(dlm.getLifecyclePolicies(r -> { }).policies()).stream().sorted().toList());
        assertEquals(List.of(a), ids(dlm.getLifecyclePolicies(r -> r.state("ENABLED")).policies()));
        assertEquals(List.of(b), ids(dlm.getLifecyclePolicies(r -> r.resourceTypesWithStrings("INSTANCE")).policies()));
        assertEquals(List.of(a), ids(dlm.getLifecyclePolicies(r -> r.targetTags("backup=yes")).policies()));
        assertEquals(List.of(b), ids(dlm.getLifecyclePolicies(r -> r.tagsToAdd("made-by=dlm")).policies()));
        assertEquals(List.of(b), ids(dlm.getLifecyclePolicies(r -> r.policyIds(b)).policies()));
        assertTrue(dlm.getLifecyclePolicies(r -> r.state("ERROR")).policies().isEmpty());
        LifecyclePolicySummary s = dlm.getLifecyclePolicies(r -> r.policyIds(a)).policies().get(0);
        assertEquals("EBS_SNAPSHOT_MANAGEMENT", s.policyTypeAsString());
        assertEquals("a", s.description());
        fails("ResourceNotFoundException", 404, () -> dlm.getLifecyclePolicies(r -> r.policyIds("policy-0123456789abcdef0")));
    }

    private static List<String> ids(List<LifecyclePolicySummary> l) {
        return l.stream().map(LifecyclePolicySummary::policyId).toList();
    }

    @Test
    void tags() {
        String role = DlmFixtures.role(account);
        String id = dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("t").state("ENABLED")
                .policyDetails(volumes("S", 24, 1, tag("k", "v")))).policyId();
        String arn = "arn:aws:dlm:us-east-1:" + account + ":policy/" + id;
        dlm.tagResource(r -> r.resourceArn(arn).tags(Map.of("a", "1", "b", "2")));
        assertEquals(Map.of("a", "1", "b", "2"), dlm.listTagsForResource(r -> r.resourceArn(arn)).tags());
        dlm.untagResource(r -> r.resourceArn(arn).tagKeys("a"));
        assertEquals(Map.of("b", "2"), dlm.listTagsForResource(r -> r.resourceArn(arn)).tags());
        assertEquals(Map.of("b", "2"), dlm.getLifecyclePolicy(r -> r.policyId(id)).policy().tags());
        fails("ResourceNotFoundException", 404, () -> dlm.listTagsForResource(r -> r.resourceArn(
                "arn:aws:dlm:us-east-1:" + account + ":policy/policy-0123456789abcdef0")));
    }

    @Test
    void refusals() {
        String role = DlmFixtures.role(account);
        String missingRole = "arn:aws:iam::" + account + ":role/NoSuchRole";
        var x = fails("InvalidRequestException", 400, () -> dlm.createLifecyclePolicy(r -> r.executionRoleArn(missingRole).description("d")
                .state("ENABLED").policyDetails(volumes("S", 24, 1, tag("k", "v")))));
        assertEquals("The execution role " + missingRole + " does not exist.", x.awsErrorDetails().errorMessage());
        fails("InvalidRequestException", 400, () -> dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("d")
                .state("ENABLED").policyDetails(volumes("S", 5, 1, tag("k", "v")))));
        fails("InvalidRequestException", 400, () -> dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("d")
                .state("ENABLED").policyDetails(PolicyDetails.builder().resourceTypesWithStrings("VOLUME").targetTags(tag("k", "v"))
                        .schedules(Schedule.builder().name("S").createRule(CreateRule.builder().cronExpression("cron(0 3 * * * *)").build())
                                .retainRule(RetainRule.builder().count(1).build()).build()).build())));
        fails("InvalidRequestException", 400, () -> dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("d")
                .state("ENABLED").policyDetails(PolicyDetails.builder().resourceTypesWithStrings("VOLUME").targetTags(tag("k", "v"))
                        .schedules(Schedule.builder().name("S").createRule(CreateRule.builder().interval(12).intervalUnit("HOURS").build())
                                .retainRule(RetainRule.builder().count(1).interval(1).intervalUnit("DAYS").build()).build()).build())));
        var v = fails("InvalidRequestException", 400, () -> dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("d")
                .state("ENABLED").policyDetails(PolicyDetails.builder().resourceTypesWithStrings("VOLUME").targetTags(tag("k", "v"))
                        .schedules(Schedule.builder().name("S").variableTags(tag("instance", "$(instance-id)"))
                                .createRule(CreateRule.builder().interval(12).intervalUnit("HOURS").build())
                                .retainRule(RetainRule.builder().count(1).build()).build()).build())));
        assertEquals("VariableTags are only supported for policies that target INSTANCE resources.", v.awsErrorDetails().errorMessage());
        fails("InvalidRequestException", 400, () -> dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("d")
                .state("ENABLED").policyDetails(PolicyDetails.builder().resourceTypesWithStrings("VOLUME")
                        .schedules(Schedule.builder().name("S").createRule(CreateRule.builder().interval(12).intervalUnit("HOURS").build())
                                .retainRule(RetainRule.builder().count(1).build()).build()).build())));
        // the model's own constraints: an invalid description, a missing state
        fails("InvalidRequestException", 400, () -> dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("bad!desc")
                .state("ENABLED").policyDetails(volumes("S", 24, 1, tag("k", "v")))));
        fails("InvalidRequestException", 400, () -> dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("d")
                .policyDetails(volumes("S", 24, 1, tag("k", "v")))));
        fails("NotImplemented", 501, () -> dlm.createLifecyclePolicy(r -> r.executionRoleArn(role).description("d").state("ENABLED")
                .policyDetails(volumes("S", 24, 1, tag("k", "v")).toBuilder().policyType("IMAGE_MANAGEMENT").build())));
        assertTrue(dlm.getLifecyclePolicies(r -> { }).policies().isEmpty());
    }
}
