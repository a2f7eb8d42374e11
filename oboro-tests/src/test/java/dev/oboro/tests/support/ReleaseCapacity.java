package dev.oboro.tests.support;

import dev.oboro.core.Call;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.DeleteAutoScalingGroupRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsResponse;
import software.amazon.awssdk.services.ec2.model.AttributeBooleanValue;
import software.amazon.awssdk.services.ec2.model.CancelSpotFleetRequestsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteFleetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeFleetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeFleetsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSpotFleetRequestsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotFleetRequestsResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * After each test class, gives back the compute its accounts still hold: Auto Scaling groups,
 * fleets, Spot Fleet requests and instances. The suite shares one server and one clock, and other classes
 * advance that clock by days; instances left running would publish their per-minute metrics and be
 * kept at capacity through every one of those days, for nobody.
 *
 * <p>Registered for every class by extension autodetection ({@code META-INF/services}); it uses the
 * EC2 and Auto Scaling handlers in-process, as the classes' own accounts.
 */
public final class ReleaseCapacity implements AfterAllCallback {
    /** The regions the tests use (a region with nothing in it costs one cheap describe). */
    private static final List<String> REGIONS = List.of("us-east-1", "us-east-2", "us-west-1", "us-west-2",
            "eu-west-1", "eu-central-1", "ap-south-1", "ap-southeast-2");

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getTestClass().isEmpty() || context.getTestClass().get().getEnclosingClass() != null) return;
        for (String account : Oboro.accountsOf(context.getTestClass().get())) {
            for (String region : REGIONS) release(account, region);
        }
    }

    private static void release(String account, String region) {
        var oboro = Oboro.server().oboro();
        Call asg = Call.internal(oboro, account, region, "autoscaling");
        Call ec2 = Call.internal(oboro, account, region, "ec2");
        try {
            DescribeAutoScalingGroupsResponse groups = oboro.services().call(asg, "autoscaling", DescribeAutoScalingGroupsRequest.builder().build());
            for (AutoScalingGroup g : groups.autoScalingGroups()) {
                oboro.services().call(asg, "autoscaling", DeleteAutoScalingGroupRequest.builder()
                        .autoScalingGroupName(g.autoScalingGroupName()).forceDelete(true).build());
            }
            DescribeFleetsResponse fleets = oboro.services().call(ec2, "ec2", DescribeFleetsRequest.builder().build());
            List<String> fleetIds = fleets.fleets().stream().filter(f -> !f.fleetStateAsString().startsWith("deleted"))
                    .map(f -> f.fleetId()).toList();
            if (!fleetIds.isEmpty()) {
                oboro.services().call(ec2, "ec2", DeleteFleetsRequest.builder().fleetIds(fleetIds).terminateInstances(true).build());
            }
            DescribeSpotFleetRequestsResponse spotFleets = oboro.services().call(ec2, "ec2", DescribeSpotFleetRequestsRequest.builder().build());
            List<String> spotFleetIds = spotFleets.spotFleetRequestConfigs().stream()
                    .filter(f -> !f.spotFleetRequestStateAsString().startsWith("cancelled"))
                    .map(f -> f.spotFleetRequestId()).toList();
            if (!spotFleetIds.isEmpty()) {
                oboro.services().call(ec2, "ec2", CancelSpotFleetRequestsRequest.builder()
                        .spotFleetRequestIds(spotFleetIds).terminateInstances(true).build());
            }
            DescribeInstancesResponse running = oboro.services().call(ec2, "ec2", DescribeInstancesRequest.builder()
                    .filters(Filter.builder().name("instance-state-name").values("pending", "running", "stopping", "stopped").build()).build());
            List<String> ids = new ArrayList<>();
            for (Reservation r : running.reservations()) r.instances().forEach(i -> ids.add(i.instanceId()));
            for (int from = 0; from < ids.size(); from += 1000) {
                List<String> batch = ids.subList(from, Math.min(ids.size(), from + 1000));
                try {
                    oboro.services().call(ec2, "ec2", TerminateInstancesRequest.builder().instanceIds(batch).build());
                } catch (RuntimeException protectedOne) {
                    for (String id : batch) terminateProtected(oboro, ec2, id);
                }
            }
        } catch (RuntimeException e) {
            // a class that left its resources in a state the cleanup can't handle still passes or fails on its own
            System.err.println("ReleaseCapacity: " + account + "/" + region + ": " + e);
        }
    }

    /** Terminates one instance, lifting its termination protection first. */
    private static void terminateProtected(dev.oboro.core.Oboro oboro, Call ec2, String id) {
        oboro.services().call(ec2, "ec2", ModifyInstanceAttributeRequest.builder().instanceId(id)
                .disableApiTermination(AttributeBooleanValue.builder().value(false).build()).build());
        oboro.services().call(ec2, "ec2", TerminateInstancesRequest.builder().instanceIds(id).build());
    }
}
