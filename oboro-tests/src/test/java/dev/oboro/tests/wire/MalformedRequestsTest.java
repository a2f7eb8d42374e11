package dev.oboro.tests.wire;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input, protocol by protocol, as raw HTTP: every row is a client mistake and must get a 4xx
 * AWS error in that protocol's own format, naming the problem — never a 5xx, never a hang.
 */
class MalformedRequestsTest {
    static final String ACCOUNT = Oboro.newAccount();

    static String auth(String service) {
        return "AWS4-HMAC-SHA256 Credential=" + ACCOUNT + "/20260101/us-east-1/" + service
                + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
    }

    /** name, service, method, path, content type, target, body, status, code, text in body */
    static Stream<Arguments> rows() {
        String form = "application/x-www-form-urlencoded; charset=utf-8";
        String json10 = "application/x-amz-json-1.0";
        return Stream.of(
                // query (STS)
                Arguments.of("query: unknown action", "sts", "POST", "/", form, null,
                        "Action=FlyToTheMoon&Version=2011-06-15", 400, "InvalidAction", "<ErrorResponse"),
                Arguments.of("query: malformed percent-encoding", "sts", "POST", "/", form, null,
                        "Action=GetCallerIdentity&Version=2011-06-15&X=%zz", 400, "MalformedQueryString", "<ErrorResponse"),
                // ec2
                Arguments.of("ec2: not a boolean", "ec2", "POST", "/", form, null,
                        "Action=DescribeRegions&Version=2016-11-15&DryRun=perhaps", 400, "InvalidParameterValue", "<Response><Errors>"),
                Arguments.of("ec2: unknown zone", "ec2", "POST", "/", form, null,
                        "Action=DescribeAvailabilityZones&Version=2016-11-15&ZoneName.1=nowhere-1a", 400, "InvalidParameterValue", "nowhere-1a"),
                Arguments.of("ec2: unknown action", "ec2", "POST", "/", form, null,
                        "Action=TeleportInstances&Version=2016-11-15", 400, "InvalidAction", "TeleportInstances"),
                Arguments.of("ec2: operation without a handler", "ec2", "POST", "/", form, null,
                        "Action=DescribeFpgaImages&Version=2016-11-15", 501, "NotImplemented", "DescribeFpgaImages"),
                // json 1.0 (Step Functions)
                Arguments.of("json: malformed body", "states", "POST", "/", json10, "AWSStepFunctions.ListStateMachines",
                        "{not json", 400, "SerializationException", "__type"),
                Arguments.of("json: wrong type", "states", "POST", "/", json10, "AWSStepFunctions.ListStateMachines",
                        "{\"maxResults\":\"ten\"}", 400, "SerializationException", "maxResults"),
                Arguments.of("json: value above the model's bound", "states", "POST", "/", json10, "AWSStepFunctions.ListStateMachines",
                        "{\"maxResults\":5000}", 400, "ValidationException", "less than or equal to 1000"),
                Arguments.of("json: unknown target", "states", "POST", "/", json10, "AWSStepFunctions.Levitate",
                        "{}", 400, "UnknownOperationException", "Levitate"),
                Arguments.of("json: a list where a string belongs", "states", "POST", "/", json10, "AWSStepFunctions.ListStateMachines",
                        "{\"nextToken\":[1,2]}", 400, "SerializationException", "nextToken"),
                // rest-json (Lambda)
                Arguments.of("rest-json: not an integer", "lambda", "GET", "/2015-03-31/functions/?MaxItems=many", null, null,
                        "", 400, "SerializationException", "MaxItems"),
                Arguments.of("rest-json: below the model's bound", "lambda", "GET", "/2015-03-31/functions/?MaxItems=0", null, null,
                        "", 400, "ValidationException", "greater than or equal to 1"),
                Arguments.of("rest-json: no such route", "lambda", "GET", "/2015-03-31/nothing-here", null, null,
                        "", 404, "UnknownOperationException", "nothing-here"),
                // rest-xml (Route 53)
                Arguments.of("rest-xml: malformed XML", "route53", "POST", "/2013-04-01/hostedzone", "application/xml", null,
                        "<CreateHostedZoneRequest><Name>x", 400, "InvalidInput", "<ErrorResponse"),
                Arguments.of("rest-xml: missing required members", "route53", "POST", "/2013-04-01/hostedzone", "application/xml", null,
                        "<CreateHostedZoneRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Name>a.example</Name></CreateHostedZoneRequest>",
                        400, "InvalidInput", "callerReference"),
                Arguments.of("rest-xml: not a number", "route53", "GET", "/2013-04-01/hostedzone?maxitems=lots", null, null,
                        "", 400, "InvalidInput", "MaxItems"),
                // no service at all
                Arguments.of("unknown signing name", "teleport", "POST", "/", json10, null, "{}", 400, "UnknownService", "teleport"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void clientMistakesAre4xxAwsErrors(String name, String service, String method, String path, String contentType,
                                       String target, String body, int status, String code, String text) {
        HttpRequest.Builder b = Oboro.request(path).header("Authorization", auth(service)).header("X-Amz-Date", "20260101T000000Z");
        if (contentType != null) b.header("Content-Type", contentType);
        if (target != null) b.header("X-Amz-Target", target);
        b.method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = Oboro.http(b);
        assertEquals(status, r.statusCode(), name + ": " + r.body());
        assertTrue(r.body().contains(code) || r.headers().firstValue("x-amzn-ErrorType").orElse("").equals(code),
                name + ": expected " + code + " in " + r.body() + " " + r.headers().map());
        assertTrue(r.body().contains(text) || r.headers().map().toString().contains(text), name + ": expected '" + text + "' in " + r.body());
        assertTrue(r.headers().firstValue("x-amzn-RequestId").isPresent(), name + ": every response carries a request id");
    }
}
