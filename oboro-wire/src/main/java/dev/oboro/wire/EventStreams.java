package dev.oboro.wire;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallLocation;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.CRC32;

/**
 * The binary event-stream encoding ({@code application/vnd.amazon.eventstream}) of SDK event objects.
 * Each message: a prelude (total length, headers length, CRC32 of those 8 bytes), the headers, the
 * payload and a CRC32 of everything before it. An event's headers are {@code :message-type event},
 * {@code :event-type} (the member name of the event in the stream's union, from the SDK's
 * {@code sdkEventType()}), {@code :content-type}, and its members bound to headers; its payload is the
 * member marked as the event payload (a blob or string as it is, a structure serialised) or else its
 * other members serialised in the protocol's document format.
 */
public final class EventStreams {
    public static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";
    private static final Predicate<SdkField<?>> BODY = f -> SdkShapes.location(f) == MarshallLocation.PAYLOAD && !SdkShapes.isExplicitPayload(f);

    private EventStreams() {
    }

    /** The frames of an operation's events, one message per event. */
    static byte[] encode(Protocol protocol, Iterable<SdkPojo> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SdkPojo e : events) out.writeBytes(event(protocol, e));
        return out.toByteArray();
    }

    /** One event as a message. */
    static byte[] event(Protocol protocol, SdkPojo event) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(":event-type", eventType(event));
        headers.put(":message-type", "event");
        byte[] payload = null;
        String contentType = null;
        for (SdkField<?> f : SdkShapes.fields(event)) {
            Object v = f.getValueOrDefault(event);
            if (v == null) continue;
            if (SdkShapes.location(f) == MarshallLocation.HEADER) {
                headers.put(SdkShapes.readName(f), v);
            } else if (SdkShapes.isExplicitPayload(f)) {
                WireCodec.Payload p = WireCodec.payload(v, protocol, SdkShapes.readName(f), null);
                if (p != null) {
                    payload = p.bytes();
                    contentType = p.contentType();
                }
            }
        }
        if (payload == null) {
            payload = document(protocol, event, BODY, eventType(event));
            contentType = protocol == Protocol.REST_XML ? "application/xml" : "application/json";
        }
        headers.put(":content-type", contentType);
        return message(headers, payload);
    }

    private static byte[] document(Protocol protocol, SdkPojo p, Predicate<SdkField<?>> include, String root) {
        if (protocol == Protocol.REST_XML) {
            XmlCodec.Xml x = new XmlCodec.Xml();
            x.open(root);
            XmlCodec.writeMembers(x, p, include);
            x.close(root);
            return x.bytes();
        }
        return JsonCodec.JSON.write(p, include);
    }

    /** The event's member name in its stream: the SDK's {@code sdkEventType()}, else its class name. */
    private static String eventType(SdkPojo event) {
        try {
            Method m = event.getClass().getMethod("sdkEventType");
            Object t = m.invoke(event);
            if (t != null) return t.toString();
        } catch (ReflectiveOperationException e) {
            // not a generated event class
        }
        return event.getClass().getSimpleName();
    }

    /** One message: prelude, headers, payload and the two CRC32s. */
    public static byte[] message(Map<String, Object> headers, byte[] payload) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        headers.forEach((name, value) -> header(h, name, value));
        byte[] hb = h.toByteArray();
        int total = 4 + 4 + 4 + hb.length + payload.length + 4;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total).putInt(hb.length);
        b.putInt((int) crc(b.array(), 0, 8));
        b.put(hb).put(payload);
        b.putInt((int) crc(b.array(), 0, total - 4));
        return b.array();
    }

    private static void header(ByteArrayOutputStream out, String name, Object value) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        out.write(n.length);
        out.writeBytes(n);
        switch (value) {
            case Boolean bool -> out.write(bool ? 0 : 1);
            case Byte by -> {
                out.write(2);
                out.write(by);
            }
            case Short s -> {
                out.write(3);
                out.writeBytes(ByteBuffer.allocate(2).putShort(s).array());
            }
            case Integer i -> {
                out.write(4);
                out.writeBytes(ByteBuffer.allocate(4).putInt(i).array());
            }
            case Long l -> {
                out.write(5);
                out.writeBytes(ByteBuffer.allocate(8).putLong(l).array());
            }
            case SdkBytes bytes -> {
                byte[] v = bytes.asByteArray();
                out.write(6);
                out.writeBytes(ByteBuffer.allocate(2).putShort((short) v.length).array());
                out.writeBytes(v);
            }
            case Instant t -> {
                out.write(8);
                out.writeBytes(ByteBuffer.allocate(8).putLong(t.toEpochMilli()).array());
            }
            default -> {
                byte[] v = Scalars.format(value, null).getBytes(StandardCharsets.UTF_8);
                out.write(7);
                out.writeBytes(ByteBuffer.allocate(2).putShort((short) v.length).array());
                out.writeBytes(v);
            }
        }
    }

    private static long crc(byte[] b, int off, int len) {
        CRC32 c = new CRC32();
        c.update(b, off, len);
        return c.getValue();
    }
}
