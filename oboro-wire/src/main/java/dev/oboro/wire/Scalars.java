package dev.oboro.wire;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.TimestampFormatTrait;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Locale;

/** Conversions of scalar members to and from their textual wire forms. */
public final class Scalars {
    private Scalars() {
    }

    static final DateTimeFormatter RFC_822 = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.US).withZone(ZoneOffset.UTC);

    public static TimestampFormatTrait.Format format(SdkField<?> f, TimestampFormatTrait.Format dflt) {
        TimestampFormatTrait t = f == null ? null : f.getTrait(TimestampFormatTrait.class);
        return t == null ? dflt : t.format();
    }

    public static boolean isScalar(MarshallingType<?> t) {
        return t != MarshallingType.SDK_POJO && t != MarshallingType.LIST && t != MarshallingType.MAP
                && t != MarshallingType.DOCUMENT;
    }

    /** Parses the textual form of a scalar; throws {@link IllegalArgumentException} when it does not fit. */
    public static Object parse(MarshallingType<?> type, String s, TimestampFormatTrait.Format tsFormat) {
        try {
            if (type == MarshallingType.STRING) return s;
            if (type == MarshallingType.INTEGER) return Integer.valueOf(s.trim());
            if (type == MarshallingType.LONG) return Long.valueOf(s.trim());
            if (type == MarshallingType.SHORT) return Short.valueOf(s.trim());
            if (type == MarshallingType.BYTE) return Byte.valueOf(s.trim());
            if (type == MarshallingType.DOUBLE) return Double.valueOf(s.trim());
            if (type == MarshallingType.FLOAT) return Float.valueOf(s.trim());
            if (type == MarshallingType.BIG_DECIMAL) return new BigDecimal(s.trim());
            if (type == MarshallingType.BOOLEAN) {
                String v = s.trim().toLowerCase(Locale.ROOT);
                if (v.equals("true")) return Boolean.TRUE;
                if (v.equals("false")) return Boolean.FALSE;
                throw new IllegalArgumentException("not a boolean");
            }
            if (type == MarshallingType.INSTANT) return parseInstant(s.trim(), tsFormat);
            if (type == MarshallingType.SDK_BYTES) return SdkBytes.fromByteArray(Base64.getDecoder().decode(s.trim()));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        throw new IllegalArgumentException("not a scalar type: " + type);
    }

    /** Lenient: accepts epoch seconds, ISO-8601 and RFC 822 whatever the declared format. */
    public static Instant parseInstant(String s, TimestampFormatTrait.Format preferred) {
        if (s.isEmpty()) throw new IllegalArgumentException("empty timestamp");
        char c = s.charAt(0);
        if (Character.isDigit(c) && s.indexOf('-') < 0) {
            BigDecimal d = new BigDecimal(s);
            if (preferred == TimestampFormatTrait.Format.UNIX_TIMESTAMP_MILLIS) {
                return Instant.ofEpochMilli(d.longValue());
            }
            return fromEpochSeconds(d);
        }
        if (Character.isDigit(c)) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                // 2026-01-01T00:00:00 without zone, or with an offset
                try {
                    return java.time.OffsetDateTime.parse(s).toInstant();
                } catch (DateTimeParseException e2) {
                    return java.time.LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
                }
            }
        }
        return java.time.ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    }

    public static Instant fromEpochSeconds(BigDecimal d) {
        long secs = d.longValue();
        int nanos = d.subtract(BigDecimal.valueOf(secs)).movePointRight(9).intValue();
        return Instant.ofEpochSecond(secs, nanos);
    }

    public static BigDecimal epochSeconds(Instant i) {
        Instant t = i.truncatedTo(ChronoUnit.MILLIS);
        return BigDecimal.valueOf(t.toEpochMilli()).movePointLeft(3).stripTrailingZeros();
    }

    public static String formatInstant(Instant i, TimestampFormatTrait.Format f) {
        return switch (f) {
            case ISO_8601 -> ISO_MILLIS.format(i);
            case RFC_822 -> RFC_822.format(i);
            case UNIX_TIMESTAMP -> epochSeconds(i).toPlainString();
            case UNIX_TIMESTAMP_MILLIS -> Long.toString(i.toEpochMilli());
        };
    }

    /** The textual form of a scalar value (query strings, XML text, headers). */
    public static String format(Object v, TimestampFormatTrait.Format tsFormat) {
        if (v instanceof String s) return s;
        if (v instanceof Instant i) return formatInstant(i, tsFormat);
        if (v instanceof SdkBytes b) return Base64.getEncoder().encodeToString(b.asByteArrayUnsafe());
        if (v instanceof Double d) return formatDouble(d);
        if (v instanceof Float fl) return formatDouble(fl.doubleValue());
        if (v instanceof BigDecimal bd) return bd.toPlainString();
        return String.valueOf(v);
    }

    static String formatDouble(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return BigDecimal.valueOf(d).setScale(1).toPlainString();
        return BigDecimal.valueOf(d).toPlainString();
    }
}
