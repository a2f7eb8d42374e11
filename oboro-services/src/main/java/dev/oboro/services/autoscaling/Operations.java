package dev.oboro.services.autoscaling;

import dev.oboro.core.Call;
import dev.oboro.core.Scope;
import dev.oboro.services.autoscaling.AsgState.Group;
import dev.oboro.services.autoscaling.AsgState.Member;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AttachInstancesRequest;
import software.amazon.awssdk.services.autoscaling.model.AttachInstancesResponse;
import software.amazon.awssdk.services.autoscaling.model.DetachInstancesRequest;
import software.amazon.awssdk.services.autoscaling.model.DetachInstancesResponse;
import software.amazon.awssdk.services.autoscaling.model.EnterStandbyRequest;
import software.amazon.awssdk.services.autoscaling.model.EnterStandbyResponse;
import software.amazon.awssdk.services.autoscaling.model.ExitStandbyRequest;
import software.amazon.awssdk.services.autoscaling.model.ExitStandbyResponse;
import software.amazon.awssdk.services.autoscaling.model.ResumeProcessesRequest;
import software.amazon.awssdk.services.autoscaling.model.ResumeProcessesResponse;
import software.amazon.awssdk.services.autoscaling.model.SetDesiredCapacityRequest;
import software.amazon.awssdk.services.autoscaling.model.SetDesiredCapacityResponse;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceHealthRequest;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceHealthResponse;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceProtectionRequest;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceProtectionResponse;
import software.amazon.awssdk.services.autoscaling.model.SuspendProcessesRequest;
import software.amazon.awssdk.services.autoscaling.model.SuspendProcessesResponse;
import software.amazon.awssdk.services.autoscaling.model.SuspendedProcess;
import software.amazon.awssdk.services.autoscaling.model.TerminateInstanceInAutoScalingGroupRequest;
import software.amazon.awssdk.services.autoscaling.model.TerminateInstanceInAutoScalingGroupResponse;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What users do to a group's instances and processes. */
final class Operations {
    private final AsgState st;
    private final Reconciler rec;

    Operations(AsgState st, Reconciler rec) {
        this.st = st;
        this.rec = rec;
    }

    private Member member(Scope s, String id) {
        Member m = id == null ? null : st.members.get(s, id);
        if (m == null) throw AsgState.validation("Instance Id not found - No managed instance found for instance ID " + id);
        return m;
    }

    private Member memberOf(Scope s, Group g, String id) {
        Member m = st.members.get(s, id);
        if (m == null || !m.group().equals(g.name())) {
            throw AsgState.validation("The instance " + id + " is not part of Auto Scaling group " + g.name() + ".");
        }
        return m;
    }

    /** The group's members with these ids, each in {@code state} when that is given. */
    private List<Member> membersOf(Scope s, Group g, List<String> ids, String state) {
        List<Member> ms = new ArrayList<>();
        for (String id : ids) {
            Member m = memberOf(s, g, id);
            if (state != null && !m.state().equals(state)) throw AsgState.validation("The instance " + id + " is not in " + state + ".");
            ms.add(m);
        }
        return ms;
    }

    /** Refuses to take instances out without replacement when that leaves desired capacity {@code after} below the min size. */
    private static void checkShrink(Group g, int after, String taking) {
        if (after < g.g().minSize()) {
            throw AsgState.validation("Currently, desiredCapacity is " + g.desired() + " and minSize is " + g.g().minSize()
                    + ". " + taking + " without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.");
        }
    }

    /** Refuses to add instances when that would go above the group's max size. */
    private static void checkGrow(Group g, int after) {
        Groups.checkBounds(g.g().minSize(), g.g().maxSize(), after);
    }

    private Activity activity(Scope s, String key) {
        return st.activities.get(s, key);
    }

