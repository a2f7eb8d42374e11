package dev.oboro.services.ec2;

import dev.oboro.core.Scope;

import java.util.function.Supplier;

/**
 * The account and region a filter evaluation runs in, for getters that look beyond the record
 * (its tags, its owner id, addresses in use).
 */
final class FilterScope {
    private FilterScope() {
    }

    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    static <T> T in(Scope s, Supplier<T> f) {
        Scope before = CURRENT.get();
        CURRENT.set(s);
        try {
            return f.get();
        } finally {
            if (before == null) CURRENT.remove();
            else CURRENT.set(before);
        }
    }

    static Scope get() {
        return CURRENT.get();
    }
}
