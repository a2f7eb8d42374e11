package dev.oboro.core;

/** Where state lives: an account and a region (global services use {@link #GLOBAL_REGION}). */
public record Scope(String account, String region) implements Comparable<Scope> {
    public static final String GLOBAL_REGION = "global";

    public static Scope global(String account) {
        return new Scope(account, GLOBAL_REGION);
    }

    public static Scope parse(String s) {
        int slash = s.indexOf('/');
        return new Scope(s.substring(0, slash), s.substring(slash + 1));
    }

    @Override
    public String toString() {
        return account + "/" + region;
    }

    @Override
    public int compareTo(Scope o) {
        return toString().compareTo(o.toString());
    }
}
