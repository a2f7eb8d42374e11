package dev.oboro.services.kms;

import java.util.Map;
import java.util.TreeMap;

/**
 * The AWS managed keys: AWS predefines an alias per integrated service ({@code alias/aws/ebs} ...)
 * in every account and Region, and creates its key the first time the alias is used. Until then
 * ListAliases shows the alias without a TargetKeyId.
 * https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
 */
final class ManagedKeys {
    private ManagedKeys() {
    }

    /** What a managed key protects (for its description) and the service that uses it (kms:ViaService). */
    record Info(String protects, String viaService) {
    }

    static final Map<String, Info> BY_ALIAS = new TreeMap<>(Map.ofEntries(
            Map.entry("alias/aws/acm", new Info("ACM private keys", "acm")),
            Map.entry("alias/aws/backup", new Info("Backup vaults", "backup")),
            Map.entry("alias/aws/dynamodb", new Info("DynamoDB tables", "dynamodb")),
            Map.entry("alias/aws/ebs", new Info("EBS volumes", "ec2")),
            Map.entry("alias/aws/elasticfilesystem", new Info("EFS file systems", "elasticfilesystem")),
            Map.entry("alias/aws/es", new Info("Elasticsearch domains", "es")),
            Map.entry("alias/aws/glue", new Info("Glue data", "glue")),
            Map.entry("alias/aws/kinesis", new Info("Kinesis data", "kinesis")),
            Map.entry("alias/aws/lambda", new Info("Lambda functions", "lambda")),
            Map.entry("alias/aws/rds", new Info("RDS database volumes", "rds")),
            Map.entry("alias/aws/redshift", new Info("Redshift data", "redshift")),
            Map.entry("alias/aws/s3", new Info("S3 objects", "s3")),
            Map.entry("alias/aws/secretsmanager", new Info("Secrets Manager secrets", "secretsmanager")),
            Map.entry("alias/aws/sns", new Info("SNS topics", "sns")),
            Map.entry("alias/aws/sqs", new Info("SQS queues", "sqs")),
            Map.entry("alias/aws/ssm", new Info("SSM parameters", "ssm")),
            Map.entry("alias/aws/xray", new Info("X-Ray traces", "xray"))));

    static Info info(String aliasName) {
        return BY_ALIAS.get(aliasName);
    }

    static String description(Info i) {
        return "Default master key that protects my " + i.protects() + " when no other key is defined";
    }
}
