import Foundation
import StreamzKafka
import Testing

// EmbeddedKafka as seen from clients that are not ours: kcat and confluent-kafka (both
// librdkafka, but their own configuration and code paths), run as real processes.
// They are project dependencies (scripts/install-deps.sh), so a missing tool fails
// the test rather than skipping it, in CI and locally alike.

extension KafkaIntegration {
@Suite("EmbeddedKafka")
struct EmbeddedKafkaTests {
    @Test func startsOnLoopbackAndCreatesTopics() async throws {
        let kafka = try EmbeddedKafka(brokers: 3, topics: [("orders", 2)])
        defer { kafka.shutdown() }
        let addresses = kafka.bootstrapServers.split(separator: ",")
        #expect(addresses.count == 3)
        for address in addresses {
            #expect(isLoopbackAddress(address), "\(address) is not 127.0.0.1:<port>")
        }

        try kafka.createTopic("payments", partitions: 5)
        let duplicate = #expect(throws: KafkaError.self) { try kafka.createTopic("payments", partitions: 1) }
        #expect(duplicate?.name == "TOPIC_ALREADY_EXISTS")
        #expect(throws: KafkaError.self) { try kafka.createTopic("empty", partitions: 0) }
        #expect(throws: KafkaError.self) { try kafka.createTopic("wide", partitions: 1, replicationFactor: 4) }

        // What a client sees: the topics with their partition counts, brokers on loopback.
        let metadata = try await Kcat.metadata(kafka.bootstrapServers)
        #expect(metadata.partitionCounts["orders"] == 2)
        #expect(metadata.partitionCounts["payments"] == 5)
        #expect(metadata.brokers.count == 3)
        #expect(metadata.brokers.allSatisfy { isLoopbackAddress($0.name) })

        kafka.shutdown()
        kafka.shutdown()  // idempotent
        let afterShutdown = #expect(throws: KafkaError.self) { try kafka.createTopic("late", partitions: 1) }
        #expect(afterShutdown?.name == "_DESTROY")
        #expect(kafka.bootstrapServers.hasPrefix("127.0.0.1:"))
    }

    @Test func kcatRoundTrip() async throws {
        let kafka = try EmbeddedKafka(topics: [("kcat-roundtrip", 3)])
        defer { kafka.shutdown() }
        let sent = (0..<200).map { "key-\($0):value-\($0)" }
        try await Kcat.produce(kafka.bootstrapServers, topic: "kcat-roundtrip", lines: sent)
        let received = try await Kcat.consumeAll(kafka.bootstrapServers, topic: "kcat-roundtrip")
        #expect(received.count == sent.count)
        #expect(Set(received) == Set(sent))
    }

    @Test func confluentKafkaRoundTrip() async throws {
        let kafka = try EmbeddedKafka(topics: [("python-roundtrip", 3)])
        defer { kafka.shutdown() }
        let python = try await Tools.pythonWithConfluentKafka()
        let result = try await ChildProcess.run(
            python,
            [Tools.interopScript.path, "--bootstrap", kafka.bootstrapServers,
             "--topic", "python-roundtrip", "--count", "200", "--timeout", "15"],
            timeout: .seconds(20))
        try result.expectSuccess("interop-check.py")
        let summary = try JSONDecoder().decode(InteropSummary.self, from: Data(result.stdoutText.utf8))
        #expect(summary == InteropSummary(produced: 200, consumed: 200, missing: 0, partitions: 3))
    }

    // MARK: Fault injection

    @Test func retriableProduceErrorsAreRetried() async throws {
        let kafka = try EmbeddedKafka(topics: [("retried", 1)])
        defer { kafka.shutdown() }
        // The next three Produce requests time out; librdkafka retries them
        // (retry.backoff.ms=100), so the messages still arrive, once each.
        try kafka.injectErrors(api: .produce, error: .requestTimedOut, count: 3)
        let sent = (0..<10).map { "k\($0):v\($0)" }
        let produced = try await Kcat.produce(
            kafka.bootstrapServers, topic: "retried", lines: sent, extra: ["-X", "debug=msg"])
        // kcat's debug log (debug=msg) names each failed attempt: exactly the three
        // injected errors, then the delivery.
        let attempts = produced.stderrText.components(separatedBy: "encountered error: Broker: Request timed out")
        #expect(attempts.count - 1 == 3, "\(produced.stderrText)")
        let received = try await Kcat.consumeAll(kafka.bootstrapServers, topic: "retried")
        #expect(received.sorted() == sent.sorted())
    }

