package dev.oboro.services.autoscaling;

import dev.oboro.core.Call;
import dev.oboro.core.Identity;
import dev.oboro.core.Ids;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefresh;
import software.amazon.awssdk.services.autoscaling.model.LaunchConfiguration;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.autoscaling.model.LifecycleHook;
import software.amazon.awssdk.services.autoscaling.model.ScalingPolicy;
import software.amazon.awssdk.services.autoscaling.model.ScheduledUpdateGroupAction;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Auto Scaling's state, per account and region: groups (the SDK's {@code AutoScalingGroup} without
 * its instances, plus what the reconciler needs), their member instances, scaling activities,
 * launch configurations, policies, scheduled actions, lifecycle hooks and instance refreshes.
 */
final class AsgState {
    static final DateTimeFormatter CAUSE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime() & 0xFFFFFFFFL);

    /**
     * A group. {@code pendingCause} is the cause of the last change of desired capacity, which the
     * next launch or termination quotes (as AWS's activity causes do); {@code cooldownUntil} ends the
     * cooldown of simple scaling and {@code SetDesiredCapacity(HonorCooldown)}; {@code retryAt} backs
     * off launches after a failed one.
     */
    record Group(AutoScalingGroup g, String pendingCause, Instant cooldownUntil, Instant retryAt) {
        String name() {
            return g.autoScalingGroupName();
        }

        int desired() {
            return g.desiredCapacity();
        }

        Group with(AutoScalingGroup n) {
            return new Group(n, pendingCause, cooldownUntil, retryAt);
        }

        Group withDesired(int desired) {
            return with(g.toBuilder().desiredCapacity(desired).build());
        }

        Group withCause(String cause) {
            return new Group(g, cause, cooldownUntil, retryAt);
        }

        Group withCooldown(Instant until) {
            return new Group(g, pendingCause, until, retryAt);
        }

        Group withRetry(Instant at) {
            return new Group(g, pendingCause, cooldownUntil, at);
        }

        boolean suspended(String process) {
            return g.suspendedProcesses().stream().anyMatch(p -> p.processName().equals(process));
        }
    }

    /** A lifecycle hook an instance waits on, until its deadline (heartbeat timeout). */
    record HookWait(String hook, Instant deadline, String result) {
    }

    /**
     * An instance of a group. {@code state} is its lifecycle state; {@code activityKey} the scaling
     * activity that tracks its current transition; {@code hooks} the lifecycle hooks it waits on
     * (with {@code token}); {@code spot} whether it was launched as Spot capacity.
     */
    record Member(String id, String group, String az, String subnetId, String state, String health, String healthCause,
                  boolean protectedFromScaleIn, String instanceType, String imageId, LaunchTemplateSpecification launchTemplate,
                  String launchConfigurationName, Instant launchedAt, Instant inServiceAt, String activityKey,
                  List<HookWait> hooks, String token, boolean spot, String weight) {
        Member withState(String s) {
            return new Member(id, group, az, subnetId, s, health, healthCause, protectedFromScaleIn, instanceType, imageId, launchTemplate,
                    launchConfigurationName, launchedAt, inServiceAt, activityKey, hooks, token, spot, weight);
        }

        Member withHealth(String h, String cause) {
            return new Member(id, group, az, subnetId, state, h, cause, protectedFromScaleIn, instanceType, imageId, launchTemplate,
                    launchConfigurationName, launchedAt, inServiceAt, activityKey, hooks, token, spot, weight);
        }

        Member withProtection(boolean p) {
            return new Member(id, group, az, subnetId, state, health, healthCause, p, instanceType, imageId, launchTemplate,
                    launchConfigurationName, launchedAt, inServiceAt, activityKey, hooks, token, spot, weight);
        }

        Member withActivity(String key) {
            return new Member(id, group, az, subnetId, state, health, healthCause, protectedFromScaleIn, instanceType, imageId, launchTemplate,
                    launchConfigurationName, launchedAt, inServiceAt, key, hooks, token, spot, weight);
        }

        Member withHooks(List<HookWait> h, String t) {
            return new Member(id, group, az, subnetId, state, health, healthCause, protectedFromScaleIn, instanceType, imageId, launchTemplate,
                    launchConfigurationName, launchedAt, inServiceAt, activityKey, h, t, spot, weight);
        }

        Member inService(Instant at) {
            return new Member(id, group, az, subnetId, "InService", health, healthCause, protectedFromScaleIn, instanceType, imageId,
                    launchTemplate, launchConfigurationName, launchedAt, at, activityKey, List.of(), null, spot, weight);
        }

        /** Counts toward the group's capacity: launching or in service, not on its way out. */
        boolean active() {
            return state.startsWith("Pending") || state.equals("InService");
        }

        boolean terminating() {
            return state.startsWith("Terminating");
        }
    }

    /** A scheduled action and when it runs next (null: never again). */
    record Scheduled(ScheduledUpdateGroupAction action, Instant nextRun) {
    }

    /**
     * A policy, and the alarms that last invoked it in ALARM (CloudWatch keeps invoking Auto Scaling
     * actions every minute while an alarm stays in ALARM).
     */
    record Policy(ScalingPolicy p, List<String> alarmsInAlarm, Instant lastRepeat) {
    }

    /** An instance refresh: the SDK view and the instances still to replace. */
    record Refresh(InstanceRefresh r, List<String> toReplace, int replaced) {
    }

    final Oboro oboro;
    final Table<Group> groups;
    final Table<Member> members;
    final Table<Activity> activities;
    final Table<LaunchConfiguration> launchConfigurations;
    final Table<Policy> policies;
    final Table<Scheduled> scheduled;
    final Table<LifecycleHook> hooks;
    final Table<Refresh> refreshes;
    private final Map<Scope, Object> locks = new ConcurrentHashMap<>();

    AsgState(Oboro oboro) {
        this.oboro = oboro;
        var s = oboro.store();
        groups = s.table("autoscaling.groups", Group.class);
        members = s.table("autoscaling.instances", Member.class);
        activities = s.table("autoscaling.activities", Activity.class);
        launchConfigurations = s.table("autoscaling.launchconfigurations", LaunchConfiguration.class);
        policies = s.table("autoscaling.policies", Policy.class);
        scheduled = s.table("autoscaling.scheduledactions", Scheduled.class);
        hooks = s.table("autoscaling.lifecyclehooks", LifecycleHook.class);
        refreshes = s.table("autoscaling.instancerefreshes", Refresh.class);
    }

    /** One lock per account and region: handlers and the reconciler change a scope's groups under it. */
    Object lock(Scope s) {
        return locks.computeIfAbsent(s, k -> new Object());
    }

    static String key(String group, String name) {
        return group + "|" + name;
    }

    // ------------------------------------------------------------------ lookups

    /** The rows of {@code t} with these ids, in id order (ids that match nothing are skipped); every row when none are given. */
    static <T> List<T> named(Table<T> t, Scope s, List<String> ids) {
        if (ids == null || ids.isEmpty()) return new ArrayList<>(t.values(s));
        List<T> out = new ArrayList<>();
        for (String id : new TreeSet<>(ids)) {
            T v = t.get(s, id);
            if (v != null) out.add(v);
        }
        return out;
    }

    Group group(Scope s, String name) {
        Group g = name == null ? null : groups.get(s, name);
        if (g == null) throw notFound(name);
        return g;
    }

    static AwsException notFound(String name) {
        return validation("AutoScalingGroup name not found - AutoScalingGroup " + name + " not found");
    }

    List<Member> membersOf(Scope s, String group) {
        List<Member> out = new ArrayList<>();
        for (Member m : members.values(s)) if (m.group().equals(group)) out.add(m);
        return out;
    }

    static AwsException validation(String message) {
        return new AwsException("ValidationError", message, 400);
    }

    // ------------------------------------------------------------------ activities

    /** Writes a new activity; its key orders activities newest first. */
    String startActivity(Scope s, Group g, String description, String cause, String status, int progress, String details,
                         String statusMessage, Instant now) {
        String key = String.format("%019d|%016x", Long.MAX_VALUE - now.toEpochMilli(), SEQ.incrementAndGet());
        boolean done = status.equals("Successful") || status.equals("Failed") || status.equals("Cancelled");
        Activity a = Activity.builder().activityId(Ids.uuid()).autoScalingGroupName(g.name()).autoScalingGroupARN(g.g().autoScalingGroupARN())
                .description(description).cause(cause).startTime(now).endTime(done ? now : null).statusCode(status)
                .statusMessage(statusMessage).progress(progress).details(details == null ? "{}" : details).build();
        activities.put(s, key, a);
        return key;
    }

    void updateActivity(Scope s, String key, String status, int progress, String statusMessage, Instant now) {
        if (key == null) return;
        activities.update(s, key, a -> {
            if (a == null) return null;
            boolean done = status.equals("Successful") || status.equals("Failed") || status.equals("Cancelled");
            return a.toBuilder().statusCode(status).progress(progress).endTime(done ? now : null)
                    .statusMessage(statusMessage != null ? statusMessage : a.statusMessage()).build();
        });
    }

    static String details(Member m) {
        return m.subnetId() == null ? "{\"Availability Zone\":\"" + m.az() + "\"}"
                : "{\"Subnet ID\":\"" + m.subnetId() + "\",\"Availability Zone\":\"" + m.az() + "\"}";
    }

    static String at(Instant t) {
        return "At " + CAUSE_TIME.format(t);
    }

    // ------------------------------------------------------------------ calls to other services

    /** A call as the Auto Scaling service itself in an account and region (it launches, tags and terminates). */
    Call serviceCall(String account, String region) {
        return new Call(oboro, "autoscaling", null, region, Identity.service(account, "autoscaling.amazonaws.com"), Ids.requestId(),
                "127.0.0.1", "autoscaling.amazonaws.com");
    }

    Call serviceCall(Scope s) {
        return serviceCall(s.account(), s.region());
    }

    static String groupArn(Call call, String uuid, String name) {
        return call.arn("autoscaling", "autoScalingGroup:" + uuid + ":autoScalingGroupName/" + name);
    }
}
