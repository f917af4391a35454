#!/usr/bin/env python3
"""Where heraldd's CPU goes, from a `perf record -g` of it (docs/benchmarks.md, "Where heraldd's CPU goes").

    perf script -i /tmp/heraldd.perf -F comm,tid,ip,sym,dso | scripts/perf-areas.py

Prints three tables of shares of all samples: by what the sampled function is (kernel, SQLite,
malloc/free, retain/release, ...), by the part of heraldd it worked for (the first Herald frame
on the stack), and the kernel's share by kind of work. perf report sorts by symbol or library;
these groupings are what a cost cut is planned by. libsqlite3, libcurl and glibc keep no frame
pointers, so their samples often end at the library: they are counted as "stack not unwound".
"""
import collections
import re
import sys

# First match wins, in this order: the curl thread and the writer's entry points before the
# generic database and Herald catch-alls.
AREAS = [
    ("curl thread (CurlWorker: libcurl, sockets)", ["CurlWorker"]),
    ("outbox watch thread (inotify, data_version looks)", ["OutboxWatch", "FolderWrites"]),
    ("writer: claim and record outcomes", ["claimDue", "QueueDatabaseC5write_4with", "ClaimBatch"]),
    ("writer: ingest", ["QueueDatabaseC6ingest", "MessageIntake", "MessageTransitionsC6create"]),
    ("carrier client in Swift (form encoding, response JSON, classify)", ["TwilioB6Client", "TwilioResponseBody", "FormEncoding", "CurlMulti"]),
    ("dispatch loop and its tasks", ["DispatchService"]),
    # Mostly commits: GRDB runs COMMIT (WAL writes, fsync) after the transaction's closure has
    # returned, so no claim or ingest frame is left on the stack.
    ("writer: commits and other database work (GRDB)", ["GRDB", "MessageTransitions"]),
    ("other Herald", ["Herald"]),
]

KERNEL = [
    ("fsync (WAL commits)", r"fsync|fdatasync"),
    ("file writes (WAL pwrite)", r"pwrite|ext4_file_write"),
    ("network (loopback TCP send/receive)", r"tcp_|sock_|__sys_sendto|__sys_recvfrom|inet_|__send|recv|netif|loopback|ip_"),
    ("futex (threads waking each other)", r"futex"),
    ("poll/epoll", r"poll"),
    ("page faults, memory mapping", r"page_fault|exc_page|do_anonymous|mmap|munmap|madvise|brk"),
    ("file reads (pread)", r"pread|ext4_file_read|filemap_read"),
    ("scheduling", r"schedule|finish_task_switch|irqentry_exit|exit_to_user_mode"),
]


def leaf_kind(dso, sym):
    if "kernel" in dso:
        return "kernel"
    if "sqlite" in dso:
        return "SQLite"
    if "libc.so" in dso:
        if re.search(r"malloc|free|_int_|unlink_chunk|consolidate|memalign|usable", sym):
            return "malloc/free"
        if re.search(r"mem(move|cpy|set|cmp)|str", sym):
            return "mem*/str*"
        return "other libc (locks, syscalls)"
    if "libcurl" in dso:
        return "libcurl"
    if "libswiftCore" in dso:
        if re.search(r"retain|release|Release|Retain|RefCount|dealloc", sym):
            return "retain/release"
        if re.search(r"Metadata|getCache|metadata|Witness|conformsTo|Conformance", sym):
            return "generic metadata"
        return "Swift standard library"
    if re.search(r"Concurrency|dispatch|Synchronization", dso):
        return "Swift concurrency, libdispatch, locks"
    if "Foundation" in dso or "ICU" in dso:
        return "Foundation"
    if "heraldd" in dso:
        return "heraldd's own code"
    return "other"


def samples(lines):
    frames = None
    for line in lines:
        if not line.strip():
            if frames:
                yield frames
            frames = None
        elif not line[0].isspace():
            frames = []
        else:
            match = re.match(r"\s*[0-9a-f]+\s+(.*) \((.*)\)\s*$", line)
            if match and frames is not None:
                frames.append((match.group(1), match.group(2)))
    if frames:
        yield frames


def main():
    leaves, areas, kernel = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for frames in samples(sys.stdin):
        total += 1
        sym, dso = frames[0]
        kind = leaf_kind(dso, sym)
        leaves[kind] += 1
        area = next((name for name, keys in AREAS if any(k in f[0] for f in frames for k in keys)), None)
        if area is None:
            area = f"stack not unwound ({kind})" if len(frames) <= 2 else "no Herald frame (wake-ups, scheduling, libdispatch)"
        areas[area] += 1
        if kind == "kernel":
            names = " ".join(f[0] for f in frames)
            kernel[next((name for name, rx in KERNEL if re.search(rx, names)), "other kernel")] += 1
    if total == 0:
        sys.exit("perf-areas.py: no samples on stdin (pipe `perf script -F comm,tid,ip,sym,dso` into it)")
    for title, counts in (("where the CPU is spent", leaves), ("part of heraldd", areas), ("kernel, by kind of work", kernel)):
        print(f"\n{title} ({total} samples)")
        for name, count in counts.most_common():
            print(f"{100 * count / total:5.1f} %  {name}")


main()