    @Test func fatalProduceErrorReachesTheClientUntilCleared() async throws {
        let kafka = try EmbeddedKafka(topics: [("denied", 1)])
        defer { kafka.shutdown() }
        try kafka.injectErrors(api: .produce, errors: [.topicAuthorizationFailed])
        let failed = try await Kcat.produceExpectingFailure(kafka.bootstrapServers, topic: "denied", lines: ["k:v"])
        #expect(failed.stderrText.contains("authorization"), "\(failed.stderrText)")

        try kafka.injectErrors(api: .produce, error: .topicAuthorizationFailed, count: 5)
        try kafka.clearErrors(api: .produce)
        try await Kcat.produce(kafka.bootstrapServers, topic: "denied", lines: ["k:cleared"])
        #expect(try await Kcat.consumeAll(kafka.bootstrapServers, topic: "denied") == ["k:cleared"])
    }

    @Test func brokerDownThenUp() async throws {
        let kafka = try EmbeddedKafka(topics: [("flaky", 2)])
        defer { kafka.shutdown() }
        try kafka.setBrokerDown(1)
        // With its only broker refusing connections, kcat gives up ("all brokers down").
        _ = try await Kcat.produceExpectingFailure(kafka.bootstrapServers, topic: "flaky", lines: ["k:lost"])

        try kafka.setBrokerUp(1)
        try await Kcat.produce(kafka.bootstrapServers, topic: "flaky", lines: ["k:after"])
        #expect(try await Kcat.consumeAll(kafka.bootstrapServers, topic: "flaky") == ["k:after"])

        #expect(throws: KafkaError.self) { try kafka.setBrokerDown(99) }
    }

    @Test func brokerRTTDelaysResponses() async throws {
        let kafka = try EmbeddedKafka()
        defer { kafka.shutdown() }
        // A metadata query is at least two round trips (ApiVersions, Metadata); only
        // a lower bound is checked, which load cannot break.
        try kafka.setBrokerRTT(1, milliseconds: 300)
        let started = ContinuousClock.now
        _ = try await Kcat.metadata(kafka.bootstrapServers)
        #expect(ContinuousClock.now - started >= .milliseconds(600))
        try kafka.setBrokerRTT(1, milliseconds: 0)
        #expect(throws: KafkaError.self) { try kafka.setBrokerRTT(1, milliseconds: -1) }
    }

    // MARK: streamz dev-broker

    @Test(arguments: [SIGTERM, SIGINT])
    func devBrokerProcess(stopSignal: Int32) async throws {
        let streamz = try Tools.streamzBinary()
        let broker = try ChildProcess(streamz, ["dev-broker", "--topic", "t1:3"])
        defer { broker.kill() }

        let bootstrap = try await broker.firstLine(timeout: .seconds(10))
        #expect(isLoopbackAddress(bootstrap), "first stdout line: '\(bootstrap)'")
        #expect(try await Kcat.metadata(bootstrap).partitionCounts["t1"] == 3)
        try await Kcat.produce(bootstrap, topic: "t1", lines: ["greeting:hello"])
        #expect(try await Kcat.consumeAll(bootstrap, topic: "t1") == ["greeting:hello"])

        broker.send(stopSignal)
        let output = try await broker.finished(timeout: .seconds(10))
        #expect(output.reason == .exit && output.status == 0, "\(output.summary)")
        #expect(output.stdoutText == bootstrap + "\n", "stdout holds the address line only")
        #expect(output.stderrText.contains("stopped"))
    }

    @Test(arguments: [
        (["--topic", "t1"], "NAME:PARTITIONS"),
        (["--topic", "t1:0"], "PARTITIONS must be"),
        (["--topic", "bad name:1"], "topic name"),
        (["--brokers", "0"], "--brokers must be at least 1"),
    ])
    func devBrokerRejectsBadArguments(arguments: [String], message: String) async throws {
        let result = try await ChildProcess.run(
            try Tools.streamzBinary(), ["dev-broker"] + arguments, timeout: .seconds(10))
        #expect(result.status == 64, "a usage error: \(result.summary)")
        #expect(result.stderrText.contains(message), "\(result.stderrText)")
        #expect(result.stdoutText.isEmpty)
    }
}
}

private func isLoopbackAddress(_ address: some StringProtocol) -> Bool {
    let parts = address.split(separator: ":")
    guard parts.count == 2, parts[0] == "127.0.0.1", let port = Int(parts[1]) else { return false }
    return (1...65535).contains(port)
}

private struct InteropSummary: Decodable, Equatable {
    let produced: Int
    let consumed: Int
    let missing: Int
    let partitions: Int
}

// MARK: - kcat

/// The kcat invocations the tests use, with the exact flags in one place.
enum Kcat {
    struct Metadata: Decodable {
        struct Broker: Decodable { let id: Int32; let name: String }
        struct Topic: Decodable {
            struct Partition: Decodable { let partition: Int32 }
            let topic: String
            let partitions: [Partition]
        }
        let brokers: [Broker]
        let topics: [Topic]

