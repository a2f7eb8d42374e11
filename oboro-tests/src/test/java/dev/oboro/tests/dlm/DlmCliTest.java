package dev.oboro.tests.dlm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;

import static dev.oboro.tests.ebs.EbsFixtures.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AWS CLI v2 against Data Lifecycle Manager: the policy lifecycle, filters, tags and errors. */
class DlmCliTest {
    final String account = Oboro.newAccount();

    @Test
    void policyLifecycle() {
        String role = DlmFixtures.role(account);
        String details = "{\"ResourceTypes\":[\"VOLUME\"],\"TargetTags\":[{\"Key\":\"backup\",\"Value\":\"yes\"}],"
                + "\"Schedules\":[{\"Name\":\"Nightly\",\"CopyTags\":true,\"CreateRule\":{\"CronExpression\":\"cron(0 2 ? * * *)\"},"
                + "\"RetainRule\":{\"Count\":7}}]}";
        String id = cli(account, "dlm", "create-lifecycle-policy", "--execution-role-arn", role, "--description", "nightly",
                "--state", "ENABLED", "--policy-details", details, "--tags", "team=ops").get("PolicyId").asText();
        JsonNode p = cli(account, "dlm", "get-lifecycle-policy", "--policy-id", id).get("Policy");
        assertEquals("ENABLED", p.get("State").asText());
        assertEquals("cron(0 2 ? * * *)", p.get("PolicyDetails").get("Schedules").get(0).get("CreateRule").get("CronExpression").asText());
        assertEquals("ops", p.get("Tags").get("team").asText());
        assertEquals(1, cli(account, "dlm", "get-lifecycle-policies", "--target-tags", "backup=yes").get("Policies").size());
        assertEquals(0, cli(account, "dlm", "get-lifecycle-policies", "--state", "DISABLED").get("Policies").size());

        Cli.v2(account, "dlm", "update-lifecycle-policy", "--policy-id", id, "--state", "DISABLED").ok();
        assertEquals(1, cli(account, "dlm", "get-lifecycle-policies", "--state", "DISABLED").get("Policies").size());
        String arn = p.get("PolicyArn").asText();
        Cli.v2(account, "dlm", "tag-resource", "--resource-arn", arn, "--tags", "env=test").ok();
        assertEquals("test", cli(account, "dlm", "list-tags-for-resource", "--resource-arn", arn).get("Tags").get("env").asText());
        Cli.v2(account, "dlm", "untag-resource", "--resource-arn", arn, "--tag-keys", "env").ok();
        assertTrue(cli(account, "dlm", "list-tags-for-resource", "--resource-arn", arn).get("Tags").has("team"));

        Cli.v2(account, "dlm", "delete-lifecycle-policy", "--policy-id", id).ok();
        Cli.Result gone = Cli.v2(account, "dlm", "get-lifecycle-policy", "--policy-id", id);
        assertTrue(gone.stderr().contains("(ResourceNotFoundException)"), gone.stderr());
        Cli.Result bad = Cli.v2(account, "dlm", "create-lifecycle-policy", "--execution-role-arn",
                "arn:aws:iam::" + account + ":role/Nope", "--description", "x", "--state", "ENABLED", "--policy-details", details);
        assertTrue(bad.stderr().contains("(InvalidRequestException)") && bad.stderr().contains("does not exist"), bad.stderr());
    }
}
