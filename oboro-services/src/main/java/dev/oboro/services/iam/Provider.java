package dev.oboro.services.iam;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

/**
 * IAM: users, groups, roles, managed and inline policies, instance profiles, access keys. Global:
 * state is per account. Access keys it issues become identities of the gateway.
 */
public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        Iam iam = new Iam(oboro);
        Permissions.register(oboro, iam);
        AccessKeys keys = new AccessKeys(iam);
        oboro.identities().register(keys::resolve);
        oboro.store().onReset(keys::reindex);
        return List.of(new Users(iam), new Groups(iam), new Roles(iam), new Policies(iam), new InlinePolicies(iam),
                new InstanceProfiles(iam), keys, new Simulations(iam));
    }
}
