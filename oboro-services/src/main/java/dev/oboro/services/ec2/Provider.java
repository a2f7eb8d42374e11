package dev.oboro.services.ec2;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        Catalog catalog = Catalog.get();
        return List.of(new RegionsAndZones(catalog));
    }
}
