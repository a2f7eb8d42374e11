package dev.oboro.tests.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.FunctionUrlConfig;
import software.amazon.awssdk.services.lambda.model.InvokeMode;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Function URLs: the config API, and the URL answering HTTP on Oboro's port with the function URL event and response formats. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FunctionUrlsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    final String other = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);

    /** Echoes the event; its path chooses the response form. */
    static final String ECHO = """
            import json
            def handler(event, context):
                path = event["rawPath"]
                if path == "/plain":
                    return {"plain": True}
                if path == "/fail":
                    raise Exception("boom")
                if path == "/binary":
                    return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"}, "body": "AAEC", "isBase64Encoded": True}
                return {"statusCode": 201, "headers": {"x-echo": "yes", "content-type": "application/json"},
                        "cookies": ["a=1; Path=/", "b=2"], "body": json.dumps(event)}
            """;

    @BeforeAll
    void functions() {
        Samples.create(lambda, account, "web", "python3.12", "app.handler", Samples.python(ECHO), null);
        Samples.create(lambda, account, "private", "python3.12", "app.handler", Samples.python(ECHO), b -> b.publish(true));
        lambda.createAlias(b -> b.functionName("private").name("live").functionVersion("1"));
    }

    @AfterAll
    void tearDown() {
        lambda.deleteFunction(b -> b.functionName("web"));
        lambda.deleteFunction(b -> b.functionName("private"));
        lambda.close();
    }

    static String urlId(String url) {
        return URI.create(url).getHost().split("\\.")[0];
    }

    static HttpResponse<String> call(String urlId, String pathAndQuery, HttpRequest.Builder b) {
        return Oboro.http(b.uri(Oboro.endpoint().resolve("/_oboro/lambda-url/" + urlId + pathAndQuery)));
    }

    private void allowPublic(String function, String qualifier) {
        lambda.addPermission(b -> b.functionName(function).qualifier(qualifier).statementId("url").action("lambda:InvokeFunctionUrl")
                .principal("*").functionUrlAuthType(FunctionUrlAuthType.NONE));
        lambda.addPermission(b -> b.functionName(function).qualifier(qualifier).statementId("invoke").action("lambda:InvokeFunction")
                .principal("*").invokedViaFunctionUrl(true));
    }

    @Test
    void configLifecycleAndErrors() {
        Samples.create(lambda, account, "cfg", "python3.12", "app.handler", Samples.python(ECHO), null);
        CreateFunctionUrlConfigResponse created = lambda.createFunctionUrlConfig(b -> b.functionName("cfg").authType(FunctionUrlAuthType.AWS_IAM));
        int port = Oboro.endpoint().getPort();
        assertTrue(created.functionUrl().matches("http://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost:" + port + "/"), created.functionUrl());
        assertEquals("arn:aws:lambda:us-east-1:" + account + ":function:cfg", created.functionArn());
        assertEquals(InvokeMode.BUFFERED, created.invokeMode());
        ResourceConflictException twice = assertThrows(ResourceConflictException.class,
                () -> lambda.createFunctionUrlConfig(b -> b.functionName("cfg").authType(FunctionUrlAuthType.NONE)));
        assertTrue(twice.awsErrorDetails().errorMessage().contains("FunctionUrlConfig exists for this Lambda function"));

        lambda.updateFunctionUrlConfig(b -> b.functionName("cfg").authType(FunctionUrlAuthType.NONE)
                .cors(c -> c.allowOrigins("https://example.com").allowMethods("GET").maxAge(60)));
        var got = lambda.getFunctionUrlConfig(b -> b.functionName("cfg"));
        assertEquals(FunctionUrlAuthType.NONE, got.authType());
        assertEquals(List.of("https://example.com"), got.cors().allowOrigins());
        assertEquals(created.functionUrl(), got.functionUrl());
        assertTrue(got.lastModifiedTime().compareTo(got.creationTime()) >= 0);

        lambda.createAlias(b -> b.functionName("cfg").name("stage").functionVersion("$LATEST"));
        lambda.createFunctionUrlConfig(b -> b.functionName("cfg").qualifier("stage").authType(FunctionUrlAuthType.NONE));
        List<FunctionUrlConfig> all = lambda.listFunctionUrlConfigs(b -> b.functionName("cfg")).functionUrlConfigs();
        assertEquals(2, all.size());
        assertTrue(all.stream().anyMatch(c -> c.functionArn().endsWith(":function:cfg:stage")));
        assertEquals(1, lambda.listFunctionUrlConfigs(b -> b.functionName("cfg").maxItems(1)).functionUrlConfigs().size());

        assertThrows(ResourceNotFoundException.class,
                () -> lambda.createFunctionUrlConfig(b -> b.functionName("cfg").qualifier("nope").authType(FunctionUrlAuthType.NONE)));
        // a version number fails the Qualifier pattern of AWS's model (alias names only), refused as AWS words validation errors
        LambdaException version = assertThrows(LambdaException.class,
                () -> lambda.createFunctionUrlConfig(b -> b.functionName("cfg").qualifier("1").authType(FunctionUrlAuthType.NONE)));
        assertEquals("ValidationException", version.awsErrorDetails().errorCode());
        assertEquals(400, version.statusCode());
        assertEquals("1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint: Member must satisfy regular "
                + "expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)", version.awsErrorDetails().errorMessage());
        ResourceConflictException aliasTwice = assertThrows(ResourceConflictException.class,
                () -> lambda.createFunctionUrlConfig(b -> b.functionName("cfg").qualifier("stage").authType(FunctionUrlAuthType.NONE)));
        assertEquals("Failed to create function url config for [functionArn = " + created.functionArn() + ":stage]. Error message:  "
                + "FunctionUrlConfig exists for this Lambda function", aliasTwice.awsErrorDetails().errorMessage());
        assertThrows(ResourceNotFoundException.class,
                () -> lambda.createFunctionUrlConfig(b -> b.functionName("absent").authType(FunctionUrlAuthType.NONE)));

        lambda.deleteFunctionUrlConfig(b -> b.functionName("cfg"));
        ResourceNotFoundException gone = assertThrows(ResourceNotFoundException.class, () -> lambda.getFunctionUrlConfig(b -> b.functionName("cfg")));
        assertEquals("The resource you requested does not exist.", gone.awsErrorDetails().errorMessage());
        assertEquals(404, call(urlId(created.functionUrl()), "/", HttpRequest.newBuilder()).statusCode());
        lambda.deleteFunction(b -> b.functionName("cfg"));
    }

    @Test
    void cliManagesUrlConfigs() throws Exception {
        Samples.create(lambda, account, "cli-url", "python3.12", "app.handler", Samples.python(ECHO), null);
        JsonNode created = JSON.readTree(Cli.v2(account, "lambda", "create-function-url-config", "--function-name", "cli-url",
                "--auth-type", "NONE", "--cors", "AllowOrigins=*,AllowMethods=GET").ok().stdout());
        assertTrue(created.path("FunctionUrl").asText().contains(".lambda-url.us-east-1.localhost:"));
        JsonNode got = JSON.readTree(Cli.v2(account, "lambda", "get-function-url-config", "--function-name", "cli-url").ok().stdout());
        assertEquals("NONE", got.path("AuthType").asText());
        assertEquals("*", got.path("Cors").path("AllowOrigins").get(0).asText());
        Cli.v2(account, "lambda", "delete-function-url-config", "--function-name", "cli-url").ok();
        assertTrue(lambda.listFunctionUrlConfigs(b -> b.functionName("cli-url")).functionUrlConfigs().isEmpty());
        lambda.deleteFunction(b -> b.functionName("cli-url"));
    }

    @Test
    void publicUrlNeedsBothPermissionsThenAnswersWithTheFunctionUrlEventAndResponse() throws Exception {
        String id = urlId(lambda.createFunctionUrlConfig(b -> b.functionName("web").authType(FunctionUrlAuthType.NONE)).functionUrl());
        HttpRequest.Builder post = HttpRequest.newBuilder().header("content-type", "application/json").header("cookie", "s=1; t=2")
                .POST(HttpRequest.BodyPublishers.ofString("{\"k\":\"v\"}"));
        HttpResponse<String> denied = call(id, "/hello/world?x=1&y=2&x=3", post);
        assertEquals(403, denied.statusCode());
        assertEquals("{\"Message\":\"Forbidden. For troubleshooting Function URL authorization issues, see: "
                + "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html\"}", denied.body());
        lambda.addPermission(b -> b.functionName("web").statementId("url").action("lambda:InvokeFunctionUrl")
                .principal("*").functionUrlAuthType(FunctionUrlAuthType.NONE));
        assertEquals(403, call(id, "/hello/world", post).statusCode(), "lambda:InvokeFunction is needed too");
        lambda.addPermission(b -> b.functionName("web").statementId("invoke").action("lambda:InvokeFunction")
                .principal("*").invokedViaFunctionUrl(true));

        HttpResponse<String> r = call(id, "/hello/world?x=1&y=2&x=3", post);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("yes", r.headers().firstValue("x-echo").orElseThrow());
        assertEquals(List.of("a=1; Path=/", "b=2"), r.headers().allValues("set-cookie"));
        JsonNode e = JSON.readTree(r.body());
        assertEquals("2.0", e.path("version").asText());
        assertEquals("/hello/world", e.path("rawPath").asText());
        assertEquals("x=1&y=2&x=3", e.path("rawQueryString").asText());
        assertEquals("1,3", e.path("queryStringParameters").path("x").asText());
        assertEquals("s=1", e.path("cookies").get(0).asText());
        assertEquals("application/json", e.path("headers").path("content-type").asText());
        assertEquals("{\"k\":\"v\"}", e.path("body").asText());
        assertFalse(e.path("isBase64Encoded").asBoolean());
        JsonNode rc = e.path("requestContext");
        assertEquals("POST", rc.path("http").path("method").asText());
        assertEquals("/hello/world", rc.path("http").path("path").asText());
        assertEquals("HTTP/1.1", rc.path("http").path("protocol").asText());
        assertTrue(rc.path("http").path("userAgent").asText().length() > 0);
        assertEquals(id, rc.path("apiId").asText());
        assertEquals("anonymous", rc.path("accountId").asText());
        assertTrue(rc.path("timeEpoch").asLong() > 0);
        assertTrue(rc.path("requestId").asText().length() > 0);

        HttpResponse<byte[]> bin = java.net.http.HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(Oboro.endpoint().resolve("/_oboro/lambda-url/" + id + "/binary"))
                        .header("content-type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{1, 2, 3})).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, bin.statusCode());
        assertEquals(List.of((byte) 0, (byte) 1, (byte) 2), List.of(bin.body()[0], bin.body()[1], bin.body()[2]));

        HttpResponse<String> plain = call(id, "/plain", HttpRequest.newBuilder());
        assertEquals(200, plain.statusCode());
        assertEquals("application/json", plain.headers().firstValue("content-type").orElseThrow());
        assertEquals("{\"plain\": true}", plain.body());

        HttpResponse<String> failed = call(id, "/fail", HttpRequest.newBuilder());
        assertEquals(502, failed.statusCode());

        // The host form: <url-id>.lambda-url.<region>.localhost:<port>
        String raw = rawGet("/host/form?q=1", id + ".lambda-url.us-east-1.localhost:" + Oboro.endpoint().getPort());
        assertTrue(raw.startsWith("HTTP/1.1 201"), raw);
        assertTrue(raw.contains("\"rawPath\": \"/host/form\""), raw);
        assertTrue(raw.contains("\"domainName\": \"" + id + ".lambda-url.us-east-1.localhost:"), raw);
    }

    /** An HTTP/1.1 GET with a Host header of our choosing (java.net.http does not let a caller set Host). */
    private static String rawGet(String path, String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", Oboro.endpoint().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: test\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void corsPreflightAndResponseHeaders() {
        Samples.create(lambda, account, "cors", "python3.12", "app.handler", Samples.python(ECHO), null);
        String id = urlId(lambda.createFunctionUrlConfig(b -> b.functionName("cors").authType(FunctionUrlAuthType.NONE)
                .cors(c -> c.allowOrigins("https://app.example").allowMethods("GET", "POST").allowHeaders("x-custom")
                        .exposeHeaders("x-echo").maxAge(300).allowCredentials(true))).functionUrl());
        allowPublic("cors", null);
        HttpResponse<String> pre = call(id, "/", HttpRequest.newBuilder().method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("origin", "https://app.example").header("access-control-request-method", "POST"));
        assertEquals(200, pre.statusCode());
        assertEquals("https://app.example", pre.headers().firstValue("access-control-allow-origin").orElseThrow());
        assertEquals("GET,POST", pre.headers().firstValue("access-control-allow-methods").orElseThrow());
        assertEquals("x-custom", pre.headers().firstValue("access-control-allow-headers").orElseThrow());
        assertEquals("300", pre.headers().firstValue("access-control-max-age").orElseThrow());
        assertEquals("true", pre.headers().firstValue("access-control-allow-credentials").orElseThrow());
        assertTrue(pre.body().isEmpty(), "a preflight does not reach the function");

        HttpResponse<String> get = call(id, "/", HttpRequest.newBuilder().header("origin", "https://app.example"));
        assertEquals(201, get.statusCode());
        assertEquals("https://app.example", get.headers().firstValue("access-control-allow-origin").orElseThrow());
        assertEquals("x-echo", get.headers().firstValue("access-control-expose-headers").orElseThrow());

        HttpResponse<String> stranger = call(id, "/", HttpRequest.newBuilder().header("origin", "https://evil.example"));
        assertTrue(stranger.headers().firstValue("access-control-allow-origin").isEmpty());
        lambda.deleteFunction(b -> b.functionName("cors"));
    }

    @Test
    void iamUrlNeedsASignatureAndGrantsOtherAccountsThroughTheResourcePolicy() {
        String id = urlId(lambda.createFunctionUrlConfig(b -> b.functionName("private").qualifier("live")
                .authType(FunctionUrlAuthType.AWS_IAM)).functionUrl());
        assertEquals(403, call(id, "/", HttpRequest.newBuilder()).statusCode(), "unsigned");
        HttpResponse<String> mine = call(id, "/", HttpRequest.newBuilder().header("authorization", auth(account)));
        assertEquals(201, mine.statusCode(), mine.body());
        JsonNode iam = readTree(mine.body()).path("requestContext").path("authorizer").path("iam");
        assertEquals(account, iam.path("accountId").asText());
        assertEquals("arn:aws:iam::" + account + ":root", iam.path("userArn").asText());
        assertEquals(403, call(id, "/", HttpRequest.newBuilder().header("authorization", auth("AKIAUNKNOWNKEY000000"))).statusCode(),
                "an access key Oboro never issued");
        assertEquals(403, call(id, "/", HttpRequest.newBuilder().header("authorization", auth(other))).statusCode(), "another account");
        lambda.addPermission(b -> b.functionName("private").qualifier("live").statementId("other-url").action("lambda:InvokeFunctionUrl")
                .principal(other).functionUrlAuthType(FunctionUrlAuthType.AWS_IAM));
        lambda.addPermission(b -> b.functionName("private").qualifier("live").statementId("other-invoke").action("lambda:InvokeFunction")
                .principal(other));
        assertEquals(201, call(id, "/", HttpRequest.newBuilder().header("authorization", auth(other))).statusCode());
    }

    private static JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(s, e);
        }
    }

    static String auth(String accessKey) {
        return "AWS4-HMAC-SHA256 Credential=" + accessKey + "/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
    }
}
