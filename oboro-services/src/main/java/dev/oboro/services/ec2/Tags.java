package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeTagsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeTagsResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagDescription;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Tags of every EC2 resource, kept in one table keyed by resource id, so {@code CreateTags},
 * {@code DeleteTags} and {@code DescribeTags} work the same across resource types.
 */
final class Tags {
    record TagSet(String resourceId, String resourceType, Map<String, String> tags) {
    }

    /** One tag of one resource, as DescribeTags lists them. */
    record Row(String resourceId, String resourceType, String key, String value) {
    }

    /** Resource type by id prefix, as DescribeTags reports it. */
    static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("i", "instance"), Map.entry("vpc", "vpc"), Map.entry("subnet", "subnet"),
            Map.entry("sg", "security-group"), Map.entry("sgr", "security-group-rule"), Map.entry("rtb", "route-table"),
            Map.entry("igw", "internet-gateway"), Map.entry("nat", "natgateway"), Map.entry("eni", "network-interface"),
            Map.entry("eipalloc", "elastic-ip"), Map.entry("key", "key-pair"), Map.entry("ami", "image"),
            Map.entry("snap", "snapshot"), Map.entry("vol", "volume"), Map.entry("dopt", "dhcp-options"),
            Map.entry("r", "reservation"));

    private static final Filters<Row> FILTERS = new Filters<>(Map.<String, Function<Row, Collection<String>>>of(
            "key", r -> List.of(r.key()),
            "value", r -> List.of(r.value()),
            "resource-id", r -> List.of(r.resourceId()),
            "resource-type", r -> List.of(r.resourceType()),
            "tag:", r -> List.of(r.key() + "=" + r.value())));

    private final Table<TagSet> table;
    /** Checks that a resource id names an existing resource of the caller; set by the provider. */
    private Ec2State state;

    Tags(Table<TagSet> table) {
        this.table = table;
    }

    void bind(Ec2State state) {
        this.state = state;
    }

    static String typeOf(String id) {
        int dash = id == null ? -1 : id.indexOf('-');
        return dash < 0 ? null : TYPES.get(id.substring(0, dash));
    }

    Map<String, String> get(Scope s, String id) {
        TagSet t = table.get(s, id);
        return t == null ? Map.of() : t.tags();
    }

    List<Tag> sdk(Scope s, String id) {
        TagSet t = table.get(s, id);
        if (t == null || t.tags().isEmpty()) return null;
        List<Tag> out = new ArrayList<>(t.tags().size());
        t.tags().forEach((k, v) -> out.add(Tag.builder().key(k).value(v).build()));
        return out;
    }

    /** {@code k=v} strings for the {@code tag:} filters, and keys/values for tag-key/tag-value. */
    List<String> pairs(Scope s, String id) {
        TagSet t = table.get(s, id);
        if (t == null) return List.of();
        List<String> out = new ArrayList<>(t.tags().size());
        t.tags().forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    List<String> keys(Scope s, String id) {
        return new ArrayList<>(get(s, id).keySet());
    }

    List<String> values(Scope s, String id) {
        return new ArrayList<>(get(s, id).values());
    }

    void set(Scope s, String id, Map<String, String> add) {
        if (add.isEmpty()) return;
        table.update(s, id, old -> {
            TreeMap<String, String> m = new TreeMap<>(old == null ? Map.of() : old.tags());
            m.putAll(add);
            if (m.size() > 50) throw new AwsException("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.", 400);
            return new TagSet(id, typeOf(id), m);
        });
    }

    void remove(Scope s, String id) {
        table.remove(s, id);
    }

    /** Applies the TagSpecifications of a create call that name this resource type. */
    void apply(Scope s, List<TagSpecification> specs, String resourceType, String id) {
        if (specs == null) return;
        Map<String, String> m = new TreeMap<>();
        for (TagSpecification spec : specs) {
            String t = spec.resourceTypeAsString();
            if (t != null && !t.equals(resourceType)) continue;
            for (Tag tag : spec.tags()) {
                checkKey(tag.key());
                m.put(tag.key(), tag.value() == null ? "" : tag.value());
            }
        }
        set(s, id, m);
    }

    /** Checks TagSpecifications name resource types the operation creates. */
    static void checkSpecTypes(List<TagSpecification> specs, List<String> allowed) {
        if (specs == null) return;
        for (TagSpecification spec : specs) {
            String t = spec.resourceTypeAsString();
            if (t == null) throw Ec2Errors.invalidParameterValue("Tag specification resource type must have a value");
            if (!allowed.contains(t)) {
                throw Ec2Errors.invalidParameterValue("'" + t + "' is not a valid taggable resource type for this operation.");
            }
        }
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) throw Ec2Errors.invalidParameterValue("Tag keys must not be empty");
        if (key.startsWith("aws:")) {
            throw Ec2Errors.invalidParameterValue("Value ( " + key + " ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use");
        }
        if (key.length() > 128) throw Ec2Errors.invalidParameterValue("Tag key exceeds the maximum length of 128 characters");
    }

    // ------------------------------------------------------------------ handlers

    CreateTagsResponse createTags(Call call, CreateTagsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateTags");
        Scope s = state.scope(call);
        if (!req.hasResources() || req.resources().isEmpty()) throw Ec2Errors.missingParameter("ResourceId");
        Map<String, String> m = new TreeMap<>();
        // AWS services tag what they manage with reserved keys (aws:autoscaling:groupName); users may not
        boolean service = "AWSService".equals(call.caller().type());
        for (Tag t : req.tags()) {
            if (!(service && t.key() != null && t.key().startsWith("aws:"))) checkKey(t.key());
            m.put(t.key(), t.value() == null ? "" : t.value());
        }
        for (String id : req.resources()) requireExists(s, id);
        for (String id : req.resources()) set(s, id, m);
        return CreateTagsResponse.builder().build();
    }

    DeleteTagsResponse deleteTags(Call call, DeleteTagsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteTags");
        Scope s = state.scope(call);
        for (String id : req.resources()) requireExists(s, id);
        for (String id : req.resources()) {
            table.update(s, id, old -> {
                if (old == null) return null;
                TreeMap<String, String> m = new TreeMap<>(old.tags());
                if (!req.hasTags() || req.tags().isEmpty()) {
                    m.clear();
                } else {
                    for (Tag t : req.tags()) {
                        // a tag given with a value is deleted only if the value matches
                        if (t.value() == null || t.value().equals(m.get(t.key()))) m.remove(t.key());
                    }
                }
                return m.isEmpty() ? null : new TagSet(id, old.resourceType(), m);
            });
        }
        return DeleteTagsResponse.builder().build();
    }

    DescribeTagsResponse describeTags(Call call, DescribeTagsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeTags");
        Scope s = state.scope(call);
        Paging.check(call, req);
        List<Row> rows = new ArrayList<>();
        for (TagSet t : table.values(s)) {
            t.tags().forEach((k, v) -> rows.add(new Row(t.resourceId(), t.resourceType(), k, v)));
        }
        List<Row> matched = FILTERS.apply(req.filters(), rows);
        DescribeTagsResponse.Builder b = DescribeTagsResponse.builder();
        Pagination.Page<Row> page = Paging.page(call, req, matched, r -> r.resourceId() + "\u0000" + r.key(), b);
        return b.tags(page.items().stream().map(r -> TagDescription.builder().resourceId(r.resourceId())
                .resourceType(r.resourceType()).key(r.key()).value(r.value()).build()).toList()).build();
    }

    private void requireExists(Scope s, String id) {
        String type = typeOf(id);
        boolean exists = switch (type == null ? "" : type) {
            case "instance" -> state.instances.contains(s, id);
            case "vpc" -> state.vpcs.contains(s, id);
            case "subnet" -> state.subnets.contains(s, id);
            case "security-group" -> state.securityGroups.contains(s, id);
            case "route-table" -> state.routeTables.contains(s, id);
            case "internet-gateway" -> state.internetGateways.contains(s, id);
            case "natgateway" -> state.natGateways.contains(s, id);
            case "network-interface" -> state.networkInterfaces.contains(s, id);
            case "elastic-ip" -> state.addresses.contains(s, id);
            case "key-pair" -> state.keyPairs.contains(s, id);
            case "image" -> state.images.contains(s, id);
            case "snapshot" -> state.snapshots.contains(s, id);
            case "volume" -> state.volumes.contains(s, id);
            case "dhcp-options", "reservation", "security-group-rule" -> true;
            default -> throw new AwsException("InvalidID", "The ID '" + id + "' is not valid", 400);
        };
        if (!exists) {
            String[] codeWhat = switch (type) {
                case "instance" -> new String[]{"InvalidInstanceID.NotFound", "instance"};
                case "vpc" -> new String[]{"InvalidVpcID.NotFound", "vpc"};
                case "subnet" -> new String[]{"InvalidSubnetID.NotFound", "subnet"};
                case "security-group" -> new String[]{"InvalidGroup.NotFound", "security group"};
                case "route-table" -> new String[]{"InvalidRouteTableID.NotFound", "routeTable"};
                case "internet-gateway" -> new String[]{"InvalidInternetGatewayID.NotFound", "internetGateway"};
                case "natgateway" -> new String[]{"NatGatewayNotFound", "nat gateway"};
                case "network-interface" -> new String[]{"InvalidNetworkInterfaceID.NotFound", "networkInterface"};
                case "elastic-ip" -> new String[]{"InvalidAllocationID.NotFound", "allocation"};
                case "key-pair" -> new String[]{"InvalidKeyPair.NotFound", "key pair"};
                case "image" -> new String[]{"InvalidAMIID.NotFound", "image"};
                case "snapshot" -> new String[]{"InvalidSnapshot.NotFound", "snapshot"};
                default -> new String[]{"InvalidVolume.NotFound", "volume"};
            };
            if (type.equals("image")) throw new AwsException(codeWhat[0], "The image id '[" + id + "]' does not exist", 400);
            throw Ec2Errors.notFound(codeWhat[0], codeWhat[1], id);
        }
    }
}
