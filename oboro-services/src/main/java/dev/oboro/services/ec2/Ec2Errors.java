package dev.oboro.services.ec2;

import dev.oboro.wire.AwsException;

import java.util.List;
import java.util.regex.Pattern;

/**
 * EC2's error codes and message forms.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */
final class Ec2Errors {
    private Ec2Errors() {
    }

    private static final Pattern ID = Pattern.compile("[a-z0-9-]+-([0-9a-f]{8}|[0-9a-f]{17})");

    static AwsException invalidParameterValue(String message) {
        return new AwsException("InvalidParameterValue", message, 400);
    }

    static AwsException invalidParameterCombination(String message) {
        return new AwsException("InvalidParameterCombination", message, 400);
    }

    static AwsException unsupportedOperation(String message) {
        return new AwsException("UnsupportedOperation", message, 400);
    }

    static AwsException incorrectInstanceState(String message) {
        return new AwsException("IncorrectInstanceState", message, 400);
    }

    static AwsException missingParameter(String name) {
        return new AwsException("MissingParameter", "The request must contain the parameter " + name, 400);
    }

    static AwsException dependencyViolation(String message) {
        return new AwsException("DependencyViolation", message, 400);
    }

    /** {@code <Kind>.NotFound}: "The vpc ID 'vpc-1' does not exist" or, for several, "The vpc IDs 'a, b' do not exist". */
    static AwsException notFound(String code, String what, List<String> ids) {
        if (ids.size() == 1) return new AwsException(code, "The " + what + " ID '" + ids.get(0) + "' does not exist", 400);
        return new AwsException(code, "The " + what + " IDs '" + String.join(", ", ids) + "' do not exist", 400);
    }

    static AwsException notFound(String code, String what, String id) {
        return notFound(code, what, List.of(id));
    }

    /** Refuses an id that is not of the form {@code prefix-<8 or 17 hex digits>}. */
    static void checkId(String id, String prefix, String malformedCode) {
        if (id == null || !id.startsWith(prefix + "-") || !ID.matcher(id).matches()) {
            throw new AwsException(malformedCode, "Invalid id: \"" + id + "\" (expecting \"" + prefix + "-...\")", 400);
        }
    }

    static boolean wellFormed(String id, String prefix) {
        return id != null && id.startsWith(prefix + "-") && ID.matcher(id).matches();
    }
}
