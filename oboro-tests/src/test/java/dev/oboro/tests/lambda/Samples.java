package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.InvokeMode;
import software.amazon.awssdk.services.lambda.model.GetFunctionRequest;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Sample functions the tests build themselves: zips of Python, Node.js and shell code, and Java handlers compiled here. */
final class Samples {
    private Samples() {
    }

    static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    private static final java.util.Set<String> ROLES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The execution role of the account's sample functions, created in IAM (trusting lambda.amazonaws.com) on first use. */
    static String role(String account) {
        if (ROLES.add(account)) {
            try (IamClient iam = Oboro.client(IamClient.builder(), account)) {
                iam.createRole(r -> r.roleName("lambda-role").assumeRolePolicyDocument(TRUST));
            }
        }
        return "arn:aws:iam::" + account + ":role/lambda-role";
    }

    private static final java.util.Set<String> VPC_ROLES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * An execution role for VPC functions: trusting lambda.amazonaws.com with AWS's
     * AWSLambdaVPCAccessExecutionRole attached (Lambda refuses a VpcConfig without its ENI permissions).
     */
    static String vpcRole(String account) {
        if (VPC_ROLES.add(account)) {
            try (IamClient iam = Oboro.client(IamClient.builder(), account)) {
                iam.createRole(r -> r.roleName("lambda-vpc-role").assumeRolePolicyDocument(TRUST));
                iam.attachRolePolicy(r -> r.roleName("lambda-vpc-role").policyArn(VPC_ACCESS_POLICY));
            }
        }
        return "arn:aws:iam::" + account + ":role/lambda-vpc-role";
    }

    static final String VPC_ACCESS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

    /** A zip of the given files (name → content); files named {@code bootstrap} or ending in .sh are marked executable. */
    static byte[] zip(Map<String, String> files) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return zipBytes(bytes);
    }

    static byte[] zipBytes(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] python(String code) {
        return zip(Map.of("app.py", code));
    }

    /** Compiles Java sources (file name → source) against the test class path and zips the classes as a Lambda deployment package. */
    static byte[] java(Map<String, String> sources) {
        try {
            Path dir = Files.createTempDirectory("lambda-java-src");
            Path classes = Files.createDirectories(dir.resolve("classes"));
            List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath", System.getProperty("java.class.path"),
                    "--release", "21", "-proc:none"));
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path f = dir.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
                args.add(f.toString());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int rc = javac.run(null, null, err, args.toArray(String[]::new));
            if (rc != 0) throw new IllegalStateException("javac failed: " + err);
            Map<String, byte[]> files = new LinkedHashMap<>();
            try (Stream<Path> s = Files.walk(classes)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    files.put(classes.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
            return zipBytes(files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FunctionConfiguration create(LambdaClient lambda, String account, String name, String runtime, String handler, byte[] zip,
                                        Consumer<CreateFunctionRequest.Builder> more) {
        FunctionConfiguration c = FunctionConfigurationOf(lambda.createFunction(b -> {
            // a generous timeout: CI machines are shared and busy; tests of timeouts set their own
            b.functionName(name).runtime(runtime).handler(handler).role(role(account)).timeout(60)
                    .code(c2 -> c2.zipFile(SdkBytes.fromByteArray(zip)));
            if (more != null) more.accept(b);
        }));
        awaitActive(lambda, name);
        return c;
    }

    private static FunctionConfiguration FunctionConfigurationOf(software.amazon.awssdk.services.lambda.model.CreateFunctionResponse r) {
        return FunctionConfiguration.builder().functionName(r.functionName()).functionArn(r.functionArn()).state(r.state())
                .codeSha256(r.codeSha256()).codeSize(r.codeSize()).version(r.version()).build();
    }

    /** Waits with the SDK's own waiter (polling faster than its default second) until the function is Active and updated. */
    static void awaitActive(LambdaClient lambda, String name) {
        WaiterOverrideConfiguration fast = WaiterOverrideConfiguration.builder()
                .backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(50))).maxAttempts(200).build();
        GetFunctionRequest req = GetFunctionRequest.builder().functionName(name).build();
        lambda.waiter().waitUntilFunctionActiveV2(req, fast);
        lambda.waiter().waitUntilFunctionUpdatedV2(req, fast);
    }

    /** A function URL in RESPONSE_STREAM mode that anyone may call (auth type NONE, both permissions); its url id. */
    static String publicStreamingUrl(LambdaClient lambda, String function) {
        String url = lambda.createFunctionUrlConfig(b -> b.functionName(function).authType(FunctionUrlAuthType.NONE)
                .invokeMode(InvokeMode.RESPONSE_STREAM)).functionUrl();
        lambda.addPermission(b -> b.functionName(function).statementId("url").action("lambda:InvokeFunctionUrl")
                .principal("*").functionUrlAuthType(FunctionUrlAuthType.NONE));
        lambda.addPermission(b -> b.functionName(function).statementId("invoke").action("lambda:InvokeFunction")
                .principal("*").invokedViaFunctionUrl(true));
        return java.net.URI.create(url).getHost().split("\\.")[0];
    }

    /** Deletes every function of the client's account (a test class's teardown: each class has an account of its own). */
    static void deleteAll(LambdaClient lambda) {
        for (var f : lambda.listFunctionsPaginator().functions()) lambda.deleteFunction(b -> b.functionName(f.functionName()));
    }

    static LambdaClient client(String account) {
        return Oboro.client(LambdaClient.builder(), account);
    }

    static boolean hasNode() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "node"))) return true;
        }
        return false;
    }
}
