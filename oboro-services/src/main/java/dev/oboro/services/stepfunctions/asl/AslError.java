package dev.oboro.services.stepfunctions.asl;

/** A failure inside an execution: an AWS error name (States.Runtime, States.TaskFailed, a task's own error) and its cause. */
public final class AslError extends RuntimeException {
    private final String error;
    private final String cause;

    public AslError(String error, String cause) {
        super(error + ": " + cause, null, false, false);
        this.error = error;
        this.cause = cause;
    }

    public String error() { return error; }
    public String cause() { return cause; }

    static AslError runtime(String cause) { return new AslError("States.Runtime", cause); }
    static AslError intrinsic(String cause) { return new AslError("States.IntrinsicFailure", cause); }
}
