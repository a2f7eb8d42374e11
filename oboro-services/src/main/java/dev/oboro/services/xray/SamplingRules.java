package dev.oboro.services.xray;

import dev.oboro.core.Call;
import dev.oboro.core.Oboro;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.xray.model.CreateSamplingRuleRequest;
import software.amazon.awssdk.services.xray.model.CreateSamplingRuleResponse;
import software.amazon.awssdk.services.xray.model.DeleteSamplingRuleRequest;
import software.amazon.awssdk.services.xray.model.DeleteSamplingRuleResponse;
import software.amazon.awssdk.services.xray.model.GetSamplingRulesRequest;
import software.amazon.awssdk.services.xray.model.GetSamplingRulesResponse;
import software.amazon.awssdk.services.xray.model.SamplingRule;
import software.amazon.awssdk.services.xray.model.SamplingRuleRecord;
import software.amazon.awssdk.services.xray.model.SamplingRuleUpdate;
import software.amazon.awssdk.services.xray.model.UpdateSamplingRuleRequest;
import software.amazon.awssdk.services.xray.model.UpdateSamplingRuleResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sampling rules. Every account and region has the rule {@code Default} (priority 10000, 5% and one
 * request a second, matching everything), which can be tuned (rate and reservoir only) but not
 * deleted.
 */
final class SamplingRules {
    static final String DEFAULT = "Default";
    static final int MAX_RULES = 25;

    /** A rule and its times. */
    record Rule(SamplingRule rule, Instant createdAt, Instant modifiedAt, Map<String, String> tags) {
    }

    private final Table<Rule> rules;

    SamplingRules(Oboro oboro) {
        this.rules = oboro.store().table("xray.samplingrules", Rule.class);
    }

    private static Rule defaultRule(Call call) {
        SamplingRule r = SamplingRule.builder().ruleName(DEFAULT).ruleARN(call.arn("xray", "sampling-rule/" + DEFAULT))
                .resourceARN("*").priority(10000).fixedRate(0.05).reservoirSize(1).serviceName("*").serviceType("*")
                .host("*").httpMethod("*").urlPath("*").version(1).attributes(Map.of()).build();
        return new Rule(r, Instant.EPOCH, Instant.EPOCH, Map.of());
    }

    private List<Rule> all(Call call) {
        List<Rule> out = new ArrayList<>(rules.values(call.scope()));
        if (!rules.contains(call.scope(), DEFAULT)) out.add(defaultRule(call));
        out.sort(java.util.Comparator.comparing(r -> r.rule().ruleName()));
        return out;
    }

    CreateSamplingRuleResponse createSamplingRule(Call call, CreateSamplingRuleRequest req) {
        SamplingRule in = req.samplingRule();
        check(in.priority(), in.fixedRate(), in.reservoirSize());
        if (in.version() == null || in.version() != 1) {
            throw new AwsException("InvalidRequestException", "Sampling rule version must be 1.");
        }
        if (DEFAULT.equals(in.ruleName()) || rules.contains(call.scope(), in.ruleName())) {
            throw new AwsException("InvalidRequestException", "A sampling rule with the name " + in.ruleName() + " already exists.");
        }
        long custom = rules.values(call.scope()).stream().filter(r -> !DEFAULT.equals(r.rule().ruleName())).count();
        if (custom >= MAX_RULES) {
            throw new AwsException("RuleLimitExceededException", "You have reached the maximum number of sampling rules.");
        }
        SamplingRule stored = in.toBuilder().ruleARN(call.arn("xray", "sampling-rule/" + in.ruleName()))
                .attributes(in.hasAttributes() ? in.attributes() : Map.of()).build();
        Map<String, String> tags = new TreeMap<>();
        if (req.hasTags()) req.tags().forEach(t -> tags.put(t.key(), t.value()));
        Rule r = new Rule(stored, call.now(), call.now(), tags);
        if (!rules.putIfAbsent(call.scope(), in.ruleName(), r)) {
            throw new AwsException("InvalidRequestException", "A sampling rule with the name " + in.ruleName() + " already exists.");
        }
        return CreateSamplingRuleResponse.builder().samplingRuleRecord(record(r)).build();
    }

