package dev.oboro.core;

import dev.oboro.wire.WireRequest;

/**
 * The SigV4 credential of a request: access key and scope, from the {@code Authorization} header
 * or, for presigned URLs, the {@code X-Amz-Credential} query parameter. Oboro does not verify
 * signatures: it reads who the caller says they are and where they are calling.
 */
public record Credential(String accessKeyId, String date, String region, String service) {

    public static Credential of(WireRequest req) {
        String auth = req.header("authorization");
        String cred = null;
        if (auth != null) {
            int i = auth.indexOf("Credential=");
            if (i >= 0) {
                int end = auth.indexOf(',', i);
                cred = auth.substring(i + 11, end < 0 ? auth.length() : end).trim();
            }
        } else if (req.rawQuery() != null && req.rawQuery().contains("X-Amz-Credential=")) {
            cred = req.params().get("X-Amz-Credential");
        }
        if (cred == null) return null;
        String[] parts = cred.split("/");
        if (parts.length < 5) return new Credential(parts[0], null, null, null);
        return new Credential(parts[0], parts[1], parts[2], parts[3]);
    }
}
