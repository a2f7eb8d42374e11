package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Aliases, and weighted routing between two versions. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AliasesTest {
    final String account = Oboro.newAccount();
    final LambdaClient lambda = Samples.client(account);

    static final String V = """
            package sample;
            import com.amazonaws.services.lambda.runtime.*;
            public class V implements RequestHandler<Object, String> {
                public String handleRequest(Object in, Context ctx) { return "%s"; }
            }
            """;

    @BeforeAll
    void setUp() {
        Samples.create(lambda, account, "routed", "java21", "sample.V", Samples.java(Map.of("sample/V.java", V.formatted("one"))), null);
        lambda.publishVersion(b -> b.functionName("routed"));
        lambda.updateFunctionCode(b -> b.functionName("routed").zipFile(SdkBytes.fromByteArray(Samples.java(Map.of("sample/V.java", V.formatted("two"))))));
        Samples.awaitActive(lambda, "routed");
        lambda.publishVersion(b -> b.functionName("routed"));
    }

    @AfterAll
    void tearDown() {
        lambda.close();
    }

    private String arn() {
        return "arn:aws:lambda:us-east-1:" + account + ":function:routed";
    }

    @Test
    void createGetUpdateListDelete() {
        var created = lambda.createAlias(b -> b.functionName("routed").name("live").functionVersion("1").description("prod"));
        assertEquals(arn() + ":live", created.aliasArn());
        assertEquals("1", lambda.getAlias(b -> b.functionName("routed").name("live")).functionVersion());
        assertEquals("\"one\"", lambda.invoke(b -> b.functionName("routed").qualifier("live")).payload().asUtf8String());
        lambda.updateAlias(b -> b.functionName("routed").name("live").functionVersion("2"));
        InvokeResponse r = lambda.invoke(b -> b.functionName(arn() + ":live"));
        assertEquals("\"two\"", r.payload().asUtf8String());
        assertEquals("2", r.executedVersion());
        lambda.createAlias(b -> b.functionName("routed").name("beta").functionVersion("$LATEST"));
        List<String> names = new ArrayList<>();
        lambda.listAliasesPaginator(b -> b.functionName("routed").maxItems(1)).aliases().forEach(a -> names.add(a.name()));
        assertTrue(names.containsAll(List.of("beta", "live")), names.toString());
        ResourceConflictException dup = assertThrows(ResourceConflictException.class,
                () -> lambda.createAlias(b -> b.functionName("routed").name("live").functionVersion("1")));
        assertEquals("Alias already exists: " + arn() + ":live", dup.awsErrorDetails().errorMessage());
        ResourceConflictException inUse = assertThrows(ResourceConflictException.class,
                () -> lambda.deleteFunction(b -> b.functionName("routed").qualifier("2")));
        assertTrue(inUse.awsErrorDetails().errorMessage().startsWith("Unable to delete version because the following aliases reference it"));
        lambda.deleteAlias(b -> b.functionName("routed").name("beta"));
        ResourceNotFoundException gone = assertThrows(ResourceNotFoundException.class, () -> lambda.getAlias(b -> b.functionName("routed").name("beta")));
        assertEquals("Cannot find alias arn: " + arn() + ":beta", gone.awsErrorDetails().errorMessage());
        ResourceNotFoundException noVersion = assertThrows(ResourceNotFoundException.class,
                () -> lambda.createAlias(b -> b.functionName("routed").name("x").functionVersion("42")));
        assertEquals("Function not found: " + arn() + ":42", noVersion.awsErrorDetails().errorMessage());
        assertThrows(ResourceNotFoundException.class, () -> lambda.invoke(b -> b.functionName("routed").qualifier("nosuchalias")));
        lambda.deleteAlias(b -> b.functionName("routed").name("live"));
    }

    @Test
    void weightedAliasSplitsTrafficNinetyTen() {
        AliasConfiguration a = AliasConfiguration.builder().build();
        lambda.createAlias(b -> b.functionName("routed").name("canary").functionVersion("1")
                .routingConfig(r -> r.additionalVersionWeights(Map.of("2", 0.1))));
        assertEquals(0.1, lambda.getAlias(b -> b.functionName("routed").name("canary")).routingConfig().additionalVersionWeights().get("2"));
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            InvokeResponse r = lambda.invoke(b -> b.functionName("routed").qualifier("canary"));
            assertEquals(r.executedVersion().equals("1") ? "\"one\"" : "\"two\"", r.payload().asUtf8String());
            count.merge(r.executedVersion(), 1, Integer::sum);
        }
        int v2 = count.getOrDefault("2", 0);
        // binomial(1000, 0.1): mean 100, standard deviation 9.5
        assertTrue(v2 > 50 && v2 < 150, count.toString());
        assertEquals(1000, count.get("1") + v2);
        InvalidParameterValueException same = assertThrows(InvalidParameterValueException.class,
                () -> lambda.updateAlias(b -> b.functionName("routed").name("canary").routingConfig(r -> r.additionalVersionWeights(Map.of("1", 0.5)))));
        assertTrue(same.awsErrorDetails().errorMessage().contains("already included in routing configuration"));
        lambda.updateAlias(b -> b.functionName("routed").name("canary").routingConfig(r -> r.additionalVersionWeights(Map.of())));
        assertNull(lambda.getAlias(b -> b.functionName("routed").name("canary")).routingConfig());
        assertNull(a.routingConfig());
    }
}
