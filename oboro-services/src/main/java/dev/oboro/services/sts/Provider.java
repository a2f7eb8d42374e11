package dev.oboro.services.sts;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        return List.of(new CallerIdentity());
    }
}
