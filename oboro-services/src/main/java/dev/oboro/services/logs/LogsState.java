package dev.oboro.services.logs;

import dev.oboro.core.Call;
import dev.oboro.core.Oboro;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The state of CloudWatch Logs for one Oboro: the tables (groups, streams, event chunks) and an
 * in-memory index of each stream's events in (timestamp, arrival) order, rebuilt from the tables
 * when the service loads and after a reset or import.
 *
 * <p>Retention: a sweep runs once a day on Oboro's clock and deletes the events older than their
 * group's retention. AWS itself deletes expired events "typically within 72 hours"
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html);
 * the sweep is armed when the service loads, so a restarted Oboro keeps sweeping.
 */
final class LogsState {
    static final Duration SWEEP_EVERY = Duration.ofDays(1);
    static final long DAY_MS = 86_400_000L;
    /** The retention values PutRetentionPolicy accepts. */
    static final List<Integer> RETENTION_DAYS = List.of(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
            1096, 1827, 2192, 2557, 2922, 3288, 3653);
    static final Pattern GROUP_NAME = Pattern.compile("[.\\-_/#A-Za-z0-9]+");
    static final Pattern STREAM_NAME = Pattern.compile("[^:*]*");

    private static final Map<Oboro, LogsState> BY_OBORO = Collections.synchronizedMap(new WeakHashMap<>());

    /** Position of an event in a stream. */
    record Key(long timestamp, long seq) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(timestamp, o.timestamp);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        Key next() {
            return new Key(timestamp, seq + 1);
        }

        Key previous() {
            return seq > 0 ? new Key(timestamp, seq - 1) : timestamp > 0 ? new Key(timestamp - 1, Long.MAX_VALUE / 2) : this;
        }

        /** 56 digits, the shape of AWS's event ids: sortable, and the same order as the key. */
        String digits() {
            return String.format("%020d%036d", timestamp, seq);
        }

