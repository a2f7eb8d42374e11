package dev.oboro.services.ec2;

import dev.oboro.wire.AwsException;

/** Checks every EC2 operation shares. */
final class Ec2Checks {
    private Ec2Checks() {
    }

    /** {@code DryRun=true}: EC2 answers "would have succeeded" as an error (HTTP 412). */
    static void dryRun(Boolean dryRun, String operation) {
        if (Boolean.TRUE.equals(dryRun)) {
            throw new AwsException("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
        }
    }
}
