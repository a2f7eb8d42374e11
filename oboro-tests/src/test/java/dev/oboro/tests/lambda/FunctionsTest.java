package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.PublishVersionResponse;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The function control plane through the SDK: create, read, update, delete, list, versions, tags, and AWS's errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FunctionsTest {
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);
    static final byte[] CODE = Samples.python("def handler(e, c):\n    return 'v1'\n");

    @AfterAll
    void tearDown() {
        lambda.close();
    }

    private String arn(String name) {
        return "arn:aws:lambda:us-east-1:" + account + ":function:" + name;
    }

    @Test
    void createReportsTheConfigurationAsLambdaDoes() throws Exception {
        var created = lambda.createFunction(b -> b.functionName("cfg").runtime("python3.12").handler("app.handler")
                .role(Samples.role(account)).code(c -> c.zipFile(SdkBytes.fromByteArray(CODE))).memorySize(512).timeout(30)
                .description("a function").environment(e -> e.variables(Map.of("K", "V"))).architectures(Architecture.ARM64)
                .ephemeralStorage(s -> s.size(1024)).tags(Map.of("team", "a")));
        assertEquals("Pending", created.stateAsString());
        assertEquals("Creating", created.stateReasonCodeAsString());
        assertEquals(arn("cfg"), created.functionArn());
        assertEquals(CODE.length, created.codeSize());
        assertEquals(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(CODE)), created.codeSha256());
        assertEquals("$LATEST", created.version());
        Samples.awaitActive(lambda, "cfg");
        var got = lambda.getFunctionConfiguration(b -> b.functionName("cfg"));
        assertEquals("Active", got.stateAsString());
        assertEquals("Successful", got.lastUpdateStatusAsString());
        assertEquals(512, got.memorySize());
        assertEquals(30, got.timeout());
        assertEquals("a function", got.description());
        assertEquals("V", got.environment().variables().get("K"));
        assertEquals(List.of(Architecture.ARM64), got.architectures());
        assertEquals(1024, got.ephemeralStorage().size());
        assertEquals("Zip", got.packageTypeAsString());
        assertEquals("/aws/lambda/cfg", got.loggingConfig().logGroup());
        assertTrue(got.lastModified().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000"), got.lastModified());
        GetFunctionResponse f = lambda.getFunction(b -> b.functionName(arn("cfg")));
        assertEquals(Map.of("team", "a"), f.tags());
        assertEquals("S3", f.code().repositoryType());
        HttpResponse<byte[]> zip = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(f.code().location())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(CODE, zip.body(), "Code.Location serves the deployment package");
        assertTrue(f.configuration().functionArn().endsWith(":cfg"));
    }

    @Test
    void errorsUseLambdasCodesStatusesAndMessages() {
        Samples.create(lambda, account, "dup", "python3.12", "app.handler", CODE, null);
        ResourceConflictException dup = assertThrows(ResourceConflictException.class, () -> lambda.createFunction(b -> b.functionName("dup")
                .runtime("python3.12").handler("app.handler").role(Samples.role(account)).code(c -> c.zipFile(SdkBytes.fromByteArray(CODE)))));
        assertEquals(409, dup.statusCode());
        assertEquals("Function already exist: dup", dup.awsErrorDetails().errorMessage());

        ResourceNotFoundException nf = assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(b -> b.functionName("nope")));
        assertEquals(404, nf.statusCode());
        assertEquals("Function not found: " + arn("nope"), nf.awsErrorDetails().errorMessage());
        ResourceNotFoundException nfv = assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(b -> b.functionName("dup").qualifier("9")));
        assertEquals("Function not found: " + arn("dup") + ":9", nfv.awsErrorDetails().errorMessage());

        InvalidParameterValueException old = assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b.functionName("old")
                .runtime("python2.7").handler("app.handler").role(Samples.role(account)).code(c -> c.zipFile(SdkBytes.fromByteArray(CODE)))));
        assertTrue(old.awsErrorDetails().errorMessage().startsWith("The runtime parameter of python2.7 is no longer supported"), old.getMessage());

        InvalidParameterValueException nohandler = assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b.functionName("nh")
                .runtime("python3.12").role(Samples.role(account)).code(c -> c.zipFile(SdkBytes.fromByteArray(CODE)))));
        assertEquals("Runtime and Handler are mandatory parameters for functions created with deployment packages.", nohandler.awsErrorDetails().errorMessage());

        InvalidParameterValueException badZip = assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b.functionName("bz")
                .runtime("python3.12").handler("app.handler").role(Samples.role(account)).code(c -> c.zipFile(SdkBytes.fromUtf8String("not a zip")))));
        assertEquals("Could not unzip uploaded file. Please check your file, then try to upload again.", badZip.awsErrorDetails().errorMessage());

        InvalidParameterValueException reserved = assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b.functionName("rv")
                .runtime("python3.12").handler("app.handler").role(Samples.role(account)).code(c -> c.zipFile(SdkBytes.fromByteArray(CODE)))
                .environment(e -> e.variables(Map.of("AWS_REGION", "x")))));
        assertTrue(reserved.awsErrorDetails().errorMessage().endsWith("Reserved keys used in this request: AWS_REGION"));

        LambdaException badRuntime = assertThrows(LambdaException.class, () -> lambda.createFunction(b -> b.functionName("br")
                .runtime("cobol85").handler("app.handler").role(Samples.role(account)).code(c -> c.zipFile(SdkBytes.fromByteArray(CODE)))));
        assertEquals("ValidationException", badRuntime.awsErrorDetails().errorCode());

        LambdaException badRole = assertThrows(LambdaException.class, () -> lambda.createFunction(b -> b.functionName("brole")
                .runtime("python3.12").handler("app.handler").role("not-a-role").code(c -> c.zipFile(SdkBytes.fromByteArray(CODE)))));
        assertEquals("ValidationException", badRole.awsErrorDetails().errorCode());

        InvalidParameterValueException noRole = assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b.functionName("nr")
                .runtime("python3.12").handler("app.handler").role("arn:aws:iam::" + account + ":role/missing").code(c -> c.zipFile(SdkBytes.fromByteArray(CODE)))));
        assertEquals("The role defined for the function cannot be assumed by Lambda.", noRole.awsErrorDetails().errorMessage());
        try (var iam = Oboro.client(software.amazon.awssdk.services.iam.IamClient.builder(), account)) {
            iam.createRole(r -> r.roleName("for-ec2").assumeRolePolicyDocument(Samples.TRUST.replace("lambda.amazonaws.com", "ec2.amazonaws.com")));
        }
        InvalidParameterValueException untrusted = assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b.functionName("nr")
                .runtime("python3.12").handler("app.handler").role("arn:aws:iam::" + account + ":role/for-ec2").code(c -> c.zipFile(SdkBytes.fromByteArray(CODE)))));
        assertEquals("The role defined for the function cannot be assumed by Lambda.", untrusted.awsErrorDetails().errorMessage());

        ResourceNotFoundException del = assertThrows(ResourceNotFoundException.class, () -> lambda.deleteFunction(b -> b.functionName("nope")));
        assertEquals("Function not found: " + arn("nope"), del.awsErrorDetails().errorMessage());
    }

    @Test
    void updatesChangeCodeAndConfigurationAndInvocationsSeeThem() {
        Samples.create(lambda, account, "upd", "python3.12", "app.handler", CODE, null);
        assertEquals("\"v1\"", lambda.invoke(b -> b.functionName("upd")).payload().asUtf8String());
        byte[] v2 = Samples.python("import os\ndef handler(e, c):\n    return 'v2 ' + os.environ.get('MODE', '-')\n");
        var u = lambda.updateFunctionCode(b -> b.functionName("upd").zipFile(SdkBytes.fromByteArray(v2)));
        assertEquals("InProgress", u.lastUpdateStatusAsString());
        assertEquals(v2.length, u.codeSize());
        Samples.awaitActive(lambda, "upd");
        assertEquals("\"v2 -\"", lambda.invoke(b -> b.functionName("upd")).payload().asUtf8String());
        var uc = lambda.updateFunctionConfiguration(b -> b.functionName("upd").environment(e -> e.variables(Map.of("MODE", "blue"))).timeout(9));
        assertEquals(9, uc.timeout());
        assertEquals("InProgress", uc.lastUpdateStatusAsString());
        Samples.awaitActive(lambda, "upd");
        assertEquals("\"v2 blue\"", lambda.invoke(b -> b.functionName("upd")).payload().asUtf8String());
        LambdaException stale = assertThrows(LambdaException.class, () -> lambda.updateFunctionConfiguration(b -> b.functionName("upd").revisionId("stale")));
        assertEquals("PreconditionFailedException", stale.awsErrorDetails().errorCode());
        assertEquals(412, stale.statusCode());
    }

    @Test
    void versionsAreImmutableSnapshots() {
        Samples.create(lambda, account, "ver", "python3.12", "app.handler", CODE, null);
        PublishVersionResponse v1 = lambda.publishVersion(b -> b.functionName("ver").description("first"));
        assertEquals("1", v1.version());
        assertEquals(arn("ver") + ":1", v1.functionArn());
        assertEquals("1", lambda.publishVersion(b -> b.functionName("ver")).version(), "nothing changed: the last version is returned");
        lambda.updateFunctionCode(b -> b.functionName("ver").zipFile(SdkBytes.fromByteArray(Samples.python("def handler(e, c):\n    return 'v2'\n"))));
        Samples.awaitActive(lambda, "ver");
        assertEquals("2", lambda.publishVersion(b -> b.functionName("ver")).version());
        assertEquals("\"v1\"", lambda.invoke(b -> b.functionName("ver").qualifier("1")).payload().asUtf8String());
        assertEquals("\"v2\"", lambda.invoke(b -> b.functionName(arn("ver") + ":2")).payload().asUtf8String());
        assertEquals("1", lambda.invoke(b -> b.functionName("ver:1")).executedVersion());
        List<String> versions = new ArrayList<>();
        lambda.listVersionsByFunctionPaginator(b -> b.functionName("ver").maxItems(1)).versions().forEach(v -> versions.add(v.version()));
        assertEquals(List.of("$LATEST", "1", "2"), versions);
        assertEquals("first", lambda.getFunctionConfiguration(b -> b.functionName("ver").qualifier("1")).description());
        lambda.deleteFunction(b -> b.functionName("ver").qualifier("1"));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(b -> b.functionName("ver:1")));
        InvalidParameterValueException latest = assertThrows(InvalidParameterValueException.class,
                () -> lambda.deleteFunction(b -> b.functionName("ver").qualifier("$LATEST")));
        assertEquals("$LATEST version cannot be deleted without deleting the function.", latest.awsErrorDetails().errorMessage());
    }

    @Test
    void listPagesWithMarkerAndDeleteRemoves() {
        for (String n : List.of("list-a", "list-b", "list-c")) Samples.create(lambda, account, n, "python3.12", "app.handler", CODE, null);
        var page1 = lambda.listFunctions(b -> b.maxItems(2));
        List<String> names = new ArrayList<>(page1.functions().stream().map(FunctionConfiguration::functionName).toList());
        assertEquals(2, names.size());
        var page2 = lambda.listFunctions(b -> b.maxItems(2).marker(page1.nextMarker()));
        page2.functions().forEach(f -> names.add(f.functionName()));
        List<String> all = new ArrayList<>();
        lambda.listFunctionsPaginator(b -> b.maxItems(1)).functions().forEach(f -> all.add(f.functionName()));
        assertTrue(all.containsAll(List.of("list-a", "list-b", "list-c")), all.toString());
        lambda.deleteFunction(b -> b.functionName("list-b"));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(b -> b.functionName("list-b")));
        assertTrue(lambda.listFunctionsPaginator(b -> b.maxItems(50)).functions().stream().noneMatch(f -> f.functionName().equals("list-b")));
    }

    @Test
    void tagsThroughTheResourceArn() {
        Samples.create(lambda, account, "tagged", "python3.12", "app.handler", CODE, null);
        lambda.tagResource(b -> b.resource(arn("tagged")).tags(Map.of("a", "1", "b", "2")));
        lambda.untagResource(b -> b.resource(arn("tagged")).tagKeys("a"));
        assertEquals(Map.of("b", "2"), lambda.listTags(b -> b.resource(arn("tagged"))).tags());
        assertNull(lambda.getFunction(b -> b.functionName("tagged")).concurrency());
    }
}
