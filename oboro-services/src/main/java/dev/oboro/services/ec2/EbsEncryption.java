package dev.oboro.services.ec2;

import dev.oboro.core.Call;
import dev.oboro.core.Scope;
import dev.oboro.core.store.Table;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.ec2.model.DisableEbsEncryptionByDefaultRequest;
import software.amazon.awssdk.services.ec2.model.DisableEbsEncryptionByDefaultResponse;
import software.amazon.awssdk.services.ec2.model.EnableEbsEncryptionByDefaultRequest;
import software.amazon.awssdk.services.ec2.model.EnableEbsEncryptionByDefaultResponse;
import software.amazon.awssdk.services.ec2.model.GetEbsDefaultKmsKeyIdRequest;
import software.amazon.awssdk.services.ec2.model.GetEbsDefaultKmsKeyIdResponse;
import software.amazon.awssdk.services.ec2.model.GetEbsEncryptionByDefaultRequest;
import software.amazon.awssdk.services.ec2.model.GetEbsEncryptionByDefaultResponse;
import software.amazon.awssdk.services.ec2.model.ModifyEbsDefaultKmsKeyIdRequest;
import software.amazon.awssdk.services.ec2.model.ModifyEbsDefaultKmsKeyIdResponse;
import software.amazon.awssdk.services.ec2.model.ResetEbsDefaultKmsKeyIdRequest;
import software.amazon.awssdk.services.ec2.model.ResetEbsDefaultKmsKeyIdResponse;
import software.amazon.awssdk.services.kms.model.DescribeKeyRequest;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/**
 * EBS encryption: the per-region encryption-by-default switch and default KMS key, and the
 * resolution of a request's key (id, ARN, alias or alias ARN) to the key ARN EC2 records, through
 * KMS's own DescribeKey. Naming {@code alias/aws/ebs} (or nothing) creates the AWS managed key on
 * first use, as AWS does.
 * https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html
 */
final class EbsEncryption {
    static final String DEFAULT_ALIAS = "alias/aws/ebs";

    /** The region's settings; {@code kmsKeyId} is the ARN chosen with ModifyEbsDefaultKmsKeyId, or null for aws/ebs. */
    record Defaults(boolean byDefault, String kmsKeyId) {
    }

    /** What a new volume or snapshot copy gets: whether it is encrypted, and with which key ARN. */
    record Choice(boolean encrypted, String kmsKeyArn) {
    }

    private final Ec2State st;
    private final Table<Defaults> defaults;

    EbsEncryption(Ec2State st) {
        this.st = st;
        this.defaults = st.oboro.store().table("ec2.ebsdefaults", Defaults.class);
    }

    Defaults defaults(Scope s) {
        Defaults d = defaults.get(s, "defaults");
        return d == null ? new Defaults(false, null) : d;
    }

    /**
     * The encryption of a new volume: encrypted when asked, when its snapshot is encrypted, or when
     * the region encrypts by default (whatever the request says). The key is the request's, else
     * the snapshot's, else the region's default key.
     */
    Choice choose(Call call, Scope s, Boolean encrypted, String kmsKeyId, Boolean snapshotEncrypted, String snapshotKey) {
        if (kmsKeyId != null && !Boolean.TRUE.equals(encrypted)) {
            throw new AwsException("InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set.", 400);
        }
        boolean on = Boolean.TRUE.equals(encrypted) || Boolean.TRUE.equals(snapshotEncrypted) || defaults(s).byDefault();
        if (!on) return new Choice(false, null);
        if (kmsKeyId != null) return new Choice(true, resolve(call, s, kmsKeyId));
        if (snapshotKey != null) return new Choice(true, snapshotKey);
        return new Choice(true, defaultKey(call, s));
    }

    /** The region's default key ARN: the one set with ModifyEbsDefaultKmsKeyId, else the AWS managed aws/ebs key. */
    String defaultKey(Call call, Scope s) {
        String k = defaults(s).kmsKeyId();
        return resolve(call, s, k == null ? DEFAULT_ALIAS : k);
    }

