package dev.oboro.services.lambda;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.lambda.model.DeleteLayerVersionRequest;
import software.amazon.awssdk.services.lambda.model.DeleteLayerVersionResponse;
import software.amazon.awssdk.services.lambda.model.GetLayerVersionByArnRequest;
import software.amazon.awssdk.services.lambda.model.GetLayerVersionByArnResponse;
import software.amazon.awssdk.services.lambda.model.GetLayerVersionRequest;
import software.amazon.awssdk.services.lambda.model.GetLayerVersionResponse;
import software.amazon.awssdk.services.lambda.model.Layer;
import software.amazon.awssdk.services.lambda.model.LayerVersionContentOutput;
import software.amazon.awssdk.services.lambda.model.LayerVersionsListItem;
import software.amazon.awssdk.services.lambda.model.LayersListItem;
import software.amazon.awssdk.services.lambda.model.ListLayerVersionsRequest;
import software.amazon.awssdk.services.lambda.model.ListLayerVersionsResponse;
import software.amazon.awssdk.services.lambda.model.ListLayersRequest;
import software.amazon.awssdk.services.lambda.model.ListLayersResponse;
import software.amazon.awssdk.services.lambda.model.PublishLayerVersionRequest;
import software.amazon.awssdk.services.lambda.model.PublishLayerVersionResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Layers: versioned zips whose content a function sees under {@code /opt}, in the order it lists them. */
final class Layers {
    private static final Pattern VERSION_ARN = Pattern.compile("arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\\d{12}):layer:([a-zA-Z0-9-_]+):(\\d+)");
    private static final Pattern LAYER_NAME = Pattern.compile("(?:arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\\d{12}):layer:)?([a-zA-Z0-9-_]+)");

    private final LambdaState state;

    Layers(LambdaState state) {
        this.state = state;
    }

    private record LayerRef(Scope scope, String name) {
        String arn() {
            return "arn:aws:lambda:" + scope.region() + ":" + scope.account() + ":layer:" + name;
        }
    }

    private static LayerRef layerRef(Call call, String layerName) {
        Matcher m = LAYER_NAME.matcher(layerName == null ? "" : layerName);
        if (!m.matches()) {
            throw new AwsException("ValidationException", "1 validation error detected: Value '" + layerName
                    + "' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+", 400);
        }
        Scope scope = m.group(1) == null ? call.scope() : new Scope(m.group(2), m.group(1));
        return new LayerRef(scope, m.group(3));
    }

    private static String id(String name, long version) {
        return name + "/" + LambdaState.pad(version);
    }

    PublishLayerVersionResponse publishLayerVersion(Call call, PublishLayerVersionRequest req) {
        LayerRef ref = layerRef(call, req.layerName());
        if (req.content() == null || req.content().zipFile() == null) {
            if (req.content() != null && req.content().s3Bucket() != null) {
                throw new AwsException("InvalidParameterValueException", "Oboro takes layer content as ZipFile; S3 locations are not supported yet.");
            }
            throw new AwsException("InvalidParameterValueException", "Please provide a source for layer content.");
        }
        CodeCache.Stored code = state.codeCache.store(ref.scope(), req.content().zipFile().asByteArray());
        synchronized (this) {
            long last = 0;
            for (LambdaState.LayerVersion lv : LambdaState.prefixed(state.layers, ref.scope(), ref.name() + "/")) {
                last = Math.max(last, lv.version());
            }
            // Version numbers are never reused, even after the latest version is deleted.
            String counterId = ref.name() + "/#";
            LambdaState.LayerVersion counter = state.layers.get(ref.scope(), counterId);
            if (counter != null) last = Math.max(last, counter.version());
            long version = last + 1;
            LambdaState.LayerVersion lv = new LambdaState.LayerVersion(ref.name(), version,
                    req.description() == null ? "" : req.description(), LambdaState.lastModified(call.now()),
                    code.hex(), code.sha256(), code.size(),
                    req.hasCompatibleRuntimes() ? req.compatibleRuntimesAsStrings() : List.of(),
                    req.hasCompatibleArchitectures() ? req.compatibleArchitecturesAsStrings() : List.of(),
                    req.licenseInfo(), null);
            state.layers.put(ref.scope(), id(ref.name(), version), lv);
            state.layers.put(ref.scope(), counterId, new LambdaState.LayerVersion(ref.name(), version, null, null, null, null, 0,
                    List.of(), List.of(), null, null));
            return PublishLayerVersionResponse.builder()
                    .content(content(ref.scope(), lv)).layerArn(ref.arn()).layerVersionArn(ref.arn() + ":" + version)
                    .description(lv.description()).createdDate(lv.createdDate()).version(version)
                    .compatibleRuntimesWithStrings(lv.compatibleRuntimes())
                    .compatibleArchitecturesWithStrings(lv.compatibleArchitectures())
                    .licenseInfo(lv.licenseInfo()).build();
        }
    }

