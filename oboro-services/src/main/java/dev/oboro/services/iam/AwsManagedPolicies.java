package dev.oboro.services.iam;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small built-in set of AWS managed policies, as the AWS Managed Policy Reference describes them
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/): ARN, path, description,
 * creation and edit times, default version and document. They are the same in every account.
 *
 * <p>The documents of ReadOnlyAccess and AmazonEC2RoleforSSM are abbreviated (the real ones list
 * hundreds of actions); the others are AWS's. Policy ids are derived from the name (stable, in
 * AWS's {@code ANPA} form) because the reference does not publish them.
 */
final class AwsManagedPolicies {
    private AwsManagedPolicies() {
    }

    private static final Map<String, Iam.ManagedPolicy> BY_ARN = new LinkedHashMap<>();

    private static void add(String name, String path, String description, String created, String updated,
                            String version, String document) {
        String arn = "arn:aws:iam::aws:policy" + path + name;
        Instant c = Instant.parse(created);
        Instant u = Instant.parse(updated);
        BY_ARN.put(arn, new Iam.ManagedPolicy(name, path, policyId(name), arn, description, c, u, version,
                List.of(new IamPolicy.Version(version, document, u)), List.of(), true));
    }

    static {
        add("AdministratorAccess", "/", "Provides full access to AWS services and resources.",
                "2015-02-06T18:39:00Z", "2015-02-06T18:39:00Z", "v1", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""");
        add("PowerUserAccess", "/", "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
                "2015-02-06T18:39:00Z", "2026-02-12T17:59:00Z", "v12", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},\
                {"Effect":"Allow","Action":["account:GetAccountInformation","account:GetGovCloudAccountInformation","account:GetPrimaryEmail",\
                "account:ListRegions","iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles",\
                "organizations:DescribeEffectivePolicy","organizations:DescribeOrganization"],"Resource":"*"}]}""");
        add("ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.",
                "2015-02-06T18:39:00Z", "2015-02-06T18:39:00Z", "v1", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:Describe*","*:Get*","*:List*","*:BatchGet*",\
                "s3:Head*","dynamodb:Query","dynamodb:Scan","logs:FilterLogEvents","logs:StartQuery"],"Resource":"*"}]}""");
        add("IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console.",
                "2015-02-06T18:40:00Z", "2018-01-25T19:11:00Z", "v4", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport",\
                "iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy",\
                "iam:SimulatePrincipalPolicy"],"Resource":"*"}]}""");
        add("AmazonS3ReadOnlyAccess", "/", "Provides read only access to all buckets via the AWS Management Console.",
                "2015-02-06T18:40:00Z", "2023-08-10T21:31:00Z", "v3", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*",\
                "s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}""");
        add("AmazonRoute53ReadOnlyAccess", "/", "Provides read only access to all Amazon Route 53 via the AWS Management Console.",
                "2015-02-06T18:40:00Z", "2016-11-15T21:15:00Z", "v2", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["route53:Get*","route53:List*",\
                "route53:TestDNSAnswer"],"Resource":["*"]}]}""");
        add("AmazonAPIGatewayAdministrator", "/", "Provides full access to create/edit/delete APIs in Amazon API Gateway via the AWS Management Console.",
                "2015-07-09T17:34:00Z", "2015-07-09T17:34:00Z", "v1", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["apigateway:*"],"Resource":"arn:aws:apigateway:*::/*"}]}""");
        add("AmazonSSMManagedInstanceCore", "/", "The policy for Amazon EC2 Role to enable AWS Systems Manager service core functionality.",
                "2019-03-15T17:22:00Z", "2019-05-23T16:54:00Z", "v2", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:DescribeAssociation",\
                "ssm:GetDeployablePatchSnapshotForInstance","ssm:GetDocument","ssm:DescribeDocument","ssm:GetManifest",\
                "ssm:GetParameter","ssm:GetParameters","ssm:ListAssociations","ssm:ListInstanceAssociations","ssm:PutInventory",\
                "ssm:PutComplianceItems","ssm:PutConfigurePackageResult","ssm:UpdateAssociationStatus",\
                "ssm:UpdateInstanceAssociationStatus","ssm:UpdateInstanceInformation"],"Resource":"*"},\
                {"Effect":"Allow","Action":["ssmmessages:CreateControlChannel","ssmmessages:CreateDataChannel",\
                "ssmmessages:OpenControlChannel","ssmmessages:OpenDataChannel"],"Resource":"*"},\
                {"Effect":"Allow","Action":["ec2messages:AcknowledgeMessage","ec2messages:DeleteMessage","ec2messages:FailMessage",\
                "ec2messages:GetEndpoint","ec2messages:GetMessages","ec2messages:SendReply"],"Resource":"*"}]}""");
        add("AmazonEC2RoleforSSM", "/service-role/", "This policy will soon be deprecated. Please use AmazonSSMManagedInstanceCore "
                        + "policy to enable AWS Systems Manager service core functionality on EC2 instances. For more information see "
                        + "https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-instance-profile.html",
                "2015-05-29T17:48:00Z", "2019-01-24T19:20:00Z", "v8", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:*","ec2messages:*","ssmmessages:*",\
                "cloudwatch:PutMetricData","ec2:DescribeInstanceStatus","ds:CreateComputer","ds:DescribeDirectories",\
                "logs:CreateLogGroup","logs:CreateLogStream","logs:DescribeLogGroups","logs:DescribeLogStreams",\
                "logs:PutLogEvents"],"Resource":"*"},{"Effect":"Allow","Action":["s3:GetBucketLocation","s3:PutObject",\
                "s3:GetObject","s3:GetEncryptionConfiguration","s3:AbortMultipartUpload","s3:ListMultipartUploadParts",\
                "s3:ListBucket","s3:ListBucketMultipartUploads"],"Resource":"*"}]}""");
        add("AWSLambdaBasicExecutionRole", "/service-role/", "Provides write permissions to CloudWatch Logs.",
                "2015-04-09T15:03:00Z", "2015-04-09T15:03:00Z", "v1", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream",\
                "logs:PutLogEvents"],"Resource":"*"}]}""");
        add("AWSLambdaVPCAccessExecutionRole", "/service-role/", "Provides minimum permissions for a Lambda function to execute while "
                        + "accessing a resource within a VPC - create, describe, delete network interfaces and write permissions to CloudWatch Logs.",
                "2016-02-11T23:15:00Z", "2024-01-05T22:38:00Z", "v3", """
                {"Version":"2012-10-17","Statement":[{"Sid":"AWSLambdaVPCAccessExecutionPermissions","Effect":"Allow","Action":[\
                "logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents","ec2:CreateNetworkInterface",\
                "ec2:DescribeNetworkInterfaces","ec2:DescribeSubnets","ec2:DeleteNetworkInterface","ec2:AssignPrivateIpAddresses",\
                "ec2:UnassignPrivateIpAddresses"],"Resource":"*"}]}""");
        add("AWSLambdaRole", "/service-role/", "Default policy for AWS Lambda service role.",
                "2015-02-06T18:41:00Z", "2015-02-06T18:41:00Z", "v1", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["*"]}]}""");
    }

    static Iam.ManagedPolicy byArn(String arn) {
        return BY_ARN.get(arn);
    }

    static List<Iam.ManagedPolicy> all() {
        return List.copyOf(BY_ARN.values());
    }

    private static String policyId(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
            StringBuilder sb = new StringBuilder("ANPA");
            for (int i = 0; i < 17; i++) sb.append(alphabet.charAt((h[i] & 0xff) % 32));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
