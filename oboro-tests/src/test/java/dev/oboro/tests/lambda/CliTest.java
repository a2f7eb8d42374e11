package dev.oboro.tests.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AWS CLI against Lambda: create from a zip file, invoke, layers, paginated listings, versions,
 * aliases, concurrency, permissions, event invoke config and tags (v2), and a v1 round trip.
 */
class CliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();

    @Test
    void createInvokeAndPaginateWithTheCli() throws Exception {
        Path dir = Files.createTempDirectory("cli");
        Path zip = dir.resolve("fn.zip");
        Files.write(zip, Samples.python("def handler(e, c):\n    return {'got': e}\n"));
        for (String n : List.of("cli-a", "cli-b", "cli-c")) {
            JsonNode created = JSON.readTree(Cli.v2(account, "lambda", "create-function", "--function-name", n, "--runtime", "python3.12",
                    "--handler", "app.handler", "--role", Samples.role(account), "--zip-file", "fileb://" + zip).ok().stdout());
            assertEquals(n, created.get("FunctionName").asText());
        }
        try (LambdaClient lambda = Samples.client(account)) {
            Samples.awaitActive(lambda, "cli-a");
        }
        Path out = dir.resolve("out.json");
        JsonNode inv = JSON.readTree(Cli.v2(account, "lambda", "invoke", "--function-name", "cli-a", "--cli-binary-format", "raw-in-base64-out",
                "--payload", "{\"x\":1}", "--log-type", "Tail", out.toString()).ok().stdout());
        assertEquals(200, inv.get("StatusCode").asInt());
        assertEquals("$LATEST", inv.get("ExecutedVersion").asText());
        assertTrue(new String(java.util.Base64.getDecoder().decode(inv.get("LogResult").asText())).contains("REPORT RequestId"));
        assertEquals(1, JSON.readTree(Files.readString(out)).get("got").get("x").asInt());

        JsonNode page = JSON.readTree(Cli.v2(account, "lambda", "list-functions", "--max-items", "2").ok().stdout());
        assertEquals(2, page.get("Functions").size());
        String token = page.get("NextToken").asText();
        JsonNode rest = JSON.readTree(Cli.v2(account, "lambda", "list-functions", "--max-items", "2", "--starting-token", token).ok().stdout());
        List<String> names = new ArrayList<>();
        page.get("Functions").forEach(f -> names.add(f.get("FunctionName").asText()));
        rest.get("Functions").forEach(f -> names.add(f.get("FunctionName").asText()));
        assertEquals(List.of("cli-a", "cli-b", "cli-c"), names);
        JsonNode small = JSON.readTree(Cli.v2(account, "lambda", "list-functions", "--page-size", "1").ok().stdout());
        assertEquals(3, small.get("Functions").size(), "the CLI follows NextMarker page by page");

        Cli.Result missing = Cli.v2(account, "lambda", "get-function", "--function-name", "nope");
        assertEquals(254, missing.exitCode());
        assertTrue(missing.stderr().contains("ResourceNotFoundException") && missing.stderr().contains("Function not found: arn:aws:lambda:us-east-1:"
                + account + ":function:nope"), missing.stderr());
    }

    @Test
    void layersWithTheCli() throws Exception {
        Path zip = Files.createTempFile("layer", ".zip");
        Files.write(zip, Samples.zip(Map.of("python/lib.py", "X = 1\n")));
        for (int i = 0; i < 3; i++) {
            JsonNode v = JSON.readTree(Cli.v2(account, "lambda", "publish-layer-version", "--layer-name", "cli-layer", "--zip-file", "fileb://" + zip,
                    "--compatible-runtimes", "python3.12").ok().stdout());
            assertEquals(i + 1, v.get("Version").asInt());
            assertEquals("arn:aws:lambda:us-east-1:" + account + ":layer:cli-layer:" + (i + 1), v.get("LayerVersionArn").asText());
        }
        JsonNode versions = JSON.readTree(Cli.v2(account, "lambda", "list-layer-versions", "--layer-name", "cli-layer", "--max-items", "2").ok().stdout());
        assertEquals(2, versions.get("LayerVersions").size());
        assertEquals(3, versions.get("LayerVersions").get(0).get("Version").asInt(), "newest first");
        Cli.v2(account, "lambda", "delete-layer-version", "--layer-name", "cli-layer", "--version-number", "3").ok();
        JsonNode layers = JSON.readTree(Cli.v2(account, "lambda", "list-layers").ok().stdout());
        assertEquals(2, layers.get("Layers").get(0).get("LatestMatchingVersion").get("Version").asInt());
        Cli.Result gone = Cli.v2(account, "lambda", "get-layer-version", "--layer-name", "cli-layer", "--version-number", "3");
        assertTrue(gone.stderr().contains("ResourceNotFoundException") && gone.stderr().contains("The resource you requested does not exist."), gone.stderr());
        JsonNode v4 = JSON.readTree(Cli.v2(account, "lambda", "publish-layer-version", "--layer-name", "cli-layer", "--zip-file", "fileb://" + zip).ok().stdout());
        assertEquals(4, v4.get("Version").asInt(), "version numbers are never reused");
    }

    @Test
    void versionsAliasesConcurrencyPermissionsAndTagsWithTheCli() throws Exception {
        Path zip = Files.createTempFile("fn", ".zip");
        Files.write(zip, Samples.python("import os\ndef handler(e, c):\n    return {'v': os.environ['AWS_LAMBDA_FUNCTION_VERSION']}\n"));
        String fn = "cli-ops";
        String arn = "arn:aws:lambda:us-east-1:" + account + ":function:" + fn;
        Cli.v2(account, "lambda", "create-function", "--function-name", fn, "--runtime", "python3.12", "--handler", "app.handler",
                "--role", Samples.role(account), "--zip-file", "fileb://" + zip, "--environment", "Variables={STAGE=one}",
                "--tags", "team=red").ok();
        try (LambdaClient lambda = Samples.client(account)) {
            Samples.awaitActive(lambda, fn);
            assertEquals("1", JSON.readTree(Cli.v2(account, "lambda", "publish-version", "--function-name", fn).ok().stdout()).get("Version").asText());
            JsonNode updated = JSON.readTree(Cli.v2(account, "lambda", "update-function-configuration", "--function-name", fn,
                    "--environment", "Variables={STAGE=two}", "--timeout", "7").ok().stdout());
            assertEquals("two", updated.get("Environment").get("Variables").get("STAGE").asText());
            assertEquals(7, updated.get("Timeout").asInt());
            Samples.awaitActive(lambda, fn);
        }
        assertEquals("2", JSON.readTree(Cli.v2(account, "lambda", "publish-version", "--function-name", fn).ok().stdout()).get("Version").asText());
        List<String> versions = new ArrayList<>();
        JSON.readTree(Cli.v2(account, "lambda", "list-versions-by-function", "--function-name", fn).ok().stdout())
                .get("Versions").forEach(v -> versions.add(v.get("Version").asText()));
        assertEquals(List.of("$LATEST", "1", "2"), versions);

        JsonNode alias = JSON.readTree(Cli.v2(account, "lambda", "create-alias", "--function-name", fn, "--name", "live",
                "--function-version", "1", "--routing-config", "AdditionalVersionWeights={2=0.25}").ok().stdout());
        assertEquals(arn + ":live", alias.get("AliasArn").asText());
        assertEquals(0.25, alias.get("RoutingConfig").get("AdditionalVersionWeights").get("2").asDouble());
        Cli.v2(account, "lambda", "update-alias", "--function-name", fn, "--name", "live", "--function-version", "2",
                "--routing-config", "AdditionalVersionWeights={}").ok();
        Path out = Files.createTempFile("out", ".json");
        JsonNode inv = JSON.readTree(Cli.v2(account, "lambda", "invoke", "--function-name", fn, "--qualifier", "live", out.toString()).ok().stdout());
        assertEquals("2", inv.get("ExecutedVersion").asText());
        assertEquals("2", JSON.readTree(Files.readString(out)).get("v").asText());
        Cli.Result badWeight = Cli.v2(account, "lambda", "update-alias", "--function-name", fn, "--name", "live",
                "--routing-config", "AdditionalVersionWeights={2=0.5}");
        assertEquals(254, badWeight.exitCode());
        assertTrue(badWeight.stderr().contains("InvalidParameterValueException"), badWeight.stderr());

        Cli.v2(account, "lambda", "put-function-concurrency", "--function-name", fn, "--reserved-concurrent-executions", "3").ok();
        assertEquals(3, JSON.readTree(Cli.v2(account, "lambda", "get-function-concurrency", "--function-name", fn).ok().stdout())
                .get("ReservedConcurrentExecutions").asInt());
        Cli.v2(account, "lambda", "delete-function-concurrency", "--function-name", fn).ok();
        String none = Cli.v2(account, "lambda", "get-function-concurrency", "--function-name", fn).ok().stdout();
        assertFalse(none.contains("ReservedConcurrentExecutions"), none);

        JsonNode stmt = JSON.readTree(JSON.readTree(Cli.v2(account, "lambda", "add-permission", "--function-name", fn, "--statement-id", "s3",
                "--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com").ok().stdout()).get("Statement").asText());
        assertEquals("s3", stmt.get("Sid").asText());
        JsonNode policy = JSON.readTree(JSON.readTree(Cli.v2(account, "lambda", "get-policy", "--function-name", fn).ok().stdout()).get("Policy").asText());
        assertEquals("s3.amazonaws.com", policy.get("Statement").get(0).get("Principal").get("Service").asText());
        Cli.Result dup = Cli.v2(account, "lambda", "add-permission", "--function-name", fn, "--statement-id", "s3",
                "--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com");
        assertTrue(dup.stderr().contains("ResourceConflictException"), dup.stderr());
        Cli.v2(account, "lambda", "remove-permission", "--function-name", fn, "--statement-id", "s3").ok();

        JsonNode eic = JSON.readTree(Cli.v2(account, "lambda", "put-function-event-invoke-config", "--function-name", fn,
                "--maximum-retry-attempts", "1", "--maximum-event-age-in-seconds", "600").ok().stdout());
        assertEquals(1, eic.get("MaximumRetryAttempts").asInt());
        assertEquals(600, JSON.readTree(Cli.v2(account, "lambda", "get-function-event-invoke-config", "--function-name", fn).ok().stdout())
                .get("MaximumEventAgeInSeconds").asInt());

        Cli.v2(account, "lambda", "tag-resource", "--resource", arn, "--tags", "env=test").ok();
        JsonNode tags = JSON.readTree(Cli.v2(account, "lambda", "list-tags", "--resource", arn).ok().stdout()).get("Tags");
        assertEquals("red", tags.get("team").asText());
        assertEquals("test", tags.get("env").asText());

        Cli.v2(account, "lambda", "delete-alias", "--function-name", fn, "--name", "live").ok();
        Cli.v2(account, "lambda", "delete-function", "--function-name", fn).ok();
        Cli.Result gone = Cli.v2(account, "lambda", "get-function", "--function-name", fn);
        assertTrue(gone.stderr().contains("ResourceNotFoundException"), gone.stderr());
    }

    @Test
    void cliV1CreatesInvokesAndLists() throws Exception {
        Assumptions.assumeTrue(Cli.v1Path() != null, "no AWS CLI v1 on PATH");
        Path zip = Files.createTempFile("fn", ".zip");
        Files.write(zip, Samples.python("def handler(e, c):\n    return {'got': e}\n"));
        JsonNode created = JSON.readTree(Cli.v1(account, "lambda", "create-function", "--function-name", "cli-v1", "--runtime", "python3.12",
                "--handler", "app.handler", "--role", Samples.role(account), "--zip-file", "fileb://" + zip).ok().stdout());
        assertEquals("Pending", created.get("State").asText());
        try (LambdaClient lambda = Samples.client(account)) {
            Samples.awaitActive(lambda, "cli-v1");
        }
        Path out = Files.createTempFile("out", ".json");
        // CLI v1 sends --payload as it is given
        JsonNode inv = JSON.readTree(Cli.v1(account, "lambda", "invoke", "--function-name", "cli-v1", "--payload", "{\"x\":2}", out.toString()).ok().stdout());
        assertEquals(200, inv.get("StatusCode").asInt());
        assertEquals(2, JSON.readTree(Files.readString(out)).get("got").get("x").asInt());
        JsonNode cfg = JSON.readTree(Cli.v1(account, "lambda", "get-function-configuration", "--function-name", "cli-v1").ok().stdout());
        assertEquals("Active", cfg.get("State").asText());
        Cli.Result missing = Cli.v1(account, "lambda", "invoke", "--function-name", "nope", out.toString());
        assertEquals(255, missing.exitCode());
        assertTrue(missing.stderr().contains("ResourceNotFoundException"), missing.stderr());
    }
}