    TerminateInstanceInAutoScalingGroupResponse terminateInstanceInAutoScalingGroup(Call call, TerminateInstanceInAutoScalingGroupRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        Activity a;
        synchronized (st.lock(s)) {
            Member m = member(s, req.instanceId());
            Group g = st.groups.get(s, m.group());
            boolean decrement = Boolean.TRUE.equals(req.shouldDecrementDesiredCapacity());
            int desired = g.desired();
            String cause;
            if (decrement) {
                checkShrink(g, desired - 1, "Terminating instance");
                st.groups.put(s, g.name(), g.withDesired(desired - 1));
                cause = AsgState.at(now) + " instance " + m.id() + " was taken out of service in response to a user request, shrinking the capacity from "
                        + desired + " to " + (desired - 1) + ".";
            } else {
                cause = AsgState.at(now) + " instance " + m.id() + " was taken out of service in response to a user request.";
            }
            if (m.terminating()) {
                a = activity(s, m.activityKey());
            } else {
                rec.beginTermination(s, st.serviceCall(s), st.groups.get(s, g.name()), m, cause, now);
                a = activity(s, st.members.get(s, m.id()).activityKey());
            }
        }
        rec.kick(s);
        return TerminateInstanceInAutoScalingGroupResponse.builder().activity(a).build();
    }

