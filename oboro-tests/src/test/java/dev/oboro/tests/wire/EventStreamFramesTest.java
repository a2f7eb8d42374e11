package dev.oboro.tests.wire;

import dev.oboro.wire.EventStreams;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The event-stream framing, read back by the AWS SDK's own decoder (which checks both CRCs). */
class EventStreamFramesTest {

    @Test
    void typedHeadersAndPayloadRoundTripThroughTheSdksDecoder() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(":event-type", "Chunk");
        headers.put("count", 42);
        headers.put("big", 5_000_000_000L);
        headers.put("yes", true);
        headers.put("no", false);
        headers.put("at", Instant.ofEpochMilli(1_700_000_000_123L));
        headers.put("raw", SdkBytes.fromUtf8String("xy"));
        byte[] frame = EventStreams.message(headers, "hello".getBytes(StandardCharsets.UTF_8));

        Message m = Message.decode(ByteBuffer.wrap(frame));
        Map<String, HeaderValue> h = m.getHeaders();
        assertEquals("Chunk", h.get(":event-type").getString());
        assertEquals(42, h.get("count").getInteger());
        assertEquals(5_000_000_000L, h.get("big").getLong());
        assertEquals(true, h.get("yes").getBoolean());
        assertEquals(false, h.get("no").getBoolean());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_123L), h.get("at").getTimestamp());
        assertArrayEquals("xy".getBytes(StandardCharsets.UTF_8), h.get("raw").getByteArray());
        assertEquals("hello", new String(m.getPayload(), StandardCharsets.UTF_8));

        frame[frame.length - 6] ^= 1; // a payload byte: the message CRC no longer holds
        assertThrows(IllegalArgumentException.class, () -> Message.decode(ByteBuffer.wrap(frame)));
    }
}
