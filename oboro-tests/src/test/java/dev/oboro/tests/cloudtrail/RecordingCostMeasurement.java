package dev.oboro.tests.cloudtrail;

import dev.oboro.core.Call;
import dev.oboro.core.CallListener;
import dev.oboro.core.Identity;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityRequest;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
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

    /**
     * The listeners alone, as the gateway calls them after each request: the cost a request pays.
     * Then the background work those captures cause (building and storing the events), timed by the
     * LookupEvents that waits for it.
     */
    @Test
    void listenerCostPerCall() {
        Assumptions.assumeTrue(Boolean.getBoolean("oboro.measure"), "run with -Doboro.measure=true");
        var oboro = Oboro.server().oboro();
        List<CallListener> listeners = oboro.gateway().listeners();
        String account = Oboro.newAccount();
        GetCallerIdentityRequest req = GetCallerIdentityRequest.builder().build();
        GetCallerIdentityResponse resp = GetCallerIdentityResponse.builder().account(account)
                .arn("arn:aws:iam::" + account + ":root").userId(account).build();
        int n = Integer.getInteger("oboro.measure.captures", 50_000);
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Call call = new Call(oboro, "sts", "GetCallerIdentity", "us-east-1", Identity.root(account, account),
                        "req-" + i, "127.0.0.1", "measure");
                for (CallListener l : listeners) l.onCall(call, req, resp, null, null, 200);
            }
            long captured = System.nanoTime() - t0;
            long t1 = System.nanoTime();
            try (CloudTrailClient ct = Oboro.client(CloudTrailClient.builder(), account)) {
                ct.lookupEvents(r -> r.maxResults(1));
            }
            long recorded = System.nanoTime() - t1;
            System.out.printf("round %d: %d captures, %.0f ns/call on the request path; building and storing them: %.1f us/event%n",
                    round, n, captured / (double) n, recorded / 1000.0 / n);
        }
    }

    private static double loop(StsClient sts, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) sts.getCallerIdentity();
        return (System.nanoTime() - t0) / 1000.0 / n;
    }
}
