package dev.oboro.services.kms;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

/**
 * AWS Key Management Service: symmetric keys with real AES-256-GCM cryptography, aliases, grants,
 * key policies, tags, rotation and scheduled deletion on Oboro's clock, and the AWS managed keys
 * ({@code alias/aws/ebs} ...) that other services get by naming their alias.
 */
public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        KmsState state = new KmsState(oboro);
        return List.of(new Keys(state), new Aliases(state), new Grants(state), new Cryptography(state));
    }
}
