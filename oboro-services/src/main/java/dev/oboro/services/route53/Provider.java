package dev.oboro.services.route53;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        return List.of(new HostedZones(oboro));
    }
}
