package dev.oboro.core;

import dev.oboro.wire.AwsException;
import dev.oboro.wire.EventStreamResponse;
import dev.oboro.wire.Models;
import dev.oboro.wire.Protocol;
import dev.oboro.wire.RestRoutes;
import dev.oboro.wire.SdkShapes;
import dev.oboro.wire.ServiceModel;
import dev.oboro.wire.ValidationException;
import dev.oboro.wire.WireCodec;
import dev.oboro.wire.WireRequest;
import dev.oboro.wire.WireResponse;
import software.amazon.awssdk.core.SdkPojo;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The request pipeline: identify the service and operation, resolve account and region, decode
 * the request into its SDK request object, dispatch to the handler, encode the response or the
 * AWS error. Every step is generic; nothing here knows an operation.
 */
public final class Gateway {
    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

    /** What a request is: service, operation and the protocol it speaks. */
    public record Target(ServiceModel service, String operation, Protocol protocol, Map<String, String> pathParams) {
    }

    private final Oboro oboro;
    private final Models models;
    private final Admin admin;
    private final List<RawRoute> rawRoutes = new CopyOnWriteArrayList<>();
    private final List<CallListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, RestRoutes> restRoutes = new ConcurrentHashMap<>();

    Gateway(Oboro oboro) {
        this.oboro = oboro;
        this.models = oboro.models();
        this.admin = new Admin(oboro);
    }

    public Admin admin() {
        return admin;
    }

    public void addRawRoute(RawRoute r) {
        rawRoutes.add(r);
    }

    public void addListener(CallListener l) {
        listeners.add(l);
    }

    public void removeListener(CallListener l) {
        listeners.remove(l);
    }

    /** The registered listeners (a snapshot). */
    public List<CallListener> listeners() {
        return List.copyOf(listeners);
    }

