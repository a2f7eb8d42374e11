package dev.oboro.services.kms;

import java.time.Instant;

/** An alias: a friendly name ({@code alias/...}) pointing at one key of the same account and region. */
record KmsAlias(String aliasName, String aliasArn, String targetKeyId, Instant creationDate, Instant lastUpdatedDate) {
    KmsAlias retarget(String keyId, Instant at) {
        return new KmsAlias(aliasName, aliasArn, keyId, creationDate, at);
    }
}
