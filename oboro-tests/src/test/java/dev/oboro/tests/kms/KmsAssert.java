package dev.oboro.tests.kms;

import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.kms.model.KmsException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Asserts on KMS errors as a client sees them: code, HTTP status and message. */
final class KmsAssert {
    private KmsAssert() {
    }

    static KmsException fails(String code, Executable call) {
        KmsException e = assertThrows(KmsException.class, call);
        assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
        assertEquals(400, e.statusCode(), e.getMessage());
        return e;
    }

    static KmsException fails(String code, String message, Executable call) {
        KmsException e = fails(code, call);
        assertEquals(message, e.awsErrorDetails().errorMessage());
        return e;
    }
}
