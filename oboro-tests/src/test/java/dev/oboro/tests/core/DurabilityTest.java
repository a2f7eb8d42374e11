package dev.oboro.tests.core;

import dev.oboro.tests.support.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.HostedZone;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every acknowledged change survives a restart, a SIGTERM and a kill -9 in the middle of load. */
class DurabilityTest {

    static Route53Client route53(URI endpoint) {
        return Route53Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("111122223333", "x")))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(java.time.Duration.ofSeconds(90)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @Test
    void stateSurvivesGracefulStopAndKill9(@TempDir Path data) throws Exception {
        String id;
        try (ServerProcess s = ServerProcess.start(data); Route53Client r53 = route53(s.endpoint())) {
            id = r53.createHostedZone(r -> r.name("durable.example.com").callerReference("d1")).hostedZone().id();
            s.kill9();
        }
        try (ServerProcess s = ServerProcess.start(data); Route53Client r53 = route53(s.endpoint())) {
            assertEquals("durable.example.com.", r53.getHostedZone(r -> r.id(id)).hostedZone().name());
            r53.createHostedZone(r -> r.name("second.example.com").callerReference("d2"));
            s.stop();
        }
        try (ServerProcess s = ServerProcess.start(data); Route53Client r53 = route53(s.endpoint())) {
            assertEquals(Set.of("durable.example.com.", "second.example.com."),
                    r53.listHostedZones().hostedZones().stream().map(HostedZone::name).collect(Collectors.toSet()));
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesKill9MidLoad(@TempDir Path data) throws Exception {
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (ServerProcess s = ServerProcess.start(data)) {
            List<Thread> writers = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(Thread.ofVirtual().start(() -> {
                    try (Route53Client r53 = route53(s.endpoint())) {
                        for (int i = 0; !stop.get() && i < 10_000; i++) {
                            String ref = "w" + writer + "-" + i;
                            try {
                                r53.createHostedZone(r -> r.name(ref + ".load.example").callerReference(ref));
                                acknowledged.add(ref + ".load.example.");
                            } catch (RuntimeException e) {
                                return; // the server died under us: this write was not acknowledged
                            }
                        }
                    }
                }));
            }
            // waiting for load to build up, not for behaviour: kill once enough writes were acknowledged
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (acknowledged.size() < 100 && System.nanoTime() < deadline) Thread.sleep(5);
            s.kill9();
            stop.set(true);
            for (Thread t : writers) t.join(30_000);
        }
        assertTrue(acknowledged.size() >= 20, "load ran: " + acknowledged.size());
        try (ServerProcess s = ServerProcess.start(data); Route53Client r53 = route53(s.endpoint())) {
            Set<String> present = r53.listHostedZonesPaginator().hostedZones().stream().map(HostedZone::name).collect(Collectors.toSet());
            for (String name : acknowledged) assertTrue(present.contains(name), "lost acknowledged zone " + name);
        }
    }
}
