package dev.oboro.services.iam;

import java.time.Instant;

/** A long-term access key of a user ({@code userName} null: of the account's root user). */
record IamAccessKey(String accessKeyId, String secretAccessKey, String userName, String status, Instant created) {

    IamAccessKey withStatus(String s) {
        return new IamAccessKey(accessKeyId, secretAccessKey, userName, s, created);
    }

    IamAccessKey ofUser(String u) {
        return new IamAccessKey(accessKeyId, secretAccessKey, u, status, created);
    }
}