    private LayerVersionContentOutput content(Scope scope, LambdaState.LayerVersion lv) {
        return LayerVersionContentOutput.builder()
                .location(state.oboro.baseUrl() + CodeDownloads.path(scope, lv.codeSha256Hex()))
                .codeSha256(lv.codeSha256()).codeSize(lv.codeSize()).build();
    }

    GetLayerVersionResponse getLayerVersion(Call call, GetLayerVersionRequest req) {
        LayerRef ref = layerRef(call, req.layerName());
        LambdaState.LayerVersion lv = find(ref.scope(), ref.name(), req.versionNumber());
        return toGet(ref, lv);
    }

    GetLayerVersionByArnResponse getLayerVersionByArn(Call call, GetLayerVersionByArnRequest req) {
        Matcher m = VERSION_ARN.matcher(req.arn() == null ? "" : req.arn());
        if (!m.matches()) {
            throw new AwsException("ValidationException", "1 validation error detected: Value '" + req.arn()
                    + "' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + "(arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)", 400);
        }
        LayerRef ref = new LayerRef(new Scope(m.group(2), m.group(1)), m.group(3));
        GetLayerVersionResponse r = toGet(ref, find(ref.scope(), ref.name(), Long.parseLong(m.group(4))));
        return GetLayerVersionByArnResponse.builder().content(r.content()).layerArn(r.layerArn()).layerVersionArn(r.layerVersionArn())
                .description(r.description()).createdDate(r.createdDate()).version(r.version())
                .compatibleRuntimesWithStrings(r.compatibleRuntimesAsStrings())
                .compatibleArchitecturesWithStrings(r.compatibleArchitecturesAsStrings()).licenseInfo(r.licenseInfo()).build();
    }

    private GetLayerVersionResponse toGet(LayerRef ref, LambdaState.LayerVersion lv) {
        return GetLayerVersionResponse.builder()
                .content(content(ref.scope(), lv)).layerArn(ref.arn()).layerVersionArn(ref.arn() + ":" + lv.version())
                .description(lv.description()).createdDate(lv.createdDate()).version(lv.version())
                .compatibleRuntimesWithStrings(lv.compatibleRuntimes())
                .compatibleArchitecturesWithStrings(lv.compatibleArchitectures())
                .licenseInfo(lv.licenseInfo()).build();
    }

    private LambdaState.LayerVersion find(Scope scope, String name, Long version) {
        LambdaState.LayerVersion lv = version == null ? null : state.layers.get(scope, id(name, version));
        if (lv == null) throw new AwsException("ResourceNotFoundException", "The resource you requested does not exist.", 404);
        return lv;
    }

    DeleteLayerVersionResponse deleteLayerVersion(Call call, DeleteLayerVersionRequest req) {
        LayerRef ref = layerRef(call, req.layerName());
        if (req.versionNumber() != null) state.layers.remove(ref.scope(), id(ref.name(), req.versionNumber()));
        state.codeCache.collect(ref.scope());
        return DeleteLayerVersionResponse.builder().build();
    }

    ListLayerVersionsResponse listLayerVersions(Call call, ListLayerVersionsRequest req) {
        LayerRef ref = layerRef(call, req.layerName());
        List<LambdaState.LayerVersion> all = new ArrayList<>();
        for (LambdaState.LayerVersion lv : versions(ref.scope(), ref.name())) {
            if (matches(lv, req.compatibleRuntimeAsString(), req.compatibleArchitectureAsString())) all.add(lv);
        }
        // Lambda lists the newest version first.
        List<LambdaState.LayerVersion> newestFirst = new ArrayList<>(all);
        java.util.Collections.reverse(newestFirst);
        ListLayerVersionsResponse.Builder b = ListLayerVersionsResponse.builder();
        Pagination.Page<LambdaState.LayerVersion> page = Pagination.page(call, req, newestFirst,
                lv -> LambdaState.pad(Long.MAX_VALUE / 2 - lv.version()), b, 50);
        return b.layerVersions(page.items().stream().map(lv -> listItem(ref, lv)).toList()).build();
    }

    ListLayersResponse listLayers(Call call, ListLayersRequest req) {
        Map<String, LambdaState.LayerVersion> latest = new LinkedHashMap<>();
        for (LambdaState.LayerVersion lv : state.layers.values(call.scope())) {
            if (lv.codeSha256Hex() == null) continue; // version counter
            if (!matches(lv, req.compatibleRuntimeAsString(), req.compatibleArchitectureAsString())) continue;
            latest.put(lv.name(), lv); // id order: the last one seen is the newest
        }
        ListLayersResponse.Builder b = ListLayersResponse.builder();
        Pagination.Page<LambdaState.LayerVersion> page = Pagination.page(call, req, new ArrayList<>(latest.values()),
                LambdaState.LayerVersion::name, b, 50);
        return b.layers(page.items().stream().map(lv -> {
            LayerRef ref = new LayerRef(call.scope(), lv.name());
            return LayersListItem.builder().layerName(lv.name()).layerArn(ref.arn()).latestMatchingVersion(listItem(ref, lv)).build();
        }).toList()).build();
    }

    private List<LambdaState.LayerVersion> versions(Scope scope, String name) {
        List<LambdaState.LayerVersion> out = new ArrayList<>();
        for (LambdaState.LayerVersion lv : LambdaState.prefixed(state.layers, scope, name + "/")) {
            if (lv.codeSha256Hex() != null) out.add(lv);
        }
        return out;
    }

    private static boolean matches(LambdaState.LayerVersion lv, String runtime, String architecture) {
        if (runtime != null && !lv.compatibleRuntimes().contains(runtime)) return false;
        return architecture == null || lv.compatibleArchitectures().contains(architecture);
    }

    private static LayerVersionsListItem listItem(LayerRef ref, LambdaState.LayerVersion lv) {
        return LayerVersionsListItem.builder().layerVersionArn(ref.arn() + ":" + lv.version()).version(lv.version())
                .description(lv.description()).createdDate(lv.createdDate())
                .compatibleRuntimesWithStrings(lv.compatibleRuntimes())
                .compatibleArchitecturesWithStrings(lv.compatibleArchitectures()).licenseInfo(lv.licenseInfo()).build();
    }

    // ------------------------------------------------------------------ for functions

    /** Resolves a function's layer version ARNs (at most 5), in order, into the Layer list of its configuration. */
    static List<Layer> resolve(LambdaState state, Call call, List<String> arns) {
        if (arns == null || arns.isEmpty()) return List.of();
        if (arns.size() > 5) throw new AwsException("InvalidParameterValueException", "Cannot reference more than 5 layers.");
        List<Layer> out = new ArrayList<>();
        for (String arn : arns) {
            LambdaState.LayerVersion lv = byArn(state, arn);
            if (lv == null) throw new AwsException("InvalidParameterValueException", "Layer version " + arn + " does not exist.");
            out.add(Layer.builder().arn(arn).codeSize(lv.codeSize()).build());
        }
        return out;
    }

    static LambdaState.LayerVersion byArn(LambdaState state, String arn) {
        Matcher m = VERSION_ARN.matcher(arn == null ? "" : arn);
        if (!m.matches()) return null;
        return state.layers.get(new Scope(m.group(2), m.group(1)), id(m.group(3), Long.parseLong(m.group(4))));
    }

    static Scope scopeOf(String arn) {
        Matcher m = VERSION_ARN.matcher(arn);
        return m.matches() ? new Scope(m.group(2), m.group(1)) : null;
    }
}
