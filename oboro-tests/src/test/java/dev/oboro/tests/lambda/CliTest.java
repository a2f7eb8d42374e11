package dev.oboro.tests.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AWS CLI v2 against Lambda: create from a zip file, invoke, layers, and paginated listings. */
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
}
