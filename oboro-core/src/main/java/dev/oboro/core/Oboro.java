package dev.oboro.core;

import dev.oboro.core.store.Store;
import dev.oboro.core.time.OboroClock;
import dev.oboro.core.time.Scheduler;
import dev.oboro.wire.Models;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The runtime: configuration, the service models, state, the clock and scheduler, identities and
 * the services. One per server; tests share one per JVM.
 */
public final class Oboro implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Oboro.class.getName());
    private static final String CLOCK_OFFSET = "clock.offsetNanos";

    private final Config config;
    private final Models models;
    private final Store store;
    private final OboroClock clock;
    private final Scheduler scheduler;
    private final Identities identities;
    private final Services services;
    private final Gateway gateway;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Instant startedAt;
    private volatile String baseUrl;

    public Oboro(Config config) {
        this.config = config;
        this.models = new Models();
        this.store = config.ephemeral() ? Store.ephemeral() : Store.open(config.dataDir());
        String offset = store.meta(CLOCK_OFFSET);
        this.clock = new OboroClock(offset == null ? 0 : Long.parseLong(offset));
        this.scheduler = new Scheduler(clock, o -> store.putMeta(CLOCK_OFFSET, Long.toString(o)));
        this.identities = new Identities(config.defaultAccount());
        this.services = new Services(this);
        this.identities.setIssuerLoader(() -> {
            for (String issuer : List.of("iam", "sts")) {
                if (services.has(issuer) && !services.isLoaded(issuer)) services.ensureLoaded(issuer);
            }
        });
        this.gateway = new Gateway(this);
        this.startedAt = clock.instant();
        this.baseUrl = "http://" + ("0.0.0.0".equals(config.host()) ? "localhost" : config.host()) + ":" + config.port();
        services.start();
    }

    /** Loads the services that have persisted state, so their timers are armed again. */
    public void resumePersistedServices() {
        for (String table : store.unloadedTables()) {
            String service = table.contains(".") ? table.substring(0, table.indexOf('.')) : table;
            if (services.has(service)) {
                try {
                    services.ensureLoaded(service);
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "could not resume service " + service, e);
                }
            }
        }
    }

    public Config config() {
        return config;
    }

    public Models models() {
        return models;
    }

    public Store store() {
        return store;
    }

    public OboroClock clock() {
        return clock;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public Identities identities() {
        return identities;
    }

    public Services services() {
        return services;
    }

    public Gateway gateway() {
        return gateway;
    }

    /** Runs background work (on a virtual thread). */
    public ExecutorService workers() {
        return workers;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** The URL clients use to reach this Oboro (for ARNs-with-URLs, queue URLs, function URLs). */
    public String baseUrl() {
        return baseUrl;
    }

    public void setBaseUrl(String url) {
        this.baseUrl = url;
    }

    public static String version() {
        String v = Oboro.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    @Override
    public void close() {
        scheduler.close();
        workers.shutdown();
        store.close();
    }
}
