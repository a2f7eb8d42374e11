package dev.oboro.services.ec2;

import dev.oboro.core.Oboro;
import dev.oboro.core.ServiceProvider;

import java.util.List;

public final class Provider implements ServiceProvider {
    @Override
    public List<Object> handlers(Oboro oboro) {
        Catalog catalog = Catalog.get();
        Ec2State st = new Ec2State(oboro, catalog);
        st.tags.bind(st);
        Images images = new Images(st);
        InstanceTypes types = new InstanceTypes(catalog);
        EbsEncryption encryption = new EbsEncryption(st);
        Instances instances = new Instances(st, images, types);
        SpotPrices prices = new SpotPrices(st);
        return List.of(new RegionsAndZones(catalog), st.tags, new Vpcs(st), new SecurityGroups(st), new RouteTables(st),
                new Gateways(st), new KeyPairs(st), new NetworkInterfaces(st), new Addresses(st), types, images,
                new Volumes(st, encryption), new Snapshots(st, encryption), encryption, instances, new LaunchTemplates(st),
                new PlacementGroups(st), new StatusChecks(st, instances), new InstanceMetadata(st, instances), prices,
                new Fleets(st, prices, instances));
    }

    @Override
    public void onStart(Oboro oboro) {
        // instance metadata answers from the first request, loading EC2 when it is asked
        oboro.gateway().addRawRoute((req, ip) -> InstanceMetadata.route(oboro, req));
    }
}
