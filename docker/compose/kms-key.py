"""compose.yaml's KMS key: an RSA_2048 ENCRYPT_DECRYPT key in local-kms under alias/credsync,
made once (a second run finds the alias and does nothing). Runs in the moto image, whose Python
has boto3."""

import os

import boto3

ALIAS = "alias/credsync"

kms = boto3.client(
    "kms",
    region_name=os.environ.get("AWS_REGION", "us-east-1"),
    endpoint_url=os.environ["KMS_ENDPOINT"],
    aws_access_key_id="test",
    aws_secret_access_key="test",
)
if any(alias["AliasName"] == ALIAS for alias in kms.list_aliases()["Aliases"]):
    print(f"{ALIAS} exists")
else:
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT", Description="credsync compose demo")
    kms.create_alias(AliasName=ALIAS, TargetKeyId=key["KeyMetadata"]["KeyId"])
    print(f"{ALIAS} -> {key['KeyMetadata']['Arn']}")
