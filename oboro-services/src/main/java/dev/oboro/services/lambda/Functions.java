package dev.oboro.services.lambda;

import dev.oboro.core.Call;
import dev.oboro.core.Oboro;
import dev.oboro.core.Pagination;
import dev.oboro.core.store.Table;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.ListFunctionsRequest;
import software.amazon.awssdk.services.lambda.model.ListFunctionsResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * Lambda functions. Only the listing exists so far (the control plane and invocation are the
 * Lambda issue's work); it pages with Marker/MaxItems as Lambda does.
 */
final class Functions {
    /** A function as stored: its name and its configuration as Lambda reports it. */
    record LambdaFunction(String name, FunctionConfiguration configuration) {
    }

    private final Table<LambdaFunction> functions;

    Functions(Oboro oboro) {
        this.functions = oboro.store().table("lambda.functions", LambdaFunction.class);
    }

    ListFunctionsResponse listFunctions(Call call, ListFunctionsRequest req) {
        List<LambdaFunction> all = new ArrayList<>(functions.values(call.scope()));
        ListFunctionsResponse.Builder b = ListFunctionsResponse.builder();
        Pagination.Page<LambdaFunction> page = Pagination.page(call, req, all, LambdaFunction::name, b, 50);
        return b.functions(page.items().stream().map(LambdaFunction::configuration).toList()).build();
    }
}
