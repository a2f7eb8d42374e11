package dev.oboro.services.ec2;

/** An IPv4 CIDR block: base address and prefix length. */
record Cidr(long base, int prefix) {
    static Cidr parse(String s) {
        if (s == null) return null;
        int slash = s.indexOf('/');
        if (slash < 0) return null;
        try {
            int prefix = Integer.parseInt(s.substring(slash + 1));
            Long addr = ip(s.substring(0, slash));
            if (addr == null || prefix < 0 || prefix > 32) return null;
            return new Cidr(addr, prefix);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Parses a dotted quad, or null if it is not one. */
    static Long ip(String s) {
        String[] p = s.split("\\.", -1);
        if (p.length != 4) return null;
        long v = 0;
        for (String q : p) {
            if (q.isEmpty() || q.length() > 3 || !q.chars().allMatch(Character::isDigit)) return null;
            int n = Integer.parseInt(q);
            if (n > 255) return null;
            v = (v << 8) | n;
        }
        return v;
    }

    static String ip(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    long size() {
        return 1L << (32 - prefix);
    }

    long mask() {
        return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }

    /** Whether the base has no bits set beyond the prefix (10.0.0.0/16, not 10.0.0.1/16). */
    boolean aligned() {
        return (base & ~mask() & 0xFFFFFFFFL) == 0;
    }

    boolean contains(Cidr o) {
        return o.prefix >= prefix && (o.base & mask()) == base;
    }

    boolean contains(long addr) {
        return (addr & mask()) == base;
    }

    boolean overlaps(Cidr o) {
        return contains(o) || o.contains(this);
    }

    @Override
    public String toString() {
        return ip(base) + "/" + prefix;
    }
}
