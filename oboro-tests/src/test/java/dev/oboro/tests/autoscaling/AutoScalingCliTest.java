package dev.oboro.tests.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AWS CLI v2 against Auto Scaling (query protocol): operations, errors and pagination. */
class AutoScalingCliTest {
    final String account = Oboro.newAccount();
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void groupsErrorsAndPages() throws Exception {
        try (Ec2Client ec2 = AsgFixtures.ec2(account)) {
            String lt = AsgFixtures.template(ec2, "cli-template");
            for (int k = 0; k < 3; k++) {
                Cli.v2(account, "autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name", "cli-" + k, "--min-size", "0",
                        "--max-size", "2", "--availability-zones", "us-east-1a", "--launch-template", "LaunchTemplateId=" + lt).ok();
            }
            JsonNode page = json(Cli.v2(account, "autoscaling", "describe-auto-scaling-groups", "--max-items", "2").ok().stdout());
            assertEquals(2, page.path("AutoScalingGroups").size());
            JsonNode rest = json(Cli.v2(account, "autoscaling", "describe-auto-scaling-groups", "--starting-token", page.path("NextToken").asText())
                    .ok().stdout());
            assertEquals("cli-2", rest.path("AutoScalingGroups").get(0).path("AutoScalingGroupName").asText());
            JsonNode small = json(Cli.v2(account, "autoscaling", "describe-auto-scaling-groups", "--page-size", "1").ok().stdout());
            assertEquals(3, small.path("AutoScalingGroups").size(), "the CLI follows every page");

            Cli.Result bad = Cli.v2(account, "autoscaling", "set-desired-capacity", "--auto-scaling-group-name", "cli-0", "--desired-capacity", "7");
            assertEquals(254, bad.exitCode());
            assertTrue(bad.stderr().contains("(ValidationError) when calling the SetDesiredCapacity operation: New SetDesiredCapacity value 7 is above max value 2 for the AutoScalingGroup."),
                    bad.stderr());
            Cli.Result missing = Cli.v2(account, "autoscaling", "delete-auto-scaling-group", "--auto-scaling-group-name", "nope");
            assertTrue(missing.stderr().contains("AutoScalingGroup name not found - AutoScalingGroup nope not found"), missing.stderr());

            Cli.v2(account, "autoscaling", "put-scaling-policy", "--auto-scaling-group-name", "cli-0", "--policy-name", "up",
                    "--adjustment-type", "ChangeInCapacity", "--scaling-adjustment", "1").ok();
            JsonNode pols = json(Cli.v2(account, "autoscaling", "describe-policies", "--auto-scaling-group-name", "cli-0").ok().stdout());
            assertEquals("up", pols.path("ScalingPolicies").get(0).path("PolicyName").asText());
            Cli.v2(account, "autoscaling", "execute-policy", "--auto-scaling-group-name", "cli-0", "--policy-name", "up").ok();
            JsonNode acts = json(Cli.v2(account, "autoscaling", "describe-scaling-activities", "--auto-scaling-group-name", "cli-0", "--max-items", "1")
                    .ok().stdout());
            assertTrue(acts.path("Activities").size() <= 1);
            JsonNode types = json(Cli.v2(account, "autoscaling", "describe-termination-policy-types").ok().stdout());
            assertTrue(types.path("TerminationPolicyTypes").toString().contains("OldestInstance"));
            Cli.v2(account, "autoscaling", "suspend-processes", "--auto-scaling-group-name", "cli-1", "--scaling-processes", "AZRebalance").ok();
            JsonNode g1 = json(Cli.v2(account, "autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "cli-1").ok().stdout());
            assertEquals("AZRebalance", g1.path("AutoScalingGroups").get(0).path("SuspendedProcesses").get(0).path("ProcessName").asText());
            Cli.v2(account, "autoscaling", "delete-auto-scaling-group", "--auto-scaling-group-name", "cli-2").ok();
        }
    }
}
