package dev.oboro.services.sts;

import dev.oboro.core.Call;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityRequest;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** {@code GetCallerIdentity}: who the request's credentials belong to. */
final class CallerIdentity {
    GetCallerIdentityResponse getCallerIdentity(Call call, GetCallerIdentityRequest req) {
        return GetCallerIdentityResponse.builder()
                .account(call.account())
                .arn(call.caller().arn())
                .userId(call.caller().principalId())
                .build();
    }
}
