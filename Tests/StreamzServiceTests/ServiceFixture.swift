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

    static func make(exactExample: Bool = false, edits: [(String, String)] = []) async throws -> ServiceFixture? {
        guard let base = databaseURLForTests() else { return nil }
        let (url, database) = try await makeDatabase(base)
        let port = exactExample ? 9464 : freePort()
        var yaml = ExampleConfig.yaml
        for (old, new) in (exactExample ? [] : [("port: 9464", "port: \(port)")]) + edits {
            yaml = yaml.replacingOccurrences(of: old, with: new)
        }
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("streamz-\(UUID().uuidString).yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        return ServiceFixture(base: base, url: url, database: database, broker: try EmbeddedKafka(topics: [("clicks", 4)]),
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

    func tearDown() {
        broker.shutdown()
        try? FileManager.default.removeItem(at: config)
        let (base, database) = (base, database)
        Task { await dropDatabase(base, database) }
    }
}
