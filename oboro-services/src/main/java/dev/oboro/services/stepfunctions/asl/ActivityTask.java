package dev.oboro.services.stepfunctions.asl;

/** Work handed to an activity worker ({@code GetActivityTask}): the token and the input JSON. */
public record ActivityTask(String taskToken, String input) {}
