package dev.oboro.services.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.lambda.model.AddPermissionRequest;
import software.amazon.awssdk.services.lambda.model.AddPermissionResponse;
import software.amazon.awssdk.services.lambda.model.GetPolicyRequest;
import software.amazon.awssdk.services.lambda.model.GetPolicyResponse;
import software.amazon.awssdk.services.lambda.model.RemovePermissionRequest;
import software.amazon.awssdk.services.lambda.model.RemovePermissionResponse;

import java.io.IOException;
import java.util.List;

/**
 * Resource-based policies: {@code AddPermission} statements on a function or one of its
 * qualifiers, read back by {@code GetPolicy} as one policy document. Oboro evaluates them for
 * function URLs ({@link UrlEndpoint}); {@code Invoke} refuses no caller for lack of a statement.
 */
final class Policies {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LambdaState state;

    Policies(LambdaState state) {
        this.state = state;
    }

    private LambdaState.Ref target(Call call, String functionName, String qualifier) {
        LambdaState.Ref ref = LambdaState.ref(call, functionName, qualifier);
        state.function(ref);
        if (ref.qualifier() != null) state.requireQualifier(ref);
        return ref;
    }

    private static String key(LambdaState.Ref ref) {
        return ref.name() + "/" + (ref.qualifier() == null ? "" : ref.qualifier());
    }

    AddPermissionResponse addPermission(Call call, AddPermissionRequest req) {
        LambdaState.Ref ref = target(call, req.functionName(), req.qualifier());
        String id = key(ref) + "/" + req.statementId();
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("Sid", req.statementId());
        s.put("Effect", "Allow");
        ObjectNode principal = s.putObject("Principal");
        String p = req.principal();
        if (p.endsWith(".amazonaws.com")) principal.put("Service", p);
        else if (p.equals("*")) s.put("Principal", "*");
        else principal.put("AWS", p.matches("\\d{12}") ? "arn:aws:iam::" + p + ":root" : p);
        s.put("Action", req.action());
        s.put("Resource", ref.arn());
        ObjectNode condition = JsonNodeFactory.instance.objectNode();
        if (req.sourceArn() != null) condition.putObject("ArnLike").put("AWS:SourceArn", req.sourceArn());
        if (req.sourceAccount() != null) section(condition, "StringEquals").put("AWS:SourceAccount", req.sourceAccount());
        if (req.principalOrgID() != null) section(condition, "StringEquals").put("aws:PrincipalOrgID", req.principalOrgID());
        if (req.functionUrlAuthType() != null) section(condition, "StringEquals").put("lambda:FunctionUrlAuthType", req.functionUrlAuthTypeAsString());
        if (Boolean.TRUE.equals(req.invokedViaFunctionUrl())) condition.putObject("Bool").put("lambda:InvokedViaFunctionUrl", "true");
        if (!condition.isEmpty()) s.set("Condition", condition);
        if (!state.policies.putIfAbsent(ref.scope(), id, new LambdaState.PolicyStatement(ref.name(), ref.qualifier(), req.statementId(), s.toString()))) {
            throw new AwsException("ResourceConflictException", "The statement id (" + req.statementId()
                    + ") provided already exists. Please provide a new statement id, or remove the existing statement.", 409);
        }
        return AddPermissionResponse.builder().statement(s.toString()).build();
    }

    /** A condition operator's block, shared by the keys under it. */
    private static ObjectNode section(ObjectNode condition, String operator) {
        return condition.has(operator) ? (ObjectNode) condition.get(operator) : condition.putObject(operator);
    }

    RemovePermissionResponse removePermission(Call call, RemovePermissionRequest req) {
        LambdaState.Ref ref = target(call, req.functionName(), req.qualifier());
        if (state.policies.remove(ref.scope(), key(ref) + "/" + req.statementId()) == null) {
            throw new AwsException("ResourceNotFoundException", "Statement " + req.statementId() + " is not found in resource policy.", 404);
        }
        return RemovePermissionResponse.builder().build();
    }

    GetPolicyResponse getPolicy(Call call, GetPolicyRequest req) {
        LambdaState.Ref ref = target(call, req.functionName(), req.qualifier());
        List<LambdaState.PolicyStatement> statements = LambdaState.prefixed(state.policies, ref.scope(), key(ref) + "/");
        if (statements.isEmpty()) {
            throw new AwsException("ResourceNotFoundException", "The resource you requested does not exist.", 404);
        }
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("Version", "2012-10-17");
        doc.put("Id", "default");
        ArrayNode arr = doc.putArray("Statement");
        for (LambdaState.PolicyStatement s : statements) {
            try {
                JsonNode n = JSON.readTree(s.json());
                arr.add(n);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return GetPolicyResponse.builder().policy(doc.toString()).revisionId(Ids.uuid()).build();
    }
}
