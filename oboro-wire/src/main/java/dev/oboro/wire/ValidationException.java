package dev.oboro.wire;

import java.util.List;

/**
 * Bad client input found by the wire layer (missing required member, value out of bounds, wrong
 * type, malformed body). The gateway turns it into the service's own validation error code.
 */
public final class ValidationException extends RuntimeException {
    public enum Kind { MISSING, CONSTRAINT, MALFORMED }

    public record Problem(Kind kind, String member, String memberPath, Object value, String constraint) {
    }

    private final List<Problem> problems;

    public ValidationException(List<Problem> problems) {
        super(problems.toString(), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public static ValidationException malformed(String path, String detail) {
        return new ValidationException(List.of(new Problem(Kind.MALFORMED, path, path, null, detail)));
    }

    public List<Problem> problems() {
        return problems;
    }

    public boolean malformed() {
        return problems.stream().anyMatch(p -> p.kind() == Kind.MALFORMED);
    }
}
