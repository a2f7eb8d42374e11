package dev.oboro.services.logs;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public String service() {
        return "logs";
    }

    @Override
    public List<Object> handlers(Oboro oboro) {
        LogsState state = LogsState.create(oboro);
        return List.of(new LogGroups(state), new LogStreams(state), new LogEvents(state));
    }
}