        var partitionCounts: [String: Int] {
            Dictionary(uniqueKeysWithValues: topics.map { ($0.topic, $0.partitions.count) })
        }
    }

    /// `kcat -L -J -b <bootstrap>`: cluster metadata as JSON.
    static func metadata(_ bootstrap: String) async throws -> Metadata {
        let result = try await run(["-L", "-J", "-b", bootstrap])
        try result.expectSuccess("kcat -L")
        return try JSONDecoder().decode(Metadata.self, from: Data(result.stdoutText.utf8))
    }

    /// `kcat -P -b <bootstrap> -t <topic> -K:` with one `key:value` per stdin line.
    @discardableResult
    static func produce(
        _ bootstrap: String, topic: String, lines: [String], extra: [String] = []
    ) async throws -> ChildProcess.Output {
        let result = try await run(["-P", "-b", bootstrap, "-t", topic, "-K:"] + extra, stdin: lines)
        try result.expectSuccess("kcat -P")
        return result
    }

    /// A produce that must fail: messages time out after 2 s instead of the default 300 s.
    static func produceExpectingFailure(
        _ bootstrap: String, topic: String, lines: [String]
    ) async throws -> ChildProcess.Output {
        let result = try await run(
            ["-P", "-b", bootstrap, "-t", topic, "-K:", "-X", "message.timeout.ms=2000"], stdin: lines)
        #expect(result.status != 0, "kcat -P should have failed: \(result.summary)")
        return result
    }

    /// `kcat -C -b <bootstrap> -t <topic> -o beginning -e -q -f '%k:%s\n'`: every
    /// message of every partition, as `key:value`, then exit at the end.
    static func consumeAll(_ bootstrap: String, topic: String) async throws -> [String] {
        let result = try await run(
            ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\n"])
        try result.expectSuccess("kcat -C")
        return result.stdoutText.split(separator: "\n").map(String.init)
    }

    private static func run(_ arguments: [String], stdin: [String]? = nil) async throws -> ChildProcess.Output {
        let kcat = try Tools.executable("kcat")
        return try await ChildProcess.run(
            kcat, arguments, stdin: stdin.map { $0.joined(separator: "\n") + "\n" }, timeout: .seconds(20))
    }
}

// MARK: - Locating tools

enum Tools {
    /// An executable on PATH; its absence fails the test with how to fix it.
    static func executable(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw MissingTool(
            "\(name) is not on PATH (\(path)). It is a project dependency: run scripts/install-deps.sh.")
    }

    /// The first python3 that imports confluent_kafka. Debian's python3-confluent-kafka
    /// serves /usr/bin/python3, which a pyenv or venv python3 earlier on PATH may shadow.
    static func pythonWithConfluentKafka() async throws -> URL {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["STREAMZ_PYTHON"] {
            candidates.append(URL(fileURLWithPath: override))
        }
        if let onPath = try? executable("python3") { candidates.append(onPath) }
        candidates.append(URL(fileURLWithPath: "/usr/bin/python3"))
        for python in candidates where FileManager.default.isExecutableFile(atPath: python.path) {
            let probe = try await ChildProcess.run(python, ["-c", "import confluent_kafka"], timeout: .seconds(20))
            if probe.status == 0 { return python }
        }
        throw MissingTool(
            "no python3 can import confluent_kafka (tried \(candidates.map(\.path))). It is a project"
                + " dependency: run scripts/install-deps.sh (python3-confluent-kafka), or set STREAMZ_PYTHON.")
    }

    static var interopScript: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/interop-check.py")
    }

    /// The `streamz` executable of this build: it sits in the same directory as the
    /// test bundle (`<scratch>/debug/`), since `swift test` builds every product.
    static func streamzBinary() throws -> URL {
        var directories: [URL] = []
        if let override = ProcessInfo.processInfo.environment["STREAMZ_BINARY"] {
            let url = URL(fileURLWithPath: override)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            throw MissingTool("STREAMZ_BINARY=\(override) is not an executable file")
        }
        // macOS loads an .xctest bundle into xctest; Linux runs the test binary itself.
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL)
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent("streamz")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw MissingTool(
            "no streamz executable next to the tests (looked in \(directories.map(\.path))); "
                + "build it with `swift build` or set STREAMZ_BINARY")
    }
}

private struct MissingTool: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Child processes

/// A child process whose output is collected on two reader threads, with waits that
/// suspend (never block the cooperative pool) and always time out.
final class ChildProcess: @unchecked Sendable {
    struct Output: Sendable {
        var command: String
        var stdout = Data()
        var stderr = Data()
        var stdoutClosed = false
        var stderrClosed = false
        var status: Int32?
        var reason: Process.TerminationReason?

        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }
        var isFinished: Bool { status != nil && stdoutClosed && stderrClosed }
        var summary: String {
            let how = status.map { reason == .uncaughtSignal ? "signal \($0)" : "exit \($0)" } ?? "running"
            return "`\(command)`: \(how)\n--- stdout:\n\(stdoutText.suffix(2000))\n--- stderr:\n\(stderrText.suffix(2000))"
        }

