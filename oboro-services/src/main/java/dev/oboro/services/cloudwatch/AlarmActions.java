package dev.oboro.services.cloudwatch;

import dev.oboro.core.Oboro;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The extension point through which other services carry out CloudWatch alarm actions. A service
 * registers a handler for the action ARNs it owns, as a pattern where {@code *} matches any run of
 * characters:
 *
 * <pre>{@code
 * AlarmActions.of(oboro).register("arn:aws:automate:*:ec2:stop", action -> stopInstance(action));
 * AlarmActions.of(oboro).register("arn:aws:autoscaling:*:scalingPolicy:*", action -> executePolicy(action));
 * AlarmActions.of(oboro).register("arn:aws:sns:*", action -> publish(action));
 * }</pre>
 *
 * When several patterns match, the longest (most specific) wins; of equally long ones, the one
 * registered last (so a test or a later service can stand in for EC2's own handlers). An action no handler matches
 * (SNS until SNS exists) is recorded: it appears in the alarm's history as executed and in
 * {@link #invocations()}. Every invocation, handled or not, is in {@link #invocations()}.
 */
public final class AlarmActions {
    private static final Map<Oboro, AlarmActions> REGISTRIES = Collections.synchronizedMap(new WeakHashMap<>());
    private static final int KEEP = 1000;

    private record Entry(String pattern, Pattern regex, AlarmActionHandler handler) {
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final List<AlarmAction> invocations = new ArrayList<>();

    private AlarmActions() {
    }

    /** The registry of one Oboro. */
    public static AlarmActions of(Oboro oboro) {
        return REGISTRIES.computeIfAbsent(oboro, o -> new AlarmActions());
    }

    /** Registers a handler for action ARNs matching {@code arnPattern}; close the result to unregister. */
    public AutoCloseable register(String arnPattern, AlarmActionHandler handler) {
        StringBuilder re = new StringBuilder();
        for (String part : arnPattern.split("\\*", -1)) {
            if (re.length() > 0) re.append(".*");
            re.append(Pattern.quote(part));
        }
        Entry e = new Entry(arnPattern, Pattern.compile(re.toString()), handler);
        entries.add(e);
        return () -> entries.remove(e);
    }

    /** The handler for an action ARN, or null when none is registered. */
    AlarmActionHandler handlerFor(String arn) {
        Entry best = null;
        for (Entry e : entries) {
            if (e.regex().matcher(arn).matches() && (best == null || e.pattern().length() >= best.pattern().length())) best = e;
        }
        return best == null ? null : best.handler();
    }

    void record(AlarmAction a) {
        synchronized (invocations) {
            invocations.add(a);
            if (invocations.size() > KEEP) invocations.remove(0);
        }
    }

    /** The most recent action invocations (up to 1000), oldest first. */
    public List<AlarmAction> invocations() {
        synchronized (invocations) {
            return List.copyOf(invocations);
        }
    }
}
