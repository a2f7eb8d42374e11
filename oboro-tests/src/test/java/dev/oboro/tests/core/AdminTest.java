package dev.oboro.tests.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.core.Config;
import dev.oboro.server.OboroServer;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health, reset, moto's reset alias, and state export/import. Reset clears all: a private server. */
class AdminTest {
    final ObjectMapper json = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void healthNamesVersionServicesAndUptime() throws Exception {
        HttpResponse<String> r = Oboro.http(Oboro.request("/_oboro/health").GET());
        assertEquals(200, r.statusCode());
        JsonNode h = json.readTree(r.body());
        assertEquals("running", h.get("status").asText());
        assertTrue(h.has("version") && h.has("uptimeSeconds"));
        assertTrue(h.get("services").has("ec2") && h.get("services").has("sts"), r.body());
    }

    @Test
    void resetExportAndImportOnAPrivateServer() throws Exception {
        try (OboroServer own = OboroServer.start(Config.defaults().withPort(0).withEphemeral(true))) {
            URI ep = URI.create(own.endpoint());
            try (Route53Client r53 = Route53Client.builder().endpointOverride(ep).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("123456789012", "x")))
                    .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
                r53.createHostedZone(r -> r.name("keep.example.com").callerReference("k"));
                String exported = send(ep, "GET", "/_oboro/state", null).body();
                assertTrue(exported.contains("keep.example.com"), exported);

                assertEquals(200, send(ep, "POST", "/moto-api/reset", "").statusCode());
                assertEquals(0, r53.listHostedZones().hostedZones().size());

                r53.createHostedZone(r -> r.name("gone.example.com").callerReference("g"));
                assertEquals(200, send(ep, "POST", "/_oboro/state", exported).statusCode());
                var zones = r53.listHostedZones().hostedZones();
                assertEquals(1, zones.size());
                assertEquals("keep.example.com.", zones.get(0).name());

                assertEquals(200, send(ep, "POST", "/_oboro/reset", "").statusCode());
                assertEquals(0, r53.listHostedZones().hostedZones().size());
                assertEquals(400, send(ep, "POST", "/_oboro/state", "{\"format\":\"nope\"}").statusCode());
            }
        }
    }

    private HttpResponse<String> send(URI ep, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(ep.resolve(path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
