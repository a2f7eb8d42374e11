package dev.oboro.services.stepfunctions.asl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an execution is, as plain data: identity, status, history (AWS JSON form), the running threads of
 * the state machine ({@link Frame}s), pending timers (absolute instants) and pending tasks. Serialise it with
 * {@link #toJson()} and give it back to {@link AslEngine#restore} after a restart.
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public final class ExecutionData {
    public String executionArn;
    public String stateMachineArn;
    public String stateMachineVersionArn;
    public String stateMachineAliasArn;
    public String name;
    public String roleArn;
    public String definition;
    /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED (AWS ExecutionStatus names). */
    public String status = "RUNNING";
    public String input;
    public String output;
    public String error;
    public String cause;
    public Instant startDate;
    public Instant stopDate;
    public Instant redriveDate;
    public int redriveCount;
    public String redriveStatus;
    public long nextEventId = 1;
    public long seq;
    public List<ObjectNode> events = new ArrayList<>();
    public Map<String, Frame> frames = new LinkedHashMap<>();
    public Map<String, Timer> timers = new LinkedHashMap<>();

    /** A thread of control: the top-level workflow, a Parallel branch or a Map iteration. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public static final class Frame {
        public String id;
        public String parentId;
        /** ROOT, BRANCH, ITERATION */
        public String kind;
        public int index;
        public String scopeId;
        public String state;
        public JsonNode stateInput;
        /** READY, RUNNING, WAIT_TIMER, WAIT_TASK, WAIT_CHILDREN, WAIT_RETRY, SUCCEEDED, FAILED, ABORTED */
        public String phase = "READY";
        public long source;
        public long enteredEventId;
        public Instant enteredTime;
        public int retryCount;
        public List<Integer> retryAttempts = new ArrayList<>();
        public ObjectNode vars;
        public JsonNode output;
        public String error;
        public String cause;
        // Task in flight
        public String taskId;
        public String taskToken;
        public String taskKind;
        public JsonNode taskRequest;
        public boolean activityStarted;
        // Parallel / Map in flight
        public JsonNode childInput;
        public ArrayNode items;
        public List<String> children = new ArrayList<>();
        public ArrayNode results;
        public int nextItem;
        public int running;
        public int succeeded;
        public int failed;
        public int maxConcurrency;
        /** A redriven inline Map's unsuccessful iterations still waiting for a MaxConcurrency slot, in order. */
        public List<String> redriving = new ArrayList<>();
        public Integer toleratedCount;
        public Double toleratedPercent;
        public JsonNode effectiveInput;
        /** A distributed Map state's Map Run (kept after it ended, for redrive). */
        public String mapRunArn;
    }

    /** A pending timer: WAIT, RETRY, TASK_TIMEOUT, HEARTBEAT or EXECUTION_TIMEOUT, at an absolute instant. */
    public static final class Timer {
        public String id;
        public String kind;
        public String frameId;
        public Instant at;
    }

    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ExecutionData fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, ExecutionData.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @JsonIgnore
    public boolean isRunning() { return "RUNNING".equals(status); }

    /** The history as SDK model objects, oldest first (for a finished execution the engine has forgotten). */
    public java.util.List<software.amazon.awssdk.services.sfn.model.HistoryEvent> history() {
        java.util.List<software.amazon.awssdk.services.sfn.model.HistoryEvent> out = new ArrayList<>(events.size());
        for (ObjectNode e : events) out.add(SdkJson.build(software.amazon.awssdk.services.sfn.model.HistoryEvent.builder(), e));
        return out;
    }

    /** One history event (AWS JSON form) as the SDK model object. */
    public static software.amazon.awssdk.services.sfn.model.HistoryEvent historyEvent(ObjectNode e) {
        return SdkJson.build(software.amazon.awssdk.services.sfn.model.HistoryEvent.builder(), e);
    }

    /** The history events, AWS JSON form. */
    @JsonIgnore
    public ArrayNode eventsJson() {
        ArrayNode a = Json.arr();
        events.forEach(a::add);
        return a;
    }
}