    public WireResponse handle(WireRequest req, String sourceIp) {
        String requestId = Ids.requestId();
        try {
            // raw routes first: some live under /_oboro/ (an instance's metadata at /_oboro/imds/<id>/...)
            for (RawRoute r : rawRoutes) {
                WireResponse resp = r.handle(req, sourceIp);
                if (resp != null) return resp;
            }
            if (req.path().startsWith("/_oboro/") || req.path().equals("/_oboro") || req.path().startsWith("/moto-api/")) {
                return admin.handle(req);
            }
            return handleAws(req, sourceIp, requestId);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "internal failure on " + req.method() + " " + req.path(), e);
            return WireCodec.encodeError(null, Protocol.JSON, "InternalFailure", null,
                    "Oboro failed to process the request: " + e, 500, false, null, requestId);
        }
    }

    private WireResponse handleAws(WireRequest req, String sourceIp, String requestId) {
        Credential cred = Credential.of(req);
        Target target;
        try {
            target = identify(req, cred);
        } catch (AwsException e) {
            return WireCodec.encodeError(null, guessProtocol(req), e.code(), null, e.getMessage(), e.status() == 0 ? 400 : e.status(),
                    e.senderFault(), null, requestId);
        } catch (ValidationException e) {
            Protocol p = guessProtocol(req);
            String code = p == Protocol.QUERY ? "MalformedQueryString" : "SerializationException";
            return WireCodec.encodeError(null, p, code, null, e.problems().get(0).constraint(), 400, true, null, requestId);
        }
        ServiceModel svc = target.service();
        String region = cred != null && cred.region() != null ? cred.region() : oboro.config().defaultRegion();
        Identity caller;
        try {
            caller = oboro.identities().resolve(cred == null ? null : cred.accessKeyId());
        } catch (Identities.InvalidAccessKey e) {
            return invalidAccessKey(svc, target.protocol(), requestId);
        }
        Call call = new Call(oboro, svc.name(), target.operation(), region, caller, requestId, sourceIp, req.header("user-agent"),
                req.header("x-amzn-trace-id"));
        SdkPojo request = null;
        try {
            if (caller.expiresAt() != null && oboro.clock().instant().isAfter(caller.expiresAt())) {
                throw new AwsException(target.protocol() == Protocol.QUERY || target.protocol() == Protocol.EC2 ? "ExpiredToken" : "ExpiredTokenException",
                        "The security token included in the request is expired", 400);
            }
            Class<?> requestClass = SdkShapes.requestClass(svc, target.operation());
            if (!oboro.services().has(svc.name()) || requestClass == null || !oboro.services().handles(svc.name(), requestClass)) {
                throw Services.notImplemented(svc.name(), target.operation());
            }
            request = WireCodec.decodeRequest(svc, target.operation(), target.protocol(), req, target.pathParams());
            SdkPojo response = oboro.services().invoke(call, request);
            WireResponse out = WireCodec.encodeResponse(svc, target.operation(), target.protocol(), response, requestId);
            notify(call, request, response instanceof EventStreamResponse es ? es.response() : response, null, null, out.status());
            return out;
        } catch (ValidationException v) {
            AwsException e = Errors.fromValidation(svc, target.protocol(), v);
            return error(call, svc, target.protocol(), request, e, requestId);
        } catch (AwsException e) {
            return error(call, svc, target.protocol(), request, e, requestId);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "internal failure in " + svc.name() + "." + target.operation(), e);
            AwsException ie = new AwsException("InternalFailure", "Oboro failed to process " + svc.name() + " "
                    + target.operation() + ": " + e, 500, false);
            return error(call, svc, target.protocol(), request, ie, requestId);
        }
    }

    /** The protocol to answer in when the request could not even be identified. */
    private static Protocol guessProtocol(WireRequest req) {
        if (req.header("x-amz-target") != null) return Protocol.JSON;
        if (req.isForm()) return Protocol.QUERY;
        return Protocol.REST_JSON;
    }

    /** Each protocol family's answer to a refused access key (an inactive IAM user key). */
    private static WireResponse invalidAccessKey(ServiceModel svc, Protocol protocol, String requestId) {
        String invalid = "The security token included in the request is invalid.";
        return switch (protocol) {
            case EC2 -> WireCodec.encodeError(svc, protocol, "AuthFailure", null,
                    "AWS was not able to validate the provided access credentials", 401, true, null, requestId);
            case REST_XML -> WireCodec.encodeError(svc, protocol, "InvalidAccessKeyId", null,
                    "The AWS Access Key Id you provided does not exist in our records.", 403, true, null, requestId);
            case QUERY -> WireCodec.encodeError(svc, protocol, "InvalidClientTokenId", null, invalid, 403, true, null, requestId);
            case REST_JSON -> WireCodec.encodeError(svc, protocol, "UnrecognizedClientException", null, invalid, 403, true, null, requestId);
            default -> WireCodec.encodeError(svc, protocol, "UnrecognizedClientException", null, invalid, 400, true, null, requestId);
        };
    }

    private WireResponse error(Call call, ServiceModel svc, Protocol protocol, SdkPojo request, AwsException e, String requestId) {
        ServiceModel.ErrorShape shape = svc.error(e.code());
        int status = e.status() != 0 ? e.status() : shape != null ? shape.status() : 400;
        boolean sender = e.status() != 0 ? e.senderFault() : shape == null || shape.senderFault();
        WireResponse out = WireCodec.encodeError(svc, protocol, e.code(), svc.errorShapeName(e.code()), e.getMessage(),
                status, sender, e.fields(), requestId);
        notify(call, request, null, e.code(), e.getMessage(), status);
        return out;
    }

    private void notify(Call call, SdkPojo request, SdkPojo response, String code, String message, int status) {
        for (CallListener l : listeners) {
            try {
                l.onCall(call, request, response, code, message, status);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "call listener failed", e);
            }
        }
    }

    // ------------------------------------------------------------------ identification

    /** Works out service, operation and protocol, in the order: X-Amz-Target, RPCv2 path, Action, REST route. */
    public Target identify(WireRequest req, Credential cred) {
        String signingName = cred == null ? null : cred.service();
        String amzTarget = req.header("x-amz-target");
        if (amzTarget != null) {
            int dot = amzTarget.lastIndexOf('.');
            Models.Entry e = dot < 0 ? null : models.byTargetPrefix(amzTarget.substring(0, dot));
            if (e == null) throw new AwsException("UnknownOperationException", "Unknown target " + amzTarget, 400);
            ServiceModel svc = models.service(e.name());
            String op = amzTarget.substring(dot + 1);
            if (svc.operation(op) == null) throw new AwsException("UnknownOperationException", "Unknown operation " + op, 400);
            return new Target(svc, op, Protocol.JSON, Map.of());
        }
        String path = req.path();
        if (path.startsWith("/service/") && path.contains("/operation/")) {
            String[] parts = path.split("/");
            // "", "service", <Service>, "operation", <Op>
            if (parts.length == 5) {
                Models.Entry e = models.byTargetPrefix(parts[2]);
                if (e != null) {
                    ServiceModel svc = models.service(e.name());
                    if (svc.operation(parts[4]) == null) throw new AwsException("UnknownOperationException", "Unknown operation " + parts[4], 404);
                    return new Target(svc, parts[4], Protocol.RPCV2_CBOR, Map.of());
                }
            }
        }
        List<Models.Entry> candidates = signingName == null ? List.of() : models.bySigningName(signingName);
        NavigableMap<String, String> params = null;
        if (req.isForm() || (req.rawQuery() != null && req.rawQuery().contains("Action="))) {
            params = req.params();
        }
        String action = params == null ? null : params.get("Action");
        if (action != null) {
            String version = params.get("Version");
            Models.Entry chosen = null;
            for (Models.Entry e : candidates.isEmpty() ? List.copyOf(models.entries().values()) : candidates) {
                boolean speaksQuery = e.protocols().contains("query") || e.protocols().contains("ec2");
                if (!speaksQuery) continue;
                if (version != null && !version.equals(e.apiVersion())) continue;
                if (!candidates.isEmpty() || models.service(e.name()).operation(action) != null) {
                    chosen = e;
                    break;
                }
            }
            if (chosen == null) {
                throw new AwsException("InvalidAction", "Could not find a service for Action " + action
                        + (version == null ? "" : " and Version " + version), 400);
            }
            ServiceModel svc = models.service(chosen.name());
            if (svc.operation(action) == null) {
                throw new AwsException("InvalidAction", "The action " + action + " is not valid for this web service.", 400);
            }
            return new Target(svc, action, "ec2".equals(chosen.protocol()) ? Protocol.EC2 : Protocol.QUERY, Map.of());
        }
        Map<String, String> query = WireCodec.firstValues(WireCodec.parseQueryMulti(req.rawQuery()));
        List<Models.Entry> restCandidates = candidates.isEmpty() ? List.copyOf(models.entries().values()) : candidates;
        for (Models.Entry e : restCandidates) {
            if (!e.protocol().startsWith("rest-")) continue;
            ServiceModel svc = models.service(e.name());
            RestRoutes routes = restRoutes.computeIfAbsent(e.name(), n -> new RestRoutes(svc));
            RestRoutes.Match m = routes.match(req.method(), path, query);
            if (m != null) {
                return new Target(svc, m.operation(), Protocol.fromModel(e.protocol()), m.pathParams());
            }
        }
        if (signingName != null && candidates.isEmpty()) {
            throw new AwsException("UnknownService", "Oboro does not know the service '" + signingName + "'", 400);
        }
        throw new AwsException("UnknownOperationException", "No AWS operation matches " + req.method() + " " + path, 404);
    }
}
