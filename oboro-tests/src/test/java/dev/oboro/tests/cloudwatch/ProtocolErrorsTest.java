package dev.oboro.tests.cloudwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server-side validation errors on the wire of each CloudWatch protocol (the CLIs check required
 * members before sending, so these go raw): the error code, the query-style parameter name, and the
 * x-amzn-query-error header that JSON and CBOR clients of this query-compatible service read.
 */
class ProtocolErrorsTest {
    static final String MESSAGE = "The parameter MetricData.member.1.Dimensions.member.1.Value is required.";

    @Test
    void queryProtocol() {
        HttpResponse<String> r = Oboro.http(Oboro.request("/").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Action=PutMetricData&Version=2010-08-01&Namespace=App"
                        + "&MetricData.member.1.MetricName=X&MetricData.member.1.Value=1&MetricData.member.1.Dimensions.member.1.Name=Host")));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("<Code>MissingParameter</Code>"), r.body());
        assertTrue(r.body().contains("<Message>" + MESSAGE + "</Message>"), r.body());
        assertTrue(r.body().contains("<Type>Sender</Type>"), r.body());
    }

    @Test
    void jsonQueryMode() throws Exception {
        HttpResponse<String> r = Oboro.http(Oboro.request("/").header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "GraniteServiceVersion20100801.PutMetricData").header("x-amzn-query-mode", "true")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Namespace\":\"App\",\"MetricData\":[{\"MetricName\":\"X\",\"Value\":1,"
                        + "\"Dimensions\":[{\"Name\":\"Host\"}]}]}")));
        assertEquals(400, r.statusCode());
        assertEquals("MissingParameter;Sender", r.headers().firstValue("x-amzn-query-error").orElse(null));
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertEquals(MESSAGE, body.get("message").asText());
    }

    @Test
    void rpcV2Cbor() throws Exception {
        ObjectMapper cbor = new ObjectMapper(new CBORFactory());
        byte[] req = cbor.writeValueAsBytes(new ObjectMapper().readTree(
                "{\"Namespace\":\"App\",\"MetricData\":[{\"MetricName\":\"X\",\"Value\":1,\"Dimensions\":[{\"Name\":\"Host\"}]}]}"));
        HttpResponse<byte[]> r;
        try {
            r = java.net.http.HttpClient.newHttpClient().send(Oboro.request("/service/GraniteServiceVersion20100801/operation/PutMetricData")
                    .header("Content-Type", "application/cbor").header("Accept", "application/cbor").header("smithy-protocol", "rpc-v2-cbor")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(req)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        assertEquals(400, r.statusCode());
        assertEquals("MissingParameter;Sender", r.headers().firstValue("x-amzn-query-error").orElse(null));
        JsonNode body = cbor.readTree(r.body());
        assertEquals(MESSAGE, body.get("message").asText());
    }
}
