package dev.oboro.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Turns the access key of a request into an {@link Identity}. IAM and STS register resolvers for
 * the keys they issue; any other key is the root of an account: a 12-digit key is that account,
 * anything else the default account.
 */
public final class Identities {
    public interface Resolver {
        /**
         * The identity behind an access key, or null if this resolver does not know it. Throws
         * {@link InvalidAccessKey} for a key it issued that may not be used (an inactive IAM key).
         */
        Identity resolve(String accessKeyId);
    }

    /** A known access key that is refused: the gateway answers each protocol's invalid-credentials error. */
    public static final class InvalidAccessKey extends RuntimeException {
        public InvalidAccessKey(String accessKeyId) {
            super(accessKeyId, null, false, false);
        }
    }

    private final String defaultAccount;
    private final List<Resolver> resolvers = new CopyOnWriteArrayList<>();
    private volatile Runnable issuerLoader = () -> { };

    Identities(String defaultAccount) {
        this.defaultAccount = defaultAccount;
    }

    public void register(Resolver r) {
        resolvers.add(r);
    }

    public String defaultAccount() {
        return defaultAccount;
    }

    /**
     * Loads the services that issue keys (IAM, STS), so that a key they issued before a restart or
     * an import is known even when no call has reached them yet.
     */
    void setIssuerLoader(Runnable loader) {
        this.issuerLoader = loader;
    }

    public Identity resolve(String accessKeyId) {
        if (accessKeyId != null) {
            Identity known = fromResolvers(accessKeyId);
            if (known == null && looksIssued(accessKeyId)) {
                issuerLoader.run();
                known = fromResolvers(accessKeyId);
            }
            if (known != null) return known;
            if (accessKeyId.length() == 12 && accessKeyId.chars().allMatch(Character::isDigit)) {
                return Identity.root(accessKeyId, accessKeyId);
            }
        }
        return Identity.root(defaultAccount, accessKeyId);
    }

    private Identity fromResolvers(String accessKeyId) {
        for (Resolver r : resolvers) {
            Identity i = r.resolve(accessKeyId);
            if (i != null) return i;
        }
        return null;
    }

    /** {@code AKIA…} (IAM user keys) and {@code ASIA…} (STS temporary keys): the forms AWS issues. */
    private static boolean looksIssued(String key) {
        return key.length() >= 16 && (key.startsWith("AKIA") || key.startsWith("ASIA"));
    }
}
