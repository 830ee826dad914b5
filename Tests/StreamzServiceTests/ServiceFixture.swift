import Foundation
import StreamzKafka

/// What every `streamz run` test starts from: a fresh database on the test server,
/// an embedded broker with `clicks` (4 partitions), and the example config written
/// to a file, with `edits` applied (the HTTP port moves to a free one unless the
/// test keeps the example exactly as written).
final class ServiceFixture: @unchecked Sendable {
    let base: String
    let url: String
    let database: String
    let broker: EmbeddedKafka
    let port: Int
    let config: URL

    /// For tests that kill, restart or starve the service: windows close after 3 s
    /// without input, and a member that vanished loses its partitions after 6 s (the
    /// mock broker's group waits that long for it). lz4 keeps big runs inside the
    /// embedded broker's 5 MiB per partition, which would otherwise drop old output.
    static let restartable = [
        ("close_on_idle: 30s", "close_on_idle: 3s"),
        ("properties: {}", #"properties: {session.timeout.ms: "6000", heartbeat.interval.ms: "500", compression.type: lz4}"#),
    ]

    /// `server` is the PostgreSQL to make the database on: the test server by default.
    /// `topics` are created on the broker up front (others appear on first use, with
    /// the mock's default of 4 partitions).
    static func make(exactExample: Bool = false, edits: [(String, String)] = [], server: String? = nil,
                     topics: [(String, Int)] = [("clicks", 4)]) async throws -> ServiceFixture? {
        guard let base = server ?? databaseURLForTests() else { return nil }
        let (url, database) = try await makeDatabase(base)
        let port = exactExample ? 9464 : freePort()
        var yaml = ExampleConfig.yaml
        for (old, new) in (exactExample ? [] : [("port: 9464", "port: \(port)")]) + edits {
            yaml = yaml.replacingOccurrences(of: old, with: new)
        }
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("streamz-\(UUID().uuidString).yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        return ServiceFixture(base: base, url: url, database: database, broker: try EmbeddedKafka(topics: topics),
                              port: port, config: config)
    }

    private init(base: String, url: String, database: String, broker: EmbeddedKafka, port: Int, config: URL) {
        self.base = base
        self.url = url
        self.database = database
        self.broker = broker
        self.port = port
        self.config = config
    }

    var environment: [String: String] { ["KAFKA_BOOTSTRAP_SERVERS": broker.bootstrapServers, "DATABASE_URL": url] }

    /// `streamz run` on the config, its HTTP endpoints on loopback.
    func run() throws -> StreamzProcess {
        try StreamzProcess(["run", "--config", config.path, "--http-host", "127.0.0.1"], environment: environment)
    }

    /// A second replica: the same config but for its HTTP port.
    func runReplica(httpPort: Int) throws -> StreamzProcess {
        let yaml = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "port: \(port)", with: "port: \(httpPort)")
        let replica = config.deletingPathExtension().appendingPathExtension("\(httpPort).yaml")
        try yaml.write(to: replica, atomically: true, encoding: .utf8)
        return try StreamzProcess(["run", "--config", replica.path, "--http-host", "127.0.0.1"], environment: environment)
    }

    func tearDown() {
        broker.shutdown()
        try? FileManager.default.removeItem(at: config)
        let (base, database) = (base, database)
        Task { await dropDatabase(base, database) }
    }
}
