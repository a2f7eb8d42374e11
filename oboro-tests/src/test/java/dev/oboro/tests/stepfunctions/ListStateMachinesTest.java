package dev.oboro.tests.stepfunctions;

import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.SfnException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListStateMachinesTest {
    final String account = Oboro.newAccount();

    @Test
    void emptyListThroughSdkAndCli() {
        try (SfnClient sfn = Oboro.client(SfnClient.builder(), account)) {
            assertTrue(sfn.listStateMachines().stateMachines().isEmpty());
        }
        assertTrue(Cli.v2(account, "stepfunctions", "list-state-machines").ok().stdout().contains("\"stateMachines\": []"));
    }

    @Test
    void maxResultsAboveTheModelsBoundIsRefused() {
        try (SfnClient sfn = Oboro.client(SfnClient.builder(), account)) {
            SfnException e = assertThrows(SfnException.class, () -> sfn.listStateMachines(r -> r.maxResults(5000)));
            assertEquals("ValidationException", e.awsErrorDetails().errorCode());
            assertTrue(e.getMessage().contains("Member must have value less than or equal to 1000"), e.getMessage());
        }
    }
}
