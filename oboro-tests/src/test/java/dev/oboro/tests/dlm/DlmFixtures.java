package dev.oboro.tests.dlm;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.dlm.DlmClient;
import software.amazon.awssdk.services.dlm.model.CreateRule;
import software.amazon.awssdk.services.dlm.model.DlmException;
import software.amazon.awssdk.services.dlm.model.PolicyDetails;
import software.amazon.awssdk.services.dlm.model.RetainRule;
import software.amazon.awssdk.services.dlm.model.Schedule;
import software.amazon.awssdk.services.dlm.model.Tag;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Shared helpers for the Data Lifecycle Manager tests. */
final class DlmFixtures {
    private DlmFixtures() {
    }

    static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"dlm.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

    /** A DLM client on the Apache HTTP client: UpdateLifecyclePolicy is a PATCH, which HttpURLConnection cannot send. */
    static DlmClient dlm(String account) {
        return DlmClient.builder().endpointOverride(Oboro.endpoint()).region(Region.US_EAST_1).credentialsProvider(Oboro.credentials(account))
                .httpClientBuilder(ApacheHttpClient.builder()).build();
    }

    /** The execution role DLM needs, created in IAM; returns its ARN. */
    static String role(String account) {
        try (IamClient iam = Oboro.client(IamClient.builder(), Oboro.credentials(account), "us-east-1")) {
            return iam.createRole(r -> r.roleName("AWSDataLifecycleManagerDefaultRole").path("/service-role/")
                    .assumeRolePolicyDocument(TRUST)).role().arn();
        }
    }

    static Tag tag(String k, String v) {
        return Tag.builder().key(k).value(v).build();
    }

    /** A VOLUME policy's details: one schedule every {@code hours} hours at 09:00, keeping {@code count}. */
    static PolicyDetails volumes(String scheduleName, int hours, int count, Tag... targets) {
        return PolicyDetails.builder().resourceTypesWithStrings("VOLUME").targetTags(targets)
                .schedules(Schedule.builder().name(scheduleName)
                        .createRule(CreateRule.builder().interval(hours).intervalUnit("HOURS").times("09:00").build())
                        .retainRule(RetainRule.builder().count(count).build()).build())
                .build();
    }

    static DlmException fails(String code, int status, Executable e) {
        DlmException x = assertThrows(DlmException.class, e);
        assertEquals(code, x.awsErrorDetails().errorCode(), x.getMessage());
        assertEquals(status, x.statusCode());
        return x;
    }
}
