"""The AWS side of ./scripts/demo, against the local emulators, with boto3 (a moto dependency).

Run with the tools venv's python, one subcommand per call:

  demo_aws.py free-ports N
      prints N distinct free TCP ports on 127.0.0.1, one a line (no AWS involved);
  demo_aws.py --endpoint URL create-key
      creates an RSA_2048 ENCRYPT_DECRYPT key in KMS; prints its ARN on the first line,
      then its public key as PEM (SubjectPublicKeyInfo);
  demo_aws.py --endpoint URL await-secret NAME SECONDS
      polls Secrets Manager until the secret NAME holds the password given in the environment
      variable CREDSYNC_DEMO_EXPECTED_PASSWORD, then shows the secret with the password masked;
      exit 1 if that does not happen within SECONDS;
  demo_aws.py --endpoint URL secret-password NAME
      prints the password the secret NAME holds, for the caller to capture (never to show).

Credentials are the emulators' test/test, Region us-east-1. A password is never printed except by
secret-password, whose output the demo captures into a variable.
"""

import argparse
import base64
import json
import os
import socket
import sys
import textwrap
import time

REGION = "us-east-1"


def mask(password):
    """The first two characters and ****: enough to recognize, too little to use."""
    return password[:2] + "****"


def client(service, endpoint):
    import boto3  # here, not at the top: free-ports needs no boto3 (and starts faster)

    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def free_ports(count):
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def create_key(endpoint):
    kms = client("kms", endpoint)
    arn = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT",
                         Description="credsync demo")["KeyMetadata"]["Arn"]
    der = kms.get_public_key(KeyId=arn)["PublicKey"]
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode("ascii"), 64))
    print(arn)
    print("-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----")


def current_secret(sm, name):
    """The secret's current value as a dict plus its version id, or None while it is missing."""
    try:
        response = sm.get_secret_value(SecretId=name)
    except sm.exceptions.ResourceNotFoundException:
        return None
    return json.loads(response["SecretString"]), response["VersionId"]


def await_secret(endpoint, name, seconds):
    expected = os.environ.get("CREDSYNC_DEMO_EXPECTED_PASSWORD")
    if not expected:
        sys.exit("demo_aws: CREDSYNC_DEMO_EXPECTED_PASSWORD is not set")
    sm = client("secretsmanager", endpoint)
    start = time.monotonic()
    deadline = start + seconds
    found = None
    while True:
        found = current_secret(sm, name)
        if found is not None and found[0].get("password") == expected:
            break
        if time.monotonic() >= deadline:
            state = "does not exist" if found is None else "still holds another password"
            print(f"    timed out: after {seconds} s the secret {name} {state}", file=sys.stderr)
            sys.exit(1)
        time.sleep(0.1)
    value, version = found
    print(f"    the secret {name} holds the new password (version {version}):")
    shown = dict(value)
    shown["password"] = mask(value["password"])
    for line in json.dumps(shown, indent=2).splitlines():
        print("      " + line)


def secret_password(endpoint, name):
    found = current_secret(client("secretsmanager", endpoint), name)
    if found is None or "password" not in found[0]:
        sys.exit(f"demo_aws: the secret {name} has no password")
    print(found[0]["password"])


def main():
    parser = argparse.ArgumentParser(prog="demo_aws.py")
    parser.add_argument("--endpoint", help="the emulator's URL")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("free-ports").add_argument("count", type=int)
    commands.add_parser("create-key")
    awaiting = commands.add_parser("await-secret")
    awaiting.add_argument("name")
    awaiting.add_argument("seconds", type=float)
    commands.add_parser("secret-password").add_argument("name")
    args = parser.parse_args()

    if args.command == "free-ports":
        print("\n".join(str(port) for port in free_ports(args.count)))
        return
    if not args.endpoint:
        parser.error("--endpoint is required for " + args.command)
    import botocore.exceptions

    try:
        if args.command == "create-key":
            create_key(args.endpoint)
        elif args.command == "await-secret":
            await_secret(args.endpoint, args.name, args.seconds)
        else:
            secret_password(args.endpoint, args.name)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        # The error's text names the operation and the emulator's answer, never a password.
        sys.exit(f"demo_aws: {args.command} failed: {e}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
