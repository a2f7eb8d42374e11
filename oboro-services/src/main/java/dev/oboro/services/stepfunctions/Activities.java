package dev.oboro.services.stepfunctions;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.services.stepfunctions.StepFunctions.Activity;
import dev.oboro.services.stepfunctions.asl.ActivityTask;
import dev.oboro.services.stepfunctions.asl.AslEngine;
import dev.oboro.services.stepfunctions.asl.Json;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.sfn.model.ActivityListItem;
import software.amazon.awssdk.services.sfn.model.CreateActivityRequest;
import software.amazon.awssdk.services.sfn.model.CreateActivityResponse;
import software.amazon.awssdk.services.sfn.model.DeleteActivityRequest;
import software.amazon.awssdk.services.sfn.model.DeleteActivityResponse;
import software.amazon.awssdk.services.sfn.model.DescribeActivityRequest;
import software.amazon.awssdk.services.sfn.model.DescribeActivityResponse;
import software.amazon.awssdk.services.sfn.model.GetActivityTaskRequest;
import software.amazon.awssdk.services.sfn.model.GetActivityTaskResponse;
import software.amazon.awssdk.services.sfn.model.ListActivitiesRequest;
import software.amazon.awssdk.services.sfn.model.ListActivitiesResponse;
import software.amazon.awssdk.services.sfn.model.SendTaskFailureRequest;
import software.amazon.awssdk.services.sfn.model.SendTaskFailureResponse;
import software.amazon.awssdk.services.sfn.model.SendTaskHeartbeatRequest;
import software.amazon.awssdk.services.sfn.model.SendTaskHeartbeatResponse;
import software.amazon.awssdk.services.sfn.model.SendTaskSuccessRequest;
import software.amazon.awssdk.services.sfn.model.SendTaskSuccessResponse;
import software.amazon.awssdk.services.sfn.model.Tag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Activities and task tokens: workers poll GetActivityTask and answer with SendTaskSuccess, SendTaskFailure and
 * SendTaskHeartbeat; the same three complete {@code .waitForTaskToken} tasks.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
 */
final class Activities {
    /**
     * GetActivityTask holds the connection up to 60 seconds of real time (a client-side wait, not Oboro's clock);
     * the system property {@code oboro.stepfunctions.activityPollSeconds} shortens it for tests.
     */
    static Duration pollWindow() {
        return Duration.ofSeconds(Long.getLong("oboro.stepfunctions.activityPollSeconds", 60));
    }

    private final StepFunctions sfn;

    Activities(StepFunctions sfn) {
        this.sfn = sfn;
    }

    /** Idempotent on the name: a second call gives the same activity (different tags are ignored, as AWS does). */
    CreateActivityResponse createActivity(Call call, CreateActivityRequest req) {
        Arns.checkName(req.name());
        String arn = Arns.activity(call.scope(), req.name());
        Map<String, String> tags = new LinkedHashMap<>();
        if (req.hasTags()) for (Tag t : req.tags()) tags.put(t.key(), t.value());
        Tags.checkCount(arn, tags.size());
        Activity a = new Activity(arn, req.name(), call.now(), tags, req.encryptionConfiguration());
        sfn.activities.putIfAbsent(call.scope(), arn, a);
        Activity stored = sfn.activities.get(call.scope(), arn);
        return CreateActivityResponse.builder().activityArn(arn).creationDate(stored.creationDate()).build();
    }

    DescribeActivityResponse describeActivity(Call call, DescribeActivityRequest req) {
        Activity a = find(call, req.activityArn());
        return DescribeActivityResponse.builder().activityArn(a.arn()).name(a.name()).creationDate(a.creationDate())
                .encryptionConfiguration(a.encryption()).build();
    }

    DeleteActivityResponse deleteActivity(Call call, DeleteActivityRequest req) {
        Arns.parse(req.activityArn(), "activity");
        sfn.activities.remove(call.scope(), req.activityArn());
        return DeleteActivityResponse.builder().build();
    }

    ListActivitiesResponse listActivities(Call call, ListActivitiesRequest req) {
        List<Activity> all = new ArrayList<>(sfn.activities.values(call.scope()));
        ListActivitiesResponse.Builder b = ListActivitiesResponse.builder();
        Pagination.Page<Activity> page = Pagination.page(call, req, all, Activity::arn, b);
        return b.activities(page.items().stream().map(a -> ActivityListItem.builder().activityArn(a.arn()).name(a.name())
                .creationDate(a.creationDate()).build()).toList()).build();
    }

    /**
     * Long poll on this request's virtual thread: returns the oldest task of the activity as soon as one is
     * scheduled (the engine wakes us), or an empty answer when the window passes.
     */
    GetActivityTaskResponse getActivityTask(Call call, GetActivityTaskRequest req) {
        Activity a = find(call, req.activityArn());
        StepFunctions.Waiter waiter = sfn.activityWaiter(a.arn());
        long deadline = System.nanoTime() + pollWindow().toNanos();
        try {
            while (true) {
                long seen = waiter.version();
                Optional<ActivityTask> task = sfn.engine.pollActivityTask(a.arn(), req.workerName());
                if (task.isPresent()) {
                    return GetActivityTaskResponse.builder().taskToken(task.get().taskToken()).input(task.get().input()).build();
                }
                if (System.nanoTime() >= deadline) return GetActivityTaskResponse.builder().build();
                waiter.await(seen, deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return GetActivityTaskResponse.builder().build();
        }
    }

    SendTaskSuccessResponse sendTaskSuccess(Call call, SendTaskSuccessRequest req) {
        try {
            Json.parse(req.output());
        } catch (RuntimeException e) {
            throw new AwsException("InvalidOutput", "Invalid Output: '" + req.output() + "'");
        }
        check(sfn.engine.sendTaskSuccess(req.taskToken(), req.output()));
        return SendTaskSuccessResponse.builder().build();
    }

    SendTaskFailureResponse sendTaskFailure(Call call, SendTaskFailureRequest req) {
        check(sfn.engine.sendTaskFailure(req.taskToken(), req.error(), req.cause()));
        return SendTaskFailureResponse.builder().build();
    }

    SendTaskHeartbeatResponse sendTaskHeartbeat(Call call, SendTaskHeartbeatRequest req) {
        check(sfn.engine.sendTaskHeartbeat(req.taskToken()));
        return SendTaskHeartbeatResponse.builder().build();
    }

    private static void check(AslEngine.TokenResult r) {
        switch (r) {
            case OK -> { }
            case INVALID_TOKEN -> throw new AwsException("InvalidToken", "Invalid Token: 'Invalid token'");
            case TASK_TIMED_OUT -> throw new AwsException("TaskTimedOut", "Task Timed Out: 'Provided task has timed out'");
            case TASK_DOES_NOT_EXIST -> throw new AwsException("TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist anymore'");
        }
    }

    private Activity find(Call call, String arn) {
        Arns.parse(arn, "activity");
        Activity a = sfn.activities.get(call.scope(), arn);
        if (a == null) throw new AwsException("ActivityDoesNotExist", "Activity Does Not Exist: '" + arn + "'");
        return a;
    }
}