        func expectSuccess(_ what: String) throws {
            guard reason == .exit, status == 0 else { throw Failed(description: "\(what) failed: \(summary)") }
        }
    }

    struct Failed: Error, CustomStringConvertible { let description: String }

    private let process = Process()
    private let lock = NSLock()
    private var output: Output
    private var waiters: [Int: (Output) -> Bool] = [:]
    private var nextWaiter = 0
    private var stdinFile: URL?

    init(_ executable: URL, _ arguments: [String], stdin: String? = nil) throws {
        output = Output(command: ([executable.lastPathComponent] + arguments).joined(separator: " "))
        process.executableURL = executable
        process.arguments = arguments
        // Input comes from a file, not a pipe: nothing to write while the child runs,
        // and no SIGPIPE if it exits early.
        if let stdin {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("streamz-stdin-\(UUID())")
            try Data(stdin.utf8).write(to: file)
            stdinFile = file
            process.standardInput = try FileHandle(forReadingFrom: file)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.terminationHandler = { [self] finished in
            update {
                $0.status = finished.terminationStatus
                $0.reason = finished.terminationReason
            }
        }
        try process.run()
        collect(stdoutPipe.fileHandleForReading, isStdout: true)
        collect(stderrPipe.fileHandleForReading, isStdout: false)
    }

    deinit {
        if let stdinFile { try? FileManager.default.removeItem(at: stdinFile) }
    }

    /// Runs a command to completion; past `timeout` it is killed and the test fails.
    static func run(_ executable: URL, _ arguments: [String], stdin: String? = nil, timeout: Duration)
        async throws -> Output
    {
        let child = try ChildProcess(executable, arguments, stdin: stdin)
        defer { child.kill() }
        return try await child.finished(timeout: timeout)
    }

    /// The first stdout line, without its newline.
    func firstLine(timeout: Duration) async throws -> String {
        let line: String? = try await wait("the first stdout line", timeout: timeout) { output in
            guard let newline = output.stdout.firstIndex(of: UInt8(ascii: "\n")) else {
                // A child that exits before writing its line will never write it.
                return output.isFinished ? .some(nil) : nil
            }
            return String(decoding: output.stdout[..<newline], as: UTF8.self)
        }
        guard let line else { throw Failed(description: "exited before printing a line: \(current.summary)") }
        return line
    }

    /// What the child has printed so far.
    var current: Output {
        lock.lock()
        defer { lock.unlock() }
        return output
    }

    /// Waits for the exit and for both pipes to close.
    func finished(timeout: Duration) async throws -> Output {
        try await wait("exit", timeout: timeout) { $0.isFinished ? $0 : nil }
    }

    func send(_ signal: Int32) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    /// SIGKILL if still running: cleanup after a failed or timed-out test.
    func kill() {
        send(SIGKILL)
    }

    /// Suspends until `extract` returns a value for the current output, or fails
    /// after `timeout` with everything the child printed so far.
    private func wait<T: Sendable>(
        _ what: String, timeout: Duration, _ extract: @escaping @Sendable (Output) -> T?
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            lock.lock()
            defer { lock.unlock() }
            if let value = extract(output) {
                continuation.resume(returning: value)
                return
            }
            let id = nextWaiter
            nextWaiter += 1
            waiters[id] = { output in
                guard let value = extract(output) else { return false }
                continuation.resume(returning: value)
                return true
            }
            let milliseconds = Int(timeout / .milliseconds(1))
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
                lock.lock()
                defer { lock.unlock() }
                guard waiters.removeValue(forKey: id) != nil else { return }
                continuation.resume(throwing: Failed(description: "timed out after \(timeout) waiting for \(what): \(output.summary)"))
            }
        }
    }

    private func update(_ change: (inout Output) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&output)
        for (id, attempt) in waiters where attempt(output) {
            waiters.removeValue(forKey: id)
        }
    }

    /// Reads a pipe to its end on a thread of its own. Plain read(2): it returns what
    /// is there (FileHandle.read(upToCount:) waits for the full count or EOF, which
    /// would hide the first line of a long-running child).
    private func collect(_ handle: FileHandle, isStdout: Bool) {
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { Foundation.read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                let chunk = Data(buffer[..<count])
                update { isStdout ? $0.stdout.append(chunk) : $0.stderr.append(chunk) }
            }
            try? handle.close()
            update { isStdout ? ($0.stdoutClosed = true) : ($0.stderrClosed = true) }
        }
    }
}
