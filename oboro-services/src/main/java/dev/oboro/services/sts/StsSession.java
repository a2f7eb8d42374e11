package dev.oboro.services.sts;

import dev.oboro.core.Identity;

import java.time.Instant;

/**
 * Temporary credentials STS issued, and the identity they carry until {@code expiresAt} (then the
 * gateway answers {@code ExpiredToken}). Kept a day past expiry so late callers still hear that.
 */
record StsSession(String accessKeyId, String secretAccessKey, String sessionToken, Identity identity, Instant created) {
}
