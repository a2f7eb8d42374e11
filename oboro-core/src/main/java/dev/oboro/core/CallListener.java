package dev.oboro.core;

import software.amazon.awssdk.core.SdkPojo;

/** Told of every AWS API call that passes the gateway (CloudTrail records them). */
public interface CallListener {
    /**
     * @param request   the decoded request, or null if it could not be decoded
     * @param response  the response, or null on error
     * @param errorCode the AWS error code, or null on success
     */
    void onCall(Call call, SdkPojo request, SdkPojo response, String errorCode, String errorMessage, int status);
}
