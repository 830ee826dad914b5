import Foundation
import Testing

/// A PostgreSQL server of the test's own (Debian's `postgresql` binaries, a temporary
/// directory, a free port on 127.0.0.1), for tests that stop and start the server,
/// which the shared server of `make test` must never see.
final class PrivatePostgres: @unchecked Sendable {
    let directory: URL
    let port: Int
    let binaries: URL
    /// As root, the server runs as `postgres` (it refuses root).
    private let runAs: [String]

    var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres?sslmode=disable&connect_timeout=2" }

    init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw Failure("no PostgreSQL server in /usr/lib/postgresql: run `make test`, which installs it")
        }
        binaries = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
        directory = URL(fileURLWithPath: NSTemporaryDirectory().hasPrefix("/root") ? "/tmp" : NSTemporaryDirectory())
            .appendingPathComponent("streamz-private-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        runAs = getuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 { try Self.run(["chown", "postgres:", directory.path]) }
        port = try Self.freePort()
        try Self.run(runAs + [binaries.appendingPathComponent("initdb").path, "-D", data, "--auth=trust", "-U", "postgres",
                              "--encoding=UTF8", "--no-sync"], in: directory)
        try start()
    }

    private var data: String { directory.appendingPathComponent("data").path }

    func start() throws {
        try Self.run(runAs + [binaries.appendingPathComponent("pg_ctl").path, "start", "-D", data, "-w", "-t", "30",
                              "-l", directory.appendingPathComponent("server.log").path,
                              "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory.path) -c fsync=off"],
                     in: directory)
    }

    /// `fast`: disconnects every client, as a restart does.
    func stop() throws {
        try Self.run(runAs + [binaries.appendingPathComponent("pg_ctl").path, "stop", "-D", data, "-m", "fast", "-w", "-t", "30"],
                     in: directory)
    }

    func destroy() {
        _ = try? Self.run(runAs + [binaries.appendingPathComponent("pg_ctl").path, "stop", "-D", data, "-m", "immediate", "-w"],
                          in: directory)
        try? FileManager.default.removeItem(at: directory)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs `command` to the end, its output into a file. posix_spawn and waitpid, not
    /// Foundation's Process: under Swift concurrency its waitUntilExit was seen to miss
    /// the exit of `pg_ctl start` (left a zombie and waited forever).
    @discardableResult
    private static func run(_ command: [String], in directory: URL? = nil) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("pg-command-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        let line = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let script = "cd '\(directory?.path ?? "/tmp")' && exec \(line) </dev/null >'\(outputPath)' 2>&1"
        var pid: pid_t = 0
        let arguments = ["/bin/sh", "-c", script]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ)
        guard spawned == 0 else { throw Failure("posix_spawn failed: \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        guard exitCode == 0 else {
            throw Failure("\(command.joined(separator: " ")) failed (\(exitCode)): \(text.suffix(1000))")
        }
        return text
    }

    private static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw Failure("no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
