package dev.oboro.wire;

import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.traits.TimestampFormatTrait;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Request parameters of the query and ec2 protocols ({@code Action=...&Foo.member.1=...}) into SDK
 * request objects. The two differ only in how lists are flattened: ec2 uses {@code Name.N}, query
 * uses {@code Name.member.N} unless the list is flattened.
 */
public final class QueryCodec {
    private QueryCodec() {
    }

    /** Parses an application/x-www-form-urlencoded string; later values of a repeated key win. */
    public static NavigableMap<String, String> parseForm(String s) {
        NavigableMap<String, String> out = new TreeMap<>();
        if (s == null || s.isEmpty()) return out;
        int i = 0;
        while (i <= s.length()) {
            int amp = s.indexOf('&', i);
            if (amp < 0) amp = s.length();
            if (amp > i) {
                String pair = s.substring(i, amp);
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
                out.put(k, v);
            }
            i = amp + 1;
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ValidationException.malformed("", "Malformed query string");
        }
    }

    public static void readStructure(SdkPojo builder, NavigableMap<String, String> params, String prefix, boolean ec2, String path) {
        for (SdkField<?> f : SdkShapes.fields(builder)) {
            String key = prefix.isEmpty() ? SdkShapes.sendName(f) : prefix + "." + SdkShapes.sendName(f);
            Object v = readMember(f, params, key, ec2, JsonCodec.join(path, f.memberName()));
            if (v != null) f.set(builder, v);
        }
    }

    private static SortedMap<String, String> under(NavigableMap<String, String> params, String key) {
        return params.subMap(key + ".", true, key + "/", false); // '/' follows '.' in ASCII
    }

    private static Object readMember(SdkField<?> f, NavigableMap<String, String> params, String key, boolean ec2, String path) {
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.SDK_POJO) {
            if (under(params, key).isEmpty()) return null;
            SdkPojo b = f.constructor().get();
            readStructure(b, params, key, ec2, path);
            return SdkShapes.build(b);
        }
        if (t == MarshallingType.LIST) {
            ListTrait lt = f.getRequiredTrait(ListTrait.class);
            String base = key;
            if (!ec2 && !lt.isFlattened()) {
                base = key + "." + (lt.memberLocationName() != null ? lt.memberLocationName() : "member");
            }
            TreeSet<Integer> idx = indexes(params, base);
            if (idx.isEmpty()) {
                // an explicitly empty list is sent as "Name=" with no members
                return params.containsKey(key) && params.get(key).isEmpty() ? new ArrayList<>() : null;
            }
            List<Object> out = new ArrayList<>();
            for (int i : idx) {
                Object v = readMember(lt.memberFieldInfo(), params, base + "." + i, ec2, path + "[" + i + "]");
                if (v != null) out.add(v);
            }
            return out;
        }
        if (t == MarshallingType.MAP) {
            MapTrait mt = f.getRequiredTrait(MapTrait.class);
            String base = mt.isFlattened() || ec2 ? key : key + ".entry";
            String k = mt.keyLocationName() != null ? mt.keyLocationName() : "key";
            String vn = mt.valueLocationName() != null ? mt.valueLocationName() : "value";
            TreeSet<Integer> idx = indexes(params, base);
            if (idx.isEmpty()) return null;
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i : idx) {
                String mk = params.get(base + "." + i + "." + k);
                if (mk == null) continue;
                out.put(mk, readMember(mt.valueFieldInfo(), params, base + "." + i + "." + vn, ec2, path + "." + mk));
            }
            return out;
        }
        String s = params.get(key);
        if (s == null) return null;
        if (t == MarshallingType.DOCUMENT) return software.amazon.awssdk.core.document.Document.fromString(s);
        try {
            return Scalars.parse(t, s, Scalars.format(f, TimestampFormatTrait.Format.ISO_8601));
        } catch (IllegalArgumentException e) {
            throw ValidationException.malformed(path, "Invalid value '" + s + "' for parameter " + key);
        }
    }

    private static TreeSet<Integer> indexes(NavigableMap<String, String> params, String base) {
        TreeSet<Integer> idx = new TreeSet<>();
        int start = base.length() + 1;
        for (String k : under(params, base).keySet()) {
            int end = k.indexOf('.', start);
            String seg = end < 0 ? k.substring(start) : k.substring(start, end);
            try {
                idx.add(Integer.parseInt(seg));
            } catch (NumberFormatException ignored) {
                // not a list index: some other member that shares the prefix
            }
        }
        return idx;
    }
}
