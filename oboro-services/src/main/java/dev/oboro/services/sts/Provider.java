package dev.oboro.services.sts;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

/**
 * STS: who is calling ({@code GetCallerIdentity}) and temporary credentials ({@code AssumeRole},
 * {@code AssumeRoleWithWebIdentity}, {@code GetSessionToken}) that become identities of the gateway.
 */
public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        Sessions sessions = new Sessions(oboro);
        oboro.identities().register(sessions::resolve);
        oboro.store().onReset(sessions::reindex);
        return List.of(new CallerIdentity(), sessions);
    }
}
