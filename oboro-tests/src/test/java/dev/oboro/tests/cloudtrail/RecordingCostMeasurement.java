package dev.oboro.tests.cloudtrail;

import dev.oboro.core.CallListener;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import software.amazon.awssdk.services.sts.StsClient;

import java.util.List;

/**
 * Not a test: a measurement of what CloudTrail's recording adds to a request, run on demand with
 * {@code -Doboro.measure=true -Dtest='dev.oboro.tests.cloudtrail.RecordingCostMeasurement'}. It times a
 * tight loop of STS GetCallerIdentity through a real SDK client with the call listeners registered
 * and without them, alternating rounds to even out JIT and noise, and prints the per-call times.
 */
@Isolated
class RecordingCostMeasurement {
    @Test
    void getCallerIdentityWithAndWithoutRecording() {
        Assumptions.assumeTrue(Boolean.getBoolean("oboro.measure"), "run with -Doboro.measure=true");
        var gateway = Oboro.server().oboro().gateway();
        List<CallListener> listeners = gateway.listeners();
        int n = Integer.getInteger("oboro.measure.calls", 20_000);
        try (StsClient sts = Oboro.client(StsClient.builder(), Oboro.newAccount())) {
            loop(sts, n); // warm-up
            double with = 0, without = 0;
            int rounds = 5;
            for (int round = 0; round < rounds; round++) {
                with += loop(sts, n);
                listeners.forEach(gateway::removeListener);
                try {
                    without += loop(sts, n);
                } finally {
                    listeners.forEach(gateway::addListener);
                }
            }
            System.out.printf("GetCallerIdentity, %d calls x %d rounds: %.1f us/call with recording, %.1f us/call without, "
                    + "recording adds %.2f us/call (%.1f%%)%n", n, rounds, with / rounds, without / rounds,
                    (with - without) / rounds, 100 * (with - without) / without);
        }
    }

    private static double loop(StsClient sts, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) sts.getCallerIdentity();
        return (System.nanoTime() - t0) / 1000.0 / n;
    }
}