    UpdateSamplingRuleResponse updateSamplingRule(Call call, UpdateSamplingRuleRequest req) {
        SamplingRuleUpdate u = req.samplingRuleUpdate();
        Rule current = find(call, u.ruleName(), u.ruleARN());
        SamplingRule cur = current.rule();
        boolean isDefault = DEFAULT.equals(cur.ruleName());
        if (isDefault && (u.priority() != null || u.serviceName() != null || u.serviceType() != null || u.host() != null
                || u.httpMethod() != null || u.urlPath() != null || u.resourceARN() != null || u.hasAttributes())) {
            throw new AwsException("InvalidRequestException", "Invalid update request for default sampling rule");
        }
        check(u.priority(), u.fixedRate(), u.reservoirSize());
        SamplingRule.Builder b = cur.toBuilder();
        if (u.priority() != null) b.priority(u.priority());
        if (u.fixedRate() != null) b.fixedRate(u.fixedRate());
        if (u.reservoirSize() != null) b.reservoirSize(u.reservoirSize());
        if (u.serviceName() != null) b.serviceName(u.serviceName());
        if (u.serviceType() != null) b.serviceType(u.serviceType());
        if (u.host() != null) b.host(u.host());
        if (u.httpMethod() != null) b.httpMethod(u.httpMethod());
        if (u.urlPath() != null) b.urlPath(u.urlPath());
        if (u.resourceARN() != null) b.resourceARN(u.resourceARN());
        if (u.hasAttributes()) b.attributes(u.attributes());
        Rule next = new Rule(b.build(), current.createdAt(), call.now(), current.tags());
        rules.put(call.scope(), cur.ruleName(), next);
        return UpdateSamplingRuleResponse.builder().samplingRuleRecord(record(next)).build();
    }

    DeleteSamplingRuleResponse deleteSamplingRule(Call call, DeleteSamplingRuleRequest req) {
        Rule r = find(call, req.ruleName(), req.ruleARN());
        if (DEFAULT.equals(r.rule().ruleName())) {
            throw new AwsException("InvalidRequestException", "Cannot delete the default sampling rule");
        }
        rules.remove(call.scope(), r.rule().ruleName());
        return DeleteSamplingRuleResponse.builder().samplingRuleRecord(record(r)).build();
    }

    GetSamplingRulesResponse getSamplingRules(Call call, GetSamplingRulesRequest req) {
        GetSamplingRulesResponse.Builder out = GetSamplingRulesResponse.builder();
        Pagination.Page<Rule> page = Pagination.page(call, req, all(call), r -> r.rule().ruleName(), out);
        return out.samplingRuleRecords(page.items().stream().map(SamplingRules::record).toList()).build();
    }

    private Rule find(Call call, String name, String arn) {
        if (name == null && arn == null) {
            throw new AwsException("InvalidRequestException", "Either RuleName or RuleARN must be specified.");
        }
        String n = name != null ? name : arn.substring(arn.lastIndexOf('/') + 1);
        Scope scope = call.scope();
        Rule r = rules.get(scope, n);
        if (r == null && DEFAULT.equals(n)) r = defaultRule(call);
        if (r == null || (arn != null && !arn.equals(r.rule().ruleARN()))) {
            throw new AwsException("InvalidRequestException", "Sampling rule does not exist: " + n);
        }
        return r;
    }

    private static void check(Integer priority, Double fixedRate, Integer reservoir) {
        if (priority != null && (priority < 1 || priority > 9999)) {
            throw new AwsException("InvalidRequestException", "Priority must be between 1 and 9999.");
        }
        if (fixedRate != null && (fixedRate < 0 || fixedRate > 1)) {
            throw new AwsException("InvalidRequestException", "FixedRate must be between 0 and 1.");
        }
        if (reservoir != null && reservoir < 0) {
            throw new AwsException("InvalidRequestException", "ReservoirSize must not be negative.");
        }
    }

    private static SamplingRuleRecord record(Rule r) {
        return SamplingRuleRecord.builder().samplingRule(r.rule()).createdAt(r.createdAt()).modifiedAt(r.modifiedAt()).build();
    }
}