        static Key of(Records.Event e) {
            return new Key(e.timestamp(), e.seq());
        }
    }

    /** A stream's events in order, and their size. */
    static final class StreamEvents {
        final ConcurrentSkipListMap<Key, Records.Event> events = new ConcurrentSkipListMap<>();
        final AtomicLong bytes = new AtomicLong();

        void add(Records.Event e) {
            if (events.put(Key.of(e), e) == null) bytes.addAndGet(size(e));
        }

        void remove(Records.Event e) {
            if (events.remove(Key.of(e)) != null) bytes.addAndGet(-size(e));
        }

        static long size(Records.Event e) {
            return e.message().getBytes(StandardCharsets.UTF_8).length;
        }
    }

    final Oboro oboro;
    final Table<Records.Group> groups;
    final Table<Records.Stream> streams;
    final Table<Records.Chunk> chunks;
    private final Map<Scope, Map<String, StreamEvents>> index = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    private LogsState(Oboro oboro) {
        this.oboro = oboro;
        this.groups = oboro.store().table("logs.groups", Records.Group.class);
        this.streams = oboro.store().table("logs.streams", Records.Stream.class);
        this.chunks = oboro.store().table("logs.events", Records.Chunk.class);
        rebuildIndex();
        oboro.store().onReset(this::rebuildIndex);
        oboro.scheduler().every(SWEEP_EVERY, this::sweep);
    }

    static LogsState create(Oboro oboro) {
        LogsState s = new LogsState(oboro);
        BY_OBORO.put(oboro, s);
        return s;
    }

    /** The state of that Oboro's Logs service, loading the service if it has not loaded yet. */
    static LogsState of(Oboro oboro) {
        LogsState s = BY_OBORO.get(oboro);
        if (s != null) return s;
        oboro.services().ensureLoaded("logs");
        s = BY_OBORO.get(oboro);
        if (s == null) throw new IllegalStateException("the logs service did not load");
        return s;
    }

    private synchronized void rebuildIndex() {
        index.clear();
        long max = 0;
        for (Scope scope : chunks.scopes()) {
            for (Records.Chunk c : chunks.values(scope)) {
                StreamEvents se = streamEvents(scope, c.group(), c.stream());
                for (Records.Event e : c.events()) {
                    se.add(e);
                    max = Math.max(max, e.seq());
                }
            }
        }
        seq.set(Math.max(seq.get(), max));
    }

    long nextSeq() {
        return seq.incrementAndGet();
    }

    static String streamKey(String group, String stream) {
        // Group names cannot hold a space, so the first space separates the two; and a space sorts
        // before every character a group name may hold, so a group's streams are contiguous.
        return group + " " + stream;
    }

    StreamEvents streamEvents(Scope scope, String group, String stream) {
        return index.computeIfAbsent(scope, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(streamKey(group, stream), k -> new StreamEvents());
    }

    /** The events of a stream, or an empty map. */
    NavigableMap<Key, Records.Event> events(Scope scope, String group, String stream) {
        Map<String, StreamEvents> m = index.get(scope);
        StreamEvents se = m == null ? null : m.get(streamKey(group, stream));
        return se == null ? new ConcurrentSkipListMap<>() : se.events;
    }

    long storedBytes(Scope scope, String group) {
        Map<String, StreamEvents> m = index.get(scope);
        if (m == null) return 0;
        long total = 0;
        String prefix = group + " ";
        for (Map.Entry<String, StreamEvents> e : m.entrySet()) {
            if (e.getKey().startsWith(prefix)) total += e.getValue().bytes.get();
        }
        return total;
    }

    // ------------------------------------------------------------------ lookups

    Records.Group group(Scope scope, String name) {
        Records.Group g = groups.get(scope, name);
        if (g == null) throw groupNotFound();
        return g;
    }

    Records.Stream stream(Scope scope, String group, String name) {
        Records.Stream s = streams.get(scope, streamKey(group, name));
        if (s == null) throw new AwsException("ResourceNotFoundException", "The specified log stream does not exist.");
        return s;
    }

    List<Records.Stream> streamsOf(Scope scope, String group) {
        List<Records.Stream> out = new ArrayList<>();
        String prefix = group + " ";
        for (Map.Entry<String, Records.Stream> e : streams.entries(scope).entrySet()) {
            if (e.getKey().startsWith(prefix)) out.add(e.getValue());
        }
        return out;
    }

    static AwsException groupNotFound() {
        return new AwsException("ResourceNotFoundException", "The specified log group does not exist.");
    }

    /**
     * The group named by {@code logGroupName} or {@code logGroupIdentifier} (a name or an ARN): AWS
     * wants exactly one of the two.
     */
    String groupName(Call call, String name, String identifier) {
        if (name != null && identifier != null) {
            throw new AwsException("InvalidParameterException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.");
        }
        if (name == null && identifier == null) {
            throw new AwsException("InvalidParameterException", "Should provide either name or ARN of the log group.");
        }
        return name != null ? name : nameFromIdentifier(identifier);
    }

    static String nameFromIdentifier(String identifier) {
        if (!identifier.startsWith("arn:")) return identifier;
        int i = identifier.indexOf(":log-group:");
        if (i < 0) throw new AwsException("InvalidParameterException", "Invalid log group ARN: " + identifier);
        String rest = identifier.substring(i + ":log-group:".length());
        if (rest.endsWith(":*")) rest = rest.substring(0, rest.length() - 2);
        return rest;
    }

    static String groupArn(Call call, String group) {
        return call.arn("logs", "log-group:" + group);
    }

    static void checkName(String member, String value, Pattern pattern, String patternText) {
        if (value != null && !pattern.matcher(value).matches()) {
            throw new AwsException("InvalidParameterException", "1 validation error detected: Value '" + value + "' at '"
                    + member + "' failed to satisfy constraint: Member must satisfy regular expression pattern: " + patternText);
        }
    }

    // ------------------------------------------------------------------ writing

    /** Stores events (already checked and in order) in a stream, and updates the stream's times. */
    synchronized Records.Stream store(Scope scope, String group, String stream, List<Records.Event> events, long now) {
        Records.Stream s = streams.get(scope, streamKey(group, stream));
        if (s == null) throw new AwsException("ResourceNotFoundException", "The specified log stream does not exist.");
        if (events.isEmpty()) return s;
        chunks.put(scope, streamKey(group, stream) + " " + String.format("%019d", events.get(0).seq()),
                new Records.Chunk(group, stream, List.copyOf(events)));
        StreamEvents se = streamEvents(scope, group, stream);
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        for (Records.Event e : events) {
            se.add(e);
            first = Math.min(first, e.timestamp());
            last = Math.max(last, e.timestamp());
        }
        Long f = s.firstEventTimestamp() == null ? first : Math.min(s.firstEventTimestamp(), first);
        Long l = s.lastEventTimestamp() == null ? last : Math.max(s.lastEventTimestamp(), last);
        String token = String.format("49%054d", events.get(events.size() - 1).seq());
        Records.Stream next = new Records.Stream(s.group(), s.name(), s.creationTime(), f, l, now, token);
        streams.put(scope, streamKey(group, stream), next);
        return next;
    }

    /** Deletes a stream and its events. */
    synchronized void deleteStream(Scope scope, String group, String stream) {
        String key = streamKey(group, stream);
        streams.remove(scope, key);
        String prefix = key + " ";
        for (String id : new ArrayList<>(chunks.entries(scope).keySet())) {
            Records.Chunk c = chunks.get(scope, id);
            if (c != null && id.startsWith(prefix) && c.stream().equals(stream) && c.group().equals(group)) chunks.remove(scope, id);
        }
        Map<String, StreamEvents> m = index.get(scope);
        if (m != null) m.remove(key);
    }

    synchronized void deleteGroup(Scope scope, String group) {
        for (Records.Stream s : streamsOf(scope, group)) deleteStream(scope, group, s.name());
        groups.remove(scope, group);
    }

    // ------------------------------------------------------------------ retention


    /** Deletes every event older than its group's retention. */
    synchronized void sweep() {
        long now = oboro.clock().millis();
        for (Scope scope : groups.scopes()) {
            for (Records.Group g : List.copyOf(groups.values(scope))) {
                if (g.retentionInDays() == null) continue;
                expire(scope, g.name(), now - g.retentionInDays() * DAY_MS);
            }
        }
    }

    private void expire(Scope scope, String group, long cutoff) {
        String prefix = group + " ";
        for (Map.Entry<String, Records.Chunk> e : List.copyOf(chunks.entries(scope).entrySet())) {
            Records.Chunk c = e.getValue();
            if (!e.getKey().startsWith(prefix) || !c.group().equals(group)) continue;
            List<Records.Event> keep = new ArrayList<>(c.events().size());
            List<Records.Event> gone = new ArrayList<>();
            for (Records.Event ev : c.events()) (ev.timestamp() < cutoff ? gone : keep).add(ev);
            if (gone.isEmpty()) continue;
            if (keep.isEmpty()) chunks.remove(scope, e.getKey());
            else chunks.put(scope, e.getKey(), new Records.Chunk(c.group(), c.stream(), keep));
            StreamEvents se = streamEvents(scope, c.group(), c.stream());
            gone.forEach(se::remove);
        }
    }
}
