package dev.oboro.services.cloudwatch;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public String service() {
        return "cloudwatch";
    }

    @Override
    public List<Object> handlers(Oboro oboro) {
        MetricStore store = new MetricStore(oboro);
        MetricQueries queries = new MetricQueries(store);
        AlarmEngine engine = new AlarmEngine(oboro, queries);
        return List.of(new MetricsApi(store, queries), new AlarmsApi(engine));
    }
}
