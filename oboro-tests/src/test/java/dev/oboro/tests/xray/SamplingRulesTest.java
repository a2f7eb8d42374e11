package dev.oboro.tests.xray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.InvalidRequestException;
import software.amazon.awssdk.services.xray.model.SamplingRule;
import software.amazon.awssdk.services.xray.model.SamplingRuleRecord;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplingRulesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();

    XRayClient xray() {
        return Oboro.client(XRayClient.builder(), account);
    }

    static SamplingRule rule(String name, int priority) {
        return SamplingRule.builder().ruleName(name).priority(priority).fixedRate(0.1).reservoirSize(2).serviceName("shop")
                .serviceType("*").host("*").httpMethod("GET").urlPath("/cart*").resourceARN("*").version(1).build();
    }

    @Test
    void theDefaultRuleIsAlwaysThere() {
        try (XRayClient xray = xray()) {
            List<SamplingRuleRecord> rules = xray.getSamplingRules(r -> { }).samplingRuleRecords();
            assertEquals(1, rules.size());
            SamplingRule d = rules.get(0).samplingRule();
            assertEquals("Default", d.ruleName());
            assertEquals("arn:aws:xray:us-east-1:" + account + ":sampling-rule/Default", d.ruleARN());
            assertEquals(10000, d.priority());
            assertEquals(0.05, d.fixedRate());
            assertEquals(1, d.reservoirSize());
            assertEquals("*", d.serviceName());
            assertEquals(Instant.EPOCH, rules.get(0).createdAt());

            // rate and reservoir may change; nothing else
            xray.updateSamplingRule(r -> r.samplingRuleUpdate(u -> u.ruleName("Default").fixedRate(0.2)));
            assertEquals(0.2, xray.getSamplingRules(r -> { }).samplingRuleRecords().get(0).samplingRule().fixedRate());
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> xray.updateSamplingRule(r -> r.samplingRuleUpdate(u -> u.ruleName("Default").priority(5))));
            assertEquals("Invalid update request for default sampling rule", e.awsErrorDetails().errorMessage());
            assertThrows(InvalidRequestException.class, () -> xray.deleteSamplingRule(r -> r.ruleName("Default")));
        }
    }

    @Test
    void createUpdateDelete() {
        try (XRayClient xray = xray()) {
            SamplingRuleRecord created = xray.createSamplingRule(r -> r.samplingRule(rule("cart", 100))).samplingRuleRecord();
            assertEquals("arn:aws:xray:us-east-1:" + account + ":sampling-rule/cart", created.samplingRule().ruleARN());
            assertTrue(created.createdAt().isAfter(Instant.EPOCH));
            assertThrows(InvalidRequestException.class, () -> xray.createSamplingRule(r -> r.samplingRule(rule("cart", 100))));
            assertThrows(InvalidRequestException.class, () -> xray.createSamplingRule(r -> r.samplingRule(rule("bad", 0))));

            SamplingRuleRecord updated = xray.updateSamplingRule(r -> r.samplingRuleUpdate(u -> u.ruleARN(created.samplingRule().ruleARN())
                    .priority(50).urlPath("/checkout"))).samplingRuleRecord();
            assertEquals(50, updated.samplingRule().priority());
            assertEquals("/checkout", updated.samplingRule().urlPath());
            assertEquals("GET", updated.samplingRule().httpMethod());

            List<String> names = xray.getSamplingRulesPaginator(r -> { }).samplingRuleRecords().stream()
                    .map(x -> x.samplingRule().ruleName()).toList();
            assertEquals(List.of("Default", "cart"), names);

            assertEquals("cart", xray.deleteSamplingRule(r -> r.ruleName("cart")).samplingRuleRecord().samplingRule().ruleName());
            assertThrows(InvalidRequestException.class, () -> xray.deleteSamplingRule(r -> r.ruleName("cart")));
        }
    }

    @Test
    void cli() throws Exception {
        Cli.v2(account, "xray", "create-sampling-rule", "--sampling-rule",
                "RuleName=api,Priority=10,FixedRate=0.5,ReservoirSize=1,ServiceName=*,ServiceType=*,Host=*,HTTPMethod=*,URLPath=/api*,ResourceARN=*,Version=1").ok();
        JsonNode out = JSON.readTree(Cli.v2(account, "xray", "get-sampling-rules").ok().stdout());
        assertEquals(2, out.get("SamplingRuleRecords").size());
        Cli.Result missing = Cli.v2(account, "xray", "delete-sampling-rule", "--rule-name", "nope");
        assertEquals(254, missing.exitCode());
        assertTrue(missing.stderr().contains("InvalidRequestException"), missing.stderr());
    }
}
