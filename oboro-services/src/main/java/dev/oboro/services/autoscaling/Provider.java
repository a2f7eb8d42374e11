package dev.oboro.services.autoscaling;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;
import dev.oboro.services.cloudwatch.AlarmActions;

import java.util.List;

/**
 * Amazon EC2 Auto Scaling: groups kept at their desired capacity by a reconciler on Oboro's clock,
 * launching and terminating through EC2's own handlers; scaling policies carried out for
 * CloudWatch alarms; scheduled actions, lifecycle hooks and instance refreshes. Warm pools and
 * predictive scaling are not implemented.
 */
public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        AsgState st = new AsgState(oboro);
        Reconciler rec = new Reconciler(st);
        Scaling scaling = new Scaling(st, rec);
        rec.bind(scaling);
        rec.armAll();
        oboro.store().onReset(rec::armAll);
        return List.of(new Groups(st, rec, scaling), new Operations(st, rec), scaling);
    }

    /** Alarm actions naming a scaling policy reach this service even before its first call. */
    @Override
    public void onStart(Oboro oboro) {
        AlarmActions.of(oboro).register("arn:aws:autoscaling:*:scalingPolicy:*", action -> {
            oboro.services().ensureLoaded("autoscaling");
            Scaling s = Scaling.of(oboro);
            if (s != null) s.onAlarmAction(action);
        });
    }
}
