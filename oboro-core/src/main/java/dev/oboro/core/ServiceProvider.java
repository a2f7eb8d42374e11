package dev.oboro.core;

import java.util.List;

/**
 * One AWS service in Oboro, found by convention as {@code dev.oboro.services.<model name without
 * dashes>.Provider} (e.g. {@code dev.oboro.services.stepfunctions.Provider}) with a public no-argument
 * constructor. The provider itself is tiny; its handlers are created on the service's first use.
 *
 * <p>A handler is any object with methods of the form {@code XxxResponse xxx(Call, XxxRequest)}
 * (or without the {@code Call}): the SDK request class is the operation key.
 */
public interface ServiceProvider {
    /**
     * The service's model name (the botocore service directory: {@code ec2}, {@code stepfunctions}):
     * the package name says it, so providers need not.
     */
    default String service() {
        String pkg = getClass().getPackageName();
        return pkg.substring(pkg.lastIndexOf('.') + 1);
    }

    /** Creates the service's handler objects. Called once, on first use or at start if it has state. */
    List<Object> handlers(Oboro oboro);
}
