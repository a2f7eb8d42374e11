package dev.oboro.tests.sts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GetCallerIdentityTest {
    final String account = Oboro.newAccount();

    @Test
    void twelveDigitAccessKeyIsThatAccount() {
        try (StsClient sts = Oboro.client(StsClient.builder(), account)) {
            GetCallerIdentityResponse r = sts.getCallerIdentity();
            assertEquals(account, r.account());
            assertEquals("arn:aws:iam::" + account + ":root", r.arn());
            assertEquals(account, r.userId());
        }
    }

    @Test
    void anyOtherAccessKeyIsTheDefaultAccount() {
        try (StsClient sts = Oboro.client(StsClient.builder(), Oboro.credentials("test"), "eu-west-1")) {
            assertEquals("000000000000", sts.getCallerIdentity().account());
        }
    }

    @Test
    void cliV2() throws Exception {
        JsonNode r = new ObjectMapper().readTree(Cli.v2(account, "sts", "get-caller-identity").ok().stdout());
        assertEquals(account, r.get("Account").asText());
        assertEquals("arn:aws:iam::" + account + ":root", r.get("Arn").asText());
    }
}
