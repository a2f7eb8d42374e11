package dev.oboro.services.cloudtrail;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public String service() {
        return "cloudtrail";
    }

    /** Every call is on record from the first one, whether or not CloudTrail has been called. */
    @Override
    public void onStart(Oboro oboro) {
        Recorder.install(oboro);
    }

    @Override
    public List<Object> handlers(Oboro oboro) {
        Recorder recorder = Recorder.of(oboro);
        Trails trails = new Trails(oboro, recorder);
        recorder.trails(trails);
        return List.of(new Lookup(recorder), trails);
    }
}