    /**
     * A key reference made into its ARN, refusing a key that does not exist or cannot be used.
     * EC2 reports a key in the wrong state as {@code InvalidKMSKey.InvalidState} (the code
     * instances show as their state reason when a volume's key is unusable).
     */
    String resolve(Call call, Scope s, String keyId) {
        Call kmsCall = call.region().equals(s.region()) ? call : call.inRegion(s.region());
        KeyMetadata m;
        try {
            m = call.oboro().services().<software.amazon.awssdk.services.kms.model.DescribeKeyResponse>call(kmsCall, "kms",
                    DescribeKeyRequest.builder().keyId(keyId).build()).keyMetadata();
        } catch (AwsException e) {
            if (e.code().equals("NotFoundException")) {
                throw Ec2Errors.invalidParameterValue("The specified KMS key is not accessible: " + keyId);
            }
            throw e;
        }
        if (!"Enabled".equals(m.keyStateAsString())) {
            throw new AwsException("InvalidKMSKey.InvalidState", "The KMS key provided is in an incorrect state", 400);
        }
        return m.arn();
    }

    /** Whether a key is an AWS managed key (aws/ebs): snapshots encrypted with it cannot be shared. */
    boolean awsManaged(Call call, Scope s, String keyArn) {
        if (keyArn == null) return false;
        try {
            KeyMetadata m = call.oboro().services().<software.amazon.awssdk.services.kms.model.DescribeKeyResponse>call(
                    call.region().equals(s.region()) ? call : call.inRegion(s.region()), "kms",
                    DescribeKeyRequest.builder().keyId(keyArn).build()).keyMetadata();
            return "AWS".equals(m.keyManagerAsString());
        } catch (AwsException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ handlers

    GetEbsEncryptionByDefaultResponse getEbsEncryptionByDefault(Call call, GetEbsEncryptionByDefaultRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "GetEbsEncryptionByDefault");
        return GetEbsEncryptionByDefaultResponse.builder().ebsEncryptionByDefault(defaults(call.scope()).byDefault())
                .sseType("sse-ebs").build();
    }

    EnableEbsEncryptionByDefaultResponse enableEbsEncryptionByDefault(Call call, EnableEbsEncryptionByDefaultRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "EnableEbsEncryptionByDefault");
        Scope s = call.scope();
        defaults.update(s, "defaults", d -> new Defaults(true, d == null ? null : d.kmsKeyId()));
        return EnableEbsEncryptionByDefaultResponse.builder().ebsEncryptionByDefault(true).build();
    }

    DisableEbsEncryptionByDefaultResponse disableEbsEncryptionByDefault(Call call, DisableEbsEncryptionByDefaultRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "DisableEbsEncryptionByDefault");
        Scope s = call.scope();
        defaults.update(s, "defaults", d -> new Defaults(false, d == null ? null : d.kmsKeyId()));
        return DisableEbsEncryptionByDefaultResponse.builder().ebsEncryptionByDefault(false).build();
    }

    GetEbsDefaultKmsKeyIdResponse getEbsDefaultKmsKeyId(Call call, GetEbsDefaultKmsKeyIdRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "GetEbsDefaultKmsKeyId");
        String k = defaults(call.scope()).kmsKeyId();
        return GetEbsDefaultKmsKeyIdResponse.builder().kmsKeyId(k == null ? DEFAULT_ALIAS : k).build();
    }

    ModifyEbsDefaultKmsKeyIdResponse modifyEbsDefaultKmsKeyId(Call call, ModifyEbsDefaultKmsKeyIdRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ModifyEbsDefaultKmsKeyId");
        if (req.kmsKeyId() == null) throw Ec2Errors.missingParameter("KmsKeyId");
        Scope s = call.scope();
        String arn = resolve(call, s, req.kmsKeyId());
        defaults.update(s, "defaults", d -> new Defaults(d != null && d.byDefault(), arn));
        return ModifyEbsDefaultKmsKeyIdResponse.builder().kmsKeyId(arn).build();
    }

    ResetEbsDefaultKmsKeyIdResponse resetEbsDefaultKmsKeyId(Call call, ResetEbsDefaultKmsKeyIdRequest req) {
        Ec2Checks.dryRun(req.dryRun(), "ResetEbsDefaultKmsKeyId");
        Scope s = call.scope();
        defaults.update(s, "defaults", d -> new Defaults(d != null && d.byDefault(), null));
        // AWS answers with the ARN of the AWS managed key, creating it if it does not exist yet
        return ResetEbsDefaultKmsKeyIdResponse.builder().kmsKeyId(resolve(call, s, DEFAULT_ALIAS)).build();
    }
}
