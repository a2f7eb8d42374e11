package dev.oboro.services.lambda;

import dev.oboro.wire.AwsException;

import java.util.Map;

/** Which runtimes Lambda still accepts, and which executor runs each in Oboro. */
final class Runtimes {
    private Runtimes() {
    }

    enum Kind { JAVA, PYTHON, NODE, PROVIDED, UNSUPPORTED }

    /**
     * Runtimes past their "block function create/update" date, with the runtime AWS recommends
     * instead (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated).
     */
    private static final Map<String, String> BLOCKED = Map.ofEntries(
            Map.entry("python2.7", "python3.13"), Map.entry("python3.6", "python3.13"), Map.entry("python3.7", "python3.13"),
            Map.entry("nodejs", "nodejs22.x"), Map.entry("nodejs4.3", "nodejs22.x"), Map.entry("nodejs4.3-edge", "nodejs22.x"),
            Map.entry("nodejs6.10", "nodejs22.x"), Map.entry("nodejs8.10", "nodejs22.x"), Map.entry("nodejs10.x", "nodejs22.x"),
            Map.entry("nodejs12.x", "nodejs22.x"), Map.entry("nodejs14.x", "nodejs22.x"), Map.entry("nodejs16.x", "nodejs22.x"),
            Map.entry("dotnetcore1.0", "dotnet8"), Map.entry("dotnetcore2.0", "dotnet8"), Map.entry("dotnetcore2.1", "dotnet8"),
            Map.entry("dotnetcore3.1", "dotnet8"), Map.entry("dotnet6", "dotnet8"), Map.entry("ruby2.5", "ruby3.3"),
            Map.entry("ruby2.7", "ruby3.3"), Map.entry("java8", "java21"), Map.entry("go1.x", "provided.al2023"),
            Map.entry("provided", "provided.al2023"));

    static void checkCreatable(String runtime) {
        String instead = BLOCKED.get(runtime);
        if (instead != null) {
            throw new AwsException("InvalidParameterValueException", "The runtime parameter of " + runtime
                    + " is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime ("
                    + instead + ") while creating or updating functions.");
        }
    }

    static Kind kind(String runtime) {
        if (runtime == null) return Kind.UNSUPPORTED;
        if (runtime.startsWith("java")) return Kind.JAVA;
        if (runtime.startsWith("python3")) return Kind.PYTHON;
        if (runtime.startsWith("nodejs")) return Kind.NODE;
        if (runtime.startsWith("provided")) return Kind.PROVIDED;
        return Kind.UNSUPPORTED;
    }
}
