import Foundation
import Logging
import ServiceLifecycle
import StreamzKafka
import StreamzPostgres

/// What `streamz run` does with a checked config: start the embedded broker when
/// asked, apply migrations, build every pipeline, serve /metrics and the health
/// endpoints, and run until SIGTERM or SIGINT (or a pipeline's fatal failure).
public struct ServiceRunner: Sendable {
    public var config: ServiceConfig
    public var plans: [PipelinePlan]
    /// Where the migrations are; nil skips them (the database is managed elsewhere).
    public var migrations: URL?
    /// The address /metrics, /healthz and /readyz listen on.
    public var httpHost = "0.0.0.0"
    /// Progress lines (records, rate, lag) on stderr at this interval; nil for none.
    public var progressInterval: Duration?
    /// With the embedded broker: partitions of each source topic it creates.
    public var embeddedPartitions = 4

    public init(config: ServiceConfig, plans: [PipelinePlan], migrations: URL?) {
        self.config = config
        self.plans = plans
        self.migrations = migrations
    }

    /// Runs until SIGTERM/SIGINT, a pipeline's failure, or `companion` returning: a
    /// service run beside the pipelines (the demo's generator and checker), given
    /// the running service to watch.
    public func run(logger: Logger = Logger(label: "streamz"),
                    companion: (@Sendable (RunningService) -> any Service)? = nil) async throws {
        let broker = try startEmbeddedBroker(logger: logger)
        defer { broker?.shutdown() }
        if let postgres = config.postgres, let migrations { try await migrate(postgres.url, migrations, logger: logger) }

        let metrics = ServiceMetrics()
        let health = HealthState()
        let kafka = KafkaSettings(bootstrapServers: broker?.bootstrapServers ?? config.kafka.bootstrapServers,
                                  groupID: config.kafka.groupID, properties: config.kafka.properties)
        var pipelines: [PipelineRuntime] = []
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        for plan in plans {
            pipelines.append(try PipelineRuntime(plan: plan, kafka: kafka, postgresURL: config.postgres?.url,
                                                 metrics: metrics.pipeline(plan.name), health: health))
        }
        // Started first and stopped last: the group stops services in reverse order,
        // so /metrics and /readyz answer while the pipelines drain.
        if config.http.port != 0 {
            let http = HTTPEndpoints(host: httpHost, port: config.http.port, metrics: metrics, health: health)
            services.append(.init(service: http.application()))
        }
        for pipeline in pipelines {
            services.append(.init(service: PipelineService(runtime: pipeline),
                                  successTerminationBehavior: .gracefullyShutdownGroup,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let progressInterval {
            services.append(.init(service: ProgressService(pipelines: pipelines, interval: progressInterval),
                                  successTerminationBehavior: .ignore))
        }
        if let companion {
            let running = RunningService(bootstrapServers: kafka.bootstrapServers, pipelines: pipelines)
            services.append(.init(service: companion(running), successTerminationBehavior: .gracefullyShutdownGroup,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        logger.info("running \(plans.count) pipeline(s): \(plans.map(\.name).joined(separator: ", "))",
                    metadata: ["kafka": "\(Redaction.redact(url: kafka.bootstrapServers))",
                               "http_port": "\(config.http.port)"])
        try await ServiceGroup(configuration: configuration).run()
    }

    private func startEmbeddedBroker(logger: Logger) throws -> EmbeddedKafka? {
        guard config.usesEmbeddedKafka else { return nil }
        var topics: [String] = []
        for plan in plans {
            for topic in plan.config.source.topics where !topics.contains(topic) { topics.append(topic) }
        }
        let broker = try EmbeddedKafka(topics: topics.map { ($0, embeddedPartitions) })
        logger.notice("embedded Kafka broker on \(broker.bootstrapServers) (in memory: gone when the process exits)")
        return broker
    }

    private func migrate(_ url: String, _ directory: URL, logger: Logger) async throws {
        let client = PostgresClient(url: url)
        defer { client.close() }
        let applied = try await Migrator(directory: directory).migrate(client)
        if !applied.isEmpty { logger.info("applied migrations \(applied.map(String.init).joined(separator: ", "))") }
    }
}
