package dev.oboro.tests.stepfunctions;

import dev.oboro.tests.support.Oboro;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: executions per second of a short Pass chain through the API (StartSyncExecution on an EXPRESS
 * machine, SDK v2 client over HTTP to the in-process server). Run with the test classpath:
 * {@code java -cp <test classpath> dev.oboro.tests.stepfunctions.SyncExecutionBenchmark [seconds] [threads]}.
 */
public final class SyncExecutionBenchmark {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        String account = Oboro.newAccount();
        String chain = """
                {"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Parameters":{"n.$":"$.n"},"Next":"C"},
                 "C":{"Type":"Pass","Result":"c","ResultPath":"$.c","Next":"D"},"D":{"Type":"Pass","Next":"E"},"E":{"Type":"Succeed"}}}""";
        String arn;
        try (SfnClient sfn = Sfn.client(account)) {
            arn = Sfn.createExpress(sfn, account, "bench", chain);
            for (int i = 0; i < 2000; i++) sfn.startSyncExecution(r -> r.stateMachineArn(arn).input("{\"n\":1}")); // warm-up
        }
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try (SfnClient sfn = Sfn.client(account)) {
                    while (System.nanoTime() < end) {
                        var r = sfn.startSyncExecution(b -> b.stateMachineArn(arn).input("{\"n\":1}"));
                        if (r.status() != SyncExecutionStatus.SUCCEEDED) throw new IllegalStateException(r.toString());
                        done.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread w : workers) w.join();
        System.out.printf("StartSyncExecution, 5-state Pass chain: %d executions in %d s with %d clients = %.0f executions/s (%.0f state transitions/s)%n",
                done.get(), seconds, threads, done.get() / (double) seconds, done.get() * 5 / (double) seconds);
        System.exit(0);
    }
}
