package dev.oboro.core;

import java.time.Instant;

/**
 * Who made a call: resolved from the access key of the request's signature.
 *
 * @param type        {@code Root}, {@code IAMUser}, {@code AssumedRole}, {@code FederatedUser}
 * @param principalId what {@code GetCallerIdentity} returns as UserId
 * @param userName    the user or role session name, for CloudTrail
 * @param expiresAt   for temporary credentials, when they stop being accepted; else null
 * @param sourceArn   for an assumed role, the role's ARN; for a user, its ARN
 */
public record Identity(String account, String arn, String principalId, String type, String accessKeyId,
                       String userName, Instant expiresAt, String sourceArn) {

    public static Identity root(String account, String accessKeyId) {
        return new Identity(account, "arn:aws:iam::" + account + ":root", account, "Root", accessKeyId, "root", null,
                "arn:aws:iam::" + account + ":root");
    }
}
