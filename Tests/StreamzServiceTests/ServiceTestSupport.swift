import Foundation
import Streamz
import StreamzKafka
import StreamzPostgres
import Testing

/// The test server, or nil (a recorded failure under CI=true, where it must exist).
func databaseURLForTests() -> String? {
    if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty { return url }
    if ProcessInfo.processInfo.environment["CI"] == "true" {
        Issue.record("DATABASE_URL is unset under CI=true: run the tests through `make test`")
    } else {
        print("note: DATABASE_URL unset; the service tests need `make test`")
    }
    return nil
}

/// A new, empty database on the test server.
func makeDatabase(_ base: String) async throws -> (url: String, name: String) {
    let name = "streamz_s_\(UUID().uuidString.prefix(8).lowercased())"
    let admin = PostgresClient(url: base)
    defer { admin.close() }
    try await admin.query("CREATE DATABASE \(name)")
    guard let range = base.range(of: #"/[^/?]+(\?|$)"#, options: .regularExpression) else {
        throw PostgresError(kind: .permanent, sqlState: nil, message: "cannot find the database name in \(base)")
    }
    let suffix = base[range].hasSuffix("?") ? "?" : ""
    return (base.replacingCharacters(in: range, with: "/\(name)\(suffix)"), name)
}

func dropDatabase(_ base: String, _ name: String) async {
    let admin = PostgresClient(url: base)
    defer { admin.close() }
    _ = try? await admin.query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
}

/// The `streamz` executable SwiftPM built beside this test bundle.
func streamzExecutable() throws -> URL {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("streamz")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    for candidate in [".build/debug/streamz", ".build/release/streamz"] where FileManager.default.isExecutableFile(atPath: candidate) {
        return URL(fileURLWithPath: candidate)
    }
    throw TestSetupError("the streamz executable is not built (looked beside \(CommandLine.arguments[0]) and in .build)")
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// A `streamz` process with its output in a file (a pipe could fill and stall it).
final class StreamzProcess: @unchecked Sendable {
    let process = Process()
    let log: URL

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("streamz-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = try streamzExecutable()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func terminate() { process.terminate() }  // SIGTERM

    func kill() { Foundation.kill(process.processIdentifier, SIGKILL) }

    /// Waits for the exit; nil if it did not come within `timeout`.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill() }
        try? FileManager.default.removeItem(at: log)
    }
}

/// Runs `streamz` to completion and returns its exit status and output.
func runStreamz(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
    let process = try StreamzProcess(arguments, environment: environment)
    guard let status = await process.waitForExit(timeout: .seconds(60)) else {
        process.kill()
        throw TestSetupError("streamz \(arguments.joined(separator: " ")) did not exit within 60 s")
    }
    return (status, process.output)
}

/// Polls `condition` until it holds or `timeout` passes.
func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestSetupError("timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(200))
    }
}

/// A free TCP port on 127.0.0.1.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// GET over plain HTTP/1.1 on loopback; returns status and body.
func httpGet(port: Int, path: String) throws -> (status: Int, body: String) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSetupError("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw TestSetupError("connect to 127.0.0.1:\(port) failed") }
    let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count <= 0 { break }
        response += buffer[0..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let statusLine = text.split(separator: "\r\n").first, let code = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
        throw TestSetupError("no HTTP status line from \(path)")
    }
    let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return (code, body)
}
