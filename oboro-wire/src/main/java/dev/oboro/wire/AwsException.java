package dev.oboro.wire;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An AWS error answered to the client: the AWS error code (as the protocol puts it on the wire),
 * the message, and the HTTP status. When no status is given, the service model's status for that
 * error code is used (400 if the model does not list it).
 */
public class AwsException extends RuntimeException {
    private final String code;
    private final int status;
    private final boolean senderFault;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    public AwsException(String code, String message) {
        this(code, message, 0, true);
    }

    public AwsException(String code, String message, int status) {
        this(code, message, status, status < 500);
    }

    public AwsException(String code, String message, int status, boolean senderFault) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.senderFault = senderFault;
    }

    public static AwsException of(String code, String format, Object... args) {
        return new AwsException(code, args.length == 0 ? format : String.format(format, args));
    }

    public String code() {
        return code;
    }

    /** The status given when thrown, or 0 to take it from the service model. */
    public int status() {
        return status;
    }

    public boolean senderFault() {
        return senderFault;
    }

    /** Extra members of the error shape (e.g. {@code ResourceName}), encoded where the protocol allows. */
    public AwsException with(String member, Object value) {
        fields.put(member, value);
        return this;
    }

    public Map<String, Object> fields() {
        return fields;
    }
}
