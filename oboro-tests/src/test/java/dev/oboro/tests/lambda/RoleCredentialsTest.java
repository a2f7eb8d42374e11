package dev.oboro.tests.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.StsException;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A function runs with a session of its execution role: its SDK calls are the assumed role, renewed before it expires. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ResourceLock(Oboro.CLOCK)
class RoleCredentialsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);

    static final String PYTHON = """
            import os
            def handler(event, context):
                return {k: os.environ[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
            """;

    static final String JAVA = """
            package sample;
            import java.util.LinkedHashMap;
            import java.util.Map;
            public class Creds {
                public Map<String, String> handle(Object in) {
                    Map<String, String> m = new LinkedHashMap<>();
                    m.put("AWS_ACCESS_KEY_ID", System.getProperty("aws.accessKeyId"));
                    m.put("AWS_SECRET_ACCESS_KEY", System.getProperty("aws.secretAccessKey"));
                    m.put("AWS_SESSION_TOKEN", System.getProperty("aws.sessionToken"));
                    m.put("region", System.getProperty("aws.region"));
                    m.put("endpoint", System.getProperty("aws.endpointUrl"));
                    return m;
                }
            }
            """;

    @AfterAll
    void tearDown() {
        Samples.deleteAll(lambda);
        lambda.close();
    }

    private JsonNode credentials(String function) throws Exception {
        return JSON.readTree(lambda.invoke(b -> b.functionName(function)).payload().asUtf8String());
    }

    private String callerArn(JsonNode creds) {
        try (StsClient sts = Oboro.client(StsClient.builder(), Oboro.credentials(creds.path("AWS_ACCESS_KEY_ID").asText(),
                creds.path("AWS_SECRET_ACCESS_KEY").asText(), creds.path("AWS_SESSION_TOKEN").asText()), "us-east-1")) {
            return sts.getCallerIdentity().arn();
        }
    }

    @Test
    void aProcessFunctionGetsItsRoleSessionAndARenewedOneBeforeItExpires() throws Exception {
        Samples.create(lambda, account, "who", "python3.12", "app.handler", Samples.python(PYTHON), null);
        JsonNode first = credentials("who");
        assertTrue(first.path("AWS_ACCESS_KEY_ID").asText().startsWith("ASIA"), first.toString());
        assertEquals("arn:aws:sts::" + account + ":assumed-role/lambda-role/who", callerArn(first));

        // 50 minutes later the session has less than 15 minutes left: the next invocation gets a new one
        Oboro.advance(Duration.ofMinutes(50));
        JsonNode second = credentials("who");
        assertNotEquals(first.path("AWS_ACCESS_KEY_ID").asText(), second.path("AWS_ACCESS_KEY_ID").asText());
        Oboro.advance(Duration.ofMinutes(11));
        StsException expired = assertThrows(StsException.class, () -> callerArn(first));
        assertEquals("ExpiredToken", expired.awsErrorDetails().errorCode());
        assertEquals("arn:aws:sts::" + account + ":assumed-role/lambda-role/who", callerArn(second));
    }

    @Test
    void anInProcessJavaFunctionSeesItsCredentialsAsSystemProperties() throws Exception {
        byte[] jar = Samples.java(Map.of("sample/Creds.java", JAVA));
        Samples.create(lambda, account, "java-who", "java21", "sample.Creds::handle", jar, null);
        JsonNode creds = credentials("java-who");
        assertEquals("arn:aws:sts::" + account + ":assumed-role/lambda-role/java-who", callerArn(creds));
        assertEquals("us-east-1", creds.path("region").asText());
        assertEquals(Oboro.endpoint().toString().replaceAll("/$", ""), creds.path("endpoint").asText().replaceAll("/$", ""));
        // other threads of the JVM keep their own properties
        assertNotEquals(creds.path("AWS_ACCESS_KEY_ID").asText(), System.getProperty("aws.accessKeyId"));
    }
}
