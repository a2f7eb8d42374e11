package dev.oboro.tests.route53;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.CreateHostedZoneResponse;
import software.amazon.awssdk.services.route53.model.GetHostedZoneResponse;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.route53.model.ListHostedZonesResponse;
import software.amazon.awssdk.services.route53.model.Route53Exception;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostedZonesTest {
    final String account = Oboro.newAccount();
    final ObjectMapper json = new ObjectMapper();

    @Test
    void createGetDeleteThroughTheSdk() {
        try (Route53Client r53 = Oboro.client(Route53Client.builder(), account)) {
            CreateHostedZoneResponse created = r53.createHostedZone(r -> r.name("Example.COM").callerReference("ref-1")
                    .hostedZoneConfig(c -> c.comment("mine")));
            HostedZone z = created.hostedZone();
            assertEquals("example.com.", z.name());
            assertEquals(2L, z.resourceRecordSetCount());
            assertEquals(ChangeStatus.PENDING, created.changeInfo().status());
            assertEquals(4, created.delegationSet().nameServers().size());
            assertTrue(created.location().endsWith("/2013-04-01/hostedzone/" + z.id().replace("/hostedzone/", "")), created.location());

            GetHostedZoneResponse got = r53.getHostedZone(r -> r.id(z.id()));
            assertEquals("mine", got.hostedZone().config().comment());
            assertFalse(got.hostedZone().config().privateZone());
            assertEquals(created.delegationSet().nameServers(), got.delegationSet().nameServers());

            r53.deleteHostedZone(r -> r.id(z.id()));
            Route53Exception e = assertThrows(Route53Exception.class, () -> r53.getHostedZone(r -> r.id(z.id())));
            assertEquals("NoSuchHostedZone", e.awsErrorDetails().errorCode());
            assertEquals(404, e.statusCode());
        }
    }

    @Test
    void errorsAsRoute53AnswersThem() {
        try (Route53Client r53 = Oboro.client(Route53Client.builder(), account)) {
            r53.createHostedZone(r -> r.name("dup.example").callerReference("same"));
            Route53Exception dup = assertThrows(Route53Exception.class,
                    () -> r53.createHostedZone(r -> r.name("other.example").callerReference("same")));
            assertEquals("HostedZoneAlreadyExists", dup.awsErrorDetails().errorCode());
            assertEquals(409, dup.statusCode());

            Route53Exception tld = assertThrows(Route53Exception.class, () -> r53.createHostedZone(r -> r.name("com").callerReference("tld")));
            assertEquals("InvalidDomainName", tld.awsErrorDetails().errorCode());

            Route53Exception missing = assertThrows(Route53Exception.class, () -> r53.deleteHostedZone(r -> r.id("ZDOESNOTEXIST")));
            assertEquals("NoSuchHostedZone", missing.awsErrorDetails().errorCode());
        }
    }

    @Test
    void sdkPaginatorSeesEveryZoneOnce() {
        String acct = Oboro.newAccount();
        try (Route53Client r53 = Oboro.client(Route53Client.builder(), acct)) {
            for (int i = 0; i < 27; i++) {
                int n = i;
                r53.createHostedZone(r -> r.name("z" + n + ".example.org").callerReference("p" + n));
            }
            ListHostedZonesResponse first = r53.listHostedZones(r -> r.maxItems("10"));
            assertEquals(10, first.hostedZones().size());
            assertTrue(first.isTruncated());
            assertNotNull(first.nextMarker());
            // the same token twice gives the same page: tokens are stateless
            ListHostedZonesResponse again = r53.listHostedZones(r -> r.maxItems("10").marker(first.nextMarker()));
            ListHostedZonesResponse again2 = r53.listHostedZones(r -> r.maxItems("10").marker(first.nextMarker()));
            assertEquals(again.hostedZones(), again2.hostedZones());
            assertFalse(first.nextMarker().equals(again.nextMarker()));

            List<String> names = new ArrayList<>();
            r53.listHostedZonesPaginator(r -> r.maxItems("4")).hostedZones().forEach(z -> names.add(z.name()));
            assertEquals(27, names.size());
            assertEquals(27, new HashSet<>(names).size());
        }
    }

    @Test
    void cliPaginationOver27Zones() throws Exception {
        String acct = Oboro.newAccount();
        try (Route53Client r53 = Oboro.client(Route53Client.builder(), acct)) {
            for (int i = 0; i < 27; i++) {
                int n = i;
                r53.createHostedZone(r -> r.name("c" + n + ".example.net").callerReference("c" + n));
            }
        }
        // --max-items cuts the output and gives a NextToken; --starting-token resumes; --page-size sets MaxItems
        JsonNode p1 = json.readTree(Cli.v2(acct, "route53", "list-hosted-zones", "--max-items", "10", "--page-size", "3").ok().stdout());
        assertEquals(10, p1.get("HostedZones").size());
        String token = p1.get("NextToken").asText();
        JsonNode p2 = json.readTree(Cli.v2(acct, "route53", "list-hosted-zones", "--max-items", "10", "--starting-token", token).ok().stdout());
        assertEquals(10, p2.get("HostedZones").size());
        JsonNode p3 = json.readTree(Cli.v2(acct, "route53", "list-hosted-zones", "--max-items", "10",
                "--starting-token", p2.get("NextToken").asText()).ok().stdout());
        assertEquals(7, p3.get("HostedZones").size());
        assertNull(p3.get("NextToken"));
        Set<String> ids = new HashSet<>();
        for (JsonNode p : List.of(p1, p2, p3)) p.get("HostedZones").forEach(z -> ids.add(z.get("Id").asText()));
        assertEquals(27, ids.size());
        JsonNode all = json.readTree(Cli.v2(acct, "route53", "list-hosted-zones").ok().stdout());
        assertEquals(27, all.get("HostedZones").size());
    }

    @Test
    void cliCreateAndGet() throws Exception {
        JsonNode created = json.readTree(Cli.v2(account, "route53", "create-hosted-zone", "--name", "cli.example.io",
                "--caller-reference", "cli-1").ok().stdout());
        String id = created.get("HostedZone").get("Id").asText();
        JsonNode got = json.readTree(Cli.v2(account, "route53", "get-hosted-zone", "--id", id).ok().stdout());
        assertEquals("cli.example.io.", got.get("HostedZone").get("Name").asText());
        Cli.Result missing = Cli.v2(account, "route53", "get-hosted-zone", "--id", "ZNOPE");
        assertEquals(254, missing.exitCode());
        assertTrue(missing.stderr().contains("NoSuchHostedZone"), missing.stderr());
    }
}
