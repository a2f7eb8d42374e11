package dev.oboro.tests.ec2;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryResponse;
import software.amazon.awssdk.services.ec2.model.SpotPrice;

import java.util.HashSet;
import java.util.Set;

import static dev.oboro.tests.ec2.Ec2Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EC2's page sizes per Describe: what comes without MaxResults, and which values are refused or capped. */
class DescribePagingTest {
    private final String account = Oboro.newAccount();

    private static String key(SpotPrice p) {
        return p.availabilityZone() + "|" + p.instanceTypeAsString() + "|" + p.productDescriptionAsString() + "|" + p.timestamp();
    }

    @Test
    void spotPriceHistoryComesInPagesOfAThousand() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            DescribeSpotPriceHistoryResponse first = ec2.describeSpotPriceHistory(r -> r.productDescriptions("Linux/UNIX"));
            assertEquals(1000, first.spotPriceHistory().size(), "one page without MaxResults");
            assertNotNull(first.nextToken());
            DescribeSpotPriceHistoryResponse second = ec2.describeSpotPriceHistory(r -> r.productDescriptions("Linux/UNIX").nextToken(first.nextToken()));
            Set<String> seen = new HashSet<>();
            first.spotPriceHistory().forEach(p -> seen.add(key(p)));
            assertTrue(second.spotPriceHistory().stream().noneMatch(p -> seen.contains(key(p))), "the next page goes on where the first ended");
            assertEquals(1000, ec2.describeSpotPriceHistory(r -> r.maxResults(5000)).spotPriceHistory().size(), "a larger MaxResults is served as 1,000");
            assertEquals(7, ec2.describeSpotPriceHistory(r -> r.maxResults(7)).spotPriceHistory().size());
            int total = 0;
            for (var page : ec2.describeSpotPriceHistoryPaginator(r -> r.productDescriptions("Linux/UNIX").availabilityZone("us-east-1a"))) {
                total += page.spotPriceHistory().size();
            }
            assertTrue(total > 500, "the SDK's paginator reaches every price of a zone: " + total);
        }
    }

    @Test
    void instanceTypesComeInPagesOfAHundred() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            DescribeInstanceTypesResponse first = ec2.describeInstanceTypes(r -> { });
            assertEquals(100, first.instanceTypes().size());
            assertNotNull(first.nextToken());
            // AWS's own code and wording (with its two spaces before the upper bound)
            assertEquals("Value ( 101 ) for parameter maxResults is invalid. Expecting a value from ( 5 ) to  ( 100 ).",
                    fails("InvalidMaxResults", () -> ec2.describeInstanceTypes(r -> r.maxResults(101))).awsErrorDetails().errorMessage());
            assertEquals("Value ( 4 ) for parameter maxResults is invalid. Expecting a value from ( 5 ) to  ( 100 ).",
                    fails("InvalidMaxResults", () -> ec2.describeInstanceTypes(r -> r.maxResults(4))).awsErrorDetails().errorMessage());
            assertEquals("Value ( 1001 ) for parameter maxResults is invalid. Expecting a value from ( 5 ) to  ( 1000 ).",
                    fails("InvalidMaxResults", () -> ec2.describeInstanceTypeOfferings(r -> r.maxResults(1001))).awsErrorDetails().errorMessage());
        }
    }

    @Test
    void pageSizesOutOfBoundsAreRefusedWithEc2sMessages() {
        try (Ec2Client ec2 = Ec2Fixtures.client(account)) {
            assertEquals("Value ( 2 ) for parameter maxResults is invalid. Expecting a value greater than 5.",
                    fails("InvalidParameterValue", () -> ec2.describeInstances(r -> r.maxResults(2))).awsErrorDetails().errorMessage());
            // AWS accepts a DescribeInstances MaxResults above 1,000
            assertTrue(ec2.describeInstances(r -> r.maxResults(5000)).reservations().isEmpty());
            // bounds from the model (DescribeVpcs: 5 to 1,000) get the same message, not the generic constraint text
            assertEquals("Value ( 1 ) for parameter maxResults is invalid. Expecting a value greater than 5.",
                    fails("InvalidParameterValue", () -> ec2.describeVpcs(r -> r.maxResults(1))).awsErrorDetails().errorMessage());
            assertEquals("Maximum results allowed are between 1 and 200",
                    fails("InvalidParameterValue", () -> ec2.describeLaunchTemplates(r -> r.maxResults(201))).awsErrorDetails().errorMessage());
            // the AWS CLI sends MaxResults=1000 with describe-volumes and describe-snapshots: served, not refused
            var volumes = ec2.describeVolumes(r -> r.maxResults(1000));
            assertTrue(volumes.volumes().isEmpty());
            assertNull(volumes.nextToken());
            assertTrue(ec2.describeSnapshots(r -> r.ownerIds("self").maxResults(1000)).snapshots().isEmpty());
        }
    }
}
