package dev.oboro.tests.support;

import dev.oboro.core.Config;
import dev.oboro.server.OboroServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one Oboro server of this test JVM (ephemeral, on a free port), and clients pointed at it.
 *
 * <p>Tests share the server. To keep them independent without resets, each test class takes its
 * own account ({@link #newAccount()}): a 12-digit access key is that account in Oboro, so state
 * never collides. Tests that advance the clock, or that watch state change with time, hold the
 * {@code oboro-clock} resource lock.
 */
public final class Oboro {
    private Oboro() {
    }

    public static final String CLOCK = "oboro-clock";
    private static volatile OboroServer server;
    private static final AtomicLong ACCOUNTS = new AtomicLong(100000000000L + (System.nanoTime() % 1000) * 1000000L);
    private static final Map<Class<?>, List<String>> OWNERS = new ConcurrentHashMap<>();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static synchronized OboroServer server() {
        if (server == null) {
            server = OboroServer.start(Config.defaults().withPort(0).withEphemeral(true));
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }

    public static URI endpoint() {
        return URI.create(server().endpoint());
    }

    /** A fresh account id, unique in this JVM, remembered as the calling test class's (see {@link ReleaseCapacity}). */
    public static String newAccount() {
        String account = Long.toString(ACCOUNTS.incrementAndGet());
        StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                        .map(f -> f.getDeclaringClass().getNestHost())
                        .filter(c -> c.getName().startsWith("dev.oboro.tests.") && c.getSimpleName().endsWith("Test"))
                        .findFirst())
                .ifPresent(c -> OWNERS.computeIfAbsent(c, k -> new CopyOnWriteArrayList<>()).add(account));
        return account;
    }

    /** The accounts a test class (or its nested classes and helpers it called from) took. */
    static List<String> accountsOf(Class<?> testClass) {
        return OWNERS.getOrDefault(testClass, List.of());
    }

    public static AwsCredentialsProvider credentials(String accessKey) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, "test-secret"));
    }

    public static AwsCredentialsProvider credentials(String accessKey, String secret, String sessionToken) {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(accessKey, secret, sessionToken));
    }

    /** A client of any service for an account (its access key), in us-east-1. */
    public static <B extends AwsClientBuilder<B, C> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, C>, C> C client(B builder, String account) {
        return client(builder, credentials(account), "us-east-1");
    }

    public static <B extends AwsClientBuilder<B, C> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, C>, C> C client(
            B builder, AwsCredentialsProvider creds, String region) {
        builder.endpointOverride(endpoint()).region(Region.of(region)).credentialsProvider(creds);
        // the SDK's default HTTP client, as applications use it (UrlConnection's POSTs wait 1 ms each on the client)
        builder.httpClientBuilder(ApacheHttpClient.builder());
        return builder.build();
    }

    /** Advances Oboro's clock, running every task that falls due. */
    public static void advance(Duration d) {
        server().oboro().scheduler().advance(d);
    }

    /** A raw HTTP call to Oboro (admin API, malformed requests). */
    public static HttpResponse<String> http(HttpRequest.Builder req) {
        try {
            return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(endpoint().resolve(pathAndQuery)).timeout(Duration.ofSeconds(30));
    }
}
