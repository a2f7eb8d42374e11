package dev.oboro.services.kms;

import software.amazon.awssdk.services.kms.model.GrantConstraints;

import java.time.Instant;
import java.util.List;

/** A grant: permission for a principal to use a key for some operations, until retired or revoked. */
record KmsGrant(String grantId, String keyId, String keyArn, String name, String granteePrincipal, String retiringPrincipal,
                List<String> operations, GrantConstraints constraints, Instant creationDate, String issuingAccount) {
}
