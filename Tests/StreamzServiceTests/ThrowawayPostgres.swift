import Foundation
import StreamzService

/// A PostgreSQL server of the test's own (Debian's `postgresql`, in a temporary
/// directory, on a free loopback port), so a test can stop and start it under a
/// running service; the shared test server must stay up for the other tests.
final class ThrowawayPostgres: @unchecked Sendable {
    let port: Int
    private let directory: URL
    private let binaries: URL
    /// As root, the server runs as `postgres`: PostgreSQL refuses to run as root.
    private let asServerUser: [String]

    var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }

    init() throws {
        let installed = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = installed.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last else {
            throw TestSetupError("no PostgreSQL in /usr/lib/postgresql (scripts/install-deps.sh installs it)")
        }
        binaries = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
        directory = URL(fileURLWithPath: "/tmp/streamz-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        asServerUser = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        port = freePort()
        if getuid() == 0 { try Self.run(["/bin/chown", "postgres:", directory.path]) }
        try Self.run(asServerUser + [binaries.appendingPathComponent("initdb").path, "-D", directory.appendingPathComponent("data").path,
                                     "--auth=trust", "-U", "postgres", "--encoding=UTF8", "--no-sync"], in: directory)
        try start()
    }

    func start() throws {
        try pgCtl(["start", "-w", "-t", "30", "-l", directory.appendingPathComponent("server.log").path,
                   "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory.path) -c fsync=off"])
    }

    /// A fast shutdown: sessions are ended and the server stops, as in a restart.
    func stop() throws { try pgCtl(["stop", "-w", "-t", "30", "-m", "fast"]) }

    func destroy() {
        try? pgCtl(["stop", "-w", "-t", "30", "-m", "immediate"])
        try? FileManager.default.removeItem(at: directory)
    }

    private func pgCtl(_ arguments: [String]) throws {
        try Self.run(asServerUser + [binaries.appendingPathComponent("pg_ctl").path, "-D", directory.appendingPathComponent("data").path]
                     + arguments, in: directory)
    }

    /// posix_spawn and waitpid rather than Foundation's Process, whose wait for
    /// `pg_ctl start` never returned here (the server it leaves running inherits the
    /// child's process group). Output goes to a file, shown when the command fails.
    private static func run(_ command: [String], in directory: URL? = nil) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("streamz-pg-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let script = #"cd "$1" && log=$2 && shift 2 && exec "$@" >"$log" 2>&1 </dev/null"#
        let arguments = ["/bin/sh", "-c", script, "sh", directory?.path ?? "/", log.path] + command
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ)
        guard spawned == 0 else { throw TestSetupError("posix_spawn \(command[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestSetupError("\(command.joined(separator: " ")) failed (wait status \(status)): \(text.suffix(1_000))")
        }
    }
}
