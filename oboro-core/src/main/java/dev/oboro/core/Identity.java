package dev.oboro.core;

import java.time.Instant;

/**
 * Who made a call: resolved from the access key of the request's signature.
 *
 * @param type        {@code Root}, {@code IAMUser}, {@code AssumedRole}, {@code FederatedUser}, or
 *                    {@code AWSService} when an Oboro service acts as itself (e.g. Lambda assuming a
 *                    function's execution role, matched by a trust policy's {@code Service} principal)
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

    /**
     * An AWS service acting in an account, named by its service principal
     * ({@code lambda.amazonaws.com}): how services call STS {@code AssumeRole} for the roles users
     * hand them.
     */
    public static Identity service(String account, String servicePrincipal) {
        return new Identity(account, servicePrincipal, servicePrincipal, "AWSService", null, servicePrincipal, null, null);
    }
}
