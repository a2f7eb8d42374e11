package dev.oboro.core;

import java.time.Instant;

/**
 * The context of one API call: who called, in which account and region, and the runtime to reach
 * state, time and other services. Handlers take it as their first parameter.
 */
public final class Call {
    private final Oboro oboro;
    private final String service;
    private final String operation;
    private final String region;
    private final Identity caller;
    private final String requestId;
    private final String sourceIp;
    private final String userAgent;
    private final String traceHeader;

    public Call(Oboro oboro, String service, String operation, String region, Identity caller, String requestId,
                String sourceIp, String userAgent) {
        this(oboro, service, operation, region, caller, requestId, sourceIp, userAgent, null);
    }

    /** A call with the request's {@code X-Amzn-Trace-Id} header (X-Ray trace propagation), or null. */
    public Call(Oboro oboro, String service, String operation, String region, Identity caller, String requestId,
                String sourceIp, String userAgent, String traceHeader) {
        this.oboro = oboro;
        this.service = service;
        this.operation = operation;
        this.region = region;
        this.caller = caller;
        this.requestId = requestId;
        this.sourceIp = sourceIp;
        this.userAgent = userAgent;
        this.traceHeader = traceHeader;
    }

    /** A call made by Oboro itself on behalf of an account (controllers, integrations). */
    public static Call internal(Oboro oboro, String account, String region, String service) {
        return new Call(oboro, service, null, region, Identity.root(account, null), Ids.requestId(), "127.0.0.1", "oboro");
    }

    /** The same caller and place, for a call into another service. */
    public Call forService(String otherService, String otherOperation) {
        return new Call(oboro, otherService, otherOperation, region, caller, requestId, sourceIp, userAgent, traceHeader);
    }

    /** The same call carrying an X-Ray trace header (a service propagating its trace into the services it calls); null for none. */
    public Call withTraceHeader(String header) {
        return new Call(oboro, service, operation, region, caller, requestId, sourceIp, userAgent, header);
    }

    public Call inRegion(String otherRegion) {
        return new Call(oboro, service, operation, otherRegion, caller, requestId, sourceIp, userAgent, traceHeader);
    }

    public Oboro oboro() {
        return oboro;
    }

    public String service() {
        return service;
    }

    public String operation() {
        return operation;
    }

    public String account() {
        return caller.account();
    }

    public String region() {
        return region;
    }

    public Identity caller() {
        return caller;
    }

    public String requestId() {
        return requestId;
    }

    public String sourceIp() {
        return sourceIp;
    }

    public String userAgent() {
        return userAgent;
    }

    /** The {@code X-Amzn-Trace-Id} header the request carried (X-Ray propagation), or null. */
    public String traceHeader() {
        return traceHeader;
    }

    /** State scope of this call's account and region. */
    public Scope scope() {
        return new Scope(account(), region);
    }

    /** State scope of this call's account for a global service (IAM, Route 53, ...). */
    public Scope globalScope() {
        return Scope.global(account());
    }

    public Instant now() {
        return oboro.clock().instant();
    }

    /** {@code arn:aws:<service>:<region>:<account>:<resource>} */
    public String arn(String arnService, String resource) {
        return "arn:aws:" + arnService + ":" + region + ":" + account() + ":" + resource;
    }

    /** {@code arn:aws:<service>::<account>:<resource>} for global services. */
    public String globalArn(String arnService, String resource) {
        return "arn:aws:" + arnService + "::" + account() + ":" + resource;
    }
}
