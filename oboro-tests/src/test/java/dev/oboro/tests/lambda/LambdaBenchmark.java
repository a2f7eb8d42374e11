package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lambda invoke benchmark (not a test): warm latency through the SDK for an in-process Java
 * function and a Python function, Python cold starts, and invokes per second with 32 callers.
 * Run with the test class path: {@code java -cp ... dev.oboro.tests.lambda.LambdaBenchmark}.
 *
 * <p>Latencies are measured through the SDK's default HTTP client (Apache) and through
 * {@code UrlConnectionHttpClient}. The JDK's HttpURLConnection, before it reuses a kept-alive
 * connection for a streamed POST, probes it for a close with a read that times out after 1 ms
 * ({@code sun.net.www.http.HttpClient#available}), so every Invoke through that client costs a
 * millisecond more, on the client, whatever the server does; a raw keep-alive HTTP request is
 * measured too, as the floor.
 */
public final class LambdaBenchmark {
    public static void main(String[] args) throws Exception {
        String account = Oboro.newAccount();
        try (LambdaClient lambda = Samples.client(account)) {
            Samples.create(lambda, account, "bench-java", "java21", "sample.Echo", Samples.java(Map.of("sample/Echo.java", """
                    package sample;
                    import com.amazonaws.services.lambda.runtime.*;
                    import java.util.Map;
                    public class Echo implements RequestHandler<Map<String, Object>, Map<String, Object>> {
                        public Map<String, Object> handleRequest(Map<String, Object> in, Context c) { return in; }
                    }
                    """)), null);
            Samples.create(lambda, account, "bench-py", "python3.12", "app.handler", Samples.python("def handler(e, c):\n    return e\n"), null);
            byte[] payload = "{\"hello\":\"world\"}".getBytes();
            try (LambdaClient apache = client(account, ApacheHttpClient.builder());
                 LambdaClient urlConnection = client(account, UrlConnectionHttpClient.builder());
                 RawHttp rawJava = new RawHttp(account, "bench-java", payload);
                 RawHttp rawPy = new RawHttp(account, "bench-py", payload);
                 RawHttp rawApart = new RawHttp(account, "bench-java", payload, true)) {
                Map<String, Call> calls = new LinkedHashMap<>();
                for (String fn : List.of("bench-java", "bench-py")) {
                    calls.put(fn + " via SDK (Apache, default)", () -> invoke(apache, fn, payload));
                    calls.put(fn + " via SDK (UrlConnection)", () -> invoke(urlConnection, fn, payload));
                    calls.put(fn + " raw HTTP", fn.equals("bench-java") ? rawJava::invoke : rawPy::invoke);
                }
                calls.put("bench-java raw HTTP, head and body apart", rawApart::invoke);
                // warm-up of every path before any is measured (JIT of the shared server and SDK code, connections)
                for (Call c : calls.values()) for (int i = 0; i < 3000; i++) c.run();
                for (Map.Entry<String, Call> e : calls.entrySet()) latency(e.getKey(), e.getValue());
            }
            long[] cold = new long[10];
            for (int i = 0; i < cold.length; i++) {
                String fn = "bench-cold-" + i;
                Samples.create(lambda, account, fn, "python3.12", "app.handler", Samples.python("def handler(e, c):\n    return e\n"), null);
                long s = System.nanoTime();
                invoke(lambda, fn, payload);
                cold[i] = System.nanoTime() - s;
            }
            Arrays.sort(cold);
            System.out.printf("python cold start (first invoke through the SDK): p50 %.1f ms, max %.1f ms%n", cold[cold.length / 2] / 1e6, cold[cold.length - 1] / 1e6);
            for (String fn : List.of("bench-java", "bench-py")) {
                System.out.printf("%-10s 32 concurrent callers: %.0f invokes/s%n", fn, throughput(account, fn, payload, 32, 5));
            }
        }
        System.exit(0);
    }

    private interface Call {
        void run() throws IOException;
    }

    private static void latency(String what, Call call) throws IOException {
        for (int i = 0; i < 200; i++) call.run();
        long[] t = new long[3000];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            call.run();
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        System.out.printf("%-40s warm invoke p50 %.3f ms, p99 %.3f ms%n", what, t[t.length / 2] / 1e6, t[(int) (t.length * 0.99)] / 1e6);
    }

    private static LambdaClient client(String account, SdkHttpClient.Builder<?> http) {
        return LambdaClient.builder().endpointOverride(Oboro.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(Oboro.credentials(account)).httpClientBuilder(http).build();
    }

    /**
     * Invoke as one keep-alive HTTP/1.1 request (Oboro does not check signatures, only the access key):
     * written at once with TCP_NODELAY, or ({@code apart}) its head and body in two writes under Nagle's
     * algorithm, as clients without TCP_NODELAY send them (Oboro acknowledges the head at once, else each
     * request would wait for Linux's delayed ACK, about 40 ms).
     */
    private static final class RawHttp implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] request;
        private final int headLength;
        private final boolean apart;

        RawHttp(String account, String fn, byte[] payload) throws IOException {
            this(account, fn, payload, false);
        }

        RawHttp(String account, String fn, byte[] payload, boolean apart) throws IOException {
            this.apart = apart;
            URI ep = Oboro.endpoint();
            socket = new Socket(ep.getHost(), ep.getPort());
            socket.setTcpNoDelay(!apart);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
            String head = "POST /2015-03-31/functions/" + fn + "/invocations HTTP/1.1\r\nHost: " + ep.getAuthority()
                    + "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=" + account + "/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0"
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n";
            byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
            headLength = h.length;
            request = Arrays.copyOf(h, h.length + payload.length);
            System.arraycopy(payload, 0, request, h.length, payload.length);
        }

        void invoke() throws IOException {
            if (apart) {
                out.write(request, 0, headLength);
                out.flush();
                out.write(request, headLength, request.length - headLength);
            } else {
                out.write(request);
            }
            out.flush();
            String status = line();
            if (!status.startsWith("HTTP/1.1 200")) throw new IOException(status);
            int length = 0;
            for (String l = line(); !l.isEmpty(); l = line()) {
                if (l.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(l.substring(15).trim());
                if (l.regionMatches(true, 0, "x-amz-function-error:", 0, 21)) throw new IOException(l);
            }
            if (in.readNBytes(length).length != length) throw new EOFException();
        }

        private String line() throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) throw new EOFException();
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void invoke(LambdaClient lambda, String fn, byte[] payload) {
        InvokeResponse r = lambda.invoke(b -> b.functionName(fn).payload(SdkBytes.fromByteArray(payload)));
        if (r.functionError() != null) throw new IllegalStateException(r.payload().asUtf8String());
    }

    private static double throughput(String account, String fn, byte[] payload, int callers, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            fs.add(pool.submit(() -> {
                try (LambdaClient c = client(account, ApacheHttpClient.builder())) { // the SDK's default HTTP client
                    while (!stop.get()) {
                        invoke(c, fn, payload);
                        count.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        TimeUnit.SECONDS.sleep(8); // warm-up: 32 environments start (32 cold starts share the CPUs)
        long c0 = count.get();
        long t0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        long n = count.get() - c0;
        double secs = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        return n / secs;
    }
}