    SetDesiredCapacityResponse setDesiredCapacity(Call call, SetDesiredCapacityRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            int d = req.desiredCapacity();
            if (d > g.g().maxSize()) {
                throw AsgState.validation("New SetDesiredCapacity value " + d + " is above max value " + g.g().maxSize() + " for the AutoScalingGroup.");
            }
            if (d < g.g().minSize()) {
                throw AsgState.validation("New SetDesiredCapacity value " + d + " is below min value " + g.g().minSize() + " for the AutoScalingGroup.");
            }
            if (Boolean.TRUE.equals(req.honorCooldown()) && g.cooldownUntil() != null && now.isBefore(g.cooldownUntil())) {
                throw new AwsException("ScalingActivityInProgress", "The operation can't be performed because there are scaling activities in progress.", 400);
            }
            if (d != g.desired()) {
                st.groups.put(s, g.name(), g.withDesired(d)
                        .withCause(AsgState.at(now) + " a user request explicitly set group desired capacity changing the desired capacity from "
                                + g.desired() + " to " + d + ".")
                        .withCooldown(now.plusSeconds(g.g().defaultCooldown())));
            }
        }
        rec.kick(s);
        return SetDesiredCapacityResponse.builder().build();
    }

    DetachInstancesResponse detachInstances(Call call, DetachInstancesRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        List<Activity> out = new ArrayList<>();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            List<Member> ms = membersOf(s, g, req.instanceIds(), null);
            boolean decrement = Boolean.TRUE.equals(req.shouldDecrementDesiredCapacity());
            int desired = g.desired();
            int after = decrement ? desired - ms.size() : desired;
            checkShrink(g, after, "Detaching " + ms.size() + " instance(s)");
            if (decrement) st.groups.put(s, g.name(), g.withDesired(after));
            for (Member m : ms) {
                String cause = AsgState.at(now) + " instance " + m.id() + " was detached in response to a user request"
                        + (decrement ? ", shrinking the capacity from " + desired + " to " + after + "." : ".");
                String key = st.startActivity(s, g, "Detaching EC2 instance: " + m.id(), cause, "InProgress", 50, AsgState.details(m), null, now);
                st.members.put(s, m.id(), m.withActivity(key).withState("Detaching"));
                out.add(activity(s, key));
            }
        }
        rec.kick(s);
        return DetachInstancesResponse.builder().activities(out).build();
    }

    AttachInstancesResponse attachInstances(Call call, AttachInstancesRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            if (!req.hasInstanceIds() || req.instanceIds().isEmpty()) return AttachInstancesResponse.builder().build();
            DescribeInstancesResponse r;
            try {
                r = st.oboro.services().call(call, "ec2", DescribeInstancesRequest.builder().instanceIds(req.instanceIds()).build());
            } catch (AwsException e) {
                throw AsgState.validation("Instance ID(s) " + req.instanceIds() + " are invalid: " + e.getMessage());
            }
            List<software.amazon.awssdk.services.ec2.model.Instance> found = new ArrayList<>();
            r.reservations().forEach(x -> found.addAll(x.instances()));
            int desired = g.desired();
            int after = desired + found.size();
            checkGrow(g, after);
            for (var i : found) {
                if (st.members.contains(s, i.instanceId())) {
                    throw AsgState.validation("The instance " + i.instanceId() + " is already part of an Auto Scaling group.");
                }
                if (!i.state().nameAsString().equals("running")) {
                    throw AsgState.validation("Instance " + i.instanceId() + " is not in correct state.");
                }
                if (!g.g().availabilityZones().contains(i.placement().availabilityZone())) {
                    throw AsgState.validation("Instance " + i.instanceId() + " is in availability zone " + i.placement().availabilityZone()
                            + " which is not in the Auto Scaling group's availability zones.");
                }
            }
            st.groups.put(s, g.name(), g.withDesired(after));
            Group cur = st.groups.get(s, g.name());
            int count = desired;
            for (var i : found) {
                count++;
                Member m = new Member(i.instanceId(), g.name(), i.placement().availabilityZone(), i.subnetId(), "InService", "Healthy", null,
                        false, i.instanceTypeAsString(), i.imageId(), null, null, i.launchTime(), now, null, List.of(), null,
                        "spot".equals(i.instanceLifecycleAsString()), null);
                String key = st.startActivity(s, cur, "Attaching an existing EC2 instance: " + i.instanceId(),
                        AsgState.at(now) + " an instance was added in response to user request. Keeping the capacity at the new " + count + ".",
                        "Successful", 100, AsgState.details(m), null, now);
                st.members.put(s, m.id(), m.withActivity(key));
            }
            st.oboro.services().call(st.serviceCall(s), "ec2", CreateTagsRequest.builder()
                    .resources(found.stream().map(software.amazon.awssdk.services.ec2.model.Instance::instanceId).toList())
                    .tags(Tag.builder().key(Reconciler.GROUP_TAG).value(g.name()).build()).build());
        }
        rec.kick(s);
        return AttachInstancesResponse.builder().build();
    }

    EnterStandbyResponse enterStandby(Call call, EnterStandbyRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        List<Activity> out = new ArrayList<>();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            List<Member> ms = membersOf(s, g, req.instanceIds(), "InService");
            boolean decrement = Boolean.TRUE.equals(req.shouldDecrementDesiredCapacity());
            int desired = g.desired();
            int after = decrement ? desired - ms.size() : desired;
            checkShrink(g, after, "Putting " + ms.size() + " instance(s) in Standby");
            if (decrement) st.groups.put(s, g.name(), g.withDesired(after));
            for (Member m : ms) {
                String cause = AsgState.at(now) + " instance " + m.id() + " was moved to standby in response to a user request"
                        + (decrement ? ", shrinking the capacity from " + desired + " to " + after + "." : ".");
                String key = st.startActivity(s, g, "Moving EC2 instance to Standby: " + m.id(), cause, "InProgress", 50, AsgState.details(m), null, now);
                st.members.put(s, m.id(), m.withActivity(key).withState("EnteringStandby"));
                out.add(activity(s, key));
                st.updateActivity(s, key, "Successful", 100, null, now);
            }
        }
        rec.kick(s);
        return EnterStandbyResponse.builder().activities(out).build();
    }

    ExitStandbyResponse exitStandby(Call call, ExitStandbyRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        List<Activity> out = new ArrayList<>();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            List<Member> ms = membersOf(s, g, req.instanceIds(), "Standby");
            int desired = g.desired();
            int after = desired + ms.size();
            checkGrow(g, after);
            st.groups.put(s, g.name(), g.withDesired(after));
            for (Member m : ms) {
                String cause = AsgState.at(now) + " instance " + m.id() + " was moved out of standby in response to a user request, increasing the capacity from "
                        + desired + " to " + after + ".";
                String key = st.startActivity(s, g, "Moving EC2 instance out of Standby: " + m.id(), cause, "PreInService", 30, AsgState.details(m), null, now);
                st.members.put(s, m.id(), m.withActivity(key).withState("Pending"));
                out.add(activity(s, key));
            }
        }
        rec.kick(s);
        return ExitStandbyResponse.builder().activities(out).build();
    }

    SetInstanceHealthResponse setInstanceHealth(Call call, SetInstanceHealthRequest req) {
        Scope s = call.scope();
        Instant now = call.now();
        String health = req.healthStatus();
        if (!"Healthy".equals(health) && !"Unhealthy".equals(health)) {
            throw AsgState.validation("Valid values for HealthStatus are Healthy and Unhealthy.");
        }
        synchronized (st.lock(s)) {
            Member m = member(s, req.instanceId());
            Group g = st.groups.get(s, m.group());
            boolean respect = req.shouldRespectGracePeriod() == null || req.shouldRespectGracePeriod();
            int grace = g.g().healthCheckGracePeriod() == null ? 0 : g.g().healthCheckGracePeriod();
            Instant since = m.inServiceAt() != null ? m.inServiceAt() : m.launchedAt();
            if (respect && "Unhealthy".equals(health) && now.isBefore(since.plusSeconds(grace))) {
                return SetInstanceHealthResponse.builder().build();
            }
            st.members.put(s, m.id(), m.withHealth(health, "Unhealthy".equals(health)
                    ? "an instance was taken out of service in response to a user health-check." : null));
        }
        rec.kick(s);
        return SetInstanceHealthResponse.builder().build();
    }

    SetInstanceProtectionResponse setInstanceProtection(Call call, SetInstanceProtectionRequest req) {
        Scope s = call.scope();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            for (Member m : membersOf(s, g, req.instanceIds(), null)) st.members.put(s, m.id(), m.withProtection(Boolean.TRUE.equals(req.protectedFromScaleIn())));
        }
        return SetInstanceProtectionResponse.builder().build();
    }

    SuspendProcessesResponse suspendProcesses(Call call, SuspendProcessesRequest req) {
        Scope s = call.scope();
        List<String> names = processes(req.scalingProcesses());
        Instant now = call.now();
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            List<SuspendedProcess> sp = new ArrayList<>(g.g().suspendedProcesses());
            for (String n : names) {
                if (sp.stream().noneMatch(p -> p.processName().equals(n))) {
                    sp.add(SuspendedProcess.builder().processName(n).suspensionReason("User suspended at " + AsgState.CAUSE_TIME.format(now)).build());
                }
            }
            st.groups.put(s, g.name(), g.with(g.g().toBuilder().suspendedProcesses(sp).build()));
        }
        return SuspendProcessesResponse.builder().build();
    }

    ResumeProcessesResponse resumeProcesses(Call call, ResumeProcessesRequest req) {
        Scope s = call.scope();
        List<String> names = processes(req.scalingProcesses());
        synchronized (st.lock(s)) {
            Group g = st.group(s, req.autoScalingGroupName());
            List<SuspendedProcess> sp = new ArrayList<>(g.g().suspendedProcesses());
            sp.removeIf(p -> names.contains(p.processName()));
            st.groups.put(s, g.name(), g.with(g.g().toBuilder().suspendedProcesses(sp).build()));
        }
        rec.kick(s);
        return ResumeProcessesResponse.builder().build();
    }

    private static List<String> processes(List<String> given) {
        if (given == null || given.isEmpty()) return Groups.PROCESSES;
        for (String p : given) {
            if (!Groups.PROCESSES.contains(p)) throw AsgState.validation("Process type " + p + " is not a valid scaling process type.");
        }
        return given;
    }
}
