package dev.oboro.core.store;

import dev.oboro.core.Scope;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.UnaryOperator;

/**
 * One kind of resource of one service, per account and region, kept in memory and written through
 * to the store before a change returns. Values are immutable (records); a change stores a new
 * value. Iteration is in id order, which makes pagination stable.
 */
public final class Table<T> {
    private final String name;
    private final Class<T> type;
    private final Store store;
    private final Map<Scope, ConcurrentSkipListMap<String, T>> data = new ConcurrentHashMap<>();

    Table(String name, Class<T> type, Store store) {
        this.name = name;
        this.type = type;
        this.store = store;
    }

    public String name() {
        return name;
    }

    Class<T> type() {
        return type;
    }

    private ConcurrentSkipListMap<String, T> scope(Scope s) {
        return data.computeIfAbsent(s, k -> new ConcurrentSkipListMap<>());
    }

    public T get(Scope s, String id) {
        ConcurrentSkipListMap<String, T> m = data.get(s);
        return m == null ? null : m.get(id);
    }

    public boolean contains(Scope s, String id) {
        return get(s, id) != null;
    }

    /** Stores a value durably, then makes it visible. */
    public synchronized void put(Scope s, String id, T value) {
        store.write(name, s, id, value);
        scope(s).put(id, value);
    }

    /** Stores a value only if the id is free; returns false if taken. */
    public synchronized boolean putIfAbsent(Scope s, String id, T value) {
        if (contains(s, id)) return false;
        put(s, id, value);
        return true;
    }

    /** Atomically replaces the value under an id (null from the function deletes it); returns the new value. */
    public synchronized T update(Scope s, String id, UnaryOperator<T> change) {
        T old = get(s, id);
        T next = change.apply(old);
        if (next == old) return old;
        if (next == null) remove(s, id);
        else put(s, id, next);
        return next;
    }

    public synchronized T remove(Scope s, String id) {
        ConcurrentSkipListMap<String, T> m = data.get(s);
        if (m == null || !m.containsKey(id)) return null;
        store.delete(name, s, id);
        return m.remove(id);
    }

    /** The values of one scope, in id order. */
    public Collection<T> values(Scope s) {
        ConcurrentSkipListMap<String, T> m = data.get(s);
        return m == null ? List.of() : m.values();
    }

    /** The entries of one scope, in id order. */
    public Map<String, T> entries(Scope s) {
        ConcurrentSkipListMap<String, T> m = data.get(s);
        return m == null ? Map.of() : m;
    }

    /**
     * The entries of one scope whose ids lie in {@code [fromInclusive, toExclusive)}, in id order: a
     * read-only live view, so a time-series keyed {@code <series>|<padded time>|...} is scanned over a
     * time range without touching the rest of the table.
     */
    public NavigableMap<String, T> range(Scope s, String fromInclusive, String toExclusive) {
        ConcurrentSkipListMap<String, T> m = data.get(s);
        if (m == null) return Collections.emptyNavigableMap();
        return Collections.unmodifiableNavigableMap(m.subMap(fromInclusive, true, toExclusive, false));
    }

    public List<Scope> scopes() {
        List<Scope> out = new ArrayList<>();
        data.forEach((k, v) -> {
            if (!v.isEmpty()) out.add(k);
        });
        out.sort(null);
        return out;
    }

    public int size(Scope s) {
        ConcurrentSkipListMap<String, T> m = data.get(s);
        return m == null ? 0 : m.size();
    }

    // loaded from the store, not written back
    void load(Scope s, String id, T value) {
        scope(s).put(id, value);
    }

    void clearMemory() {
        data.clear();
    }

    void forEachRow(RowVisitor<T> v) {
        data.forEach((scope, m) -> m.forEach((id, value) -> v.visit(scope, id, value)));
    }

    interface RowVisitor<T> {
        void visit(Scope scope, String id, T value);
    }
}
