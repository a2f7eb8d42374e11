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

    /**
     * Called once when Oboro starts, for every service, before any request is served. Most services
     * do nothing here (their handlers load on first use); a service that must see traffic from the
     * start (CloudTrail's call listener, IAM's access-key resolver) registers it here, cheaply and
     * without loading its handlers.
     */
    default void onStart(Oboro oboro) {
    }
}
