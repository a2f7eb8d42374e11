package dev.oboro.services.stepfunctions.asl;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Micro benchmark (not a test): state transitions per second for a long Pass chain and a 1,000-item inline Map,
 * and the wall time to complete 1,000 executions each waiting one hour with one clock advance.
 * Run: java -cp <test classpath> dev.oboro.services.stepfunctions.asl.AslBenchmark
 */
public final class AslBenchmark {
    public static void main(String[] args) {
        int chain = 1000;
        StringBuilder sb = new StringBuilder("{\"StartAt\":\"S0\",\"States\":{");
        for (int i = 0; i < chain; i++) {
            sb.append("\"S").append(i).append("\":{\"Type\":\"Pass\",\"Parameters\":{\"i\":").append(i).append(",\"v.$\":\"$.v\"},");
            sb.append(i == chain - 1 ? "\"End\":true}" : "\"Next\":\"S" + (i + 1) + "\"},");
        }
        String passChain = sb.append("}}").toString();
        String map = "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemSelector\":{\"v.$\":\"$$.Map.Item.Value\"},"
                + "\"ItemProcessor\":{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"B\"},\"B\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}}";
        StringBuilder items = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) items.append(i == 0 ? "" : ",").append(i);
        String mapInput = items.append("]").toString();
        String wait = "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":3600,\"Next\":\"P\"},\"P\":{\"Type\":\"Pass\",\"End\":true}}}";

        for (int round = 0; round < 3; round++) {
            boolean report = round == 2;
            // 1. Pass chain: 1,000 states per execution, 20 executions.
            FakeTime time = new FakeTime(Instant.parse("2024-01-01T00:00:00Z"));
            AslEngine e = AslEngine.builder().clock(time).scheduler(time).random(new SplittableRandom(1)).build();
            int runs = 20;
            long t0 = System.nanoTime();
            for (int r = 0; r < runs; r++) {
                String arn = "arn:aws:states:us-east-1:123456789012:execution:Chain:e" + r;
                e.start(new AslEngine.StartRequest(arn, "arn:aws:states:us-east-1:123456789012:stateMachine:Chain", "e" + r, null, passChain, "{\"v\":1}"));
                check(e, arn);
                e.forget(arn);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (report) System.out.printf("Pass chain: %d transitions in %.3f s = %,.0f transitions/s%n", chain * runs, secs, chain * runs / secs);

            // 2. 1,000-item inline Map with two Pass states per iteration, 5 executions.
            t0 = System.nanoTime();
            int mruns = 5;
            for (int r = 0; r < mruns; r++) {
                String arn = "arn:aws:states:us-east-1:123456789012:execution:Map:e" + r;
                e.start(new AslEngine.StartRequest(arn, "arn:aws:states:us-east-1:123456789012:stateMachine:Map", "e" + r, null, map, mapInput));
                check(e, arn);
                e.forget(arn);
            }
            secs = (System.nanoTime() - t0) / 1e9;
            long transitions = (1000L * 2 + 1) * mruns;
            if (report) System.out.printf("Inline Map 1,000 items: %d transitions in %.3f s = %,.0f transitions/s (%.1f ms per execution)%n",
                    transitions, secs, transitions / secs, secs * 1000 / mruns);

            // 3. 1,000 executions each waiting one hour, completed by one clock advance.
            for (int r = 0; r < 1000; r++) {
                String arn = "arn:aws:states:us-east-1:123456789012:execution:Wait:e" + r;
                e.start(new AslEngine.StartRequest(arn, "arn:aws:states:us-east-1:123456789012:stateMachine:Wait", "e" + r, null, wait, "{}"));
            }
            t0 = System.nanoTime();
            time.advance(Duration.ofHours(1));
            secs = (System.nanoTime() - t0) / 1e9;
            for (int r = 0; r < 1000; r++) check(e, "arn:aws:states:us-east-1:123456789012:execution:Wait:e" + r);
            if (report) System.out.printf("1,000 one-hour waits completed by one advance in %.3f s wall%n", secs);
        }
    }

    private static void check(AslEngine e, String arn) {
        ExecutionData d = e.execution(arn).orElseThrow();
        if (!"SUCCEEDED".equals(d.status)) throw new IllegalStateException(arn + " " + d.status + " " + d.error + " " + d.cause);
    }
}
