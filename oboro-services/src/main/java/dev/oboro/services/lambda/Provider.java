package dev.oboro.services.lambda;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        LambdaState state = new LambdaState(oboro);
        Environments environments = new Environments(oboro);
        Telemetry telemetry = new Telemetry(oboro);
        Invocations invocations = new Invocations(state, environments, telemetry);
        Provisioning provisioning = new Provisioning(state, environments, invocations);
        FunctionUrls urls = new FunctionUrls(state);
        oboro.gateway().addRawRoute(new CodeDownloads(state));
        oboro.gateway().addRawRoute(new UrlEndpoint(state, urls, invocations));
        oboro.store().onReset(() -> {
            environments.closeAll();
            telemetry.reset();
            state.roleCredentials.reset();
            invocations.resume();
            provisioning.resume();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(environments::closeAll));
        invocations.resume();
        provisioning.resume();
        return List.of(new Functions(state, environments), new Aliases(state, provisioning), new Layers(state), invocations, new Policies(state),
                provisioning, urls);
    }
}
