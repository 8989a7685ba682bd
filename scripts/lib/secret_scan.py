#!/usr/bin/env python3
"""Looks for every password a test run set in everything the run left behind.

Usage: secret_scan.py --registry FILE [--min-length N] ROOT...

The registry (written by io.credsync.testing.SecretScan) holds one password per line, as the
hex of its UTF-8 bytes. Every regular file under each ROOT, the registry excepted, is searched
as raw bytes (logs, pg_dumpall output, PostgreSQL data files and WAL, metrics scrapes, command
output) for each password in the forms it takes in those files: as it is, JSON-escaped (JSON
logs), with quotes doubled (SQL literals), COPY-escaped (dumps) and percent-encoded (URLs).

Prints only file names and counts, never a password. Exit status: 0 when nothing is found,
1 when a password is found, 2 when the scan itself cannot be done.

Fixed strings are searched by GNU grep (-F, Aho-Corasick-style), all at once, which keeps the
scan to seconds for a gigabyte; the few forms with a line break, which grep cannot take as one
pattern, are searched here.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse

DEFAULT_MIN_LENGTH = 6
# grep and its file arguments: well below the kernel's limit on an argument list.
FILES_PER_GREP = 500
CHUNK = 8 * 1024 * 1024


def fail(message):
    """The scan could not be done: exit 2, which a caller must not take for "nothing found"."""
    print(f"secret scan: {message}", file=sys.stderr)
    sys.exit(2)


def read_registry(path):
    passwords = set()
    with open(path, "rb") as registry:
        for number, line in enumerate(registry, 1):
            line = line.strip()
            if not line:
                continue
            try:
                passwords.add(bytes.fromhex(line.decode("ascii")).decode("utf-8"))
            except ValueError:
                fail(f"line {number} of {path} is not hex of UTF-8 text")
    return passwords


def copy_escaped(text):
    """COPY's text format, as pg_dump writes table data."""
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def forms(password):
    """The byte strings a password becomes in the files a run leaves."""
    texts = {
        password,
        json.dumps(password)[1:-1],
        json.dumps(password, ensure_ascii=False)[1:-1],
        password.replace("'", "''"),
        copy_escaped(password),
        urllib.parse.quote(password, safe=""),
    }
    return {text.encode("utf-8") for text in texts}


def files_under(roots, excluded):
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                path = os.path.join(directory, name)
                if os.path.realpath(path) in excluded or os.path.islink(path) or not os.path.isfile(path):
                    continue
                yield path


def grep_counts(patterns, files):
    """Lines with at least one pattern, per file, for files with any: one grep per batch of files."""
    counts = {}
    if not patterns:
        return counts
    pattern_bytes = b"\n".join(sorted(patterns)) + b"\n"
    env = dict(os.environ, LC_ALL="C")
    for start in range(0, len(files), FILES_PER_GREP):
        batch = files[start:start + FILES_PER_GREP]
        # -a: binary files as text; -c -H: "file:count" for each file. An unreadable file is exit 2.
        result = subprocess.run(["grep", "-F", "-a", "-c", "-H", "-f", "-", "--"] + batch,
                                input=pattern_bytes, stdout=subprocess.PIPE, env=env, check=False)
        if result.returncode not in (0, 1):
            fail(f"grep failed with exit code {result.returncode} (see its message above)")
        for line in result.stdout.splitlines():
            path, _, count = line.rpartition(b":")
            if int(count) > 0:
                counts[os.fsdecode(path)] = int(count)
    return counts


def multiline_counts(patterns, files):
    """Occurrences of patterns with line breaks, per file, read in overlapping chunks."""
    counts = {}
    if not patterns:
        return counts
    overlap = max(len(p) for p in patterns) - 1
    for path in files:
        found = 0
        try:
            with open(path, "rb") as f:
                tail = b""
                while True:
                    chunk = f.read(CHUNK)
                    if not chunk:
                        break
                    window = tail + chunk
                    for pattern in patterns:
                        # Count only matches that end in the new part: the overlap was searched before.
                        at = window.find(pattern)
                        while at >= 0:
                            if at + len(pattern) > len(tail):
                                found += 1
                            at = window.find(pattern, at + 1)
                    tail = window[-overlap:] if overlap else b""
        except OSError as e:
            fail(f"cannot read {path}: {e.strerror}")
        if found:
            counts[path] = found
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", required=True, help="the passwords.hex a test run wrote")
    parser.add_argument("--min-length", type=int, default=DEFAULT_MIN_LENGTH,
                        help="passwords shorter than this many bytes are not searched for (default %(default)s):"
                             " they occur in any text")
    parser.add_argument("roots", nargs="+", help="directories to search")
    args = parser.parse_args()
    started = time.monotonic()

    if not os.path.exists(args.registry):
        print("secret scan: no password was registered (no test set one); nothing to look for")
        return 0
    passwords = read_registry(args.registry)
    scanned = {p for p in passwords if len(p.encode("utf-8")) >= args.min_length}
    patterns = set()
    for password in scanned:
        patterns |= forms(password)
    single_line = {p for p in patterns if b"\n" not in p}
    multi_line = patterns - single_line

    excluded = {os.path.realpath(args.registry)}
    files = sorted(files_under(args.roots, excluded))
    total_bytes = 0
    for path in files:
        try:
            total_bytes += os.path.getsize(path)
        except OSError:
            pass
    counts = grep_counts(single_line, files)
    for path, count in multiline_counts(multi_line, files).items():
        counts[path] = counts.get(path, 0) + count

    elapsed = time.monotonic() - started
    print(f"secret scan: {len(scanned)} passwords ({len(passwords) - len(scanned)} shorter than"
          f" {args.min_length} bytes not searched for), {len(patterns)} forms, in {len(files)} files,"
          f" {total_bytes / 1024 / 1024:.1f} MiB, {elapsed:.1f} s")
    if not counts:
        print("secret scan: no registered password found")
        return 0
    print(f"secret scan: FAILED: registered passwords found in {len(counts)} files:", file=sys.stderr)
    for path in sorted(counts):
        shown = path
        for root in args.roots:
            if path.startswith(root.rstrip("/") + "/"):
                shown = os.path.relpath(path, root)
                break
        print(f"  {shown}: {counts[path]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
