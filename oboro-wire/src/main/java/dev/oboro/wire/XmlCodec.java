package dev.oboro.wire;

import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.traits.TimestampFormatTrait;
import software.amazon.awssdk.core.traits.XmlAttributeTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** XML bodies of SDK model objects (query, ec2 and rest-xml protocols). */
public final class XmlCodec {
    private XmlCodec() {
    }

    // ---------------------------------------------------------------- writing

    /** A tiny XML writer: elements and escaped text, nothing else. */
    public static final class Xml {
        private final StringBuilder sb = new StringBuilder(4096);

        public Xml() {
            sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        }

        public Xml open(String name) {
            sb.append('<').append(name).append('>');
            return this;
        }

        public Xml open(String name, String xmlns) {
            sb.append('<').append(name);
            if (xmlns != null) sb.append(" xmlns=\"").append(escape(xmlns)).append('"');
            sb.append('>');
            return this;
        }

        public Xml close(String name) {
            sb.append("</").append(name).append('>');
            return this;
        }

        public Xml element(String name, String text) {
            sb.append('<').append(name).append('>');
            escapeInto(sb, text);
            sb.append("</").append(name).append('>');
            return this;
        }

        public byte[] bytes() {
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return sb.toString();
        }

        private static boolean plain(char c) {
            return c >= 0x20 ? c != '<' && c != '>' && c != '&' && c != '"' && c != '\'' : c == '\n' || c == '\t';
        }

        static String escape(String s) {
            StringBuilder b = new StringBuilder(s.length() + 8);
            escapeInto(b, s);
            return b.toString();
        }

