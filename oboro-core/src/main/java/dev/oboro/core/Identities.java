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
        /** The identity behind an access key, or null if this resolver does not know it. */
        Identity resolve(String accessKeyId);
    }

    private final String defaultAccount;
    private final List<Resolver> resolvers = new CopyOnWriteArrayList<>();

    Identities(String defaultAccount) {
        this.defaultAccount = defaultAccount;
    }

    public void register(Resolver r) {
        resolvers.add(r);
    }

    public String defaultAccount() {
        return defaultAccount;
    }

    public Identity resolve(String accessKeyId) {
        if (accessKeyId != null) {
            for (Resolver r : resolvers) {
                Identity i = r.resolve(accessKeyId);
                if (i != null) return i;
            }
            if (accessKeyId.length() == 12 && accessKeyId.chars().allMatch(Character::isDigit)) {
                return Identity.root(accessKeyId, accessKeyId);
            }
        }
        return Identity.root(defaultAccount, accessKeyId);
    }
}
