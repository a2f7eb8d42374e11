package dev.oboro.core;

import dev.oboro.wire.AwsException;
import dev.oboro.wire.Protocol;
import dev.oboro.wire.ServiceModel;
import dev.oboro.wire.ValidationException;

import java.util.List;
import java.util.Map;

/** Turns bad client input into each service's own validation error. */
public final class Errors {
    private Errors() {
    }

    /** Services whose validation errors differ from their protocol family's usual ones. */
    private static final Map<String, String[]> OVERRIDES = Map.of(
            // service -> {missing code, invalid code}
            "cloudwatch", new String[]{"MissingParameter", "InvalidParameterValue"},
            "route53", new String[]{"InvalidInput", "InvalidInput"},
            "s3", new String[]{"InvalidArgument", "InvalidArgument"},
            "cloudfront", new String[]{"InvalidArgument", "InvalidArgument"},
            "lambda", new String[]{"ValidationException", "ValidationException"},
            // CloudWatch Logs answers constraint violations with InvalidParameterException
            "logs", new String[]{"InvalidParameterException", "InvalidParameterException"},
            "xray", new String[]{"InvalidRequestException", "InvalidRequestException"},
            // Data Lifecycle Manager: "Bad request. The request is missing required parameters or has invalid parameters."
            "dlm", new String[]{"InvalidRequestException", "InvalidRequestException"});

    public static AwsException fromValidation(ServiceModel svc, Protocol protocol, ValidationException v) {
        List<ValidationException.Problem> problems = v.problems();
        ValidationException.Problem first = problems.get(0);
        String[] o = OVERRIDES.get(svc.name());
        if (protocol == Protocol.EC2) {
            if (first.kind() == ValidationException.Kind.MISSING) {
                return new AwsException("MissingParameter", "The request must contain the parameter " + first.member(), 400);
            }
            if (first.kind() == ValidationException.Kind.MALFORMED) {
                return new AwsException("InvalidParameterValue", first.constraint(), 400);
            }
            return new AwsException("InvalidParameterValue", "Value (" + first.value() + ") for parameter "
                    + first.member() + " is invalid. " + first.constraint(), 400);
        }
        if (v.malformed()) {
            String code = switch (protocol) {
                case JSON, RPCV2_CBOR, REST_JSON -> "SerializationException";
                case REST_XML -> o != null ? o[1] : "MalformedXML";
                default -> "MalformedQueryString";
            };
            if (o != null && protocol == Protocol.QUERY) code = o[1];
            return new AwsException(code, first.constraint(), 400);
        }
        if (o != null && o[0].equals("MissingParameter") && first.kind() == ValidationException.Kind.MISSING) {
            return new AwsException("MissingParameter", "The parameter " + queryPath(first.memberPath()) + " is required.", 400);
        }
        String code = o != null ? o[1] : switch (protocol) {
            case QUERY -> "ValidationError";
            case REST_XML -> "InvalidInput";
            default -> "ValidationException";
        };
        return new AwsException(code, coralMessage(problems), 400);
    }

    /**
     * A member path as query-protocol services name parameters in their messages:
     * {@code metricData.1.member.dimensions.1.member.value} -> {@code MetricData.member.1.Dimensions.member.1.Value}.
     */
    static String queryPath(String memberPath) {
        String[] parts = memberPath.split("\\.");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (sb.length() > 0) sb.append('.');
            if (!p.isEmpty() && Character.isDigit(p.charAt(0)) && i + 1 < parts.length && parts[i + 1].equals("member")) {
                sb.append("member.").append(p);
                i++;
            } else if (!p.isEmpty()) {
                sb.append(Character.toUpperCase(p.charAt(0))).append(p.substring(1));
            }
        }
        return sb.toString();
    }

    /** "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null" */
    static String coralMessage(List<ValidationException.Problem> problems) {
        StringBuilder sb = new StringBuilder();
        sb.append(problems.size()).append(problems.size() == 1 ? " validation error detected: " : " validation errors detected: ");
        for (int i = 0; i < problems.size(); i++) {
            ValidationException.Problem p = problems.get(i);
            if (i > 0) sb.append("; ");
            sb.append("Value ").append(p.value() == null ? "null" : "'" + p.value() + "'")
                    .append(" at '").append(p.memberPath()).append("' failed to satisfy constraint: ").append(p.constraint());
        }
        return sb.toString();
    }
}
