package dev.oboro.server;

import dev.oboro.core.Config;
import dev.oboro.core.Oboro;
import dev.oboro.core.http.HttpServer;

/** A running Oboro: the runtime and its HTTP listener. Tests start one in-process. */
public final class OboroServer implements AutoCloseable {
    private final Oboro oboro;
    private final HttpServer http;
    private final int port;

    private OboroServer(Oboro oboro, HttpServer http, int port) {
        this.oboro = oboro;
        this.http = http;
        this.port = port;
    }

    public static OboroServer start(Config config) {
        Oboro oboro = new Oboro(config);
        HttpServer http = new HttpServer(oboro.gateway());
        try {
            int port = http.start(config.host(), config.port());
            String host = "0.0.0.0".equals(config.host()) ? "localhost" : config.host();
            oboro.setBaseUrl("http://" + host + ":" + port);
            oboro.workers().execute(oboro::resumePersistedServices);
            return new OboroServer(oboro, http, port);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            oboro.close();
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            http.close();
            oboro.close();
            throw e;
        }
    }

    public Oboro oboro() {
        return oboro;
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return oboro.baseUrl();
    }

    /** Graceful: stop accepting, finish in-flight requests, flush state. */
    @Override
    public void close() {
        http.close();
        oboro.close();
    }
}
