package dev.oboro.services.lambda;

import dev.oboro.core.RawRoute;
import dev.oboro.core.Scope;
import dev.oboro.wire.WireRequest;
import dev.oboro.wire.WireResponse;

/**
 * Serves deployment packages and layer contents at the URLs {@code GetFunction} and
 * {@code GetLayerVersion} return as {@code Code.Location} / {@code Content.Location} (AWS hands
 * out presigned S3 URLs; Oboro serves the zip itself). {@code _} cannot start an S3 bucket name, so
 * the prefix never shadows an AWS route.
 */
final class CodeDownloads implements RawRoute {
    private static final String PREFIX = "/_lambda/code/";
    private final LambdaState state;

    CodeDownloads(LambdaState state) {
        this.state = state;
    }

    static String path(Scope scope, String hex) {
        return PREFIX + scope.account() + "/" + scope.region() + "/" + hex + ".zip";
    }

    @Override
    public WireResponse handle(WireRequest request, String sourceIp) {
        if (!request.path().startsWith(PREFIX) || !request.method().equals("GET")) return null;
        String[] parts = request.path().substring(PREFIX.length()).split("/");
        if (parts.length != 3 || !parts[2].endsWith(".zip")) return WireResponse.of(404, "text/plain", "Not Found".getBytes());
        byte[] zip = state.codeCache.bytes(new Scope(parts[0], parts[1]), parts[2].substring(0, parts[2].length() - 4));
        if (zip == null) return WireResponse.of(404, "text/plain", "Not Found".getBytes());
        return WireResponse.of(200, "application/zip", zip);
    }
}
