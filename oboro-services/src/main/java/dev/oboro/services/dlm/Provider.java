package dev.oboro.services.dlm;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

/**
 * Amazon Data Lifecycle Manager: EBS snapshot policies that take, copy and expire snapshots of
 * tagged volumes and instances on Oboro's clock, acting on EC2 through its own handlers.
 */
public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        return List.of(new Policies(oboro));
    }
}
