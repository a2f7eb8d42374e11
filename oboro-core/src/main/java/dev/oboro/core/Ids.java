package dev.oboro.core;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Identifiers in the forms AWS uses. */
public final class Ids {
    private Ids() {
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final char[] UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    public static String uuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    }

    public static String requestId() {
        return uuid();
    }

    public static String hex(int n) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[n];
        for (int i = 0; i < n; i++) c[i] = HEX[r.nextInt(16)];
        return new String(c);
    }

    /** {@code prefix-} followed by 17 hex digits, like EC2 ids ({@code i-0abc...}). */
    public static String ec2(String prefix) {
        return prefix + "-" + hex(17);
    }

    /** Upper-case letters and digits, like IAM unique ids and access keys. */
    public static String upperAlnum(int n) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[n];
        for (int i = 0; i < n; i++) c[i] = UPPER_ALNUM[r.nextInt(UPPER_ALNUM.length)];
        return new String(c);
    }
}
