package dev.oboro.services.xray;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public String service() {
        return "xray";
    }

    @Override
    public List<Object> handlers(Oboro oboro) {
        return List.of(new Traces(TraceStore.of(oboro)), new SamplingRules(oboro));
    }
}
