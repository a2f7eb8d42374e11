package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invocations write their log lines to CloudWatch Logs and their metrics to CloudWatch, as Lambda does. */
class ObservabilityTest {
    final String account = Oboro.newAccount();

    static <T> T await(Supplier<T> get, java.util.function.Predicate<T> done) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        T v = get.get();
        while (!done.test(v) && System.nanoTime() < until) {
            new CountDownLatch(1).await(50, TimeUnit.MILLISECONDS);
            v = get.get();
        }
        return v;
    }

    @Test
    void logsInAwsLambdaGroupAndMetricsInAwsLambdaNamespace() throws Exception {
        try (LambdaClient lambda = Samples.client(account);
             CloudWatchLogsClient logs = Oboro.client(CloudWatchLogsClient.builder(), account);
             CloudWatchClient cw = Oboro.client(CloudWatchClient.builder(), account)) {
            Samples.create(lambda, account, "observed", "python3.12", "app.handler",
                    Samples.python("def handler(e, c):\n    print('observable line')\n    if e.get('fail'):\n        raise Exception('x')\n    return 1\n"), null);
            lambda.invoke(b -> b.functionName("observed").payload(SdkBytes.fromUtf8String("{}")));
            lambda.invoke(b -> b.functionName("observed").payload(SdkBytes.fromUtf8String("{\"fail\": true}")));
            List<FilteredLogEvent> events = await(() -> logs.filterLogEvents(b -> b.logGroupName("/aws/lambda/observed")).events(),
                    e -> e.stream().filter(x -> x.message().startsWith("REPORT RequestId:")).count() >= 2);
            List<String> messages = events.stream().map(FilteredLogEvent::message).toList();
            assertTrue(messages.stream().anyMatch(m -> m.startsWith("START RequestId: ") && m.endsWith("Version: $LATEST")), messages.toString());
            assertTrue(messages.stream().anyMatch(m -> m.equals("observable line")), messages.toString());
            assertTrue(messages.stream().anyMatch(m -> m.startsWith("END RequestId: ")), messages.toString());
            assertTrue(messages.stream().anyMatch(m -> m.startsWith("REPORT RequestId: ") && m.contains("\tInit Duration: ")), messages.toString());
            assertTrue(events.get(0).logStreamName().matches("\\d{4}/\\d\\d/\\d\\d/\\[\\$LATEST][0-9a-f]{32}"), events.get(0).logStreamName());
            Set<String> names = await(() -> cw.listMetrics(b -> b.namespace("AWS/Lambda")).metrics().stream()
                    .filter(m -> m.dimensions().stream().anyMatch(d -> d.value().equals("observed"))).map(Metric::metricName)
                    .collect(Collectors.toSet()), s -> s.containsAll(Set.of("Invocations", "Errors", "Duration", "ConcurrentExecutions")));
            assertTrue(names.containsAll(Set.of("Invocations", "Errors", "Duration", "ConcurrentExecutions")), names.toString());
        }
    }
}
