package dev.oboro.services.stepfunctions.asl;

import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sfn.model.ValidateStateMachineDefinitionDiagnostic;

/** One problem found in a definition, with the fields of the SDK's ValidateStateMachineDefinitionDiagnostic. */
public record Diagnostic(String severity, String code, String message, String location) {
    public static Diagnostic error(String code, String message, String location) { return new Diagnostic("ERROR", code, message, location); }
    public static Diagnostic warning(String code, String message, String location) { return new Diagnostic("WARNING", code, message, location); }

    public boolean isError() { return "ERROR".equals(severity); }

    public ValidateStateMachineDefinitionDiagnostic toSdk() {
        return ValidateStateMachineDefinitionDiagnostic.builder().severity(severity).code(code).message(message).location(location).build();
    }

    /** "CODE: message at /location" as AWS joins them in an InvalidDefinition error. */
    @Override
    public String toString() { return code + ": " + message + (location == null ? "" : " at " + location); }

    /** The InvalidDefinition message CreateStateMachine / UpdateStateMachine return for these errors. */
    public static String invalidDefinitionMessage(List<Diagnostic> diagnostics) {
        List<Diagnostic> errors = diagnostics.stream().filter(Diagnostic::isError).toList();
        return "Invalid State Machine Definition: '" + errors.stream().map(Diagnostic::toString).collect(Collectors.joining(", ")) + "'";
    }
}
