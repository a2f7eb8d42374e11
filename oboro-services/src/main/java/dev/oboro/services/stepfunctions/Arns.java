package dev.oboro.services.stepfunctions;

import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Step Functions ARNs and names: {@code arn:aws:states:<region>:<account>:<type>:<name>[:<qualifier>...]}, and
 * the name rules of CreateStateMachine, CreateActivity and StartExecution.
 */
final class Arns {
    private Arns() {
    }

    private static final Pattern ARN = Pattern.compile("arn:(aws[a-z-]*):states:([a-z0-9-]+):(\\d{12}):([A-Za-z]+):(.+)");
    private static final Pattern ALIAS_NAME = Pattern.compile("(?=.*[a-zA-Z_\\-.])[a-zA-Z0-9_\\-.]+");

    /** A parsed Step Functions ARN: type is stateMachine, execution, express or activity; parts the colon-separated rest. */
    record Parsed(String arn, String region, String account, String type, String[] parts) {
        Scope scope() {
            return new Scope(account, region);
        }

        String name() {
            return parts[0];
        }

        /** For a state machine ARN: the version number or alias name after the name, else null. */
        String qualifier() {
            return parts.length > 1 ? parts[1] : null;
        }

        boolean isVersion() {
            return "stateMachine".equals(type) && parts.length == 2 && parts[1].matches("\\d+");
        }

        boolean isAlias() {
            return "stateMachine".equals(type) && parts.length == 2 && !parts[1].matches("\\d+");
        }

        String unqualified() {
            return "arn:aws:states:" + region + ":" + account + ":stateMachine:" + parts[0];
        }
    }

    static Parsed parse(String arn) {
        Matcher m = arn == null ? null : ARN.matcher(arn);
        if (m == null || !m.matches()) throw invalid(arn);
        return new Parsed(arn, m.group(2), m.group(3), m.group(4), m.group(5).split(":", -1));
    }

    /** Parses an ARN that must be of one of the given resource types (AWS: "Resource type not valid in this context"). */
    static Parsed parse(String arn, String... types) {
        Parsed p = parse(arn);
        for (String t : types) if (t.equals(p.type())) return p;
        throw new AwsException("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: " + p.type().toLowerCase() + "'");
    }

    static AwsException invalid(String arn) {
        return new AwsException("InvalidArn", "Invalid Arn: '" + arn + "'");
    }

    static String stateMachine(Scope s, String name) {
        return "arn:aws:states:" + s.region() + ":" + s.account() + ":stateMachine:" + name;
    }

    static String activity(Scope s, String name) {
        return "arn:aws:states:" + s.region() + ":" + s.account() + ":activity:" + name;
    }

    static String execution(Scope s, String machineName, String name) {
        return "arn:aws:states:" + s.region() + ":" + s.account() + ":execution:" + machineName + ":" + name;
    }

    /** EXPRESS executions are not unique by name: their ARN carries an id as well. */
    static String expressExecution(Scope s, String machineName, String name, String id) {
        return "arn:aws:states:" + s.region() + ":" + s.account() + ":express:" + machineName + ":" + name + ":" + id;
    }

    /** A distributed Map state's Map Run: {@code mapRun:<machine>/<label>:<id>}. */
    static String mapRun(Scope s, String machineName, String label, String id) {
        return "arn:aws:states:" + s.region() + ":" + s.account() + ":mapRun:" + machineName + "/" + label + ":" + id;
    }

    /**
     * The name rules of state machines, activities and executions: 1 to 80 characters, no white space, brackets,
     * wildcards, special characters {@code " # % \ ^ | ~ ` $ & , ; : /} or control characters.
     * https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
     */
    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.codePointCount(0, name.length()) > 80) throw invalidName(name);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || c <= 0x1F || (c >= 0x7F && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF
                    || "<>{}[]?*\"#%\\^|~`$&,;:/".indexOf(c) >= 0) {
                throw invalidName(name);
            }
        }
    }

    private static AwsException invalidName(String name) {
        return new AwsException("InvalidName", "Invalid Name: '" + name + "'");
    }

    static boolean validAliasName(String name) {
        return name != null && ALIAS_NAME.matcher(name).matches();
    }
}
