package dev.oboro.tests.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One clock and one scheduler: tasks run exactly when the clock is advanced past them, in order. */
@ResourceLock(Oboro.CLOCK)
class ClockTest {
    final ObjectMapper json = new ObjectMapper();

    @Test
    void aTaskRunsWhenTheClockPassesItNotBefore() {
        var scheduler = Oboro.server().oboro().scheduler();
        Instant start = Oboro.server().oboro().clock().instant();
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        List<Instant> seen = Collections.synchronizedList(new ArrayList<>());
        scheduler.schedule(start.plus(Duration.ofHours(2)), () -> {
            ran.add("two");
            seen.add(Oboro.server().oboro().clock().instant());
        });
        scheduler.schedule(start.plus(Duration.ofHours(1)), () -> {
            ran.add("one");
            // a task may schedule another that falls due within the same advance
            scheduler.schedule(Oboro.server().oboro().clock().instant().plus(Duration.ofMinutes(30)), () -> ran.add("one-and-a-half"));
        });
        Oboro.advance(Duration.ofMinutes(59));
        assertTrue(ran.isEmpty(), ran.toString());
        Oboro.advance(Duration.ofMinutes(2));
        assertEquals(List.of("one"), ran);
        Oboro.advance(Duration.ofHours(1));
        assertEquals(List.of("one", "one-and-a-half", "two"), ran);
        // the task saw the time it was due, not the end of the advance
        assertFalse(seen.get(0).isBefore(start.plus(Duration.ofHours(2))));
        assertTrue(seen.get(0).isBefore(start.plus(Duration.ofHours(2)).plusSeconds(5)), seen.toString());
    }

    @Test
    void adminClockEndpointAdvancesTime() throws Exception {
        HttpResponse<String> before = Oboro.http(Oboro.request("/_oboro/clock").GET());
        Instant t0 = Instant.parse(json.readTree(before.body()).get("now").asText());
        HttpResponse<String> r = Oboro.http(Oboro.request("/_oboro/clock").POST(HttpRequest.BodyPublishers.ofString("{\"advance\":\"PT3H\"}")));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode after = json.readTree(r.body());
        Instant t1 = Instant.parse(after.get("now").asText());
        assertTrue(Duration.between(t0, t1).compareTo(Duration.ofHours(3)) >= 0, t0 + " -> " + t1);
        assertTrue(Duration.between(t0, t1).compareTo(Duration.ofHours(3).plusMinutes(1)) < 0, t0 + " -> " + t1);

        HttpResponse<String> back = Oboro.http(Oboro.request("/_oboro/clock").POST(HttpRequest.BodyPublishers.ofString("{\"advance\":\"-PT1H\"}")));
        assertEquals(400, back.statusCode());
    }
}
