package dev.oboro.services.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oboro.core.Call;
import dev.oboro.core.Ids;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import dev.oboro.wire.JsonCodec;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateResponse;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateVersionRequest;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateVersionResponse;
import software.amazon.awssdk.services.ec2.model.DeleteLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.DeleteLaunchTemplateResponse;
import software.amazon.awssdk.services.ec2.model.DeleteLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteLaunchTemplateVersionsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteLaunchTemplateVersionsResponseErrorItem;
import software.amazon.awssdk.services.ec2.model.DeleteLaunchTemplateVersionsResponseSuccessItem;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplatesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplatesResponse;
import software.amazon.awssdk.services.ec2.model.LaunchTemplate;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion;
import software.amazon.awssdk.services.ec2.model.ModifyLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.ModifyLaunchTemplateResponse;
import software.amazon.awssdk.services.ec2.model.RequestLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ResponseError;
import software.amazon.awssdk.services.ec2.model.ResponseLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Launch templates and their numbered versions. A version's data is kept as the request's
 * {@code RequestLaunchTemplateData} and shown as {@code ResponseLaunchTemplateData}: the two shapes
 * share their member names, so one is read into the other through the member-name codec. The
 * same holds for {@code RunInstances}: {@link #merge} lays the request's own parameters over the
 * template's data, as EC2 does.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-launch-templates.html
 */
final class LaunchTemplates {
    record Template(String id, String name, Instant createTime, String createdBy, long defaultVersion, long latestVersion,
                    Map<String, String> tags) {
        Template withVersions(long dflt, long latest) {
            return new Template(id, name, createTime, createdBy, dflt, latest, tags);
        }
    }

    record Version(String templateId, long number, String description, Instant createTime, String createdBy,
                   RequestLaunchTemplateData data) {
    }

    private final Ec2State st;
    private final Table<Template> templates;
    private final Table<Version> versions;

    LaunchTemplates(Ec2State st) {
        this.st = st;
        this.templates = templates(st);
        this.versions = versions(st);
    }

    private static Table<Template> templates(Ec2State st) {
        return st.oboro.store().table("ec2.launchtemplates", Template.class);
    }

    private static Table<Version> versions(Ec2State st) {
        return st.oboro.store().table("ec2.launchtemplateversions", Version.class);
    }

    private static String key(String id, long n) {
        return id + "|" + String.format("%012d", n);
    }

    // ------------------------------------------------------------------ handlers

    CreateLaunchTemplateResponse createLaunchTemplate(Call call, CreateLaunchTemplateRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateLaunchTemplate");
        Scope s = st.scope(call);
        checkData(req.launchTemplateData());
        Tags.checkSpecTypes(req.tagSpecifications(), List.of("launch-template"));
        Map<String, String> tags = new TreeMap<>();
        for (TagSpecification spec : req.tagSpecifications()) {
            for (Tag t : spec.tags()) tags.put(t.key(), t.value() == null ? "" : t.value());
        }
        Instant now = call.now();
        String id = Ids.ec2("lt");
        Template t = new Template(id, req.launchTemplateName(), now, call.caller().arn(), 1, 1, tags);
        synchronized (this) {
            if (byName(s, req.launchTemplateName()) != null) {
                throw new AwsException("InvalidLaunchTemplateName.AlreadyExistsException",
                        "Launch template name already in use.", 400);
            }
            templates.put(s, id, t);
            versions.put(s, key(id, 1), new Version(id, 1, req.versionDescription(), now, call.caller().arn(), req.launchTemplateData()));
        }
        return CreateLaunchTemplateResponse.builder().launchTemplate(toSdk(t)).build();
    }

    CreateLaunchTemplateVersionResponse createLaunchTemplateVersion(Call call, CreateLaunchTemplateVersionRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "CreateLaunchTemplateVersion");
        Scope s = st.scope(call);
        checkData(req.launchTemplateData());
        Template t = find(s, req.launchTemplateId(), req.launchTemplateName());
        RequestLaunchTemplateData data = req.launchTemplateData();
        if (req.sourceVersion() != null) {
            Version src = version(s, t, req.sourceVersion());
            // the new version is the source version with the given data laid over it
            data = overlay(src.data(), data, RequestLaunchTemplateData.class);
        }
        Instant now = call.now();
        Version v;
        synchronized (this) {
            Template cur = templates.get(s, t.id());
            long n = cur.latestVersion() + 1;
            v = new Version(t.id(), n, req.versionDescription(), now, call.caller().arn(), data);
            versions.put(s, key(t.id(), n), v);
            templates.put(s, t.id(), cur.withVersions(cur.defaultVersion(), n));
            t = templates.get(s, t.id());
        }
        return CreateLaunchTemplateVersionResponse.builder().launchTemplateVersion(toSdk(t, v)).build();
    }

    ModifyLaunchTemplateResponse modifyLaunchTemplate(Call call, ModifyLaunchTemplateRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ModifyLaunchTemplate");
        Scope s = st.scope(call);
        Template t = find(s, req.launchTemplateId(), req.launchTemplateName());
        if (req.defaultVersion() != null) {
            Version v = version(s, t, req.defaultVersion());
            t = templates.update(s, t.id(), old -> old.withVersions(v.number(), old.latestVersion()));
        }
        return ModifyLaunchTemplateResponse.builder().launchTemplate(toSdk(t)).build();
    }

    DeleteLaunchTemplateResponse deleteLaunchTemplate(Call call, DeleteLaunchTemplateRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteLaunchTemplate");
        Scope s = st.scope(call);
        Template t = find(s, req.launchTemplateId(), req.launchTemplateName());
        for (String k : List.copyOf(versions.range(s, t.id() + "|", t.id() + "}").keySet())) versions.remove(s, k);
        templates.remove(s, t.id());
        return DeleteLaunchTemplateResponse.builder().launchTemplate(toSdk(t)).build();
    }

    DeleteLaunchTemplateVersionsResponse deleteLaunchTemplateVersions(Call call, DeleteLaunchTemplateVersionsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DeleteLaunchTemplateVersions");
        Scope s = st.scope(call);
        Template t = find(s, req.launchTemplateId(), req.launchTemplateName());
        List<DeleteLaunchTemplateVersionsResponseSuccessItem> ok = new ArrayList<>();
        List<DeleteLaunchTemplateVersionsResponseErrorItem> failed = new ArrayList<>();
        for (String v : req.versions()) {
            Long n = parseNumber(v);
            Version ver = n == null ? null : versions.get(s, key(t.id(), n));
            if (ver == null) {
                failed.add(DeleteLaunchTemplateVersionsResponseErrorItem.builder().launchTemplateId(t.id()).launchTemplateName(t.name())
                        .versionNumber(n).responseError(ResponseError.builder().code("launchTemplateVersionDoesNotExist")
                                .message("Could not find launch template version " + v + ".").build()).build());
            } else if (n == templates.get(s, t.id()).defaultVersion()) {
                failed.add(DeleteLaunchTemplateVersionsResponseErrorItem.builder().launchTemplateId(t.id()).launchTemplateName(t.name())
                        .versionNumber(n).responseError(ResponseError.builder().code("unexpectedError")
                                .message("Cannot delete the default version of a launch template. Use DeleteLaunchTemplate to delete the launch template.")
                                .build()).build());
            } else {
                versions.remove(s, key(t.id(), n));
                ok.add(DeleteLaunchTemplateVersionsResponseSuccessItem.builder().launchTemplateId(t.id()).launchTemplateName(t.name())
                        .versionNumber(n).build());
            }
        }
        return DeleteLaunchTemplateVersionsResponse.builder().successfullyDeletedLaunchTemplateVersions(ok)
                .unsuccessfullyDeletedLaunchTemplateVersions(failed).build();
    }

    DescribeLaunchTemplatesResponse describeLaunchTemplates(Call call, DescribeLaunchTemplatesRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeLaunchTemplates");
        Scope s = st.scope(call);
        List<Template> all = new ArrayList<>();
        if (req.hasLaunchTemplateIds() && !req.launchTemplateIds().isEmpty()) {
            for (String id : req.launchTemplateIds()) all.add(find(s, id, null));
        } else if (req.hasLaunchTemplateNames() && !req.launchTemplateNames().isEmpty()) {
            for (String n : req.launchTemplateNames()) {
                Template t = byName(s, n);
                if (t == null) {
                    throw new AwsException("InvalidLaunchTemplateName.NotFoundException",
                            "At least one of the launch templates specified in the request does not exist.", 400);
                }
                all.add(t);
            }
        } else {
            all.addAll(templates.values(s));
        }
        Map<String, Function<Template, Collection<String>>> fields = new TreeMap<>();
        fields.put("create-time", t -> List.of(t.createTime().toString()));
        fields.put("launch-template-name", t -> List.of(t.name()));
        fields.put("tag:", t -> t.tags().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        fields.put("tag-key", t -> List.copyOf(t.tags().keySet()));
        List<Template> matched = new Filters<>(fields).apply(req.filters(), all);
        DescribeLaunchTemplatesResponse.Builder b = DescribeLaunchTemplatesResponse.builder();
        Pagination.Page<Template> page = Paging.page(call, req, matched, Template::id, b);
        return b.launchTemplates(page.items().stream().map(LaunchTemplates::toSdk).toList()).build();
    }

    DescribeLaunchTemplateVersionsResponse describeLaunchTemplateVersions(Call call, DescribeLaunchTemplateVersionsRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DescribeLaunchTemplateVersions");
        Scope s = st.scope(call);
        List<Version> all = new ArrayList<>();
        Map<String, Template> owners = new LinkedHashMap<>();
        if (req.launchTemplateId() == null && req.launchTemplateName() == null) {
            for (Template t : templates.values(s)) owners.put(t.id(), t);
            for (Version v : versions.values(s)) {
                Template t = owners.get(v.templateId());
                if (t == null) continue;
                boolean wanted = !req.hasVersions() || req.versions().isEmpty()
                        || req.versions().contains("$Latest") && v.number() == t.latestVersion()
                        || req.versions().contains("$Default") && v.number() == t.defaultVersion();
                if (wanted) all.add(v);
            }
        } else {
            Template t = find(s, req.launchTemplateId(), req.launchTemplateName());
            owners.put(t.id(), t);
            if (req.hasVersions() && !req.versions().isEmpty()) {
                for (String v : req.versions()) {
                    Version ver = version(s, t, v);
                    if (all.stream().noneMatch(x -> x.number() == ver.number())) all.add(ver);
                }
            } else {
                Long min = req.minVersion() == null ? null : parseNumber(req.minVersion());
                Long max = req.maxVersion() == null ? null : parseNumber(req.maxVersion());
                for (Version v : versions.range(s, t.id() + "|", t.id() + "}").values()) {
                    if (min != null && v.number() < min) continue;
                    if (max != null && v.number() > max) continue;
                    all.add(v);
                }
            }
        }
        // AWS lists the newest versions first
        all.sort((a, b) -> a.templateId().equals(b.templateId()) ? Long.compare(b.number(), a.number()) : a.templateId().compareTo(b.templateId()));
        Map<String, Function<Version, Collection<String>>> fields = new TreeMap<>();
        fields.put("create-time", v -> List.of(v.createTime().toString()));
        fields.put("image-id", v -> Vpcs.opt(v.data().imageId()));
        fields.put("instance-type", v -> Vpcs.opt(v.data().instanceTypeAsString()));
        fields.put("is-default-version", v -> List.of(Boolean.toString(owners.get(v.templateId()).defaultVersion() == v.number())));
        fields.put("key-name", v -> Vpcs.opt(v.data().keyName()));
        fields.put("version-number", v -> List.of(Long.toString(v.number())));
        List<Version> matched = new Filters<>(fields).apply(req.filters(), all);
        Paging.check(call, req);
        DescribeLaunchTemplateVersionsResponse.Builder b = DescribeLaunchTemplateVersionsResponse.builder();
        // the page key keeps the listed order (newest first within a template)
        Map<Version, String> order = new java.util.IdentityHashMap<>();
        for (int i = 0; i < matched.size(); i++) order.put(matched.get(i), String.format("%08d", i));
        Pagination.Page<Version> page = Paging.page(call, req, matched, order::get, b);
        return b.launchTemplateVersions(page.items().stream().map(v -> toSdk(owners.get(v.templateId()), v)).toList()).build();
    }

    // ------------------------------------------------------------------ RunInstances

    /** What {@link #merge} resolved: the request to run and the template version it came from. */
    record Resolved(RunInstancesRequest request, String templateId, long version) {
    }

    /**
     * The template's data with the request's own parameters laid over it (member by member; tags of
     * both are kept). A template's network interface takes the request's subnet and groups, so an
     * Auto Scaling group can place a template that names its interfaces.
     */
    static Resolved merge(Ec2State st, Scope s, RunInstancesRequest req) {
        LaunchTemplateSpecification spec = req.launchTemplate();
        Template t = find(templates(st), s, spec.launchTemplateId(), spec.launchTemplateName());
        Version v = version(versions(st), t, spec.version() == null ? "$Default" : spec.version(), s);
        ObjectNode base = tree(v.data());
        JsonNode ramdisk = base.remove("RamDiskId");
        if (ramdisk != null) base.set("RamdiskId", ramdisk);
        ObjectNode own = tree(req);
        own.remove("LaunchTemplate");
        ArrayNode tagSpecs = JsonCodec.MEMBERS.mapper().createArrayNode();
        if (base.get("TagSpecifications") instanceof ArrayNode a) tagSpecs.addAll(a);
        if (own.get("TagSpecifications") instanceof ArrayNode a) tagSpecs.addAll(a);
        base.setAll(own);
        if (!tagSpecs.isEmpty()) base.set("TagSpecifications", tagSpecs);
        if (base.get("NetworkInterfaces") instanceof ArrayNode nis && !nis.isEmpty() && own.has("SubnetId")
                && !v.data().networkInterfaces().isEmpty()) {
            ObjectNode first = (ObjectNode) nis.get(0);
            first.set("SubnetId", base.remove("SubnetId"));
            JsonNode groups = base.remove("SecurityGroupIds");
            if (groups != null && !first.has("Groups")) first.set("Groups", groups);
        }
        return new Resolved(JsonCodec.MEMBERS.read(RunInstancesRequest.class, base), t.id(), v.number());
    }

    // ------------------------------------------------------------------ lookups

    private Template byName(Scope s, String name) {
        return byName(templates, s, name);
    }

    private static Template byName(Table<Template> templates, Scope s, String name) {
        for (Template t : templates.values(s)) if (t.name().equals(name)) return t;
        return null;
    }

    private Template find(Scope s, String id, String name) {
        return find(templates, s, id, name);
    }

    private static Template find(Table<Template> templates, Scope s, String id, String name) {
        if (id != null && name != null) {
            throw Ec2Errors.invalidParameterCombination("Only one of launchTemplateId or launchTemplateName may be specified.");
        }
        if (id == null && name == null) {
            throw Ec2Errors.missingParameter("launchTemplateId or launchTemplateName");
        }
        if (id != null) {
            if (!Ec2Errors.wellFormed(id, "lt")) {
                throw new AwsException("InvalidLaunchTemplateId.Malformed", "The specified ID for the launch template ("
                        + id + ") is malformed.", 400);
            }
            Template t = templates.get(s, id);
            if (t == null) {
                throw new AwsException("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID "
                        + id + ", does not exist.", 400);
            }
            return t;
        }
        Template t = byName(templates, s, name);
        if (t == null) {
            throw new AwsException("InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name "
                    + name + ", does not exist.", 400);
        }
        return t;
    }

    private Version version(Scope s, Template t, String v) {
        return version(versions, t, v, s);
    }

    private static Version version(Table<Version> versions, Template t, String v, Scope s) {
        long n;
        if ("$Latest".equals(v)) n = t.latestVersion();
        else if ("$Default".equals(v)) n = t.defaultVersion();
        else {
            Long p = parseNumber(v);
            if (p == null) {
                throw Ec2Errors.invalidParameterValue("Value (" + v + ") for parameter version is invalid. Launch template version must be a number, $Latest, or $Default.");
            }
            n = p;
        }
        Version ver = versions.get(s, key(t.id(), n));
        if (ver == null) {
            throw new AwsException("InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version " + v
                    + " for launch template " + t.id() + ".", 400);
        }
        return ver;
    }

    private static Long parseNumber(String v) {
        try {
            long n = Long.parseLong(v.trim());
            return n < 1 ? null : n;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void checkData(RequestLaunchTemplateData data) {
        if (data == null || tree(data).isEmpty()) {
            throw Ec2Errors.missingParameter("LaunchTemplateData");
        }
    }

    // ------------------------------------------------------------------ shapes

    static ObjectNode tree(SdkPojo pojo) {
        try {
            return (ObjectNode) JsonCodec.MEMBERS.mapper().readTree(JsonCodec.MEMBERS.write(pojo, f -> true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code over}'s members laid on {@code under}'s, read as {@code type}. */
    static <T> T overlay(SdkPojo under, SdkPojo over, Class<T> type) {
        ObjectNode n = tree(under);
        n.setAll(tree(over));
        return JsonCodec.MEMBERS.read(type, n);
    }

    private static LaunchTemplate toSdk(Template t) {
        return LaunchTemplate.builder().launchTemplateId(t.id()).launchTemplateName(t.name()).createTime(t.createTime())
                .createdBy(t.createdBy()).defaultVersionNumber(t.defaultVersion()).latestVersionNumber(t.latestVersion())
                .tags(t.tags().isEmpty() ? null : t.tags().entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList())
                .build();
    }

    private static LaunchTemplateVersion toSdk(Template t, Version v) {
        return LaunchTemplateVersion.builder().launchTemplateId(t.id()).launchTemplateName(t.name()).versionNumber(v.number())
                .versionDescription(v.description()).createTime(v.createTime()).createdBy(v.createdBy())
                .defaultVersion(t.defaultVersion() == v.number())
                .launchTemplateData(JsonCodec.MEMBERS.read(ResponseLaunchTemplateData.class, tree(v.data()))).build();
    }
}
