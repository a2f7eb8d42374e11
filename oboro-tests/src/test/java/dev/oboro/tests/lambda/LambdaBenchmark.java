package dev.oboro.tests.lambda;

import dev.oboro.tests.support.Oboro;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

import java.util.ArrayList;
import java.util.Arrays;
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
            for (String fn : List.of("bench-java", "bench-py")) {
                for (int i = 0; i < 500; i++) invoke(lambda, fn, payload); // warm-up (JIT, connections)
                long[] t = new long[3000];
                for (int i = 0; i < t.length; i++) {
                    long s = System.nanoTime();
                    invoke(lambda, fn, payload);
                    t[i] = System.nanoTime() - s;
                }
                Arrays.sort(t);
                System.out.printf("%-10s warm invoke via SDK: p50 %.3f ms, p99 %.3f ms%n", fn, t[t.length / 2] / 1e6, t[(int) (t.length * 0.99)] / 1e6);
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
                try (LambdaClient c = Samples.client(account)) {
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
