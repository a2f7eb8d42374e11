package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.LambdaException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListFunctionsTest {
    final String account = Oboro.newAccount();

    @Test
    void emptyListThroughSdkAndCli() {
        try (LambdaClient lambda = Oboro.client(LambdaClient.builder(), account)) {
            assertTrue(lambda.listFunctions().functions().isEmpty());
            assertTrue(lambda.listFunctions(r -> r.maxItems(5)).functions().isEmpty());
        }
        assertTrue(Cli.v2(account, "lambda", "list-functions").ok().stdout().contains("\"Functions\": []"));
    }

    @Test
    void pageSizeOutOfTheModelsBoundsIsAValidationError() {
        try (LambdaClient lambda = Oboro.client(LambdaClient.builder(), account)) {
            LambdaException e = assertThrows(LambdaException.class, () -> lambda.listFunctions(r -> r.maxItems(0)));
            assertEquals("ValidationException", e.awsErrorDetails().errorCode());
            assertEquals(400, e.statusCode());
            assertTrue(e.getMessage().contains("maxItems"), e.getMessage());
        }
    }
}
