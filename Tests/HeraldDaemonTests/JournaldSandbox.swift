import Foundation

/// A private systemd-journald for one test. It runs in a mount namespace of its own
/// (`unshare -m`) with a tmpfs on /run, so /run/systemd/journal/socket, where sd_journal_sendv(3)
/// always writes, is this journald's and nobody else's; its journal files land in a temp folder
/// that `journalctl -D` reads afterwards. heraldd runs in the same namespace under systemd-cat(1),
/// which connects its stderr to the journal the way systemd does for a service.
enum JournaldSandbox {
    static let journald = "/lib/systemd/systemd-journald"
    static let tools = ["/usr/bin/unshare", "/usr/bin/systemd-cat", "/usr/bin/journalctl", "/usr/bin/stat"]

    /// Why no private journald can be started here, or nil when one can. Printed once, so a
    /// skipped test says why.
    static let unavailableReason: String? = {
        let reason = probe()
        if let reason { print("journald tests skipped: \(reason)") }
        return reason
    }()

    private static func probe() -> String? {
        guard geteuid() == 0 else { return "mounting a private /run needs root" }
        for tool in [journald] + tools where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed"
        }
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-m", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs tmpfs /run"]
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "cannot run unshare: \(error)" }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : "cannot mount a tmpfs in a private mount namespace (unshare -m)"
    }

    /// The script run as `unshare -m --propagation private /bin/sh script`. It writes the pids of
    /// journald and heraldd to files in `$SANDBOX`, waits for heraldd to exit, then stops journald
    /// (which syncs its files) and exits with heraldd's status.
    static let script = """
        set -eu
        mount -t tmpfs tmpfs /run
        mkdir -p /run/systemd/journald.conf.d /run/log/journal
        mount --bind "$SANDBOX/journal" /run/log/journal
        # Volatile storage writes straight to /run/log/journal (no flush to /var needed); no kernel
        # log, no forwarding, no rate limit: this journal holds heraldd's lines and nothing else.
        cat > /run/systemd/journald.conf.d/zz-herald-test.conf <<'EOF'
        [Journal]
        Storage=volatile
        ReadKMsg=no
        ForwardToSyslog=no
        ForwardToKMsg=no
        ForwardToConsole=no
        ForwardToWall=no
        RateLimitIntervalSec=0
        EOF
        \(journald) &
        echo $! > "$SANDBOX/journald.pid"
        tries=0
        until [ -S /run/systemd/journal/socket ] && [ -S /run/systemd/journal/stdout ]; do
            tries=$((tries + 1))
            if [ "$tries" -gt 600 ]; then echo "journald did not start" >&2; exit 1; fi
            sleep 0.05
        done
        # As systemd does for a service: stderr connected to the journal, JOURNAL_STREAM naming it.
        systemd-cat -t heraldd /bin/sh -c \\
            'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2); export JOURNAL_STREAM; exec "$HERALDD" --config "$CONFIG"' &
        echo $! > "$SANDBOX/heraldd.pid"
        status=0
        wait $! || status=$?
        kill "$(cat "$SANDBOX/journald.pid")"
        wait "$(cat "$SANDBOX/journald.pid")" || true
        exit $status
        """
}