        static void escapeInto(StringBuilder b, String s) {
            int clean = 0;
            while (clean < s.length() && plain(s.charAt(clean))) clean++;
            if (clean == s.length()) {
                b.append(s); // most text needs no escaping: one copy instead of a check per character
                return;
            }
            b.append(s, 0, clean);
            for (int i = clean; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '<' -> b.append("&lt;");
                    case '>' -> b.append("&gt;");
                    case '&' -> b.append("&amp;");
                    case '"' -> b.append("&quot;");
                    case '\'' -> b.append("&apos;");
                    case '\r' -> b.append("&#xD;");
                    default -> {
                        if (c < 0x20 && c != '\n' && c != '\t') b.append("&#x").append(Integer.toHexString(c)).append(';');
                        else b.append(c);
                    }
                }
            }
        }
    }

    /** Writes the members of a structure (not its own element), by the names a client reads. */
    public static void writeMembers(Xml x, SdkPojo pojo, Predicate<SdkField<?>> include) {
        for (SdkField<?> f : SdkShapes.fields(pojo)) {
            if (!include.test(f) || f.getTrait(XmlAttributeTrait.class) != null) continue;
            Object v = f.getValueOrDefault(pojo);
            if (v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap) continue;
            writeMember(x, f, SdkShapes.readName(f), v);
        }
    }

    private static void writeMember(Xml x, SdkField<?> f, String name, Object v) {
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.SDK_POJO) {
            x.open(name);
            writeMembers(x, (SdkPojo) v, fl -> true);
            x.close(name);
        } else if (t == MarshallingType.LIST) {
            ListTrait lt = f.getRequiredTrait(ListTrait.class);
            SdkField<?> member = lt.memberFieldInfo();
            if (lt.isFlattened()) {
                String memberName = lt.memberLocationName() != null ? lt.memberLocationName() : name;
                for (Object e : (List<?>) v) if (e != null) writeMember(x, member, memberName, e);
            } else {
                String memberName = lt.memberLocationName() != null ? lt.memberLocationName() : "member";
                x.open(name);
                for (Object e : (List<?>) v) if (e != null) writeMember(x, member, memberName, e);
                x.close(name);
            }
        } else if (t == MarshallingType.MAP) {
            MapTrait mt = f.getRequiredTrait(MapTrait.class);
            String k = mt.keyLocationName() != null ? mt.keyLocationName() : "key";
            String vn = mt.valueLocationName() != null ? mt.valueLocationName() : "value";
            if (!mt.isFlattened()) x.open(name);
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                x.open(mt.isFlattened() ? name : "entry");
                x.element(k, String.valueOf(e.getKey()));
                if (e.getValue() != null) writeMember(x, mt.valueFieldInfo(), vn, e.getValue());
                x.close(mt.isFlattened() ? name : "entry");
            }
            if (!mt.isFlattened()) x.close(name);
        } else {
            x.element(name, Scalars.format(v, Scalars.format(f, TimestampFormatTrait.Format.ISO_8601)));
        }
    }

    // ---------------------------------------------------------------- reading

    /** A parsed element: name (local), text, children. */
    public record Node(String name, String text, List<Node> children) {
        public Node child(String n) {
            for (Node c : children) if (c.name.equals(n)) return c;
            return null;
        }

        public List<Node> all(String n) {
            List<Node> out = new ArrayList<>();
            for (Node c : children) if (c.name.equals(n)) out.add(c);
            return out;
        }
    }

    private static final XMLInputFactory INPUT = newInputFactory();

    private static XMLInputFactory newInputFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        return f;
    }

    /** Parses an XML document into its root node; malformed XML is a client error. */
    public static Node parse(byte[] body) {
        try {
            XMLStreamReader r = INPUT.createXMLStreamReader(new ByteArrayInputStream(body));
            try {
                while (r.hasNext()) {
                    if (r.next() == XMLStreamConstants.START_ELEMENT) return readElement(r);
                }
                throw ValidationException.malformed("", "The XML document has no root element");
            } finally {
                r.close();
            }
        } catch (XMLStreamException e) {
            throw ValidationException.malformed("", "The XML you provided was not well-formed");
        }
    }

    private static Node readElement(XMLStreamReader r) throws XMLStreamException {
        String name = r.getLocalName();
        StringBuilder text = new StringBuilder();
        List<Node> children = new ArrayList<>();
        while (r.hasNext()) {
            int ev = r.next();
            if (ev == XMLStreamConstants.START_ELEMENT) children.add(readElement(r));
            else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA || ev == XMLStreamConstants.SPACE) text.append(r.getText());
            else if (ev == XMLStreamConstants.END_ELEMENT) break;
        }
        return new Node(name, children.isEmpty() ? text.toString() : text.toString().trim(), children);
    }

    /** Fills a builder from an element's children, by the names a client sends. */
    public static void readStructure(SdkPojo builder, Node node, String path, Predicate<SdkField<?>> include) {
        for (SdkField<?> f : SdkShapes.fields(builder)) {
            if (!include.test(f)) continue;
            String name = SdkShapes.sendName(f);
            Object v = readMember(f, node, name, JsonCodec.join(path, f.memberName()));
            if (v != null) f.set(builder, v);
        }
    }

    private static Object readMember(SdkField<?> f, Node parent, String name, String path) {
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.LIST) {
            ListTrait lt = f.getRequiredTrait(ListTrait.class);
            List<Node> items;
            if (lt.isFlattened()) {
                items = parent.all(lt.memberLocationName() != null ? lt.memberLocationName() : name);
                if (items.isEmpty()) return null;
            } else {
                Node wrapper = parent.child(name);
                if (wrapper == null) return null;
                items = wrapper.all(lt.memberLocationName() != null ? lt.memberLocationName() : "member");
            }
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Node n : items) out.add(readValue(lt.memberFieldInfo(), n, path + "[" + i++ + "]"));
            return out;
        }
        if (t == MarshallingType.MAP) {
            MapTrait mt = f.getRequiredTrait(MapTrait.class);
            String k = mt.keyLocationName() != null ? mt.keyLocationName() : "key";
            String vn = mt.valueLocationName() != null ? mt.valueLocationName() : "value";
            List<Node> entries;
            if (mt.isFlattened()) entries = parent.all(name);
            else {
                Node wrapper = parent.child(name);
                if (wrapper == null) return null;
                entries = wrapper.all("entry");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Node e : entries) {
                Node kn = e.child(k), vnode = e.child(vn);
                if (kn == null) continue;
                out.put(kn.text(), vnode == null ? null : readValue(mt.valueFieldInfo(), vnode, path + "." + kn.text()));
            }
            return out;
        }
        Node n = parent.child(name);
        return n == null ? null : readValue(f, n, path);
    }

    private static Object readValue(SdkField<?> f, Node n, String path) {
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.SDK_POJO) {
            SdkPojo b = f.constructor().get();
            readStructure(b, n, path, x -> true);
            return SdkShapes.build(b);
        }
        if (t == MarshallingType.LIST || t == MarshallingType.MAP) {
            // a list of lists: the element itself is the wrapper
            Node holder = new Node("", "", List.of(n));
            return readMember(f, holder, n.name(), path);
        }
        try {
            return Scalars.parse(t, n.text(), Scalars.format(f, TimestampFormatTrait.Format.ISO_8601));
        } catch (IllegalArgumentException e) {
            throw ValidationException.malformed(path, "Invalid value '" + n.text() + "' for " + path);
        }
    }
}
