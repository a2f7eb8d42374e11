package dev.oboro.services.stepfunctions;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        StepFunctions sfn = new StepFunctions(oboro);
        Executions executions = new Executions(sfn);
        sfn.integrations.executions = executions;
        sfn.restoreRunning();
        return List.of(new StateMachines(sfn), executions, new Activities(sfn), new Tags(sfn), sfn.mapRuns);
    }
}
