package dev.oboro.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Scope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * All of Oboro's state. Tables live in memory; every change is written through to an embedded
 * SQLite database (WAL) before it is acknowledged, so a restart or a {@code kill -9} loses nothing
 * that a client was told succeeded. An ephemeral store keeps memory only.
 *
 * <p>Rows of a table whose service has not loaded yet are kept as JSON until the service asks for
 * its table, so start-up does not load every service.
 */
public final class Store implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Store.class.getName());
    public static final String FORMAT = "oboro-state/1";

    private record Row(String scope, String id, String json) {
    }

    private final Connection db; // null when ephemeral
    private final ReentrantLock dbLock = new ReentrantLock();
    private PreparedStatement upsert;
    private PreparedStatement delete;
    private PreparedStatement metaUpsert;
    private final Map<String, Table<?>> tables = new ConcurrentHashMap<>();
    private final Map<String, List<Row>> unloaded = new ConcurrentHashMap<>();
    private final Map<String, String> meta = new ConcurrentHashMap<>();
    private final List<Runnable> resetListeners = new CopyOnWriteArrayList<>();

    private Store(Connection db) {
        this.db = db;
    }

    public static Store ephemeral() {
        return new Store(null);
    }

    public static Store open(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            SqliteNative.prepare();
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("oboro.db"));
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                // NORMAL in WAL mode: a committed transaction survives a crash of the process.
                st.execute("PRAGMA synchronous=NORMAL");
                st.execute("CREATE TABLE IF NOT EXISTS state (tbl TEXT NOT NULL, scope TEXT NOT NULL, id TEXT NOT NULL, "
                        + "value TEXT NOT NULL, PRIMARY KEY (tbl, scope, id)) WITHOUT ROWID");
                st.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            }
            Store s = new Store(c);
            s.prepare();
            s.loadAll();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the state database in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private void prepare() throws SQLException {
        upsert = db.prepareStatement("INSERT OR REPLACE INTO state (tbl, scope, id, value) VALUES (?, ?, ?, ?)");
        delete = db.prepareStatement("DELETE FROM state WHERE tbl = ? AND scope = ? AND id = ?");
        metaUpsert = db.prepareStatement("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    }

    private void loadAll() throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT tbl, scope, id, value FROM state")) {
            while (rs.next()) {
                unloaded.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new Row(rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT key, value FROM meta")) {
            while (rs.next()) meta.put(rs.getString(1), rs.getString(2));
        }
    }

    public boolean durable() {
        return db != null;
    }

    /** Names of tables that hold persisted rows not yet claimed by their service. */
    public List<String> unloadedTables() {
        return new ArrayList<>(unloaded.keySet());
    }

    /** The table of that name, created on first use and filled from persisted rows. */
    @SuppressWarnings("unchecked")
    public <T> Table<T> table(String name, Class<T> type) {
        Table<?> t = tables.computeIfAbsent(name, n -> {
            Table<T> nt = new Table<>(n, type, this);
            fill(nt, unloaded.remove(n));
            return nt;
        });
        if (t.type() != type) throw new IllegalStateException("table " + name + " is of " + t.type() + ", not " + type);
        return (Table<T>) t;
    }

    private <T> void fill(Table<T> t, List<Row> rows) {
        if (rows == null) return;
        for (Row r : rows) {
            try {
                t.load(Scope.parse(r.scope), r.id, StateJson.MAPPER.readValue(r.json, t.type()));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "dropping unreadable row " + t.name() + "/" + r.scope + "/" + r.id + ": " + e.getMessage());
            }
        }
    }

    void write(String table, Scope scope, String id, Object value) {
        if (db == null) return;
        String json;
        try {
            json = StateJson.MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dbLock.lock();
        try {
            upsert.setString(1, table);
            upsert.setString(2, scope.toString());
            upsert.setString(3, id);
            upsert.setString(4, json);
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("state write failed: " + e.getMessage(), e);
        } finally {
            dbLock.unlock();
        }
    }

    void delete(String table, Scope scope, String id) {
        if (db == null) return;
        dbLock.lock();
        try {
            delete.setString(1, table);
            delete.setString(2, scope.toString());
            delete.setString(3, id);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("state delete failed: " + e.getMessage(), e);
        } finally {
            dbLock.unlock();
        }
    }

    public String meta(String key) {
        return meta.get(key);
    }

    public void putMeta(String key, String value) {
        meta.put(key, value);
        if (db == null) return;
        dbLock.lock();
        try {
            metaUpsert.setString(1, key);
            metaUpsert.setString(2, value);
            metaUpsert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("meta write failed: " + e.getMessage(), e);
        } finally {
            dbLock.unlock();
        }
    }

    /** Called after a reset or an import, so services can drop caches and re-arm their timers. */
    public void onReset(Runnable listener) {
        resetListeners.add(listener);
    }

    /** Clears all state. */
    public void reset() {
        dbLock.lock();
        try {
            if (db != null) {
                try (Statement st = db.createStatement()) {
                    st.execute("DELETE FROM state");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            unloaded.clear();
            tables.values().forEach(Table::clearMemory);
        } finally {
            dbLock.unlock();
        }
        resetListeners.forEach(Runnable::run);
    }

    /** Every row of every table as one JSON document. */
    public ObjectNode export() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("format", FORMAT);
        ObjectNode m = root.putObject("meta");
        meta.forEach(m::put);
        ArrayNode rows = root.putArray("rows");
        dbLock.lock();
        try {
            unloaded.forEach((tbl, list) -> list.forEach(r -> {
                ObjectNode o = rows.addObject();
                o.put("table", tbl).put("scope", r.scope).put("id", r.id);
                try {
                    o.set("value", StateJson.MAPPER.readTree(r.json));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
            tables.forEach((name, t) -> exportTable(rows, name, t));
        } finally {
            dbLock.unlock();
        }
        return root;
    }

    private static <T> void exportTable(ArrayNode rows, String name, Table<T> t) {
        t.forEachRow((scope, id, value) -> {
            ObjectNode o = rows.addObject();
            o.put("table", name).put("scope", scope.toString()).put("id", id);
            o.set("value", StateJson.MAPPER.valueToTree(value));
        });
    }

    /** Replaces all state with an exported document. */
    public void importState(JsonNode doc) {
        if (doc == null || !FORMAT.equals(doc.path("format").asText())) {
            throw new IllegalArgumentException("not an Oboro state document (expected format " + FORMAT + ")");
        }
        Map<String, List<Row>> byTable = new ConcurrentHashMap<>();
        for (JsonNode r : doc.path("rows")) {
            byTable.computeIfAbsent(r.path("table").asText(), k -> new ArrayList<>())
                    .add(new Row(r.path("scope").asText(), r.path("id").asText(), r.path("value").toString()));
        }
        dbLock.lock();
        try {
            if (db != null) {
                db.setAutoCommit(false);
                try (Statement st = db.createStatement()) {
                    st.execute("DELETE FROM state");
                }
                for (Map.Entry<String, List<Row>> e : byTable.entrySet()) {
                    for (Row r : e.getValue()) {
                        upsert.setString(1, e.getKey());
                        upsert.setString(2, r.scope);
                        upsert.setString(3, r.id);
                        upsert.setString(4, r.json);
                        upsert.executeUpdate();
                    }
                }
                db.commit();
                db.setAutoCommit(true);
            }
            unloaded.clear();
            tables.values().forEach(Table::clearMemory);
            byTable.forEach((name, rows) -> {
                Table<?> t = tables.get(name);
                if (t != null) fill(t, rows);
                else unloaded.put(name, rows);
            });
        } catch (SQLException e) {
            throw new IllegalStateException("state import failed: " + e.getMessage(), e);
        } finally {
            dbLock.unlock();
        }
        doc.path("meta").fields().forEachRemaining(e -> putMeta(e.getKey(), e.getValue().asText()));
        resetListeners.forEach(Runnable::run);
    }

    @Override
    public void close() {
        if (db == null) return;
        dbLock.lock();
        try {
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            db.close();
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "closing the state database: " + e.getMessage());
        } finally {
            dbLock.unlock();
        }
    }
}
