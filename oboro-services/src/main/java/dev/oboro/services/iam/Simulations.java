package dev.oboro.services.iam;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import software.amazon.awssdk.services.iam.model.ContextEntry;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.SimulatePrincipalPolicyRequest;
import software.amazon.awssdk.services.iam.model.SimulatePrincipalPolicyResponse;
import software.amazon.awssdk.services.iam.model.Statement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The policy simulator, served by {@link Permissions}: one result per action and resource, with
 * the statements that decided. Extra policies ({@code PolicyInputList}) are applied as if attached.
 */
final class Simulations {
    /** A result and its position, the pagination key. */
    private record Row(String key, EvaluationResult result) {
    }

    private final Iam iam;

    Simulations(Iam iam) {
        this.iam = iam;
    }

    SimulatePrincipalPolicyResponse simulatePrincipalPolicy(Call call, SimulatePrincipalPolicyRequest req) {
        String arn = req.policySourceArn();
        Permissions permissions = Permissions.of(iam.oboro);
        if (!call.account().equals(Permissions.account(arn)) || permissions.policies(arn) == null) {
            throw Iam.invalidInput("Invalid Entity Arn: " + arn + " does not clearly define entity type and name.");
        }
        List<Permissions.Source> extra = new ArrayList<>();
        if (req.hasPolicyInputList()) {
            for (String doc : req.policyInputList()) {
                PolicyDocuments.checkIdentityPolicy(doc);
                extra.add(new Permissions.Source("PolicyInputList." + (extra.size() + 1), "none", doc));
            }
        }
        Map<String, List<String>> context = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (req.hasContextEntries()) {
            for (ContextEntry e : req.contextEntries()) {
                context.put(e.contextKeyName(), e.hasContextKeyValues() ? List.copyOf(e.contextKeyValues()) : List.of());
            }
        }
        List<String> resources = req.hasResourceArns() && !req.resourceArns().isEmpty() ? req.resourceArns() : List.of("*");
        List<Row> rows = new ArrayList<>();
        for (String action : req.actionNames()) {
            for (String resource : resources) {
                Permissions.Result r = permissions.evaluate(arn, action, resource, context, extra);
                rows.add(new Row(String.format("%08d", rows.size()), EvaluationResult.builder().evalActionName(action)
                        .evalResourceName(resource).evalDecision(r.decision().wire())
                        .matchedStatements(r.matched().stream().map(m -> Statement.builder().sourcePolicyId(m.policyId())
                                .sourcePolicyType(m.sourceType()).build()).toList())
                        .missingContextValues(List.of()).build()));
            }
        }
        SimulatePrincipalPolicyResponse.Builder b = SimulatePrincipalPolicyResponse.builder();
        Pagination.Page<Row> page = Pagination.page(call, req, rows, Row::key, b);
        return b.evaluationResults(page.items().stream().map(Row::result).toList()).build();
    }
}
